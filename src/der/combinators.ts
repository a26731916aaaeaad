// Constructed types: EXPLICIT/APPLICATION wrappers, SEQUENCE with optional fields,
// SEQUENCE OF, CHOICE by tag, raw elements kept as bytes, and value mapping.
import { decodeError } from '../errors.js';
import { CLASS_APPLICATION, CLASS_CONTEXT, CLASS_UNIVERSAL, readChildren, readTlv, tlvBytes, describeTag, type TagClass, type Tlv } from './tlv.js';
import { encodeError, encodeInto, expectTag, matchesSpec, viaWriter, type DerType, type TagSpec } from './type.js';
import type { DerWriter } from './writer.js';

/** `[n] EXPLICIT T` (context class by default): a constructed element holding exactly one T. */
export function explicit<T>(n: number, inner: DerType<T>, cls: TagClass = CLASS_CONTEXT): DerType<T> {
  const spec: TagSpec = { cls, tag: n, constructed: true };
  const label = `${cls === CLASS_APPLICATION ? 'APPLICATION ' : ''}[${n}] ${inner.label}`;
  return {
    tagSpec: spec,
    label,
    matches: (t) => matchesSpec(spec, t),
    decodeTlv(t, ctx) {
      expectTag(spec, t, label);
      ctx.enter(t.start);
      const c = readTlv(t.input, t.valueStart, t.end, ctx);
      if (c.end !== t.end) decodeError('DECODE_TRAILING_BYTES', `extra content inside ${label}`, c.end);
      if (!inner.matches(c)) expectTag(inner.tagSpec ?? spec, c, inner.label);
      const v = inner.decodeTlv(c, ctx);
      ctx.leave();
      return v;
    },
    encode: viaWriter(encodeTo),
    encodeTo,
  };
  function encodeTo(v: T, w: DerWriter): void {
    const end = w.length;
    encodeInto(inner, v, w);
    w.header(cls, true, n, w.length - end);
  }
}

/** `[APPLICATION n] T`, as Kerberos messages are tagged (RFC 4120 5.x). */
export function application<T>(n: number, inner: DerType<T>): DerType<T> {
  return explicit(n, inner, CLASS_APPLICATION);
}

interface FieldSpec<T> {
  readonly type: DerType<T>;
  readonly optional: boolean;
}
type AnyField = FieldSpec<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A field that must be present. */
export function req<T>(type: DerType<T>): FieldSpec<T> {
  return { type, optional: false };
}
/** An OPTIONAL field: `undefined` when absent, omitted when encoding `undefined`. */
export function opt<T>(type: DerType<T>): FieldSpec<T> & { readonly optional: true } {
  return { type, optional: true };
}

type RequiredKeys<F> = { [K in keyof F]: F[K] extends { optional: true } ? never : K }[keyof F];
type OptionalKeys<F> = { [K in keyof F]: F[K] extends { optional: true } ? K : never }[keyof F];
type FieldValue<X> = X extends FieldSpec<infer T> ? T : never;
export type SeqValue<F> = { readonly [K in RequiredKeys<F>]: FieldValue<F[K]> } & { readonly [K in OptionalKeys<F>]?: FieldValue<F[K]> | undefined };

/**
 * SEQUENCE with fields in declaration order. Unknown or out-of-order elements are rejected
 * (DECODE_BAD_TAG): the structures we decode have no extensions in use.
 */
export function sequence<F extends Record<string, AnyField>>(fields: F, label = 'SEQUENCE'): DerType<SeqValue<F>> {
  const spec: TagSpec = { cls: CLASS_UNIVERSAL, tag: 16, constructed: true };
  const entries = Object.entries(fields);
  return {
    tagSpec: spec,
    label,
    matches: (t) => matchesSpec(spec, t),
    decodeTlv(t, ctx) {
      expectTag(spec, t, label);
      ctx.enter(t.start);
      const out: Record<string, unknown> = {};
      // Children are read one at a time as the fields consume them (no array of all of them).
      let k: Tlv | undefined = t.valueStart < t.end ? readTlv(t.input, t.valueStart, t.end, ctx) : undefined;
      for (const [name, f] of entries) {
        if (k && f.type.matches(k)) {
          out[name] = f.type.decodeTlv(k, ctx);
          k = k.end < t.end ? readTlv(t.input, k.end, t.end, ctx) : undefined;
        } else if (!f.optional) {
          if (k) expectTag(f.type.tagSpec ?? spec, k, `${label}.${name}`);
          decodeError('DECODE_TRUNCATED', `${label} lacks required field ${name}`, t.end);
        }
      }
      if (k) decodeError('DECODE_BAD_TAG', `unexpected ${describeTag(k.cls, k.tag, k.constructed)} in ${label}`, k.start);
      ctx.leave();
      return out as SeqValue<F>;
    },
    encode: viaWriter(encodeTo),
    encodeTo,
  };
  function encodeTo(v: SeqValue<F>, w: DerWriter): void {
    const rec = v as Record<string, unknown>;
    for (const [name, f] of entries) if (rec[name] === undefined && !f.optional) encodeError(`${label} lacks required field ${name}`);
    const end = w.length;
    for (let i = entries.length - 1; i >= 0; i--) {
      const [name, f] = entries[i]!;
      const x = rec[name];
      if (x !== undefined) encodeInto(f.type, x, w);
    }
    w.header(CLASS_UNIVERSAL, true, 16, w.length - end);
  }
}

/** SEQUENCE OF T, with optional size bounds (RFC 4120 uses SIZE (1..MAX) in places). */
export function sequenceOf<T>(inner: DerType<T>, opts: { min?: number; max?: number; label?: string } = {}): DerType<T[]> {
  const spec: TagSpec = { cls: CLASS_UNIVERSAL, tag: 16, constructed: true };
  const label = opts.label ?? `SEQUENCE OF ${inner.label}`;
  const min = opts.min ?? 0;
  const max = opts.max ?? Infinity;
  return {
    tagSpec: spec,
    label,
    matches: (t) => matchesSpec(spec, t),
    decodeTlv(t, ctx) {
      expectTag(spec, t, label);
      ctx.enter(t.start);
      const kids = readChildren(t, ctx);
      if (kids.length < min || kids.length > max) decodeError('DECODE_BAD_VALUE', `${label} has ${kids.length} elements`, t.start);
      const out = kids.map((k) => {
        if (!inner.matches(k)) expectTag(inner.tagSpec ?? spec, k, inner.label);
        return inner.decodeTlv(k, ctx);
      });
      ctx.leave();
      return out;
    },
    encode: viaWriter(encodeTo),
    encodeTo,
  };
  function encodeTo(v: T[], w: DerWriter): void {
    if (v.length < min || v.length > max) encodeError(`${label} has ${v.length} elements`);
    const end = w.length;
    for (let i = v.length - 1; i >= 0; i--) encodeInto(inner, v[i]!, w);
    w.header(CLASS_UNIVERSAL, true, 16, w.length - end);
  }
}

export type ChoiceValue<A> = { [K in keyof A]: { readonly type: K; readonly value: A[K] extends DerType<infer T> ? T : never } }[keyof A];

/** CHOICE by tag: each alternative must start with a distinct tag. */
export function choice<A extends Record<string, DerType<any>>>(alts: A, label = 'CHOICE'): DerType<ChoiceValue<A>> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const entries = Object.entries(alts);
  const pick = (v: ChoiceValue<A>): DerType<unknown> => alts[v.type as string] ?? encodeError(`unknown ${label} alternative ${String(v.type)}`);
  return {
    tagSpec: undefined,
    label,
    matches: (t) => entries.some(([, d]) => d.matches(t)),
    decodeTlv(t, ctx) {
      const hit = entries.find(([, d]) => d.matches(t));
      if (!hit) return decodeError('DECODE_BAD_TAG', `no ${label} alternative for ${describeTag(t.cls, t.tag, t.constructed)}`, t.start);
      return { type: hit[0], value: hit[1].decodeTlv(t, ctx) } as ChoiceValue<A>;
    },
    encode(v) {
      return pick(v).encode(v.value);
    },
    encodeTo(v, w) {
      encodeInto(pick(v), v.value, w);
    },
  };
}

/**
 * Any single element, kept as its exact DER bytes (a copy). The bytes are checked to be
 * well-formed DER down to every nested constructed element, so a later decode of them cannot
 * meet indefinite lengths. Used where a field must be signed or forwarded byte for byte.
 */
export function rawElement(label = 'ANY', spec?: TagSpec): DerType<Uint8Array> {
  const walk = (t: Tlv, ctx: Parameters<DerType<unknown>['decodeTlv']>[1]): void => {
    if (!t.constructed) return;
    ctx.enter(t.start);
    for (const k of readChildren(t, ctx)) walk(k, ctx);
    ctx.leave();
  };
  return {
    tagSpec: spec,
    label,
    matches: (t) => (spec ? matchesSpec(spec, t) : true),
    decodeTlv(t, ctx) {
      if (spec) expectTag(spec, t, label);
      walk(t, ctx);
      return new Uint8Array(tlvBytes(t));
    },
    encode: (b) => b,
    encodeTo: (b, w) => w.bytes(b),
  };
}

/** Maps a decoded value (e.g. number -> enum, raw -> parsed) and back. */
export function mapped<A, B>(inner: DerType<A>, to: (a: A, t: Tlv) => B, from: (b: B) => A, label = inner.label): DerType<B> {
  return {
    tagSpec: inner.tagSpec,
    label,
    matches: (t) => inner.matches(t),
    decodeTlv: (t, ctx) => to(inner.decodeTlv(t, ctx), t),
    encode: (b) => inner.encode(from(b)),
    encodeTo: (b, w) => encodeInto(inner, from(b), w),
  };
}

/** A lazily resolved type, for recursive structures. */
export function lazy<T>(get: () => DerType<T>, label: string, spec: TagSpec | undefined): DerType<T> {
  return {
    tagSpec: spec,
    label,
    matches: (t) => get().matches(t),
    decodeTlv: (t, ctx) => get().decodeTlv(t, ctx),
    encode: (v) => get().encode(v),
    encodeTo: (v, w) => encodeInto(get(), v, w),
  };
}
