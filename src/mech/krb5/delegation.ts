// Credential delegation (RFC 4121 4.1.1.1, RFC 4120 5.8): the initiator gets a forwarded TGT
// (KDC option forwarded) and sends it in a KRB-CRED inside the 0x8003 checksum, its enc-part
// encrypted with the ticket session key (usage 14), as MIT and Windows do; an unencrypted
// enc-part (etype 0, as some Heimdal builds send) is accepted on receipt.
import { SpnegoError } from '../../errors.js';
import { KeyUsage } from '../../iana/krb5.js';
import { krbCredCodec, encKrbCredPartCodec } from '../../codec/krb5/krb-cred.js';
import { ticketCodec } from '../../codec/krb5/ticket.js';
import { flagsFromBits, hasFlag } from '../../codec/krb5/kerberos-flags.js';
import { getProfile } from '../../crypto/krb5/registry.js';
import type { Key } from '../../crypto/krb5/profile.js';
import { TicketFlag } from '../../iana/krb5.js';
import type { Credential } from './credential.js';
import { checkGrantedKey, decryptFromPeer } from './peer-encrypted.js';

export function makeKrbCred(forwarded: Credential, sessionKey: Key, opts: { allowWeakCrypto?: boolean } = {}): Uint8Array {
  if (!hasFlag(forwarded.flags, TicketFlag.forwarded) && !hasFlag(forwarded.flags, TicketFlag.forwardable)) {
    throw new SpnegoError('NO_CRED', 'the TGT to delegate is not forwardable (kinit -f)');
  }
  const enc = encKrbCredPartCodec.encode({
    ticketInfo: [
      {
        key: { keytype: forwarded.sessionKey.enctype, keyvalue: forwarded.sessionKey.value },
        prealm: forwarded.client.realm,
        pname: forwarded.client.name,
        flags: forwarded.flags,
        authtime: forwarded.authtime,
        ...(forwarded.starttime ? { starttime: forwarded.starttime } : {}),
        endtime: forwarded.endtime,
        ...(forwarded.renewTill ? { renewTill: forwarded.renewTill } : {}),
        srealm: forwarded.server.realm,
        sname: forwarded.server.name,
      },
    ],
  });
  const cipher = getProfile(sessionKey.enctype, { allowWeakCrypto: opts.allowWeakCrypto ?? false }).encrypt(sessionKey, KeyUsage.KRB_CRED_ENCPART, enc);
  return krbCredCodec.encode({ pvno: 5, msgType: 22, tickets: [forwarded.ticket], encPart: { etype: sessionKey.enctype, cipher } });
}

/** The delegated credentials, ready to be written to a ccache for the application. */
export function readKrbCred(bytes: Uint8Array, sessionKey: Key, opts: { allowWeakCrypto?: boolean } = {}): Credential[] {
  const cred = krbCredCodec.decode(bytes);
  // etype 0: the enc-part in the clear, as MIT sends it inside an encrypted AP-REQ authenticator.
  const plain = cred.encPart.etype === 0 ? cred.encPart.cipher : decryptFromPeer(sessionKey, cred.encPart, KeyUsage.KRB_CRED_ENCPART, { allowWeakCrypto: opts.allowWeakCrypto ?? false }, 'KRB-CRED');
  const part = encKrbCredPartCodec.decode(plain);
  if (part.ticketInfo.length !== cred.tickets.length) throw new SpnegoError('DEFECTIVE_TOKEN', 'KRB-CRED: ticket and ticket-info counts differ');
  return cred.tickets.map((ticket, i) => {
    const info = part.ticketInfo[i]!;
    if (!info.pname || !info.prealm || !info.sname || !info.srealm || !info.endtime) throw new SpnegoError('DEFECTIVE_TOKEN', 'KRB-CRED: ticket info lacks names or end time');
    checkGrantedKey(info.key.keytype, info.key.keyvalue, 'KRB-CRED');
    return {
      client: { name: info.pname, realm: info.prealm },
      server: { name: info.sname, realm: info.srealm },
      ticket,
      ticketDer: ticketCodec.encode(ticket),
      sessionKey: { enctype: info.key.keytype, value: info.key.keyvalue },
      flags: info.flags ?? flagsFromBits([]),
      authtime: info.authtime ?? info.starttime ?? new Date(0),
      starttime: info.starttime,
      endtime: info.endtime,
      renewTill: info.renewTill,
    };
  });
}
