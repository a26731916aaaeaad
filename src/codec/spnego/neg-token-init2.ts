// NegTokenInit2 (MS-SPNG section 2.2.1), the server-initiated form Windows and Samba send
// (e.g. in the SMB2 NEGOTIATE response); same [0] choice tag as NegTokenInit:
//
//   NegHints ::= SEQUENCE {
//     hintName     [0] GeneralString OPTIONAL,  -- SHOULD be "not_defined_in_RFC4178@please_ignore"
//     hintAddress  [1] OCTET STRING  OPTIONAL } -- MUST be omitted by the sender
//   NegTokenInit2 ::= SEQUENCE {
//     mechTypes    [0] MechTypeList  OPTIONAL,
//     reqFlags     [1] ContextFlags  OPTIONAL,
//     mechToken    [2] OCTET STRING  OPTIONAL,
//     negHints     [3] NegHints      OPTIONAL,
//     mechListMIC  [4] OCTET STRING  OPTIONAL,
//     ... }
//
// hintAddress is decoded when present (strictness about senders is the negotiator's business).
// hintName is GeneralString read as UTF-8, as MIT passes it. Unknown fields: DECODE_BAD_TAG.
import { BIT_STRING, OCTET_STRING, type BitString } from '../../der/primitives.js';
import { explicit, mapped, opt, sequence } from '../../der/combinators.js';
import type { DerType } from '../../der/type.js';
import type { Codec } from '../codec.js';
import { MechTypeListWithDerType, mechTypesDerFor, type MechTypeList } from './mech-type-list.js';
import { compact, GeneralStringExact, spnegoCodec } from './internal.js';

/** The hint name MS-SPNG tells servers to send. */
export const NEG_HINTS_IGNORE_NAME = 'not_defined_in_RFC4178@please_ignore';

export interface NegHints {
  readonly hintName?: string;
  readonly hintAddress?: Uint8Array;
}

export const NegHintsType: DerType<NegHints> = sequence(
  {
    hintName: opt(explicit(0, GeneralStringExact)),
    hintAddress: opt(explicit(1, OCTET_STRING)),
  },
  'NegHints',
);

export const NegHints: Codec<NegHints> = spnegoCodec('NegHints', NegHintsType);

export interface NegTokenInit2 {
  readonly mechTypes?: MechTypeList;
  /** The exact MechTypeList element as received; present exactly when mechTypes is. */
  readonly mechTypesDer?: Uint8Array;
  readonly reqFlags?: BitString;
  readonly mechToken?: Uint8Array;
  readonly negHints?: NegHints;
  readonly mechListMIC?: Uint8Array;
}

const Fields = sequence(
  {
    mechTypes: opt(explicit(0, MechTypeListWithDerType)),
    reqFlags: opt(explicit(1, BIT_STRING)),
    mechToken: opt(explicit(2, OCTET_STRING)),
    negHints: opt(explicit(3, NegHintsType)),
    mechListMIC: opt(explicit(4, OCTET_STRING)),
  },
  'NegTokenInit2',
);

export const NegTokenInit2Type: DerType<NegTokenInit2> = mapped(
  Fields,
  (s): NegTokenInit2 =>
    compact({
      mechTypes: s.mechTypes?.mechTypes,
      mechTypesDer: s.mechTypes?.mechTypesDer,
      reqFlags: s.reqFlags,
      mechToken: s.mechToken,
      negHints: s.negHints,
      mechListMIC: s.mechListMIC,
    }),
  (v) => ({
    // A mechTypesDer without mechTypes is ignored: the list is what gets sent.
    mechTypes: v.mechTypes === undefined ? undefined : { mechTypes: v.mechTypes, mechTypesDer: mechTypesDerFor({ mechTypes: v.mechTypes, mechTypesDer: v.mechTypesDer }) },
    reqFlags: v.reqFlags,
    mechToken: v.mechToken,
    negHints: v.negHints,
    mechListMIC: v.mechListMIC,
  }),
  'NegTokenInit2',
);

export const NegTokenInit2: Codec<NegTokenInit2> & { readonly type: DerType<NegTokenInit2> } = spnegoCodec('NegTokenInit2', NegTokenInit2Type);
