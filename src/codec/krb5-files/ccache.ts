// MIT credential cache FILE format, versions 3 (0x0503) and 4 (0x0504), as MIT krb5 writes it
// (src/lib/krb5/ccache/cc_file.c and ccmarshal.c; the format is also described in MIT's
// doc/formats/ccache_file_format.rst). Versions 1 and 2 used host byte order and are refused.
//
//   file        ::= u16 version(0x0503|0x0504) [v4: u16 headerlen, headerlen bytes of tags] principal credential*
//   tag         ::= u16 tag, u16 length, bytes           (tag 1 = KDC time offset: i32 seconds, i32 microseconds)
//   principal   ::= u32 name-type, u32 count, data realm, data component*count
//   credential  ::= principal client, principal server, keyblock, u32 authtime, starttime, endtime, renew_till,
//                   u8 is_skey, u32 ticket_flags, u32 count {u16 addrtype, data}*, u32 count {u16 adtype, data}*,
//                   data ticket, data second_ticket
//   keyblock    ::= u16 enctype [v3: u16 enctype again] data keyvalue
//   data        ::= u32 length, bytes
// All integers are big-endian. Credentials run to the end of the file.
// Configuration entries (krb5_cc_set_config) are credentials whose server is
// X-CACHECONF:/krb5_ccache_conf_data/<name>[/<principal>]@X-CACHECONF: with the value as the ticket.
import { ByteReader, ByteWriter } from '../../bytes/index.js';
import { SpnegoError, decodeError } from '../../errors.js';
import type { Codec, DecodeLimits } from '../codec.js';
import type { AuthorizationDataEntry } from '../krb5/authorization-data.js';
import type { EncryptionKey } from '../krb5/encryption-key.js';
import type { HostAddress } from '../krb5/host-address.js';
import { ticketCodec, type Ticket } from '../krb5/ticket.js';
import {
  bytesCheck, checkCount, checkSize, data32, encodeFail, fileLimits, i32Check, string32, stringBytes, u16Check, u32Check, u8Check,
} from './util.js';

export const CCACHE_V3 = 0x0503;
export const CCACHE_V4 = 0x0504;
/** v4 header tag carrying the KDC clock offset (MIT FCC_TAG_DELTATIME). */
export const CCACHE_TAG_KDC_OFFSET = 1;
/** The realm of configuration entries' server principals. */
export const CCACHE_CONFIG_REALM = 'X-CACHECONF:';
/** The first component of configuration entries' server principals. */
export const CCACHE_CONFIG_PREFIX = 'krb5_ccache_conf_data';

/** A principal as the cache stores it: realm apart, name type as a signed 32-bit number. */
export interface CcachePrincipal {
  /** A NameType number (src/iana/krb5.ts), e.g. 1 KRB_NT_PRINCIPAL. */
  readonly nameType: number;
  readonly realm: string;
  readonly components: readonly string[];
}

export interface CcacheHeaderTag {
  readonly tag: number;
  readonly data: Uint8Array;
}

export interface CcacheCredential {
  readonly client: CcachePrincipal;
  readonly server: CcachePrincipal;
  /** The session key (secret). */
  readonly key: EncryptionKey;
  /**
   * Version 3 stores the enctype twice; decode sets this only when the second copy differs
   * from `key.keytype` (MIT ignores it), so that re-encoding is exact.
   */
  readonly v3KeytypeCopy?: number;
  /** Seconds since the epoch, unsigned 32-bit (MIT reads them as unsigned since 1.17, past 2038). */
  readonly authtime: number;
  readonly starttime: number;
  readonly endtime: number;
  readonly renewTill: number;
  /** Whether the ticket is encrypted in another ticket's session key (user-to-user). */
  readonly isSkey: boolean;
  /** TicketFlags in MIT's layout: bit 0 (reserved) = 0x80000000, forwardable = 0x40000000 (see flagsFromUInt32). */
  readonly ticketFlags: number;
  readonly addresses: readonly HostAddress[];
  readonly authdata: readonly AuthorizationDataEntry[];
  /** The DER Ticket; for a configuration entry, the entry's value. */
  readonly ticket: Uint8Array;
  readonly secondTicket: Uint8Array;
  /** True for MIT configuration entries (server realm X-CACHECONF:); computed by decode, ignored by encode. */
  readonly isConfig: boolean;
}

export interface Ccache {
  readonly version: 3 | 4;
  /** v4 header tags in file order (empty for v3). */
  readonly headerTags: readonly CcacheHeaderTag[];
  readonly defaultPrincipal: CcachePrincipal;
  readonly credentials: readonly CcacheCredential[];
  /**
   * Bytes after the last whole credential that do not make one (an interrupted append, garbage):
   * MIT's reader stops there without an error (fcc_next_cred: a short read is the end), so do we.
   */
  readonly trailer?: Uint8Array;
}

/** A configuration entry's name, optional principal and raw value. */
export interface CcacheConfigEntry {
  /** e.g. `fast_avail`, `pa_type`, `refresh_time`, `start_realm`, `proxy_impersonator`. */
  readonly name: string;
  /** The principal the entry is about, as a string (e.g. `krbtgt/EXAMPLE.TEST@EXAMPLE.TEST`), if any. */
  readonly principal?: string;
  readonly value: Uint8Array;
}

function readPrincipal(r: ByteReader, limits: DecodeLimits, what: string): CcachePrincipal {
  const nameType = r.u32be() | 0;
  const at = r.absolute;
  const count = checkCount(r, r.u32be(), 4, limits, `${what} component`, at);
  const realm = string32(r, `${what} realm`);
  const components: string[] = [];
  for (let i = 0; i < count; i++) components.push(string32(r, `${what} component`));
  return { nameType, realm, components };
}

function readCredential(r: ByteReader, version: 3 | 4, limits: DecodeLimits): CcacheCredential {
  const client = readPrincipal(r, limits, 'client');
  const server = readPrincipal(r, limits, 'server');
  const keytype = r.u16be();
  let v3KeytypeCopy: number | undefined;
  if (version === 3) {
    const copy = r.u16be();
    if (copy !== keytype) v3KeytypeCopy = copy;
  }
  const keyvalue = data32(r, 'key');
  const authtime = r.u32be();
  const starttime = r.u32be();
  const endtime = r.u32be();
  const renewTill = r.u32be();
  const skeyAt = r.absolute;
  const skey = r.u8();
  if (skey > 1) decodeError('DECODE_BAD_VALUE', `is_skey ${skey} is not 0 or 1`, skeyAt);
  const ticketFlags = r.u32be();
  let at = r.absolute;
  const nAddr = checkCount(r, r.u32be(), 6, limits, 'address', at);
  const addresses: HostAddress[] = [];
  for (let i = 0; i < nAddr; i++) {
    const addrType = r.u16be();
    addresses.push({ addrType, address: data32(r, 'address') });
  }
  at = r.absolute;
  const nAd = checkCount(r, r.u32be(), 6, limits, 'authdata', at);
  const authdata: AuthorizationDataEntry[] = [];
  for (let i = 0; i < nAd; i++) {
    const adType = r.u16be();
    authdata.push({ adType, adData: data32(r, 'authdata') });
  }
  const ticket = data32(r, 'ticket');
  const secondTicket = data32(r, 'second ticket');
  const cred: CcacheCredential = {
    client, server, key: { keytype, keyvalue }, authtime, starttime, endtime, renewTill, isSkey: skey === 1, ticketFlags,
    addresses, authdata, ticket, secondTicket, isConfig: server.realm === CCACHE_CONFIG_REALM,
  };
  return v3KeytypeCopy === undefined ? cred : { ...cred, v3KeytypeCopy };
}

function decodeCcache(bytes: Uint8Array, l?: Partial<DecodeLimits>): Ccache {
  const limits = fileLimits(l);
  checkSize(bytes, limits, 'credential cache');
  const r = new ByteReader(bytes);
  const v = r.u16be();
  if (v !== CCACHE_V3 && v !== CCACHE_V4) {
    const hint = v === 0x0501 || v === 0x0502 ? ' (versions 1 and 2 use host byte order and are not read)' : '';
    decodeError('UNKNOWN_TOKEN', `not a version 3 or 4 MIT credential cache: 0x${v.toString(16).padStart(4, '0')}${hint}`, 0);
  }
  const version = v === CCACHE_V4 ? 4 : 3;
  const headerTags: CcacheHeaderTag[] = [];
  if (version === 4) {
    const at = r.absolute;
    const len = r.u16be();
    if (len > r.remaining) decodeError('DECODE_BAD_LENGTH', `header length ${len} is beyond the input`, at);
    const h = r.sub(len, 'header');
    while (h.remaining > 0) {
      if (headerTags.length >= limits.maxElements) decodeError('DECODE_LIMIT', 'too many header tags', h.absolute);
      const tagAt = h.absolute;
      if (h.remaining < 4) decodeError('DECODE_BAD_LENGTH', 'truncated header tag', tagAt);
      const tag = h.u16be();
      const n = h.u16be();
      if (n > h.remaining) decodeError('DECODE_BAD_LENGTH', `header tag ${tag} length ${n} is beyond the header`, tagAt + 2);
      if (tag === CCACHE_TAG_KDC_OFFSET && n !== 8) decodeError('DECODE_BAD_LENGTH', `KDC offset tag length ${n} is not 8`, tagAt + 2);
      headerTags.push({ tag, data: h.take(n, 'header tag') });
    }
  }
  const defaultPrincipal = readPrincipal(r, limits, 'default principal');
  const credentials: CcacheCredential[] = [];
  while (r.remaining > 0) {
    if (credentials.length >= limits.maxElements) decodeError('DECODE_LIMIT', 'too many credentials', r.absolute);
    const at = r.offset;
    try {
      credentials.push(readCredential(r, version, limits));
    } catch (e) {
      if (!(e instanceof SpnegoError) || e.code === 'DECODE_LIMIT') throw e;
      r.seek(at);
      return { version, headerTags, defaultPrincipal, credentials, trailer: r.take(r.remaining, 'trailer') };
    }
  }
  return { version, headerTags, defaultPrincipal, credentials };
}

function writePrincipal(w: ByteWriter, p: CcachePrincipal, what: string): void {
  if (!p || typeof p !== 'object' || !Array.isArray(p.components)) encodeFail(`${what} is not a principal`);
  w.u32be(i32Check(p.nameType, `${what} name type`));
  w.u32be(p.components.length);
  const realm = stringBytes(p.realm, 0xffffffff, `${what} realm`);
  w.u32be(realm.length).bytes(realm);
  for (const c of p.components) {
    const b = stringBytes(c, 0xffffffff, `${what} component`);
    w.u32be(b.length).bytes(b);
  }
}

function writeData(w: ByteWriter, b: Uint8Array, what: string): void {
  bytesCheck(b, 0xffffffff, what);
  w.u32be(b.length).bytes(b);
}

function writeCredential(w: ByteWriter, cr: CcacheCredential, version: 3 | 4): void {
  writePrincipal(w, cr.client, 'client');
  writePrincipal(w, cr.server, 'server');
  w.u16be(u16Check(cr.key.keytype, 'key enctype'));
  if (version === 3) w.u16be(u16Check(cr.v3KeytypeCopy ?? cr.key.keytype, 'key enctype copy'));
  writeData(w, cr.key.keyvalue, 'key');
  w.u32be(u32Check(cr.authtime, 'authtime')).u32be(u32Check(cr.starttime, 'starttime'));
  w.u32be(u32Check(cr.endtime, 'endtime')).u32be(u32Check(cr.renewTill, 'renew_till'));
  w.u8(u8Check(cr.isSkey ? 1 : 0, 'is_skey'));
  w.u32be(u32Check(cr.ticketFlags, 'ticket flags'));
  w.u32be(cr.addresses.length);
  for (const a of cr.addresses) {
    w.u16be(u16Check(a.addrType, 'address type'));
    writeData(w, a.address, 'address');
  }
  w.u32be(cr.authdata.length);
  for (const a of cr.authdata) {
    w.u16be(u16Check(a.adType, 'authdata type'));
    writeData(w, a.adData, 'authdata');
  }
  writeData(w, cr.ticket, 'ticket');
  writeData(w, cr.secondTicket, 'second ticket');
}

/** Credentials alone, as appended to the end of an existing cache of `version` (MIT fcc_store). */
export function encodeCcacheCredentials(version: 3 | 4, creds: readonly CcacheCredential[]): Uint8Array {
  const w = new ByteWriter(1024);
  for (const cr of creds) writeCredential(w, cr, version);
  return w.finish();
}

function encodeCcache(c: Ccache): Uint8Array {
  if (c.version !== 3 && c.version !== 4) encodeFail(`credential cache version ${String(c.version)} is not 3 or 4`);
  const w = new ByteWriter(1024);
  w.u16be(c.version === 4 ? CCACHE_V4 : CCACHE_V3);
  if (c.version === 4) {
    const h = new ByteWriter(16);
    for (const t of c.headerTags) {
      h.u16be(u16Check(t.tag, 'header tag'));
      h.u16be(bytesCheck(t.data, 0xffff, 'header tag data').length).bytes(t.data);
    }
    const hb = h.finish();
    if (hb.length > 0xffff) encodeFail('credential cache header is over 65535 bytes');
    w.u16be(hb.length).bytes(hb);
  } else if (c.headerTags.length > 0) {
    encodeFail('version 3 credential caches have no header tags');
  }
  writePrincipal(w, c.defaultPrincipal, 'default principal');
  for (const cr of c.credentials) writeCredential(w, cr, c.version);
  if (c.trailer) w.bytes(bytesCheck(c.trailer, 0x7fffffff, 'trailer'));
  return w.finish();
}

/** MIT FILE credential cache, versions 3 and 4 (encode writes the value's version; new caches should be 4). */
export const ccacheCodec: Codec<Ccache> = { name: 'MIT credential cache', decode: decodeCcache, encode: encodeCcache };

/** The v4 KDC time offset (tag 1), if present: the KDC's clock minus ours. */
export function ccacheKdcOffset(c: Ccache): { seconds: number; microseconds: number } | undefined {
  const t = c.headerTags.find((x) => x.tag === CCACHE_TAG_KDC_OFFSET);
  if (!t || t.data.length !== 8) return undefined;
  const r = new ByteReader(t.data);
  return { seconds: r.u32be() | 0, microseconds: r.u32be() | 0 };
}

/** A tag-1 header entry for a KDC time offset. */
export function ccacheKdcOffsetTag(seconds: number, microseconds: number): CcacheHeaderTag {
  const w = new ByteWriter(8);
  w.u32be(i32Check(seconds, 'KDC offset seconds')).u32be(i32Check(microseconds, 'KDC offset microseconds'));
  return { tag: CCACHE_TAG_KDC_OFFSET, data: w.finish() };
}

/** The name, principal and value of a configuration entry, or undefined for a real credential. */
export function ccacheConfigEntry(cred: CcacheCredential): CcacheConfigEntry | undefined {
  const s = cred.server;
  if (s.realm !== CCACHE_CONFIG_REALM || s.components[0] !== CCACHE_CONFIG_PREFIX) return undefined;
  const name = s.components[1];
  if (name === undefined) return undefined;
  const principal = s.components[2];
  return principal === undefined ? { name, value: cred.ticket } : { name, principal, value: cred.ticket };
}

/**
 * A configuration entry as krb5_cc_set_config writes it: client = the cache's principal, server
 * X-CACHECONF:/krb5_ccache_conf_data/name[/principal]@X-CACHECONF: with name type 1 (KRB5_NT_PRINCIPAL,
 * as MIT 1.20 writes it), a null key, all times and flags zero, and the value in the ticket field.
 */
export function ccacheConfigCredential(client: CcachePrincipal, name: string, principal: string | undefined, value: Uint8Array): CcacheCredential {
  const components = principal === undefined ? [CCACHE_CONFIG_PREFIX, name] : [CCACHE_CONFIG_PREFIX, name, principal];
  return {
    client, server: { nameType: 1, realm: CCACHE_CONFIG_REALM, components }, key: { keytype: 0, keyvalue: new Uint8Array(0) },
    authtime: 0, starttime: 0, endtime: 0, renewTill: 0, isSkey: false, ticketFlags: 0, addresses: [], authdata: [],
    ticket: value, secondTicket: new Uint8Array(0), isConfig: true,
  };
}

/** Decodes a credential's DER Ticket (not meaningful for configuration entries). */
export function ccacheTicket(cred: CcacheCredential): Ticket {
  return ticketCodec.decode(cred.ticket);
}

/** `a/b@REALM` display form, as klist prints it (no escaping). */
export function ccachePrincipalToString(p: CcachePrincipal): string {
  return `${p.components.join('/')}@${p.realm}`;
}
