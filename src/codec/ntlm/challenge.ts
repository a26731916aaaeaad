// CHALLENGE_MESSAGE (MS-NLMP 2.2.1.2): the server's reply to NEGOTIATE_MESSAGE.
// Fixed part (48 bytes): Signature, MessageType = 2, TargetNameFields, NegotiateFlags,
// ServerChallenge (8), Reserved (8), TargetInfoFields; then VERSION (optional, see payload.ts)
// and the payload. TargetName is UTF-16LE when this message's NegotiateFlags has
// NTLMSSP_NEGOTIATE_UNICODE, else OEM. TargetInfo is an AV_PAIR list.
// Canonical (Windows) layout: TargetName then TargetInfo, empty fields at BufferOffset 0
// (as in the MS-NLMP 4.2.2 example).
import { ByteReader } from '../../bytes/reader.js';
import { ByteWriter } from '../../bytes/writer.js';
import { SpnegoError } from '../../errors.js';
import type { Codec, DecodeLimits } from '../codec.js';
import { NTLMSSP_NEGOTIATE_UNICODE, NtlmMessageType } from '../../iana/ntlm.js';
import { readAvPairs, writeAvPairs, type AvPairs } from './av-pairs.js';
import {
  decodeFrame,
  encodeFrame,
  encodeHonouringLayout,
  fixedWriter,
  omitCanonicalLayout,
  type FrameSpec,
  type PayloadLayout,
} from './payload.js';
import { checkFixed, checkU32, decodeNtlmString, encodeNtlmString, isAllZero, ntlmLimits, plainBytes } from './util.js';
import type { Version } from './version.js';

export type ChallengePayloadField = 'TargetName' | 'TargetInfo';

export interface ChallengeMessage {
  /** TargetName; '' when the field is empty. */
  readonly targetName: string;
  readonly negotiateFlags: number;
  /** ServerChallenge, 8 bytes. */
  readonly serverChallenge: Uint8Array;
  /** Reserved (8 bytes); omitted when zero, kept when a sender set it (old "context" handle). */
  readonly reserved?: Uint8Array;
  /** TargetInfo as AV pairs; undefined when the field is empty (TargetInfoLen 0). */
  readonly targetInfo?: AvPairs;
  readonly version?: Version;
  /** The sender's layout, present only when it differs from the canonical one. */
  readonly layout?: PayloadLayout<ChallengePayloadField>;
}

export const CHALLENGE_FRAME: FrameSpec<ChallengePayloadField> = {
  name: 'CHALLENGE_MESSAGE',
  messageType: NtlmMessageType.CHALLENGE_MESSAGE,
  fixedLength: 48,
  fields: [
    ['TargetName', 12],
    ['TargetInfo', 40],
  ],
  canonicalOrder: ['TargetName', 'TargetInfo'],
  canonicalEmptyOffset: 'zero',
  mic: false,
};

function decodeRaw(bytes: Uint8Array, limits: DecodeLimits): ChallengeMessage {
  const f = decodeFrame(CHALLENGE_FRAME, bytes, limits);
  const r = new ByteReader(bytes, 20, 40);
  const negotiateFlags = r.u32le();
  const serverChallenge = r.take(8);
  const reserved = r.take(8);
  const unicode = (negotiateFlags & NTLMSSP_NEGOTIATE_UNICODE) !== 0;
  const tn = f.payload.TargetName;
  const ti = f.payload.TargetInfo;
  let targetInfo: AvPairs | undefined;
  if (ti.bytes.length > 0) {
    const tr = new ByteReader(bytes, ti.offset, ti.offset + ti.bytes.length);
    targetInfo = readAvPairs(tr, limits);
    tr.expectEnd('TargetInfo (after MsvAvEOL)');
  }
  return {
    targetName: decodeNtlmString(tn.bytes, unicode, tn.offset),
    negotiateFlags,
    serverChallenge,
    ...(isAllZero(reserved) ? {} : { reserved }),
    ...(targetInfo ? { targetInfo } : {}),
    ...(f.version ? { version: f.version } : {}),
    layout: f.layout,
  };
}

function encodeWith(v: ChallengeMessage, layout: PayloadLayout<ChallengePayloadField> | undefined): Uint8Array {
  const flags = checkU32(v.negotiateFlags, 'NegotiateFlags');
  const fixed = fixedWriter(NtlmMessageType.CHALLENGE_MESSAGE)
    .zeros(8)
    .u32le(flags)
    .bytes(checkFixed(v.serverChallenge, 8, 'ServerChallenge'))
    .bytes(v.reserved === undefined ? new Uint8Array(8) : checkFixed(v.reserved, 8, 'Reserved'))
    .zeros(8)
    .finish();
  let targetInfo: Uint8Array = new Uint8Array(0);
  if (v.targetInfo !== undefined) {
    if (!Array.isArray(v.targetInfo)) throw new SpnegoError('ENCODE_BAD_VALUE', 'TargetInfo must be an array of AV pairs');
    const w = new ByteWriter(64);
    writeAvPairs(w, v.targetInfo);
    targetInfo = w.finish();
  }
  const unicode = (flags & NTLMSSP_NEGOTIATE_UNICODE) !== 0;
  return encodeFrame(CHALLENGE_FRAME, fixed, v.version, undefined, {
    TargetName: encodeNtlmString(v.targetName, unicode, 'TargetName'),
    TargetInfo: targetInfo,
  }, layout);
}

const canonical = (v: ChallengeMessage): Uint8Array => encodeWith(v, undefined);

export const challengeMessageCodec: Codec<ChallengeMessage> = {
  name: 'CHALLENGE_MESSAGE',
  decode(bytes: Uint8Array, limits?: Partial<DecodeLimits>): ChallengeMessage {
    const b = plainBytes(bytes);
    return omitCanonicalLayout(decodeRaw(b, ntlmLimits(limits)), b, canonical);
  },
  encode(value: ChallengeMessage): Uint8Array {
    return encodeHonouringLayout(value, canonical, (v) => encodeWith(v, v.layout), (b) => decodeRaw(b, ntlmLimits()));
  },
};
