// rc4-hmac (RFC 4757) against MIT krb5's t_decrypt.c / t_cksums.c vectors (implementation-derived:
// RFC 4757 has none): decrypting MIT's ciphertext, K1/K3 separately, re-encrypting with the
// recovered confounder, the -138 checksum with Ksign. The NT-hash string-to-key is checked against
// MS-NLMP's NTOWFv1. MIT's -137 (md5-hmac-rc4) vector is skipped: that checksum is MIT's, not RFC 4757's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rc4Hmac, rc4MessageType } from '../../../../src/crypto/krb5/rc4-hmac.js';
import { hmacMd5 } from '../../../../src/crypto/provider.js';
import { fromHex, toHex } from '../../../../src/bytes/index.js';
import { SpnegoError } from '../../../../src/errors.js';
import { readJson } from '../../../helpers/paths.js';

interface V {
  encryption: {
    key_usage: number;
    ms_usage_after_translation: number;
    key_hex: string;
    plaintext_hex: string;
    ciphertext_hex: string;
    derived_checksum_hex: string;
    derived_confounder_hex: string;
    derived_K1_hex: string;
    derived_K3_hex: string;
  }[];
  checksum: { checksum_type_number: number; key_usage: number; key_hex: string; plaintext_hex: string; checksum_hex: string; derived_Ksign_hex?: string }[];
}
const v = readJson<V>('test', 'vectors', 'rfc4757.json');
const key = (hex: string) => ({ enctype: 23, value: fromHex(hex) });

test('RFC 4757 usage translation (MIT today): 3 -> 8, 23 -> 13, 9 stays 9, others unchanged', () => {
  assert.equal(rc4MessageType(3), 8);
  assert.equal(rc4MessageType(23), 13);
  assert.equal(rc4MessageType(9), 9);
  for (const u of [0, 1, 2, 4, 7, 8, 11, 12, 22, 24, 25, 1000]) assert.equal(rc4MessageType(u), u);
  for (const c of v.encryption) assert.equal(rc4MessageType(c.key_usage), c.ms_usage_after_translation);
});

test('rc4-hmac: MIT t_decrypt vectors decrypt to the plaintext; K1 and K3 each match', () => {
  assert.equal(v.encryption.length, 5);
  for (const c of v.encryption) {
    const k = key(c.key_hex);
    assert.equal(toHex(rc4Hmac.k1(k, c.key_usage)), c.derived_K1_hex, `usage ${c.key_usage}: K1`);
    assert.equal(toHex(hmacMd5(fromHex(c.derived_K1_hex), fromHex(c.derived_checksum_hex))), c.derived_K3_hex, `usage ${c.key_usage}: K3`);
    assert.equal(c.ciphertext_hex.slice(0, 32), c.derived_checksum_hex);
    assert.equal(toHex(rc4Hmac.decrypt(k, c.key_usage, fromHex(c.ciphertext_hex))), c.plaintext_hex, `usage ${c.key_usage}: decrypt`);
  }
});

test('rc4-hmac: re-encrypting with the recovered confounder gives MIT ciphertext byte for byte', () => {
  for (const c of v.encryption) {
    const ct = rc4Hmac.encrypt(key(c.key_hex), c.key_usage, fromHex(c.plaintext_hex), fromHex(c.derived_confounder_hex));
    assert.equal(toHex(ct), c.ciphertext_hex, `usage ${c.key_usage}`);
  }
});

test('rc4-hmac: checksum -138 (hmac-md5) from MIT t_cksums, with Ksign checked separately', () => {
  const cs = v.checksum.filter((c) => c.checksum_type_number === -138);
  assert.equal(cs.length, 1);
  for (const c of cs) {
    const k = key(c.key_hex);
    assert.equal(toHex(rc4Hmac.ksign(k)), c.derived_Ksign_hex);
    assert.equal(toHex(rc4Hmac.checksum(k, c.key_usage, fromHex(c.plaintext_hex))), c.checksum_hex);
    rc4Hmac.verifyChecksum(k, c.key_usage, fromHex(c.plaintext_hex), fromHex(c.checksum_hex));
    assert.equal(rc4Hmac.checksumType, -138);
  }
});

test('rc4-hmac string-to-key is the NT hash (MS-NLMP 4.2.2 NTOWFv1 of "Password"); salt and params ignored', () => {
  const nlmp = readJson<Record<string, unknown>>('test', 'vectors', 'ms-nlmp.json');
  assert.ok(JSON.stringify(nlmp).includes('a4f49c406510bdcab6824ee7c30fd852'));
  const k = rc4Hmac.stringToKey('Password', 'ignored SALT', Uint8Array.of(1, 2, 3));
  assert.deepEqual([k.enctype, toHex(k.value)], [23, 'a4f49c406510bdcab6824ee7c30fd852']);
  assert.deepEqual(rc4Hmac.stringToKey(new TextEncoder().encode('Password'), ''), k);
  assert.throws(() => rc4Hmac.stringToKey(Uint8Array.of(0xff), ''), (e: unknown) => e instanceof SpnegoError && e.code === 'BAD_ARGUMENT');
});
