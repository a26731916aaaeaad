// A SPNEGO token as it travels (RFC 4178 section 4.2 with RFC 2743 section 3.1 framing):
//
//   initial token:       60 len 06 06 2B 06 01 05 05 02 <NegotiationToken>   (framed: true)
//   continuation tokens: A1 len <NegTokenResp> (or A0 ...)                   (framed: false)
//
// Both forms are accepted in both directions: MIT strips a framing header on continuation tokens
// (for old Sun SPNEGO) and some peers send a bare [0]. The encoder frames when `framed` is true,
// so encode(decode(b)) reproduces b byte for byte.
//
// Errors: a framed token whose thisMech is not SPNEGO (e.g. a raw Kerberos AP-REQ) and input that
// starts with anything but 0x60, 0xA0 or 0xA1 (e.g. raw NTLMSSP) are UNKNOWN_TOKEN: "this is not a
// SPNEGO token" is a recognition failure (DEFECTIVE_TOKEN), not a negotiation outcome, so BAD_MECH
// is left to the negotiator, which can sniff raw mechanism tokens with hasInitialContextTokenHeader.
import { decodeError } from '../../errors.js';
import { resolveLimits, type Codec, type DecodeLimits } from '../codec.js';
import { DerContext, readTlv } from '../../der/tlv.js';
import { OID } from '../../iana/oids.js';
import { InitialContextToken, readInitialContextTokenHeader } from '../gss/initial-context-token.js';
import { plain } from './internal.js';
import { NegotiationTokenType, type NegotiationToken, type NegotiationTokenInput } from './negotiation-token.js';

export interface SpnegoToken {
  /** True when the token carried the RFC 2743 0x60 header with the SPNEGO OID. */
  readonly framed: boolean;
  readonly token: NegotiationToken;
}

export interface SpnegoTokenInput {
  readonly framed: boolean;
  readonly token: NegotiationTokenInput;
}

export interface SpnegoTokenCodec extends Codec<SpnegoToken> {
  encode(value: SpnegoTokenInput): Uint8Array;
}

const FRAMED = 0x60;
const BARE_INIT = 0xa0;
const BARE_RESP = 0xa1;

export function decodeSpnegoToken(input: Uint8Array, limits?: Partial<DecodeLimits>): SpnegoToken {
  const bytes = plain(input);
  const l = resolveLimits(limits);
  if (bytes.length > l.maxBytes) decodeError('DECODE_LIMIT', `input of ${bytes.length} bytes exceeds the ${l.maxBytes}-byte limit`, 0);
  if (bytes.length === 0) decodeError('DECODE_TRUNCATED', 'empty SPNEGO token', 0);
  const ctx = new DerContext(l);
  let start = 0;
  const framed = bytes[0] === FRAMED;
  if (framed) {
    const h = readInitialContextTokenHeader(bytes, ctx);
    if (h.mech !== OID.SPNEGO) decodeError('UNKNOWN_TOKEN', `framed token for mechanism ${h.mech}, not SPNEGO`, h.mechStart);
    start = h.innerStart;
  } else if (bytes[0] !== BARE_INIT && bytes[0] !== BARE_RESP) {
    decodeError('UNKNOWN_TOKEN', `not a SPNEGO token (first byte 0x${bytes[0]!.toString(16).padStart(2, '0')})`, 0);
  }
  const t = readTlv(bytes, start, bytes.length, ctx);
  if (t.end !== bytes.length) decodeError('DECODE_TRAILING_BYTES', `${bytes.length - t.end} trailing byte(s) after NegotiationToken`, t.end);
  if (!NegotiationTokenType.matches(t)) {
    // Inside the framing the byte was not checked yet.
    decodeError(framed ? 'DECODE_BAD_TAG' : 'UNKNOWN_TOKEN', 'expected NegotiationToken [0] or [1]', t.start);
  }
  return { framed, token: NegotiationTokenType.decodeTlv(t, ctx) };
}

export function encodeSpnegoToken(v: SpnegoTokenInput): Uint8Array {
  const inner = NegotiationTokenType.encode(v.token as NegotiationToken);
  return v.framed ? InitialContextToken.encode({ mech: OID.SPNEGO, innerToken: inner }) : inner;
}

export const SpnegoToken: SpnegoTokenCodec = { name: 'SPNEGO token', decode: decodeSpnegoToken, encode: encodeSpnegoToken };
