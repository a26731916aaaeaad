// DER tag-length-value layer (X.690 section 8.1 and 10.1): definite, minimal lengths only,
// minimal high tag numbers, with the decode limits of ../codec/codec.ts enforced as it goes.
import { decodeError } from '../errors.js';
import type { DecodeLimits } from '../codec/codec.js';

export const CLASS_UNIVERSAL = 0;
export const CLASS_APPLICATION = 1;
export const CLASS_CONTEXT = 2;
export const CLASS_PRIVATE = 3;
export type TagClass = 0 | 1 | 2 | 3;

export const CLASS_NAMES = ['UNIVERSAL', 'APPLICATION', 'CONTEXT', 'PRIVATE'] as const;

/** One parsed element. Offsets are absolute positions in `input`. */
export interface Tlv {
  readonly input: Uint8Array;
  readonly cls: TagClass;
  readonly constructed: boolean;
  readonly tag: number;
  readonly start: number;
  readonly valueStart: number;
  readonly end: number;
}

/** Mutable state of one decode: limits and counters. */
export class DerContext {
  elements = 0;
  depth = 0;
  constructor(readonly limits: DecodeLimits) {}

  enter(at: number): void {
    if (++this.depth > this.limits.maxDepth) decodeError('DECODE_LIMIT', `nesting deeper than ${this.limits.maxDepth}`, at);
  }
  leave(): void {
    this.depth--;
  }
}

export function tlvValue(t: Tlv): Uint8Array {
  return t.input.subarray(t.valueStart, t.end);
}

export function tlvBytes(t: Tlv): Uint8Array {
  return t.input.subarray(t.start, t.end);
}

export function describeTag(cls: number, tag: number, constructed: boolean): string {
  return `[${CLASS_NAMES[cls] ?? cls} ${tag}${constructed ? ' constructed' : ''}]`;
}

/** Reads one TLV header at `pos`, checking that the value lies before `end`. */
export function readTlv(input: Uint8Array, pos: number, end: number, ctx: DerContext): Tlv {
  const start = pos;
  if (++ctx.elements > ctx.limits.maxElements) decodeError('DECODE_LIMIT', `more than ${ctx.limits.maxElements} elements`, start);
  if (pos >= end) decodeError('DECODE_TRUNCATED', 'missing DER element', pos);
  const first = input[pos++]!;
  const cls = (first >> 6) as TagClass;
  const constructed = (first & 0x20) !== 0;
  let tag = first & 0x1f;
  if (tag === 0x1f) {
    // High tag number form (X.690 8.1.2.4): base-128, minimal, and only for tags >= 31.
    tag = 0;
    let n = 0;
    for (;;) {
      if (pos >= end) decodeError('DECODE_TRUNCATED', 'truncated tag', pos);
      const b = input[pos++]!;
      if (n === 0 && b === 0x80) decodeError('DECODE_BAD_TAG', 'non-minimal tag number', pos - 1);
      if (++n > 4) decodeError('DECODE_BAD_TAG', 'tag number too large', start);
      tag = tag * 128 + (b & 0x7f);
      if ((b & 0x80) === 0) break;
    }
    if (tag < 31) decodeError('DECODE_BAD_TAG', 'high-form tag number below 31', start);
  }
  if (pos >= end) decodeError('DECODE_TRUNCATED', 'truncated length', pos);
  const lenStart = pos;
  const l0 = input[pos++]!;
  let len: number;
  if (l0 < 0x80) {
    len = l0;
  } else if (l0 === 0x80) {
    return decodeError('DECODE_BAD_LENGTH', 'indefinite length is not DER', lenStart);
  } else {
    const n = l0 & 0x7f;
    if (n > 4) decodeError('DECODE_BAD_LENGTH', 'length field too long', lenStart);
    if (pos + n > end) decodeError('DECODE_TRUNCATED', 'truncated length', pos);
    if (input[pos] === 0) decodeError('DECODE_BAD_LENGTH', 'non-minimal length (leading zero)', lenStart);
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + input[pos++]!;
    if (len < 0x80) decodeError('DECODE_BAD_LENGTH', 'non-minimal length (long form under 128)', lenStart);
  }
  if (len > end - pos) decodeError('DECODE_TRUNCATED', `length ${len} runs past the end (${end - pos} left)`, lenStart);
  return { input, cls, constructed, tag, start, valueStart: pos, end: pos + len };
}

/** Parses the children of a constructed element. */
export function readChildren(t: Tlv, ctx: DerContext): Tlv[] {
  const out: Tlv[] = [];
  let pos = t.valueStart;
  while (pos < t.end) {
    const c = readTlv(t.input, pos, t.end, ctx);
    out.push(c);
    pos = c.end;
  }
  return out;
}

/** Bytes taken by a minimal header for `tag` and a value of `len` bytes. */
export function headerLength(tag: number, len: number): number {
  let n = 2;
  if (tag >= 31) for (let t = tag; t > 0; t = Math.floor(t / 128)) n++;
  if (len >= 0x80) for (let l = len; l > 0; l = Math.floor(l / 256)) n++;
  return n;
}

/** Writes a minimal header of `size` bytes (from headerLength) into `out` at `at`. */
export function putHeader(out: Uint8Array, size: number, cls: TagClass, constructed: boolean, tag: number, len: number, at = 0): void {
  const lead = (cls << 6) | (constructed ? 0x20 : 0);
  let pos = at;
  if (tag < 31) {
    out[pos++] = lead | tag;
  } else {
    out[pos++] = lead | 0x1f;
    let groups = 0;
    for (let t = tag; t > 0; t = Math.floor(t / 128)) groups++;
    for (let i = groups - 1, t = tag; i >= 0; i--, t = Math.floor(t / 128)) out[pos + i] = (t & 0x7f) | (i < groups - 1 ? 0x80 : 0);
    pos += groups;
  }
  if (len < 0x80) {
    out[pos] = len;
  } else {
    const n = size - (pos - at) - 1;
    out[pos] = 0x80 | n;
    for (let i = n, l = len; i >= 1; i--, l = Math.floor(l / 256)) out[pos + i] = l & 0xff;
  }
}

/** Encodes one element with a minimal header: one allocation, one copy of the value. */
export function encodeTlv(cls: TagClass, constructed: boolean, tag: number, value: Uint8Array): Uint8Array {
  const h = headerLength(tag, value.length);
  const out = new Uint8Array(h + value.length);
  putHeader(out, h, cls, constructed, tag, value.length);
  out.set(value, h);
  return out;
}

/** Encodes a constructed element from already-encoded children. */
export function encodeConstructed(cls: TagClass, tag: number, children: readonly Uint8Array[]): Uint8Array {
  let len = 0;
  for (const c of children) len += c.length;
  const h = headerLength(tag, len);
  const out = new Uint8Array(h + len);
  putHeader(out, h, cls, true, tag, len);
  let pos = h;
  for (const c of children) {
    out.set(c, pos);
    pos += c.length;
  }
  return out;
}
