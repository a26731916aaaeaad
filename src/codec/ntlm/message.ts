// Any NTLM message: the 12-byte header (Signature "NTLMSSP\0", MessageType) picks the codec.
import { SpnegoError, decodeError } from '../../errors.js';
import type { Codec, DecodeLimits } from '../codec.js';
import { NTLMSSP_SIGNATURE, NtlmMessageType, type NtlmMessageTypeName } from '../../iana/ntlm.js';
import { authenticateMessageCodec, type AuthenticateMessage } from './authenticate.js';
import { challengeMessageCodec, type ChallengeMessage } from './challenge.js';
import { negotiateMessageCodec, type NegotiateMessage } from './negotiate.js';
import { readHeader } from './payload.js';
import { checkSize, ntlmLimits } from './util.js';

export type NtlmMessage =
  | { readonly messageType: 'NEGOTIATE_MESSAGE'; readonly message: NegotiateMessage }
  | { readonly messageType: 'CHALLENGE_MESSAGE'; readonly message: ChallengeMessage }
  | { readonly messageType: 'AUTHENTICATE_MESSAGE'; readonly message: AuthenticateMessage };

/** True when the input starts with the NTLMSSP signature (cheap sniffing; no validation). */
export function hasNtlmSignature(bytes: Uint8Array): boolean {
  if (bytes.length < NTLMSSP_SIGNATURE.length) return false;
  for (let i = 0; i < NTLMSSP_SIGNATURE.length; i++) if (bytes[i] !== NTLMSSP_SIGNATURE[i]) return false;
  return true;
}

/** The message type named by the 12-byte header; throws DECODE_* for anything else. */
export function ntlmMessageType(bytes: Uint8Array): NtlmMessageTypeName {
  const t = readHeader(bytes, 'NTLM message');
  switch (t) {
    case NtlmMessageType.NEGOTIATE_MESSAGE:
      return 'NEGOTIATE_MESSAGE';
    case NtlmMessageType.CHALLENGE_MESSAGE:
      return 'CHALLENGE_MESSAGE';
    case NtlmMessageType.AUTHENTICATE_MESSAGE:
      return 'AUTHENTICATE_MESSAGE';
    default:
      return decodeError('DECODE_BAD_VALUE', `unknown NTLM MessageType ${t}`, 8);
  }
}

export function decodeNtlmMessage(bytes: Uint8Array, limits?: Partial<DecodeLimits>): NtlmMessage {
  const l = ntlmLimits(limits);
  checkSize(bytes, l, 'NTLM message');
  const messageType = ntlmMessageType(bytes);
  switch (messageType) {
    case 'NEGOTIATE_MESSAGE':
      return { messageType, message: negotiateMessageCodec.decode(bytes, l) };
    case 'CHALLENGE_MESSAGE':
      return { messageType, message: challengeMessageCodec.decode(bytes, l) };
    case 'AUTHENTICATE_MESSAGE':
      return { messageType, message: authenticateMessageCodec.decode(bytes, l) };
  }
}

export function encodeNtlmMessage(m: NtlmMessage): Uint8Array {
  switch (m.messageType) {
    case 'NEGOTIATE_MESSAGE':
      return negotiateMessageCodec.encode(m.message);
    case 'CHALLENGE_MESSAGE':
      return challengeMessageCodec.encode(m.message);
    case 'AUTHENTICATE_MESSAGE':
      return authenticateMessageCodec.encode(m.message);
    default:
      throw new SpnegoError('ENCODE_BAD_VALUE', `unknown NTLM messageType ${String((m as { messageType: unknown }).messageType)}`);
  }
}

export const ntlmMessageCodec: Codec<NtlmMessage> = {
  name: 'NTLMSSP',
  decode: decodeNtlmMessage,
  encode: encodeNtlmMessage,
};
