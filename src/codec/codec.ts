// The shape every wire type exports: a named decode/encode pair.
// decode is strict (no trailing bytes, bounded sizes) and throws only SpnegoError;
// encode(decode(b)) reproduces b byte for byte for every valid input.

export interface DecodeLimits {
  /** Largest input accepted, in bytes. */
  readonly maxBytes: number;
  /** Deepest nesting of DER constructed elements. */
  readonly maxDepth: number;
  /** Most DER elements (or list entries such as NTLM AV pairs) in one input. */
  readonly maxElements: number;
}

/** Large enough for a Kerberos ticket with a big PAC inside SPNEGO (Windows MaxTokenSize is 48000-65535). */
export const DEFAULT_LIMITS: DecodeLimits = Object.freeze({
  maxBytes: 256 * 1024,
  maxDepth: 32,
  maxElements: 20_000,
});

export function resolveLimits(l?: Partial<DecodeLimits>): DecodeLimits {
  return l ? { ...DEFAULT_LIMITS, ...l } : DEFAULT_LIMITS;
}

export interface Codec<T> {
  /** The spec's name of the structure, e.g. `NegTokenResp`, `AP-REQ`, `CHALLENGE_MESSAGE`. */
  readonly name: string;
  decode(bytes: Uint8Array, limits?: Partial<DecodeLimits>): T;
  encode(value: T): Uint8Array;
}
