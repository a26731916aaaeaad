// Enctype -> EncryptionProfile, resolved once; the only place that knows the enctype numbers.
// Weak enctypes (rc4-hmac) are given out only when asked with { allowWeakCrypto: true }.

import { SpnegoError } from '../../errors.js';
import { aes128CtsHmacSha196, aes256CtsHmacSha196 } from './aes-sha1.js';
import { aes128CtsHmacSha256128, aes256CtsHmacSha384192 } from './aes-sha2.js';
import { rc4Hmac } from './rc4-hmac.js';
import type { EncryptionProfile } from './profile.js';

export interface ProfileOptions {
  /** Also allow rc4-hmac (23). Default false. */
  readonly allowWeakCrypto?: boolean;
}

/** In preference order, strongest first (as MIT's default permitted_enctypes). */
const PROFILES: readonly EncryptionProfile[] = [
  aes256CtsHmacSha384192,
  aes128CtsHmacSha256128,
  aes256CtsHmacSha196,
  aes128CtsHmacSha196,
  rc4Hmac,
];
const BY_ENCTYPE: ReadonlyMap<number, EncryptionProfile> = new Map(PROFILES.map((p) => [p.enctype, p]));

/** The profile for `enctype`, or undefined when unknown or weak and not allowed. */
export function findProfile(enctype: number, opts: ProfileOptions = {}): EncryptionProfile | undefined {
  const p = BY_ENCTYPE.get(enctype);
  if (p === undefined || (p.weak && opts.allowWeakCrypto !== true)) return undefined;
  return p;
}

/** The profile for `enctype`; SpnegoError UNAVAILABLE when unknown, or weak and not allowed. */
export function getProfile(enctype: number, opts: ProfileOptions = {}): EncryptionProfile {
  const p = findProfile(enctype, opts);
  if (p === undefined) {
    const weak = BY_ENCTYPE.get(enctype)?.weak === true;
    throw new SpnegoError(
      'UNAVAILABLE',
      weak ? `enctype ${enctype} is weak and allowWeakCrypto is not set` : `enctype ${enctype} is not supported`,
    );
  }
  return p;
}

/** The usable enctype numbers, strongest first. */
export function supportedEnctypes(opts: ProfileOptions = {}): number[] {
  return PROFILES.filter((p) => !p.weak || opts.allowWeakCrypto === true).map((p) => p.enctype);
}
