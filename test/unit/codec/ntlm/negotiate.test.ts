import { test } from 'node:test';
import { assertCode } from '../../../helpers/errors.js';
import assert from 'node:assert/strict';
import type { ErrorCode } from '../../../../src/errors.js';
import { negotiateMessageCodec, type NegotiateMessage } from '../../../../src/codec/ntlm/negotiate.js';
import { fromHex, toHex } from '../../../../src/bytes/encoding.js';
import {
  NTLMSSP_NEGOTIATE_OEM_DOMAIN_SUPPLIED,
  NTLMSSP_NEGOTIATE_OEM_WORKSTATION_SUPPLIED,
} from '../../../../src/iana/ntlm.js';

const throwsCode = (fn: () => unknown, code: ErrorCode, offset?: number): void => void assertCode(fn, code, offset);

const SIG = '4e544c4d53535000';
const roundTrip = (hex: string): NegotiateMessage => {
  const m = negotiateMessageCodec.decode(fromHex(hex));
  assert.equal(toHex(negotiateMessageCodec.encode(m)), hex);
  return m;
};

test('NEGOTIATE_MESSAGE: hand-built, Windows canonical layout (empty fields at offset 0, VERSION)', () => {
  const m: NegotiateMessage = {
    negotiateFlags: 0xe2088297,
    domainName: '',
    workstation: '',
    version: { productMajorVersion: 10, productMinorVersion: 0, productBuild: 19041, ntlmRevisionCurrent: 15 },
  };
  const hex = SIG + '01000000' + '978208e2' + '0000000000000000' + '0000000000000000' + '0a00614a0000000f';
  assert.equal(toHex(negotiateMessageCodec.encode(m)), hex);
  assert.deepEqual(negotiateMessageCodec.decode(fromHex(hex)), m); // canonical: no layout kept
  assert.equal(negotiateMessageCodec.name, 'NEGOTIATE_MESSAGE');
});

test('NEGOTIATE_MESSAGE: OEM domain and workstation, canonical payload after VERSION', () => {
  const m: NegotiateMessage = {
    negotiateFlags: 0x00000001 | NTLMSSP_NEGOTIATE_OEM_DOMAIN_SUPPLIED | NTLMSSP_NEGOTIATE_OEM_WORKSTATION_SUPPLIED | 0x02000000,
    domainName: 'DOMAIN',
    workstation: 'WS\u00e9',
    version: { productMajorVersion: 6, productMinorVersion: 1, productBuild: 7601, ntlmRevisionCurrent: 15 },
  };
  const b = negotiateMessageCodec.encode(m);
  assert.equal(
    toHex(b),
    SIG + '01000000' + '01300002' + '0600060028000000' + '030003002e000000' + '0601b11d0000000f' + '444f4d41494e' + '5753e9',
  );
  assert.deepEqual(negotiateMessageCodec.decode(b), m);
});

test('NEGOTIATE_MESSAGE: 32-byte form without VERSION (pre-Vista / curl style)', () => {
  const m = roundTrip(SIG + '01000000' + '06820800' + '0000000000000000' + '0000000000000000');
  assert.equal(m.version, undefined);
  assert.equal(m.layout, undefined);
  assert.equal(m.negotiateFlags, 0x00088206);
});

test('NEGOTIATE_MESSAGE: sender layouts are kept byte for byte', () => {
  // Empty fields pointing at the end of the header instead of 0.
  let m = roundTrip(SIG + '01000000' + '07320000' + '0000000028000000' + '0000000028000000' + '0601b11d0000000f');
  assert.deepEqual(m.layout?.fields, { DomainName: { offset: 40, maxLen: 0 }, Workstation: { offset: 40, maxLen: 0 } });
  // Workstation before DomainName, no VERSION, MaxLen larger than Len, 2 padding bytes.
  m = roundTrip(SIG + '01000000' + '07320000' + '0300080023000000' + '0200020020000000' + '5753' + 'aa' + '444f4d');
  assert.equal(m.domainName, 'DOM');
  assert.equal(m.workstation, 'WS');
  assert.equal(m.version, undefined);
  assert.deepEqual(m.layout?.gaps, [{ offset: 34, bytes: new Uint8Array([0xaa]) }]);
  // Edited to a longer name that would overlap: falls back to the canonical layout.
  const edited = negotiateMessageCodec.encode({ ...m, workstation: 'WORKSTATION' });
  const back = negotiateMessageCodec.decode(edited);
  assert.equal(back.workstation, 'WORKSTATION');
  assert.equal(back.domainName, 'DOM');
  assert.equal(back.layout, undefined);
});

test('NEGOTIATE_MESSAGE: malformed input is rejected with the offset', () => {
  const hdr = SIG + '01000000' + '07320000';
  throwsCode(() => negotiateMessageCodec.decode(fromHex(SIG + '01000000' + '07320000')), 'DECODE_TRUNCATED', 16);
  throwsCode(() => negotiateMessageCodec.decode(fromHex('4e544c4d53535001' + '01000000' + '00'.repeat(24))), 'DECODE_BAD_VALUE', 0);
  throwsCode(() => negotiateMessageCodec.decode(fromHex(SIG + '02000000' + '00'.repeat(24))), 'DECODE_BAD_VALUE', 8);
  // DomainName runs past the end.
  throwsCode(() => negotiateMessageCodec.decode(fromHex(hdr + '0400040020000000' + '0000000000000000' + '4142')), 'DECODE_BAD_LENGTH', 16);
  // Non-empty field inside the fixed header.
  throwsCode(() => negotiateMessageCodec.decode(fromHex(hdr + '0200020010000000' + '0000000000000000')), 'DECODE_BAD_LENGTH', 16);
  // Overlapping fields.
  throwsCode(() => negotiateMessageCodec.decode(fromHex(hdr + '0200020020000000' + '0200020021000000' + '414243')), 'DECODE_BAD_LENGTH', 24);
  // Bytes after the last field.
  throwsCode(() => negotiateMessageCodec.decode(fromHex(hdr + '0200020020000000' + '0000000000000000' + '414243')), 'DECODE_TRAILING_BYTES', 34);
  // Between 32 and 40 bytes with no payload: not a VERSION, so trailing.
  throwsCode(() => negotiateMessageCodec.decode(fromHex(hdr + '00'.repeat(16) + '0000')), 'DECODE_TRAILING_BYTES', 32);
});

test('NEGOTIATE_MESSAGE: 64 KiB cap and caller limits', () => {
  const big = new Uint8Array(64 * 1024 + 1);
  big.set(fromHex(SIG + '01000000'));
  throwsCode(() => negotiateMessageCodec.decode(big), 'DECODE_LIMIT');
  throwsCode(() => negotiateMessageCodec.decode(big, { maxBytes: 1 << 20 }), 'DECODE_LIMIT');
  throwsCode(() => negotiateMessageCodec.decode(fromHex(SIG + '01000000' + '00'.repeat(24)), { maxBytes: 31 }), 'DECODE_LIMIT');
  throwsCode(() => negotiateMessageCodec.encode({ negotiateFlags: 0, domainName: 'x'.repeat(0x10000), workstation: '' }), 'ENCODE_BAD_VALUE');
  throwsCode(() => negotiateMessageCodec.encode({ negotiateFlags: 0, domainName: '\u0100', workstation: '' }), 'ENCODE_BAD_VALUE');
  throwsCode(() => negotiateMessageCodec.encode({ negotiateFlags: 2 ** 32, domainName: '', workstation: '' }), 'ENCODE_BAD_VALUE');
});

test('NEGOTIATE_MESSAGE: a Buffer input decodes to independent plain Uint8Arrays', () => {
  const buf = Buffer.from(fromHex(SIG + '01000000' + '07320000' + '00'.repeat(16) + '0a00614a0102030f'));
  const m = negotiateMessageCodec.decode(buf);
  assert.equal(Object.getPrototypeOf(m.version?.reserved), Uint8Array.prototype);
  buf.fill(0);
  assert.deepEqual(m.version?.reserved, new Uint8Array([1, 2, 3]));
});
