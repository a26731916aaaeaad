// Hand-built KDC messages (RFC 4120 5.4, 5.8, MS-KILE 2.2.3): field values, exact bytes, byte-exact
// round trips, and the reqBodyDer contract of AS-REQ / TGS-REQ.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromHex, toHex } from '../../../../src/bytes/index.js';
import type { Codec } from '../../../../src/codec/codec.js';
import {
  adIfRelevantCodec, apReqCodec, asRepCodec, asReqCodec, authorizationDataCodec, encAsRepPartCodec, encKrbCredPartCodec, encTgsRepPartCodec,
  flagsFromNames, kdcReqBodyCodec, kerbPaPacRequestCodec, krbCredCodec, krbCredInfoCodec, lastReqCodec, reqBodyDerFor,
  tgsRepCodec, tgsReqCodec, typedDataCodec,
  type AsRep, type AsReq, type AsReqInput, type EncKdcRepPart, type EncKrbCredPart, type KdcReqBody, type KrbCred, type TgsRep, type TgsReqInput, type Ticket,
} from '../../../../src/codec/krb5/index.js';
import { ApOption, KdcOption, NameType, PaDataType, TicketFlag } from '../../../../src/iana/krb5.js';
import { assertCode } from '../../../helpers/errors.js';

const t0 = new Date(Date.UTC(2026, 10, 26, 16, 42, 27));
const hours = (h: number): Date => new Date(t0.getTime() + h * 3600_000);
const bytes = (n: number, fill = 0xab): Uint8Array => new Uint8Array(n).fill(fill);
const alice = { nameType: NameType.KRB_NT_PRINCIPAL, nameString: ['alice'] };
const krbtgt = { nameType: NameType.KRB_NT_SRV_INST, nameString: ['krbtgt', 'EXAMPLE.TEST'] };
const host = { nameType: NameType.KRB_NT_PRINCIPAL, nameString: ['host', 'h.example.test'] };
const tgt: Ticket = { tktVno: 5, realm: 'EXAMPLE.TEST', sname: krbtgt, encPart: { etype: 18, kvno: 1, cipher: bytes(120) } };
const ETYPES = [18, 17, 20, 19, 16, 23, 25, 26];

function roundTrip<T>(codec: Codec<T>, v: T): Uint8Array {
  const enc = codec.encode(v);
  const dec = codec.decode(enc);
  assert.deepEqual(dec, v, `${codec.name}: decode(encode(x)) = x`);
  assert.equal(toHex(codec.encode(dec)), toHex(enc), `${codec.name}: encode(decode(b)) = b`);
  return enc;
}

// The body of MIT kinit's AS-REQ, field for field (kdc-options renewable-ok, cname, realm, sname, till, nonce, etype).
const asBody: KdcReqBody = {
  kdcOptions: flagsFromNames(['renewable-ok'], KdcOption),
  cname: alice,
  realm: 'EXAMPLE.TEST',
  sname: krbtgt,
  till: hours(24),
  nonce: 1429545009,
  etype: ETYPES,
};
// Its DER, written out by hand in field order: [0] [1] [2] [3] [5] [7] [8].
const AS_BODY_HEX =
  '308187' +
  'a00703050000000010' +
  'a1123010a003020101a10930071b05616c696365' +
  'a20e1b0c4558414d504c452e54455354' +
  'a321301fa003020102a11830161b066b72627467741b0c4558414d504c452e54455354' +
  'a511180f32303236313132373136343232375a' +
  'a706020455352031' +
  'a81a3018020112020111020114020113020110020117020119' + '02011a';

test('KDC-REQ-BODY: the MIT AS-REQ body has exactly the bytes written out by hand', () => {
  assert.equal(AS_BODY_HEX.length / 2, 138);
  assert.equal(toHex(roundTrip(kdcReqBodyCodec, asBody)), AS_BODY_HEX);
  const d = kdcReqBodyCodec.decode(fromHex(AS_BODY_HEX));
  for (const k of ['sname', 'cname']) assert.ok(k in d, k);
  for (const k of ['from', 'rtime', 'addresses', 'encAuthorizationData', 'additionalTickets']) assert.equal(k in d, false, k);
});

test('KDC-REQ-BODY: every optional field present', () => {
  const full: KdcReqBody = {
    ...asBody,
    kdcOptions: flagsFromNames(['forwardable', 'renewable', 'canonicalize', 'enc-tkt-in-skey'], KdcOption),
    from: t0,
    rtime: hours(24 * 7),
    nonce: -5, // Windows-style negative nonce
    addresses: [{ addrType: 2, address: Uint8Array.of(127, 0, 0, 1) }],
    encAuthorizationData: { etype: 18, cipher: bytes(40, 3) },
    additionalTickets: [tgt, { ...tgt, realm: 'OTHER.TEST' }],
  };
  roundTrip(kdcReqBodyCodec, full);
  roundTrip(kdcReqBodyCodec, { ...full, etype: [], nonce: 2 ** 32 - 1 });
});

test('AS-REQ: reqBodyDer is produced when absent, equals the body bytes, and is what gets sent', () => {
  const input: AsReqInput = {
    pvno: 5,
    msgType: 10,
    padata: [
      { padataType: PaDataType['PA-ENC-TIMESTAMP'], padataValue: fromHex('3005a003020112') },
      { padataType: PaDataType['PA-PAC-REQUEST'], padataValue: kerbPaPacRequestCodec.encode({ includePac: true }) },
    ],
    reqBody: asBody,
  };
  const enc = asReqCodec.encode(input);
  assert.equal(enc[0], 0x6a); // [APPLICATION 10]
  const d: AsReq = asReqCodec.decode(enc);
  assert.equal(toHex(d.reqBodyDer), AS_BODY_HEX);
  assert.deepEqual(d, { ...input, reqBodyDer: fromHex(AS_BODY_HEX) });
  // The body bytes sit at the end of the message, right after the [4] header.
  assert.equal(toHex(enc.subarray(enc.length - 138)), AS_BODY_HEX);
  assert.equal(toHex(enc.subarray(enc.length - 141, enc.length - 138)), 'a4818a');
  assert.equal(toHex(asReqCodec.encode(d)), toHex(enc));
  roundTrip(asReqCodec, d);
  // padata is optional.
  const bare = asReqCodec.decode(asReqCodec.encode({ pvno: 5, msgType: 10, reqBody: asBody }));
  assert.equal('padata' in bare, false);
});

test('TGS-REQ: encode the body first, checksum it, then reuse the same bytes', () => {
  const body: KdcReqBody = { kdcOptions: flagsFromNames(['canonicalize'], KdcOption), realm: 'EXAMPLE.TEST', sname: host, till: hours(24), nonce: 2086660371, etype: ETYPES };
  const reqBodyDer = kdcReqBodyCodec.encode(body); // what the authenticator checksum covers
  const apReq = apReqCodec.encode({ pvno: 5, msgType: 14, apOptions: flagsFromNames([], ApOption), ticket: tgt, authenticator: { etype: 18, cipher: bytes(150, 0x11) } });
  const input: TgsReqInput = { pvno: 5, msgType: 12, padata: [{ padataType: PaDataType['PA-TGS-REQ'], padataValue: apReq }], reqBody: body, reqBodyDer };
  const enc = tgsReqCodec.encode(input);
  assert.equal(enc[0], 0x6c); // [APPLICATION 12]
  const d = tgsReqCodec.decode(enc);
  assert.equal(toHex(d.reqBodyDer), toHex(reqBodyDer));
  assert.notEqual(d.reqBodyDer, reqBodyDer); // a copy, not the caller's buffer
  assert.equal(toHex(tgsReqCodec.encode(d)), toHex(enc));
  assert.equal(toHex(tgsReqCodec.encode({ ...input, reqBodyDer: undefined })), toHex(enc));
  assert.deepEqual(apReqCodec.decode(d.padata![0]!.padataValue).ticket, tgt);
  assert.equal(toHex(reqBodyDerFor(d)), toHex(reqBodyDer));
});

test('reqBodyDer must match reqBody: ENCODE_BAD_VALUE otherwise', () => {
  const reqBodyDer = kdcReqBodyCodec.encode(asBody);
  const other = kdcReqBodyCodec.encode({ ...asBody, nonce: 1 });
  assertCode(() => asReqCodec.encode({ pvno: 5, msgType: 10, reqBody: asBody, reqBodyDer: other }), 'ENCODE_BAD_VALUE');
  assertCode(() => asReqCodec.encode({ pvno: 5, msgType: 10, reqBody: asBody, reqBodyDer: reqBodyDer.subarray(1) }), 'ENCODE_BAD_VALUE');
  assertCode(() => asReqCodec.encode({ pvno: 5, msgType: 10, reqBody: asBody, reqBodyDer: Uint8Array.from([...reqBodyDer, 0]) }), 'ENCODE_BAD_VALUE');
  assertCode(() => tgsReqCodec.encode({ pvno: 5, msgType: 10 as 12, reqBody: asBody }), 'ENCODE_BAD_VALUE');
  assertCode(() => asReqCodec.encode({ pvno: 5, msgType: 10, reqBody: undefined as unknown as KdcReqBody }), 'ENCODE_BAD_VALUE');
  assertCode(() => asReqCodec.encode({ pvno: 5, msgType: 10, reqBody: { ...asBody, etype: [2 ** 31] } }), 'ENCODE_BAD_VALUE');
});

const encPart: EncKdcRepPart = {
  key: { keytype: 18, keyvalue: bytes(32, 7) },
  lastReq: [{ lrType: 0, lrValue: new Date(0) }],
  nonce: 1429545009,
  flags: flagsFromNames(['forwardable', 'renewable', 'initial', 'pre-authent'], TicketFlag),
  authtime: t0,
  endtime: hours(10),
  srealm: 'EXAMPLE.TEST',
  sname: krbtgt,
};

test('AS-REP and TGS-REP: fields and round trips', () => {
  const asRep: AsRep = {
    pvno: 5, msgType: 11, padata: [{ padataType: 19, padataValue: fromHex('3000') }], crealm: 'EXAMPLE.TEST', cname: alice, ticket: tgt, encPart: { etype: 18, cipher: bytes(200, 2) },
  };
  const a = roundTrip(asRepCodec, asRep);
  assert.equal(a[0], 0x6b);
  assert.equal(toHex(a.subarray(a[1]! & 0x80 ? 2 + (a[1]! & 0x7f) : 2).subarray(0, 2)), '3082');
  const tgsRep: TgsRep = { pvno: 5, msgType: 13, crealm: 'EXAMPLE.TEST', cname: alice, ticket: { ...tgt, sname: host }, encPart: { etype: 18, cipher: bytes(100, 3) } };
  const t = roundTrip(tgsRepCodec, tgsRep);
  assert.equal(t[0], 0x6d);
  assert.equal('padata' in tgsRepCodec.decode(t), false);
});

test('EncASRepPart / EncTGSRepPart: usual tags, all optional fields, and the other tag kept for round trip', () => {
  const full: EncKdcRepPart = {
    ...encPart,
    keyExpiration: hours(24 * 90),
    starttime: t0,
    renewTill: hours(24 * 7),
    caddr: [{ addrType: 2, address: Uint8Array.of(10, 0, 0, 1) }],
    encryptedPaData: [{ padataType: PaDataType['PA-REQ-ENC-PA-REP'], padataValue: fromHex('3000') }],
  };
  const as = roundTrip(encAsRepPartCodec, full);
  assert.equal(as[0], 0x79); // [APPLICATION 25]
  const tgs = roundTrip(encTgsRepPartCodec, encPart);
  assert.equal(tgs[0], 0x7a); // [APPLICATION 26]
  assert.equal('applicationTag' in encAsRepPartCodec.decode(as), false);
  // Each codec reads the other tag, says so, and re-encodes with it.
  const asAsTgs = encTgsRepPartCodec.decode(as);
  assert.equal(asAsTgs.applicationTag, 25);
  assert.deepEqual(asAsTgs, { ...full, applicationTag: 25 });
  assert.equal(toHex(encTgsRepPartCodec.encode(asAsTgs)), toHex(as));
  const tgsAsAs = encAsRepPartCodec.decode(tgs);
  assert.equal(tgsAsAs.applicationTag, 26);
  assert.equal(toHex(encAsRepPartCodec.encode(tgsAsAs)), toHex(tgs));
  roundTrip(encAsRepPartCodec, { ...encPart, applicationTag: 26 });
  // Only the two tags encode.
  assertCode(() => encAsRepPartCodec.encode({ ...encPart, applicationTag: 27 as 26 }), 'ENCODE_BAD_VALUE');
  // The body is identical whichever the tag.
  assert.equal(toHex(as.subarray(3)), toHex(encTgsRepPartCodec.encode({ ...full, applicationTag: 25 }).subarray(3)));
});

test('LastReq: entries and the empty list', () => {
  assert.equal(toHex(roundTrip(lastReqCodec, [{ lrType: 0, lrValue: new Date(0) }])), '301a3018a003020100a111180f31393730303130313030303030305a');
  roundTrip(lastReqCodec, [{ lrType: -6, lrValue: t0 }, { lrType: 7, lrValue: hours(1) }]);
  roundTrip(lastReqCodec, []);
});

test('KRB-CRED, EncKrbCredPart and KrbCredInfo', () => {
  const cred: KrbCred = { pvno: 5, msgType: 22, tickets: [tgt], encPart: { etype: 18, cipher: bytes(64, 5) } };
  const c = roundTrip(krbCredCodec, cred);
  assert.equal(c[0], 0x76); // [APPLICATION 22]
  const part: EncKrbCredPart = {
    ticketInfo: [{
      key: { keytype: 18, keyvalue: bytes(32, 1) }, prealm: 'EXAMPLE.TEST', pname: alice, flags: flagsFromNames(['forwarded', 'forwardable'], TicketFlag),
      authtime: t0, starttime: t0, endtime: hours(10), renewTill: hours(24), srealm: 'EXAMPLE.TEST', sname: krbtgt, caddr: [],
    }],
    nonce: 2 ** 32 - 1, timestamp: t0, usec: 999999,
    sAddress: { addrType: 2, address: Uint8Array.of(127, 0, 0, 1) }, rAddress: { addrType: 24, address: bytes(16, 0) },
  };
  const p = roundTrip(encKrbCredPartCodec, part);
  assert.equal(p[0], 0x7d); // [APPLICATION 29]
  // MIT's form when no key is shared: etype 0, cipher = the plain EncKrbCredPart.
  const clear = krbCredCodec.decode(roundTrip(krbCredCodec, { ...cred, encPart: { etype: 0, cipher: p } }));
  assert.deepEqual(encKrbCredPartCodec.decode(clear.encPart.cipher), part);
  // Only the key is required.
  assert.equal(toHex(roundTrip(krbCredInfoCodec, { key: { keytype: 17, keyvalue: Uint8Array.of(1) } })), '300ea00c300aa003020111a103040101');
  roundTrip(encKrbCredPartCodec, { ticketInfo: [] });
});

test('KERB-PA-PAC-REQUEST: the exact MS-KILE bytes for true and false', () => {
  assert.equal(toHex(roundTrip(kerbPaPacRequestCodec, { includePac: true })), '3005a0030101ff');
  assert.equal(toHex(roundTrip(kerbPaPacRequestCodec, { includePac: false })), '3005a003010100');
  assertCode(() => kerbPaPacRequestCodec.decode(fromHex('3005a003010101')), 'DECODE_BAD_VALUE', 6); // DER BOOLEAN is 00 or FF
  assertCode(() => kerbPaPacRequestCodec.decode(fromHex('3000')), 'DECODE_TRUNCATED', 2);
});

test('AD-IF-RELEVANT wraps AuthorizationData (the Windows PAC container)', () => {
  const inner = [{ adType: 128, adData: bytes(40, 3) }];
  const enc = roundTrip(adIfRelevantCodec, inner);
  assert.equal(toHex(enc), toHex(authorizationDataCodec.encode(inner)));
  const outer = authorizationDataCodec.decode(authorizationDataCodec.encode([{ adType: 1, adData: enc }]));
  assert.deepEqual(adIfRelevantCodec.decode(outer[0]!.adData), inner);
  roundTrip(adIfRelevantCodec, []);
});

test('TYPED-DATA: data-value optional, at least one entry', () => {
  const enc = roundTrip(typedDataCodec, [{ dataType: PaDataType['TD-REQ-NONCE'], dataValue: fromHex('020101') }, { dataType: 104 }]);
  assert.equal(toHex(enc), '3015300ca00302016ba1050403020101' + '3005a003020168');
  assertCode(() => typedDataCodec.decode(fromHex('3000')), 'DECODE_BAD_VALUE', 0);
});
