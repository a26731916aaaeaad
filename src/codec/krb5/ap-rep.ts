// KRB_AP_REP (RFC 4120 5.5.2).
//   AP-REP ::= [APPLICATION 15] SEQUENCE {
//     pvno [0] INTEGER (5), msg-type [1] INTEGER (15), enc-part [2] EncryptedData -- EncAPRepPart }
import { application, derCodec, explicit, req, sequence } from '../../der/index.js';
import { fixedInt } from './basic.js';
import { encryptedDataCodec, type EncryptedData } from './encrypted-data.js';

export interface ApRep {
  readonly pvno: 5;
  readonly msgType: 15;
  /** Encrypted EncAPRepPart (key usage 12) under the ticket's session key. */
  readonly encPart: EncryptedData;
}

export const apRepCodec = derCodec<ApRep>('AP-REP', application(15, sequence({
  pvno: req(explicit(0, fixedInt(5, 'pvno'))),
  msgType: req(explicit(1, fixedInt(15, 'AP-REP msg-type'))),
  encPart: req(explicit(2, encryptedDataCodec.type)),
}, 'AP-REP')));
