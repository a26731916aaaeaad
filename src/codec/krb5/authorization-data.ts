// AuthorizationData (RFC 4120 5.2.6).
//   AuthorizationData ::= SEQUENCE OF SEQUENCE { ad-type [0] Int32, ad-data [1] OCTET STRING }
// ad-data is kept as bytes: AD-IF-RELEVANT (1) holds another AuthorizationData, AD-WIN2K-PAC (128) a PAC.
import { OCTET_STRING, derCodec, explicit, req, sequence, sequenceOf, type DerType } from '../../der/index.js';
import { Int32 } from './basic.js';

export interface AuthorizationDataEntry {
  /** An AuthorizationDataType number (src/iana/krb5.ts). */
  readonly adType: number;
  readonly adData: Uint8Array;
}
export type AuthorizationData = readonly AuthorizationDataEntry[];

export const authorizationDataEntryType: DerType<AuthorizationDataEntry> = sequence({
  adType: req(explicit(0, Int32)),
  adData: req(explicit(1, OCTET_STRING)),
}, 'AuthorizationData entry');

export const authorizationDataCodec = derCodec<AuthorizationData>(
  'AuthorizationData',
  sequenceOf(authorizationDataEntryType, { label: 'AuthorizationData' }),
);
