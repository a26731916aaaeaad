// EncryptionKey (RFC 4120 5.2.9). The key bytes are secret: callers should wipe them after use.
//   EncryptionKey ::= SEQUENCE { keytype [0] Int32, keyvalue [1] OCTET STRING }
import { OCTET_STRING, derCodec, explicit, req, sequence } from '../../der/index.js';
import { Int32 } from './basic.js';

export interface EncryptionKey {
  /** An EncType number (src/iana/krb5.ts). */
  readonly keytype: number;
  readonly keyvalue: Uint8Array;
}

export const encryptionKeyCodec = derCodec<EncryptionKey>('EncryptionKey', sequence({
  keytype: req(explicit(0, Int32)),
  keyvalue: req(explicit(1, OCTET_STRING)),
}, 'EncryptionKey'));
