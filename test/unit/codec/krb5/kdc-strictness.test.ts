// Strict decoding of the KDC messages: wrong pvno / msg-type, APPLICATION tag mismatches, missing and
// misordered fields, each with the expected SpnegoError code and byte offset.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromHex, toHex } from '../../../../src/bytes/index.js';
import { INTEGER, application, explicit, rawElement, sequenceOf } from '../../../../src/der/index.js';
import {
  asRepCodec, asReqCodec, encAsRepPartCodec, encKrbCredPartCodec, encTgsRepPartCodec, flagsFromBits, kdcReqBodyCodec, kerbPaPacRequestCodec, krbCredCodec,
  lastReqCodec, tgsRepCodec, tgsReqCodec, typedDataCodec,
  type AsRep, type EncKdcRepPart, type KdcReqBody,
} from '../../../../src/codec/krb5/index.js';
import { assertCode } from '../../../helpers/errors.js';

const T = new Date(Date.UTC(2026, 10, 26, 16, 42, 27));
const body: KdcReqBody = { kdcOptions: flagsFromBits([]), realm: 'R', till: T, nonce: 1, etype: [18] };
// 6a LL 30 LL | a1 03 02 01 05 (pvno value at 8) | a2 03 02 01 0a (msg-type value at 13) | a4 LL body
const AS_REQ = asReqCodec.encode({ pvno: 5, msgType: 10, reqBody: body });
const patch = (b: Uint8Array, at: number, byte: number): Uint8Array => {
  const c = b.slice();
  c[at] = byte;
  return c;
};
/** A SEQUENCE (optionally APPLICATION-wrapped) of raw [n] fields, so fields can be dropped or reordered. */
function raw(app: number | undefined, fields: [number, Uint8Array][]): Uint8Array {
  const s = sequenceOf(rawElement()).encode(fields.map(([n, v]) => explicit(n, rawElement()).encode(v)));
  return app === undefined ? s : application(app, rawElement()).encode(s);
}
/** The [n] fields of the reference body, values unwrapped (all short lengths). */
const bodyFields = (): [number, Uint8Array][] => decodeRawSeq(kdcReqBodyCodec.encode(body));
function decodeRawSeq(enc: Uint8Array): [number, Uint8Array][] {
  const out: [number, Uint8Array][] = [];
  let p = 2;
  while (p < enc.length) {
    const tag = enc[p]! & 0x1f;
    const len = enc[p + 1]!;
    out.push([tag, enc.slice(p + 2, p + 2 + len)]);
    p += 2 + len;
  }
  return out;
}

test('the reference AS-REQ has the layout the offsets below assume', () => {
  assert.equal(toHex(AS_REQ.subarray(4, 14)), 'a103020105a20302010a');
  assert.equal(asReqCodec.decode(AS_REQ).reqBody.realm, 'R');
  assert.equal(toHex(raw(undefined, bodyFields())), toHex(kdcReqBodyCodec.encode(body)));
});

test('wrong pvno or msg-type: DECODE_BAD_VALUE at the integer', () => {
  assertCode(() => asReqCodec.decode(patch(AS_REQ, 8, 4)), 'DECODE_BAD_VALUE', 8);
  const e = assertCode(() => asReqCodec.decode(patch(AS_REQ, 13, 12)), 'DECODE_BAD_VALUE', 13);
  assert.match(e.message, /AS-REQ msg-type must be 10, found 12/);
  // [APPLICATION 12] around msg-type 10: the tag decides, the msg-type must agree with it.
  assertCode(() => tgsReqCodec.decode(patch(AS_REQ, 0, 0x6c)), 'DECODE_BAD_VALUE', 13);
  const rep: AsRep = { pvno: 5, msgType: 11, crealm: 'R', cname: { nameType: 1, nameString: ['a'] }, ticket: { tktVno: 5, realm: 'R', sname: { nameType: 2, nameString: ['krbtgt', 'R'] }, encPart: { etype: 18, cipher: new Uint8Array(1) } }, encPart: { etype: 18, cipher: new Uint8Array(1) } };
  const asRep = asRepCodec.encode(rep);
  assert.equal(toHex(asRep.subarray(4, 14)), 'a003020105a10302010b');
  assertCode(() => asRepCodec.decode(patch(asRep, 8, 6)), 'DECODE_BAD_VALUE', 8);
  assertCode(() => asRepCodec.decode(patch(asRep, 13, 13)), 'DECODE_BAD_VALUE', 13);
  assertCode(() => tgsRepCodec.decode(patch(asRep, 0, 0x6d)), 'DECODE_BAD_VALUE', 13);
  const cred = krbCredCodec.encode({ pvno: 5, msgType: 22, tickets: [], encPart: { etype: 0, cipher: new Uint8Array(0) } });
  assertCode(() => krbCredCodec.decode(patch(cred, 13, 21)), 'DECODE_BAD_VALUE', 13);
});

test('APPLICATION tag mismatches: DECODE_BAD_TAG at 0', () => {
  assertCode(() => tgsReqCodec.decode(AS_REQ), 'DECODE_BAD_TAG', 0);
  assertCode(() => asRepCodec.decode(AS_REQ), 'DECODE_BAD_TAG', 0);
  assertCode(() => asReqCodec.decode(patch(AS_REQ, 0, 0x4a)), 'DECODE_BAD_TAG', 0); // primitive
  assertCode(() => asReqCodec.decode(patch(AS_REQ, 0, 0xaa)), 'DECODE_BAD_TAG', 0); // context class
  assertCode(() => kdcReqBodyCodec.decode(AS_REQ), 'DECODE_BAD_TAG', 0);
  const part = encTgsRepPartCodec.encode(encPart);
  assertCode(() => encTgsRepPartCodec.decode(patch(part, 0, 0x7b)), 'DECODE_BAD_TAG', 0); // [APPLICATION 27]
  assertCode(() => encAsRepPartCodec.decode(patch(part, 0, 0x5a)), 'DECODE_BAD_TAG', 0); // primitive 26
  const m = assertCode(() => encAsRepPartCodec.decode(patch(part, 0, 0x7c)), 'DECODE_BAD_TAG', 0);
  assert.match(m.message, /EncASRepPart/);
  const ekcp = encKrbCredPartCodec.encode({ ticketInfo: [] });
  assertCode(() => krbCredCodec.decode(ekcp), 'DECODE_BAD_TAG', 0);
  assertCode(() => encKrbCredPartCodec.decode(patch(ekcp, 0, 0x76)), 'DECODE_BAD_TAG', 0);
});

test('KDC-REQ fields start at [1]: a KDC-REP-style [0] pvno is DECODE_BAD_TAG', () => {
  const r = raw(10, [[0, INTEGER.encode(5)], [1, INTEGER.encode(10)], [4, kdcReqBodyCodec.encode(body)]]);
  assertCode(() => asReqCodec.decode(r), 'DECODE_BAD_TAG', 4);
  // And a KDC-REP with KDC-REQ numbering.
  assertCode(() => asRepCodec.decode(raw(11, [[1, INTEGER.encode(5)]])), 'DECODE_BAD_TAG', 4);
});

test('missing required fields: DECODE_BAD_TAG at the next field, DECODE_TRUNCATED at the end', () => {
  const noBody = raw(10, [[1, INTEGER.encode(5)], [2, INTEGER.encode(10)]]);
  assertCode(() => asReqCodec.decode(noBody), 'DECODE_TRUNCATED', noBody.length);
  const f = bodyFields();
  const without = (n: number): Uint8Array => raw(undefined, f.filter(([k]) => k !== n));
  // till [5] missing: the nonce [7] stands where till must be.
  const noTill = without(5);
  const at7 = toHex(noTill).indexOf('a703') / 2;
  assertCode(() => kdcReqBodyCodec.decode(noTill), 'DECODE_BAD_TAG', at7);
  // etype [8] (the last required field) missing.
  const noEtype = without(8);
  assertCode(() => kdcReqBodyCodec.decode(noEtype), 'DECODE_TRUNCATED', noEtype.length);
  // realm [2] missing.
  assertCode(() => kdcReqBodyCodec.decode(without(2)), 'DECODE_BAD_TAG', 2 + f[0]![1].length + 2);
  // EncKDCRepPart without sname [10] (srealm is then the last element).
  const enc = encTgsRepPartCodec.encode(encPart);
  const inner = decodeRawSeqLong(enc.subarray(enc[1]! & 0x80 ? 2 + (enc[1]! & 0x7f) : 2));
  const noSname = application(26, rawElement()).encode(raw(undefined, inner.filter(([k]) => k !== 10)));
  assertCode(() => encTgsRepPartCodec.decode(noSname), 'DECODE_TRUNCATED', noSname.length);
  // KERB-PA-PAC-REQUEST needs include-pac; a cname that is an empty SEQUENCE lacks name-type.
  assertCode(() => kerbPaPacRequestCodec.decode(fromHex('3000')), 'DECODE_TRUNCATED', 2);
  assertCode(() => kdcReqBodyCodec.decode(raw(undefined, [...f.slice(0, 1), [1, fromHex('3000')], ...f.slice(1)])), 'DECODE_TRUNCATED');
});
function decodeRawSeqLong(seq: Uint8Array): [number, Uint8Array][] {
  // seq: 30 81 LL ... or 30 LL ...; children use short lengths in the test values.
  const hdr = seq[1]! & 0x80 ? 2 + (seq[1]! & 0x7f) : 2;
  return decodeRawSeq(Uint8Array.from([0x30, 0x00, ...seq.subarray(hdr)]));
}

test('misordered and unknown fields: DECODE_BAD_TAG', () => {
  const f = bodyFields();
  const swapped = raw(undefined, [f[1]!, f[0]!, ...f.slice(2)]);
  assertCode(() => kdcReqBodyCodec.decode(swapped), 'DECODE_BAD_TAG', 2);
  const extra = raw(undefined, [...f, [12, INTEGER.encode(0)]]);
  assertCode(() => kdcReqBodyCodec.decode(extra), 'DECODE_BAD_TAG', kdcReqBodyCodec.encode(body).length);
  // A KDC-REQ with an unknown [5] after req-body.
  const withExtra = raw(10, [[1, INTEGER.encode(5)], [2, INTEGER.encode(10)], [4, kdcReqBodyCodec.encode(body)], [5, INTEGER.encode(0)]]);
  assertCode(() => asReqCodec.decode(withExtra), 'DECODE_BAD_TAG');
});

test('value ranges inside the body: nonce UInt32 (Windows negative accepted), etype Int32', () => {
  const f = bodyFields();
  const withNonce = (n: number): Uint8Array => raw(undefined, f.map(([k, v]) => [k, k === 7 ? INTEGER.encode(n) : v]));
  assert.equal(kdcReqBodyCodec.decode(withNonce(-(2 ** 31))).nonce, -(2 ** 31));
  assert.equal(kdcReqBodyCodec.decode(withNonce(2 ** 32 - 1)).nonce, 2 ** 32 - 1);
  assertCode(() => kdcReqBodyCodec.decode(withNonce(2 ** 32)), 'DECODE_BAD_VALUE');
  const withEtype = raw(undefined, f.map(([k, v]) => [k, k === 8 ? sequenceOf(INTEGER).encode([18, 2 ** 31]) : v]));
  assertCode(() => kdcReqBodyCodec.decode(withEtype), 'DECODE_BAD_VALUE');
  // TYPED-DATA needs one entry; LastReq times are KerberosTime.
  assertCode(() => typedDataCodec.decode(fromHex('3000')), 'DECODE_BAD_VALUE', 0);
  assertCode(() => lastReqCodec.decode(fromHex('30073005a003020100')), 'DECODE_TRUNCATED', 9); // entry without lr-value
});

test('EncKDCRepPart: extra content inside the APPLICATION wrapper is DECODE_TRAILING_BYTES', () => {
  const enc = encAsRepPartCodec.encode(encPart);
  const seq = enc.subarray(enc[1]! & 0x80 ? 2 + (enc[1]! & 0x7f) : 2);
  const padded = application(25, rawElement()).encode(seq);
  assert.equal(toHex(padded), toHex(enc));
  const withTrailer = Uint8Array.from([0x79, 0x81, seq.length + 2, ...seq, 0x05, 0x00]);
  assertCode(() => encAsRepPartCodec.decode(withTrailer), 'DECODE_TRAILING_BYTES', 3 + seq.length);
});

test('truncation, trailing bytes, limits', () => {
  for (let n = 0; n < AS_REQ.length; n++) assertCode(() => asReqCodec.decode(AS_REQ.subarray(0, n)), 'DECODE_TRUNCATED');
  assertCode(() => asReqCodec.decode(Uint8Array.from([...AS_REQ, 0])), 'DECODE_TRAILING_BYTES', AS_REQ.length);
  assertCode(() => asReqCodec.decode(AS_REQ, { maxDepth: 3 }), 'DECODE_LIMIT');
  assertCode(() => asReqCodec.decode(AS_REQ, { maxBytes: 10 }), 'DECODE_LIMIT', 0);
});

test('decoded reqBodyDer is a copy of the input bytes', () => {
  const input = AS_REQ.slice();
  const d = asReqCodec.decode(input);
  const before = toHex(d.reqBodyDer);
  input.fill(0);
  assert.equal(toHex(d.reqBodyDer), before);
});

const encPart: EncKdcRepPart = {
  key: { keytype: 18, keyvalue: new Uint8Array(32) },
  lastReq: [],
  nonce: 7,
  flags: flagsFromBits([1]),
  authtime: T,
  endtime: T,
  srealm: 'R',
  sname: { nameType: 2, nameString: ['krbtgt', 'R'] },
};
