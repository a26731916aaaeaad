// UPN_DNS_INFO (MS-PAC 2.10): the client's UPN and DNS domain, and with the S flag its SAM name and SID.
//   UpnLength | UpnOffset | DnsDomainNameLength | DnsDomainNameOffset (u16 LE each) | Flags (u32 LE)
//   [Flags & S: SamNameLength | SamNameOffset | SidLength | SidOffset (u16 LE each)]
//   then the UTF-16LE strings and the binary SID, at offsets from the buffer's start.
// decode records the offsets and size (`layout`) and refuses bytes a re-encode would not reproduce
// (non-zero gaps), so encode(decode(b)) is b; without a layout encode puts each field at the next
// multiple of 8 after the header.
import { ByteReader, ByteWriter, bytesEqual, fromUtf16le, utf16le } from '../../bytes/index.js';
import { SpnegoError, decodeError } from '../../errors.js';
import { resolveLimits, type Codec, type DecodeLimits } from '../codec.js';
import { decodeSid, sidBytes, type Sid } from './sid.js';

/** Flags (MS-PAC 2.10). */
export const UpnDnsFlags = {
  /** U: the account has no UPN; the UPN field holds one the KDC built (name@dnsdomain). */
  UPN_CONSTRUCTED: 0x1,
  /** S: SamName and Sid follow. */
  EXTENDED: 0x2,
} as const;

export interface UpnDnsLayout {
  readonly upnOffset: number;
  readonly dnsDomainNameOffset: number;
  readonly samNameOffset?: number | undefined;
  readonly sidOffset?: number | undefined;
  readonly size: number;
}

export interface UpnDnsInfo {
  readonly upn: string;
  readonly dnsDomainName: string;
  readonly flags: number;
  /** Present when flags has EXTENDED. */
  readonly samName?: string | undefined;
  readonly sid?: Sid | undefined;
  readonly layout?: UpnDnsLayout | undefined;
}

const align8 = (n: number): number => (n + 7) & ~7;

function encodeWith(v: UpnDnsInfo, layout: UpnDnsLayout | undefined): Uint8Array {
  const ext = (v.flags & UpnDnsFlags.EXTENDED) !== 0;
  if (ext !== (v.samName !== undefined && v.sid !== undefined)) throw new SpnegoError('ENCODE_BAD_VALUE', 'UPN_DNS_INFO has SamName and Sid exactly when the S flag is set');
  if (!Number.isInteger(v.flags) || v.flags < 0 || v.flags > 0xffffffff) throw new SpnegoError('ENCODE_BAD_VALUE', 'UPN_DNS_INFO flags are not 32-bit');
  const fields: Uint8Array[] = [utf16le(v.upn), utf16le(v.dnsDomainName)];
  if (ext) fields.push(utf16le(v.samName!), sidBytes(v.sid!));
  const header = ext ? 20 : 12;
  let offsets: number[];
  let size: number;
  if (layout) {
    offsets = [layout.upnOffset, layout.dnsDomainNameOffset];
    if (ext) {
      if (layout.samNameOffset === undefined || layout.sidOffset === undefined) throw new SpnegoError('ENCODE_BAD_VALUE', 'UPN_DNS_INFO layout lacks the S-flag offsets');
      offsets.push(layout.samNameOffset, layout.sidOffset);
    }
    size = layout.size;
  } else {
    offsets = [];
    let at = header;
    for (const f of fields) {
      at = align8(at);
      offsets.push(at);
      at += f.length;
    }
    size = align8(at);
  }
  fields.forEach((f, i) => {
    const o = offsets[i]!;
    if (f.length > 0xffff || !Number.isInteger(o) || o < 0 || o > 0xffff || (f.length > 0 && (o < header || o + f.length > size))) {
      throw new SpnegoError('ENCODE_BAD_VALUE', 'a UPN_DNS_INFO field does not fit its layout');
    }
  });
  if (!Number.isInteger(size) || size < header || size > 0xffff + 0xffff) throw new SpnegoError('ENCODE_BAD_VALUE', 'bad UPN_DNS_INFO size');
  const w = new ByteWriter(header);
  w.u16le(fields[0]!.length).u16le(offsets[0]!).u16le(fields[1]!.length).u16le(offsets[1]!).u32le(v.flags);
  if (ext) w.u16le(fields[2]!.length).u16le(offsets[2]!).u16le(fields[3]!.length).u16le(offsets[3]!);
  const out = new Uint8Array(size);
  out.set(w.finish(), 0);
  fields.forEach((f, i) => out.set(f, offsets[i]!));
  return out;
}

function decodeRaw(bytes: Uint8Array, limits: DecodeLimits): UpnDnsInfo {
  if (bytes.length > limits.maxBytes) decodeError('DECODE_LIMIT', 'UPN_DNS_INFO too large', 0);
  const r = new ByteReader(bytes);
  const upnLen = r.u16le(), upnOff = r.u16le(), dnsLen = r.u16le(), dnsOff = r.u16le();
  const flags = r.u32le();
  const ext = (flags & UpnDnsFlags.EXTENDED) !== 0;
  const header = ext ? 20 : 12;
  const pairs: [number, number, string][] = [[upnLen, upnOff, 'Upn'], [dnsLen, dnsOff, 'DnsDomainName']];
  if (ext) {
    const samLen = r.u16le(), samOff = r.u16le(), sidLen = r.u16le(), sidOff = r.u16le();
    pairs.push([samLen, samOff, 'SamName'], [sidLen, sidOff, 'Sid']);
  }
  const views = pairs.map(([len, off, what], i) => {
    if (len > 0 && off < header) decodeError('DECODE_BAD_VALUE', `UPN_DNS_INFO ${what} inside the header`, 2 * (2 * i + 1) + (i >= 2 ? 4 : 0));
    if (off + len > bytes.length) decodeError('DECODE_TRUNCATED', `UPN_DNS_INFO ${what} runs past the buffer`, off);
    if (what !== 'Sid' && len % 2 !== 0) decodeError('DECODE_BAD_VALUE', `odd UPN_DNS_INFO ${what} length`, off);
    return bytes.subarray(off, off + len);
  });
  const v: UpnDnsInfo = {
    upn: fromUtf16le(views[0]!, upnOff),
    dnsDomainName: fromUtf16le(views[1]!, dnsOff),
    flags,
    ...(ext ? { samName: fromUtf16le(views[2]!, pairs[2]![1]), sid: decodeSid(views[3]!, pairs[3]![1]) } : {}),
    layout: { upnOffset: upnOff, dnsDomainNameOffset: dnsOff, ...(ext ? { samNameOffset: pairs[2]![1], sidOffset: pairs[3]![1] } : {}), size: bytes.length },
  };
  // Whatever lies outside the fields (gaps, overlaps that disagree) must be what encode writes.
  let again: Uint8Array;
  try {
    again = encodeWith(v, v.layout);
  } catch {
    return decodeError('DECODE_BAD_VALUE', 'UPN_DNS_INFO fields overlap or do not fit', 0);
  }
  if (!bytesEqual(again, bytes)) {
    let p = 0;
    while (again[p] === bytes[p]) p++;
    decodeError('DECODE_BAD_VALUE', 'UPN_DNS_INFO has non-zero bytes outside its fields, or overlapping fields', p);
  }
  return v;
}

export const upnDnsInfoCodec: Codec<UpnDnsInfo> = {
  name: 'UPN_DNS_INFO',
  decode: (bytes: Uint8Array, limits?: Partial<DecodeLimits>) => decodeRaw(bytes, resolveLimits(limits)),
  encode: (v: UpnDnsInfo) => encodeWith(v, v.layout),
};
