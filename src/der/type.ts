// The typed-combinator core: a DerType<T> knows which tag it expects, how to turn a
// matched element into T, and how to encode T back into a whole element.
import { decodeError, SpnegoError } from '../errors.js';
import { resolveLimits, type DecodeLimits } from '../codec/codec.js';
import { DerContext, readTlv, describeTag, type Tlv, type TagClass } from './tlv.js';
import { DerWriter } from './writer.js';

export interface TagSpec {
  readonly cls: TagClass;
  readonly tag: number;
  readonly constructed: boolean;
}

export interface DerType<T> {
  /** The tag this type starts with; undefined for CHOICE and ANY (see `matches`). */
  readonly tagSpec: TagSpec | undefined;
  /** Human name for messages, e.g. `INTEGER`, `[1] EXPLICIT`, `PrincipalName`. */
  readonly label: string;
  matches(t: Tlv): boolean;
  /** Decodes an element already known to match. */
  decodeTlv(t: Tlv, ctx: DerContext): T;
  /** Encodes a whole element (tag, length, value). */
  encode(v: T): Uint8Array;
  /** Writes a whole element in front of what `w` holds (types built by the combinators have it). */
  encodeTo?(v: T, w: DerWriter): void;
}

/** Writes `v` as an element of `type` in front of what `w` holds. */
export function encodeInto<T>(type: DerType<T>, v: T, w: DerWriter): void {
  if (type.encodeTo) type.encodeTo(v, w);
  else w.bytes(type.encode(v));
}

/** A whole encoding from an encodeTo. */
export function viaWriter<T>(encodeTo: (v: T, w: DerWriter) => void): (v: T) => Uint8Array {
  return (v) => {
    const w = new DerWriter();
    encodeTo(v, w);
    return w.finish();
  };
}

export type Infer<D> = D extends DerType<infer T> ? T : never;

export function matchesSpec(spec: TagSpec, t: Tlv): boolean {
  return t.cls === spec.cls && t.tag === spec.tag && t.constructed === spec.constructed;
}

/** Decode-side check used by every tagged type. */
export function expectTag(spec: TagSpec, t: Tlv, label: string): void {
  if (!matchesSpec(spec, t)) {
    decodeError(
      'DECODE_BAD_TAG',
      `expected ${label} ${describeTag(spec.cls, spec.tag, spec.constructed)}, found ${describeTag(t.cls, t.tag, t.constructed)}`,
      t.start,
    );
  }
}

/** Decodes exactly one element of `type` filling all of `bytes` (no trailing bytes). */
export function decodeDer<T>(type: DerType<T>, bytes: Uint8Array, limits?: Partial<DecodeLimits>, ctx?: DerContext): T {
  const l = resolveLimits(limits);
  if (bytes.length > l.maxBytes) decodeError('DECODE_LIMIT', `input of ${bytes.length} bytes exceeds the ${l.maxBytes}-byte limit`, 0);
  const c = ctx ?? new DerContext(l);
  const t = readTlv(bytes, 0, bytes.length, c);
  if (t.end !== bytes.length) decodeError('DECODE_TRAILING_BYTES', `${bytes.length - t.end} trailing byte(s) after ${type.label}`, t.end);
  if (!type.matches(t)) expectTag(type.tagSpec ?? { cls: 0, tag: -1, constructed: false }, t, type.label);
  return type.decodeTlv(t, c);
}

/** Decodes one element of `type` at the start of a sub-range, returning the value and the element's end. */
export function decodeDerPrefix<T>(type: DerType<T>, input: Uint8Array, start: number, end: number, ctx: DerContext): { value: T; end: number } {
  const t = readTlv(input, start, end, ctx);
  if (!type.matches(t)) expectTag(type.tagSpec ?? { cls: 0, tag: -1, constructed: false }, t, type.label);
  return { value: type.decodeTlv(t, ctx), end: t.end };
}

/** Encode-side guard: wraps anything thrown into ENCODE_BAD_VALUE. */
export function encodeError(message: string): never {
  throw new SpnegoError('ENCODE_BAD_VALUE', message);
}
