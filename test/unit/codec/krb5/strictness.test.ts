// Strict decoding: each malformed input gives the expected SpnegoError code at the expected offset.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromHex, toHex, utf8 } from '../../../../src/bytes/index.js';
import { GeneralString, INTEGER, KerberosTime, OCTET_STRING, application, explicit, rawElement, sequenceOf } from '../../../../src/der/index.js';
import {
  apRepCodec, apReqCodec, authenticatorCodec, encApRepPartCodec, encryptedDataCodec, etypeInfo2Codec, krbErrorCodec, principalNameCodec, ticketCodec,
  type KrbError,
} from '../../../../src/codec/krb5/index.js';
import { assertCode } from '../../../helpers/errors.js';

// 6f1b 3019 | a003 020105 (pvno, value at 8) | a103 02010f (msg-type, value at 13) | a20d 300b a003 020112 a204 0402 cafe
const AP_REP = '6f1b3019a003020105a10302010fa20d300ba003020112a2040402cafe';
const patch = (h: string, at: number, byte: number): Uint8Array => {
  const b = fromHex(h);
  b[at] = byte;
  return b;
};

test('the reference AP-REP decodes', () => {
  assert.equal(apRepCodec.decode(fromHex(AP_REP)).encPart.etype, 18);
});

test('wrong pvno and wrong msg-type: DECODE_BAD_VALUE at the integer', () => {
  assert.equal(assertCode(() => apRepCodec.decode(patch(AP_REP, 8, 4)), 'DECODE_BAD_VALUE').offset, 8);
  const e = assertCode(() => apRepCodec.decode(patch(AP_REP, 13, 14)), 'DECODE_BAD_VALUE');
  assert.equal(e.offset, 13);
  assert.match(e.message, /msg-type must be 15, found 14/);
});

test('application tag must match the message: AP-REP bytes are not an AP-REQ or KRB-ERROR', () => {
  assert.equal(assertCode(() => apReqCodec.decode(fromHex(AP_REP)), 'DECODE_BAD_TAG').offset, 0);
  assert.equal(assertCode(() => krbErrorCodec.decode(fromHex(AP_REP)), 'DECODE_BAD_TAG').offset, 0);
  // [APPLICATION 15] but primitive.
  assertCode(() => apRepCodec.decode(patch(AP_REP, 0, 0x4f)), 'DECODE_BAD_TAG');
});

test('missing required field: DECODE_TRUNCATED at the end of the SEQUENCE', () => {
  const noEncPart = fromHex('6f0c300aa003020105a10302010f');
  assert.equal(assertCode(() => apRepCodec.decode(noEncPart), 'DECODE_TRUNCATED').offset, 14);
  // EncryptedData without cipher.
  assertCode(() => encryptedDataCodec.decode(fromHex('3005a003020112')), 'DECODE_TRUNCATED');
  // PrincipalName with the name-type missing: [1] where [0] is required.
  assert.equal(assertCode(() => principalNameCodec.decode(fromHex('3009a10730051b03616263')), 'DECODE_BAD_TAG').offset, 2);
});

test('indefinite and non-minimal lengths: DECODE_BAD_LENGTH', () => {
  assert.equal(assertCode(() => apRepCodec.decode(patch(AP_REP, 1, 0x80)), 'DECODE_BAD_LENGTH').offset, 1);
  assert.equal(assertCode(() => apRepCodec.decode(patch(AP_REP, 3, 0x80)), 'DECODE_BAD_LENGTH').offset, 3);
  const longForm = fromHex('6f811b' + AP_REP.slice(4));
  assert.equal(assertCode(() => apRepCodec.decode(longForm), 'DECODE_BAD_LENGTH').offset, 1);
});

test('truncation and trailing bytes', () => {
  const full = fromHex(AP_REP);
  for (let n = 0; n < full.length; n++) assertCode(() => apRepCodec.decode(full.subarray(0, n)), 'DECODE_TRUNCATED');
  assert.equal(assertCode(() => apRepCodec.decode(fromHex(AP_REP + '00')), 'DECODE_TRAILING_BYTES').offset, full.length);
});

const T = new Date(Date.UTC(2026, 10, 26, 15, 0, 0));
const base: KrbError = { pvno: 5, msgType: 30, stime: T, susec: 0, errorCode: 37, realm: 'R', sname: { nameType: 2, nameString: ['krbtgt', 'R'] } };

/** A KRB-ERROR built from raw fields, so fields can hold values the real codec would not encode. */
function rawKrbError(fields: Record<number, Uint8Array>): Uint8Array {
  const parts = Object.entries(fields).sort(([a], [b]) => Number(a) - Number(b)).map(([n, v]) => explicit(Number(n), rawElement()).encode(v));
  return application(30, sequenceOf(rawElement())).encode(parts);
}
const required = (): Record<number, Uint8Array> => ({
  0: INTEGER.encode(5), 1: INTEGER.encode(30), 4: KerberosTime.encode(T), 5: INTEGER.encode(0), 6: INTEGER.encode(37),
  9: GeneralString.encode('R'), 10: principalNameCodec.encode(base.sname),
});

test('raw KRB-ERROR builder agrees with the codec', () => {
  assert.equal(toHex(rawKrbError(required())), toHex(krbErrorCodec.encode(base)));
});

test('bad times: DECODE_BAD_VALUE at the time value', () => {
  const enc = krbErrorCodec.encode(base);
  const at = Buffer.from(enc).indexOf('20261126150000Z', 0, 'latin1');
  assert.ok(at > 0);
  const month13 = enc.slice();
  month13.set(utf8('13'), at + 4);
  assert.equal(assertCode(() => krbErrorCodec.decode(month13), 'DECODE_BAD_VALUE').offset, at);
  const feb30 = enc.slice();
  feb30.set(utf8('0230'), at + 4);
  assertCode(() => krbErrorCodec.decode(feb30), 'DECODE_BAD_VALUE');
  const timeWith = (s: string): Uint8Array => rawKrbError({ ...required(), 4: fromHex('18' + s.length.toString(16).padStart(2, '0') + toHex(utf8(s))) });
  assertCode(() => krbErrorCodec.decode(timeWith('20261126150000.5Z')), 'DECODE_BAD_VALUE'); // fractional seconds
  assertCode(() => krbErrorCodec.decode(timeWith('20261126150000')), 'DECODE_BAD_VALUE'); // local time
  assertCode(() => krbErrorCodec.decode(timeWith('20261126150000+0100Z')), 'DECODE_BAD_VALUE');
  assert.ok(krbErrorCodec.decode(timeWith('20261126150000Z')));
  // A UTCTime (tag 23) where GeneralizedTime is required.
  assertCode(() => krbErrorCodec.decode(rawKrbError({ ...required(), 4: fromHex('170d3236313132363135303030305a') })), 'DECODE_BAD_TAG');
});

test('ranges: Microseconds, Int32, UInt32 (with the Windows negative form)', () => {
  assertCode(() => krbErrorCodec.decode(rawKrbError({ ...required(), 5: INTEGER.encode(1_000_000) })), 'DECODE_BAD_VALUE');
  assertCode(() => krbErrorCodec.decode(rawKrbError({ ...required(), 5: INTEGER.encode(-1) })), 'DECODE_BAD_VALUE');
  assertCode(() => krbErrorCodec.decode(rawKrbError({ ...required(), 6: INTEGER.encode(2 ** 31) })), 'DECODE_BAD_VALUE');
  assert.equal(krbErrorCodec.decode(rawKrbError({ ...required(), 6: INTEGER.encode(-(2 ** 31)) })).errorCode, -(2 ** 31));
  const mk = (kvno: number): Uint8Array => sequenceOf(rawElement()).encode([
    explicit(0, INTEGER).encode(18), explicit(1, INTEGER).encode(kvno), explicit(2, OCTET_STRING).encode(new Uint8Array(0)),
  ]);
  assert.equal(encryptedDataCodec.decode(mk(2 ** 32 - 1)).kvno, 2 ** 32 - 1);
  assert.equal(encryptedDataCodec.decode(mk(-(2 ** 31))).kvno, -(2 ** 31));
  assertCode(() => encryptedDataCodec.decode(mk(2 ** 32)), 'DECODE_BAD_VALUE');
  assertCode(() => encryptedDataCodec.decode(mk(-(2 ** 31) - 1)), 'DECODE_BAD_VALUE');
  // Non-minimal INTEGER.
  assertCode(() => krbErrorCodec.decode(rawKrbError({ ...required(), 6: fromHex('02020025') })), 'DECODE_BAD_VALUE');
});

test('unknown or misordered fields: DECODE_BAD_TAG', () => {
  assertCode(() => krbErrorCodec.decode(rawKrbError({ ...required(), 13: INTEGER.encode(1) })), 'DECODE_BAD_TAG');
  const f = required();
  const swapped = application(30, sequenceOf(rawElement())).encode([
    explicit(1, rawElement()).encode(f[1]!), explicit(0, rawElement()).encode(f[0]!),
  ]);
  assertCode(() => krbErrorCodec.decode(swapped), 'DECODE_BAD_TAG');
});

test('other fixed values: tkt-vno, authenticator-vno, ETYPE-INFO2 size, strings', () => {
  const tkt = ticketCodec.encode({ tktVno: 5, realm: 'R', sname: base.sname, encPart: { etype: 18, cipher: new Uint8Array(1) } });
  assert.equal(toHex(tkt.subarray(4, 9)), 'a003020105');
  const bad = tkt.slice();
  bad[8] = 4;
  assert.equal(assertCode(() => ticketCodec.decode(bad), 'DECODE_BAD_VALUE').offset, 8);
  const auth = authenticatorCodec.encode({ authenticatorVno: 5, crealm: 'R', cname: base.sname, cusec: 0, ctime: T });
  const badAuth = auth.slice();
  badAuth[8] = 6;
  assertCode(() => authenticatorCodec.decode(badAuth), 'DECODE_BAD_VALUE');
  assertCode(() => etypeInfo2Codec.decode(fromHex('3000')), 'DECODE_BAD_VALUE');
  // Realm that is not UTF-8.
  assertCode(() => krbErrorCodec.decode(rawKrbError({ ...required(), 9: fromHex('1b01ff') })), 'DECODE_BAD_VALUE');
  // Realm as an OCTET STRING instead of GeneralString.
  assertCode(() => krbErrorCodec.decode(rawKrbError({ ...required(), 9: fromHex('040152') })), 'DECODE_BAD_TAG');
});

test('encode refuses values with no valid wire form: ENCODE_BAD_VALUE', () => {
  assertCode(() => krbErrorCodec.encode({ ...base, pvno: 4 as 5 }), 'ENCODE_BAD_VALUE');
  assertCode(() => krbErrorCodec.encode({ ...base, msgType: 14 as 30 }), 'ENCODE_BAD_VALUE');
  assertCode(() => krbErrorCodec.encode({ ...base, susec: 1_000_000 }), 'ENCODE_BAD_VALUE');
  assertCode(() => krbErrorCodec.encode({ ...base, stime: new Date(T.getTime() + 1) }), 'ENCODE_BAD_VALUE');
  assertCode(() => krbErrorCodec.encode({ ...base, errorCode: 2 ** 31 }), 'ENCODE_BAD_VALUE');
  assertCode(() => encApRepPartCodec.encode({ ctime: T, cusec: 0, seqNumber: 2 ** 32 }), 'ENCODE_BAD_VALUE');
  assertCode(() => krbErrorCodec.encode({ ...base, realm: undefined as unknown as string }), 'ENCODE_BAD_VALUE');
});

test('limits apply: maxBytes, maxDepth', () => {
  const enc = krbErrorCodec.encode({ ...base, eData: new Uint8Array(2000) });
  assertCode(() => krbErrorCodec.decode(enc, { maxBytes: 1000 }), 'DECODE_LIMIT');
  assertCode(() => krbErrorCodec.decode(enc, { maxDepth: 2 }), 'DECODE_LIMIT');
});
