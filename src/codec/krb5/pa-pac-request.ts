// KERB-PA-PAC-REQUEST (MS-KILE 2.2.3): the padata-value of PA-PAC-REQUEST (128), asking the KDC to
// include (or leave out) the PAC in the ticket.
//   KERB-PA-PAC-REQUEST ::= SEQUENCE { include-pac [0] BOOLEAN }
import { BOOLEAN, derCodec, explicit, req, sequence } from '../../der/index.js';

export interface KerbPaPacRequest {
  readonly includePac: boolean;
}

export const kerbPaPacRequestCodec = derCodec<KerbPaPacRequest>('KERB-PA-PAC-REQUEST', sequence({
  includePac: req(explicit(0, BOOLEAN)),
}, 'KERB-PA-PAC-REQUEST'));
