// Turns a DerType into the package-wide Codec shape.
import type { Codec, DecodeLimits } from '../codec/codec.js';
import { decodeDer, type DerType } from './type.js';

export function derCodec<T>(name: string, type: DerType<T>): Codec<T> & { readonly type: DerType<T> } {
  return {
    name,
    type,
    decode: (bytes: Uint8Array, limits?: Partial<DecodeLimits>) => decodeDer(type, bytes, limits),
    encode: (v: T) => type.encode(v),
  };
}
