// Shared helpers for the MIT file formats (credential cache, keytab): limits, bounded counted
// fields, and encode-side range checks.
import { ByteReader, fromUtf8, utf8 } from '../../bytes/index.js';
import { decodeError, SpnegoError } from '../../errors.js';
import type { DecodeLimits } from '../codec.js';

/**
 * Files are bigger than tokens (a cache with many tickets carrying PACs), so the file codecs
 * default to 16 MiB and 100000 list entries (principal components, addresses, credentials...).
 */
export const FILE_LIMITS: DecodeLimits = Object.freeze({
  maxBytes: 16 * 1024 * 1024,
  maxDepth: 32,
  maxElements: 100_000,
});

export function fileLimits(l?: Partial<DecodeLimits>): DecodeLimits {
  return l ? { ...FILE_LIMITS, ...l } : FILE_LIMITS;
}

export function checkSize(bytes: Uint8Array, limits: DecodeLimits, what: string): void {
  if (!(bytes instanceof Uint8Array)) throw new SpnegoError('BAD_ARGUMENT', `${what} input must be a Uint8Array`);
  if (bytes.length > limits.maxBytes) {
    decodeError('DECODE_LIMIT', `${what} is ${bytes.length} bytes, above the limit of ${limits.maxBytes}`, 0);
  }
}

export function encodeFail(message: string): never {
  throw new SpnegoError('ENCODE_BAD_VALUE', message);
}

/** A count field checked against the limit and against the bytes left (each item takes >= `minItem`). */
export function checkCount(r: ByteReader, n: number, minItem: number, limits: DecodeLimits, what: string, at: number): number {
  if (n > limits.maxElements) decodeError('DECODE_LIMIT', `${what} count ${n} is above the limit of ${limits.maxElements}`, at);
  if (n * minItem > r.remaining) decodeError('DECODE_BAD_LENGTH', `${what} count ${n} does not fit in the ${r.remaining} byte(s) left`, at);
  return n;
}

/** A length field checked against the bytes left before anything is allocated. */
export function checkLength(r: ByteReader, n: number, what: string, at: number): number {
  if (n > r.remaining) decodeError('DECODE_BAD_LENGTH', `${what} length ${n} is beyond the ${r.remaining} byte(s) left`, at);
  return n;
}

/** u32-counted bytes (copy). */
export function data32(r: ByteReader, what: string): Uint8Array {
  const at = r.absolute;
  const n = checkLength(r, r.u32be(), what, at);
  return r.take(n, what);
}

/** u32-counted UTF-8 string. */
export function string32(r: ByteReader, what: string): string {
  const at = r.absolute;
  const n = checkLength(r, r.u32be(), what, at);
  return fromUtf8(r.bytesView(n, what), at + 4);
}

export function u8Check(v: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v > 0xff) encodeFail(`${what} ${v} is not a u8`);
  return v;
}
export function u16Check(v: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v > 0xffff) encodeFail(`${what} ${v} is not a u16`);
  return v;
}
export function u32Check(v: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) encodeFail(`${what} ${v} is not a u32`);
  return v;
}
export function i32Check(v: number, what: string): number {
  if (!Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) encodeFail(`${what} ${v} is not an int32`);
  return v >>> 0;
}
export function bytesCheck(b: unknown, max: number, what: string): Uint8Array {
  if (!(b instanceof Uint8Array)) encodeFail(`${what} is not a Uint8Array`);
  if (b.length > max) encodeFail(`${what} is ${b.length} bytes, more than ${max}`);
  return b;
}
export function stringBytes(s: unknown, max: number, what: string): Uint8Array {
  if (typeof s !== 'string') encodeFail(`${what} is not a string`);
  return bytesCheck(utf8(s), max, what);
}
