import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ERROR_CODES, GssMajor, SpnegoError } from '../../src/errors.js';
import * as pkg from '../../src/index.js';

test('every error code maps to a GSS major status (RFC 2743 1.2.1.1)', () => {
  const majors = new Set(Object.values(GssMajor));
  for (const code of ERROR_CODES) {
    const e = new SpnegoError(code, 'x');
    assert.ok(majors.has(e.major as never), code);
  }
  assert.equal(new SpnegoError('DECODE_TRUNCATED', 'm').major, GssMajor.DEFECTIVE_TOKEN);
  assert.equal(new SpnegoError('BAD_MIC', 'm').major, 6 << 16);
});

test('decode errors carry the offset in the message and in toJSON', () => {
  const e = new SpnegoError('DECODE_BAD_TAG', 'expected SEQUENCE', { offset: 12 });
  assert.equal(e.message, 'expected SEQUENCE (at byte 12)');
  assert.deepEqual(e.toJSON(), { code: 'DECODE_BAD_TAG', major: GssMajor.DEFECTIVE_TOKEN, message: 'expected SEQUENCE (at byte 12)', offset: 12 });
  assert.ok(e instanceof Error);
  assert.equal(e.name, 'SpnegoError');
});

test('the package entry exports the error model, codecs and inspect', () => {
  assert.equal(typeof pkg.inspectInput, 'function');
  assert.equal(typeof pkg.spnegoCodec.decodeSpnegoToken, 'function');
  assert.equal(typeof pkg.ntlmCodec.decodeNtlmMessage, 'function');
  assert.equal(typeof pkg.krb5Codec.apReqCodec.decode, 'function');
  assert.equal(pkg.OID.SPNEGO, '1.3.6.1.5.5.2');
});
