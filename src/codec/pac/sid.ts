// Security identifiers (MS-DTYP 2.4.2): the binary SID and its string form S-R-I-S-S...
//   Revision (1 byte, 1) | SubAuthorityCount (1 byte, at most 15) | IdentifierAuthority (6 bytes, big-endian)
//   | SubAuthority[SubAuthorityCount] (4 bytes each, little-endian)
import { ByteReader, ByteWriter } from '../../bytes/index.js';
import { SpnegoError, decodeError } from '../../errors.js';

/** MS-DTYP 2.4.2: SubAuthorityCount is at most 15. */
export const MAX_SUB_AUTHORITIES = 15;

export interface Sid {
  readonly revision: number;
  /** The 48-bit IdentifierAuthority as a number (5 for NT AUTHORITY). */
  readonly authority: number;
  readonly subAuthorities: readonly number[];
}

/** Reads a SID from `r` (whose next byte is Revision); `count` when the caller read it already (NDR RPC_SID). */
export function readSid(r: ByteReader, expectedCount?: number): Sid {
  const at = r.absolute;
  const revision = r.u8();
  if (revision !== 1) decodeError('DECODE_BAD_VALUE', `SID revision ${revision}, expected 1`, at);
  const n = r.u8();
  if (n > MAX_SUB_AUTHORITIES) decodeError('DECODE_LIMIT', `SID with ${n} sub-authorities (at most ${MAX_SUB_AUTHORITIES})`, at + 1);
  if (expectedCount !== undefined && n !== expectedCount) decodeError('DECODE_BAD_VALUE', `SID has ${n} sub-authorities, its conformance says ${expectedCount}`, at + 1);
  const hi = r.u16be();
  const lo = r.u32be();
  const subAuthorities: number[] = [];
  for (let i = 0; i < n; i++) subAuthorities.push(r.u32le());
  return { revision, authority: hi * 2 ** 32 + lo, subAuthorities };
}

export function writeSid(w: ByteWriter, s: Sid): void {
  if (s.subAuthorities.length > MAX_SUB_AUTHORITIES) throw new SpnegoError('ENCODE_BAD_VALUE', `a SID has at most ${MAX_SUB_AUTHORITIES} sub-authorities`);
  if (!Number.isSafeInteger(s.authority) || s.authority < 0 || s.authority >= 2 ** 48) throw new SpnegoError('ENCODE_BAD_VALUE', 'SID authority is not a 48-bit number');
  w.u8(s.revision).u8(s.subAuthorities.length).u16be(Math.floor(s.authority / 2 ** 32)).u32be(s.authority % 2 ** 32);
  for (const a of s.subAuthorities) w.u32le(a);
}

export function sidBytes(s: Sid): Uint8Array {
  const w = new ByteWriter(8 + 4 * s.subAuthorities.length);
  writeSid(w, s);
  return w.finish();
}

export function decodeSid(bytes: Uint8Array, base = 0): Sid {
  const r = new ByteReader(bytes, 0, bytes.length, base);
  const s = readSid(r);
  r.expectEnd('SID');
  return s;
}

/** S-1-5-21-x-y-z-rid (MS-DTYP 2.4.2.1: the authority in hex when it does not fit in 32 bits). */
export function sidToString(s: Sid): string {
  const auth = s.authority < 2 ** 32 ? String(s.authority) : `0x${s.authority.toString(16).toUpperCase().padStart(12, '0')}`;
  return ['S', String(s.revision), auth, ...s.subAuthorities.map(String)].join('-');
}

/** The SID with one more sub-authority (a RID under a domain SID). */
export function sidWithRid(domain: Sid, rid: number): Sid {
  return { revision: domain.revision, authority: domain.authority, subAuthorities: [...domain.subAuthorities, rid >>> 0] };
}

export function parseSid(text: string): Sid {
  const m = /^S-1-(0x[0-9A-Fa-f]{12}|\d+)((?:-\d+)*)$/.exec(text);
  if (!m) throw new SpnegoError('BAD_ARGUMENT', `not a SID string: ${text}`);
  const authority = m[1]!.startsWith('0x') ? parseInt(m[1]!.slice(2), 16) : Number(m[1]);
  const subAuthorities = m[2] ? m[2].slice(1).split('-').map(Number) : [];
  if (authority >= 2 ** 48 || subAuthorities.length > MAX_SUB_AUTHORITIES || subAuthorities.some((a) => a > 0xffffffff)) {
    throw new SpnegoError('BAD_ARGUMENT', `SID out of range: ${text}`);
  }
  return { revision: 1, authority, subAuthorities };
}
