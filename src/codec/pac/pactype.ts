// PACTYPE and PAC_INFO_BUFFER (MS-PAC 2.3, 2.4): the PAC's outer layout.
//   PACTYPE ::= cBuffers (u32 LE) | Version (u32 LE, 0) | PAC_INFO_BUFFER[cBuffers] | buffer data
//   PAC_INFO_BUFFER ::= ulType (u32 LE) | cbBufferSize (u32 LE) | Offset (u64 LE, from the PAC's start)
// Offsets are multiples of 8 (2.4). Each buffer's bytes are kept as they are; the typed codecs in
// this directory decode them. decode records every offset and the total size, and checks that the
// bytes between and after buffers are zero and buffers do not overlap, so encode(decode(b)) is b.
// Without offsets, encode lays buffers out in order, each at the next multiple of 8.
import { ByteReader, ByteWriter } from '../../bytes/index.js';
import { SpnegoError, decodeError } from '../../errors.js';
import { resolveLimits, type Codec, type DecodeLimits } from '../codec.js';

/** ulType values (MS-PAC 2.4). */
export const PacBufferType = {
  LOGON_INFO: 1,
  CREDENTIALS_INFO: 2,
  SERVER_CHECKSUM: 6,
  PRIVSVR_CHECKSUM: 7,
  CLIENT_INFO: 10,
  CONSTRAINED_DELEGATION_INFO: 11,
  UPN_DNS_INFO: 12,
  CLIENT_CLAIMS_INFO: 13,
  DEVICE_INFO: 14,
  DEVICE_CLAIMS_INFO: 15,
  TICKET_CHECKSUM: 16,
  ATTRIBUTES_INFO: 17,
  REQUESTOR: 18,
  FULL_PAC_CHECKSUM: 19,
} as const;
export type PacBufferTypeName = keyof typeof PacBufferType;
const NAMES = new Map<number, PacBufferTypeName>(Object.entries(PacBufferType).map(([k, v]) => [v, k as PacBufferTypeName]));
export function pacBufferTypeName(n: number): PacBufferTypeName | undefined {
  return NAMES.get(n);
}

export interface PacInfoBuffer {
  readonly type: number;
  readonly data: Uint8Array;
  /** Where the data starts in the PAC; set by decode, chosen by encode when absent. */
  readonly offset?: number | undefined;
}

export interface PacType {
  /** Always 0 (MS-PAC 2.3). */
  readonly version: number;
  readonly buffers: readonly PacInfoBuffer[];
  /** The PAC's total length; set by decode, the end of the last buffer rounded up to 8 when absent. */
  readonly size?: number | undefined;
}

const HEADER = 8;
const INFO = 16;
const align8 = (n: number): number => (n + 7) & ~7;

/** Most buffers a PAC may list (Windows writes under 20); the limit's maxElements applies too. */
export const MAX_PAC_BUFFERS = 256;

function decodeRaw(bytes: Uint8Array, limits: DecodeLimits): PacType {
  if (bytes.length > limits.maxBytes) decodeError('DECODE_LIMIT', `PAC of ${bytes.length} bytes exceeds ${limits.maxBytes}`, 0);
  const r = new ByteReader(bytes);
  const count = r.u32le();
  const version = r.u32le();
  if (version !== 0) decodeError('DECODE_BAD_VALUE', `PACTYPE version ${version}, expected 0`, 4);
  if (count > MAX_PAC_BUFFERS || count > limits.maxElements) decodeError('DECODE_LIMIT', `PACTYPE lists ${count} buffers`, 0);
  const dataStart = HEADER + INFO * count;
  if (dataStart > bytes.length) decodeError('DECODE_TRUNCATED', `PACTYPE lists ${count} buffers but has ${bytes.length} bytes`, 0);
  const buffers: PacInfoBuffer[] = [];
  for (let i = 0; i < count; i++) {
    const at = r.absolute;
    const type = r.u32le();
    const size = r.u32le();
    const lo = r.u32le();
    const hi = r.u32le();
    if (hi !== 0 || lo % 8 !== 0 || lo < dataStart) decodeError('DECODE_BAD_VALUE', `PAC buffer ${i} (type ${type}): offset is not a multiple of 8 after the buffer list`, at + 8);
    if (lo + size > bytes.length) decodeError('DECODE_TRUNCATED', `PAC buffer ${i} (type ${type}) runs past the PAC`, at + 4);
    buffers.push({ type, offset: lo, data: bytes.slice(lo, lo + size) });
  }
  // Overlaps, and non-zero bytes outside the buffers, would not survive a re-encode.
  const used = [...buffers].sort((a, b) => a.offset! - b.offset!);
  let cursor = dataStart;
  for (const b of used) {
    if (b.offset! < cursor) decodeError('DECODE_BAD_VALUE', `PAC buffer of type ${b.type} overlaps another`, b.offset!);
    for (let p = cursor; p < b.offset!; p++) if (bytes[p] !== 0) decodeError('DECODE_BAD_VALUE', 'non-zero padding between PAC buffers', p);
    cursor = b.offset! + b.data.length;
  }
  if (bytes.length > align8(cursor)) decodeError('DECODE_TRAILING_BYTES', `${bytes.length - align8(cursor)} byte(s) after the last PAC buffer`, align8(cursor));
  for (let p = cursor; p < bytes.length; p++) if (bytes[p] !== 0) decodeError('DECODE_BAD_VALUE', 'non-zero padding after the last PAC buffer', p);
  return { version, buffers, size: bytes.length };
}

function encode(v: PacType): Uint8Array {
  if (v.version !== 0) throw new SpnegoError('ENCODE_BAD_VALUE', 'PACTYPE version must be 0');
  if (v.buffers.length > MAX_PAC_BUFFERS) throw new SpnegoError('ENCODE_BAD_VALUE', `too many PAC buffers (${v.buffers.length})`);
  const dataStart = HEADER + INFO * v.buffers.length;
  let cursor = dataStart;
  const placed = v.buffers.map((b) => {
    const offset = b.offset ?? align8(cursor);
    if (!Number.isSafeInteger(offset) || offset % 8 !== 0 || offset < dataStart) throw new SpnegoError('ENCODE_BAD_VALUE', `PAC buffer offset ${offset} is not a multiple of 8 after the buffer list`);
    cursor = Math.max(cursor, offset + b.data.length);
    return { ...b, offset };
  });
  const sorted = [...placed].sort((a, b) => a.offset - b.offset);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.offset < sorted[i - 1]!.offset + sorted[i - 1]!.data.length) throw new SpnegoError('ENCODE_BAD_VALUE', 'PAC buffers overlap');
  }
  const size = v.size ?? align8(cursor);
  if (size < cursor || size > align8(cursor)) throw new SpnegoError('ENCODE_BAD_VALUE', `PAC size ${size} does not fit its buffers (${cursor} bytes)`);
  const w = new ByteWriter(size);
  w.u32le(placed.length).u32le(0);
  for (const b of placed) w.u32le(b.type).u32le(b.data.length).u32le(b.offset).u32le(0);
  const out = new Uint8Array(size);
  out.set(w.finish(), 0);
  for (const b of placed) out.set(b.data, b.offset);
  return out;
}

export const pacTypeCodec: Codec<PacType> = {
  name: 'PACTYPE',
  decode: (bytes: Uint8Array, limits?: Partial<DecodeLimits>) => decodeRaw(bytes, resolveLimits(limits)),
  encode,
};

/** The one buffer of `type`; undefined when absent, DECODE_BAD_VALUE when there are several (MS-PAC 2.4). */
export function pacBuffer(pac: PacType, type: number): PacInfoBuffer | undefined {
  const found = pac.buffers.filter((b) => b.type === type);
  if (found.length > 1) throw new SpnegoError('DECODE_BAD_VALUE', `the PAC has ${found.length} buffers of type ${type}`);
  return found[0];
}
