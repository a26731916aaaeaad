// PAC_SIGNATURE_DATA (MS-PAC 2.8): the server, KDC (privsvr), ticket and full-PAC checksums.
//   SignatureType (u32 LE, a Kerberos checksum type; -138 is 0xFFFFFF76) | Signature (its length by type)
//   | RODCIdentifier (u16 LE, only in KDC signatures from a read-only DC)
import { ByteReader, ByteWriter } from '../../bytes/index.js';
import { SpnegoError, decodeError } from '../../errors.js';
import { resolveLimits, type Codec, type DecodeLimits } from '../codec.js';

/** Signature lengths of the checksum types MS-PAC 2.8 names (RFC 4757, RFC 3962, RFC 8009). */
export const PAC_SIGNATURE_LENGTHS: ReadonlyMap<number, number> = new Map([
  [-138, 16], // KERB_CHECKSUM_HMAC_MD5
  [15, 12], // HMAC_SHA1_96_AES128
  [16, 12], // HMAC_SHA1_96_AES256
  [19, 16], // hmac-sha256-128-aes128
  [20, 24], // hmac-sha384-192-aes256
]);

export interface PacSignatureData {
  /** A checksum type, signed (-138 for HMAC-MD5). */
  readonly signatureType: number;
  readonly signature: Uint8Array;
  readonly rodcIdentifier?: number | undefined;
}

export const pacSignatureDataCodec: Codec<PacSignatureData> = {
  name: 'PAC_SIGNATURE_DATA',
  decode(bytes: Uint8Array, limits?: Partial<DecodeLimits>): PacSignatureData {
    if (bytes.length > resolveLimits(limits).maxBytes) decodeError('DECODE_LIMIT', 'PAC_SIGNATURE_DATA too large', 0);
    const r = new ByteReader(bytes);
    const signatureType = r.u32le() | 0;
    const len = PAC_SIGNATURE_LENGTHS.get(signatureType);
    if (len === undefined) {
      // An unknown checksum type: the rest is the signature.
      return { signatureType, signature: r.take(r.remaining, 'Signature') };
    }
    const signature = r.take(len, 'Signature');
    if (r.remaining === 0) return { signatureType, signature };
    const rodcIdentifier = r.u16le();
    r.expectEnd('PAC_SIGNATURE_DATA');
    return { signatureType, signature, rodcIdentifier };
  },
  encode(v: PacSignatureData): Uint8Array {
    if (!Number.isInteger(v.signatureType) || v.signatureType < -(2 ** 31) || v.signatureType > 2 ** 32 - 1) throw new SpnegoError('ENCODE_BAD_VALUE', 'SignatureType is not 32-bit');
    const len = PAC_SIGNATURE_LENGTHS.get(v.signatureType | 0);
    if (len !== undefined && v.signature.length !== len) throw new SpnegoError('ENCODE_BAD_VALUE', `a type ${v.signatureType} signature is ${len} bytes`);
    if (len === undefined && v.rodcIdentifier !== undefined) throw new SpnegoError('ENCODE_BAD_VALUE', 'RODCIdentifier needs a known signature type');
    if (v.rodcIdentifier !== undefined && (!Number.isInteger(v.rodcIdentifier) || v.rodcIdentifier < 0 || v.rodcIdentifier > 0xffff)) throw new SpnegoError('ENCODE_BAD_VALUE', 'RODCIdentifier is not 16-bit');
    const w = new ByteWriter(4 + v.signature.length + 2).u32le(v.signatureType >>> 0).bytes(v.signature);
    if (v.rodcIdentifier !== undefined) w.u16le(v.rodcIdentifier);
    return w.finish();
  },
};
