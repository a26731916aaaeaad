// NegotiationToken (RFC 4178 section 4.2, MS-SPNG section 2.2.1):
//
//   NegotiationToken ::= CHOICE {
//     negTokenInit  [0] NegTokenInit,    -- or MS-SPNG NegTokenInit2 under the same tag
//     negTokenResp  [1] NegTokenResp }
//
// [0] holds NegTokenInit or NegTokenInit2; the two differ at [3]: NegTokenInit's mechListMIC is
// an OCTET STRING, NegTokenInit2's negHints a SEQUENCE (what MIT and Samba send). We decode as
// NegTokenInit2 when [3] holds a SEQUENCE, or when there is a [4] (NegTokenInit2's mechListMIC),
// or when mechTypes is absent (NegTokenInit requires it); otherwise as NegTokenInit. A token with
// mechTypes and none of [3]/[4] is structurally both and is reported as negTokenInit.
import { decodeError } from '../../errors.js';
import { CLASS_CONTEXT, DerContext, describeTag, encodeConstructed, readChildren, readTlv, type Tlv } from '../../der/tlv.js';
import { encodeError, expectTag, type DerType, type TagSpec } from '../../der/type.js';
import type { Codec } from '../codec.js';
import { spnegoCodec } from './internal.js';
import { NegTokenInitType, type NegTokenInit, type NegTokenInitInput } from './neg-token-init.js';
import { NegTokenInit2Type, type NegTokenInit2 } from './neg-token-init2.js';
import { NegTokenRespType, type NegTokenResp } from './neg-token-resp.js';

export type NegotiationToken =
  | { readonly type: 'negTokenInit'; readonly value: NegTokenInit }
  | { readonly type: 'negTokenInit2'; readonly value: NegTokenInit2 }
  | { readonly type: 'negTokenResp'; readonly value: NegTokenResp };

/** What the encoder accepts (a hand-built NegTokenInit may leave out mechTypesDer). */
export type NegotiationTokenInput =
  | { readonly type: 'negTokenInit'; readonly value: NegTokenInitInput }
  | { readonly type: 'negTokenInit2'; readonly value: NegTokenInit2 }
  | { readonly type: 'negTokenResp'; readonly value: NegTokenResp };

export interface NegotiationTokenCodec extends Codec<NegotiationToken> {
  readonly type: DerType<NegotiationToken>;
  encode(value: NegotiationTokenInput): Uint8Array;
}

const INIT: TagSpec = { cls: CLASS_CONTEXT, tag: 0, constructed: true };
const RESP: TagSpec = { cls: CLASS_CONTEXT, tag: 1, constructed: true };
const SEQ_BYTE = 0x30;

/** Which [0] form a SEQUENCE element is (see the header comment). Reads headers only. */
function isInit2(seq: Tlv, ctx: DerContext): boolean {
  // A throwaway context: this look-ahead must not count against the element limit twice.
  const kids = readChildren(seq, new DerContext(ctx.limits));
  let hasMechTypes = false;
  for (const k of kids) {
    if (k.cls !== CLASS_CONTEXT) continue;
    if (k.tag === 0) hasMechTypes = true;
    if (k.tag === 4) return true;
    if (k.tag === 3 && k.constructed && k.valueStart < k.end && seq.input[k.valueStart] === SEQ_BYTE) return true;
  }
  return !hasMechTypes;
}

function decodeInner<T>(t: Tlv, ctx: DerContext, label: string, pick: (c: Tlv) => DerType<T>): T {
  ctx.enter(t.start);
  const c = readTlv(t.input, t.valueStart, t.end, ctx);
  if (c.end !== t.end) decodeError('DECODE_TRAILING_BYTES', `extra content inside ${label}`, c.end);
  const type = pick(c);
  if (!type.matches(c)) expectTag(type.tagSpec!, c, type.label);
  const v = type.decodeTlv(c, ctx);
  ctx.leave();
  return v;
}

export const NegotiationTokenType: DerType<NegotiationToken> = {
  tagSpec: undefined,
  label: 'NegotiationToken',
  matches: (t) => t.cls === CLASS_CONTEXT && t.constructed && (t.tag === 0 || t.tag === 1),
  decodeTlv(t, ctx): NegotiationToken {
    if (t.cls === CLASS_CONTEXT && t.constructed && t.tag === 0) {
      let init2 = false;
      const value = decodeInner<NegTokenInit | NegTokenInit2>(t, ctx, '[0] NegTokenInit', (c) => {
        expectTag(NegTokenInitType.tagSpec!, c, 'NegTokenInit');
        init2 = isInit2(c, ctx);
        return init2 ? NegTokenInit2Type : NegTokenInitType;
      });
      return init2 ? { type: 'negTokenInit2', value } : { type: 'negTokenInit', value: value as NegTokenInit };
    }
    if (t.cls === CLASS_CONTEXT && t.constructed && t.tag === 1) {
      return { type: 'negTokenResp', value: decodeInner(t, ctx, '[1] NegTokenResp', () => NegTokenRespType) };
    }
    return decodeError('DECODE_BAD_TAG', `expected NegotiationToken [0] or [1], found ${describeTag(t.cls, t.tag, t.constructed)}`, t.start);
  },
  encode(v: NegotiationTokenInput): Uint8Array {
    switch (v.type) {
      case 'negTokenInit':
        return encodeConstructed(INIT.cls, INIT.tag, [NegTokenInitType.encode(v.value as NegTokenInit)]);
      case 'negTokenInit2':
        return encodeConstructed(INIT.cls, INIT.tag, [NegTokenInit2Type.encode(v.value)]);
      case 'negTokenResp':
        return encodeConstructed(RESP.cls, RESP.tag, [NegTokenRespType.encode(v.value)]);
      default:
        return encodeError(`unknown NegotiationToken alternative ${String((v as { type: unknown }).type)}`);
    }
  },
};

export const NegotiationToken: NegotiationTokenCodec = spnegoCodec('NegotiationToken', NegotiationTokenType);
