// AES in CBC mode with ciphertext stealing as Kerberos uses it (RFC 3962 5: CBC-CS3 of NIST
// SP 800-38A addendum, "the last two blocks swapped"), on node:crypto. One message of exactly one
// block is plain CBC. The bulk is one cipher call: zero-padded CBC and then the swap.
// Creating an OpenSSL context costs more than encrypting a handshake message, so each key keeps
// one ECB context per direction (ECB with padding off is stateless between update calls) for
// key derivation and for decrypting short messages; like DerivedKeyCache, keys are not mutated.

import { createCipheriv, createDecipheriv, type Cipher, type Decipher } from 'node:crypto';
import { SpnegoError } from '../../errors.js';

export const AES_BLOCK = 16;
const ZERO_IV = new Uint8Array(16);

function algo(key: Uint8Array, mode: 'cbc' | 'ecb'): string {
  if (key.length !== 16 && key.length !== 32) {
    throw new SpnegoError('BAD_ARGUMENT', `AES key must be 16 or 32 bytes, got ${key.length}`);
  }
  return `aes-${key.length * 8}-${mode}`;
}

function cbc(encrypt: boolean, key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  const c = encrypt ? createCipheriv(algo(key, 'cbc'), key, iv) : createDecipheriv(algo(key, 'cbc'), key, iv);
  c.setAutoPadding(false);
  const a = c.update(data);
  const b = c.final();
  const out = new Uint8Array(data.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

interface EcbPair {
  enc?: Cipher;
  dec?: Decipher;
}
// Kept on the key object itself: a WeakMap entry per short-lived session key cost more GC time
// than the contexts saved.
const ECB = Symbol('aes-ecb-contexts');
type WithEcb = Uint8Array & { [ECB]?: EcbPair };

function ecb(key: Uint8Array, encrypt: boolean): Cipher | Decipher {
  const k = key as WithEcb;
  const pair = (k[ECB] ??= {});
  if (encrypt) return (pair.enc ??= createCipheriv(algo(key, 'ecb'), key, null).setAutoPadding(false));
  return (pair.dec ??= createDecipheriv(algo(key, 'ecb'), key, null).setAutoPadding(false));
}

/** Runs whole blocks through a key's cached ECB context (one AES call per block, in parallel). */
function ecbBlocks(key: Uint8Array, encrypt: boolean, data: Uint8Array): Buffer {
  return ecb(key, encrypt).update(data);
}

/** DR(Key, Constant) for AES (RFC 3961 5.1): K1 = E(c), K2 = E(K1), ... until outLen bytes. */
export function aesDeriveRandom(key: Uint8Array, block16: Uint8Array, outLen: number): Uint8Array {
  return aesDeriveRandomMany(key, [block16], outLen)[0]!;
}

/**
 * DR(Key, c) for several constants at once: round r encrypts the r-th blocks of every chain in
 * one call (the chains are independent), so Ke and Ki of a usage cost two AES calls, not four.
 */
export function aesDeriveRandomMany(key: Uint8Array, blocks16: readonly Uint8Array[], outLen: number): Uint8Array[] {
  const rounds = Math.ceil(outLen / AES_BLOCK);
  const n = blocks16.length;
  const outs = blocks16.map(() => new Uint8Array(rounds * AES_BLOCK));
  let input: Uint8Array = new Uint8Array(n * AES_BLOCK);
  blocks16.forEach((b, i) => input.set(b, i * AES_BLOCK));
  for (let r = 0; r < rounds; r++) {
    const k = ecbBlocks(key, true, input);
    for (let i = 0; i < n; i++) outs[i]!.set(k.subarray(i * AES_BLOCK, (i + 1) * AES_BLOCK), r * AES_BLOCK);
    input = k;
  }
  input.fill(0);
  return outs.map((o) => (o.length === outLen ? o : o.slice(0, outLen)));
}

/** One AES block encryption (ECB), the E of RFC 3961 key derivation. */
export function aesEncryptBlock(key: Uint8Array, block: Uint8Array): Uint8Array {
  return new Uint8Array(ecbBlocks(key, true, block));
}

function aesDecryptBlock(key: Uint8Array, block: Uint8Array): Uint8Array {
  const d = ecbBlocks(key, false, block);
  const out = new Uint8Array(d);
  d.fill(0);
  return out;
}

// Up to this size CBC decryption is ECB plus a JavaScript XOR on the cached context; past it
// OpenSSL's CBC in one call is faster than creating a context is slow.
const SMALL_CBC_DECRYPT = 4096;

function cbcDecryptSmall(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  const d = ecbBlocks(key, false, data);
  const out = new Uint8Array(data.length);
  for (let i = 0; i < AES_BLOCK; i++) out[i] = d[i]! ^ iv[i]!;
  for (let i = AES_BLOCK; i < data.length; i++) out[i] = d[i]! ^ data[i - AES_BLOCK]!;
  d.fill(0); // D(C) and the public ciphertext give the plaintext
  return out;
}

export interface CtsResult {
  readonly output: Uint8Array;
  /** The cipher state after the message: the last CBC block before the swap (RFC 3962 5). */
  readonly nextIv: Uint8Array;
}

function checkIn(data: Uint8Array, iv: Uint8Array): void {
  if (data.length < AES_BLOCK) throw new SpnegoError('DEFECTIVE_TOKEN', `AES-CTS input must be at least one block, got ${data.length} bytes`);
  if (iv.length !== AES_BLOCK) throw new SpnegoError('BAD_ARGUMENT', `AES-CTS IV must be 16 bytes, got ${iv.length}`);
}

/** AES-CBC-CS3 encryption of at least one block. */
export function aesCtsEncrypt(key: Uint8Array, data: Uint8Array, iv: Uint8Array = ZERO_IV): CtsResult {
  checkIn(data, iv);
  const n = data.length;
  if (n === AES_BLOCK) {
    const output = cbc(true, key, iv, data);
    return { output, nextIv: output.slice() };
  }
  const blocks = Math.ceil(n / AES_BLOCK);
  const padded = new Uint8Array(blocks * AES_BLOCK);
  padded.set(data);
  const c = cbc(true, key, iv, padded);
  const last = (blocks - 1) * AES_BLOCK;
  const prev = last - AES_BLOCK;
  const tail = n - last; // 1..16 bytes of the final (partial) block
  const output = new Uint8Array(n);
  output.set(c.subarray(0, prev), 0);
  output.set(c.subarray(last, last + AES_BLOCK), prev);
  output.set(c.subarray(prev, prev + tail), last);
  return { output, nextIv: c.slice(last, last + AES_BLOCK) };
}

/** AES-CBC-CS3 decryption of at least one block. */
export function aesCtsDecrypt(key: Uint8Array, data: Uint8Array, iv: Uint8Array = ZERO_IV): CtsResult {
  checkIn(data, iv);
  const n = data.length;
  if (n === AES_BLOCK) return { output: cbcDecryptSmall(key, iv, data), nextIv: data.slice() };
  const blocks = Math.ceil(n / AES_BLOCK);
  const prev = (blocks - 2) * AES_BLOCK; // where the swapped last CBC block (Cn) sits
  const last = prev + AES_BLOCK;
  const tail = n - last;
  const cn = data.subarray(prev, last);
  if (n > SMALL_CBC_DECRYPT) {
    // D = AES^-1(Cn) = C(n-1) xor (Pn | 0): its bytes past `tail` are those of C(n-1).
    const d = aesDecryptBlock(key, cn);
    const rebuilt = new Uint8Array(blocks * AES_BLOCK);
    rebuilt.set(data.subarray(0, prev), 0);
    rebuilt.set(data.subarray(last, n), prev); // the first `tail` bytes of C(n-1)
    rebuilt.set(d.subarray(tail), prev + tail); // the rest of C(n-1)
    rebuilt.set(cn, last);
    d.fill(0);
    return { output: cbc(false, key, iv, rebuilt).subarray(0, n), nextIv: cn.slice() };
  }
  // Short messages, two ECB calls on the key's cached context: first every whole block as sent
  // (C1 .. C(n-2), then Cn), which also gives D(Cn) and so the hidden end of C(n-1); then C(n-1).
  const d = ecbBlocks(key, false, data.subarray(0, last));
  const cPrev = new Uint8Array(AES_BLOCK); // C(n-1)
  cPrev.set(data.subarray(last, n), 0);
  cPrev.set(d.subarray(prev + tail, last), tail);
  const dPrev = ecbBlocks(key, false, cPrev);
  const out = new Uint8Array(n);
  for (let i = 0; i < prev; i++) out[i] = d[i]! ^ (i < AES_BLOCK ? iv[i]! : data[i - AES_BLOCK]!);
  for (let j = 0; j < AES_BLOCK; j++) out[prev + j] = dPrev[j]! ^ (prev === 0 ? iv[j]! : data[prev - AES_BLOCK + j]!); // P(n-1)
  for (let j = 0; j < tail; j++) out[last + j] = d[prev + j]! ^ cPrev[j]!; // Pn = D(Cn) xor C(n-1), first `tail` bytes
  d.fill(0);
  dPrev.fill(0);
  return { output: out, nextIv: cn.slice() };
}
