// AD-IF-RELEVANT (RFC 4120 5.2.6.1): the ad-data of an authorization-data element of type 1, itself
// an AuthorizationData whose elements may be ignored when not understood (Windows wraps AD-WIN2K-PAC
// in one).
//   AD-IF-RELEVANT ::= AuthorizationData
import { derCodec, sequenceOf } from '../../der/index.js';
import { authorizationDataEntryType, type AuthorizationData } from './authorization-data.js';

export type AdIfRelevant = AuthorizationData;

export const adIfRelevantCodec = derCodec<AdIfRelevant>('AD-IF-RELEVANT', sequenceOf(authorizationDataEntryType, { label: 'AD-IF-RELEVANT' }));
