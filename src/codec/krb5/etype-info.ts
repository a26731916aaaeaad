// ETYPE-INFO (RFC 4120 5.2.7.4): the padata-value of PA-ETYPE-INFO (11), the older form of ETYPE-INFO2.
//   ETYPE-INFO-ENTRY ::= SEQUENCE { etype [0] Int32, salt [1] OCTET STRING OPTIONAL }
//   ETYPE-INFO ::= SEQUENCE OF ETYPE-INFO-ENTRY
import { OCTET_STRING, derCodec, explicit, opt, req, sequence, sequenceOf } from '../../der/index.js';
import { Int32 } from './basic.js';

export interface EtypeInfoEntry {
  readonly etype: number;
  readonly salt?: Uint8Array | undefined;
}
export type EtypeInfo = readonly EtypeInfoEntry[];

export const etypeInfoEntryCodec = derCodec<EtypeInfoEntry>('ETYPE-INFO-ENTRY', sequence({
  etype: req(explicit(0, Int32)),
  salt: opt(explicit(1, OCTET_STRING)),
}, 'ETYPE-INFO-ENTRY'));

export const etypeInfoCodec = derCodec<EtypeInfo>('ETYPE-INFO', sequenceOf(etypeInfoEntryCodec.type, { label: 'ETYPE-INFO' }));
