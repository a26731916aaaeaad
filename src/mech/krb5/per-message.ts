// Chooses the per-message token format for an established context by the context key's
// enctype: RFC 4121 (CFX) tokens for AES, the RFC 1964 / RFC 4757 7 tokens for rc4-hmac (only
// with the weak-crypto option, which is also what let such a key exist at all).
import { EncType } from '../../iana/krb5.js';
import type { Key } from '../../crypto/krb5/profile.js';
import { Rfc4121Security, type GssRole, type UnwrapResult } from './cfx.js';
import { Rfc1964Security } from './rfc1964.js';

export interface PerMessage {
  getMic(message: Uint8Array): Uint8Array;
  verifyMic(message: Uint8Array, token: Uint8Array): void;
  wrap(message: Uint8Array, opts?: { encrypt?: boolean }): Uint8Array;
  unwrap(token: Uint8Array): UnwrapResult;
}

export function perMessageSecurity(o: { key: Key; role: GssRole; acceptorSubkey: boolean; sendSeq: number; recvSeq: number; allowWeakCrypto: boolean }): PerMessage {
  if (o.key.enctype === EncType['rc4-hmac']) {
    return new Rfc1964Security({ key: o.key, role: o.role, sendSeq: o.sendSeq, recvSeq: o.recvSeq, allowWeakCrypto: o.allowWeakCrypto });
  }
  return new Rfc4121Security(o);
}
