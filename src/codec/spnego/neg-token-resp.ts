// NegTokenResp (RFC 4178 section 4.2.2):
//
//   NegTokenResp ::= SEQUENCE {
//     negState       [0] ENUMERATED { accept-completed (0), accept-incomplete (1),
//                                     reject (2), request-mic (3) } OPTIONAL,
//     supportedMech  [1] MechType      OPTIONAL,
//     responseToken  [2] OCTET STRING  OPTIONAL,
//     mechListMIC    [3] OCTET STRING  OPTIONAL,
//     ... }
//
// An unknown negState value is DECODE_BAD_VALUE; unknown extension fields are DECODE_BAD_TAG.
// Whether the fields present make sense for the step (negState in the first reply, etc.) is
// the negotiator's business, not the codec's.
import { decodeError } from '../../errors.js';
import { ENUMERATED, OBJECT_IDENTIFIER, OCTET_STRING } from '../../der/primitives.js';
import { explicit, mapped, opt, sequence } from '../../der/combinators.js';
import { encodeError, type DerType } from '../../der/type.js';
import type { Codec } from '../codec.js';
import { spnegoCodec } from './internal.js';

/** negState values in wire order: the index is the ENUMERATED value. */
export const NEG_STATES = ['accept-completed', 'accept-incomplete', 'reject', 'request-mic'] as const;
export type NegState = (typeof NEG_STATES)[number];

export const NegStateType: DerType<NegState> = mapped(
  ENUMERATED,
  (n, t) => NEG_STATES[n] ?? decodeError('DECODE_BAD_VALUE', `unknown negState ${n}`, t.valueStart),
  (s) => {
    const i = NEG_STATES.indexOf(s);
    return i >= 0 ? i : encodeError(`unknown negState ${String(s)}`);
  },
  'negState',
);

export interface NegTokenResp {
  readonly negState?: NegState;
  readonly supportedMech?: string;
  readonly responseToken?: Uint8Array;
  readonly mechListMIC?: Uint8Array;
}

export const NegTokenRespType: DerType<NegTokenResp> = sequence(
  {
    negState: opt(explicit(0, NegStateType)),
    supportedMech: opt(explicit(1, OBJECT_IDENTIFIER)),
    responseToken: opt(explicit(2, OCTET_STRING)),
    mechListMIC: opt(explicit(3, OCTET_STRING)),
  },
  'NegTokenResp',
);

export const NegTokenResp: Codec<NegTokenResp> & { readonly type: DerType<NegTokenResp> } = spnegoCodec('NegTokenResp', NegTokenRespType);
