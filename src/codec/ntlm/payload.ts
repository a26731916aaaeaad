// The frame every NTLM message shares (MS-NLMP 2.2.1): Signature, MessageType, a fixed part holding
// 8-byte field descriptors (Len u16, MaxLen u16, BufferOffset u32), an optional VERSION, (for
// AUTHENTICATE_MESSAGE) an optional MIC, then a Payload the descriptors point into.
//
// Layout rules, applied by every NTLM message codec:
// - Each descriptor's BufferOffset + Len must lie inside the message (DECODE_BAD_LENGTH, at the
//   descriptor). An empty field may point anywhere in [0, length], since senders put 0 or the
//   current payload position there; a non-empty one must start at or after the fixed part.
// - Non-empty fields may come in any order (Windows and Samba differ) but must not overlap each other
//   (DECODE_BAD_LENGTH): no known sender shares bytes between fields.
// - VERSION and MIC are optional structures with no length of their own. They are taken to be
//   present when the lowest offset of a non-empty field (or the message length, if every field is
//   empty) leaves room for them after the fixed part: VERSION needs 8 bytes, VERSION + MIC 24.
//   This is how real peers are told apart (pre-Vista senders put the payload right after the fixed
//   part; Windows with a MIC puts it at fixed + 24). NTLMSSP_NEGOTIATE_VERSION is not consulted: a
//   message with the bytes but not the flag still has them, and the flag is kept as sent.
// - Bytes between the fixed structures and the last payload that no field covers (alignment
//   padding) are kept in the layout. Bytes after the end of the last field are rejected
//   (DECODE_TRAILING_BYTES): NTLM has no length field, so nothing could tell them from garbage,
//   and no known sender appends any.
// - A decoded message keeps `layout` (each field's BufferOffset and MaxLen, and the gap bytes) only
//   when the input differs from the canonical layout, so `encode(decode(b))` is byte-exact and a
//   Windows-laid-out message decodes to a plain object. `encode` honours a `layout` when the result
//   decodes back to the same content; when it no longer fits (a field was edited to a new length
//   so that fields would overlap) it falls back to the canonical layout.
import { ByteReader } from '../../bytes/reader.js';
import { bytesEqual } from '../../bytes/encoding.js';
import { SpnegoError, decodeError } from '../../errors.js';
import type { DecodeLimits } from '../codec.js';
import { NTLMSSP_SIGNATURE } from '../../iana/ntlm.js';
import { NTLM_MAX_MESSAGE_BYTES, checkSize, checkU16, checkU32 } from './util.js';
import { readVersion, writeVersion, VERSION_LENGTH, type Version } from './version.js';
import { ByteWriter } from '../../bytes/writer.js';

export const MIC_LENGTH = 16;

/** Where the sender put one payload field: its BufferOffset and MaxLen as sent. */
export interface FieldLayout {
  readonly offset: number;
  readonly maxLen: number;
}

/** Bytes of the payload area not covered by any field (padding between fields), at their offsets. */
export interface PayloadGap {
  readonly offset: number;
  readonly bytes: Uint8Array;
}

/** What it takes to re-create a sender's layout byte for byte. Keys are MS-NLMP field names. */
export interface PayloadLayout<K extends string = string> {
  readonly fields: Readonly<Record<K, FieldLayout>>;
  readonly gaps: readonly PayloadGap[];
}

export interface FrameSpec<K extends string> {
  readonly name: string;
  readonly messageType: number;
  /** Length of the fixed part: Signature, MessageType, descriptors and fixed values, without VERSION/MIC. */
  readonly fixedLength: number;
  /** Each payload field and the position of its 8-byte descriptor, in header order. */
  readonly fields: readonly (readonly [K, number])[];
  /** Payload order of the canonical (Windows) layout. */
  readonly canonicalOrder: readonly K[];
  /** BufferOffset of an empty field in the canonical layout: 0, or the current payload position. */
  readonly canonicalEmptyOffset: 'zero' | 'next';
  /** Whether a MIC may follow VERSION (AUTHENTICATE_MESSAGE only). */
  readonly mic: boolean;
}

export interface PayloadField {
  /** A view of the field's bytes. */
  readonly bytes: Uint8Array;
  /** Absolute offset of the field's bytes (for errors). */
  readonly offset: number;
}

export interface DecodedFrame<K extends string> {
  readonly version: Version | undefined;
  readonly mic: Uint8Array | undefined;
  readonly payload: Readonly<Record<K, PayloadField>>;
  readonly layout: PayloadLayout<K>;
}

interface Descriptor<K> {
  readonly name: K;
  readonly at: number;
  readonly len: number;
  readonly maxLen: number;
  readonly offset: number;
}

/** Checks Signature and MessageType; returns the MessageType. */
export function readHeader(bytes: Uint8Array, what: string): number {
  const r = new ByteReader(bytes);
  const sig = r.bytesView(8, 'Signature');
  if (!bytesEqual(sig, NTLMSSP_SIGNATURE)) decodeError('DECODE_BAD_VALUE', `${what}: Signature is not "NTLMSSP\\0"`, 0);
  return r.u32le();
}

export function decodeFrame<K extends string>(spec: FrameSpec<K>, bytes: Uint8Array, limits: DecodeLimits): DecodedFrame<K> {
  checkSize(bytes, limits, spec.name);
  const type = readHeader(bytes, spec.name);
  if (type !== spec.messageType) {
    decodeError('DECODE_BAD_VALUE', `${spec.name}: MessageType is ${type}, expected ${spec.messageType}`, 8);
  }
  if (bytes.length < spec.fixedLength) {
    decodeError('DECODE_TRUNCATED', `${spec.name}: ${bytes.length} bytes, the fixed part needs ${spec.fixedLength}`, bytes.length);
  }
  const total = bytes.length;
  const descs: Descriptor<K>[] = [];
  for (const [name, at] of spec.fields) {
    const r = new ByteReader(bytes, at, at + 8);
    const len = r.u16le();
    const maxLen = r.u16le();
    const offset = r.u32le();
    if (offset + len > total) {
      decodeError('DECODE_BAD_LENGTH', `${spec.name}: ${name} (offset ${offset}, length ${len}) ends past the ${total}-byte message`, at);
    }
    if (len > 0 && offset < spec.fixedLength) {
      decodeError('DECODE_BAD_LENGTH', `${spec.name}: ${name} at offset ${offset} overlaps the fixed header`, at);
    }
    descs.push({ name, at, len, maxLen, offset });
  }
  const used = descs.filter((d) => d.len > 0).sort((a, b) => a.offset - b.offset || a.at - b.at);
  for (let i = 1; i < used.length; i++) {
    const prev = used[i - 1]!, cur = used[i]!;
    if (cur.offset < prev.offset + prev.len) {
      decodeError('DECODE_BAD_LENGTH', `${spec.name}: ${cur.name} overlaps ${prev.name}`, cur.at);
    }
  }
  const payloadStart = used.length > 0 ? used[0]!.offset : total;
  let headerEnd = spec.fixedLength;
  let version: Version | undefined;
  let mic: Uint8Array | undefined;
  if (payloadStart >= headerEnd + VERSION_LENGTH) {
    version = readVersion(new ByteReader(bytes, headerEnd, headerEnd + VERSION_LENGTH));
    headerEnd += VERSION_LENGTH;
    if (spec.mic && payloadStart >= headerEnd + MIC_LENGTH) {
      mic = bytes.slice(headerEnd, headerEnd + MIC_LENGTH);
      headerEnd += MIC_LENGTH;
    }
  }
  const gaps: PayloadGap[] = [];
  let cursor = headerEnd;
  for (const d of used) {
    if (d.offset > cursor) gaps.push({ offset: cursor, bytes: bytes.slice(cursor, d.offset) });
    cursor = d.offset + d.len;
  }
  if (total > cursor) {
    decodeError('DECODE_TRAILING_BYTES', `${spec.name}: ${total - cursor} byte(s) after the last payload field`, cursor);
  }
  const payload = {} as Record<K, PayloadField>;
  const fields = {} as Record<K, FieldLayout>;
  for (const d of descs) {
    payload[d.name] = { bytes: bytes.subarray(d.offset, d.offset + d.len), offset: d.offset };
    fields[d.name] = { offset: d.offset, maxLen: d.maxLen };
  }
  return { version, mic, payload, layout: { fields, gaps } };
}

/**
 * Lays out a message. `fixed` is the fixed part with Signature, MessageType and the non-descriptor
 * values already written (descriptors are filled in here). Without `layout`, the canonical layout:
 * payload right after VERSION/MIC in `canonicalOrder`, MaxLen = Len.
 */
export function encodeFrame<K extends string>(
  spec: FrameSpec<K>,
  fixed: Uint8Array,
  version: Version | undefined,
  mic: Uint8Array | undefined,
  payload: Readonly<Record<K, Uint8Array>>,
  layout?: PayloadLayout<K>,
): Uint8Array {
  if (mic !== undefined && version === undefined) {
    throw new SpnegoError('ENCODE_BAD_VALUE', `${spec.name}: a MIC needs the VERSION field before it`);
  }
  const headerEnd = spec.fixedLength + (version ? VERSION_LENGTH : 0) + (mic ? MIC_LENGTH : 0);
  for (const [name] of spec.fields) {
    if (payload[name].length > 0xffff) throw new SpnegoError('ENCODE_BAD_VALUE', `${spec.name}: ${name} is longer than 65535 bytes`);
  }
  const place = {} as Record<K, FieldLayout>;
  let total = headerEnd;
  if (layout === undefined) {
    for (const name of spec.canonicalOrder) {
      const len = payload[name].length;
      place[name] = { offset: len === 0 && spec.canonicalEmptyOffset === 'zero' ? 0 : total, maxLen: len };
      total += len;
    }
  } else {
    for (const [name] of spec.fields) {
      const f = layout.fields[name];
      if (f === undefined) throw new SpnegoError('ENCODE_BAD_VALUE', `${spec.name}: layout has no ${name}`);
      place[name] = { offset: checkU32(f.offset, `${name} offset`), maxLen: checkU16(f.maxLen, `${name} MaxLen`) };
      if (payload[name].length > 0) total = Math.max(total, f.offset + payload[name].length);
    }
    for (const g of layout.gaps) {
      if (!Number.isInteger(g.offset) || g.offset < headerEnd) throw new SpnegoError('ENCODE_BAD_VALUE', `${spec.name}: gap inside the header`);
      total = Math.max(total, g.offset + g.bytes.length);
    }
  }
  if (total > NTLM_MAX_MESSAGE_BYTES) {
    throw new SpnegoError('ENCODE_BAD_VALUE', `${spec.name}: ${total} bytes exceeds ${NTLM_MAX_MESSAGE_BYTES}`);
  }
  const out = new Uint8Array(total);
  out.set(fixed.subarray(0, spec.fixedLength));
  const view = new DataView(out.buffer);
  for (const [name, at] of spec.fields) {
    view.setUint16(at, payload[name].length, true);
    view.setUint16(at + 2, place[name].maxLen, true);
    view.setUint32(at + 4, place[name].offset, true);
  }
  if (version) {
    const w = new ByteWriter(VERSION_LENGTH);
    writeVersion(w, version);
    out.set(w.finish(), spec.fixedLength);
  }
  if (mic) out.set(mic, spec.fixedLength + VERSION_LENGTH);
  if (layout) for (const g of layout.gaps) out.set(g.bytes, g.offset);
  for (const [name] of spec.fields) if (payload[name].length > 0) out.set(payload[name], place[name].offset);
  return out;
}

/** A ByteWriter-built fixed part with Signature and MessageType; the caller writes the rest. */
export function fixedWriter(messageType: number): ByteWriter {
  return new ByteWriter(64).bytes(NTLMSSP_SIGNATURE).u32le(messageType);
}

/**
 * The common encode policy: canonical unless the value carries a layout that still reproduces
 * the same content when decoded again.
 */
export function encodeHonouringLayout<T extends { readonly layout?: unknown }>(
  value: T,
  encodeCanonical: (v: T) => Uint8Array,
  encodeLayout: (v: T) => Uint8Array,
  decodeRaw: (b: Uint8Array) => T,
): Uint8Array {
  const canonical = encodeCanonical(value);
  if (value.layout === undefined) return canonical;
  try {
    const out = encodeLayout(value);
    if (bytesEqual(encodeCanonical(decodeRaw(out)), canonical)) return out;
  } catch (e) {
    if (!(e instanceof SpnegoError)) throw e;
  }
  return canonical;
}

/** Drops `layout` from a decoded value when the input was laid out canonically. */
export function omitCanonicalLayout<T extends { readonly layout?: unknown }>(
  value: T,
  input: Uint8Array,
  encodeCanonical: (v: T) => Uint8Array,
): T {
  const { layout: _layout, ...plain } = value;
  try {
    if (bytesEqual(encodeCanonical(plain as T), input)) return plain as T;
  } catch (e) {
    if (!(e instanceof SpnegoError)) throw e;
  }
  return value;
}
