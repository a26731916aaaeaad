// Issues a service ticket the way a KDC would, for in-process tests of the Kerberos GSS mech
// (unit tests only: the proof with MIT's and Samba's KDCs is in test/interop).
import { getProfile } from '../../src/crypto/krb5/registry.js';
import { encTicketPartCodec } from '../../src/codec/krb5/enc-ticket-part.js';
import { ticketCodec } from '../../src/codec/krb5/ticket.js';
import { flagsFromBits } from '../../src/codec/krb5/kerberos-flags.js';
import { KeyUsage } from '../../src/iana/krb5.js';
import { parsePrincipal } from '../../src/mech/krb5/principal.js';
import type { Credential, ServiceKey } from '../../src/mech/krb5/credential.js';

export function issueTicket(etype: number, o: { realm?: string; service?: string; client?: string; start?: Date; end?: Date } = {}): { cred: Credential; keys: ServiceKey[] } {
  const realm = o.realm ?? 'EXAMPLE.TEST';
  const service = parsePrincipal(o.service ?? `HTTP/web.example.test@${realm}`);
  const client = parsePrincipal(o.client ?? `alice@${realm}`);
  const p = getProfile(etype, { allowWeakCrypto: true }); // rc4-hmac tickets too, for the weak-crypto tests
  const serviceKey = p.stringToKey('service-secret', `${realm}${service.name.nameString.join('')}`);
  const sessionKey = p.randomToKey(new Uint8Array(p.keyBytes).fill(7));
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  const end = o.end ?? new Date(now.getTime() + 3600_000);
  const part = encTicketPartCodec.encode({
    flags: flagsFromBits([]),
    key: { keytype: etype, keyvalue: sessionKey.value },
    crealm: client.realm,
    cname: client.name,
    transited: { trType: 1, contents: new Uint8Array(0) },
    authtime: now,
    starttime: o.start ?? now,
    endtime: end,
  });
  const ticket = { tktVno: 5 as const, realm: service.realm, sname: service.name, encPart: { etype, kvno: 3, cipher: p.encrypt(serviceKey, KeyUsage.KDC_REP_TICKET, part) } };
  const cred: Credential = { client, server: service, ticket, ticketDer: ticketCodec.encode(ticket), sessionKey, flags: flagsFromBits([]), authtime: now, endtime: end };
  return { cred, keys: [{ principal: service, kvno: 3, key: serviceKey }] };
}
