// Hand-built RFC 4120 messages: field values, exact bytes, and byte-exact round trips.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromHex, toHex } from '../../../../src/bytes/index.js';
import type { Codec } from '../../../../src/codec/codec.js';
import {
  apRepCodec, apReqCodec, authenticatorCodec, authorizationDataCodec, checksumCodec, encApRepPartCodec, encTicketPartCodec,
  encryptedDataCodec, encryptionKeyCodec, etypeInfo2Codec, etypeInfoCodec, flagsFromNames, hostAddressesCodec, krbErrorCodec,
  methodDataCodec, paDataCodec, paEncTsEncCodec, principalNameCodec, principalToString, ticketCodec, transitedEncodingCodec,
  type ApRep, type ApReq, type Authenticator, type EncApRepPart, type EncTicketPart, type KrbError, type Ticket,
} from '../../../../src/codec/krb5/index.js';
import { ApOption, EncType, ErrorCode, NameType, TicketFlag } from '../../../../src/iana/krb5.js';

const t0 = new Date(Date.UTC(2026, 10, 26, 15, 0, 0));
const bytes = (n: number, fill = 0xab) => new Uint8Array(n).fill(fill);

const sname = { nameType: NameType.KRB_NT_SRV_HST, nameString: ['HTTP', 'www.example.com'] };
const ticket: Ticket = {
  tktVno: 5,
  realm: 'EXAMPLE.COM',
  sname,
  encPart: { etype: EncType['aes256-cts-hmac-sha1-96'], kvno: 2, cipher: bytes(200) },
};
const apReq: ApReq = {
  pvno: 5,
  msgType: 14,
  apOptions: flagsFromNames(['mutual-required'], ApOption),
  ticket,
  authenticator: { etype: 18, cipher: bytes(150, 0x11) },
};
const apRep: ApRep = { pvno: 5, msgType: 15, encPart: { etype: 18, cipher: bytes(100, 0x22) } };
const krbError: KrbError = {
  pvno: 5,
  msgType: 30,
  ctime: t0,
  cusec: 999999,
  stime: new Date(t0.getTime() + 3600_000),
  susec: 0,
  errorCode: ErrorCode.KRB_AP_ERR_SKEW,
  crealm: 'EXAMPLE.COM',
  cname: { nameType: 1, nameString: ['alice'] },
  realm: 'EXAMPLE.COM',
  sname,
  eText: 'Clock skew too great',
  eData: fromHex('3000'),
};
const authenticator: Authenticator = {
  authenticatorVno: 5,
  crealm: 'EXAMPLE.COM',
  cname: { nameType: 1, nameString: ['alice'] },
  cksum: { cksumtype: 0x8003, checksum: bytes(24, 0) },
  cusec: 123456,
  ctime: t0,
  subkey: { keytype: 18, keyvalue: bytes(32, 7) },
  seqNumber: -1_234_567_890, // Windows-style negative seq-number
  authorizationData: [{ adType: 1, adData: fromHex('3000') }],
};
const encApRepPart: EncApRepPart = { ctime: t0, cusec: 5, subkey: { keytype: 17, keyvalue: bytes(16, 9) }, seqNumber: 4_000_000_000 };
const encTicketPart: EncTicketPart = {
  flags: flagsFromNames(['forwardable', 'renewable', 'initial', 'pre-authent'], TicketFlag),
  key: { keytype: 18, keyvalue: bytes(32, 1) },
  crealm: 'EXAMPLE.COM',
  cname: { nameType: 1, nameString: ['alice'] },
  transited: { trType: 1, contents: new Uint8Array(0) },
  authtime: t0,
  starttime: t0,
  endtime: new Date(t0.getTime() + 36000_000),
  renewTill: new Date(t0.getTime() + 7 * 86400_000),
  caddr: [{ addrType: 2, address: Uint8Array.of(127, 0, 0, 1) }],
  authorizationData: [{ adType: 1, adData: authorizationDataCodec.encode([{ adType: 128, adData: bytes(40, 3) }]) }],
};

function roundTrip<T>(codec: Codec<T>, v: T): Uint8Array {
  const enc = codec.encode(v);
  const dec = codec.decode(enc);
  assert.deepEqual(dec, v, `${codec.name}: decode(encode(x)) = x`);
  assert.equal(toHex(codec.encode(dec)), toHex(enc), `${codec.name}: encode(decode(b)) = b`);
  return enc;
}

test('PrincipalName: exact bytes and display', () => {
  const enc = roundTrip(principalNameCodec, { nameType: 1, nameString: ['alice'] });
  assert.equal(toHex(enc), '3010a003020101a10930071b05616c696365');
  assert.equal(principalToString(sname, 'EXAMPLE.COM'), 'HTTP/www.example.com@EXAMPLE.COM');
  roundTrip(principalNameCodec, { nameType: NameType.KRB_NT_MS_PRINCIPAL, nameString: [] });
  roundTrip(principalNameCodec, { nameType: 10, nameString: ['jürgen@example.com'] });
});

test('EncryptedData: kvno optional, accepts Windows negative kvno, exact bytes', () => {
  const enc = roundTrip(encryptedDataCodec, { etype: 23, cipher: Uint8Array.of(1, 2) });
  assert.equal(toHex(enc), '300ba003020117a20404020102');
  assert.equal(encryptedDataCodec.decode(enc).kvno, undefined);
  assert.equal('kvno' in encryptedDataCodec.decode(enc), false);
  roundTrip(encryptedDataCodec, { etype: 18, kvno: -2_147_000_000, cipher: bytes(3) });
  roundTrip(encryptedDataCodec, { etype: 18, kvno: 0xffffffff, cipher: bytes(3) });
});

test('Ticket: fields and round trip', () => {
  const enc = roundTrip(ticketCodec, ticket);
  assert.equal(enc[0], 0x61); // [APPLICATION 1] constructed
  const d = ticketCodec.decode(enc);
  assert.equal(d.tktVno, 5);
  assert.equal(d.realm, 'EXAMPLE.COM');
  assert.deepEqual(d.sname.nameString, ['HTTP', 'www.example.com']);
  assert.equal(d.encPart.kvno, 2);
});

test('AP-REQ: fields and round trip', () => {
  const enc = roundTrip(apReqCodec, apReq);
  assert.equal(toHex(enc.subarray(0, 1)), '6e');
  const d = apReqCodec.decode(enc);
  assert.equal(d.msgType, 14);
  assert.equal(toHex(d.apOptions.bytes), '20000000');
  assert.equal(d.apOptions.unusedBits, 0);
  assert.equal(d.ticket.encPart.cipher.length, 200);
  assert.equal(d.authenticator.kvno, undefined);
});

test('AP-REP: exact bytes', () => {
  const small: ApRep = { pvno: 5, msgType: 15, encPart: { etype: 18, cipher: Uint8Array.of(0xca, 0xfe) } };
  assert.equal(toHex(roundTrip(apRepCodec, small)), '6f1b3019a003020105a10302010fa20d300ba003020112a2040402cafe');
  roundTrip(apRepCodec, apRep);
});

test('KRB-ERROR: every optional field present, and only the required ones', () => {
  const enc = roundTrip(krbErrorCodec, krbError);
  assert.equal(enc[0], 0x7e);
  const d = krbErrorCodec.decode(enc);
  assert.equal(d.errorCode, 37);
  assert.deepEqual(d.ctime, t0);
  assert.equal(d.eText, 'Clock skew too great');
  const minimal: KrbError = { pvno: 5, msgType: 30, stime: t0, susec: 1, errorCode: 25, realm: 'R', sname: { nameType: 2, nameString: ['krbtgt', 'R'] } };
  const m = krbErrorCodec.decode(roundTrip(krbErrorCodec, minimal));
  for (const k of ['ctime', 'cusec', 'crealm', 'cname', 'eText', 'eData']) assert.equal(k in m, false, k);
});

test('decrypted parts: Authenticator, EncAPRepPart, EncTicketPart', () => {
  const a = roundTrip(authenticatorCodec, authenticator);
  assert.equal(a[0], 0x62);
  assert.equal(authenticatorCodec.decode(a).seqNumber, -1_234_567_890);
  const r = roundTrip(encApRepPartCodec, encApRepPart);
  assert.equal(r[0], 0x7b);
  assert.equal(encApRepPartCodec.decode(r).seqNumber, 4_000_000_000);
  roundTrip(encApRepPartCodec, { ctime: t0, cusec: 0 });
  const e = roundTrip(encTicketPartCodec, encTicketPart);
  assert.equal(e[0], 0x63);
  roundTrip(authenticatorCodec, { authenticatorVno: 5, crealm: 'R', cname: { nameType: 1, nameString: ['u'] }, cusec: 0, ctime: t0 });
});

test('small types: Checksum, EncryptionKey, HostAddresses, AuthorizationData, TransitedEncoding', () => {
  assert.equal(toHex(roundTrip(checksumCodec, { cksumtype: 0x8003, checksum: Uint8Array.of(1) })), '300ca0050203008003a103040101');
  roundTrip(checksumCodec, { cksumtype: -138, checksum: bytes(16) });
  roundTrip(encryptionKeyCodec, { keytype: 23, keyvalue: bytes(16) });
  roundTrip(hostAddressesCodec, [{ addrType: 2, address: Uint8Array.of(10, 0, 0, 1) }, { addrType: 20, address: bytes(16, 0x20) }]);
  roundTrip(hostAddressesCodec, []);
  roundTrip(authorizationDataCodec, [{ adType: 128, adData: bytes(500) }]);
  roundTrip(transitedEncodingCodec, { trType: 1, contents: new Uint8Array(0) });
});

test('PA-DATA, METHOD-DATA, ETYPE-INFO2, ETYPE-INFO, PA-ENC-TS-ENC', () => {
  const pa = roundTrip(paDataCodec, { padataType: 128, padataValue: fromHex('3005a0030101ff') });
  assert.equal(toHex(pa.subarray(0, 8)), '3011a10402020080'); // first tag is [1]; 128 needs a leading zero
  const info2 = roundTrip(etypeInfo2Codec, [{ etype: 18, salt: 'EXAMPLE.COMalice', s2kparams: fromHex('00001000') }, { etype: 23 }]);
  roundTrip(methodDataCodec, [{ padataType: 19, padataValue: info2 }, { padataType: 2, padataValue: new Uint8Array(0) }]);
  roundTrip(methodDataCodec, []);
  roundTrip(etypeInfoCodec, [{ etype: 3, salt: bytes(4) }, { etype: 1 }]);
  roundTrip(paEncTsEncCodec, { patimestamp: t0, pausec: 42 });
  roundTrip(paEncTsEncCodec, { patimestamp: t0 });
});

test('long lengths: a 70 kB authorization-data blob round-trips (3-byte length)', () => {
  const big: EncTicketPart = { ...encTicketPart, authorizationData: [{ adType: 128, adData: bytes(70_000) }] };
  const enc = roundTrip(encTicketPartCodec, big);
  assert.equal(toHex(enc.subarray(0, 2)), '6383');
});
