// rc4-hmac (23), RFC 4757: NT-hash string-to-key, K1 = HMAC-MD5(key, T), an 8-byte confounder,
// checksum = HMAC-MD5(K1, confounder | plaintext), K3 = HMAC-MD5(K1, checksum), RC4 under K3.
// Checksum hmac-md5 (-138). Weak: the registry gives it out only with { allowWeakCrypto: true }.

import { SpnegoError } from '../../errors.js';
import { constantTimeEqual } from '../../bytes/index.js';
import { ChecksumType, EncType } from '../../iana/krb5.js';
import { md4 } from '../md4.js';
import { rc4 } from '../rc4.js';
import { hmacMd5, md5, randomBytes } from '../provider.js';
import { DerivedKeyCache, checkKey, checkUsage, type EncryptionProfile, type Key } from './profile.js';

const CONFOUNDER = 8;
const HMAC_LEN = 16;
const SIGNATUREKEY = new TextEncoder().encode('signaturekey\0');

/**
 * The Microsoft message type T for a Kerberos key usage (RFC 4757 3), as MIT krb5 does it today
 * (krb5int_arcfour_translate_usage): 3 -> 8, 23 -> 13, everything else unchanged. The RFC's table
 * also gives T = 8 for usage 9 (TGS-REP enc-part under the authenticator subkey), as old MIT and
 * Windows 2000 did; current MIT and Heimdal keep 9, and so do we.
 */
export function rc4MessageType(usage: number): number {
  if (usage === 3) return 8;
  if (usage === 23) return 13;
  return usage;
}

function le32(n: number): Uint8Array {
  return Uint8Array.of(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff);
}

class Rc4HmacProfile implements EncryptionProfile {
  readonly enctype = EncType['rc4-hmac'];
  readonly name = 'rc4-hmac';
  readonly keySize = 16;
  readonly keyBytes = 16;
  readonly checksumType = ChecksumType['hmac-md5'];
  readonly checksumSize = HMAC_LEN;
  readonly confounderSize = CONFOUNDER;
  readonly overhead = HMAC_LEN + CONFOUNDER;
  readonly weak = true;
  private readonly k1Cache = new DerivedKeyCache<Uint8Array>();
  private readonly ksignCache = new DerivedKeyCache<Uint8Array>(1);

  /** K1 = HMAC-MD5(key, T as 4 bytes little-endian), cached per (key, usage). */
  k1(key: Key, usage: number): Uint8Array {
    checkKey(this, key);
    checkUsage(usage);
    return this.k1Cache.get(key.value, usage, () => hmacMd5(key.value, le32(rc4MessageType(usage))));
  }

  /** Ksign = HMAC-MD5(key, "signaturekey" | 0x00) (RFC 4757 4). */
  ksign(key: Key): Uint8Array {
    checkKey(this, key);
    return this.ksignCache.get(key.value, 0, () => hmacMd5(key.value, SIGNATUREKEY));
  }

  /** The NT hash MD4(UTF-16LE(password)); salt and params are ignored (RFC 4757 2). Bytes are read as UTF-8. */
  stringToKey(password: string | Uint8Array, _salt?: string | Uint8Array, _params?: Uint8Array): Key {
    let s: string;
    if (typeof password === 'string') s = password;
    else {
      try {
        s = new TextDecoder('utf-8', { fatal: true }).decode(password);
      } catch {
        throw new SpnegoError('BAD_ARGUMENT', 'rc4-hmac password bytes are not UTF-8');
      }
    }
    return { enctype: this.enctype, value: md4(new Uint8Array(Buffer.from(s, 'utf16le'))) };
  }

  randomToKey(bytes: Uint8Array): Key {
    if (bytes.length !== this.keyBytes) {
      throw new SpnegoError('BAD_ARGUMENT', `${this.name} random-to-key needs ${this.keyBytes} bytes, got ${bytes.length}`);
    }
    return { enctype: this.enctype, value: bytes.slice() };
  }

  encrypt(key: Key, usage: number, plaintext: Uint8Array, confounder?: Uint8Array): Uint8Array {
    const k1 = this.k1(key, usage);
    const conf = confounder ?? randomBytes(CONFOUNDER);
    if (conf.length !== CONFOUNDER) throw new SpnegoError('BAD_ARGUMENT', `confounder must be ${CONFOUNDER} bytes`);
    const p = new Uint8Array(CONFOUNDER + plaintext.length);
    p.set(conf, 0);
    p.set(plaintext, CONFOUNDER);
    const cksum = hmacMd5(k1, p);
    const k3 = hmacMd5(k1, cksum);
    const out = new Uint8Array(HMAC_LEN + p.length);
    out.set(cksum, 0);
    out.set(rc4(k3, p), HMAC_LEN);
    return out;
  }

  decrypt(key: Key, usage: number, ciphertext: Uint8Array): Uint8Array {
    const k1 = this.k1(key, usage);
    if (ciphertext.length < this.overhead) {
      throw new SpnegoError('DEFECTIVE_TOKEN', `${this.name} ciphertext of ${ciphertext.length} bytes is shorter than ${this.overhead}`);
    }
    const cksum = ciphertext.subarray(0, HMAC_LEN);
    const p = rc4(hmacMd5(k1, cksum), ciphertext.subarray(HMAC_LEN));
    if (!constantTimeEqual(hmacMd5(k1, p), cksum)) {
      p.fill(0); // unauthenticated plaintext never leaves
      throw new SpnegoError('BAD_MIC', `${this.name} integrity check failed`);
    }
    return p.slice(CONFOUNDER);
  }

  /** hmac-md5 (-138): HMAC-MD5(Ksign, MD5(T as 4 bytes little-endian | data)). */
  checksum(key: Key, usage: number, data: Uint8Array): Uint8Array {
    checkUsage(usage);
    return hmacMd5(this.ksign(key), md5(le32(rc4MessageType(usage)), data));
  }

  verifyChecksum(key: Key, usage: number, data: Uint8Array, cksum: Uint8Array): void {
    if (!constantTimeEqual(this.checksum(key, usage, data), cksum)) {
      throw new SpnegoError('BAD_MIC', `${this.name} checksum mismatch`);
    }
  }
}

export const rc4Hmac: EncryptionProfile & Rc4HmacProfile = new Rc4HmacProfile();
export type { Rc4HmacProfile };
