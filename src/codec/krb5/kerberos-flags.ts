// KerberosFlags (RFC 4120 5.2.8): TicketFlags, KDCOptions, APOptions.
//   KerberosFlags ::= BIT STRING (SIZE (32..MAX)) -- minimum number of bits shall be sent, but no fewer than 32
// The value is the BitString itself, so decode/encode keeps the exact bytes (MIT and Windows send
// 32 bits with unused-bits 0). Decoding accepts any length (an older peer sending fewer bits loses
// nothing by being read); everything built here has at least 32 bits.
// Bit n is the n-th bit from the most significant bit of the first byte (bit 0 = 0x80 of byte 0).
import { BIT_STRING, derCodec, mapped, encodeError, type BitString, type DerType } from '../../der/index.js';

export type KerberosFlags = BitString;

export const kerberosFlagsType: DerType<KerberosFlags> = mapped(BIT_STRING, (b) => b, (b) => b, 'KerberosFlags');
export const kerberosFlagsCodec = derCodec<KerberosFlags>('KerberosFlags', kerberosFlagsType);

/** Number of meaningful bits in the string. */
export function flagBitLength(f: KerberosFlags): number {
  return f.bytes.length * 8 - f.unusedBits;
}

/** Whether bit `bit` is set (bits beyond the string read as clear). */
export function hasFlag(f: KerberosFlags, bit: number): boolean {
  if (!Number.isInteger(bit) || bit < 0 || bit >= flagBitLength(f)) return false;
  return ((f.bytes[bit >> 3] ?? 0) & (0x80 >> (bit & 7))) !== 0;
}

/** The set bit numbers, ascending. */
export function flagBits(f: KerberosFlags): number[] {
  const out: number[] = [];
  const n = flagBitLength(f);
  for (let i = 0; i < n; i++) if (hasFlag(f, i)) out.push(i);
  return out;
}

/**
 * Builds flags from bit numbers: whole bytes, at least `minBits` (32) bits, unused-bits 0,
 * the form MIT, Heimdal and Windows send.
 */
export function flagsFromBits(bits: Iterable<number>, minBits = 32): KerberosFlags {
  const list = [...bits];
  for (const b of list) if (!Number.isInteger(b) || b < 0 || b > 0xffff) encodeError(`bad KerberosFlags bit ${b}`);
  const top = list.length === 0 ? -1 : Math.max(...list);
  const bytes = new Uint8Array(Math.max(Math.ceil(minBits / 8), (top >> 3) + 1));
  for (const b of list) bytes[b >> 3]! |= 0x80 >> (b & 7);
  return { bytes, unusedBits: 0 };
}

/** The names of the set bits, using `nameOf` (e.g. ticketFlagName); unknown bits print as `bitN`. */
export function flagNames(f: KerberosFlags, nameOf: (bit: number) => string | undefined): string[] {
  return flagBits(f).map((b) => nameOf(b) ?? `bit${b}`);
}

/** Builds flags from names in `table` (e.g. ApOption); an unknown name is ENCODE_BAD_VALUE. */
export function flagsFromNames(names: Iterable<string>, table: Readonly<Record<string, number>>, minBits = 32): KerberosFlags {
  const bits: number[] = [];
  for (const n of names) {
    const b = table[n];
    if (b === undefined) encodeError(`unknown flag name ${n}`);
    bits.push(b);
  }
  return flagsFromBits(bits, minBits);
}

/** The first 32 bits as an unsigned number, bit 0 = 0x80000000 (MIT's krb5_flags layout). */
export function flagsToUInt32(f: KerberosFlags): number {
  let n = 0;
  for (let i = 0; i < 32; i++) if (hasFlag(f, i)) n |= 0x80000000 >>> i;
  return n >>> 0;
}

/** 32-bit flags from an unsigned number, bit 0 = 0x80000000. */
export function flagsFromUInt32(n: number): KerberosFlags {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) encodeError(`KerberosFlags value ${n} is not a UInt32`);
  return { bytes: Uint8Array.of(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff), unusedBits: 0 };
}
