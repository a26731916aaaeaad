// The registry: profiles resolved by enctype, rc4-hmac only with allowWeakCrypto, typed refusals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findProfile, getProfile, supportedEnctypes } from '../../../../src/crypto/krb5/index.js';
import { ChecksumType, EncType } from '../../../../src/iana/krb5.js';
import { SpnegoError } from '../../../../src/errors.js';

const code = (c: string) => (e: unknown): boolean => e instanceof SpnegoError && e.code === c;

test('registry: the four AES enctypes by default, strongest first; rc4-hmac added only when weak crypto is allowed', () => {
  assert.deepEqual(supportedEnctypes(), [20, 19, 18, 17]);
  assert.deepEqual(supportedEnctypes({ allowWeakCrypto: false }), [20, 19, 18, 17]);
  assert.deepEqual(supportedEnctypes({ allowWeakCrypto: true }), [20, 19, 18, 17, 23]);
});

test('registry: each profile has its enctype, name, sizes and checksum type', () => {
  const want: [number, number, number, number, number][] = [
    // enctype, keySize, checksumType, checksumSize, overhead
    [17, 16, ChecksumType['hmac-sha1-96-aes128'], 12, 28],
    [18, 32, ChecksumType['hmac-sha1-96-aes256'], 12, 28],
    [19, 16, ChecksumType['hmac-sha256-128-aes128'], 16, 32],
    [20, 32, ChecksumType['hmac-sha384-192-aes256'], 24, 40],
    [23, 16, ChecksumType['hmac-md5'], 16, 24],
  ];
  for (const [et, ks, ct, cs, ov] of want) {
    const p = getProfile(et, { allowWeakCrypto: true });
    assert.equal(p.enctype, et);
    assert.equal(EncType[p.name as keyof typeof EncType], et);
    assert.deepEqual([p.keySize, p.keyBytes, p.checksumType, p.checksumSize, p.overhead], [ks, ks, ct, cs, ov], p.name);
    assert.equal(p.encrypt(p.randomToKey(new Uint8Array(ks)), 1, new Uint8Array(5)).length, 5 + ov);
    assert.equal(p.checksum(p.randomToKey(new Uint8Array(ks)), 1, new Uint8Array(5)).length, cs);
    assert.equal(p.weak, et === 23);
    assert.equal(typeof p.prf === 'function', et !== 23);
  }
});

test('registry: rc4-hmac without allowWeakCrypto, DES/3DES/camellia and unknown numbers are UNAVAILABLE', () => {
  assert.throws(() => getProfile(23), code('UNAVAILABLE'));
  assert.throws(() => getProfile(23, { allowWeakCrypto: false }), code('UNAVAILABLE'));
  for (const et of [1, 3, 16, 24, 25, 26, 0, -1, 99]) {
    assert.throws(() => getProfile(et, { allowWeakCrypto: true }), code('UNAVAILABLE'), String(et));
    assert.equal(findProfile(et, { allowWeakCrypto: true }), undefined);
  }
  assert.equal(findProfile(23), undefined);
  assert.equal(findProfile(23, { allowWeakCrypto: true })?.name, 'rc4-hmac');
});

test('profiles: wrong key sizes, a key of another enctype, bad usages and bad confounders are BAD_ARGUMENT', () => {
  for (const et of supportedEnctypes({ allowWeakCrypto: true })) {
    const p = getProfile(et, { allowWeakCrypto: true });
    const good = p.randomToKey(new Uint8Array(p.keySize).fill(3));
    assert.throws(() => p.randomToKey(new Uint8Array(p.keySize + 1)), code('BAD_ARGUMENT'));
    for (const n of [0, p.keySize - 1, p.keySize + 1, 24]) {
      const bad = { enctype: et, value: new Uint8Array(n) };
      assert.throws(() => p.encrypt(bad, 1, new Uint8Array(1)), code('BAD_ARGUMENT'), `${p.name} ${n}-byte key`);
      assert.throws(() => p.decrypt(bad, 1, new Uint8Array(64)), code('BAD_ARGUMENT'));
      assert.throws(() => p.checksum(bad, 1, new Uint8Array(1)), code('BAD_ARGUMENT'));
    }
    const other = { enctype: et === 17 ? 19 : 17, value: good.value };
    assert.throws(() => p.encrypt(other, 1, new Uint8Array(1)), code('BAD_ARGUMENT'));
    for (const u of [-1, 1.5, 2 ** 32, Number.NaN]) {
      assert.throws(() => p.encrypt(good, u, new Uint8Array(1)), code('BAD_ARGUMENT'), `usage ${u}`);
      assert.throws(() => p.checksum(good, u, new Uint8Array(1)), code('BAD_ARGUMENT'), `usage ${u}`);
    }
    assert.throws(() => p.encrypt(good, 1, new Uint8Array(1), new Uint8Array(p.confounderSize + 1)), code('BAD_ARGUMENT'));
  }
});

test('profiles: usage 0 and 2^32-1 work; different usages give different ciphertexts and checksums', () => {
  for (const et of supportedEnctypes({ allowWeakCrypto: true })) {
    const p = getProfile(et, { allowWeakCrypto: true });
    const k = p.randomToKey(new Uint8Array(p.keySize).fill(9));
    const conf = new Uint8Array(p.confounderSize);
    const pt = new Uint8Array(20).fill(1);
    const a = p.encrypt(k, 0, pt, conf);
    const b = p.encrypt(k, 0xffffffff, pt, conf);
    assert.notDeepEqual(a, b);
    assert.deepEqual(p.decrypt(k, 0xffffffff, b), pt);
    assert.throws(() => p.decrypt(k, 1, a), code('BAD_MIC'));
    assert.notDeepEqual(p.checksum(k, 1, pt), p.checksum(k, 2, pt));
    // Cached derived keys: the same call twice is deterministic.
    assert.deepEqual(p.encrypt(k, 0, pt, conf), a);
  }
});
