// AUTHENTICATE_MESSAGE (MS-NLMP 2.2.1.3): the client's answer to CHALLENGE_MESSAGE.
// Fixed part (64 bytes): Signature, MessageType = 3, LmChallengeResponseFields,
// NtChallengeResponseFields, DomainNameFields, UserNameFields, WorkstationFields,
// EncryptedRandomSessionKeyFields, NegotiateFlags; then VERSION and MIC (both optional) and the payload.
// DomainName, UserName and Workstation are UTF-16LE when this message's NegotiateFlags has
// NTLMSSP_NEGOTIATE_UNICODE, else OEM.
//
// MIC presence. The MIC has no flag in the message header; MS-NLMP signals it inside the
// NtChallengeResponse (MsvAvFlags bit 0x2 in the NTLMv2 AV pairs), which a codec should not have to
// trust or parse. Real senders make room for it: Windows, gss-ntlmssp 1.2 and Samba 4.17 (lab captures) put the payload
// at offset 88 when they send a MIC, and at 72 (VERSION only) or 64 (neither) otherwise. So the
// MIC is taken to be present exactly when the lowest offset of a non-empty payload field is >= 88
// (fixed part 64 + VERSION 8 + MIC 16); if every field is empty, when the message is >= 88 bytes.
// `micFlagged()` reads the MsvAvFlags claim so a caller can cross-check the two. They do differ in
// practice: Samba 4.17's client (ntlm_auth, gss-spnego) lays out and fills the 16 MIC bytes without
// setting MsvAvFlags 0x2 (test/vectors/lab-captures.json), so a flag-driven parser would misread it.
// Whether to *require* a MIC is the mechanism's decision, not the codec's.
//
// Canonical (Windows) layout: DomainName, UserName, Workstation, LmChallengeResponse,
// NtChallengeResponse, EncryptedRandomSessionKey; an empty field points at the current payload
// position (as in the MS-NLMP 4.2.3 example).
import { SpnegoError } from '../../errors.js';
import type { Codec, DecodeLimits } from '../codec.js';
import { MSV_AV_FLAG_MIC_PRESENT, NTLMSSP_NEGOTIATE_UNICODE, NtlmMessageType } from '../../iana/ntlm.js';
import {
  MIC_LENGTH,
  decodeFrame,
  encodeFrame,
  encodeHonouringLayout,
  fixedWriter,
  omitCanonicalLayout,
  type FrameSpec,
  type PayloadLayout,
} from './payload.js';
import { checkFixed, checkU32, decodeNtlmString, encodeNtlmString, ntlmLimits, plainBytes } from './util.js';
import type { Version } from './version.js';
import { ntlmv2AvFlags } from './ntlmv2-response.js';

export type AuthenticatePayloadField =
  | 'LmChallengeResponse'
  | 'NtChallengeResponse'
  | 'DomainName'
  | 'UserName'
  | 'Workstation'
  | 'EncryptedRandomSessionKey';

/** Byte offset of the MIC field in an AUTHENTICATE_MESSAGE that has one (after the 64-byte fixed part and VERSION). */
export const AUTHENTICATE_MIC_OFFSET = 72;

export interface AuthenticateMessage {
  /** LmChallengeResponse (LMv1 / LMv2 / Z(24) / empty). */
  readonly lmChallengeResponse: Uint8Array;
  /** NtChallengeResponse (NTLMv1 24 bytes, or an NTLMv2_RESPONSE: see ntlmv2ResponseCodec). */
  readonly ntChallengeResponse: Uint8Array;
  readonly domainName: string;
  readonly userName: string;
  readonly workstation: string;
  /** EncryptedRandomSessionKey; empty when key exchange was not negotiated. */
  readonly encryptedRandomSessionKey: Uint8Array;
  readonly negotiateFlags: number;
  readonly version?: Version;
  /** MIC, 16 bytes, when present (see the note at the top of this file). */
  readonly mic?: Uint8Array;
  /** The sender's layout, present only when it differs from the canonical one. */
  readonly layout?: PayloadLayout<AuthenticatePayloadField>;
}

export const AUTHENTICATE_FRAME: FrameSpec<AuthenticatePayloadField> = {
  name: 'AUTHENTICATE_MESSAGE',
  messageType: NtlmMessageType.AUTHENTICATE_MESSAGE,
  fixedLength: 64,
  fields: [
    ['LmChallengeResponse', 12],
    ['NtChallengeResponse', 20],
    ['DomainName', 28],
    ['UserName', 36],
    ['Workstation', 44],
    ['EncryptedRandomSessionKey', 52],
  ],
  canonicalOrder: ['DomainName', 'UserName', 'Workstation', 'LmChallengeResponse', 'NtChallengeResponse', 'EncryptedRandomSessionKey'],
  canonicalEmptyOffset: 'next',
  mic: true,
};

function decodeRaw(bytes: Uint8Array, limits: DecodeLimits): AuthenticateMessage {
  const f = decodeFrame(AUTHENTICATE_FRAME, bytes, limits);
  const negotiateFlags = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(60, true);
  const unicode = (negotiateFlags & NTLMSSP_NEGOTIATE_UNICODE) !== 0;
  const p = f.payload;
  return {
    lmChallengeResponse: p.LmChallengeResponse.bytes.slice(),
    ntChallengeResponse: p.NtChallengeResponse.bytes.slice(),
    domainName: decodeNtlmString(p.DomainName.bytes, unicode, p.DomainName.offset),
    userName: decodeNtlmString(p.UserName.bytes, unicode, p.UserName.offset),
    workstation: decodeNtlmString(p.Workstation.bytes, unicode, p.Workstation.offset),
    encryptedRandomSessionKey: p.EncryptedRandomSessionKey.bytes.slice(),
    negotiateFlags,
    ...(f.version ? { version: f.version } : {}),
    ...(f.mic ? { mic: f.mic } : {}),
    layout: f.layout,
  };
}

function bytesField(b: Uint8Array, what: string): Uint8Array {
  if (!(b instanceof Uint8Array)) throw new SpnegoError('ENCODE_BAD_VALUE', `${what} must be a Uint8Array`);
  return b;
}

function encodeWith(v: AuthenticateMessage, layout: PayloadLayout<AuthenticatePayloadField> | undefined): Uint8Array {
  const flags = checkU32(v.negotiateFlags, 'NegotiateFlags');
  const fixed = fixedWriter(NtlmMessageType.AUTHENTICATE_MESSAGE).zeros(48).u32le(flags).finish();
  const unicode = (flags & NTLMSSP_NEGOTIATE_UNICODE) !== 0;
  const mic = v.mic === undefined ? undefined : checkFixed(v.mic, MIC_LENGTH, 'MIC');
  return encodeFrame(AUTHENTICATE_FRAME, fixed, v.version, mic, {
    LmChallengeResponse: bytesField(v.lmChallengeResponse, 'LmChallengeResponse'),
    NtChallengeResponse: bytesField(v.ntChallengeResponse, 'NtChallengeResponse'),
    DomainName: encodeNtlmString(v.domainName, unicode, 'DomainName'),
    UserName: encodeNtlmString(v.userName, unicode, 'UserName'),
    Workstation: encodeNtlmString(v.workstation, unicode, 'Workstation'),
    EncryptedRandomSessionKey: bytesField(v.encryptedRandomSessionKey, 'EncryptedRandomSessionKey'),
  }, layout);
}

const canonical = (v: AuthenticateMessage): Uint8Array => encodeWith(v, undefined);

export const authenticateMessageCodec: Codec<AuthenticateMessage> = {
  name: 'AUTHENTICATE_MESSAGE',
  decode(bytes: Uint8Array, limits?: Partial<DecodeLimits>): AuthenticateMessage {
    const b = plainBytes(bytes);
    return omitCanonicalLayout(decodeRaw(b, ntlmLimits(limits)), b, canonical);
  },
  encode(value: AuthenticateMessage): Uint8Array {
    return encodeHonouringLayout(value, canonical, (v) => encodeWith(v, v.layout), (b) => decodeRaw(b, ntlmLimits()));
  },
};

/**
 * Whether the client claims a MIC: MsvAvFlags bit 0x2 in the NTLMv2 response's AV pairs.
 * false for NTLMv1 responses or when MsvAvFlags is absent; never throws (a malformed NTLMv2
 * response counts as no claim). Compare with `message.mic !== undefined`.
 */
export function micFlagged(m: AuthenticateMessage): boolean {
  const flags = ntlmv2AvFlags(m.ntChallengeResponse);
  return flags !== undefined && (flags & MSV_AV_FLAG_MIC_PRESENT) !== 0;
}

/** The message with its MIC bytes zeroed, as the MIC is computed over (MS-NLMP 3.1.5.1.2); layout kept. */
export function withZeroMic(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  const m = authenticateMessageCodec.decode(bytes);
  if (m.mic === undefined) throw new SpnegoError('BAD_ARGUMENT', 'AUTHENTICATE_MESSAGE has no MIC field');
  out.fill(0, AUTHENTICATE_MIC_OFFSET, AUTHENTICATE_MIC_OFFSET + MIC_LENGTH);
  return out;
}
