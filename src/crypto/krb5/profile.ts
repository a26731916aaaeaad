// The RFC 3961 encryption-profile contract: everything a Kerberos mechanism needs from an enctype,
// so nothing above this layer switches on enctype numbers. Profiles are obtained from registry.ts.

import { SpnegoError } from '../../errors.js';

/** A Kerberos protocol key (RFC 4120 EncryptionKey): the enctype it belongs to and its bytes. */
export interface Key {
  readonly enctype: number;
  readonly value: Uint8Array;
}

export interface EncryptionProfile {
  /** etype number (RFC 3961 8, src/iana/krb5.ts EncType). */
  readonly enctype: number;
  /** The RFC name, e.g. 'aes256-cts-hmac-sha1-96'. */
  readonly name: string;
  /** Protocol key length in bytes. */
  readonly keySize: number;
  /** Length of the random-to-key input in bytes (equals keySize for every profile here). */
  readonly keyBytes: number;
  /** The checksum type keyed with this enctype's keys (RFC 3961 "required checksum mechanism"). */
  readonly checksumType: number;
  /** Length of that checksum in bytes. */
  readonly checksumSize: number;
  /** Length of the confounder that encrypt() prepends. */
  readonly confounderSize: number;
  /** Ciphertext overhead in bytes: encrypt(p).length - p.length. */
  readonly overhead: number;
  /** True for enctypes only given out with { allowWeakCrypto: true } (rc4-hmac). */
  readonly weak: boolean;
  /**
   * string-to-key: a string password is taken as UTF-8. `params` is the s2kparams octet string
   * (ETYPE-INFO2), absent for the enctype's default.
   */
  stringToKey(password: string | Uint8Array, salt: string | Uint8Array, params?: Uint8Array): Key;
  randomToKey(bytes: Uint8Array): Key;
  /** Encrypts under `usage`; `confounder` is for tests (random by default). */
  encrypt(key: Key, usage: number, plaintext: Uint8Array, confounder?: Uint8Array): Uint8Array;
  /** Decrypts and checks integrity: BAD_MIC on a mismatch, DEFECTIVE_TOKEN when too short. */
  decrypt(key: Key, usage: number, ciphertext: Uint8Array): Uint8Array;
  checksum(key: Key, usage: number, data: Uint8Array): Uint8Array;
  /** Throws SpnegoError BAD_MIC unless `cksum` is the checksum of `data`. */
  verifyChecksum(key: Key, usage: number, data: Uint8Array, cksum: Uint8Array): void;
  /** The enctype's pseudo-random function (RFC 3961 3, RFC 3962 4, RFC 8009 5), where defined. */
  prf?(key: Key, data: Uint8Array): Uint8Array;
}

/** Checks a key usage is a 32-bit unsigned integer. */
export function checkUsage(usage: number): void {
  if (!Number.isInteger(usage) || usage < 0 || usage > 0xffffffff) {
    throw new SpnegoError('BAD_ARGUMENT', `key usage ${usage} is not a 32-bit unsigned integer`);
  }
}

/** Checks a key belongs to the profile and has the right length. */
export function checkKey(p: { enctype: number; name: string; keySize: number }, key: Key): void {
  if (key.enctype !== p.enctype) {
    throw new SpnegoError('BAD_ARGUMENT', `a key of enctype ${key.enctype} used with ${p.name}`);
  }
  if (key.value.length !== p.keySize) {
    throw new SpnegoError('BAD_ARGUMENT', `${p.name} key must be ${p.keySize} bytes, got ${key.value.length}`);
  }
}

/**
 * A per-key cache of values derived for a usage (Kc/Ke/Ki, K1, ...), kept on the key bytes object
 * under a private symbol so it goes away with the key (a WeakMap entry per short-lived session key
 * cost more garbage-collection time than the derivations it saved). Small: a key is used with a
 * handful of usages; past `max` entries a key's map is cleared. Keys must not be mutated after
 * first use.
 */
export class DerivedKeyCache<T> {
  private readonly slot = Symbol('derived-keys');
  constructor(private readonly max = 32) {}

  get(key: Uint8Array, usage: number, derive: () => T): T {
    const holder = key as Uint8Array & Record<symbol, Map<number, T> | undefined>;
    let m = holder[this.slot];
    if (m === undefined) {
      m = new Map();
      holder[this.slot] = m;
    }
    let v = m.get(usage);
    if (v === undefined) {
      v = derive();
      if (m.size >= this.max) m.clear();
      m.set(usage, v);
    }
    return v;
  }
}

/** Kc, Ke and Ki of one usage, each derived on first access (the constant byte selects which). */
export function lazyUsageKeys(derive: (constant: number) => Uint8Array): { readonly kc: Uint8Array; readonly ke: Uint8Array; readonly ki: Uint8Array } {
  let kc: Uint8Array | undefined;
  let ke: Uint8Array | undefined;
  let ki: Uint8Array | undefined;
  return {
    get kc() {
      return (kc ??= derive(0x99));
    },
    get ke() {
      return (ke ??= derive(0xaa));
    },
    get ki() {
      return (ki ??= derive(0x55));
    },
  };
}

/** Password or salt bytes: strings are UTF-8. */
export function toBytes(s: string | Uint8Array): Uint8Array {
  return typeof s === 'string' ? new TextEncoder().encode(s) : s;
}

/**
 * The iteration count from PBKDF2 s2kparams (RFC 3962 4, RFC 8009 4): 4 bytes big-endian.
 * 0 means 2^32 in the RFCs; like MIT we refuse counts of 2^24 and above (and so 0) as BAD_ARGUMENT.
 */
export function pbkdf2Iterations(params: Uint8Array | undefined, dflt: number): number {
  if (params === undefined) return dflt;
  if (params.length !== 4) throw new SpnegoError('BAD_ARGUMENT', `s2kparams must be 4 bytes, got ${params.length}`);
  const n = new DataView(params.buffer, params.byteOffset, 4).getUint32(0, false);
  if (n === 0 || n >= 0x1000000) throw new SpnegoError('BAD_ARGUMENT', `unsupported PBKDF2 iteration count ${n}`);
  return n;
}
