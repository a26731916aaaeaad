import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fromHex, toHex } from '../../../src/bytes/index.js';
import {
  BIT_STRING, BOOLEAN, ENUMERATED, GeneralString, INTEGER, KerberosTime, NULL, OBJECT_IDENTIFIER, OCTET_STRING,
  choice, decodeDer, explicit, application, integerIn, opt, rawElement, req, sequence, sequenceOf,
} from '../../../src/der/index.js';
import { assertCode, onlyTypedErrors, DECODE_CODES } from '../../helpers/errors.js';

const hex = (s: string) => fromHex(s);

test('INTEGER: minimal two-complement both ways (X.690 8.3.2)', () => {
  const cases: [number, string][] = [[0, '020100'], [127, '02017f'], [128, '02020080'], [-1, '0201ff'], [-128, '020180'], [-129, '0202ff7f'], [2 ** 31 - 1, '02047fffffff'], [4294967295, '020500ffffffff']];
  for (const [n, h] of cases) {
    assert.equal(toHex(INTEGER.encode(n)), h);
    assert.equal(decodeDer(INTEGER, hex(h)), n);
  }
  assertCode(() => decodeDer(INTEGER, hex('02020001')), 'DECODE_BAD_VALUE');
  assertCode(() => decodeDer(INTEGER, hex('0202ff80')), 'DECODE_BAD_VALUE');
  assertCode(() => decodeDer(INTEGER, hex('0200')), 'DECODE_BAD_VALUE');
  assertCode(() => decodeDer(integerIn(0, 10), hex('02010b')), 'DECODE_BAD_VALUE');
});

test('lengths: definite and minimal only (X.690 10.1)', () => {
  assertCode(() => decodeDer(OCTET_STRING, hex('0480')), 'DECODE_BAD_LENGTH'); // indefinite
  assertCode(() => decodeDer(OCTET_STRING, hex('048101ff')), 'DECODE_BAD_LENGTH'); // long form for < 128
  assertCode(() => decodeDer(OCTET_STRING, hex('04820001ff')), 'DECODE_BAD_LENGTH'); // leading zero
  assertCode(() => decodeDer(OCTET_STRING, hex('0405ff')), 'DECODE_TRUNCATED');
  const e = assertCode(() => decodeDer(OCTET_STRING, hex('0401ff00')), 'DECODE_TRAILING_BYTES');
  assert.equal(e.offset, 3);
  const long = new Uint8Array(300).fill(7);
  const enc = OCTET_STRING.encode(long);
  assert.equal(toHex(enc.subarray(0, 4)), '0482012c');
  assert.deepEqual(decodeDer(OCTET_STRING, enc), long);
});

test('primitive types reject non-DER forms', () => {
  assertCode(() => decodeDer(BOOLEAN, hex('010101')), 'DECODE_BAD_VALUE');
  assertCode(() => decodeDer(NULL, hex('050100')), 'DECODE_BAD_VALUE');
  assertCode(() => decodeDer(OCTET_STRING, hex('2400')), 'DECODE_BAD_TAG'); // constructed OCTET STRING
  assertCode(() => decodeDer(BIT_STRING, hex('030201ff')), 'DECODE_BAD_VALUE'); // unused bit set
  assert.deepEqual(decodeDer(BIT_STRING, hex('03050050000000')), { unusedBits: 0, bytes: hex('50000000') });
  assertCode(() => decodeDer(KerberosTime, hex('180f32303236313132363135303030305a'.replace('5a', '5b'))), 'DECODE_BAD_VALUE');
  const t = new Date(Date.UTC(2026, 10, 26, 15, 0, 0));
  assert.equal(toHex(KerberosTime.encode(t)), '180f32303236313132363135303030305a');
  assert.deepEqual(decodeDer(KerberosTime, KerberosTime.encode(t)), t);
  assertCode(() => decodeDer(GeneralString, hex('1b01ff')), 'DECODE_BAD_VALUE');
});

test('OBJECT IDENTIFIER: SPNEGO, krb5, NTLMSSP OIDs', () => {
  const cases: [string, string][] = [
    ['1.3.6.1.5.5.2', '06062b0601050502'],
    ['1.2.840.113554.1.2.2', '06092a864886f712010202'],
    ['1.2.840.48018.1.2.2', '06092a864882f712010202'],
    ['1.3.6.1.4.1.311.2.2.10', '060a2b06010401823702020a'],
  ];
  for (const [oid, h] of cases) {
    assert.equal(toHex(OBJECT_IDENTIFIER.encode(oid)), h);
    assert.equal(decodeDer(OBJECT_IDENTIFIER, hex(h)), oid);
  }
  assertCode(() => decodeDer(OBJECT_IDENTIFIER, hex('06022b81')), 'DECODE_TRUNCATED');
  assertCode(() => decodeDer(OBJECT_IDENTIFIER, hex('06032b8001')), 'DECODE_BAD_VALUE');
});

const Sample = sequence({
  a: req(explicit(0, INTEGER)),
  b: opt(explicit(1, GeneralString)),
  c: req(explicit(2, sequenceOf(OBJECT_IDENTIFIER, { max: 4 }))),
  d: opt(explicit(3, choice({ n: INTEGER, s: OCTET_STRING }))),
});
const Tagged = application(14, Sample);

test('sequence: optional fields, order, unknown fields and high tags', () => {
  const v = { a: 5, c: ['1.2.3'], d: { type: 's' as const, value: hex('0102') } };
  const enc = Tagged.encode(v);
  assert.deepEqual(decodeDer(Tagged, enc), v);
  // A required field missing.
  assertCode(() => decodeDer(Sample, hex('3000')), 'DECODE_TRUNCATED');
  // Fields out of order: [2] before [0].
  const f0 = explicit(0, INTEGER).encode(5);
  const f2 = explicit(2, sequenceOf(OBJECT_IDENTIFIER)).encode(['1.2']);
  const f5 = explicit(5, INTEGER).encode(1);
  const seqOf = (...parts: Uint8Array[]) => sequenceOf(rawElement()).encode(parts);
  assert.deepEqual(decodeDer(Sample, seqOf(f0, f2)), { a: 5, c: ['1.2'] });
  assertCode(() => decodeDer(Sample, seqOf(f2, f0)), 'DECODE_BAD_TAG');
  // A field the schema does not know ([5]).
  assertCode(() => decodeDer(Sample, seqOf(f0, f2, f5)), 'DECODE_BAD_TAG');
  // sequenceOf bound.
  assertCode(() => Sample.encode({ a: 1, c: ['1.2', '1.2', '1.2', '1.2', '1.2'] }), 'ENCODE_BAD_VALUE');
});

test('limits: depth, element count and size are enforced with DECODE_LIMIT', () => {
  let deep: Uint8Array = NULL.encode(null);
  for (let i = 0; i < 40; i++) deep = explicit(0, rawElement()).encode(deep);
  assertCode(() => decodeDer(rawElement(), deep), 'DECODE_LIMIT');
  assert.ok(decodeDer(rawElement(), deep, { maxDepth: 64 }));
  const many = sequenceOf(NULL).encode(new Array(100).fill(null));
  assertCode(() => decodeDer(sequenceOf(NULL), many, { maxElements: 50 }), 'DECODE_LIMIT');
  assertCode(() => decodeDer(OCTET_STRING, OCTET_STRING.encode(new Uint8Array(2000)), { maxBytes: 1000 }), 'DECODE_LIMIT');
  assertCode(() => decodeDer(rawElement(), hex('3080')), 'DECODE_BAD_LENGTH');
});

test('property: decode(encode(x)) = x and encode(decode(b)) = b', () => {
  const arb = fc.record({
    a: fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
    b: fc.option(fc.string(), { nil: undefined }),
    c: fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 39 }), fc.nat()).map(([x, y, z]) => `${x}.${y}.${z}`), { maxLength: 4 }),
    d: fc.option(fc.oneof(fc.integer().map((n) => ({ type: 'n' as const, value: n })), fc.uint8Array().map((b) => ({ type: 's' as const, value: b }))), { nil: undefined }),
  }).map((r) => Object.fromEntries(Object.entries(r).filter(([, x]) => x !== undefined)) as Parameters<typeof Tagged.encode>[0]);
  fc.assert(fc.property(arb, (v) => {
    const enc = Tagged.encode(v);
    assert.deepEqual(decodeDer(Tagged, enc), v);
    assert.deepEqual(Tagged.encode(decodeDer(Tagged, enc)), enc);
  }));
});

test('property: random and mutated bytes give only typed decode errors', () => {
  const seed = Tagged.encode({ a: 300, b: 'x', c: ['1.3.6.1.5.5.2'], d: { type: 'n', value: -7 } });
  fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (b) => { onlyTypedErrors(() => decodeDer(Tagged, b), DECODE_CODES); onlyTypedErrors(() => decodeDer(rawElement(), b), DECODE_CODES); }), { numRuns: 2000 });
  fc.assert(fc.property(fc.nat(seed.length - 1), fc.nat(255), (i, x) => {
    const m = seed.slice(); m[i] = x;
    onlyTypedErrors(() => decodeDer(Tagged, m), DECODE_CODES);
  }), { numRuns: 2000 });
  fc.assert(fc.property(fc.nat(seed.length), (n) => { onlyTypedErrors(() => decodeDer(Tagged, seed.subarray(0, n)), DECODE_CODES); }));
});

test('ENUMERATED and choice of unknown alternative', () => {
  assert.equal(decodeDer(ENUMERATED, hex('0a0101')), 1);
  assertCode(() => decodeDer(choice({ n: INTEGER }), hex('0400')), 'DECODE_BAD_TAG');
});
