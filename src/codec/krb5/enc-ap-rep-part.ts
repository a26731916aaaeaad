// EncAPRepPart (RFC 4120 5.5.2): the plaintext of AP-REP's enc-part.
//   EncAPRepPart ::= [APPLICATION 27] SEQUENCE {
//     ctime [0] KerberosTime, cusec [1] Microseconds,
//     subkey [2] EncryptionKey OPTIONAL, seq-number [3] UInt32 OPTIONAL }
import { application, derCodec, explicit, opt, req, sequence } from '../../der/index.js';
import { KerberosTime, Microseconds, UInt32Compat } from './basic.js';
import { encryptionKeyCodec, type EncryptionKey } from './encryption-key.js';

export interface EncApRepPart {
  readonly ctime: Date;
  readonly cusec: number;
  readonly subkey?: EncryptionKey | undefined;
  /** UInt32 in RFC 4120; Windows sends values >= 2^31 as negative Int32 (see UInt32Compat). */
  readonly seqNumber?: number | undefined;
}

export const encApRepPartCodec = derCodec<EncApRepPart>('EncAPRepPart', application(27, sequence({
  ctime: req(explicit(0, KerberosTime)),
  cusec: req(explicit(1, Microseconds)),
  subkey: opt(explicit(2, encryptionKeyCodec.type)),
  seqNumber: opt(explicit(3, UInt32Compat)),
}, 'EncAPRepPart')));
