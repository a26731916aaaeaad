// LastReq (RFC 4120 5.4.2): when the client last made various requests, in an EncKDCRepPart.
//   LastReq ::= SEQUENCE OF SEQUENCE { lr-type [0] Int32, lr-value [1] KerberosTime }
// lr-type 0 means "no information"; MIT sends one entry { 0, 19700101000000Z } when it has none.
import { derCodec, explicit, req, sequence, sequenceOf, type DerType } from '../../der/index.js';
import { Int32, KerberosTime } from './basic.js';

export interface LastReqEntry {
  /** 0 none; +-1 last initial TGT request, +-2 last initial request, +-3 newest TGT used, +-4 last renewal, +-5 last request, +-6 password expiry, +-7 account expiry (negative: for this KDC only). */
  readonly lrType: number;
  readonly lrValue: Date;
}
export type LastReq = readonly LastReqEntry[];

export const lastReqEntryType: DerType<LastReqEntry> = sequence({
  lrType: req(explicit(0, Int32)),
  lrValue: req(explicit(1, KerberosTime)),
}, 'LastReq entry');

export const lastReqCodec = derCodec<LastReq>('LastReq', sequenceOf(lastReqEntryType, { label: 'LastReq' }));
