// PA-DATA (RFC 4120 5.2.7). Note the first tag is [1], not [0].
//   PA-DATA ::= SEQUENCE { padata-type [1] Int32, padata-value [2] OCTET STRING }
import { OCTET_STRING, derCodec, explicit, req, sequence } from '../../der/index.js';
import { Int32 } from './basic.js';

export interface PaData {
  /** A PaDataType number (src/iana/krb5.ts), e.g. 2 PA-ENC-TIMESTAMP, 19 PA-ETYPE-INFO2. */
  readonly padataType: number;
  /** Type-specific bytes: an AP-REQ for PA-TGS-REQ, ETYPE-INFO2 for PA-ETYPE-INFO2, often empty. */
  readonly padataValue: Uint8Array;
}

export const paDataCodec = derCodec<PaData>('PA-DATA', sequence({
  padataType: req(explicit(1, Int32)),
  padataValue: req(explicit(2, OCTET_STRING)),
}, 'PA-DATA'));
