// InitialContextToken, the generic framing of a GSS-API initial context token (RFC 2743 section 3.1):
//
//   InitialContextToken ::= [APPLICATION 0] IMPLICIT SEQUENCE {
//     thisMech          MechType,  -- OBJECT IDENTIFIER
//     innerContextToken ANY DEFINED BY thisMech }
//
// Only the 0x60 header and the OID follow DER (minimal definite lengths). The inner token is
// mechanism-specific and not necessarily DER (Kerberos: 2-byte TOK_ID then DER; NTLM: raw bytes),
// so it is kept as bytes, and the whole input must be exactly one framed token.
import { decodeError } from '../../errors.js';
import { resolveLimits, type Codec, type DecodeLimits } from '../codec.js';
import { CLASS_APPLICATION, DerContext, encodeConstructed, readTlv } from '../../der/tlv.js';
import { OBJECT_IDENTIFIER } from '../../der/primitives.js';
import { expectTag, type TagSpec } from '../../der/type.js';

export interface InitialContextToken {
  /** thisMech, dotted decimal. */
  readonly mech: string;
  /** innerContextToken: the mechanism's bytes, whatever their form. */
  readonly innerToken: Uint8Array;
}

/** Where the parts of a framed token lie in the input (absolute offsets). */
export interface InitialContextTokenHeader {
  readonly mech: string;
  /** Offset of the OID element (06 ...). */
  readonly mechStart: number;
  /** Offset of the first byte of innerContextToken. */
  readonly innerStart: number;
  /** End of the framed token (== input length when decoding a whole token). */
  readonly end: number;
}

const APP0: TagSpec = { cls: CLASS_APPLICATION, tag: 0, constructed: true };

/**
 * Reads the [APPLICATION 0] header and thisMech at `start`, within `input[start..end)`.
 * The framed element must fill the whole range (else DECODE_TRAILING_BYTES).
 */
export function readInitialContextTokenHeader(input: Uint8Array, ctx: DerContext, start = 0, end = input.length): InitialContextTokenHeader {
  const t = readTlv(input, start, end, ctx);
  expectTag(APP0, t, 'InitialContextToken');
  if (t.end !== end) decodeError('DECODE_TRAILING_BYTES', `${end - t.end} trailing byte(s) after InitialContextToken`, t.end);
  const m = readTlv(input, t.valueStart, t.end, ctx);
  if (!OBJECT_IDENTIFIER.matches(m)) expectTag(OBJECT_IDENTIFIER.tagSpec!, m, 'InitialContextToken.thisMech');
  const mech = OBJECT_IDENTIFIER.decodeTlv(m, ctx);
  return { mech, mechStart: m.start, innerStart: m.end, end: t.end };
}

/** True when `bytes` is exactly one well-formed RFC 2743 framed token (0x60 header and a valid OID). Never throws. */
export function hasInitialContextTokenHeader(bytes: Uint8Array): boolean {
  if (bytes.length < 2 || bytes[0] !== 0x60) return false;
  try {
    readInitialContextTokenHeader(bytes, new DerContext(resolveLimits()));
    return true;
  } catch {
    return false;
  }
}

/**
 * Like InitialContextToken.decode, but `innerToken` is a view of `bytes`, not a copy: for a
 * mechanism that decodes the inner token at once (the copy was one more allocation per message).
 */
export function unframeInitialContextToken(bytes: Uint8Array, limits?: Partial<DecodeLimits>): InitialContextToken {
  const l = resolveLimits(limits);
  if (bytes.length > l.maxBytes) decodeError('DECODE_LIMIT', `input of ${bytes.length} bytes exceeds the ${l.maxBytes}-byte limit`, 0);
  const h = readInitialContextTokenHeader(bytes, new DerContext(l));
  return { mech: h.mech, innerToken: bytes.subarray(h.innerStart, h.end) };
}

function decode(bytes: Uint8Array, limits?: Partial<DecodeLimits>): InitialContextToken {
  const v = unframeInitialContextToken(bytes, limits);
  // A plain, unshared copy (Buffer.prototype.slice would return a view).
  return { mech: v.mech, innerToken: new Uint8Array(v.innerToken) };
}

function encode(v: InitialContextToken): Uint8Array {
  return encodeConstructed(CLASS_APPLICATION, 0, [OBJECT_IDENTIFIER.encode(v.mech), v.innerToken]);
}

export const InitialContextToken: Codec<InitialContextToken> = { name: 'InitialContextToken', decode, encode };
