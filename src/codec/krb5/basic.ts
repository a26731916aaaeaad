// The RFC 4120 5.2 building blocks shared by the krb5 wire types: Int32, UInt32, Microseconds,
// KerberosString, Realm, KerberosTime and the fixed-value pvno / msg-type integers.
import { decodeError } from '../../errors.js';
import { GeneralString, INTEGER, KerberosTime as DerKerberosTime, encodeError, integerIn, type DerType } from '../../der/index.js';

/** Int32 ::= INTEGER (-2147483648..2147483647) (RFC 4120 5.2.4). */
export const Int32: DerType<number> = integerIn(-(2 ** 31), 2 ** 31 - 1, 'Int32');

/** UInt32 ::= INTEGER (0..4294967295), enforced as the RFC says (RFC 4120 5.2.4). */
export const UInt32: DerType<number> = integerIn(0, 2 ** 32 - 1, 'UInt32');

/**
 * A UInt32 field as real peers send it: -2^31..2^32-1. Windows (and Heimdal in places) encode
 * nonce, seq-number and kvno as a signed 32-bit value, so a number >= 2^31 arrives as a negative
 * INTEGER. We keep the number exactly as sent (byte-exact re-encoding); callers that want the
 * unsigned value use `toUInt32(n)` (`n >>> 0`).
 */
export const UInt32Compat: DerType<number> = integerIn(-(2 ** 31), 2 ** 32 - 1, 'UInt32');

/** The unsigned reading of a UInt32Compat value. */
export function toUInt32(n: number): number {
  return n >>> 0;
}

/** Microseconds ::= INTEGER (0..999999) (RFC 4120 5.2.4). */
export const Microseconds: DerType<number> = integerIn(0, 999999, 'Microseconds');

/**
 * KerberosString ::= GeneralString (IA5String) (RFC 4120 5.2.1). Decoded as UTF-8, as MIT and
 * Windows actually send non-ASCII names; re-encoding reproduces the bytes.
 */
export const KerberosString: DerType<string> = GeneralString;

/** Realm ::= KerberosString (RFC 4120 5.2.2). */
export const Realm: DerType<string> = GeneralString;

/** KerberosTime ::= GeneralizedTime, "YYYYMMDDHHMMSSZ" only (RFC 4120 5.2.3). Whole seconds. */
export const KerberosTime: DerType<Date> = DerKerberosTime;

/**
 * An INTEGER that must equal `n` (pvno 5, msg-type, tkt-vno, authenticator-vno).
 * A different value is DECODE_BAD_VALUE at the integer's content offset.
 */
export function fixedInt<N extends number>(n: N, label: string): DerType<N> {
  return {
    tagSpec: INTEGER.tagSpec,
    label,
    matches: (t) => INTEGER.matches(t),
    decodeTlv(t, ctx) {
      const v = INTEGER.decodeTlv(t, ctx);
      if (v !== n) decodeError('DECODE_BAD_VALUE', `${label} must be ${n}, found ${v}`, t.valueStart);
      return n;
    },
    encode(v) {
      if (v !== n) encodeError(`${label} must be ${n}, got ${String(v)}`);
      return INTEGER.encode(n);
    },
  };
}

/** pvno [0] INTEGER (5): the protocol version of every Kerberos 5 message. */
export const PVNO = 5;
