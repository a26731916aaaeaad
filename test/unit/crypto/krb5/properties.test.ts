// Properties for every profile (fast-check): decrypt(encrypt(x)) = x for random keys, usages and
// lengths 0..300 (block boundaries included); any flipped bit of ciphertext or checksum gives
// SpnegoError BAD_MIC and nothing else; ciphertext shorter than the overhead is DEFECTIVE_TOKEN.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { getProfile, supportedEnctypes, type EncryptionProfile } from '../../../../src/crypto/krb5/index.js';
import { SpnegoError } from '../../../../src/errors.js';

const all: EncryptionProfile[] = supportedEnctypes({ allowWeakCrypto: true }).map((e) => getProfile(e, { allowWeakCrypto: true }));
const usage = fc.oneof(fc.integer({ min: 0, max: 30 }), fc.constantFrom(0xffffffff, 1024), fc.nat());
const boundary = fc.constantFrom(0, 1, 15, 16, 17, 31, 32, 33, 47, 48, 63, 64, 65, 255, 256, 300);
const length = fc.oneof(boundary, fc.integer({ min: 0, max: 300 }));

function expectCode(f: () => unknown, want: string, what: string): void {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof SpnegoError, `${what}: not a SpnegoError: ${String(e)}`);
    assert.equal(e.code, want, what);
    return;
  }
  assert.fail(`${what}: did not throw`);
}

for (const p of all) {
  const key = fc.uint8Array({ minLength: p.keySize, maxLength: p.keySize }).map((b) => p.randomToKey(b));

  test(`${p.name}: decrypt(encrypt(x)) = x for random keys, usages, lengths 0..300`, () => {
    fc.assert(
      fc.property(key, usage, length.chain((n) => fc.uint8Array({ minLength: n, maxLength: n })), (k, u, pt) => {
        const ct = p.encrypt(k, u, pt);
        assert.equal(ct.length, pt.length + p.overhead);
        assert.deepEqual(p.decrypt(k, u, ct), pt);
      }),
      { numRuns: 150 },
    );
  });

  test(`${p.name}: any flipped ciphertext bit is BAD_MIC, never another error`, () => {
    fc.assert(
      fc.property(key, usage, fc.uint8Array({ maxLength: 100 }), fc.nat(), fc.nat({ max: 7 }), (k, u, pt, pos, bit) => {
        const ct = p.encrypt(k, u, pt);
        const i = pos % ct.length;
        ct[i] = (ct[i] as number) ^ (1 << bit);
        expectCode(() => p.decrypt(k, u, ct), 'BAD_MIC', `${p.name} byte ${i} bit ${bit} of ${ct.length}`);
      }),
      { numRuns: 200 },
    );
  });

  test(`${p.name}: truncated ciphertext (shorter than confounder + checksum) is DEFECTIVE_TOKEN; longer cuts are BAD_MIC`, () => {
    const k = p.randomToKey(new Uint8Array(p.keySize).fill(0x42));
    const ct = p.encrypt(k, 7, new Uint8Array(40).fill(0x11));
    for (let n = 0; n < p.overhead; n++) expectCode(() => p.decrypt(k, 7, ct.subarray(0, n)), 'DEFECTIVE_TOKEN', `${n} bytes`);
    for (let n = p.overhead; n < ct.length; n++) expectCode(() => p.decrypt(k, 7, ct.subarray(0, n)), 'BAD_MIC', `${n} bytes`);
  });

  test(`${p.name}: verifyChecksum accepts the checksum and rejects any flipped bit or other length with BAD_MIC`, () => {
    fc.assert(
      fc.property(key, usage, fc.uint8Array({ maxLength: 100 }), fc.nat(), fc.nat({ max: 7 }), (k, u, data, pos, bit) => {
        const c = p.checksum(k, u, data);
        assert.equal(c.length, p.checksumSize);
        p.verifyChecksum(k, u, data, c);
        const bad = c.slice();
        const i = pos % bad.length;
        bad[i] = (bad[i] as number) ^ (1 << bit);
        expectCode(() => p.verifyChecksum(k, u, data, bad), 'BAD_MIC', 'flipped checksum');
        expectCode(() => p.verifyChecksum(k, u, data, c.subarray(1)), 'BAD_MIC', 'short checksum');
      }),
      { numRuns: 100 },
    );
  });
}

test('all profiles: 1 MiB (and 1 MiB + 1..15 bytes) round-trips through the bulk path', () => {
  for (const p of all) {
    const k = p.randomToKey(new Uint8Array(p.keySize).fill(0x24));
    for (const extra of [0, 1, 15]) {
      const pt = new Uint8Array((1 << 20) + extra).map((_, i) => (i * 31) & 0xff);
      assert.deepEqual(p.decrypt(k, 22, p.encrypt(k, 22, pt)), pt, `${p.name} +${extra}`);
    }
  }
});
