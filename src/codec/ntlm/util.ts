// Small helpers shared by the NTLM codecs (MS-NLMP 2.2): limits, range checks, string forms.
import { SpnegoError, decodeError } from '../../errors.js';
import { resolveLimits, type DecodeLimits } from '../codec.js';

/**
 * NTLM messages larger than this are rejected whatever the caller's limits say: payload lengths are
 * 16-bit and real messages are a few hundred bytes to a few KiB, so 64 KiB is generous.
 */
export const NTLM_MAX_MESSAGE_BYTES = 64 * 1024;

/** The caller's limits, with maxBytes capped at NTLM_MAX_MESSAGE_BYTES. */
export function ntlmLimits(limits?: Partial<DecodeLimits>): DecodeLimits {
  const l = resolveLimits(limits);
  return l.maxBytes <= NTLM_MAX_MESSAGE_BYTES ? l : { ...l, maxBytes: NTLM_MAX_MESSAGE_BYTES };
}

export function checkSize(bytes: Uint8Array, limits: DecodeLimits, what: string): void {
  if (bytes.length > limits.maxBytes) {
    decodeError('DECODE_LIMIT', `${what} of ${bytes.length} bytes exceeds the ${limits.maxBytes}-byte limit`, limits.maxBytes);
  }
}

function checkUint(v: number, max: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v > max) {
    throw new SpnegoError('ENCODE_BAD_VALUE', `${what} must be an integer in 0..${max}, got ${String(v)}`);
  }
  return v;
}
export const checkU8 = (v: number, what: string): number => checkUint(v, 0xff, what);
export const checkU16 = (v: number, what: string): number => checkUint(v, 0xffff, what);
export const checkU32 = (v: number, what: string): number => checkUint(v, 0xffffffff, what);

export function checkU64(v: bigint, what: string): bigint {
  if (typeof v !== 'bigint' || v < 0n || v > 0xffffffffffffffffn) {
    throw new SpnegoError('ENCODE_BAD_VALUE', `${what} must be a bigint in 0..2^64-1`);
  }
  return v;
}

export function checkFixed(b: Uint8Array, n: number, what: string): Uint8Array {
  if (!(b instanceof Uint8Array) || b.length !== n) {
    throw new SpnegoError('ENCODE_BAD_VALUE', `${what} must be ${n} bytes`);
  }
  return b;
}

export function isAllZero(b: Uint8Array): boolean {
  for (const x of b) if (x !== 0) return false;
  return true;
}

/**
 * Text in an NTLM payload: UTF-16LE when NTLMSSP_NEGOTIATE_UNICODE applies, else the OEM character set.
 * The OEM code page is the peer's local one and is not on the wire, so OEM bytes are mapped one to one
 * onto U+0000-U+00FF (Latin-1). That keeps every byte sequence round-trippable; callers who know the
 * code page can re-decode with `oemBytes(s)`.
 */
export function decodeNtlmString(b: Uint8Array, unicode: boolean, offset: number): string {
  if (unicode) {
    if (b.length % 2 !== 0) decodeError('DECODE_BAD_VALUE', 'odd-length UTF-16LE string', offset);
    return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf16le');
  }
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
}

export function encodeNtlmString(s: string, unicode: boolean, what: string): Uint8Array {
  if (typeof s !== 'string') throw new SpnegoError('ENCODE_BAD_VALUE', `${what} must be a string`);
  if (unicode) return new Uint8Array(Buffer.from(s, 'utf16le'));
  return oemBytes(s, what);
}

/** The bytes of an OEM string as this package represents it (one char per byte, U+0000-U+00FF). */
export function oemBytes(s: string, what = 'OEM string'): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff) throw new SpnegoError('ENCODE_BAD_VALUE', `${what} has a character outside the OEM (8-bit) range`);
    out[i] = c;
  }
  return out;
}

/**
 * A plain Uint8Array view of the input. Node's Buffer.slice() returns a view, not a copy, so
 * decoders work on a plain view: every byte field they return is then an independent copy.
 */
export function plainBytes(b: Uint8Array): Uint8Array {
  if (!(b instanceof Uint8Array)) throw new SpnegoError('BAD_ARGUMENT', 'input must be a Uint8Array');
  return Object.getPrototypeOf(b) === Uint8Array.prototype ? b : new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}
