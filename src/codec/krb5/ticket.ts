// Ticket (RFC 4120 5.3).
//   Ticket ::= [APPLICATION 1] SEQUENCE {
//     tkt-vno [0] INTEGER (5), realm [1] Realm, sname [2] PrincipalName, enc-part [3] EncryptedData }
import { application, derCodec, explicit, req, sequence } from '../../der/index.js';
import { fixedInt, Realm } from './basic.js';
import { encryptedDataCodec, type EncryptedData } from './encrypted-data.js';
import { principalNameCodec, type PrincipalName } from './principal-name.js';

export interface Ticket {
  /** Always 5. */
  readonly tktVno: 5;
  readonly realm: string;
  readonly sname: PrincipalName;
  /** Encrypted EncTicketPart (key usage 2, the service key). */
  readonly encPart: EncryptedData;
}

export const ticketCodec = derCodec<Ticket>('Ticket', application(1, sequence({
  tktVno: req(explicit(0, fixedInt(5, 'tkt-vno'))),
  realm: req(explicit(1, Realm)),
  sname: req(explicit(2, principalNameCodec.type)),
  encPart: req(explicit(3, encryptedDataCodec.type)),
}, 'Ticket')));
