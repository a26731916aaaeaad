// Text and binary encodings used across the wire formats.
import { decodeError } from '../errors.js';

export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

export function fromHex(s: string): Uint8Array {
  const clean = s.replace(/\s+/g, '');
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) decodeError('DECODE_BAD_VALUE', 'not a hex string', 0);
  return new Uint8Array(Buffer.from(clean, 'hex'));
}

export function toBase64(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');
}

/** Strict base64 (standard or URL alphabet, padding optional); rejects stray characters. */
export function fromBase64(s: string): Uint8Array {
  const clean = s.trim();
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(clean) || clean.replace(/=+$/, '').length % 4 === 1) {
    decodeError('DECODE_BAD_VALUE', 'not a base64 string', 0);
  }
  return new Uint8Array(Buffer.from(clean.replace(/-/g, '+').replace(/_/g, '/'), 'base64'));
}

/** UTF-16LE, as NTLM Unicode strings are (MS-NLMP 2.2). */
export function utf16le(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, 'utf16le'));
}

export function fromUtf16le(b: Uint8Array, offset = 0): string {
  if (b.length % 2 !== 0) decodeError('DECODE_BAD_VALUE', 'odd-length UTF-16LE string', offset);
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf16le');
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
export function utf8(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}
export function fromUtf8(b: Uint8Array, offset = 0): string {
  try {
    return utf8Decoder.decode(b);
  } catch {
    return decodeError('DECODE_BAD_VALUE', 'invalid UTF-8', offset);
  }
}

export function concat(...parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
