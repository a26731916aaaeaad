// aes128-cts-hmac-sha256-128 / aes256-cts-hmac-sha384-192 (RFC 8009 Appendix A): every vector,
// with each intermediate value (saltp, Kc/Ke/Ki, AES output, truncated HMAC) checked on its own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aes128CtsHmacSha256128, aes256CtsHmacSha384192, kdfHmacSha2, type AesSha2Profile } from '../../../../src/crypto/krb5/aes-sha2.js';
import { aesCtsEncrypt } from '../../../../src/crypto/krb5/aes-cts.js';
import { createHmac } from 'node:crypto';
import { fromHex, toHex } from '../../../../src/bytes/index.js';
import { readJson } from '../../../helpers/paths.js';

interface V {
  string_to_key: { enctype: string; iterations: number; passphrase_utf8: string; salt_hex: string; saltp_hex: string; base_key_hex: string }[];
  key_derivation: { enctype: string; base_key_hex: string; key_usage: number; Kc_hex: string; Ke_hex: string; Ki_hex: string }[];
  encryption: {
    enctype: string;
    description: string;
    base_key_hex: string;
    key_usage: number;
    plaintext_hex: string;
    confounder_hex: string;
    Ke_hex: string;
    Ki_hex: string;
    aes_output_hex: string;
    truncated_hmac_hex: string;
    ciphertext_hex: string;
  }[];
  checksum: { checksum_type: string; checksum_type_number: number; base_key_hex: string; key_usage: number; Kc_hex: string; plaintext_hex: string; checksum_hex: string }[];
  prf: { enctype: string; input_key_hex: string; prf_input_hex: string; hmac_input_message_hex: string; prf_output_hex: string }[];
}
const v = readJson<V>('test', 'vectors', 'rfc8009.json');
const byName: Record<string, AesSha2Profile> = {
  'aes128-cts-hmac-sha256-128': aes128CtsHmacSha256128,
  'aes256-cts-hmac-sha384-192': aes256CtsHmacSha384192,
};
const profile = (name: string): AesSha2Profile => {
  const p = byName[name];
  assert.ok(p, name);
  return p;
};
const key = (p: AesSha2Profile, hex: string) => ({ enctype: p.enctype, value: fromHex(hex) });

test('RFC 8009 A: string-to-key (saltp, then the base key) for both enctypes', () => {
  assert.equal(v.string_to_key.length, 2);
  for (const c of v.string_to_key) {
    const p = profile(c.enctype);
    assert.equal(toHex(p.saltp(fromHex(c.salt_hex))), c.saltp_hex, `${c.enctype} saltp`);
    const k = p.stringToKey(c.passphrase_utf8, fromHex(c.salt_hex), Uint8Array.of(0, 0, c.iterations >>> 8, c.iterations & 0xff));
    assert.equal(toHex(k.value), c.base_key_hex, `${c.enctype} base key`);
    assert.equal(c.iterations, 32768);
    assert.deepEqual(p.stringToKey(c.passphrase_utf8, fromHex(c.salt_hex)), k, 'default iteration count is 32768');
  }
});

test('RFC 8009 A: key derivation Kc, Ke, Ki for usage 2, each separately', () => {
  assert.equal(v.key_derivation.length, 2);
  for (const c of v.key_derivation) {
    const p = profile(c.enctype);
    const ks = p.usageKeys(key(p, c.base_key_hex), c.key_usage);
    assert.equal(toHex(ks.kc), c.Kc_hex, `${c.enctype} Kc`);
    assert.equal(toHex(ks.ke), c.Ke_hex, `${c.enctype} Ke`);
    assert.equal(toHex(ks.ki), c.Ki_hex, `${c.enctype} Ki`);
  }
});

test('RFC 8009 A: the 8 sample encryptions, intermediate values each checked', () => {
  assert.equal(v.encryption.length, 8);
  for (const c of v.encryption) {
    const p = profile(c.enctype);
    const what = `${c.enctype} ${c.description}`;
    const k = key(p, c.base_key_hex);
    const ks = p.usageKeys(k, c.key_usage);
    assert.equal(toHex(ks.ke), c.Ke_hex, `${what}: Ke`);
    assert.equal(toHex(ks.ki), c.Ki_hex, `${what}: Ki`);
    const aes = aesCtsEncrypt(fromHex(c.Ke_hex), fromHex(c.confounder_hex + c.plaintext_hex)).output;
    assert.equal(toHex(aes), c.aes_output_hex, `${what}: AES output`);
    const h = createHmac(p.hash, fromHex(c.Ki_hex)).update(new Uint8Array(16)).update(fromHex(c.aes_output_hex)).digest();
    assert.equal(toHex(new Uint8Array(h).subarray(0, p.checksumSize)), c.truncated_hmac_hex, `${what}: truncated HMAC`);
    assert.equal(toHex(p.encrypt(k, c.key_usage, fromHex(c.plaintext_hex), fromHex(c.confounder_hex))), c.ciphertext_hex, `${what}: ciphertext`);
    assert.equal(toHex(p.decrypt(k, c.key_usage, fromHex(c.ciphertext_hex))), c.plaintext_hex, `${what}: decrypt`);
  }
});

test('RFC 8009 A: checksums 19 and 20 (Kc, then the checksum)', () => {
  assert.equal(v.checksum.length, 2);
  for (const c of v.checksum) {
    const p = c.checksum_type_number === 19 ? aes128CtsHmacSha256128 : aes256CtsHmacSha384192;
    assert.equal(p.checksumType, c.checksum_type_number);
    const k = key(p, c.base_key_hex);
    assert.equal(toHex(p.usageKeys(k, c.key_usage).kc), c.Kc_hex, `${c.checksum_type} Kc`);
    assert.equal(toHex(p.checksum(k, c.key_usage, fromHex(c.plaintext_hex))), c.checksum_hex, c.checksum_type);
    p.verifyChecksum(k, c.key_usage, fromHex(c.plaintext_hex), fromHex(c.checksum_hex));
  }
});

test('RFC 8009 A: PRF (the HMAC input message, then the output)', () => {
  assert.equal(v.prf.length, 2);
  for (const c of v.prf) {
    const p = profile(c.enctype);
    const bits = p.hash === 'sha256' ? 256 : 384;
    const msg = fromHex(c.hmac_input_message_hex);
    const direct = new Uint8Array(createHmac(p.hash, fromHex(c.input_key_hex)).update(msg).digest());
    assert.equal(toHex(direct), c.prf_output_hex, `${c.enctype}: HMAC over the listed message`);
    const viaKdf = kdfHmacSha2(p.hash, fromHex(c.input_key_hex), new TextEncoder().encode('prf'), fromHex(c.prf_input_hex), bits);
    assert.equal(toHex(viaKdf), c.prf_output_hex, `${c.enctype}: KDF-HMAC-SHA2`);
    assert.equal(toHex(p.prf(key(p, c.input_key_hex), fromHex(c.prf_input_hex))), c.prf_output_hex, `${c.enctype}: prf()`);
  }
});
