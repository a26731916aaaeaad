// AV_PAIR lists (MS-NLMP 2.2.2.1): AvId u16, AvLen u16, Value; the list ends with MsvAvEOL (AvLen 0).
// Carried in CHALLENGE_MESSAGE.TargetInfo and in NTLMv2_CLIENT_CHALLENGE.AvPairs.
//
// Known ids get typed values; a known id whose value has the wrong size or an odd-length name is
// rejected (DECODE_BAD_LENGTH / DECODE_BAD_VALUE). Ids MS-NLMP does not define are kept as raw bytes
// under their number. MsvAvEOL is not a list entry: it is written after the last pair. Duplicate ids
// are kept in order. The list's length counts against DecodeLimits.maxElements.
import { ByteReader } from '../../bytes/reader.js';
import { ByteWriter } from '../../bytes/writer.js';
import { SpnegoError, decodeError } from '../../errors.js';
import type { Codec, DecodeLimits } from '../codec.js';
import {
  AV_ID_BY_NAME,
  MsvAvChannelBindings,
  MsvAvEOL,
  MsvAvFlags,
  MsvAvSingleHost,
  MsvAvTimestamp,
  avIdName,
  type AvIdName,
} from '../../iana/ntlm.js';
import { checkFixed, checkSize, checkU16, checkU32, checkU64, decodeNtlmString, ntlmLimits, plainBytes } from './util.js';

/** AV_PAIRs whose Value is a UTF-16LE string (no terminating NUL). */
export type AvStringId =
  | 'MsvAvNbComputerName'
  | 'MsvAvNbDomainName'
  | 'MsvAvDnsComputerName'
  | 'MsvAvDnsDomainName'
  | 'MsvAvDnsTreeName'
  | 'MsvAvTargetName';

const STRING_IDS: ReadonlySet<AvIdName> = new Set<AvIdName>([
  'MsvAvNbComputerName',
  'MsvAvNbDomainName',
  'MsvAvDnsComputerName',
  'MsvAvDnsDomainName',
  'MsvAvDnsTreeName',
  'MsvAvTargetName',
]);

export const SINGLE_HOST_DATA_LENGTH = 48;
export const CHANNEL_BINDINGS_LENGTH = 16;

/** Single_Host_Data (MS-NLMP 2.2.2.2), the Value of MsvAvSingleHost: 48 bytes. */
export interface SingleHostData {
  /** Size; omitted when it is 48 (the length of the structure, as MS-NLMP defines it). */
  readonly size?: number;
  /** Z4; omitted when zero (MS-NLMP: MUST be 0). */
  readonly z4?: number;
  /** CustomData, 8 bytes. */
  readonly customData: Uint8Array;
  /** MachineID, 32 bytes. */
  readonly machineId: Uint8Array;
}

export type AvPair =
  | { readonly avId: AvStringId; readonly value: string }
  /** MsvAvFlags: MSV_AV_FLAG_* bits. */
  | { readonly avId: 'MsvAvFlags'; readonly value: number }
  /** MsvAvTimestamp: FILETIME (100 ns ticks since 1601-01-01 UTC). */
  | { readonly avId: 'MsvAvTimestamp'; readonly value: bigint }
  | { readonly avId: 'MsvAvSingleHost'; readonly value: SingleHostData }
  /** MsvAvChannelBindings: MD5 of gss_channel_bindings_struct, 16 bytes. */
  | { readonly avId: 'MsvAvChannelBindings'; readonly value: Uint8Array }
  /** An AvId MS-NLMP does not define, with its raw Value. */
  | { readonly avId: number; readonly value: Uint8Array };

export type AvPairs = readonly AvPair[];

/** Reads pairs up to and including MsvAvEOL; the reader is left just after MsvAvEOL. */
export function readAvPairs(r: ByteReader, limits: DecodeLimits): AvPair[] {
  const out: AvPair[] = [];
  for (;;) {
    const at = r.absolute;
    const id = r.u16le();
    const len = r.u16le();
    if (id === MsvAvEOL) {
      if (len !== 0) decodeError('DECODE_BAD_VALUE', `MsvAvEOL with AvLen ${len}`, at);
      return out;
    }
    if (out.length >= limits.maxElements) decodeError('DECODE_LIMIT', `more than ${limits.maxElements} AV_PAIRs`, at);
    const valueAt = r.absolute;
    const v = r.take(len, 'AV_PAIR Value');
    out.push(typedPair(id, v, valueAt));
  }
}

function typedPair(id: number, v: Uint8Array, at: number): AvPair {
  const name = avIdName(id);
  if (name === undefined) return { avId: id, value: v };
  const need = (n: number): void => {
    if (v.length !== n) decodeError('DECODE_BAD_LENGTH', `${name} Value is ${v.length} bytes, expected ${n}`, at - 2);
  };
  if (STRING_IDS.has(name)) return { avId: name as AvStringId, value: decodeNtlmString(v, true, at) };
  const r = new ByteReader(v, 0, v.length, at);
  switch (id) {
    case MsvAvFlags:
      need(4);
      return { avId: 'MsvAvFlags', value: r.u32le() };
    case MsvAvTimestamp:
      need(8);
      return { avId: 'MsvAvTimestamp', value: r.u64le() };
    case MsvAvChannelBindings:
      need(CHANNEL_BINDINGS_LENGTH);
      return { avId: 'MsvAvChannelBindings', value: v };
    case MsvAvSingleHost: {
      need(SINGLE_HOST_DATA_LENGTH);
      const size = r.u32le();
      const z4 = r.u32le();
      const customData = r.take(8);
      const machineId = r.take(32);
      return {
        avId: 'MsvAvSingleHost',
        value: {
          ...(size === SINGLE_HOST_DATA_LENGTH ? {} : { size }),
          ...(z4 === 0 ? {} : { z4 }),
          customData,
          machineId,
        },
      };
    }
    default:
      // Unreachable: every defined id other than EOL is handled above.
      return decodeError('DECODE_BAD_VALUE', `unexpected AvId ${id}`, at - 4);
  }
}

/** Writes the pairs and the terminating MsvAvEOL. */
export function writeAvPairs(w: ByteWriter, pairs: AvPairs): void {
  for (const p of pairs) {
    const [id, value] = pairBytes(p);
    w.u16le(id).u16le(value.length).bytes(value);
  }
  w.u16le(MsvAvEOL).u16le(0);
}

function pairBytes(p: AvPair): [number, Uint8Array] {
  if (typeof p.avId === 'number') {
    checkU16(p.avId, 'AvId');
    if (avIdName(p.avId) !== undefined) {
      throw new SpnegoError('ENCODE_BAD_VALUE', `AvId ${p.avId} is defined by MS-NLMP: use its name (${avIdName(p.avId)})`);
    }
    if (!(p.value instanceof Uint8Array)) throw new SpnegoError('ENCODE_BAD_VALUE', `AvId ${p.avId} value must be bytes`);
    return [p.avId, checkLen(p.value)];
  }
  const id = AV_ID_BY_NAME[p.avId];
  if (id === undefined || id === MsvAvEOL) throw new SpnegoError('ENCODE_BAD_VALUE', `unknown AvId name ${String(p.avId)}`);
  const w = new ByteWriter(16);
  switch (p.avId) {
    case 'MsvAvFlags':
      w.u32le(checkU32(p.value, 'MsvAvFlags'));
      break;
    case 'MsvAvTimestamp':
      w.u64le(checkU64(p.value, 'MsvAvTimestamp'));
      break;
    case 'MsvAvChannelBindings':
      w.bytes(checkFixed(p.value, CHANNEL_BINDINGS_LENGTH, 'MsvAvChannelBindings'));
      break;
    case 'MsvAvSingleHost': {
      const s = p.value;
      w.u32le(checkU32(s.size ?? SINGLE_HOST_DATA_LENGTH, 'Single_Host_Data Size'));
      w.u32le(checkU32(s.z4 ?? 0, 'Single_Host_Data Z4'));
      w.bytes(checkFixed(s.customData, 8, 'Single_Host_Data CustomData'));
      w.bytes(checkFixed(s.machineId, 32, 'Single_Host_Data MachineID'));
      break;
    }
    default:
      if (typeof p.value !== 'string') throw new SpnegoError('ENCODE_BAD_VALUE', `${p.avId} value must be a string`);
      w.bytes(new Uint8Array(Buffer.from(p.value, 'utf16le')));
  }
  return [id, checkLen(w.finish())];
}

function checkLen(b: Uint8Array): Uint8Array {
  if (b.length > 0xffff) throw new SpnegoError('ENCODE_BAD_VALUE', 'AV_PAIR Value longer than 65535 bytes');
  return b;
}

/** The first pair with this id, if any. */
export function findAvPair<N extends Exclude<AvIdName, 'MsvAvEOL'>>(pairs: AvPairs, avId: N): AvPairOf<N> | undefined {
  return pairs.find((p) => p.avId === avId) as AvPairOf<N> | undefined;
}

/** The AvPair member for a named id. */
export type AvPairOf<N extends AvIdName> = N extends AvStringId
  ? { readonly avId: N; readonly value: string }
  : Extract<AvPair, { readonly avId: N }>;

/** A sequence of AV_PAIR ending with MsvAvEOL, with nothing after it. */
export const avPairsCodec: Codec<AvPairs> = {
  name: 'AV_PAIR',
  decode(bytes: Uint8Array, limits?: Partial<DecodeLimits>): AvPairs {
    const l = ntlmLimits(limits);
    checkSize(bytes, l, 'AV_PAIR list');
    const r = new ByteReader(plainBytes(bytes));
    const pairs = readAvPairs(r, l);
    r.expectEnd('MsvAvEOL');
    return pairs;
  },
  encode(value: AvPairs): Uint8Array {
    const w = new ByteWriter(64);
    writeAvPairs(w, value);
    return w.finish();
  },
};
