// EncryptedData (RFC 4120 5.2.9).
//   EncryptedData ::= SEQUENCE { etype [0] Int32, kvno [1] UInt32 OPTIONAL, cipher [2] OCTET STRING }
import { OCTET_STRING, derCodec, explicit, opt, req, sequence, type DerType } from '../../der/index.js';
import { Int32, UInt32Compat } from './basic.js';

export interface EncryptedData {
  /** An EncType number (src/iana/krb5.ts), e.g. 18 aes256-cts-hmac-sha1-96. */
  readonly etype: number;
  /**
   * Key version number. UInt32 in RFC 4120, but Windows RODCs put their number in the high 16 bits
   * and encode the result as a signed Int32, so -2^31..2^32-1 is accepted (see UInt32Compat).
   */
  readonly kvno?: number | undefined;
  readonly cipher: Uint8Array;
}

export const encryptedDataType: DerType<EncryptedData> = sequence({
  etype: req(explicit(0, Int32)),
  kvno: opt(explicit(1, UInt32Compat)),
  cipher: req(explicit(2, OCTET_STRING)),
}, 'EncryptedData');

export const encryptedDataCodec = derCodec<EncryptedData>('EncryptedData', encryptedDataType);
