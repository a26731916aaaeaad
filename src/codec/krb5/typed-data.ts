// TYPED-DATA (RFC 4120 5.9.1): the e-data of some KRB-ERRORs (e.g. PKINIT's TD-* entries,
// RFC 6113's TD-REQ-NONCE); data-type numbers share the PA-DATA space (PaDataType, src/iana/krb5.ts).
//   TYPED-DATA ::= SEQUENCE SIZE (1..MAX) OF SEQUENCE { data-type [0] Int32, data-value [1] OCTET STRING OPTIONAL }
import { OCTET_STRING, derCodec, explicit, opt, req, sequence, sequenceOf, type DerType } from '../../der/index.js';
import { Int32 } from './basic.js';

export interface TypedDataEntry {
  readonly dataType: number;
  readonly dataValue?: Uint8Array | undefined;
}
export type TypedData = readonly TypedDataEntry[];

export const typedDataEntryType: DerType<TypedDataEntry> = sequence({
  dataType: req(explicit(0, Int32)),
  dataValue: opt(explicit(1, OCTET_STRING)),
}, 'TYPED-DATA entry');

export const typedDataCodec = derCodec<TypedData>('TYPED-DATA', sequenceOf(typedDataEntryType, { min: 1, label: 'TYPED-DATA' }));
