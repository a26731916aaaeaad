// TransitedEncoding (RFC 4120 5.3).
//   TransitedEncoding ::= SEQUENCE { tr-type [0] Int32 -- must be registered --, contents [1] OCTET STRING }
import { OCTET_STRING, derCodec, explicit, req, sequence } from '../../der/index.js';
import { Int32 } from './basic.js';

export interface TransitedEncoding {
  /** 1 = DOMAIN-X500-COMPRESS (RFC 4120 3.3.3.2). */
  readonly trType: number;
  readonly contents: Uint8Array;
}

export const transitedEncodingCodec = derCodec<TransitedEncoding>('TransitedEncoding', sequence({
  trType: req(explicit(0, Int32)),
  contents: req(explicit(1, OCTET_STRING)),
}, 'TransitedEncoding'));
