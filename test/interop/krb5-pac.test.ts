// Interop: the PAC in service tickets from the lab's Samba AD DC. Our AS and TGS exchanges get a
// ticket for the HTTP service account; it is decrypted with the exported keytab and its PAC decoded
// and verified: directly, and through our GSS acceptor after an AP-REQ from our initiator.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { asExchange } from '../../src/mech/krb5/as.js';
import { tgsExchange } from '../../src/mech/krb5/tgs.js';
import { KdcTransport } from '../../src/mech/krb5/transport.js';
import { parsePrincipal } from '../../src/mech/krb5/principal.js';
import { readKeytab, serviceKeysFromKeytab } from '../../src/mech/krb5/ccache-store.js';
import { Krb5Initiator } from '../../src/mech/krb5/gss-initiator.js';
import { Krb5Acceptor } from '../../src/mech/krb5/gss-acceptor.js';
import { MemoryReplayCache } from '../../src/mech/krb5/replay-cache.js';
import { findPac, ticketPac, verifyPacServerSignature } from '../../src/mech/krb5/pac.js';
import type { Credential } from '../../src/mech/krb5/credential.js';
import { encTicketPartCodec, type EncTicketPart } from '../../src/codec/krb5/enc-ticket-part.js';
import { PacBufferType, pacBuffer, pacClientInfoCodec, pacTypeCodec, dateToFiletime } from '../../src/codec/pac/index.js';
import { getProfile } from '../../src/crypto/krb5/index.js';
import type { Key } from '../../src/crypto/krb5/profile.js';
import { KeyUsage } from '../../src/iana/krb5.js';

interface Lab {
  samba: {
    realm: string; domain: string; ip: string; httpKeytab: string;
    users: { name: string; password: string }[]; serviceAccount: { spn: string };
  };
}
let lab: Lab;
let kdc: KdcTransport;
before(() => {
  const s = process.env.LAB_STATE;
  if (!s) throw new Error('LAB_STATE is not set: run `npm test`, which starts the lab');
  lab = JSON.parse(readFileSync(join(s, 'lab.json'), 'utf8')) as Lab;
  kdc = new KdcTransport({ locate: async () => [{ host: lab.samba.ip, port: 88 }] });
});

async function serviceTicket(user: string, enctypes: number[]): Promise<{ cred: Credential; tkt: EncTicketPart; key: Key; keys: Key[] }> {
  const pw = lab.samba.users.find((u) => u.name === user)!.password;
  const tgt = await asExchange({ client: parsePrincipal(`${user}@${lab.samba.realm}`), password: pw, kdc, enctypes: [18, 17] });
  const spn = lab.samba.serviceAccount.spn;
  const cred = await tgsExchange({ tgt, server: parsePrincipal(spn.includes('@') ? spn : `${spn}@${lab.samba.realm}`), kdc, enctypes });
  const entries = readKeytab(lab.samba.httpKeytab);
  const etype = cred.ticket.encPart.etype;
  const e = entries.find((x) => x.key.keytype === etype && x.kvno === cred.ticket.encPart.kvno);
  assert.ok(e, `the keytab has a kvno ${cred.ticket.encPart.kvno} key of enctype ${etype}`);
  const key: Key = { enctype: etype, value: e.key.keyvalue };
  const tkt = encTicketPartCodec.decode(getProfile(etype).decrypt(key, KeyUsage.KDC_REP_TICKET, cred.ticket.encPart.cipher));
  return { cred, tkt, key, keys: entries.filter((x) => x.key.keytype !== 23).map((x) => ({ enctype: x.key.keytype, value: x.key.keyvalue })) };
}

for (const [name, etype] of [['aes256-cts-hmac-sha1-96', 18], ['aes128-cts-hmac-sha1-96', 17]] as const) {
  test(`Samba ticket for the HTTP service (session key ${name}): PAC verified with the service key, alice in SAMBA with Domain Users`, async () => {
    const { tkt, key, keys } = await serviceTicket('alice', [etype]);
    assert.equal(tkt.key.keytype, etype);
    const id = ticketPac(tkt, key);
    assert.ok(id, 'the ticket carries a PAC');
    assert.equal(id.user, 'alice');
    assert.equal(id.domain, lab.samba.domain);
    assert.match(id.domainSid, /^S-1-5-21-\d+-\d+-\d+$/);
    assert.match(id.userSid, new RegExp(`^${id.domainSid}-\\d+$`));
    assert.ok(id.groupSids.includes(`${id.domainSid}-513`), `Domain Users among ${id.groupSids.join(', ')}`);
    assert.equal(id.primaryGroupSid, `${id.domainSid}-513`);
    // Samba writes the UPN with the DNS domain in lower case, the DNS domain name in upper case.
    assert.equal(id.upn, `alice@${lab.samba.realm.toLowerCase()}`);
    assert.equal(id.dnsDomain, lab.samba.realm);
    assert.equal(id.samName, 'alice');
    assert.equal(id.upnDnsSid, id.userSid);
    assert.equal(id.clientName, tkt.cname.nameString.join('/'));
    assert.equal(id.clientTime?.getTime(), tkt.authtime.getTime());
    // Samba signs with the service key that encrypts the ticket (the account's strongest, aes256,
    // whatever the session key's enctype): HMAC-SHA1-96-AES256, checksum type 16.
    assert.equal(key.enctype, 18);
    assert.equal(id.serverSignatureType, getProfile(key.enctype).checksumType);
    assert.equal(id.serverSignatureType, 16);
    assert.deepEqual(id.bufferTypes.filter((t) => [1, 6, 7, 10, 12].includes(t)).sort((a, b) => a - b), [1, 6, 7, 10, 12]);
    // The raw client info agrees with the ticket.
    const pac = pacTypeCodec.decode(findPac(tkt.authorizationData)!);
    const ci = pacClientInfoCodec.decode(pacBuffer(pac, PacBufferType.CLIENT_INFO)!.data);
    assert.equal(ci.clientId, dateToFiletime(tkt.authtime));
    // Any key list holding it works; a wrong key of the same enctype, or the ticket's session key, does not.
    assert.equal(ticketPac(tkt, keys)!.userSid, id.userSid);
    assert.throws(() => ticketPac(tkt, { enctype: key.enctype, value: randomBytes(key.value.length) }), { code: 'BAD_MIC' });
    assert.throws(() => verifyPacServerSignature(findPac(tkt.authorizationData)!, { enctype: key.enctype, value: randomBytes(key.value.length) }), { code: 'BAD_MIC' });
    // The session key is no PAC key: BAD_MIC when it has the service key's enctype, no usable key otherwise.
    assert.throws(() => ticketPac(tkt, { enctype: tkt.key.keytype, value: tkt.key.keyvalue }), { code: tkt.key.keytype === key.enctype ? 'BAD_MIC' : 'DEFECTIVE_CREDENTIAL' });
  });
}

test('bob: a different user SID under the same domain, still Domain Users', async () => {
  const alice = await serviceTicket('alice', [18]);
  const a = ticketPac(alice.tkt, alice.key)!;
  const { tkt, key } = await serviceTicket('bob', [18]);
  const b = ticketPac(tkt, key)!;
  assert.equal(b.user, 'bob');
  assert.equal(b.domainSid, a.domainSid);
  assert.notEqual(b.userSid, a.userSid);
  assert.ok(b.groupSids.includes(`${b.domainSid}-513`));
  assert.equal(b.upn, `bob@${lab.samba.realm.toLowerCase()}`);
});

test('through our GSS acceptor: the AP-REQ from our initiator is accepted with the keytab and the PAC read from acceptor.ticket', async () => {
  const { cred, key } = await serviceTicket('alice', [18]);
  const keys = serviceKeysFromKeytab(readKeytab(lab.samba.httpKeytab));
  const i = new Krb5Initiator({ credential: cred });
  const a = new Krb5Acceptor({ keys, replayCache: new MemoryReplayCache() });
  const rep = await a.step(await i.step());
  assert.equal(await i.step(rep), undefined);
  assert.ok(a.complete);
  const id = ticketPac(a.ticket!, key)!;
  assert.equal(id.user, 'alice');
  assert.equal(id.upn, `alice@${lab.samba.realm.toLowerCase()}`);
  assert.ok(id.groupSids.includes(`${id.domainSid}-513`));
});
