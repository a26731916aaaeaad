// KERB_VALIDATION_INFO (MS-PAC 2.5), the PAC_LOGON_INFO buffer: NDR (MS-RPCE 2.2.6 type
// serialization version 1, NDR20, little-endian) of a top-level pointer to the structure.
//   Common Type Header (8): Version 1 | Endianness 0x10 | CommonHeaderLength 8 (u16) | Filler (u32)
//   Private Header (8): ObjectBufferLength (u32, a multiple of 8) | Filler (u32)
//   Referent ID of the top-level pointer (u32), the structure's fixed part (216 bytes), then the
//   deferred referents of its embedded pointers in field order: string buffers (conformant varying
//   WCHAR arrays: MaxCount, Offset, ActualCount), GroupIds (MaxCount, then RID/attributes pairs),
//   LogonDomainId (RPC_SID: MaxCount = SubAuthorityCount, then the SID), ExtraSids (MaxCount,
//   then SID-pointer/attributes pairs, then each SID), ResourceGroupDomainSid, ResourceGroupIds.
// Decode only. Every count is checked against the bytes left before anything is allocated.
import { ByteReader, fromUtf16le } from '../../bytes/index.js';
import { decodeError } from '../../errors.js';
import { resolveLimits, type DecodeLimits } from '../codec.js';
import { readSid, MAX_SUB_AUTHORITIES, type Sid } from './sid.js';

export interface GroupMembership {
  readonly relativeId: number;
  readonly attributes: number;
}
export interface SidAndAttributes {
  readonly sid: Sid;
  readonly attributes: number;
}

/** The fields of KERB_VALIDATION_INFO; FILETIMEs as bigint, absent strings as ''. */
export interface KerbValidationInfo {
  readonly logonTime: bigint;
  readonly logoffTime: bigint;
  readonly kickOffTime: bigint;
  readonly passwordLastSet: bigint;
  readonly passwordCanChange: bigint;
  readonly passwordMustChange: bigint;
  readonly effectiveName: string;
  readonly fullName: string;
  readonly logonScript: string;
  readonly profilePath: string;
  readonly homeDirectory: string;
  readonly homeDirectoryDrive: string;
  readonly logonCount: number;
  readonly badPasswordCount: number;
  readonly userId: number;
  readonly primaryGroupId: number;
  readonly groupIds: readonly GroupMembership[];
  readonly userFlags: number;
  readonly userSessionKey: Uint8Array;
  readonly logonServer: string;
  readonly logonDomainName: string;
  readonly logonDomainId?: Sid | undefined;
  readonly userAccountControl: number;
  readonly subAuthStatus: number;
  readonly lastSuccessfulILogon: bigint;
  readonly lastFailedILogon: bigint;
  readonly failedILogonCount: number;
  readonly extraSids: readonly SidAndAttributes[];
  readonly resourceGroupDomainSid?: Sid | undefined;
  readonly resourceGroupIds: readonly GroupMembership[];
}

/** UserFlags bits (MS-PAC 2.5). */
export const LogonUserFlags = {
  EXTRA_SIDS: 0x20,
  RESOURCE_GROUPS: 0x200,
} as const;

interface UnicodeString { len: number; max: number; ptr: number; at: number }

class Ndr {
  constructor(readonly r: ByteReader, readonly limits: DecodeLimits) {}
  align4(): void {
    const pad = (4 - (this.r.offset % 4)) % 4;
    this.r.skip(pad);
  }
  u32(): number {
    this.align4();
    return this.r.u32le();
  }
  /** A count whose elements take `each` bytes: refused when the bytes left cannot hold them. */
  count(n: number, each: number, what: string, at: number): number {
    if (n > this.limits.maxElements) decodeError('DECODE_LIMIT', `${what}: ${n} elements`, at);
    if (n * each > this.r.remaining) decodeError('DECODE_TRUNCATED', `${what}: ${n} elements do not fit in ${this.r.remaining} bytes`, at);
    return n;
  }
  str(): UnicodeString {
    const at = this.r.absolute;
    const len = this.r.u16le();
    const max = this.r.u16le();
    const ptr = this.r.u32le();
    if (len % 2 !== 0 || max % 2 !== 0 || len > max) decodeError('DECODE_BAD_VALUE', 'RPC_UNICODE_STRING with odd or inconsistent lengths', at);
    return { len, max, ptr, at };
  }
  /** The deferred conformant varying array of a non-null RPC_UNICODE_STRING. */
  strBody(s: UnicodeString): string {
    if (s.ptr === 0) return '';
    this.align4();
    const at = this.r.absolute;
    const maxCount = this.u32();
    const offset = this.r.u32le();
    const actual = this.r.u32le();
    if (offset !== 0 || actual * 2 !== s.len || maxCount * 2 !== s.max) decodeError('DECODE_BAD_VALUE', 'string array bounds disagree with its RPC_UNICODE_STRING', at);
    return fromUtf16le(this.r.bytesView(actual * 2, 'WCHAR array'), this.r.absolute);
  }
  sid(what: string): Sid {
    this.align4();
    const at = this.r.absolute;
    const n = this.u32();
    if (n > MAX_SUB_AUTHORITIES) decodeError('DECODE_LIMIT', `${what}: ${n} sub-authorities`, at);
    return readSid(this.r, n);
  }
  groups(n: number, what: string): GroupMembership[] {
    this.align4();
    const at = this.r.absolute;
    const max = this.u32();
    if (max !== n) decodeError('DECODE_BAD_VALUE', `${what}: array of ${max}, count says ${n}`, at);
    this.count(n, 8, what, at);
    const out: GroupMembership[] = [];
    for (let i = 0; i < n; i++) out.push({ relativeId: this.r.u32le(), attributes: this.r.u32le() });
    return out;
  }
}

const FIXED = 216;

/** Decodes a PAC_LOGON_INFO buffer. */
export function decodeKerbValidationInfo(bytes: Uint8Array, limits?: Partial<DecodeLimits>): KerbValidationInfo {
  const l = resolveLimits(limits);
  if (bytes.length > l.maxBytes) decodeError('DECODE_LIMIT', 'PAC_LOGON_INFO too large', 0);
  const outer = new ByteReader(bytes);
  const version = outer.u8();
  const endian = outer.u8();
  const hlen = outer.u16le();
  outer.u32le();
  if (version !== 1) decodeError('DECODE_BAD_VALUE', `NDR type serialization version ${version}, expected 1`, 0);
  if (endian !== 0x10) decodeError('DECODE_BAD_VALUE', `NDR endianness 0x${endian.toString(16)}, only little-endian (0x10) is supported`, 1);
  if (hlen !== 8) decodeError('DECODE_BAD_VALUE', `NDR common header length ${hlen}, expected 8`, 2);
  const objLen = outer.u32le();
  outer.u32le();
  if (objLen % 8 !== 0) decodeError('DECODE_BAD_VALUE', 'NDR object buffer length is not a multiple of 8', 8);
  const r = outer.sub(objLen, 'NDR object buffer');
  outer.expectEnd('PAC_LOGON_INFO');
  const n = new Ndr(r, l);
  const top = r.u32le();
  if (top === 0) decodeError('DECODE_BAD_VALUE', 'null KERB_VALIDATION_INFO pointer', 16);
  if (r.remaining < FIXED) decodeError('DECODE_TRUNCATED', 'KERB_VALIDATION_INFO truncated', r.absolute);
  const logonTime = r.u64le(), logoffTime = r.u64le(), kickOffTime = r.u64le();
  const passwordLastSet = r.u64le(), passwordCanChange = r.u64le(), passwordMustChange = r.u64le();
  const names = [n.str(), n.str(), n.str(), n.str(), n.str(), n.str()];
  const logonCount = r.u16le(), badPasswordCount = r.u16le();
  const userId = r.u32le(), primaryGroupId = r.u32le();
  const groupCount = r.u32le(), groupPtr = r.u32le();
  const userFlags = r.u32le();
  const userSessionKey = r.take(16, 'UserSessionKey');
  const logonServerS = n.str(), logonDomainS = n.str();
  const domainIdPtr = r.u32le();
  r.skip(8);
  const userAccountControl = r.u32le(), subAuthStatus = r.u32le();
  const lastSuccessfulILogon = r.u64le(), lastFailedILogon = r.u64le();
  const failedILogonCount = r.u32le();
  r.skip(4);
  const sidCount = r.u32le(), extraSidsPtr = r.u32le();
  const resDomainPtr = r.u32le(), resCount = r.u32le(), resPtr = r.u32le();

  const strs = names.map((s) => n.strBody(s));
  if (groupPtr === 0 && groupCount !== 0) decodeError('DECODE_BAD_VALUE', 'GroupCount without GroupIds', r.absolute);
  const groupIds = groupPtr === 0 ? [] : n.groups(groupCount, 'GroupIds');
  const logonServer = n.strBody(logonServerS);
  const logonDomainName = n.strBody(logonDomainS);
  const logonDomainId = domainIdPtr === 0 ? undefined : n.sid('LogonDomainId');
  const extraSids: SidAndAttributes[] = [];
  if (extraSidsPtr === 0 && sidCount !== 0) decodeError('DECODE_BAD_VALUE', 'SidCount without ExtraSids', r.absolute);
  if (extraSidsPtr !== 0) {
    n.align4();
    const at = r.absolute;
    const max = n.u32();
    if (max !== sidCount) decodeError('DECODE_BAD_VALUE', `ExtraSids: array of ${max}, SidCount says ${sidCount}`, at);
    n.count(sidCount, 8, 'ExtraSids', at);
    const entries: { ptr: number; attributes: number }[] = [];
    for (let i = 0; i < sidCount; i++) entries.push({ ptr: r.u32le(), attributes: r.u32le() });
    for (const e of entries) {
      if (e.ptr === 0) decodeError('DECODE_BAD_VALUE', 'null SID in ExtraSids', r.absolute);
      extraSids.push({ sid: n.sid('ExtraSids SID'), attributes: e.attributes });
    }
  }
  const resourceGroupDomainSid = resDomainPtr === 0 ? undefined : n.sid('ResourceGroupDomainSid');
  if (resPtr === 0 && resCount !== 0) decodeError('DECODE_BAD_VALUE', 'ResourceGroupCount without ResourceGroupIds', r.absolute);
  const resourceGroupIds = resPtr === 0 ? [] : n.groups(resCount, 'ResourceGroupIds');
  // What is left is alignment padding up to the object buffer's multiple of 8.
  if (r.remaining >= 8) decodeError('DECODE_TRAILING_BYTES', `${r.remaining} byte(s) after KERB_VALIDATION_INFO`, r.absolute);
  return {
    logonTime, logoffTime, kickOffTime, passwordLastSet, passwordCanChange, passwordMustChange,
    effectiveName: strs[0]!, fullName: strs[1]!, logonScript: strs[2]!, profilePath: strs[3]!, homeDirectory: strs[4]!, homeDirectoryDrive: strs[5]!,
    logonCount, badPasswordCount, userId, primaryGroupId, groupIds, userFlags, userSessionKey, logonServer, logonDomainName, logonDomainId,
    userAccountControl, subAuthStatus, lastSuccessfulILogon, lastFailedILogon, failedILogonCount, extraSids, resourceGroupDomainSid, resourceGroupIds,
  };
}
