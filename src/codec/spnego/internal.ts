// Small helpers shared by the SPNEGO codecs (not part of the public surface).
import { decodeError } from '../../errors.js';
import { utf8 } from '../../bytes/encoding.js';
import { CLASS_UNIVERSAL, encodeTlv, tlvValue } from '../../der/tlv.js';
import { expectTag, matchesSpec, type DerType, type TagSpec } from '../../der/type.js';
import { derCodec } from '../../der/codec.js';
import type { Codec } from '../codec.js';

/** A copy of `o` without the keys whose value is undefined, so decoded objects deep-equal hand-built ones. */
export function compact<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as T;
}

const GS: TagSpec = { cls: CLASS_UNIVERSAL, tag: 27, constructed: false };
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * GeneralString as UTF-8, like der's GeneralString but keeping a leading U+FEFF
 * (the shared decoder strips a BOM, which would break encode(decode(b)) === b).
 */
export const GeneralStringExact: DerType<string> = {
  tagSpec: GS,
  label: 'GeneralString',
  matches: (t) => matchesSpec(GS, t),
  decodeTlv(t) {
    expectTag(GS, t, 'GeneralString');
    try {
      return strictUtf8.decode(tlvValue(t));
    } catch {
      return decodeError('DECODE_BAD_VALUE', 'invalid UTF-8 in GeneralString', t.valueStart);
    }
  },
  encode: (s) => encodeTlv(CLASS_UNIVERSAL, false, 27, utf8(s)),
};


/**
 * A plain Uint8Array view of the input. Node's Buffer.prototype.slice returns a view, not a copy,
 * so decoding straight from a Buffer would hand out byte fields aliasing the caller's buffer.
 */
export function plain(bytes: Uint8Array): Uint8Array {
  return Object.getPrototypeOf(bytes) === Uint8Array.prototype ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** derCodec, decoding from a plain view of the input (see `plain`). */
export function spnegoCodec<T>(name: string, type: DerType<T>): Codec<T> & { readonly type: DerType<T> } {
  const c = derCodec(name, type);
  return { name, type, decode: (bytes, limits) => c.decode(plain(bytes), limits), encode: (v) => c.encode(v) };
}
