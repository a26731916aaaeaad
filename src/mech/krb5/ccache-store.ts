// Credential caches and keytabs on disk, byte-compatible with MIT: KRB5CCNAME (FILE:path or a
// bare path; MIT's default FILE:/tmp/krb5cc_%{uid}), KRB5_KTNAME / KRB5_CLIENT_KTNAME.
import { readFileSync, writeFileSync, renameSync, unlinkSync, existsSync, openSync, fstatSync, writeSync, fsyncSync, closeSync } from 'node:fs';
import { dirname, join, basename } from 'node:path';
import { SpnegoError } from '../../errors.js';
import { ccacheCodec, ccacheKdcOffsetTag, type Ccache, type CcacheCredential, type CcachePrincipal } from '../../codec/krb5-files/ccache.js';
import { keytabCodec, keytabEntries, type KeytabEntry } from '../../codec/krb5-files/keytab.js';
import { ticketCodec } from '../../codec/krb5/ticket.js';
import { flagsFromUInt32, flagsToUInt32 } from '../../codec/krb5/kerberos-flags.js';
import type { Credential } from './credential.js';
import type { Principal } from './principal.js';
import type { ServiceKey } from './credential.js';

type Env = Readonly<Record<string, string | undefined>>;

/** Expands MIT's %{uid}, %{euid}, %{username}, %{TEMP} tokens. */
export function expandPath(s: string): string {
  if (!s.includes('%{')) return s; // the usual case: no getuid() system call per context
  const uid = String(process.getuid?.() ?? 0);
  return s
    .replace(/%\{(e?uid)\}/g, uid)
    .replace(/%\{username\}/g, process.env['USER'] ?? uid)
    .replace(/%\{TEMP\}/g, process.env['TMPDIR'] ?? '/tmp');
}

/** The FILE cache path from a name; other cache types (KEYRING, KCM, MEMORY) are not supported. */
export function ccachePath(name: string): string {
  const m = /^([A-Za-z0-9]+):(.*)$/.exec(name);
  if (m && m[1]!.toUpperCase() !== 'FILE') throw new SpnegoError('UNAVAILABLE', `credential cache type ${m[1]} is not supported (only FILE)`);
  return expandPath(m ? m[2]! : name);
}

export function defaultCcacheName(env: Env = process.env, configDefault = 'FILE:/tmp/krb5cc_%{uid}'): string {
  return env['KRB5CCNAME'] ?? configDefault;
}

const toCcachePrincipal = (p: Principal): CcachePrincipal => ({ nameType: p.name.nameType, realm: p.realm, components: p.name.nameString });
const fromCcachePrincipal = (p: CcachePrincipal): Principal => ({ name: { nameType: p.nameType, nameString: p.components }, realm: p.realm });
const secs = (d: Date | undefined): number => (d ? Math.floor(d.getTime() / 1000) >>> 0 : 0);

export function toCcacheCredential(c: Credential): CcacheCredential {
  return {
    client: toCcachePrincipal(c.client),
    server: toCcachePrincipal(c.server),
    key: { keytype: c.sessionKey.enctype, keyvalue: c.sessionKey.value },
    authtime: secs(c.authtime),
    starttime: secs(c.starttime ?? c.authtime),
    endtime: secs(c.endtime),
    renewTill: secs(c.renewTill),
    isSkey: false,
    ticketFlags: flagsToUInt32(c.flags),
    addresses: [],
    authdata: [],
    ticket: c.ticketDer,
    secondTicket: new Uint8Array(0),
    isConfig: false,
  };
}

export function fromCcacheCredential(c: CcacheCredential): Credential {
  const date = (s: number): Date => new Date(s * 1000);
  return {
    client: fromCcachePrincipal(c.client),
    server: fromCcachePrincipal(c.server),
    ticket: ticketCodec.decode(c.ticket),
    ticketDer: c.ticket,
    sessionKey: { enctype: c.key.keytype, value: c.key.keyvalue },
    flags: flagsFromUInt32(c.ticketFlags),
    authtime: date(c.authtime),
    starttime: c.starttime ? date(c.starttime) : undefined,
    endtime: date(c.endtime),
    renewTill: c.renewTill ? date(c.renewTill) : undefined,
  };
}

export interface LoadedCcache {
  readonly path: string;
  readonly defaultPrincipal: Principal;
  /** Real credentials (MIT configuration entries left out). */
  readonly credentials: readonly Credential[];
  readonly raw: Ccache;
}

export function readCcache(name: string): LoadedCcache {
  const path = ccachePath(name);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new SpnegoError('NO_CRED', `no credentials cache found (${path})`, { cause: e });
  }
  const raw = ccacheCodec.decode(bytes);
  const credentials = raw.credentials.filter((c) => !c.isConfig).map(fromCcacheCredential);
  return { path, defaultPrincipal: fromCcachePrincipal(raw.defaultPrincipal), credentials, raw };
}

/** Writes a new cache (as kinit does) atomically, mode 0600. */
export function writeCcache(name: string, principal: Principal, creds: readonly Credential[], kdcOffsetSeconds = 0): string {
  const path = ccachePath(name);
  const cache: Ccache = { version: 4, headerTags: [ccacheKdcOffsetTag(kdcOffsetSeconds, 0)], defaultPrincipal: toCcachePrincipal(principal), credentials: creds.map(toCcacheCredential) };
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  writeFileSync(tmp, ccacheCodec.encode(cache), { mode: 0o600 });
  renameSync(tmp, path);
  return path;
}

/** Adds credentials to an existing cache (as a GSS initiator stores a service ticket). */
export function appendToCcache(name: string, creds: readonly Credential[]): void {
  const c = readCcache(name);
  const raw: Ccache = { ...c.raw, credentials: [...c.raw.credentials, ...creds.map(toCcacheCredential)] };
  const tmp = join(dirname(c.path), `.${basename(c.path)}.${process.pid}.tmp`);
  writeFileSync(tmp, ccacheCodec.encode(raw), { mode: 0o600 });
  renameSync(tmp, c.path);
}

export function destroyCcache(name: string): boolean {
  const path = ccachePath(name);
  if (!existsSync(path)) return false;
  // MIT overwrites the file with zeros before unlinking it: in place (r+), so that the blocks
  // holding the keys are the ones overwritten (truncating first could give the zeros new blocks).
  try {
    const fd = openSync(path, 'r+');
    try {
      const size = fstatSync(fd).size;
      writeSync(fd, new Uint8Array(size), 0, size, 0);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Best effort.
  }
  unlinkSync(path);
  return true;
}

export function keytabPath(name: string): string {
  const m = /^([A-Za-z0-9]+):(.*)$/.exec(name);
  if (m && !['FILE', 'WRFILE'].includes(m[1]!.toUpperCase())) throw new SpnegoError('UNAVAILABLE', `keytab type ${m[1]} is not supported (only FILE)`);
  return expandPath(m ? m[2]! : name);
}

export function readKeytab(name: string): KeytabEntry[] {
  const path = keytabPath(name);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new SpnegoError('NO_CRED', `cannot read keytab ${path}`, { cause: e });
  }
  return keytabEntries(keytabCodec.decode(bytes));
}

export function serviceKeysFromKeytab(entries: readonly KeytabEntry[]): ServiceKey[] {
  return entries.map((e) => ({
    principal: { name: { nameType: e.principal.nameType, nameString: e.principal.components }, realm: e.principal.realm },
    kvno: e.kvno,
    key: { enctype: e.key.keytype, value: e.key.keyvalue },
  }));
}
