// Checksum (RFC 4120 5.2.9).
//   Checksum ::= SEQUENCE { cksumtype [0] Int32, checksum [1] OCTET STRING }
import { OCTET_STRING, derCodec, explicit, req, sequence } from '../../der/index.js';
import { Int32 } from './basic.js';

export interface Checksum {
  /** A ChecksumType number (src/iana/krb5.ts), e.g. 0x8003 for the GSS-API authenticator checksum. */
  readonly cksumtype: number;
  readonly checksum: Uint8Array;
}

export const checksumCodec = derCodec<Checksum>('Checksum', sequence({
  cksumtype: req(explicit(0, Int32)),
  checksum: req(explicit(1, OCTET_STRING)),
}, 'Checksum'));
