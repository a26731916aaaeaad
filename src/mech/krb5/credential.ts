// A ticket with what the client needs to use it (RFC 4120 3.1.5/3.3.3): the in-memory form of a
// credential-cache entry.
import type { Key } from '../../crypto/krb5/profile.js';
import type { Ticket } from '../../codec/krb5/ticket.js';
import type { KerberosFlags } from '../../codec/krb5/kerberos-flags.js';
import type { Principal } from './principal.js';
import type { KdcRep } from '../../codec/krb5/kdc-rep.js';
import type { EncKdcRepPart } from '../../codec/krb5/enc-kdc-rep-part.js';
import { ticketCodec } from '../../codec/krb5/ticket.js';
import { checkGrantedKey } from './peer-encrypted.js';

export interface Credential {
  readonly client: Principal;
  readonly server: Principal;
  readonly ticket: Ticket;
  /** The ticket's exact DER, as the KDC sent it (re-sent byte for byte in AP-REQs). */
  readonly ticketDer: Uint8Array;
  readonly sessionKey: Key;
  readonly flags: KerberosFlags;
  readonly authtime: Date;
  readonly starttime?: Date | undefined;
  readonly endtime: Date;
  readonly renewTill?: Date | undefined;
  /**
   * The KDC's clock minus ours when the TGT was obtained, in seconds (MIT's kdc_timesync; the
   * ccache header's KDC offset): authenticators made with this credential add it to our time.
   */
  readonly kdcOffsetSeconds?: number | undefined;
}

/** Our time as the KDC sees it, for an authenticator made with `c`. */
export function kdcTime(c: Credential, now: Date): Date {
  return c.kdcOffsetSeconds ? new Date(now.getTime() + c.kdcOffsetSeconds * 1000) : now;
}

export function isExpired(c: Credential, now: Date, skewSeconds = 0): boolean {
  return c.endtime.getTime() <= now.getTime() + skewSeconds * 1000;
}

/** A service key, as a keytab entry holds it (the acceptor's credential). */
export interface ServiceKey {
  readonly principal: Principal;
  readonly kvno: number;
  readonly key: Key;
}

/** The credential a KDC reply grants (RFC 4120 3.1.5 / 3.3.3): names from the reply, the rest from its decrypted part. */
export function credentialFromReply(rep: KdcRep, part: EncKdcRepPart): Credential {
  checkGrantedKey(part.key.keytype, part.key.keyvalue, rep.msgType === 11 ? 'the AS-REP' : 'the TGS-REP');
  return {
    client: { name: rep.cname, realm: rep.crealm },
    server: { name: part.sname, realm: part.srealm },
    ticket: rep.ticket,
    ticketDer: ticketCodec.encode(rep.ticket),
    sessionKey: { enctype: part.key.keytype, value: part.key.keyvalue },
    flags: part.flags,
    authtime: part.authtime,
    starttime: part.starttime,
    endtime: part.endtime,
    renewTill: part.renewTill,
  };
}
