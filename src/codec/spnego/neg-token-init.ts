// NegTokenInit (RFC 4178 section 4.2.1):
//
//   NegTokenInit ::= SEQUENCE {
//     mechTypes    [0] MechTypeList,
//     reqFlags     [1] ContextFlags  OPTIONAL,  -- initiator SHOULD omit, acceptor MUST ignore
//     mechToken    [2] OCTET STRING  OPTIONAL,  -- the optimistic mechanism token
//     mechListMIC  [3] OCTET STRING  OPTIONAL,
//     ... }
//   ContextFlags ::= BIT STRING { delegFlag (0), mutualFlag (1), replayFlag (2), sequenceFlag (3),
//                                 anonFlag (4), confFlag (5), integFlag (6) } (SIZE (32))
//
// Unknown extension fields are rejected (DECODE_BAD_TAG): no peer we know sends any.
// reqFlags is kept as the raw BIT STRING (senders differ in how many trailing zero bits they keep).
// In a NegotiationToken a [3] holding a SEQUENCE means NegTokenInit2 instead (negotiation-token.ts).
import { BIT_STRING, OCTET_STRING, type BitString } from '../../der/primitives.js';
import { explicit, mapped, opt, req, sequence } from '../../der/combinators.js';
import { encodeError, type DerType } from '../../der/type.js';
import type { Codec } from '../codec.js';
import { MechTypeListWithDerType, mechTypesDerFor, type MechTypeList } from './mech-type-list.js';
import { compact, spnegoCodec } from './internal.js';

export interface NegTokenInit {
  readonly mechTypes: MechTypeList;
  /** The exact MechTypeList element (`30 len 06 ...`) as received: the mechListMIC input. */
  readonly mechTypesDer: Uint8Array;
  readonly reqFlags?: BitString;
  readonly mechToken?: Uint8Array;
  readonly mechListMIC?: Uint8Array;
}

/** What the encoder accepts: `mechTypesDer` may be left out and is then produced from `mechTypes`. */
export type NegTokenInitInput = Omit<NegTokenInit, 'mechTypesDer'> & { readonly mechTypesDer?: Uint8Array };

export interface NegTokenInitCodec extends Codec<NegTokenInit> {
  readonly type: DerType<NegTokenInit>;
  encode(value: NegTokenInitInput): Uint8Array;
}

const Fields = sequence(
  {
    mechTypes: req(explicit(0, MechTypeListWithDerType)),
    reqFlags: opt(explicit(1, BIT_STRING)),
    mechToken: opt(explicit(2, OCTET_STRING)),
    mechListMIC: opt(explicit(3, OCTET_STRING)),
  },
  'NegTokenInit',
);

export const NegTokenInitType: DerType<NegTokenInit> = mapped(
  Fields,
  (s): NegTokenInit =>
    compact({
      mechTypes: s.mechTypes.mechTypes,
      mechTypesDer: s.mechTypes.mechTypesDer,
      reqFlags: s.reqFlags,
      mechToken: s.mechToken,
      mechListMIC: s.mechListMIC,
    }),
  // Typed as NegTokenInit, but a hand-built value may lack mechTypesDer (NegTokenInitInput).
  (v: NegTokenInit) => {
    if (v.mechTypes === undefined) encodeError('NegTokenInit lacks mechTypes');
    return {
      mechTypes: { mechTypes: v.mechTypes, mechTypesDer: mechTypesDerFor(v) },
      reqFlags: v.reqFlags,
      mechToken: v.mechToken,
      mechListMIC: v.mechListMIC,
    };
  },
  'NegTokenInit',
);

export const NegTokenInit: NegTokenInitCodec = spnegoCodec('NegTokenInit', NegTokenInitType);

// --- ContextFlags helpers (RFC 4178 section 4.2.1): bit 0 is the most significant bit of the first byte.

export const CONTEXT_FLAGS = ['delegFlag', 'mutualFlag', 'replayFlag', 'sequenceFlag', 'anonFlag', 'confFlag', 'integFlag'] as const;
export type ContextFlag = (typeof CONTEXT_FLAGS)[number];

/** The named flags set in a reqFlags BIT STRING; unnamed bits are ignored. */
export function contextFlagsOf(bits: BitString): ContextFlag[] {
  const n = bits.bytes.length * 8 - bits.unusedBits;
  return CONTEXT_FLAGS.filter((_, i) => i < n && ((bits.bytes[i >> 3] ?? 0) & (0x80 >> (i & 7))) !== 0);
}

/** A DER BIT STRING for a set of flags, trailing zero bits removed (X.690 11.2.2). */
export function contextFlagsBitString(flags: Iterable<ContextFlag>): BitString {
  let highest = -1;
  let byte = 0;
  for (const f of flags) {
    const i = CONTEXT_FLAGS.indexOf(f);
    if (i < 0) encodeError(`unknown context flag ${String(f)}`);
    byte |= 0x80 >> i;
    highest = Math.max(highest, i);
  }
  if (highest < 0) return { bytes: new Uint8Array(0), unusedBits: 0 };
  return { bytes: Uint8Array.of(byte), unusedBits: 7 - highest };
}
