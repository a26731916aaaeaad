import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DESL, desEncryptBlock, desKeyFrom7 } from '../../../src/crypto/index.js';
import { fromHex, toHex, utf8 } from '../../../src/bytes/index.js';
import { SpnegoError } from '../../../src/errors.js';
import { readJson } from '../../helpers/paths.js';

interface Vectors {
  des: { source: string; cases: { key_hex: string; plaintext_hex: string; ciphertext_hex: string; note: string }[] };
  ms_nlmp_v1: Record<string, string>;
}
const vectors = readJson<Vectors>('test', 'vectors', 'primitives.json');
const nlmp = vectors.ms_nlmp_v1;
const hex = (k: string): Uint8Array => fromHex(nlmp[k] as string);
const isBadArgument = (e: unknown): boolean => e instanceof SpnegoError && e.code === 'BAD_ARGUMENT';

test('DES: FIPS 81 / SP 800-17 / classic known answers', () => {
  assert.ok(vectors.des.cases.length >= 10);
  for (const c of vectors.des.cases) {
    assert.equal(toHex(desEncryptBlock(fromHex(c.key_hex), fromHex(c.plaintext_hex))), c.ciphertext_hex, c.note);
  }
});

test('DES: parity bits are ignored (flipping bit 0 of every key byte changes nothing)', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 8, maxLength: 8 }), fc.uint8Array({ minLength: 8, maxLength: 8 }), fc.nat({ max: 255 }), (key, block, mask) => {
      const flipped = key.map((b, i) => b ^ ((mask >> i) & 1));
      assert.deepEqual(desEncryptBlock(flipped, block), desEncryptBlock(key, block));
    }),
    { numRuns: 50 },
  );
});

test('DES: complementation property E(~k, ~p) = ~E(k, p)', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 8, maxLength: 8 }), fc.uint8Array({ minLength: 8, maxLength: 8 }), (key, block) => {
      const not = (b: Uint8Array): Uint8Array => b.map((x) => ~x & 0xff);
      assert.deepEqual(desEncryptBlock(not(key), not(block)), not(desEncryptBlock(key, block)));
    }),
    { numRuns: 30 },
  );
});

test('desKeyFrom7: spreads 56 bits over 8 bytes with odd parity', () => {
  assert.equal(toHex(desKeyFrom7(fromHex('00000000000000'))), '0101010101010101');
  assert.equal(toHex(desKeyFrom7(fromHex('ffffffffffffff'))), 'fefefefefefefefe');
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 7, maxLength: 7 }), (k7) => {
      const k8 = desKeyFrom7(k7);
      let bits = '';
      for (const b of k8) {
        let ones = 0;
        for (let i = 0; i < 8; i++) ones += (b >> i) & 1;
        assert.equal(ones % 2, 1, 'odd parity');
        bits += (b >> 1).toString(2).padStart(7, '0');
      }
      assert.equal(bits, [...k7].map((b) => b.toString(2).padStart(8, '0')).join(''));
    }),
    { numRuns: 100 },
  );
});

test('LM hash half: DES(desKeyFrom7("PASSWOR"), "KGS!@#$%") is LMOWFv1[0..7] (MS-NLMP 3.3.1, 4.2.2.1.1)', () => {
  // LMOWFv1("Password") = DES(upper("PASSWOR"), magic) || DES("D" + zeros, magic).
  const magic = utf8('KGS!@#$%');
  const first = desEncryptBlock(desKeyFrom7(utf8('PASSWOR')), magic);
  const second = desEncryptBlock(desKeyFrom7(fromHex('44000000000000')), magic);
  assert.equal(toHex(first) + toHex(second), nlmp.LMOWFv1_hex);
});

test('DESL(NTOWFv1, ServerChallenge) is the NTLMv1Response of MS-NLMP 4.2.2.2.1', () => {
  assert.equal(toHex(DESL(hex('NTOWFv1_hex'), hex('ServerChallenge_hex'))), nlmp.NTLMv1Response_hex);
});

test('DESL(LMOWFv1, ServerChallenge) is the LMv1Response of MS-NLMP 4.2.2.2.2', () => {
  assert.equal(toHex(DESL(hex('LMOWFv1_hex'), hex('ServerChallenge_hex'))), nlmp.LMv1Response_hex);
});

test('DESL is three DES blocks under K[0..6], K[7..13], K[14..15]+Z(5)', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.uint8Array({ minLength: 8, maxLength: 8 }), (k, d) => {
      const third = new Uint8Array(7);
      third.set(k.subarray(14));
      const want = toHex(desEncryptBlock(desKeyFrom7(k.subarray(0, 7)), d))
        + toHex(desEncryptBlock(desKeyFrom7(k.subarray(7, 14)), d))
        + toHex(desEncryptBlock(desKeyFrom7(third), d));
      assert.equal(toHex(DESL(k, d)), want);
    }),
    { numRuns: 30 },
  );
});

test('DES helpers reject wrong lengths with BAD_ARGUMENT', () => {
  assert.throws(() => desEncryptBlock(new Uint8Array(7), new Uint8Array(8)), isBadArgument);
  assert.throws(() => desEncryptBlock(new Uint8Array(8), new Uint8Array(16)), isBadArgument);
  assert.throws(() => desKeyFrom7(new Uint8Array(8)), isBadArgument);
  assert.throws(() => DESL(new Uint8Array(15), new Uint8Array(8)), isBadArgument);
  assert.throws(() => DESL(new Uint8Array(16), new Uint8Array(7)), isBadArgument);
});
