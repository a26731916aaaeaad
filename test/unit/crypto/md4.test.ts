import { test } from 'node:test';
import assert from 'node:assert/strict';
import { md4 } from '../../../src/crypto/index.js';
import { fromHex, toHex, utf16le, utf8 } from '../../../src/bytes/index.js';
import { readJson } from '../../helpers/paths.js';

interface Vectors {
  md4: { source: string; cases: { input_ascii: string; digest_hex: string }[] };
}
const vectors = readJson<Vectors>('test', 'vectors', 'primitives.json');

test('MD4: RFC 1320 A.5 test suite (all 7)', () => {
  assert.equal(vectors.md4.cases.length, 7);
  for (const c of vectors.md4.cases) assert.equal(toHex(md4(utf8(c.input_ascii))), c.digest_hex, JSON.stringify(c.input_ascii));
});

test('MD4: NTOWFv1("Password") is MS-NLMP 4.2.2.1.2', () => {
  assert.equal(toHex(md4(utf16le('Password'))), 'a4f49c406510bdcab6824ee7c30fd852');
});

test('MD4: lengths around the padding boundary give 16 bytes; a subarray input is read from its offset', () => {
  // Values at these lengths are checked against OpenSSL in openssl-legacy.test.ts.
  for (const n of [55, 56, 57, 63, 64, 65, 119, 120, 128]) {
    const d = new Uint8Array(n).fill(0x61);
    const h = md4(d);
    assert.equal(h.length, 16);
    assert.deepEqual(md4(d.slice()), h);
  }
  // The input view is respected (a subarray of a larger buffer).
  const big = fromHex('00' + toHex(utf8('abc')) + 'ff');
  assert.equal(toHex(md4(big.subarray(1, 4))), 'a448017aaf21d8525fc10ae87aa6729d');
});
