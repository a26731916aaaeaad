// aes128-cts-hmac-sha256-128 (19) and aes256-cts-hmac-sha384-192 (20), RFC 8009: KDF-HMAC-SHA2
// (SP 800-108 counter mode) for every derivation, PBKDF2-HMAC-SHA2 string-to-key salted with the
// enctype name, AES-CTS with a 16-byte confounder and an HMAC over IV | ciphertext.

import { createHmac, pbkdf2Sync } from 'node:crypto';
import { SpnegoError } from '../../errors.js';
import { randomBytes } from '../provider.js';
import { constantTimeEqual } from '../../bytes/index.js';
import { ChecksumType, EncType } from '../../iana/krb5.js';
import { AES_BLOCK, aesCtsDecrypt, aesCtsEncrypt } from './aes-cts.js';
import { KE, usageConstant } from './rfc3961.js';
import { DerivedKeyCache, lazyUsageKeys, checkKey, checkUsage, pbkdf2Iterations, toBytes, type EncryptionProfile, type Key } from './profile.js';

const KERBEROS = new TextEncoder().encode('kerberos');
const PRF = new TextEncoder().encode('prf');
const ZERO_IV = new Uint8Array(AES_BLOCK);

interface UsageKeys {
  readonly kc: Uint8Array;
  readonly ke: Uint8Array;
  readonly ki: Uint8Array;
}

/**
 * KDF-HMAC-SHA2(key, label, [context,] k) (RFC 8009 3):
 * k-truncate(HMAC(key, 00000001 | label | 0x00 | context | k as 4 bytes big-endian)), k in bits.
 */
export function kdfHmacSha2(hash: 'sha256' | 'sha384', key: Uint8Array, label: Uint8Array, context: Uint8Array, kBits: number): Uint8Array {
  const h = createHmac(hash, key);
  h.update(Uint8Array.of(0, 0, 0, 1));
  h.update(label);
  h.update(Uint8Array.of(0));
  h.update(context);
  h.update(Uint8Array.of(kBits >>> 24, (kBits >>> 16) & 0xff, (kBits >>> 8) & 0xff, kBits & 0xff));
  return new Uint8Array(h.digest()).slice(0, kBits / 8);
}

class AesSha2Profile implements EncryptionProfile {
  readonly confounderSize = AES_BLOCK;
  readonly weak = false;
  readonly keyBytes: number;
  readonly overhead: number;
  private readonly cache = new DerivedKeyCache<UsageKeys>();
  private readonly nameBytes: Uint8Array;

  constructor(
    readonly enctype: number,
    readonly name: string,
    readonly keySize: number,
    readonly checksumType: number,
    /** h: the HMAC truncation length in bytes (16 or 24). */
    readonly checksumSize: number,
    readonly hash: 'sha256' | 'sha384',
  ) {
    this.keyBytes = keySize;
    this.overhead = AES_BLOCK + checksumSize;
    this.nameBytes = new TextEncoder().encode(name);
  }

  private kdf(key: Uint8Array, label: Uint8Array, bytes: number, context: Uint8Array = new Uint8Array(0)): Uint8Array {
    return kdfHmacSha2(this.hash, key, label, context, bytes * 8);
  }

  /** Kc, Ke and Ki for a usage (RFC 8009 5): Kc and Ki are h bytes, Ke the key size; cached per key. */
  usageKeys(key: Key, usage: number): UsageKeys {
    checkKey(this, key);
    checkUsage(usage);
    return this.cache.get(key.value, usage, () => lazyUsageKeys((c) => this.kdf(key.value, usageConstant(usage, c), c === KE ? this.keySize : this.checksumSize)));
  }

  /** saltp = enctype-name | 0x00 | salt (RFC 8009 4). */
  saltp(salt: string | Uint8Array): Uint8Array {
    const s = toBytes(salt);
    const out = new Uint8Array(this.nameBytes.length + 1 + s.length);
    out.set(this.nameBytes, 0);
    out.set(s, this.nameBytes.length + 1);
    return out;
  }

  stringToKey(password: string | Uint8Array, salt: string | Uint8Array, params?: Uint8Array): Key {
    const iter = pbkdf2Iterations(params, 32768);
    const tkey = new Uint8Array(pbkdf2Sync(toBytes(password), this.saltp(salt), iter, this.keySize, this.hash));
    return { enctype: this.enctype, value: this.kdf(tkey, KERBEROS, this.keySize) };
  }

  randomToKey(bytes: Uint8Array): Key {
    if (bytes.length !== this.keyBytes) {
      throw new SpnegoError('BAD_ARGUMENT', `${this.name} random-to-key needs ${this.keyBytes} bytes, got ${bytes.length}`);
    }
    return { enctype: this.enctype, value: bytes.slice() };
  }

  private mac(ki: Uint8Array, c: Uint8Array): Uint8Array {
    return new Uint8Array(createHmac(this.hash, ki).update(ZERO_IV).update(c).digest()).subarray(0, this.checksumSize);
  }

  encrypt(key: Key, usage: number, plaintext: Uint8Array, confounder?: Uint8Array): Uint8Array {
    const { ke, ki } = this.usageKeys(key, usage);
    const conf = confounder ?? randomBytes(AES_BLOCK);
    if (conf.length !== AES_BLOCK) throw new SpnegoError('BAD_ARGUMENT', `confounder must be ${AES_BLOCK} bytes`);
    const p = new Uint8Array(AES_BLOCK + plaintext.length);
    p.set(conf, 0);
    p.set(plaintext, AES_BLOCK);
    const c = aesCtsEncrypt(ke, p, ZERO_IV).output;
    const out = new Uint8Array(c.length + this.checksumSize);
    out.set(c, 0);
    out.set(this.mac(ki, c), c.length);
    return out;
  }

  decrypt(key: Key, usage: number, ciphertext: Uint8Array): Uint8Array {
    const { ke, ki } = this.usageKeys(key, usage);
    if (ciphertext.length < this.overhead) {
      throw new SpnegoError('DEFECTIVE_TOKEN', `${this.name} ciphertext of ${ciphertext.length} bytes is shorter than ${this.overhead}`);
    }
    const split = ciphertext.length - this.checksumSize;
    const c = ciphertext.subarray(0, split);
    // Encrypt-then-MAC: check before decrypting.
    if (!constantTimeEqual(this.mac(ki, c), ciphertext.subarray(split))) {
      throw new SpnegoError('BAD_MIC', `${this.name} integrity check failed`);
    }
    return aesCtsDecrypt(ke, c, ZERO_IV).output.slice(AES_BLOCK);
  }

  checksum(key: Key, usage: number, data: Uint8Array): Uint8Array {
    const kc = this.usageKeys(key, usage).kc;
    return new Uint8Array(createHmac(this.hash, kc).update(data).digest()).slice(0, this.checksumSize);
  }

  verifyChecksum(key: Key, usage: number, data: Uint8Array, cksum: Uint8Array): void {
    if (!constantTimeEqual(this.checksum(key, usage, data), cksum)) {
      throw new SpnegoError('BAD_MIC', `${this.name} checksum mismatch`);
    }
  }

  /** RFC 8009 5: KDF-HMAC-SHA2(key, "prf", data, 256 or 384). */
  prf(key: Key, data: Uint8Array): Uint8Array {
    checkKey(this, key);
    return this.kdf(key.value, PRF, this.hash === 'sha256' ? 32 : 48, data);
  }
}

export const aes128CtsHmacSha256128: EncryptionProfile & AesSha2Profile = new AesSha2Profile(
  EncType['aes128-cts-hmac-sha256-128'],
  'aes128-cts-hmac-sha256-128',
  16,
  ChecksumType['hmac-sha256-128-aes128'],
  16,
  'sha256',
);
export const aes256CtsHmacSha384192: EncryptionProfile & AesSha2Profile = new AesSha2Profile(
  EncType['aes256-cts-hmac-sha384-192'],
  'aes256-cts-hmac-sha384-192',
  32,
  ChecksumType['hmac-sha384-192-aes256'],
  24,
  'sha384',
);
export type { AesSha2Profile };
