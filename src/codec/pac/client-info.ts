// PAC_CLIENT_INFO (MS-PAC 2.7): the client's name and the ticket's authtime, to bind the PAC to the ticket.
//   ClientId (FILETIME, u64 LE: 100 ns since 1601) | NameLength (u16 LE, bytes) | Name (UTF-16LE, no terminator)
import { ByteReader, ByteWriter, fromUtf16le, utf16le } from '../../bytes/index.js';
import { SpnegoError, decodeError } from '../../errors.js';
import { resolveLimits, type Codec, type DecodeLimits } from '../codec.js';

export interface PacClientInfo {
  /** FILETIME: 100-nanosecond intervals since 1601-01-01 UTC. */
  readonly clientId: bigint;
  readonly name: string;
}

/** FILETIME of the Unix epoch. */
export const FILETIME_UNIX_EPOCH = 116444736000000000n;

/** A Date from a FILETIME (millisecond precision); undefined for 0 and 0x7FFFFFFFFFFFFFFF ("never"/"not set"). */
export function filetimeToDate(ft: bigint): Date | undefined {
  if (ft === 0n || ft >= 0x7fffffffffffffffn) return undefined;
  return new Date(Number((ft - FILETIME_UNIX_EPOCH) / 10000n));
}

export function dateToFiletime(d: Date): bigint {
  return BigInt(d.getTime()) * 10000n + FILETIME_UNIX_EPOCH;
}

export const pacClientInfoCodec: Codec<PacClientInfo> = {
  name: 'PAC_CLIENT_INFO',
  decode(bytes: Uint8Array, limits?: Partial<DecodeLimits>): PacClientInfo {
    const l = resolveLimits(limits);
    if (bytes.length > l.maxBytes) decodeError('DECODE_LIMIT', 'PAC_CLIENT_INFO too large', 0);
    const r = new ByteReader(bytes);
    const clientId = r.u64le();
    const n = r.u16le();
    if (n % 2 !== 0) decodeError('DECODE_BAD_VALUE', 'odd NameLength in PAC_CLIENT_INFO', 8);
    const name = fromUtf16le(r.bytesView(n, 'PAC_CLIENT_INFO Name'), 10);
    r.expectEnd('PAC_CLIENT_INFO');
    return { clientId, name };
  },
  encode(v: PacClientInfo): Uint8Array {
    const name = utf16le(v.name);
    if (name.length > 0xffff) throw new SpnegoError('ENCODE_BAD_VALUE', 'PAC_CLIENT_INFO name too long');
    if (v.clientId < 0n || v.clientId > 0xffffffffffffffffn) throw new SpnegoError('ENCODE_BAD_VALUE', 'ClientId is not a 64-bit FILETIME');
    return new ByteWriter(10 + name.length).u64le(v.clientId).u16le(name.length).bytes(name).finish();
  },
};
