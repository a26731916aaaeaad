// Decrypting what a peer (a KDC, an initiator, an acceptor) sent as EncryptedData (RFC 4120
// 5.2.9). The peer chose the etype: one that is not the key's is the peer's defect
// (DEFECTIVE_TOKEN), not a caller mistake (the profile's BAD_ARGUMENT for a mismatched key). The
// same goes for a session key a peer grants with the wrong length for its enctype.
import { SpnegoError } from '../../errors.js';
import { findProfile, getProfile } from '../../crypto/krb5/registry.js';
import type { Key } from '../../crypto/krb5/profile.js';

export function decryptFromPeer(key: Key, enc: { readonly etype: number; readonly cipher: Uint8Array }, usage: number, weak: { allowWeakCrypto: boolean }, what: string): Uint8Array {
  if (enc.etype !== key.enctype) throw new SpnegoError('DEFECTIVE_TOKEN', `${what} is encrypted with enctype ${enc.etype}, not with its key's (${key.enctype})`);
  return getProfile(enc.etype, weak).decrypt(key, usage, enc.cipher);
}

/** A granted session key must have the length its enctype needs (when the enctype is one we know). */
export function checkGrantedKey(keytype: number, keyvalue: Uint8Array, what: string): void {
  const p = findProfile(keytype, { allowWeakCrypto: true });
  if (p !== undefined && keyvalue.length !== p.keySize) {
    throw new SpnegoError('DEFECTIVE_TOKEN', `${what} grants a session key of ${keyvalue.length} bytes for enctype ${keytype} (${p.name} keys are ${p.keySize} bytes)`);
  }
}
