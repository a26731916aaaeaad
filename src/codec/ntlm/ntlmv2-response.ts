// NTLMv2_RESPONSE (MS-NLMP 2.2.2.8) = Response (16 bytes, the NTProofStr of 3.3.2) followed by
// NTLMv2_CLIENT_CHALLENGE (2.2.2.7): RespType (1), HiRespType (1), Reserved1 (2), Reserved2 (4),
// TimeStamp (8, FILETIME), ChallengeFromClient (8), Reserved3 (4), AvPairs (AV_PAIR list).
// Decoded from an AUTHENTICATE_MESSAGE's NtChallengeResponse.
//
// After MsvAvEOL, senders append padding: MS-NLMP 3.3.2 builds the client challenge as
// "... ServerName, Z(4)", so Windows sends four zero bytes. Those bytes are covered by NTProofStr,
// so they are kept exactly (`padding`, omitted when they are exactly Z(4)).
import { ByteReader } from '../../bytes/reader.js';
import { ByteWriter } from '../../bytes/writer.js';
import { SpnegoError, decodeError } from '../../errors.js';
import type { Codec, DecodeLimits } from '../codec.js';
import { readAvPairs, writeAvPairs, type AvPairs } from './av-pairs.js';
import { checkFixed, checkSize, checkU16, checkU32, checkU64, ntlmLimits, plainBytes } from './util.js';

/** RespType and HiRespType values (MS-NLMP 2.2.2.7: MUST be 1). */
export const NTLMV2_RESP_TYPE = 1;
/** Length of NTLMv2_RESPONSE without AvPairs and padding: 16 + 28. */
export const NTLMV2_RESPONSE_FIXED_LENGTH = 44;

export interface Ntlmv2ClientChallenge {
  readonly respType: number;
  readonly hiRespType: number;
  /** Reserved1 (u16); omitted when zero. */
  readonly reserved1?: number;
  /** Reserved2 (u32); omitted when zero. */
  readonly reserved2?: number;
  /** TimeStamp, FILETIME. */
  readonly timeStamp: bigint;
  /** ChallengeFromClient, 8 bytes. */
  readonly challengeFromClient: Uint8Array;
  /** Reserved3 (u32); omitted when zero. */
  readonly reserved3?: number;
  readonly avPairs: AvPairs;
  /** Bytes after MsvAvEOL; omitted when exactly Z(4) (what MS-NLMP 3.3.2 and Windows send). */
  readonly padding?: Uint8Array;
}

export interface Ntlmv2Response {
  /** Response: the NTProofStr, 16 bytes. */
  readonly response: Uint8Array;
  readonly clientChallenge: Ntlmv2ClientChallenge;
}

const Z4 = new Uint8Array(4);

function isZ4(b: Uint8Array): boolean {
  return b.length === 4 && b[0] === 0 && b[1] === 0 && b[2] === 0 && b[3] === 0;
}

function decode(bytes: Uint8Array, limits: DecodeLimits): Ntlmv2Response {
  checkSize(bytes, limits, 'NTLMv2_RESPONSE');
  const r = new ByteReader(bytes);
  const response = r.take(16, 'Response');
  const respType = r.u8();
  if (respType !== NTLMV2_RESP_TYPE) decodeError('DECODE_BAD_VALUE', `RespType ${respType}, expected 1`, 16);
  const hiRespType = r.u8();
  if (hiRespType !== NTLMV2_RESP_TYPE) decodeError('DECODE_BAD_VALUE', `HiRespType ${hiRespType}, expected 1`, 17);
  const reserved1 = r.u16le();
  const reserved2 = r.u32le();
  const timeStamp = r.u64le();
  const challengeFromClient = r.take(8, 'ChallengeFromClient');
  const reserved3 = r.u32le();
  const avPairs = readAvPairs(r, limits);
  const padding = r.take(r.remaining);
  return {
    response,
    clientChallenge: {
      respType,
      hiRespType,
      ...(reserved1 === 0 ? {} : { reserved1 }),
      ...(reserved2 === 0 ? {} : { reserved2 }),
      timeStamp,
      challengeFromClient,
      ...(reserved3 === 0 ? {} : { reserved3 }),
      avPairs,
      ...(isZ4(padding) ? {} : { padding }),
    },
  };
}

function encode(v: Ntlmv2Response): Uint8Array {
  const c = v.clientChallenge;
  if (c.respType !== NTLMV2_RESP_TYPE || c.hiRespType !== NTLMV2_RESP_TYPE) {
    throw new SpnegoError('ENCODE_BAD_VALUE', 'NTLMv2_CLIENT_CHALLENGE RespType and HiRespType must be 1');
  }
  if (!Array.isArray(c.avPairs)) throw new SpnegoError('ENCODE_BAD_VALUE', 'AvPairs must be an array');
  const w = new ByteWriter(128)
    .bytes(checkFixed(v.response, 16, 'Response'))
    .u8(c.respType)
    .u8(c.hiRespType)
    .u16le(checkU16(c.reserved1 ?? 0, 'Reserved1'))
    .u32le(checkU32(c.reserved2 ?? 0, 'Reserved2'))
    .u64le(checkU64(c.timeStamp, 'TimeStamp'))
    .bytes(checkFixed(c.challengeFromClient, 8, 'ChallengeFromClient'))
    .u32le(checkU32(c.reserved3 ?? 0, 'Reserved3'));
  writeAvPairs(w, c.avPairs);
  const padding = c.padding ?? Z4;
  if (!(padding instanceof Uint8Array)) throw new SpnegoError('ENCODE_BAD_VALUE', 'padding must be a Uint8Array');
  w.bytes(padding);
  return w.finish();
}

export const ntlmv2ResponseCodec: Codec<Ntlmv2Response> = {
  name: 'NTLMv2_RESPONSE',
  decode(bytes: Uint8Array, limits?: Partial<DecodeLimits>): Ntlmv2Response {
    return decode(plainBytes(bytes), ntlmLimits(limits));
  },
  encode,
};

/** The NTLMv2_CLIENT_CHALLENGE part alone (the "temp" of MS-NLMP 3.3.2 that NTProofStr covers). */
export function encodeNtlmv2ClientChallenge(c: Ntlmv2ClientChallenge): Uint8Array {
  return encode({ response: new Uint8Array(16), clientChallenge: c }).subarray(16);
}

/**
 * Whether an NtChallengeResponse is NTLMv2 shaped: longer than the 24 bytes of NTLMv1, and
 * decodable as NTLMv2_RESPONSE.
 */
export function isNtlmv2Response(nt: Uint8Array): boolean {
  if (nt.length <= 24) return false;
  try {
    decode(nt, ntlmLimits());
    return true;
  } catch (e) {
    if (e instanceof SpnegoError) return false;
    throw e;
  }
}

/** MsvAvFlags from an NTLMv2 NtChallengeResponse; undefined if absent or not NTLMv2. */
export function ntlmv2AvFlags(nt: Uint8Array): number | undefined {
  if (nt.length <= 24) return undefined;
  try {
    const p = decode(nt, ntlmLimits()).clientChallenge.avPairs.find((x) => x.avId === 'MsvAvFlags');
    return p === undefined ? undefined : (p.value as number);
  } catch (e) {
    if (e instanceof SpnegoError) return undefined;
    throw e;
  }
}
