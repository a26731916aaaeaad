// DES (FIPS 46-3) single-block ECB encryption in pure TypeScript, plus the MS-NLMP helpers built
// on it. Node 20's OpenSSL 3 refuses des-ecb without the legacy provider. DES is reached only
// behind the weak-crypto option (NTLMv1, LM, 56/40-bit NTLMv1 sealing keys), so this is written
// for clarity with bit arrays straight from the standard's tables, not for speed.

import { SpnegoError } from '../errors.js';

// Tables from FIPS 46-3; positions are 1-based, bit 1 is the most significant bit of byte 0.
const IP = [
  58, 50, 42, 34, 26, 18, 10, 2, 60, 52, 44, 36, 28, 20, 12, 4, 62, 54, 46, 38, 30, 22, 14, 6, 64, 56, 48, 40, 32, 24, 16, 8,
  57, 49, 41, 33, 25, 17, 9, 1, 59, 51, 43, 35, 27, 19, 11, 3, 61, 53, 45, 37, 29, 21, 13, 5, 63, 55, 47, 39, 31, 23, 15, 7,
];
/** IP^-1, derived rather than transcribed. */
const FP: number[] = new Array<number>(64);
IP.forEach((from, to) => (FP[from - 1] = to + 1));

const E = [
  32, 1, 2, 3, 4, 5, 4, 5, 6, 7, 8, 9, 8, 9, 10, 11, 12, 13, 12, 13, 14, 15, 16, 17,
  16, 17, 18, 19, 20, 21, 20, 21, 22, 23, 24, 25, 24, 25, 26, 27, 28, 29, 28, 29, 30, 31, 32, 1,
];
const P = [16, 7, 20, 21, 29, 12, 28, 17, 1, 15, 23, 26, 5, 18, 31, 10, 2, 8, 24, 14, 32, 27, 3, 9, 19, 13, 30, 6, 22, 11, 4, 25];
const PC1 = [
  57, 49, 41, 33, 25, 17, 9, 1, 58, 50, 42, 34, 26, 18, 10, 2, 59, 51, 43, 35, 27, 19, 11, 3, 60, 52, 44, 36,
  63, 55, 47, 39, 31, 23, 15, 7, 62, 54, 46, 38, 30, 22, 14, 6, 61, 53, 45, 37, 29, 21, 13, 5, 28, 20, 12, 4,
];
const PC2 = [
  14, 17, 11, 24, 1, 5, 3, 28, 15, 6, 21, 10, 23, 19, 12, 4, 26, 8, 16, 7, 27, 20, 13, 2,
  41, 52, 31, 37, 47, 55, 30, 40, 51, 45, 33, 48, 44, 49, 39, 56, 34, 53, 46, 42, 50, 36, 29, 32,
];
const SHIFTS = [1, 1, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2, 2, 2, 2, 1];
/** S-boxes S1..S8, each four rows of 16. */
const DES_SBOXES: readonly (readonly number[])[] = [
  [14, 4, 13, 1, 2, 15, 11, 8, 3, 10, 6, 12, 5, 9, 0, 7, 0, 15, 7, 4, 14, 2, 13, 1, 10, 6, 12, 11, 9, 5, 3, 8,
    4, 1, 14, 8, 13, 6, 2, 11, 15, 12, 9, 7, 3, 10, 5, 0, 15, 12, 8, 2, 4, 9, 1, 7, 5, 11, 3, 14, 10, 0, 6, 13],
  [15, 1, 8, 14, 6, 11, 3, 4, 9, 7, 2, 13, 12, 0, 5, 10, 3, 13, 4, 7, 15, 2, 8, 14, 12, 0, 1, 10, 6, 9, 11, 5,
    0, 14, 7, 11, 10, 4, 13, 1, 5, 8, 12, 6, 9, 3, 2, 15, 13, 8, 10, 1, 3, 15, 4, 2, 11, 6, 7, 12, 0, 5, 14, 9],
  [10, 0, 9, 14, 6, 3, 15, 5, 1, 13, 12, 7, 11, 4, 2, 8, 13, 7, 0, 9, 3, 4, 6, 10, 2, 8, 5, 14, 12, 11, 15, 1,
    13, 6, 4, 9, 8, 15, 3, 0, 11, 1, 2, 12, 5, 10, 14, 7, 1, 10, 13, 0, 6, 9, 8, 7, 4, 15, 14, 3, 11, 5, 2, 12],
  [7, 13, 14, 3, 0, 6, 9, 10, 1, 2, 8, 5, 11, 12, 4, 15, 13, 8, 11, 5, 6, 15, 0, 3, 4, 7, 2, 12, 1, 10, 14, 9,
    10, 6, 9, 0, 12, 11, 7, 13, 15, 1, 3, 14, 5, 2, 8, 4, 3, 15, 0, 6, 10, 1, 13, 8, 9, 4, 5, 11, 12, 7, 2, 14],
  [2, 12, 4, 1, 7, 10, 11, 6, 8, 5, 3, 15, 13, 0, 14, 9, 14, 11, 2, 12, 4, 7, 13, 1, 5, 0, 15, 10, 3, 9, 8, 6,
    4, 2, 1, 11, 10, 13, 7, 8, 15, 9, 12, 5, 6, 3, 0, 14, 11, 8, 12, 7, 1, 14, 2, 13, 6, 15, 0, 9, 10, 4, 5, 3],
  [12, 1, 10, 15, 9, 2, 6, 8, 0, 13, 3, 4, 14, 7, 5, 11, 10, 15, 4, 2, 7, 12, 9, 5, 6, 1, 13, 14, 0, 11, 3, 8,
    9, 14, 15, 5, 2, 8, 12, 3, 7, 0, 4, 10, 1, 13, 11, 6, 4, 3, 2, 12, 9, 5, 15, 10, 11, 14, 1, 7, 6, 0, 8, 13],
  [4, 11, 2, 14, 15, 0, 8, 13, 3, 12, 9, 7, 5, 10, 6, 1, 13, 0, 11, 7, 4, 9, 1, 10, 14, 3, 5, 12, 2, 15, 8, 6,
    1, 4, 11, 13, 12, 3, 7, 14, 10, 15, 6, 8, 0, 5, 9, 2, 6, 11, 13, 8, 1, 4, 10, 7, 9, 5, 0, 15, 14, 2, 3, 12],
  [13, 2, 8, 4, 6, 15, 11, 1, 10, 9, 3, 14, 5, 0, 12, 7, 1, 15, 13, 8, 10, 3, 7, 4, 12, 5, 6, 11, 0, 14, 9, 2,
    7, 11, 4, 1, 9, 12, 14, 2, 0, 6, 10, 13, 15, 3, 5, 8, 2, 1, 14, 7, 4, 10, 8, 13, 15, 12, 9, 0, 3, 5, 6, 11],
];

const at = (a: readonly number[], i: number): number => a[i] as number;

function toBits(bytes: Uint8Array): number[] {
  const bits: number[] = [];
  for (let i = 0; i < bytes.length * 8; i++) bits.push(((bytes[i >> 3] as number) >> (7 - (i & 7))) & 1);
  return bits;
}

function fromBits(bits: readonly number[]): Uint8Array {
  const out = new Uint8Array(bits.length >> 3);
  for (let i = 0; i < bits.length; i++) out[i >> 3] = (out[i >> 3] as number) | (at(bits, i) << (7 - (i & 7)));
  return out;
}

const permute = (bits: readonly number[], table: readonly number[]): number[] => table.map((p) => at(bits, p - 1));

function checkLength(name: string, b: Uint8Array, n: number): void {
  if (!(b instanceof Uint8Array) || b.length !== n) {
    throw new SpnegoError('BAD_ARGUMENT', `${name} must be ${n} bytes`);
  }
}

/** The 16 48-bit round keys (FIPS 46-3 key schedule); the 8 parity bits are dropped by PC-1. */
function subkeys(key8: Uint8Array): number[][] {
  const cd = permute(toBits(key8), PC1);
  let c = cd.slice(0, 28);
  let d = cd.slice(28);
  const ks: number[][] = [];
  for (const s of SHIFTS) {
    c = [...c.slice(s), ...c.slice(0, s)];
    d = [...d.slice(s), ...d.slice(0, s)];
    ks.push(permute([...c, ...d], PC2));
  }
  return ks;
}

/** The cipher function f(R, K): expand, mix in the round key, S-boxes, permute. */
function f(r: readonly number[], k: readonly number[]): number[] {
  const x = permute(r, E).map((b, i) => b ^ at(k, i));
  const out: number[] = [];
  for (let s = 0; s < 8; s++) {
    const o = s * 6;
    const row = (at(x, o) << 1) | at(x, o + 5);
    const col = (at(x, o + 1) << 3) | (at(x, o + 2) << 2) | (at(x, o + 3) << 1) | at(x, o + 4);
    const v = at(DES_SBOXES[s] as readonly number[], row * 16 + col);
    out.push((v >> 3) & 1, (v >> 2) & 1, (v >> 1) & 1, v & 1);
  }
  return permute(out, P);
}

/** DES-ECB encryption of one 8-byte block under an 8-byte key (parity bits ignored). */
export function desEncryptBlock(key8: Uint8Array, block8: Uint8Array): Uint8Array {
  checkLength('DES key', key8, 8);
  checkLength('DES block', block8, 8);
  const ks = subkeys(key8);
  const lr = permute(toBits(block8), IP);
  let l = lr.slice(0, 32);
  let r = lr.slice(32);
  for (const k of ks) {
    const fr = f(r, k);
    const next = l.map((b, i) => b ^ at(fr, i));
    l = r;
    r = next;
  }
  // The last round is not swapped: the preoutput block is R16 L16.
  return fromBits(permute([...r, ...l], FP));
}

/**
 * Expands a 7-byte (56-bit) key to an 8-byte DES key: each output byte carries the next 7 key
 * bits in its high bits and an odd-parity bit in its low bit (MS-NLMP 6, "DES"; as in LM hashing).
 */
export function desKeyFrom7(key7: Uint8Array): Uint8Array {
  checkLength('DES 56-bit key', key7, 7);
  const bits = toBits(key7);
  const out = new Uint8Array(8);
  for (let i = 0; i < 8; i++) {
    let b = 0;
    let ones = 0;
    for (let j = 0; j < 7; j++) {
      const bit = at(bits, i * 7 + j);
      b = (b << 1) | bit;
      ones += bit;
    }
    out[i] = (b << 1) | (ones % 2 === 0 ? 1 : 0);
  }
  return out;
}

/**
 * DESL(K, D) from MS-NLMP 6: the 8-byte D encrypted under three DES keys made from the 16-byte K,
 * namely K[0..6], K[7..13] and K[14..15] followed by five zero bytes; 24 bytes out.
 * Used for the NTLMv1 and LMv1 responses (MS-NLMP 3.3.1).
 */
export function DESL(key16: Uint8Array, data8: Uint8Array): Uint8Array {
  checkLength('DESL key', key16, 16);
  checkLength('DESL data', data8, 8);
  const third = new Uint8Array(7);
  third.set(key16.subarray(14, 16));
  const out = new Uint8Array(24);
  out.set(desEncryptBlock(desKeyFrom7(key16.subarray(0, 7)), data8), 0);
  out.set(desEncryptBlock(desKeyFrom7(key16.subarray(7, 14)), data8), 8);
  out.set(desEncryptBlock(desKeyFrom7(third), data8), 16);
  return out;
}
