// RFC 3961 framework: n-fold against every Appendix A.1 vector, usage constants, DR/DK.
// A.2 (DES string-to-key), A.4 (3DES string-to-key) and A.5 (modified CRC-32, for des-cbc-crc) are
// skipped: this package implements no DES/3DES enctype. A.3 (3DES DR/DK) is still used to test the
// generic DR/DK, with node:crypto's des-ede3-ecb as E and a test-local 3DES random-to-key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createCipheriv } from 'node:crypto';
import { nfold, usageConstant, deriveRandom, deriveKey, KC, KE, KI } from '../../../../src/crypto/krb5/rfc3961.js';
import { fromHex, toHex } from '../../../../src/bytes/index.js';
import { SpnegoError } from '../../../../src/errors.js';
import { readJson } from '../../../helpers/paths.js';

interface V {
  nfold: { n_bits: number; input_hex: string; output_hex: string; input_ascii: string }[];
  des3_DR_DK: { key_hex: string; usage_constant_hex: string; DR_hex: string; DK_hex: string }[];
  counts: Record<string, number>;
}
const v = readJson<V>('test', 'vectors', 'rfc3961.json');

test('n-fold: all RFC 3961 A.1 vectors', () => {
  assert.equal(v.nfold.length, v.counts['nfold']);
  assert.equal(v.nfold.length, 11);
  for (const c of v.nfold) {
    assert.equal(toHex(nfold(fromHex(c.input_hex), c.n_bits / 8)), c.output_hex, `${c.n_bits}-fold("${c.input_ascii}")`);
  }
});

test('n-fold: output length is exact; folding to the input length is the identity', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 64 }), (input, n) => {
      assert.equal(nfold(input, n).length, n);
    }),
    { numRuns: 200 },
  );
  // An input whose length equals the output length is folded with itself once: the identity.
  fc.assert(fc.property(fc.uint8Array({ minLength: 1, maxLength: 32 }), (input) => {
    assert.deepEqual(nfold(input, input.length), input);
  }));
});

test('n-fold: empty input or non-positive length is BAD_ARGUMENT', () => {
  const bad = (e: unknown): boolean => e instanceof SpnegoError && e.code === 'BAD_ARGUMENT';
  assert.throws(() => nfold(new Uint8Array(0), 16), bad);
  assert.throws(() => nfold(Uint8Array.of(1), 0), bad);
});

test('usage constants: 4-byte big-endian usage then 0x99 / 0xAA / 0x55', () => {
  assert.equal(toHex(usageConstant(2, KC)), '0000000299');
  assert.equal(toHex(usageConstant(2, KE)), '00000002aa');
  assert.equal(toHex(usageConstant(0x01020304, KI)), '0102030455');
  assert.equal(toHex(usageConstant(0xffffffff, KI)), 'ffffffff55');
  assert.throws(() => usageConstant(-1, KC), (e: unknown) => e instanceof SpnegoError && e.code === 'BAD_ARGUMENT');
  assert.throws(() => usageConstant(2 ** 32, KC), (e: unknown) => e instanceof SpnegoError && e.code === 'BAD_ARGUMENT');
});

test('DR: n-folds the constant to the block size, then chains E until enough bytes; DK applies random-to-key', () => {
  // A toy "cipher" that records its inputs: E(b) = b + 1 bytewise.
  const seen: string[] = [];
  const e = (b: Uint8Array): Uint8Array => {
    seen.push(toHex(b));
    return b.map((x) => (x + 1) & 0xff);
  };
  const c = fromHex('6b65726265726f73'); // "kerberos"
  const r = deriveRandom(e, 16, c, 40);
  assert.equal(r.length, 40);
  assert.deepEqual(seen, [
    toHex(nfold(c, 16)),
    toHex(nfold(c, 16).map((x) => (x + 1) & 0xff)),
    toHex(nfold(c, 16).map((x) => (x + 2) & 0xff)),
  ]);
  assert.equal(toHex(r.subarray(0, 16)), toHex(nfold(c, 16).map((x) => (x + 1) & 0xff)));
  assert.equal(toHex(r.subarray(32)), toHex(nfold(c, 16).map((x) => (x + 3) & 0xff).subarray(0, 8)));
  const k = deriveKey(e, 16, c, 16, (x) => x.map((b) => b ^ 0xff));
  assert.equal(toHex(k), toHex(nfold(c, 16).map((x) => ~(x + 1) & 0xff)));
});

// RFC 3961 6.3.1 random-to-key for des3: each 7 bytes become 8, the 8th built from the low bits, odd parity.
function des3RandomToKey(r: Uint8Array): Uint8Array {
  const parity = (b: number): number => {
    let n = 0;
    for (let x = b >> 1; x; x >>= 1) n += x & 1;
    return (b & 0xfe) | (n % 2 === 0 ? 1 : 0);
  };
  const out = new Uint8Array(24);
  for (let i = 0; i < 3; i++) {
    let last = 0;
    for (let j = 0; j < 7; j++) {
      const b = r[i * 7 + j] as number;
      out[i * 8 + j] = parity(b);
      last |= (b & 1) << (j + 1);
    }
    out[i * 8 + 7] = parity(last);
  }
  return out;
}

test('DR/DK: all 9 RFC 3961 A.3 vectors with 3DES as the block cipher (8-byte blocks, 21-byte DR)', () => {
  assert.equal(v.des3_DR_DK.length, 9);
  for (const c of v.des3_DR_DK) {
    const key = fromHex(c.key_hex);
    const e = (b: Uint8Array): Uint8Array => new Uint8Array(createCipheriv('des-ede3-ecb', key, null).setAutoPadding(false).update(b));
    const constant = fromHex(c.usage_constant_hex);
    assert.equal(toHex(deriveRandom(e, 8, constant, 21)), c.DR_hex, `DR ${c.usage_constant_hex}`);
    assert.equal(toHex(deriveKey(e, 8, constant, 21, des3RandomToKey)), c.DK_hex, `DK ${c.usage_constant_hex}`);
  }
});

