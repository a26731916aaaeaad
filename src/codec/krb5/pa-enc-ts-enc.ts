// PA-ENC-TS-ENC (RFC 4120 5.2.7.2): the plaintext of PA-ENC-TIMESTAMP (whose padata-value is an
// EncryptedData, key usage 1).
//   PA-ENC-TS-ENC ::= SEQUENCE { patimestamp [0] KerberosTime, pausec [1] Microseconds OPTIONAL }
import { derCodec, explicit, opt, req, sequence } from '../../der/index.js';
import { KerberosTime, Microseconds } from './basic.js';

export interface PaEncTsEnc {
  readonly patimestamp: Date;
  readonly pausec?: number | undefined;
}

export const paEncTsEncCodec = derCodec<PaEncTsEnc>('PA-ENC-TS-ENC', sequence({
  patimestamp: req(explicit(0, KerberosTime)),
  pausec: opt(explicit(1, Microseconds)),
}, 'PA-ENC-TS-ENC'));
