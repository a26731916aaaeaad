// KERB_VALIDATION_INFO paths the two real PACs do not take: full name and other strings, null string
// pointers, several extra SIDs, resource groups, no LogonDomainId. The NDR is built here by hand
// (MS-RPCE 2.2.6 header, top-level referent, fixed part, deferred referents in field order).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ByteWriter, utf16le } from '../../../../src/bytes/index.js';
import { decodeKerbValidationInfo, parseSid, sidBytes, sidToString, sidWithRid, type Sid } from '../../../../src/codec/pac/index.js';
import { decodePac, pacIdentity } from '../../../../src/mech/krb5/pac.js';
import { pacTypeCodec, pacClientInfoCodec, pacSignatureDataCodec } from '../../../../src/codec/pac/index.js';
import { assertCode } from '../../../helpers/errors.js';

interface Input {
  strings: (string | null)[]; // EffectiveName, FullName, LogonScript, ProfilePath, HomeDirectory, HomeDirectoryDrive
  userId: number;
  primaryGroupId: number;
  groups: [number, number][];
  logonServer: string | null;
  logonDomainName: string | null;
  domainSid: Sid | null;
  extraSids: [Sid, number][] | null;
  resourceDomain: Sid | null;
  resourceGroups: [number, number][] | null;
}

function build(v: Input): Uint8Array {
  let ref = 0x20000;
  const next = (): number => (ref += 4);
  const w = new ByteWriter();
  const deferred: ((w: ByteWriter) => void)[] = [];
  const align = (x: ByteWriter): void => void x.zeros((4 - (x.length % 4)) % 4);
  const str = (s: string | null): void => {
    const n = s === null ? 0 : s.length * 2;
    w.u16le(n).u16le(n).u32le(s === null ? 0 : next());
    if (s !== null) deferred.push((x) => {
      align(x);
      x.u32le(s.length).u32le(0).u32le(s.length).bytes(utf16le(s));
    });
  };
  const sid = (x: ByteWriter, s: Sid): void => {
    align(x);
    x.u32le(s.subAuthorities.length).bytes(sidBytes(s));
  };
  const groups = (g: [number, number][]) => (x: ByteWriter): void => {
    align(x);
    x.u32le(g.length);
    for (const [r, a] of g) x.u32le(r).u32le(a);
  };
  w.u32le(0x20000);
  for (let i = 0; i < 6; i++) w.u64le(BigInt(i + 1) * 1000n);
  for (const s of v.strings) str(s);
  w.u16le(3).u16le(0).u32le(v.userId).u32le(v.primaryGroupId).u32le(v.groups.length).u32le(next());
  deferred.push(groups(v.groups));
  w.u32le(0x20 | (v.resourceGroups ? 0x200 : 0)).zeros(16);
  str(v.logonServer);
  str(v.logonDomainName);
  w.u32le(v.domainSid ? next() : 0);
  if (v.domainSid) deferred.push((x) => sid(x, v.domainSid!));
  w.zeros(8).u32le(0x210).u32le(0).u64le(0n).u64le(0n).u32le(0).u32le(0);
  w.u32le(v.extraSids?.length ?? 0).u32le(v.extraSids ? next() : 0);
  if (v.extraSids) deferred.push((x) => {
    align(x);
    x.u32le(v.extraSids!.length);
    for (const [, a] of v.extraSids!) x.u32le(next()).u32le(a);
    for (const [s] of v.extraSids!) sid(x, s);
  });
  w.u32le(v.resourceDomain ? next() : 0);
  if (v.resourceDomain) deferred.push((x) => sid(x, v.resourceDomain!));
  w.u32le(v.resourceGroups?.length ?? 0).u32le(v.resourceGroups ? next() : 0);
  if (v.resourceGroups) deferred.push(groups(v.resourceGroups));
  for (const d of deferred) d(w);
  while (w.length % 8 !== 0) w.u8(0);
  const body = w.finish();
  return new ByteWriter().u8(1).u8(0x10).u16le(8).u32le(0xcccccccc).u32le(body.length).u32le(0).bytes(body).finish();
}

const DOM = parseSid('S-1-5-21-1-2-3');
const RES = parseSid('S-1-5-21-7-8-9');
const full: Input = {
  strings: ['carol', 'Carol Q. Example', '', null, '\\\\srv\\home\\carol', 'H:'],
  userId: 1201,
  primaryGroupId: 513,
  groups: [[513, 7], [512, 7], [1105, 7]],
  logonServer: 'DC2',
  logonDomainName: 'EXAMPLE',
  domainSid: DOM,
  extraSids: [[parseSid('S-1-18-1'), 7], [parseSid('S-1-5-21-4-5-6-1000'), 0x20000007]],
  resourceDomain: RES,
  resourceGroups: [[2001, 0x20000007], [2002, 0x20000007]],
};

test('strings (null and empty pointers, odd lengths), groups, several extra SIDs and resource groups decode', () => {
  const li = decodeKerbValidationInfo(build(full));
  assert.equal(li.effectiveName, 'carol');
  assert.equal(li.fullName, 'Carol Q. Example');
  assert.equal(li.logonScript, '');
  assert.equal(li.profilePath, '');
  assert.equal(li.homeDirectory, '\\\\srv\\home\\carol');
  assert.equal(li.homeDirectoryDrive, 'H:');
  assert.equal(li.logonCount, 3);
  assert.equal(li.logonTime, 1000n);
  assert.equal(li.passwordMustChange, 6000n);
  assert.deepEqual(li.groupIds, [{ relativeId: 513, attributes: 7 }, { relativeId: 512, attributes: 7 }, { relativeId: 1105, attributes: 7 }]);
  assert.equal(li.logonServer, 'DC2');
  assert.equal(li.logonDomainName, 'EXAMPLE');
  assert.equal(sidToString(li.logonDomainId!), 'S-1-5-21-1-2-3');
  assert.equal(li.userAccountControl, 0x210);
  assert.deepEqual(li.extraSids.map((e) => [sidToString(e.sid), e.attributes]), [['S-1-18-1', 7], ['S-1-5-21-4-5-6-1000', 0x20000007]]);
  assert.equal(sidToString(li.resourceGroupDomainSid!), 'S-1-5-21-7-8-9');
  assert.deepEqual(li.resourceGroupIds.map((g) => g.relativeId), [2001, 2002]);
  assert.equal(li.userFlags, 0x220);
});

test('pacIdentity: groups are the domain RIDs, then extra SIDs, then resource groups, without duplicates', () => {
  const li = build({ ...full, extraSids: [...full.extraSids!, [sidWithRid(DOM, 512), 7]] });
  const zeros = pacSignatureDataCodec.encode({ signatureType: 16, signature: new Uint8Array(12) });
  const pac = pacTypeCodec.encode({ version: 0, buffers: [
    { type: 1, data: li },
    { type: 10, data: pacClientInfoCodec.encode({ clientId: 0n, name: 'carol' }) },
    { type: 6, data: zeros },
    { type: 7, data: zeros },
  ] });
  const id = pacIdentity(decodePac(pac), 16);
  assert.equal(id.user, 'carol');
  assert.equal(id.fullName, 'Carol Q. Example');
  assert.equal(id.userSid, 'S-1-5-21-1-2-3-1201');
  assert.deepEqual(id.groupSids, [
    'S-1-5-21-1-2-3-513', 'S-1-5-21-1-2-3-512', 'S-1-5-21-1-2-3-1105',
    'S-1-18-1', 'S-1-5-21-4-5-6-1000',
    'S-1-5-21-7-8-9-2001', 'S-1-5-21-7-8-9-2002',
  ]);
  assert.equal(id.clientTime, undefined);
});

test('no LogonDomainId, no extra SIDs, no resource groups: empty SID strings and only what is there', () => {
  const bytes = build({ ...full, domainSid: null, extraSids: null, resourceDomain: null, resourceGroups: null, logonServer: null });
  const li = decodeKerbValidationInfo(bytes);
  assert.equal(li.logonDomainId, undefined);
  assert.deepEqual(li.extraSids, []);
  assert.equal(li.resourceGroupDomainSid, undefined);
  assert.deepEqual(li.resourceGroupIds, []);
  assert.equal(li.logonServer, '');
});

test('hand-built NDR with inconsistent conformance is refused', () => {
  // A SID whose conformance count disagrees with its SubAuthorityCount.
  const b = build(full);
  const sidAt = Buffer.from(b).indexOf(Buffer.from('04000000010400000000000515000000', 'hex'));
  assert.ok(sidAt > 0);
  const x = new Uint8Array(b);
  x[sidAt] = 5;
  assertCode(() => decodeKerbValidationInfo(x), 'DECODE_BAD_VALUE', sidAt + 5);
  // More than 15 sub-authorities in a conformance count.
  x[sidAt] = 16;
  assertCode(() => decodeKerbValidationInfo(x), 'DECODE_LIMIT', sidAt);
  // A string whose actual count disagrees with its Length.
  const nameAt = Buffer.from(b).indexOf(Buffer.from(utf16le('carol'))) - 4;
  const y = new Uint8Array(b);
  y[nameAt] = 4;
  assertCode(() => decodeKerbValidationInfo(y), 'DECODE_BAD_VALUE', nameAt - 8);
});
