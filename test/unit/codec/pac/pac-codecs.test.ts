// MS-PAC codecs against the real Samba PAC: PACTYPE and the byte-exact buffers (client info,
// signatures, UPN/DNS info) round-trip; KERB_VALIDATION_INFO decodes; malformed input gets typed errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toHex, utf16le, concat } from '../../../../src/bytes/index.js';
import {
  PacBufferType, decodeKerbValidationInfo, decodeSid, filetimeToDate, dateToFiletime, pacBuffer, pacClientInfoCodec,
  pacSignatureDataCodec, pacTypeCodec, parseSid, sidBytes, sidToString, sidWithRid, upnDnsInfoCodec, type PacType,
} from '../../../../src/codec/pac/index.js';
import { assertCode } from '../../../helpers/errors.js';
import { samba, sambaPac, win2003, win2003Pac } from './vectors.js';

const buf = (p: PacType, type: number): Uint8Array => pacBuffer(p, type)!.data;

test('PACTYPE: the Samba PAC lists its 7 buffers at 8-aligned offsets and re-encodes byte for byte, also with offsets left to encode', () => {
  const bytes = sambaPac();
  const p = pacTypeCodec.decode(bytes);
  assert.equal(p.version, 0);
  assert.deepEqual(p.buffers.map((b) => b.type), samba.expected.bufferTypes);
  assert.deepEqual(p.buffers.map((b) => b.offset), [120, 552, 576, 696, 712, 728, 744]);
  assert.deepEqual(p.buffers.map((b) => b.data.length), [432, 20, 120, 16, 16, 16, 16]);
  assert.equal(p.size, bytes.length);
  assert.equal(toHex(pacTypeCodec.encode(p)), samba.pac);
  assert.equal(toHex(pacTypeCodec.encode({ version: 0, buffers: p.buffers.map((b) => ({ type: b.type, data: b.data })) })), samba.pac);
});

test('PACTYPE: explicit offsets and an unpadded end survive a round trip; a canonical encode pads to 8', () => {
  const p: PacType = { version: 0, buffers: [{ type: 10, data: new Uint8Array([1, 2, 3]), offset: 40 }, { type: 6, data: new Uint8Array([9]) }] };
  const e = pacTypeCodec.encode(p);
  assert.equal(e.length, 56);
  const d = pacTypeCodec.decode(e);
  assert.deepEqual(d.buffers.map((b) => b.offset), [40, 48]);
  assert.deepEqual(pacTypeCodec.encode(d), e);
  // Unpadded: the PAC ends right after its last buffer.
  const unpadded = e.subarray(0, 49);
  const u = pacTypeCodec.decode(unpadded);
  assert.equal(u.size, 49);
  assert.deepEqual(pacTypeCodec.encode(u), unpadded);
  assert.throws(() => pacTypeCodec.encode({ version: 0, buffers: [{ type: 1, data: new Uint8Array(9), offset: 24 }, { type: 2, data: new Uint8Array(1), offset: 32 }] }), { code: 'ENCODE_BAD_VALUE' });
  assert.throws(() => pacTypeCodec.encode({ version: 0, buffers: [{ type: 1, data: new Uint8Array(1), offset: 12 }] }), { code: 'ENCODE_BAD_VALUE' });
  assert.throws(() => pacTypeCodec.encode({ version: 1, buffers: [] }), { code: 'ENCODE_BAD_VALUE' });
});

test('PACTYPE: bad version, counts, offsets, overlaps, padding and trailing bytes are refused with their offsets', () => {
  const good = sambaPac();
  const patch = (at: number, bytes: number[]): Uint8Array => {
    const b = new Uint8Array(good);
    b.set(bytes, at);
    return b;
  };
  assertCode(() => pacTypeCodec.decode(patch(4, [1])), 'DECODE_BAD_VALUE', 4);
  assertCode(() => pacTypeCodec.decode(patch(0, [0xff, 0xff, 0xff, 0x7f])), 'DECODE_LIMIT', 0);
  assertCode(() => pacTypeCodec.decode(patch(0, [100])), 'DECODE_TRUNCATED', 0);
  assertCode(() => pacTypeCodec.decode(patch(8 + 8, [121])), 'DECODE_BAD_VALUE', 16); // offset not a multiple of 8
  assertCode(() => pacTypeCodec.decode(patch(8 + 12, [1])), 'DECODE_BAD_VALUE', 16); // high word of the 64-bit offset
  assertCode(() => pacTypeCodec.decode(patch(8 + 8, [16])), 'DECODE_BAD_VALUE', 16); // inside the buffer list
  assertCode(() => pacTypeCodec.decode(patch(8 + 4, [0xff, 0xff])), 'DECODE_TRUNCATED', 12); // size past the end
  assertCode(() => pacTypeCodec.decode(patch(24 + 8, [120, 0])), 'DECODE_BAD_VALUE', 120); // client info over logon info
  assertCode(() => pacTypeCodec.decode(patch(572, [1])), 'DECODE_BAD_VALUE', 572); // padding after client info
  assertCode(() => pacTypeCodec.decode(concat(good, new Uint8Array(8))), 'DECODE_TRAILING_BYTES', 760);
  assertCode(() => pacTypeCodec.decode(concat(good, new Uint8Array(1))), 'DECODE_TRAILING_BYTES', 760);
  assertCode(() => pacTypeCodec.decode(good.subarray(0, 7)), 'DECODE_TRUNCATED');
  assertCode(() => pacTypeCodec.decode(good, { maxBytes: 700 }), 'DECODE_LIMIT', 0);
  assertCode(() => pacTypeCodec.decode(good, { maxElements: 6 }), 'DECODE_LIMIT', 0);
  // Two buffers of one type: the codec keeps them, the lookup refuses.
  const dup = pacTypeCodec.decode(patch(24, [1]));
  assertCode(() => pacBuffer(dup, PacBufferType.LOGON_INFO), 'DECODE_BAD_VALUE');
});

test('PAC_CLIENT_INFO: alice at the ticket authtime; round trip; odd, short and long names refused', () => {
  const b = buf(pacTypeCodec.decode(sambaPac()), PacBufferType.CLIENT_INFO);
  const c = pacClientInfoCodec.decode(b);
  assert.equal(c.name, 'alice');
  assert.equal(filetimeToDate(c.clientId)!.toISOString(), samba.authtime);
  assert.equal(c.clientId, dateToFiletime(new Date(samba.authtime)));
  assert.deepEqual(pacClientInfoCodec.encode(c), b);
  assert.deepEqual(pacClientInfoCodec.decode(pacClientInfoCodec.encode({ clientId: 1n, name: 'Ünïcødé@x' })), { clientId: 1n, name: 'Ünïcødé@x' });
  const odd = new Uint8Array(b);
  odd[8] = 9;
  assertCode(() => pacClientInfoCodec.decode(odd), 'DECODE_BAD_VALUE', 8);
  assertCode(() => pacClientInfoCodec.decode(b.subarray(0, 19)), 'DECODE_TRUNCATED');
  assertCode(() => pacClientInfoCodec.decode(concat(b, new Uint8Array(2))), 'DECODE_TRAILING_BYTES', 20);
  // A lone surrogate survives the round trip (JavaScript strings hold one).
  const lone = concat(new Uint8Array(8), new Uint8Array([2, 0, 0x00, 0xd8]));
  assert.deepEqual(pacClientInfoCodec.encode(pacClientInfoCodec.decode(lone)), lone);
  assert.equal(filetimeToDate(0n), undefined);
  assert.equal(filetimeToDate(0x7fffffffffffffffn), undefined);
});

test('PAC_SIGNATURE_DATA: the four Samba signatures are HMAC-SHA1-96-AES256; RODC identifier, HMAC-MD5 and unknown types round-trip', () => {
  const p = pacTypeCodec.decode(sambaPac());
  for (const t of [6, 7, 16, 19]) {
    const b = buf(p, t);
    const s = pacSignatureDataCodec.decode(b);
    assert.equal(s.signatureType, 16);
    assert.equal(s.signature.length, 12);
    assert.equal(s.rodcIdentifier, undefined);
    assert.deepEqual(pacSignatureDataCodec.encode(s), b);
  }
  assert.equal(toHex(pacSignatureDataCodec.decode(buf(p, 6)).signature), samba.expected.serverSignature);
  const md5 = { signatureType: -138, signature: new Uint8Array(16).fill(7), rodcIdentifier: 0x1234 };
  const e = pacSignatureDataCodec.encode(md5);
  assert.equal(toHex(e.subarray(0, 4)), '76ffffff');
  assert.deepEqual(pacSignatureDataCodec.decode(e), md5);
  const unknown = { signatureType: 99, signature: new Uint8Array([1, 2, 3]) };
  assert.deepEqual(pacSignatureDataCodec.decode(pacSignatureDataCodec.encode(unknown)), unknown);
  assertCode(() => pacSignatureDataCodec.decode(e.subarray(0, 10)), 'DECODE_TRUNCATED');
  assertCode(() => pacSignatureDataCodec.decode(e.subarray(0, 21)), 'DECODE_TRUNCATED');
  assertCode(() => pacSignatureDataCodec.decode(concat(e, new Uint8Array(1))), 'DECODE_TRAILING_BYTES', 22);
  assert.throws(() => pacSignatureDataCodec.encode({ signatureType: 16, signature: new Uint8Array(16) }), { code: 'ENCODE_BAD_VALUE' });
});

test('UPN_DNS_INFO: Samba writes alice@samba.test (lower-case domain), SAMBA.TEST, and with the S flag the SAM name and user SID; round trip', () => {
  const b = buf(pacTypeCodec.decode(sambaPac()), PacBufferType.UPN_DNS_INFO);
  const u = upnDnsInfoCodec.decode(b);
  assert.equal(u.upn, samba.expected.upn);
  assert.equal(u.dnsDomainName, samba.expected.dnsDomain);
  assert.equal(u.flags, samba.expected.upnFlags);
  assert.equal(u.samName, 'alice');
  assert.equal(sidToString(u.sid!), samba.expected.userSid);
  assert.deepEqual(u.layout, samba.expected.upnLayout);
  assert.deepEqual(upnDnsInfoCodec.encode(u), b);
  // Without a layout: fields at multiples of 8; decodes back to the same values.
  const { layout: _l, ...plain } = u;
  const c = upnDnsInfoCodec.encode(plain);
  const back = upnDnsInfoCodec.decode(c);
  assert.deepEqual({ ...back, layout: undefined }, { ...plain, layout: undefined });
  assert.deepEqual(back.layout, { upnOffset: 24, dnsDomainNameOffset: 56, samNameOffset: 80, sidOffset: 96, size: 128 });
  // Without the S flag.
  const short = upnDnsInfoCodec.encode({ upn: 'bob@x.test', dnsDomainName: 'X.TEST', flags: 1 });
  assert.deepEqual(upnDnsInfoCodec.decode(short), { upn: 'bob@x.test', dnsDomainName: 'X.TEST', flags: 1, layout: { upnOffset: 16, dnsDomainNameOffset: 40, size: 56 } });
});

test('UPN_DNS_INFO: offsets outside the buffer, into the header, non-zero gaps and bad SIDs are refused', () => {
  const b = buf(pacTypeCodec.decode(sambaPac()), PacBufferType.UPN_DNS_INFO);
  const patch = (at: number, bytes: number[]): Uint8Array => {
    const x = new Uint8Array(b);
    x.set(bytes, at);
    return x;
  };
  assertCode(() => upnDnsInfoCodec.decode(patch(2, [0x70])), 'DECODE_TRUNCATED', 0x70);
  assertCode(() => upnDnsInfoCodec.decode(patch(2, [4])), 'DECODE_BAD_VALUE');
  assertCode(() => upnDnsInfoCodec.decode(patch(20, [1])), 'DECODE_BAD_VALUE', 20);
  assertCode(() => upnDnsInfoCodec.decode(patch(118, [1])), 'DECODE_BAD_VALUE', 118);
  assertCode(() => upnDnsInfoCodec.decode(patch(0, [0x21])), 'DECODE_BAD_VALUE');
  assertCode(() => upnDnsInfoCodec.decode(patch(90, [2])), 'DECODE_BAD_VALUE', 90); // SID revision
  assertCode(() => upnDnsInfoCodec.decode(patch(16, [0x1d])), 'DECODE_TRAILING_BYTES'); // SID length one too many
  assertCode(() => upnDnsInfoCodec.decode(b.subarray(0, 16)), 'DECODE_TRUNCATED');
  assert.throws(() => upnDnsInfoCodec.encode({ upn: 'a', dnsDomainName: 'b', flags: 2 }), { code: 'ENCODE_BAD_VALUE' });
});

test('SIDs: string form (decimal authority, hex above 32 bits), parse round trip, limits', () => {
  const s = parseSid(samba.expected.domainSid);
  assert.equal(sidToString(s), samba.expected.domainSid);
  assert.equal(sidToString(sidWithRid(s, 513)), `${samba.expected.domainSid}-513`);
  assert.deepEqual(decodeSid(sidBytes(s)), s);
  assert.equal(toHex(sidBytes(parseSid('S-1-18-1'))), '010100000000001201000000');
  assert.equal(sidToString({ revision: 1, authority: 2 ** 40 + 1, subAuthorities: [1] }), 'S-1-0x010000000001-1');
  assert.equal(sidToString(parseSid('S-1-0x010000000001-1')), 'S-1-0x010000000001-1');
  assert.equal(sidToString(parseSid('S-1-1-0')), 'S-1-1-0');
  assert.throws(() => parseSid('S-2-1'), { code: 'BAD_ARGUMENT' });
  assert.throws(() => parseSid(`S-1-5${'-1'.repeat(16)}`), { code: 'BAD_ARGUMENT' });
  assertCode(() => decodeSid(new Uint8Array([1, 16, 0, 0, 0, 0, 0, 5])), 'DECODE_LIMIT', 1);
  assertCode(() => decodeSid(new Uint8Array([1, 1, 0, 0, 0, 0, 0, 5, 1, 0, 0])), 'DECODE_TRUNCATED');
});

test('KERB_VALIDATION_INFO (NDR): the Samba logon info decodes to alice in SAMBA with Domain Users and S-1-18-1', () => {
  const li = decodeKerbValidationInfo(buf(pacTypeCodec.decode(sambaPac()), PacBufferType.LOGON_INFO));
  assert.equal(li.effectiveName, 'alice');
  assert.equal(li.fullName, '');
  assert.equal(li.logonServer, 'DC1');
  assert.equal(li.logonDomainName, 'SAMBA');
  assert.equal(sidToString(li.logonDomainId!), samba.expected.domainSid);
  assert.equal(li.userId, 1102);
  assert.equal(li.primaryGroupId, 513);
  assert.deepEqual(li.groupIds, [{ relativeId: 513, attributes: 7 }]);
  assert.deepEqual(li.extraSids.map((e) => [sidToString(e.sid), e.attributes]), [['S-1-18-1', 7]]);
  assert.equal(li.userFlags, 0x20);
  assert.equal(li.userAccountControl, 0x10);
  assert.equal(li.logoffTime, 0x7fffffffffffffffn);
  assert.equal(li.resourceGroupDomainSid, undefined);
  assert.deepEqual(li.resourceGroupIds, []);
  assert.deepEqual(li.userSessionKey, new Uint8Array(16));
  assert.ok(filetimeToDate(li.logonTime)!.getTime() >= new Date(samba.authtime).getTime());
});

test('KERB_VALIDATION_INFO (NDR): bad headers, counts beyond the data and bounds that disagree are refused before allocation', () => {
  const b = buf(pacTypeCodec.decode(sambaPac()), PacBufferType.LOGON_INFO);
  const patch = (at: number, bytes: number[]): Uint8Array => {
    const x = new Uint8Array(b);
    x.set(bytes, at);
    return x;
  };
  const S = 20; // the structure starts after the two headers and the referent ID
  assertCode(() => decodeKerbValidationInfo(patch(0, [2])), 'DECODE_BAD_VALUE', 0);
  assertCode(() => decodeKerbValidationInfo(patch(1, [0x00])), 'DECODE_BAD_VALUE', 1);
  assertCode(() => decodeKerbValidationInfo(patch(2, [9])), 'DECODE_BAD_VALUE', 2);
  assertCode(() => decodeKerbValidationInfo(patch(8, [0xa1])), 'DECODE_BAD_VALUE', 8);
  assertCode(() => decodeKerbValidationInfo(patch(8, [0xa8])), 'DECODE_TRUNCATED');
  assertCode(() => decodeKerbValidationInfo(patch(8, [0x98])), 'DECODE_TRAILING_BYTES');
  assertCode(() => decodeKerbValidationInfo(patch(16, [0, 0, 0, 0])), 'DECODE_BAD_VALUE', 16);
  // GroupCount 0x7fffffff: refused by the count check, not by running out of memory.
  assertCode(() => decodeKerbValidationInfo(patch(S + 108, [0xff, 0xff, 0xff, 0x7f])), 'DECODE_BAD_VALUE');
  assertCode(() => decodeKerbValidationInfo(patch(S + 196, [0xff, 0xff, 0xff, 0x7f])), 'DECODE_BAD_VALUE');
  // EffectiveName Length odd, and longer than its buffer.
  assertCode(() => decodeKerbValidationInfo(patch(S + 48, [11])), 'DECODE_BAD_VALUE', S + 48);
  assertCode(() => decodeKerbValidationInfo(patch(S + 48, [12, 0, 12])), 'DECODE_BAD_VALUE');
  assertCode(() => decodeKerbValidationInfo(b.subarray(0, 100)), 'DECODE_TRUNCATED');
  assertCode(() => decodeKerbValidationInfo(b, { maxBytes: 100 }), 'DECODE_LIMIT', 0);
  assertCode(() => decodeKerbValidationInfo(new Uint8Array(0)), 'DECODE_TRUNCATED', 0);
});

test('KERB_VALIDATION_INFO (NDR): a huge conformant count with matching struct count is a DECODE_LIMIT/TRUNCATED, not an allocation', () => {
  const b = buf(pacTypeCodec.decode(sambaPac()), PacBufferType.LOGON_INFO);
  // Find the GroupIds conformance (MaxCount 1 followed by RID 513) and raise both counts together.
  const hex = toHex(b);
  const at = hex.indexOf('010000000102000007000000') / 2;
  assert.ok(at > 0);
  for (const [n, code] of [[0x7fffffff, 'DECODE_LIMIT'], [5000, 'DECODE_TRUNCATED']] as const) {
    const x = new Uint8Array(b);
    const le = [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24];
    x.set(le, at);
    x.set(le, 20 + 108);
    assertCode(() => decodeKerbValidationInfo(x), code, at);
  }
  assert.deepEqual(utf16le('a').length, 2);
});

test('the Windows Server 2003 PAC (MIT t_pac.c): 4 buffers, HMAC-MD5 signatures, logon info for a machine account; byte-exact round trip', () => {
  const bytes = win2003Pac();
  const p = pacTypeCodec.decode(bytes);
  assert.deepEqual(p.buffers.map((b) => b.type), win2003.expected.bufferTypes);
  assert.deepEqual(p.buffers.map((b) => b.offset), win2003.expected.offsets);
  assert.deepEqual(p.buffers.map((b) => b.data.length), win2003.expected.sizes);
  assert.equal(toHex(pacTypeCodec.encode(p)), win2003.pac);
  assert.equal(toHex(pacTypeCodec.encode({ version: 0, buffers: p.buffers.map((b) => ({ type: b.type, data: b.data })) })), win2003.pac);
  for (const t of [6, 7]) {
    const s = pacSignatureDataCodec.decode(buf(p, t));
    assert.equal(s.signatureType, -138);
    assert.equal(s.signature.length, 16);
    assert.deepEqual(pacSignatureDataCodec.encode(s), buf(p, t));
  }
  const c = pacClientInfoCodec.decode(buf(p, PacBufferType.CLIENT_INFO));
  assert.equal(c.name, win2003.cname);
  assert.equal(filetimeToDate(c.clientId)!.toISOString(), win2003.authtime);
  assert.deepEqual(pacClientInfoCodec.encode(c), buf(p, PacBufferType.CLIENT_INFO));
  const li = decodeKerbValidationInfo(buf(p, PacBufferType.LOGON_INFO));
  assert.equal(li.effectiveName, win2003.expected.user);
  assert.equal(li.logonDomainName, win2003.expected.domain);
  assert.equal(li.logonServer, win2003.expected.logonServer);
  assert.equal(li.logonCount, win2003.expected.logonCount);
  assert.equal(li.userAccountControl, win2003.expected.userAccountControl);
  assert.equal(sidToString(sidWithRid(li.logonDomainId!, li.userId)), win2003.expected.userSid);
  assert.deepEqual(li.extraSids.map((e) => sidToString(e.sid)), ['S-1-5-9']);
});
