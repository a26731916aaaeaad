// MIT keytab FILE format, versions 2 (0x0502, big-endian) and 1 (0x0501, host byte order: read as
// little-endian, the order of every host MIT runs on today), as MIT's kt_file.c reads and writes it
// (also doc/formats/keytab_file_format.rst).
//
//   file   ::= u16 version, record*
//   record ::= i32 size, size bytes        (size < 0: a hole of -size bytes left by a deleted entry;
//                                           size 0, a size beyond the end (a record cut short) or
//                                           fewer than 4 bytes left: end of the keytab for MIT)
//   entry  ::= u16 count, data16 realm, data16 component*count, [v2: u32 name-type], u32 timestamp,
//              u8 kvno, u16 enctype, data16 key, [u32 kvno if 4 or more bytes of the record remain]
//   data16 ::= u16 length, bytes
// v1 counts the realm in `count` and has no name type (MIT then uses 1, KRB5_NT_PRINCIPAL).
// MIT reuses a hole big enough for a new entry and keeps the hole's size, so an entry may end in
// padding; a 32-bit kvno of 0 means "use the 8-bit one".
import { ByteReader, ByteWriter, fromUtf8 } from '../../bytes/index.js';
import { decodeError } from '../../errors.js';
import type { Codec, DecodeLimits } from '../codec.js';
import type { EncryptionKey } from '../krb5/encryption-key.js';
import { bytesCheck, checkSize, encodeFail, fileLimits, i32Check, stringBytes, u16Check, u32Check, u8Check } from './util.js';

export const KEYTAB_V1 = 0x0501;
export const KEYTAB_V2 = 0x0502;

export interface KeytabPrincipal {
  /** A NameType number; version 1 files have none and read as 1 (KRB5_NT_PRINCIPAL). */
  readonly nameType: number;
  readonly realm: string;
  readonly components: readonly string[];
}

/** Bytes of an entry that differ from the canonical form (kvno8 = kvno & 0xff, a 32-bit kvno, no padding). */
export interface KeytabEntryWire {
  readonly kvno8: number;
  /** The trailing 32-bit kvno as stored (0 means "use kvno8"), or undefined when the entry has none. */
  readonly kvno32: number | undefined;
  /** Bytes after the entry up to its size (a reused hole's remainder). */
  readonly padding: Uint8Array;
}

export interface KeytabEntry {
  readonly type: 'entry';
  readonly principal: KeytabPrincipal;
  /** Seconds since the epoch, unsigned 32-bit. */
  readonly timestamp: number;
  /** The key version as MIT uses it: the 32-bit kvno when present and non-zero, otherwise the 8-bit one. */
  readonly kvno: number;
  /** The key (secret). */
  readonly key: EncryptionKey;
  /** Set by decode only when the entry's bytes are not canonical; drop it when changing `kvno`. */
  readonly wire?: KeytabEntryWire;
}

/** A deleted entry's space, kept so that re-encoding is exact (MIT zero-fills it). */
export interface KeytabHole {
  readonly type: 'hole';
  readonly data: Uint8Array;
}

export type KeytabRecord = KeytabEntry | KeytabHole;

export interface Keytab {
  readonly version: 1 | 2;
  readonly records: readonly KeytabRecord[];
  /** Bytes after an end marker (a zero size, or fewer than 4 bytes), which MIT ignores. */
  readonly trailer?: Uint8Array;
}

class Endian {
  constructor(readonly r: ByteReader, readonly le: boolean) {}
  u16(): number {
    return this.le ? this.r.u16le() : this.r.u16be();
  }
  u32(): number {
    return this.le ? this.r.u32le() : this.r.u32be();
  }
  str(what: string): string {
    const at = this.r.absolute;
    const n = this.u16();
    if (n > this.r.remaining) decodeError('DECODE_BAD_LENGTH', `${what} length ${n} is beyond the entry`, at);
    return fromUtf8(this.r.bytesView(n, what), at + 2);
  }
}

function readEntry(r: ByteReader, version: 1 | 2, limits: DecodeLimits): KeytabEntry {
  const e = new Endian(r, version === 1);
  const countAt = r.absolute;
  let count = e.u16();
  if (version === 1) {
    if (count === 0) decodeError('DECODE_BAD_VALUE', 'version 1 component count 0 has no realm', countAt);
    count -= 1;
  }
  if (count > limits.maxElements) decodeError('DECODE_LIMIT', `component count ${count} is above the limit`, countAt);
  if (count * 2 > r.remaining) decodeError('DECODE_BAD_LENGTH', `component count ${count} does not fit in the entry`, countAt);
  const realm = e.str('realm');
  const components: string[] = [];
  for (let i = 0; i < count; i++) components.push(e.str('component'));
  const nameType = version === 2 ? e.u32() | 0 : 1;
  const timestamp = e.u32();
  const kvno8 = r.u8();
  const keytype = e.u16();
  const keyAt = r.absolute;
  const klen = e.u16();
  if (klen > r.remaining) decodeError('DECODE_BAD_LENGTH', `key length ${klen} is beyond the entry`, keyAt);
  const keyvalue = r.take(klen, 'key');
  let kvno32: number | undefined;
  if (r.remaining >= 4) kvno32 = e.u32();
  const padding = r.take(r.remaining, 'padding');
  const kvno = kvno32 !== undefined && kvno32 !== 0 ? kvno32 : kvno8;
  const entry: KeytabEntry = { type: 'entry', principal: { nameType, realm, components }, timestamp, kvno, key: { keytype, keyvalue } };
  const canonical = kvno32 === kvno && kvno8 === (kvno & 0xff) && padding.length === 0;
  return canonical ? entry : { ...entry, wire: { kvno8, kvno32, padding } };
}

function decodeKeytab(bytes: Uint8Array, l?: Partial<DecodeLimits>): Keytab {
  const limits = fileLimits(l);
  checkSize(bytes, limits, 'keytab');
  const r = new ByteReader(bytes);
  const v = r.u16be();
  if (v !== KEYTAB_V1 && v !== KEYTAB_V2) {
    decodeError('UNKNOWN_TOKEN', `not a version 1 or 2 keytab: 0x${v.toString(16).padStart(4, '0')}`, 0);
  }
  const version = v === KEYTAB_V2 ? 2 : 1;
  const records: KeytabRecord[] = [];
  while (r.remaining > 0) {
    if (records.length >= limits.maxElements) decodeError('DECODE_LIMIT', 'too many keytab records', r.absolute);
    const at = r.absolute;
    if (r.remaining < 4) return { version, records, trailer: r.take(r.remaining, 'trailer') };
    const raw = version === 2 ? r.u32be() : r.u32le();
    const size = raw | 0;
    if (size === 0) {
      r.seek(r.offset - 4);
      return { version, records, trailer: r.take(r.remaining, 'trailer') };
    }
    if (size === -0x80000000) decodeError('DECODE_BAD_LENGTH', 'record size -2^31', at);
    const n = Math.abs(size);
    if (n > r.remaining) {
      // A record cut short (an interrupted write): MIT's reader ends the keytab there.
      r.seek(r.offset - 4);
      return { version, records, trailer: r.take(r.remaining, 'trailer') };
    }
    if (size < 0) {
      records.push({ type: 'hole', data: r.take(n, 'hole') });
    } else {
      const sub = r.sub(n, 'entry');
      records.push(readEntry(sub, version, limits));
    }
  }
  return { version, records };
}

function encodeEntry(e: KeytabEntry, version: 1 | 2): Uint8Array {
  const w = new ByteWriter(128);
  const le = version === 1;
  const u16 = (x: number): void => void (le ? w.u16le(x) : w.u16be(x));
  const u32 = (x: number): void => void (le ? w.u32le(x) : w.u32be(x));
  const p = e.principal;
  if (!p || !Array.isArray(p.components)) encodeFail('keytab entry principal is not a principal');
  u16(u16Check(p.components.length + (version === 1 ? 1 : 0), 'component count'));
  for (const s of [p.realm, ...p.components]) {
    const b = stringBytes(s, 0xffff, 'principal string');
    u16(b.length);
    w.bytes(b);
  }
  if (version === 2) u32(i32Check(p.nameType, 'name type'));
  u32(u32Check(e.timestamp, 'timestamp'));
  u32Check(e.kvno, 'kvno');
  w.u8(u8Check(e.wire ? e.wire.kvno8 : e.kvno & 0xff, 'kvno8'));
  u16(u16Check(e.key.keytype, 'enctype'));
  const k = bytesCheck(e.key.keyvalue, 0xffff, 'key');
  u16(k.length);
  w.bytes(k);
  if (e.wire) {
    if (e.wire.kvno32 !== undefined) u32(u32Check(e.wire.kvno32, 'kvno32'));
    w.bytes(bytesCheck(e.wire.padding, 0x7fffffff, 'padding'));
  } else {
    u32(e.kvno);
  }
  return w.finish();
}

function encodeKeytab(k: Keytab): Uint8Array {
  if (k.version !== 1 && k.version !== 2) encodeFail(`keytab version ${String(k.version)} is not 1 or 2`);
  const w = new ByteWriter(512);
  w.u16be(k.version === 2 ? KEYTAB_V2 : KEYTAB_V1);
  const size = (n: number): void => void (k.version === 2 ? w.u32be(n >>> 0) : w.u32le(n >>> 0));
  for (const rec of k.records) {
    if (rec.type === 'hole') {
      const d = bytesCheck(rec.data, 0x7fffffff, 'hole');
      if (d.length === 0) encodeFail('a keytab hole must not be empty');
      size(-d.length);
      w.bytes(d);
    } else if (rec.type === 'entry') {
      const b = encodeEntry(rec, k.version);
      if (b.length > 0x7fffffff) encodeFail('keytab entry too large');
      size(b.length);
      w.bytes(b);
    } else {
      encodeFail('unknown keytab record type');
    }
  }
  if (k.trailer) {
    const t = bytesCheck(k.trailer, 0x7fffffff, 'trailer');
    if (t.length >= 4) {
      const size = Math.abs(new DataView(t.buffer, t.byteOffset, 4).getInt32(0, k.version === 1));
      if (size !== 0 && size <= t.length - 4) encodeFail('a keytab trailer must start with a zero size, a size beyond its end, or be under 4 bytes');
    }
    w.bytes(t);
  }
  return w.finish();
}

/** MIT FILE keytab, versions 2 and 1; holes and trailing bytes survive a round trip. */
export const keytabCodec: Codec<Keytab> = { name: 'MIT keytab', decode: decodeKeytab, encode: encodeKeytab };

/** The live entries, in file order. */
export function keytabEntries(k: Keytab): KeytabEntry[] {
  return k.records.filter((r): r is KeytabEntry => r.type === 'entry');
}

/** A canonical entry (what ktutil writes). */
export function keytabEntry(principal: KeytabPrincipal, kvno: number, key: EncryptionKey, timestamp: number): KeytabEntry {
  return { type: 'entry', principal, kvno, key, timestamp };
}

/** `a/b@REALM` display form, as klist prints it (no escaping). */
export function keytabPrincipalToString(p: KeytabPrincipal): string {
  return `${p.components.join('/')}@${p.realm}`;
}
