// MechTypeList (RFC 4178 section 4.1):
//
//   MechType     ::= OBJECT IDENTIFIER
//   MechTypeList ::= SEQUENCE OF MechType
//
// Decoded lists must hold 1..MAX_MECH_TYPES mechanisms: an empty list offers nothing to negotiate
// (NegTokenInit requires one; NegTokenInit2 omits the field rather than sending it empty).
// The mechListMIC is computed over the exact DER of this element (RFC 4178 section 5), so the
// with-DER variant keeps the bytes as received.

import { OBJECT_IDENTIFIER } from '../../der/primitives.js';
import { sequenceOf } from '../../der/combinators.js';
import { tlvBytes } from '../../der/tlv.js';
import { decodeDer, encodeError, type DerType } from '../../der/type.js';
import type { Codec } from '../codec.js';
import { spnegoCodec } from './internal.js';

/** Most mechanisms accepted in one list (real peers send 1 to 6). */
export const MAX_MECH_TYPES = 32;

export type MechType = string;
export type MechTypeList = readonly MechType[];

export const MechTypeListType: DerType<MechTypeList> = sequenceOf(OBJECT_IDENTIFIER, { min: 1, max: MAX_MECH_TYPES, label: 'MechTypeList' });

export const MechTypeList: Codec<MechTypeList> = spnegoCodec('MechTypeList', MechTypeListType);

/** DER of a MechTypeList (`30 len 06 ...`), the input of the mechListMIC. */
export function encodeMechTypeList(mechTypes: MechTypeList): Uint8Array {
  return MechTypeListType.encode(mechTypes);
}

/** A decoded list together with its exact bytes. */
export interface MechTypesWithDer {
  readonly mechTypes: MechTypeList;
  readonly mechTypesDer: Uint8Array;
}
export interface MechTypesWithDerInput {
  readonly mechTypes: MechTypeList;
  readonly mechTypesDer?: Uint8Array | undefined;
}

function sameList(a: MechTypeList, b: MechTypeList): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * Returns the bytes to send for a list: `mechTypesDer` when given (after checking that it is a
 * valid MechTypeList naming exactly `mechTypes`, else ENCODE_BAD_VALUE), otherwise a fresh encoding.
 */
export function mechTypesDerFor(v: MechTypesWithDerInput): Uint8Array {
  if (v.mechTypesDer === undefined) return encodeMechTypeList(v.mechTypes);
  let parsed: MechTypeList;
  try {
    parsed = decodeDer(MechTypeListType, v.mechTypesDer);
  } catch (e) {
    return encodeError(`mechTypesDer is not a valid MechTypeList: ${(e as Error).message}`);
  }
  if (!sameList(parsed, v.mechTypes)) encodeError('mechTypesDer does not match mechTypes');
  return v.mechTypesDer;
}

/** MechTypeList that also returns its element's exact DER (a copy); encodes from the DER when present. */
export const MechTypeListWithDerType: DerType<MechTypesWithDer> = {
  tagSpec: MechTypeListType.tagSpec,
  label: 'MechTypeList',
  matches: (t) => MechTypeListType.matches(t),
  decodeTlv(t, ctx) {
    const mechTypes = MechTypeListType.decodeTlv(t, ctx);
    return { mechTypes, mechTypesDer: new Uint8Array(tlvBytes(t)) };
  },
  encode: (v: MechTypesWithDerInput) => mechTypesDerFor(v),
};

