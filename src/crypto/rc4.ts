// RC4 in pure TypeScript: Node 20's OpenSSL 3 refuses 'rc4' without the legacy provider.
// NTLM sealing (MS-NLMP 3.4.3) keeps one RC4 handle per direction for the whole session, so the
// class is stateful and `update` continues the keystream. Hot path: no per-byte allocations.

import { SpnegoError } from '../errors.js';

export class Rc4 {
  private readonly s = new Uint8Array(256);
  private i = 0;
  private j = 0;

  /** Key schedule (KSA). Keys of 1..256 bytes; NTLM uses 5, 7 and 16 (MS-NLMP 3.4.5.3). */
  constructor(key: Uint8Array) {
    if (key.length < 1 || key.length > 256) {
      throw new SpnegoError('BAD_ARGUMENT', `RC4 key must be 1..256 bytes, got ${key.length}`);
    }
    const s = this.s;
    for (let k = 0; k < 256; k++) s[k] = k;
    let j = 0;
    const kl = key.length;
    for (let k = 0; k < 256; k++) {
      const t = s[k] as number;
      j = (j + t + (key[k % kl] as number)) & 0xff;
      s[k] = s[j] as number;
      s[j] = t;
    }
  }

  /** Encrypts (or decrypts, it is the same) `data`, continuing the keystream from the previous call. */
  update(data: Uint8Array): Uint8Array {
    const out = new Uint8Array(data.length);
    const s = this.s;
    let i = this.i;
    let j = this.j;
    for (let n = 0; n < data.length; n++) {
      i = (i + 1) & 0xff;
      const si = s[i] as number;
      j = (j + si) & 0xff;
      const sj = s[j] as number;
      s[i] = sj;
      s[j] = si;
      out[n] = (data[n] as number) ^ (s[(si + sj) & 0xff] as number);
    }
    this.i = i;
    this.j = j;
    return out;
  }
}

/** One-shot RC4: a fresh handle keyed with `key`, applied to `data` (MS-NLMP 6 "RC4K"). */
export function rc4(key: Uint8Array, data: Uint8Array): Uint8Array {
  return new Rc4(key).update(data);
}
