import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32, hmacMd5, md4, md5, randomBytes, rc4, Rc4, sha256 } from '../../../src/crypto/index.js';
import { concat, fromHex, toHex, utf8 } from '../../../src/bytes/index.js';
import { SpnegoError } from '../../../src/errors.js';
import { readJson } from '../../helpers/paths.js';

interface Vectors {
  provider: {
    md5: { input_ascii: string; digest_hex: string }[];
    hmac_md5: { key_hex: string; data_ascii: string; mac_hex: string }[];
    sha256: { input_ascii: string; digest_hex: string }[];
    crc32: { input_ascii: string; crc: string }[];
  };
  ms_nlmp_v1: Record<string, string> & {
    gss_wrapex: { SealKey_hex: string; SeqNum: number; plaintext_hex: string; sealed_data_hex: string; signature_hex: string };
  };
}
const vectors = readJson<Vectors>('test', 'vectors', 'primitives.json');
const isPlain = (b: Uint8Array): boolean => b instanceof Uint8Array && !Buffer.isBuffer(b);

test('md5: RFC 1321 vectors; parts are concatenated; plain Uint8Array', () => {
  for (const c of vectors.provider.md5) assert.equal(toHex(md5(utf8(c.input_ascii))), c.digest_hex);
  assert.equal(toHex(md5(utf8('mess'), utf8(''), utf8('age digest'))), 'f96b697d7cb7938d525a2f31aaf161d0');
  assert.equal(toHex(md5()), 'd41d8cd98f00b204e9800998ecf8427e');
  assert.ok(isPlain(md5(utf8('x'))));
});

test('hmacMd5: RFC 2202 vectors; parts are concatenated; plain Uint8Array', () => {
  for (const c of vectors.provider.hmac_md5) {
    assert.equal(toHex(hmacMd5(fromHex(c.key_hex), utf8(c.data_ascii))), c.mac_hex, c.data_ascii);
  }
  assert.equal(toHex(hmacMd5(utf8('Jefe'), utf8('what do ya '), utf8('want for nothing?'))), '750c783e6ab0b503eaa86e310a5db738');
  assert.ok(isPlain(hmacMd5(utf8('k'), utf8('x'))));
});

test('sha256: FIPS 180-2 "abc"; plain Uint8Array', () => {
  for (const c of vectors.provider.sha256) assert.equal(toHex(sha256(utf8(c.input_ascii))), c.digest_hex);
  assert.equal(toHex(sha256(utf8('a'), utf8('bc'))), vectors.provider.sha256[0]?.digest_hex);
  assert.ok(isPlain(sha256()));
});

test('crc32: check value, continuation, unsigned result', () => {
  for (const c of vectors.provider.crc32) assert.equal(crc32(utf8(c.input_ascii)).toString(16).padStart(8, '0'), c.crc);
  assert.equal(crc32(utf8('6789'), crc32(utf8('12345'))), 0xcbf43926);
  const v = crc32(fromHex('ffffffff'));
  assert.ok(v >= 0 && v <= 0xffffffff);
});

test('randomBytes: length, plain Uint8Array, not constant, bad lengths refused', () => {
  const a = randomBytes(32);
  assert.equal(a.length, 32);
  assert.ok(isPlain(a));
  assert.notDeepEqual(a, randomBytes(32));
  assert.equal(randomBytes(0).length, 0);
  for (const n of [-1, 1.5, Number.NaN]) {
    assert.throws(() => randomBytes(n), (e: unknown) => e instanceof SpnegoError && e.code === 'BAD_ARGUMENT');
  }
});

test('primitives compose to MS-NLMP 4.2.2: SessionBaseKey = MD4(NTOWFv1), EncryptedSessionKey = RC4K(KXKEY, RandomSessionKey)', () => {
  const v = vectors.ms_nlmp_v1;
  assert.equal(toHex(md4(fromHex(v.Passwd_unicode_hex as string))), v.NTOWFv1_hex);
  assert.equal(toHex(md4(fromHex(v.NTOWFv1_hex as string))), v.SessionBaseKey_hex);
  assert.equal(toHex(rc4(fromHex(v.SessionBaseKey_hex as string), fromHex(v.RandomSessionKey_hex as string))), v.EncryptedSessionKey_hex);
});

test('primitives compose to MS-NLMP 4.2.2.4 GSS_WrapEx: one RC4 handle seals, then encrypts pad, CRC32 and SeqNum', () => {
  const w = vectors.ms_nlmp_v1.gss_wrapex;
  const handle = new Rc4(fromHex(w.SealKey_hex));
  const plaintext = fromHex(w.plaintext_hex);
  assert.equal(toHex(handle.update(plaintext)), w.sealed_data_hex);
  const le32 = (n: number): Uint8Array => {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, n >>> 0, true);
    return b;
  };
  handle.update(le32(0)); // RandomPad, then reset to 0 in the signature (MS-NLMP 3.4.4.1)
  const checksum = handle.update(le32(crc32(plaintext)));
  const seq = handle.update(le32(0)).map((b, i) => b ^ (le32(w.SeqNum)[i] as number));
  assert.equal(toHex(concat(le32(1), le32(0), checksum, seq)), w.signature_hex);
});
