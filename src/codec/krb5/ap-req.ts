// KRB_AP_REQ (RFC 4120 5.5.1).
//   AP-REQ ::= [APPLICATION 14] SEQUENCE {
//     pvno [0] INTEGER (5), msg-type [1] INTEGER (14), ap-options [2] APOptions,
//     ticket [3] Ticket, authenticator [4] EncryptedData -- Authenticator }
//   APOptions ::= KerberosFlags -- reserved(0), use-session-key(1), mutual-required(2)
import { application, derCodec, explicit, req, sequence } from '../../der/index.js';
import { fixedInt } from './basic.js';
import { encryptedDataCodec, type EncryptedData } from './encrypted-data.js';
import { kerberosFlagsType, type KerberosFlags } from './kerberos-flags.js';
import { ticketCodec, type Ticket } from './ticket.js';

export interface ApReq {
  readonly pvno: 5;
  readonly msgType: 14;
  /** APOptions: bit names in ApOption (src/iana/krb5.ts); see kerberos-flags.ts. */
  readonly apOptions: KerberosFlags;
  readonly ticket: Ticket;
  /** Encrypted Authenticator (key usage 11, or 7 in a TGS-REQ), under the ticket's session key. */
  readonly authenticator: EncryptedData;
}

export const apReqCodec = derCodec<ApReq>('AP-REQ', application(14, sequence({
  pvno: req(explicit(0, fixedInt(5, 'pvno'))),
  msgType: req(explicit(1, fixedInt(14, 'AP-REQ msg-type'))),
  apOptions: req(explicit(2, kerberosFlagsType)),
  ticket: req(explicit(3, ticketCodec.type)),
  authenticator: req(explicit(4, encryptedDataCodec.type)),
}, 'AP-REQ')));
