// RFC 2743 section 3.1 framing: header and OID strict, inner token opaque.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromHex, toHex } from '../../../../src/bytes/index.js';
import { OID } from '../../../../src/iana/oids.js';
import { InitialContextToken, hasInitialContextTokenHeader } from '../../../../src/codec/gss/initial-context-token.js';
import { assertCode } from '../../../helpers/errors.js';

// Kerberos-style: krb5 OID, TOK_ID 01 00, then (here empty) AP-REQ 6e 00. The inner bytes are not one DER element.
const KRB = '600f06092a864886f71201020201006e00';

test('InitialContextToken: krb5 token, inner bytes kept as they are', () => {
  const v = InitialContextToken.decode(fromHex(KRB));
  assert.equal(v.mech, OID.KRB5);
  assert.equal(toHex(v.innerToken), '01006e00');
  assert.equal(toHex(InitialContextToken.encode(v)), KRB);
  assert.equal(InitialContextToken.name, 'InitialContextToken');
});

test('InitialContextToken: non-DER inner token (raw NTLMSSP) round-trips', () => {
  const ntlm = new TextEncoder().encode('NTLMSSP\0\x01\x00\x00\x00');
  const enc = InitialContextToken.encode({ mech: OID.NTLMSSP, innerToken: ntlm });
  assert.equal(toHex(enc.subarray(0, 14)), '6018060a2b06010401823702020a');
  const v = InitialContextToken.decode(enc);
  assert.deepEqual(v, { mech: OID.NTLMSSP, innerToken: ntlm });
});

test('InitialContextToken: long-form header for a large inner token', () => {
  const inner = new Uint8Array(1000).fill(0xab);
  const enc = InitialContextToken.encode({ mech: OID.SPNEGO, innerToken: inner });
  assert.equal(toHex(enc.subarray(0, 12)), '608203f006062b0601050502');
  assert.deepEqual(InitialContextToken.decode(enc).innerToken, inner);
});

test('InitialContextToken: strict header', () => {
  let e = assertCode(() => InitialContextToken.decode(fromHex('608006092a864886f71201020201000000')), 'DECODE_BAD_LENGTH');
  assert.equal(e.offset, 1);
  e = assertCode(() => InitialContextToken.decode(fromHex('60810f06092a864886f71201020201006e00')), 'DECODE_BAD_LENGTH');
  assert.equal(e.offset, 1);
  e = assertCode(() => InitialContextToken.decode(fromHex(KRB + '00')), 'DECODE_TRAILING_BYTES');
  assert.equal(e.offset, 17);
  e = assertCode(() => InitialContextToken.decode(fromHex('600f04092a864886f71201020201006e00')), 'DECODE_BAD_TAG'); // not an OID
  assert.equal(e.offset, 2);
  assertCode(() => InitialContextToken.decode(fromHex('6000')), 'DECODE_TRUNCATED'); // no thisMech
  assertCode(() => InitialContextToken.decode(fromHex('6010' + KRB.slice(4))), 'DECODE_TRUNCATED');
  e = assertCode(() => InitialContextToken.decode(fromHex('a00f06092a864886f71201020201006e00')), 'DECODE_BAD_TAG');
  assert.equal(e.offset, 0);
  assertCode(() => InitialContextToken.decode(fromHex('600406022a86')), 'DECODE_TRUNCATED'); // OID ends inside an arc
  assertCode(() => InitialContextToken.decode(fromHex(KRB), { maxBytes: 8 }), 'DECODE_LIMIT');
});

test('hasInitialContextTokenHeader: never throws, true only for a whole framed token', () => {
  assert.equal(hasInitialContextTokenHeader(fromHex(KRB)), true);
  assert.equal(hasInitialContextTokenHeader(fromHex(KRB + '00')), false);
  assert.equal(hasInitialContextTokenHeader(fromHex(KRB.slice(0, -2))), false);
  assert.equal(hasInitialContextTokenHeader(fromHex('a1153013a0030a0101a10c060a2b06010401823702020a')), false);
  assert.equal(hasInitialContextTokenHeader(new Uint8Array(0)), false);
  assert.equal(hasInitialContextTokenHeader(fromHex('60')), false);
  assert.equal(hasInitialContextTokenHeader(new TextEncoder().encode('NTLMSSP\0')), false);
});
