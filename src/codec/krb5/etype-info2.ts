// ETYPE-INFO2 (RFC 4120 5.2.7.5): the padata-value of PA-ETYPE-INFO2 (19), telling the client
// which enctype, salt and string-to-key parameters to use.
//   ETYPE-INFO2-ENTRY ::= SEQUENCE { etype [0] Int32, salt [1] KerberosString OPTIONAL, s2kparams [2] OCTET STRING OPTIONAL }
//   ETYPE-INFO2 ::= SEQUENCE SIZE (1..MAX) OF ETYPE-INFO2-ENTRY
import { OCTET_STRING, derCodec, explicit, opt, req, sequence, sequenceOf } from '../../der/index.js';
import { Int32, KerberosString } from './basic.js';

export interface EtypeInfo2Entry {
  readonly etype: number;
  readonly salt?: string | undefined;
  /** For AES: 4-byte big-endian PBKDF2 iteration count (RFC 3962 4). */
  readonly s2kparams?: Uint8Array | undefined;
}
export type EtypeInfo2 = readonly EtypeInfo2Entry[];

export const etypeInfo2EntryCodec = derCodec<EtypeInfo2Entry>('ETYPE-INFO2-ENTRY', sequence({
  etype: req(explicit(0, Int32)),
  salt: opt(explicit(1, KerberosString)),
  s2kparams: opt(explicit(2, OCTET_STRING)),
}, 'ETYPE-INFO2-ENTRY'));

export const etypeInfo2Codec = derCodec<EtypeInfo2>('ETYPE-INFO2', sequenceOf(etypeInfo2EntryCodec.type, { min: 1, label: 'ETYPE-INFO2' }));
