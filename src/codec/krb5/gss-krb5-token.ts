// The Kerberos part of a GSS-API krb5 context token (RFC 4121 4.1): what follows the mechanism OID
// inside the 0x60 InitialContextToken framing (or the whole innerToken of later tokens):
//   TOK_ID (2 bytes, big-endian) || DER message
//   01 00 KRB_AP_REQ, 02 00 KRB_AP_REP, 03 00 KRB_ERROR
// The 0x60 / OID framing itself is src/codec/gss/initial-context-token.ts.
// Decode errors carry offsets into the bytes given here (the TOK_ID is bytes 0-1).
import { resolveLimits, type Codec, type DecodeLimits } from '../codec.js';
import { decodeError, SpnegoError } from '../../errors.js';
import { toHex } from '../../bytes/encoding.js';
import { CLASS_APPLICATION, DerContext, DerWriter, OBJECT_IDENTIFIER, decodeDerPrefix, encodeInto, type DerType } from '../../der/index.js';
import { TokId } from '../../iana/krb5.js';
import { apRepCodec, type ApRep } from './ap-rep.js';
import { apReqCodec, type ApReq } from './ap-req.js';
import { krbErrorCodec, type KrbError } from './krb-error.js';

export type GssKrb5TokenKind = 'AP-REQ' | 'AP-REP' | 'KRB-ERROR';

export type GssKrb5Token =
  | { readonly tokId: 'AP-REQ'; readonly message: ApReq }
  | { readonly tokId: 'AP-REP'; readonly message: ApRep }
  | { readonly tokId: 'KRB-ERROR'; readonly message: KrbError };

const TYPES: { readonly [K in GssKrb5TokenKind]: DerType<Extract<GssKrb5Token, { tokId: K }>['message']> } = {
  'AP-REQ': apReqCodec.type,
  'AP-REP': apRepCodec.type,
  'KRB-ERROR': krbErrorCodec.type,
};

function kindOf(tokId: number): GssKrb5TokenKind | undefined {
  if (tokId === TokId['AP-REQ']) return 'AP-REQ';
  if (tokId === TokId['AP-REP']) return 'AP-REP';
  if (tokId === TokId['KRB-ERROR']) return 'KRB-ERROR';
  return undefined;
}

export const gssKrb5TokenCodec: Codec<GssKrb5Token> = {
  name: 'krb5 innerContextToken',
  decode(bytes: Uint8Array, limits?: Partial<DecodeLimits>): GssKrb5Token {
    const l = resolveLimits(limits);
    if (bytes.length > l.maxBytes) decodeError('DECODE_LIMIT', `input of ${bytes.length} bytes exceeds the ${l.maxBytes}-byte limit`, 0);
    if (bytes.length < 2) decodeError('DECODE_TRUNCATED', 'krb5 token shorter than its 2-byte TOK_ID', bytes.length);
    const id = (bytes[0]! << 8) | bytes[1]!;
    const kind = kindOf(id);
    if (!kind) return decodeError('DECODE_BAD_VALUE', `unknown krb5 context TOK_ID ${toHex(bytes.subarray(0, 2))}`, 0);
    const { value, end } = decodeDerPrefix<ApReq | ApRep | KrbError>(TYPES[kind], bytes, 2, bytes.length, new DerContext(l));
    if (end !== bytes.length) decodeError('DECODE_TRAILING_BYTES', `${bytes.length - end} trailing byte(s) after ${kind}`, end);
    return { tokId: kind, message: value } as GssKrb5Token;
  },
  encode(v: GssKrb5Token): Uint8Array {
    // Only the three context-establishment kinds (not MIC/Wrap, which are TokId entries too).
    if (!Object.hasOwn(TYPES, v.tokId)) throw new SpnegoError('ENCODE_BAD_VALUE', `unknown krb5 token kind ${String(v.tokId)}`);
    const id = TokId[v.tokId];
    const type = TYPES[v.tokId] as DerType<unknown>;
    const w = new DerWriter();
    encodeInto(type, v.message, w);
    w.bytes(Uint8Array.of(id >> 8, id & 0xff));
    return w.finish();
  },
};

/**
 * The token framed for the wire: [APPLICATION 0] { thisMech, TOK_ID, message } written in one
 * pass (the same bytes as InitialContextToken.encode of gssKrb5TokenCodec.encode, without the
 * intermediate copy).
 */
export function encodeFramedGssKrb5Token(mech: string, v: GssKrb5Token): Uint8Array {
  if (!Object.hasOwn(TYPES, v.tokId)) throw new SpnegoError('ENCODE_BAD_VALUE', `unknown krb5 token kind ${String(v.tokId)}`);
  const id = TokId[v.tokId];
  const w = new DerWriter();
  encodeInto(TYPES[v.tokId] as DerType<unknown>, v.message, w);
  w.bytes(Uint8Array.of(id >> 8, id & 0xff));
  encodeInto(OBJECT_IDENTIFIER, mech, w);
  w.header(CLASS_APPLICATION, true, 0, w.length);
  return w.finish();
}
