// The PAC of a decrypted ticket: found inside AD-IF-RELEVANT, the server signature verified with the
// service key (not the session key), the client info bound to the ticket, the identity exposed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { fromHex, concat } from '../../../../src/bytes/index.js';
import { adIfRelevantCodec } from '../../../../src/codec/krb5/ad-if-relevant.js';
import { encTicketPartCodec, type EncTicketPart } from '../../../../src/codec/krb5/enc-ticket-part.js';
import {
  PacBufferType, dateToFiletime, pacClientInfoCodec, pacSignatureDataCodec, pacTypeCodec, pacBuffer, type PacInfoBuffer,
} from '../../../../src/codec/pac/index.js';
import { getProfile } from '../../../../src/crypto/krb5/index.js';
import type { Key } from '../../../../src/crypto/krb5/profile.js';
import { PAC_CHECKSUM_KEY_USAGE, decodePac, findPac, ticketPac, verifyPacKdcSignature, verifyPacServerSignature } from '../../../../src/mech/krb5/pac.js';
import { samba, sambaPac, win2003, win2003Pac } from '../../codec/pac/vectors.js';

const serviceKey: Key = { enctype: samba.serviceKey.enctype, value: fromHex(samba.serviceKey.value) };
const realTicket = (): EncTicketPart => encTicketPartCodec.decode(fromHex(samba.encTicketPart!));
const withPac = (t: EncTicketPart, pac: Uint8Array): EncTicketPart => ({
  ...t,
  authorizationData: [{ adType: 1, adData: adIfRelevantCodec.encode([{ adType: 128, adData: pac }]) }],
});

/** A PAC built with our codecs, its server signature computed with `key` as MS-PAC 2.8.1 says. */
function signedPac(key: Key, sigType: number, sigLen: number, client: { name: string; authtime: Date }, extra: PacInfoBuffer[] = []): Uint8Array {
  const real = pacTypeCodec.decode(sambaPac());
  const zeros = pacSignatureDataCodec.encode({ signatureType: sigType, signature: new Uint8Array(sigLen) });
  const pac = pacTypeCodec.encode({
    version: 0,
    buffers: [
      pacBuffer(real, PacBufferType.LOGON_INFO)!,
      { type: PacBufferType.CLIENT_INFO, data: pacClientInfoCodec.encode({ clientId: dateToFiletime(client.authtime), name: client.name }) },
      ...extra,
      { type: PacBufferType.SERVER_CHECKSUM, data: zeros },
      { type: PacBufferType.PRIVSVR_CHECKSUM, data: zeros },
    ].map((b) => ({ type: b.type, data: b.data })),
  });
  const sig = getProfile(key.enctype, { allowWeakCrypto: true }).checksum(key, PAC_CHECKSUM_KEY_USAGE, pac);
  const at = pacBuffer(pacTypeCodec.decode(pac), PacBufferType.SERVER_CHECKSUM)!.offset! + 4;
  pac.set(sig, at);
  // A KDC signature that is not zero, as a KDC's would be: it must be zeroed for the check.
  pac.fill(0x5a, pacBuffer(pacTypeCodec.decode(pac), PacBufferType.PRIVSVR_CHECKSUM)!.offset! + 4, pacBuffer(pacTypeCodec.decode(pac), PacBufferType.PRIVSVR_CHECKSUM)!.offset! + 4 + sigLen);
  return pac;
}

test('the Samba ticket: PAC verified with the HTTP service key, identity with SIDs as strings', () => {
  const id = ticketPac(realTicket(), serviceKey)!;
  const x = samba.expected;
  assert.equal(id.user, x.user);
  assert.equal(id.domain, x.domain);
  assert.equal(id.fullName, x.fullName);
  assert.equal(id.logonServer, x.logonServer);
  assert.equal(id.domainSid, x.domainSid);
  assert.equal(id.userSid, x.userSid);
  assert.ok(id.userSid.startsWith(`${id.domainSid}-`));
  assert.equal(id.primaryGroupSid, x.primaryGroupSid);
  assert.deepEqual(id.groupSids, x.groupSids);
  assert.ok(id.groupSids.includes(`${id.domainSid}-513`));
  assert.equal(id.upn, x.upn);
  assert.equal(id.dnsDomain, x.dnsDomain);
  assert.equal(id.samName, x.samName);
  assert.equal(id.upnDnsSid, x.userSid);
  assert.equal(id.clientName, x.clientName);
  assert.equal(id.clientTime?.toISOString(), samba.authtime);
  assert.equal(id.userFlags, x.userFlags);
  assert.equal(id.userAccountControl, x.userAccountControl);
  assert.equal(id.serverSignatureType, x.serverSignatureType);
  assert.deepEqual(id.bufferTypes, x.bufferTypes);
  // A list of keys: the one whose checksum type matches is used.
  const aes128: Key = { enctype: 17, value: randomBytes(16) };
  assert.equal(ticketPac(realTicket(), [aes128, serviceKey])!.userSid, x.userSid);
});

test('a wrong service key, the ticket session key, or one changed PAC byte: BAD_MIC', () => {
  const t = realTicket();
  assert.throws(() => ticketPac(t, { enctype: 18, value: randomBytes(32) }), { code: 'BAD_MIC' });
  assert.equal(t.key.keytype, 18);
  assert.throws(() => ticketPac(t, { enctype: t.key.keytype, value: t.key.keyvalue }), { code: 'BAD_MIC' });
  for (const at of [0x90, 560, 600]) {
    const pac = sambaPac();
    pac[at]! ^= 1;
    assert.throws(() => verifyPacServerSignature(pac, serviceKey), { code: 'BAD_MIC' }, `byte ${at}`);
  }
  // The KDC signature's bytes are not covered (they are zeroed), the server signature's are checked.
  const kdcFlipped = sambaPac();
  kdcFlipped[712 + 4]! ^= 1;
  assert.equal(verifyPacServerSignature(kdcFlipped, serviceKey), 16);
  const srvFlipped = sambaPac();
  srvFlipped[696 + 4 + 11]! ^= 1;
  assert.throws(() => verifyPacServerSignature(srvFlipped, serviceKey), { code: 'BAD_MIC' });
  // The ticket checksum (16) and full PAC checksum (19) are covered by the server signature.
  const fullFlipped = sambaPac();
  fullFlipped[744 + 4]! ^= 1;
  assert.throws(() => verifyPacServerSignature(fullFlipped, serviceKey), { code: 'BAD_MIC' });
});

test('no key for the signature type, missing signatures: DEFECTIVE_CREDENTIAL', () => {
  assert.throws(() => ticketPac(realTicket(), { enctype: 17, value: randomBytes(16) }), { code: 'DEFECTIVE_CREDENTIAL' });
  const p = pacTypeCodec.decode(sambaPac());
  for (const drop of [PacBufferType.SERVER_CHECKSUM, PacBufferType.PRIVSVR_CHECKSUM]) {
    const bytes = pacTypeCodec.encode({ version: 0, buffers: p.buffers.filter((b) => b.type !== drop).map((b) => ({ type: b.type, data: b.data })) });
    assert.throws(() => verifyPacServerSignature(bytes, serviceKey), { code: 'DEFECTIVE_CREDENTIAL' });
  }
  const noLogon = pacTypeCodec.encode({ version: 0, buffers: p.buffers.filter((b) => b.type !== 1).map((b) => ({ type: b.type, data: b.data })) });
  assert.throws(() => decodePac(noLogon), { code: 'DEFECTIVE_CREDENTIAL' });
  const noClient = pacTypeCodec.encode({ version: 0, buffers: p.buffers.filter((b) => b.type !== 10).map((b) => ({ type: b.type, data: b.data })) });
  assert.throws(() => decodePac(noClient), { code: 'DEFECTIVE_CREDENTIAL' });
});

test('client info must name the ticket client and its authtime', () => {
  const t = realTicket();
  assert.throws(() => ticketPac({ ...t, authtime: new Date(t.authtime.getTime() + 1000) }, serviceKey), { code: 'DEFECTIVE_CREDENTIAL' });
  assert.throws(() => ticketPac({ ...t, cname: { nameType: 1, nameString: ['bob'] } }, serviceKey), { code: 'DEFECTIVE_CREDENTIAL' });
  // Our own signed PAC with another client name, and one with the realm-qualified name.
  const key: Key = { enctype: 18, value: randomBytes(32) };
  assert.throws(() => ticketPac(withPac(t, signedPac(key, 16, 12, { name: 'mallory', authtime: t.authtime })), key), { code: 'DEFECTIVE_CREDENTIAL' });
  assert.equal(ticketPac(withPac(t, signedPac(key, 16, 12, { name: 'alice@SAMBA.TEST', authtime: t.authtime })), key)!.clientName, 'alice@SAMBA.TEST');
});

test('PACs we sign: aes128 (type 15), aes256-sha384 (type 20), and rc4-hmac (HMAC-MD5, -138) only with allowWeakCrypto', () => {
  const t = realTicket();
  const client = { name: 'alice', authtime: t.authtime };
  for (const [enctype, size, sigType, sigLen] of [[17, 16, 15, 12], [20, 32, 20, 24], [19, 16, 19, 16]] as const) {
    const key: Key = { enctype, value: randomBytes(size) };
    const id = ticketPac(withPac(t, signedPac(key, sigType, sigLen, client)), key)!;
    assert.equal(id.serverSignatureType, sigType);
    assert.equal(id.user, 'alice');
    assert.throws(() => ticketPac(withPac(t, signedPac(key, sigType, sigLen, client)), { enctype, value: randomBytes(size) }), { code: 'BAD_MIC' });
  }
  const rc4: Key = { enctype: 23, value: randomBytes(16) };
  const pac = signedPac(rc4, -138, 16, client);
  assert.throws(() => ticketPac(withPac(t, pac), rc4), { code: 'DEFECTIVE_CREDENTIAL' });
  assert.equal(ticketPac(withPac(t, pac), rc4, { allowWeakCrypto: true })!.serverSignatureType, -138);
  assert.equal(decodePac(pac).upnDnsInfo, undefined);
  assert.equal(ticketPac(withPac(t, pac), rc4, { allowWeakCrypto: true })!.upn, undefined);
});

test('findPac: inside AD-IF-RELEVANT (nested too), not outside it; none is undefined, two are refused', () => {
  const pac = sambaPac();
  const inner = adIfRelevantCodec.encode([{ adType: 128, adData: pac }]);
  assert.deepEqual(findPac([{ adType: 1, adData: inner }]), pac);
  assert.deepEqual(findPac([{ adType: 1, adData: adIfRelevantCodec.encode([{ adType: 1, adData: inner }]) }]), pac);
  assert.equal(findPac([{ adType: 128, adData: pac }]), undefined);
  assert.equal(findPac(undefined), undefined);
  assert.equal(findPac([]), undefined);
  assert.equal(ticketPac({ ...realTicket(), authorizationData: undefined }, serviceKey), undefined);
  assert.throws(() => findPac([{ adType: 1, adData: adIfRelevantCodec.encode([{ adType: 128, adData: pac }, { adType: 128, adData: pac }]) }]), { code: 'DEFECTIVE_CREDENTIAL' });
  assert.throws(() => findPac([{ adType: 1, adData: inner }, { adType: 1, adData: inner }]), { code: 'DEFECTIVE_CREDENTIAL' });
  assert.throws(() => findPac([{ adType: 1, adData: concat(inner, new Uint8Array(1)) }]), (e: unknown) => (e as { code: string }).code.startsWith('DECODE_'));
});

test('the Windows Server 2003 PAC (MIT t_pac.c): HMAC-MD5 server signature verifies with the member key only with allowWeakCrypto; KDC signature with the krbtgt key', () => {
  const pac = win2003Pac();
  const member: Key = { enctype: 23, value: fromHex(win2003.serviceKey.value) };
  const krbtgt: Key = { enctype: 23, value: fromHex(win2003.kdcKey!.value) };
  assert.throws(() => verifyPacServerSignature(pac, member), { code: 'DEFECTIVE_CREDENTIAL' });
  assert.equal(verifyPacServerSignature(pac, member, { allowWeakCrypto: true }), -138);
  assert.throws(() => verifyPacServerSignature(pac, krbtgt, { allowWeakCrypto: true }), { code: 'BAD_MIC' });
  assert.equal(verifyPacKdcSignature(pac, krbtgt, { allowWeakCrypto: true }), -138);
  assert.throws(() => verifyPacKdcSignature(pac, member, { allowWeakCrypto: true }), { code: 'BAD_MIC' });
  assert.throws(() => verifyPacKdcSignature(pac, krbtgt), { code: 'DEFECTIVE_CREDENTIAL' });
  // A ticket around it: cname w2003final$, authtime 1120440609.
  const t: EncTicketPart = { ...realTicket(), cname: { nameType: 1, nameString: [win2003.cname] }, crealm: win2003.crealm, authtime: new Date(win2003.authtime) };
  const id = ticketPac(withPac(t, pac), member, { allowWeakCrypto: true })!;
  const x = win2003.expected;
  assert.equal(id.user, x.user);
  assert.equal(id.domain, x.domain);
  assert.equal(id.domainSid, x.domainSid);
  assert.equal(id.userSid, x.userSid);
  assert.equal(id.primaryGroupSid, x.primaryGroupSid);
  assert.deepEqual(id.groupSids, x.groupSids);
  assert.equal(id.upn, undefined);
  assert.equal(id.clientName, x.clientName);
  assert.equal(id.serverSignatureType, -138);
  assert.deepEqual(id.bufferTypes, x.bufferTypes);
  assert.throws(() => ticketPac(withPac({ ...t, authtime: new Date(1120440610_000) }, pac), member, { allowWeakCrypto: true }), { code: 'DEFECTIVE_CREDENTIAL' });
  const tampered = win2003Pac();
  tampered[200]! ^= 0x80;
  assert.throws(() => ticketPac(withPac(t, tampered), member, { allowWeakCrypto: true }), { code: 'BAD_MIC' });
});
