// One error class for the whole package, with a closed set of stable codes.
// Each code maps to a GSS-API major status (RFC 2743 section 1.2.1.1); messages never carry secrets.

/** GSS-API routine error numbers (RFC 2743 1.2.1.1), already shifted into the routine-error field. */
export const GssMajor = {
  BAD_MECH: 1 << 16,
  BAD_NAME: 2 << 16,
  BAD_NAMETYPE: 3 << 16,
  BAD_BINDINGS: 4 << 16,
  BAD_STATUS: 5 << 16,
  BAD_MIC: 6 << 16,
  NO_CRED: 7 << 16,
  NO_CONTEXT: 8 << 16,
  DEFECTIVE_TOKEN: 9 << 16,
  DEFECTIVE_CREDENTIAL: 10 << 16,
  CREDENTIALS_EXPIRED: 11 << 16,
  CONTEXT_EXPIRED: 12 << 16,
  FAILURE: 13 << 16,
  BAD_QOP: 14 << 16,
  UNAUTHORIZED: 15 << 16,
  UNAVAILABLE: 16 << 16,
  // Supplementary information bits (RFC 2743 1.2.1.1), reported as the major of token-order errors.
  DUPLICATE_TOKEN: 1 << 1,
  OLD_TOKEN: 1 << 2,
  UNSEQ_TOKEN: 1 << 3,
  GAP_TOKEN: 1 << 4,
} as const;
export type GssMajorName = keyof typeof GssMajor;

/** The closed set of error codes. Adding one is an API change: document it in README. */
const CODES = {
  // Decoding (bytes, DER, wire structures): always carry the byte offset.
  DECODE_TRUNCATED: 'DEFECTIVE_TOKEN',
  DECODE_TRAILING_BYTES: 'DEFECTIVE_TOKEN',
  DECODE_BAD_TAG: 'DEFECTIVE_TOKEN',
  DECODE_BAD_LENGTH: 'DEFECTIVE_TOKEN',
  DECODE_BAD_VALUE: 'DEFECTIVE_TOKEN',
  DECODE_LIMIT: 'DEFECTIVE_TOKEN',
  UNKNOWN_TOKEN: 'DEFECTIVE_TOKEN',
  // Encoding a value that has no valid wire form.
  ENCODE_BAD_VALUE: 'FAILURE',
  // Negotiation and mechanisms.
  BAD_MECH: 'BAD_MECH',
  BAD_NAME: 'BAD_NAME',
  BAD_BINDINGS: 'BAD_BINDINGS',
  BAD_MIC: 'BAD_MIC',
  NO_CRED: 'NO_CRED',
  NO_CONTEXT: 'NO_CONTEXT',
  DEFECTIVE_TOKEN: 'DEFECTIVE_TOKEN',
  DEFECTIVE_CREDENTIAL: 'DEFECTIVE_CREDENTIAL',
  CREDENTIALS_EXPIRED: 'CREDENTIALS_EXPIRED',
  CONTEXT_EXPIRED: 'CONTEXT_EXPIRED',
  UNAUTHORIZED: 'UNAUTHORIZED',
  DUPLICATE_TOKEN: 'DUPLICATE_TOKEN',
  OLD_TOKEN: 'OLD_TOKEN',
  UNSEQ_TOKEN: 'UNSEQ_TOKEN',
  GAP_TOKEN: 'GAP_TOKEN',
  UNAVAILABLE: 'UNAVAILABLE',
  // Kerberos: a KRB-ERROR that maps to none of the above carries its code in `krbError`.
  CLOCK_SKEW: 'FAILURE',
  KDC_ERROR: 'FAILURE',
  // Caller mistakes (bad option values, wrong state).
  BAD_ARGUMENT: 'FAILURE',
  FAILURE: 'FAILURE',
} as const satisfies Record<string, GssMajorName>;

export type ErrorCode = keyof typeof CODES;
export const ERROR_CODES: readonly ErrorCode[] = Object.keys(CODES) as ErrorCode[];

export interface ErrorDetails {
  /** Byte offset in the input where a decode error was found. */
  readonly offset?: number;
  /** The error that caused this one (never a secret-bearing value). */
  readonly cause?: unknown;
  /** A token to send to the peer despite the failure (a SPNEGO reject, a KRB-ERROR), as GSS does. */
  readonly outputToken?: Uint8Array;
  /** The Kerberos error behind this one (RFC 4120 7.5.9), with the KDC's time when it sent one. */
  readonly krbError?: { readonly code: number; readonly name: string | undefined; readonly serverTime?: Date };
}

export class SpnegoError extends Error {
  override readonly name = 'SpnegoError';
  readonly code: ErrorCode;
  /** GSS-API major status this code maps to. */
  readonly major: number;
  readonly offset: number | undefined;
  readonly outputToken: Uint8Array | undefined;
  readonly krbError: ErrorDetails['krbError'];

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    const where = details.offset === undefined ? '' : ` (at byte ${details.offset})`;
    super(`${message}${where}`, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.major = GssMajor[CODES[code]];
    this.offset = details.offset;
    this.outputToken = details.outputToken;
    this.krbError = details.krbError;
  }

  /** A plain object for logs and `--json` output. */
  toJSON(): { code: ErrorCode; major: number; message: string; offset?: number } {
    const o: { code: ErrorCode; major: number; message: string; offset?: number } = {
      code: this.code,
      major: this.major,
      message: this.message,
    };
    if (this.offset !== undefined) o.offset = this.offset;
    return o;
  }
}

export function isSpnegoError(e: unknown): e is SpnegoError {
  return e instanceof SpnegoError;
}

/** Throws a decode error at `offset`. Typed `never` so it works in expressions. */
export function decodeError(code: ErrorCode, message: string, offset: number): never {
  throw new SpnegoError(code, message, { offset });
}
