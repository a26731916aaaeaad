// aes128/256-cts-hmac-sha1-96 (RFC 3962): every Appendix B string-to-key vector, both the PBKDF2
// output and the final key, at both key sizes; encryption layout; checksum and PRF shape.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { aes128CtsHmacSha196, aes256CtsHmacSha196, aesDk } from '../../../../src/crypto/krb5/aes-sha1.js';
import { aesCtsDecrypt } from '../../../../src/crypto/krb5/aes-cts.js';
import { usageConstant, KC, KE, KI } from '../../../../src/crypto/krb5/rfc3961.js';
import { fromHex, toHex } from '../../../../src/bytes/index.js';
import { SpnegoError } from '../../../../src/errors.js';
import { readJson } from '../../../helpers/paths.js';

interface S2k {
  iterations: number;
  passphrase_hex: string;
  salt_hex: string;
  pbkdf2_128_hex: string;
  aes128_key_hex: string;
  pbkdf2_256_hex: string;
  aes256_key_hex: string;
}
const v = readJson<{ string_to_key: S2k[] }>('test', 'vectors', 'rfc3962.json');
const iterParams = (n: number): Uint8Array => Uint8Array.of(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);

test('RFC 3962 B: PBKDF2-HMAC-SHA1 output (128 and 256 bits) for every vector', () => {
  assert.equal(v.string_to_key.length, 7);
  for (const c of v.string_to_key) {
    const pw = fromHex(c.passphrase_hex);
    const salt = fromHex(c.salt_hex);
    assert.equal(toHex(aes128CtsHmacSha196.pbkdf2(pw, salt, iterParams(c.iterations))), c.pbkdf2_128_hex, `${c.iterations} iterations`);
    assert.equal(toHex(aes256CtsHmacSha196.pbkdf2(pw, salt, iterParams(c.iterations))), c.pbkdf2_256_hex, `${c.iterations} iterations`);
  }
});

test('RFC 3962 B: DK(tkey, "kerberos") from the PBKDF2 output, and full string-to-key, for every vector', () => {
  const kerberos = new TextEncoder().encode('kerberos');
  for (const c of v.string_to_key) {
    assert.equal(toHex(aesDk(fromHex(c.pbkdf2_128_hex), kerberos)), c.aes128_key_hex);
    assert.equal(toHex(aesDk(fromHex(c.pbkdf2_256_hex), kerberos)), c.aes256_key_hex);
    const pw = fromHex(c.passphrase_hex);
    const salt = fromHex(c.salt_hex);
    const k128 = aes128CtsHmacSha196.stringToKey(pw, salt, iterParams(c.iterations));
    const k256 = aes256CtsHmacSha196.stringToKey(pw, salt, iterParams(c.iterations));
    assert.deepEqual([k128.enctype, toHex(k128.value)], [17, c.aes128_key_hex]);
    assert.deepEqual([k256.enctype, toHex(k256.value)], [18, c.aes256_key_hex]);
  }
});

test('RFC 3962: string passwords and salts are UTF-8; the default iteration count is 4096', () => {
  const c = v.string_to_key.find((x) => x.iterations === 1) as S2k;
  const k = aes128CtsHmacSha196.stringToKey('password', 'ATHENA.MIT.EDUraeburn', iterParams(1));
  assert.equal(toHex(k.value), c.aes128_key_hex);
  const dflt = aes128CtsHmacSha196.stringToKey('password', 'ATHENA.MIT.EDUraeburn');
  assert.deepEqual(dflt, aes128CtsHmacSha196.stringToKey('password', 'ATHENA.MIT.EDUraeburn', iterParams(4096)));
  const gclef = v.string_to_key.find((x) => x.passphrase_hex === 'f09d849e') as S2k;
  assert.equal(toHex(aes256CtsHmacSha196.stringToKey('\u{1D11E}', 'EXAMPLE.COMpianist', iterParams(50)).value), gclef.aes256_key_hex);
});

test('RFC 3962: s2kparams other than 4 bytes, or count 0 / >= 2^24, are BAD_ARGUMENT', () => {
  const bad = (e: unknown): boolean => e instanceof SpnegoError && e.code === 'BAD_ARGUMENT';
  assert.throws(() => aes128CtsHmacSha196.stringToKey('p', 's', new Uint8Array(3)), bad);
  assert.throws(() => aes128CtsHmacSha196.stringToKey('p', 's', iterParams(0)), bad);
  assert.throws(() => aes128CtsHmacSha196.stringToKey('p', 's', iterParams(0x1000000)), bad);
});

test('RFC 3962 encryption layout: CTS(Ke, conf|P) | HMAC-SHA1(Ki, conf|P)[0..12]', () => {
  for (const p of [aes128CtsHmacSha196, aes256CtsHmacSha196]) {
    const key = p.randomToKey(new Uint8Array(p.keySize).map((_, i) => i * 7 + 1));
    const conf = new Uint8Array(16).fill(0x5a);
    const pt = new TextEncoder().encode('some plaintext that spans blocks');
    const ct = p.encrypt(key, 11, pt, conf);
    assert.equal(ct.length, pt.length + 28);
    const ke = aesDk(key.value, usageConstant(11, KE));
    const ki = aesDk(key.value, usageConstant(11, KI));
    const inner = aesCtsDecrypt(ke, ct.subarray(0, ct.length - 12)).output;
    assert.equal(toHex(inner), toHex(new Uint8Array([...conf, ...pt])));
    const mac = new Uint8Array(createHmac('sha1', ki).update(inner).digest()).subarray(0, 12);
    assert.equal(toHex(ct.subarray(ct.length - 12)), toHex(mac));
    assert.equal(toHex(p.decrypt(key, 11, ct)), toHex(pt));
    // Checksum: HMAC-SHA1(Kc, data) truncated to 96 bits.
    const kc = aesDk(key.value, usageConstant(11, KC));
    assert.equal(toHex(p.checksum(key, 11, pt)), toHex(new Uint8Array(createHmac('sha1', kc).update(pt).digest()).subarray(0, 12)));
    assert.equal(p.checksumSize, 12);
    assert.equal(p.checksumType, p.keySize === 16 ? 15 : 16);
  }
});

test('RFC 3962 PRF: MIT t_prf.c and Heimdal test_prf.c vectors (implementation-derived; the RFC has none)', () => {
  interface Prf {
    mit_t_prf: { enctype: number; key_hex: string; input_hex: string; output_hex: string }[];
    heimdal_test_prf: { enctype: number; password_utf8: string; salt_utf8: string; input_hex: string; output_hex: string }[];
  }
  const prf = readJson<{ prf_implementation_derived: Prf }>('test', 'vectors', 'rfc3962.json').prf_implementation_derived;
  assert.equal(prf.mit_t_prf.length, 6);
  const byEt = (et: number) => (et === 17 ? aes128CtsHmacSha196 : aes256CtsHmacSha196);
  for (const c of prf.mit_t_prf) {
    const p = byEt(c.enctype);
    assert.equal(toHex(p.prf(p.randomToKey(fromHex(c.key_hex)), fromHex(c.input_hex))), c.output_hex, `MIT ${c.enctype} ${c.input_hex}`);
  }
  assert.equal(prf.heimdal_test_prf.length, 2);
  for (const c of prf.heimdal_test_prf) {
    const p = byEt(c.enctype);
    assert.equal(toHex(p.prf(p.stringToKey(c.password_utf8, c.salt_utf8), fromHex(c.input_hex))), c.output_hex, `Heimdal ${c.enctype}`);
  }
});

test('derived keys are cached per (key bytes, usage): the same object comes back, other usages differ', () => {
  const p = aes256CtsHmacSha196;
  const k = p.randomToKey(new Uint8Array(32).fill(7));
  const a = p.usageKeys(k, 3);
  assert.equal(p.usageKeys(k, 3), a);
  assert.equal(p.usageKeys({ enctype: 18, value: k.value }, 3), a);
  assert.notEqual(p.usageKeys(k, 4), a);
  // A different key object with equal bytes derives equal (not cached-identical) keys.
  const b = p.usageKeys(p.randomToKey(k.value), 3);
  assert.notEqual(b, a);
  assert.deepEqual(b, a);
  // More usages than the cache holds: still correct.
  for (let u = 0; u < 100; u++) assert.equal(toHex(p.usageKeys(k, u).ke), toHex(aesDk(k.value, usageConstant(u, KE))));
});

test('MIT t_decrypt.c: aes128/256-cts-hmac-sha1-96 ciphertexts decrypt; re-encrypting with the recovered confounder reproduces them', () => {
  interface Mit {
    decrypt: { enctype: number; key_usage: number; key_hex: string; plaintext_ascii: string; ciphertext_hex: string }[];
    checksum: { checksum_type_number: number; enctype: number; key_usage: number; key_hex: string; plaintext_ascii: string; checksum_hex: string }[];
  }
  const mit = readJson<{ mit_implementation_derived: Mit }>('test', 'vectors', 'rfc3962.json').mit_implementation_derived;
  assert.equal(mit.decrypt.length, 10);
  for (const c of mit.decrypt) {
    const p = c.enctype === 17 ? aes128CtsHmacSha196 : aes256CtsHmacSha196;
    const k = p.randomToKey(fromHex(c.key_hex));
    const ct = fromHex(c.ciphertext_hex);
    const pt = p.decrypt(k, c.key_usage, ct);
    assert.equal(new TextDecoder().decode(pt), c.plaintext_ascii, `${p.name} usage ${c.key_usage}`);
    const conf = aesCtsDecrypt(p.usageKeys(k, c.key_usage).ke, ct.subarray(0, ct.length - 12)).output.subarray(0, 16);
    assert.equal(toHex(p.encrypt(k, c.key_usage, pt, conf)), c.ciphertext_hex, `${p.name} usage ${c.key_usage} re-encrypted`);
  }
  assert.equal(mit.checksum.length, 2);
  for (const c of mit.checksum) {
    const p = c.enctype === 17 ? aes128CtsHmacSha196 : aes256CtsHmacSha196;
    assert.equal(p.checksumType, c.checksum_type_number);
    const data = new TextEncoder().encode(c.plaintext_ascii);
    assert.equal(toHex(p.checksum(p.randomToKey(fromHex(c.key_hex)), c.key_usage, data)), c.checksum_hex, `checksum ${c.checksum_type_number}`);
  }
});
