// Chooses the per-message token format for an established context by the context key's
// enctype: RFC 4121 (CFX) tokens for AES, the RFC 1964 / RFC 4757 7 tokens for rc4-hmac (only
// with the weak-crypto option, which is also what let such a key exist at all).
import { EncType } from '../../iana/krb5.js';
import type { Key } from '../../crypto/krb5/profile.js';
import { Rfc4121Security, type GssRole, type UnwrapResult } from './cfx.js';
import { Rfc1964Security } from './rfc1964.js';
import { GssFlag } from './gss-checksum.js';

export interface PerMessage {
  getMic(message: Uint8Array): Uint8Array;
  verifyMic(message: Uint8Array, token: Uint8Array): void;
  wrap(message: Uint8Array, opts?: { encrypt?: boolean }): Uint8Array;
  unwrap(token: Uint8Array): UnwrapResult;
}

/** rc4-hmac contexts use the RFC 1964 token formats (RFC 4757 7.2); every other enctype RFC 4121's. */
export function usesRfc1964Tokens(enctype: number): boolean {
  return enctype === EncType['rc4-hmac'];
}

/**
 * Whether the initiator switches to the acceptor's AP-REP subkey, as MIT's init_sec_context
 * decides: always for RFC 4121 contexts, for an RFC 1964 (rc4-hmac) one only when the acceptor's
 * subkey is of another enctype (the context then moves to RFC 4121 tokens). MIT's acceptor sends
 * no subkey in an RFC 1964 context, and Heimdal's initiator would use one if it did.
 */
export function takesAcceptorSubkey(initiatorSubkey: Key, acceptorSubkey: Key | undefined): acceptorSubkey is Key {
  if (!acceptorSubkey) return false;
  return !usesRfc1964Tokens(initiatorSubkey.enctype) || acceptorSubkey.enctype !== initiatorSubkey.enctype;
}

/**
 * The context's per-message security. `flags` are the GSS flags in effect (the initiator's, from
 * the authenticator checksum): GSS_C_REPLAY_FLAG turns on replay detection (DUPLICATE_TOKEN,
 * OLD_TOKEN) and GSS_C_SEQUENCE_FLAG out-of-order detection (UNSEQ_TOKEN, GAP_TOKEN), as RFC 2743
 * 1.2.3 and MIT's g_seqstate tie them to the flags; a context without them takes tokens in any order.
 */
export function perMessageSecurity(o: { key: Key; role: GssRole; acceptorSubkey: boolean; sendSeq: number; recvSeq: number; allowWeakCrypto: boolean; flags: number }): PerMessage {
  const detection = { replayDetection: (o.flags & GssFlag.REPLAY) !== 0, sequenceDetection: (o.flags & GssFlag.SEQUENCE) !== 0 };
  if (usesRfc1964Tokens(o.key.enctype)) {
    return new Rfc1964Security({ key: o.key, role: o.role, sendSeq: o.sendSeq, recvSeq: o.recvSeq, allowWeakCrypto: o.allowWeakCrypto, ...detection });
  }
  return new Rfc4121Security({ ...o, ...detection });
}
