import { test } from 'node:test';
import { assertCode } from '../../../helpers/errors.js';
import assert from 'node:assert/strict';
import type { ErrorCode } from '../../../../src/errors.js';
import { versionCodec } from '../../../../src/codec/ntlm/version.js';
import { fromHex, toHex } from '../../../../src/bytes/encoding.js';

const throwsCode = (fn: () => unknown, code: ErrorCode, offset?: number): void => void assertCode(fn, code, offset);

test('VERSION: MS-NLMP 4.2 AUTHENTICATE version 5.1 build 2600 revision 15', () => {
  const b = fromHex('0501280a0000000f');
  const v = versionCodec.decode(b);
  assert.deepEqual(v, { productMajorVersion: 5, productMinorVersion: 1, productBuild: 2600, ntlmRevisionCurrent: 15 });
  assert.equal(toHex(versionCodec.encode(v)), '0501280a0000000f');
  assert.equal(versionCodec.name, 'VERSION');
});

test('VERSION: non-zero Reserved bytes are kept and re-encoded', () => {
  const b = fromHex('0a00614a0102030f');
  const v = versionCodec.decode(b);
  assert.deepEqual(v.reserved, new Uint8Array([1, 2, 3]));
  assert.equal(v.productBuild, 19041);
  assert.equal(toHex(versionCodec.encode(v)), '0a00614a0102030f');
});

test('VERSION: strict length and encodable values', () => {
  throwsCode(() => versionCodec.decode(fromHex('0501280a000000')), 'DECODE_TRUNCATED');
  throwsCode(() => versionCodec.decode(fromHex('0501280a0000000f00')), 'DECODE_TRAILING_BYTES', 8);
  const ok = { productMajorVersion: 1, productMinorVersion: 2, productBuild: 3, ntlmRevisionCurrent: 15 };
  throwsCode(() => versionCodec.encode({ ...ok, productMajorVersion: 256 }), 'ENCODE_BAD_VALUE');
  throwsCode(() => versionCodec.encode({ ...ok, productBuild: -1 }), 'ENCODE_BAD_VALUE');
  throwsCode(() => versionCodec.encode({ ...ok, reserved: new Uint8Array(2) }), 'ENCODE_BAD_VALUE');
});
