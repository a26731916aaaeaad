// The narrow synchronous provider over node:crypto: only what Node 20's OpenSSL 3 still offers
// without flags (MD5, HMAC-MD5, SHA-256, random bytes), plus CRC32. MD4, RC4 and DES are pure
// TypeScript in md4.ts, rc4.ts and des.ts because OpenSSL 3 moved them to the legacy provider.
// Everything returns plain Uint8Array, never Buffer.

import { createHash, createHmac, randomFillSync } from 'node:crypto';
import { SpnegoError } from '../errors.js';

// A copy into a fresh Uint8Array: digests are small, so it stays on the V8 heap (slicing the
// Buffer's ArrayBuffer allocated a separate backing store for every digest).
function plain(b: Buffer): Uint8Array {
  const out = new Uint8Array(b.length);
  out.set(b);
  return out;
}

/** MD5 of the concatenation of `parts` (16 bytes). */
export function md5(...parts: Uint8Array[]): Uint8Array {
  const h = createHash('md5');
  for (const p of parts) h.update(p);
  return plain(h.digest());
}

/** HMAC-MD5 (RFC 2104) of the concatenation of `parts` under `key` (16 bytes). */
export function hmacMd5(key: Uint8Array, ...parts: Uint8Array[]): Uint8Array {
  const h = createHmac('md5', key);
  for (const p of parts) h.update(p);
  return plain(h.digest());
}

/** SHA-256 of the concatenation of `parts` (32 bytes). */
export function sha256(...parts: Uint8Array[]): Uint8Array {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return plain(h.digest());
}

// Small requests (confounders, subkeys, nonces, challenges: a handshake makes about ten) are
// served from a pool refilled 4 KiB at a time: one randomFillSync per call cost more than the
// AES work around it. Served bytes are zeroed in the pool so no copy of a key outlives its use.
const POOL_SIZE = 4096;
const pool = new Uint8Array(POOL_SIZE);
let poolPos = POOL_SIZE;

/**
 * `n` cryptographically random bytes. This is only the default source: mechanisms take their
 * randomness injected so tests can be deterministic.
 */
export function randomBytes(n: number): Uint8Array {
  if (!Number.isSafeInteger(n) || n < 0) throw new SpnegoError('BAD_ARGUMENT', `randomBytes: bad length ${n}`);
  if (n > 256) return randomFillSync(new Uint8Array(n));
  if (poolPos + n > POOL_SIZE) {
    randomFillSync(pool);
    poolPos = 0;
  }
  const out = pool.slice(poolPos, poolPos + n);
  pool.fill(0, poolPos, poolPos + n);
  poolPos += n;
  return out;
}

let crcTable: Uint32Array | undefined;

/**
 * CRC-32 (ISO 3309 / ITU-T V.42, reflected polynomial 0xEDB88320, as in zlib), returned as an
 * unsigned 32-bit number. NTLMv1 sealing without extended session security checksums with it
 * (MS-NLMP 3.4.4.1); the signature carries it little-endian. `crc` continues a previous value.
 */
export function crc32(data: Uint8Array, crc = 0): number {
  let table = crcTable;
  if (table === undefined) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
    crcTable = table;
  }
  let c = ~crc >>> 0;
  for (let i = 0; i < data.length; i++) c = (table[(c ^ (data[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return ~c >>> 0;
}
