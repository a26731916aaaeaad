// The RFC 3961 simplified-profile framework: n-fold (5.1), DR/DK key derivation (5.1) and the
// well-known usage constants (5.3). The block cipher is passed in, so the code is cipher-agnostic.

import { SpnegoError } from '../../errors.js';

/** Kc: checksum key (RFC 3961 5.3). */
export const KC = 0x99;
/** Ke: encryption key (RFC 3961 5.3). */
export const KE = 0xaa;
/** Ki: integrity key (RFC 3961 5.3). */
export const KI = 0x55;

/** The 5-byte derivation constant: usage as 4 bytes big-endian, then 0x99 / 0xAA / 0x55. */
export function usageConstant(usage: number, kind: number): Uint8Array {
  if (!Number.isInteger(usage) || usage < 0 || usage > 0xffffffff) {
    throw new SpnegoError('BAD_ARGUMENT', `key usage ${usage} is not a 32-bit unsigned integer`);
  }
  const c = new Uint8Array(5);
  new DataView(c.buffer).setUint32(0, usage, false);
  c[4] = kind & 0xff;
  return c;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/**
 * n-fold (RFC 3961 5.1): stretches or shrinks `input` to `outLen` bytes. The input is repeated
 * lcm(inLen, outLen) / inLen times, copy k rotated right by 13k bits; the outLen-byte blocks of that
 * string are added with one's-complement (end-around carry) addition.
 */
export function nfold(input: Uint8Array, outLen: number): Uint8Array {
  const inLen = input.length;
  if (inLen === 0 || !Number.isInteger(outLen) || outLen <= 0) {
    throw new SpnegoError('BAD_ARGUMENT', 'n-fold needs a non-empty input and a positive output length');
  }
  const lcm = (inLen * outLen) / gcd(inLen, outLen);
  const inBits = inLen * 8;
  const bitAt = (i: number): number => ((input[i >>> 3] as number) >>> (7 - (i & 7))) & 1;
  // The repeated, rotated string.
  const big = new Uint8Array(lcm);
  for (let k = 0; k < lcm / inLen; k++) {
    const rot = (13 * k) % inBits;
    for (let j = 0; j < inBits; j++) {
      if (bitAt((j - rot + inBits) % inBits)) {
        const pos = k * inBits + j;
        big[pos >>> 3] = (big[pos >>> 3] as number) | (0x80 >>> (pos & 7));
      }
    }
  }
  // One's-complement sum of the outLen-byte blocks.
  const out = new Uint8Array(outLen);
  let carry = 0;
  for (let off = 0; off < lcm; off += outLen) {
    carry = 0;
    for (let i = outLen - 1; i >= 0; i--) {
      const s = (out[i] as number) + (big[off + i] as number) + carry;
      out[i] = s & 0xff;
      carry = s >>> 8;
    }
    // End-around carry.
    for (let i = outLen - 1; carry !== 0 && i >= 0; i--) {
      const s = (out[i] as number) + carry;
      out[i] = s & 0xff;
      carry = s >>> 8;
      if (i === 0 && carry !== 0) i = outLen;
    }
  }
  return out;
}

/** One block of the cipher E with the initial cipher state (RFC 3961 5.1's E(Key, block, ...)). */
export type BlockEncrypt = (block: Uint8Array) => Uint8Array;

/**
 * DR(Key, Constant) (RFC 3961 5.1): n-fold the constant to the block size, encrypt it, and keep
 * encrypting the previous output until `outLen` bytes are produced.
 */
export function deriveRandom(encryptBlock: BlockEncrypt, blockSize: number, constant: Uint8Array, outLen: number): Uint8Array {
  let block = constant.length === blockSize ? constant : nfold(constant, blockSize);
  const out = new Uint8Array(outLen);
  let n = 0;
  while (n < outLen) {
    block = encryptBlock(block);
    out.set(block.subarray(0, Math.min(blockSize, outLen - n)), n);
    n += blockSize;
  }
  return out;
}

/** DK(Key, Constant) = random-to-key(DR(Key, Constant)) (RFC 3961 5.1). */
export function deriveKey(
  encryptBlock: BlockEncrypt,
  blockSize: number,
  constant: Uint8Array,
  keyBytes: number,
  randomToKey: (r: Uint8Array) => Uint8Array = (r) => r,
): Uint8Array {
  return randomToKey(deriveRandom(encryptBlock, blockSize, constant, keyBytes));
}
