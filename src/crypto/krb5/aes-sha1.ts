// aes128-cts-hmac-sha1-96 (17) and aes256-cts-hmac-sha1-96 (18), RFC 3962, on the RFC 3961
// simplified profile: PBKDF2-HMAC-SHA1 string-to-key, DK with AES, AES-CTS with a 16-byte
// confounder, HMAC-SHA1-96 over the plaintext with Ki; checksums hmac-sha1-96-aes128/256 with Kc.

import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';
import { SpnegoError } from '../../errors.js';
import { randomBytes } from '../provider.js';
import { constantTimeEqual } from '../../bytes/index.js';
import { ChecksumType, EncType } from '../../iana/krb5.js';
import { AES_BLOCK, aesCtsDecrypt, aesCtsEncrypt, aesDeriveRandom, aesDeriveRandomMany, aesEncryptBlock } from './aes-cts.js';
import { KC, KE, KI, nfold, usageConstant } from './rfc3961.js';
import { DerivedKeyCache, checkKey, checkUsage, pbkdf2Iterations, toBytes, type EncryptionProfile, type Key } from './profile.js';

const HMAC_LEN = 12;
const KERBEROS = new TextEncoder().encode('kerberos');
const PRF = new TextEncoder().encode('prf');

interface UsageKeys {
  readonly kc: Uint8Array;
  readonly ke: Uint8Array;
  readonly ki: Uint8Array;
}

function hmacSha1(key: Uint8Array, ...parts: Uint8Array[]): Uint8Array {
  const h = createHmac('sha1', key);
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

/** DK(key, constant) with AES as E (RFC 3962 6: random-to-key is the identity). */
export function aesDk(key: Uint8Array, constant: Uint8Array): Uint8Array {
  return aesDeriveRandom(key, constant.length === AES_BLOCK ? constant : nfold(constant, AES_BLOCK), key.length);
}

// n-fold(usage | kind, 128) depends on the usage only: computed once per (usage, kind).
const foldedUsage = new Map<number, Uint8Array>();
function usageBlock(usage: number, kind: number): Uint8Array {
  const id = usage * 256 + kind;
  let b = foldedUsage.get(id);
  if (b === undefined) {
    b = nfold(usageConstant(usage, kind), AES_BLOCK);
    if (foldedUsage.size >= 1024) foldedUsage.clear();
    foldedUsage.set(id, b);
  }
  return b;
}

class AesSha1Profile implements EncryptionProfile {
  readonly checksumSize = HMAC_LEN;
  readonly confounderSize = AES_BLOCK;
  readonly overhead = AES_BLOCK + HMAC_LEN;
  readonly weak = false;
  readonly keyBytes: number;
  private readonly cache = new DerivedKeyCache<UsageKeys>();

  constructor(
    readonly enctype: number,
    readonly name: string,
    readonly keySize: number,
    readonly checksumType: number,
  ) {
    this.keyBytes = keySize;
  }

  /** Kc, Ke and Ki for a usage (RFC 3961 5.3), cached per key. */
  usageKeys(key: Key, usage: number): UsageKeys {
    checkKey(this, key);
    checkUsage(usage);
    // Derived on first use: encryption and decryption need Ke and Ki (derived together, in one
    // AES call per round), checksums only Kc.
    return this.cache.get(key.value, usage, () => {
      let pair: Uint8Array[] | undefined;
      const both = (): Uint8Array[] => (pair ??= aesDeriveRandomMany(key.value, [usageBlock(usage, KE), usageBlock(usage, KI)], key.value.length));
      let kc: Uint8Array | undefined;
      return {
        get kc() {
          return (kc ??= aesDeriveRandom(key.value, usageBlock(usage, KC), key.value.length));
        },
        get ke() {
          return both()[0]!;
        },
        get ki() {
          return both()[1]!;
        },
      };
    });
  }

  /** The PBKDF2 output before DK(tkey, "kerberos") (RFC 3962 4), exposed for the vectors. */
  pbkdf2(password: string | Uint8Array, salt: string | Uint8Array, params?: Uint8Array): Uint8Array {
    const iter = pbkdf2Iterations(params, 4096);
    return new Uint8Array(pbkdf2Sync(toBytes(password), toBytes(salt), iter, this.keySize, 'sha1'));
  }

  stringToKey(password: string | Uint8Array, salt: string | Uint8Array, params?: Uint8Array): Key {
    return { enctype: this.enctype, value: aesDk(this.pbkdf2(password, salt, params), KERBEROS) };
  }

  randomToKey(bytes: Uint8Array): Key {
    if (bytes.length !== this.keyBytes) {
      throw new SpnegoError('BAD_ARGUMENT', `${this.name} random-to-key needs ${this.keyBytes} bytes, got ${bytes.length}`);
    }
    return { enctype: this.enctype, value: bytes.slice() };
  }

  encrypt(key: Key, usage: number, plaintext: Uint8Array, confounder?: Uint8Array): Uint8Array {
    const { ke, ki } = this.usageKeys(key, usage);
    const conf = confounder ?? randomBytes(AES_BLOCK);
    if (conf.length !== AES_BLOCK) throw new SpnegoError('BAD_ARGUMENT', `confounder must be ${AES_BLOCK} bytes`);
    const p = new Uint8Array(AES_BLOCK + plaintext.length);
    p.set(conf, 0);
    p.set(plaintext, AES_BLOCK);
    const c = aesCtsEncrypt(ke, p).output;
    const out = new Uint8Array(c.length + HMAC_LEN);
    out.set(c, 0);
    out.set(hmacSha1(ki, p).subarray(0, HMAC_LEN), c.length);
    return out;
  }

  decrypt(key: Key, usage: number, ciphertext: Uint8Array): Uint8Array {
    const { ke, ki } = this.usageKeys(key, usage);
    if (ciphertext.length < this.overhead) {
      throw new SpnegoError('DEFECTIVE_TOKEN', `${this.name} ciphertext of ${ciphertext.length} bytes is shorter than ${this.overhead}`);
    }
    const split = ciphertext.length - HMAC_LEN;
    const p = aesCtsDecrypt(ke, ciphertext.subarray(0, split)).output;
    const mac = hmacSha1(ki, p).subarray(0, HMAC_LEN);
    if (!constantTimeEqual(mac, ciphertext.subarray(split))) {
      p.fill(0); // unauthenticated plaintext never leaves
      throw new SpnegoError('BAD_MIC', `${this.name} integrity check failed`);
    }
    return p.slice(AES_BLOCK);
  }

  checksum(key: Key, usage: number, data: Uint8Array): Uint8Array {
    return hmacSha1(this.usageKeys(key, usage).kc, data).slice(0, HMAC_LEN);
  }

  verifyChecksum(key: Key, usage: number, data: Uint8Array, cksum: Uint8Array): void {
    if (!constantTimeEqual(this.checksum(key, usage, data), cksum)) {
      throw new SpnegoError('BAD_MIC', `${this.name} checksum mismatch`);
    }
  }

  /** RFC 3962 4: E(DK(key, "prf"), truncate-to-block(SHA-1(data))), 16 bytes. */
  prf(key: Key, data: Uint8Array): Uint8Array {
    checkKey(this, key);
    const t = new Uint8Array(createHash('sha1').update(data).digest()).subarray(0, AES_BLOCK);
    return aesEncryptBlock(aesDk(key.value, PRF), t);
  }
}

export const aes128CtsHmacSha196: EncryptionProfile & AesSha1Profile = new AesSha1Profile(
  EncType['aes128-cts-hmac-sha1-96'],
  'aes128-cts-hmac-sha1-96',
  16,
  ChecksumType['hmac-sha1-96-aes128'],
);
export const aes256CtsHmacSha196: EncryptionProfile & AesSha1Profile = new AesSha1Profile(
  EncType['aes256-cts-hmac-sha1-96'],
  'aes256-cts-hmac-sha1-96',
  32,
  ChecksumType['hmac-sha1-96-aes256'],
);
export type { AesSha1Profile };
