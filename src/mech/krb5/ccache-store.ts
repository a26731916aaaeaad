// Credential caches and keytabs on disk, byte-compatible with MIT: KRB5CCNAME (FILE:path or a
// bare path; MIT's default FILE:/tmp/krb5cc_%{uid}), KRB5_KTNAME / KRB5_CLIENT_KTNAME.
import { readFileSync, renameSync, unlinkSync, existsSync, openSync, fstatSync, writeSync, fsyncSync, closeSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, join, basename } from 'node:path';
import { randomBytes } from '../../crypto/provider.js';
import { SpnegoError } from '../../errors.js';
import { ccacheCodec, ccacheKdcOffset, ccacheKdcOffsetTag, encodeCcacheCredentials, type Ccache, type CcacheCredential, type CcachePrincipal } from '../../codec/krb5-files/ccache.js';
import { keytabCodec, keytabEntries, type KeytabEntry } from '../../codec/krb5-files/keytab.js';
import { ticketCodec } from '../../codec/krb5/ticket.js';
import { flagsFromUInt32, flagsToUInt32 } from '../../codec/krb5/kerberos-flags.js';
import type { Credential } from './credential.js';
import type { Principal } from './principal.js';
import type { ServiceKey } from './credential.js';

type Env = Readonly<Record<string, string | undefined>>;

let passwdName: string | undefined;
/** The user name from the passwd entry, as MIT's %{username} (not $USER, which su and sudo leave stale). */
function username(uid: string): string {
  if (passwdName === undefined) {
    try {
      passwdName = userInfo().username;
    } catch {
      passwdName = uid;
    }
  }
  return passwdName;
}

/** Expands MIT's %{uid}, %{euid}, %{username}, %{TEMP} tokens. */
export function expandPath(s: string): string {
  if (!s.includes('%{')) return s; // the usual case: no getuid() system call per context
  const uid = String(process.getuid?.() ?? 0);
  return s
    .replace(/%\{(e?uid)\}/g, uid)
    .replace(/%\{username\}/g, () => username(uid))
    .replace(/%\{TEMP\}/g, process.env['TMPDIR'] ?? '/tmp');
}

/** The FILE cache path from a name; other cache types (KEYRING, KCM, MEMORY) are not supported. */
export function ccachePath(name: string): string {
  const m = /^([A-Za-z0-9]+):(.*)$/.exec(name);
  if (m && m[1]!.toUpperCase() !== 'FILE') throw new SpnegoError('UNAVAILABLE', `credential cache type ${m[1]} is not supported (only FILE)`);
  const path = expandPath(m ? m[2]! : name);
  if (path === '') throw new SpnegoError('BAD_ARGUMENT', `credential cache name "${name}" has no file name`);
  return path;
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

export function fromCcacheCredential(c: CcacheCredential, kdcOffsetSeconds = 0): Credential {
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
    ...(kdcOffsetSeconds ? { kdcOffsetSeconds } : {}),
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
  // The KDC offset MIT's kinit recorded (kdc_timesync): our authenticators from this cache use it too.
  const offset = ccacheKdcOffset(raw)?.seconds ?? 0;
  const credentials = raw.credentials.filter((c) => !c.isConfig).map((c) => fromCcacheCredential(c, offset));
  return { path, defaultPrincipal: fromCcachePrincipal(raw.defaultPrincipal), credentials, raw };
}

/**
 * Writes `bytes` to `path` through a new temporary file beside it, then renames it over `path`.
 * The temporary file has an unpredictable name and is created exclusively (O_EXCL) with mode
 * 0600, so another user cannot have prepared it in a shared directory such as /tmp; on any
 * failure it is removed, never left holding keys.
 */
function replaceFile(path: string, bytes: Uint8Array, what: string): void {
  const tmp = join(dirname(path), `.${basename(path)}.${Buffer.from(randomBytes(8)).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx', 0o600);
    writeSync(fd, bytes, 0, bytes.length, 0);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // Not created, or already renamed.
    }
    throw new SpnegoError('FAILURE', `cannot store the ${what} in ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, { cause: e });
  }
}

/** Writes a new cache (as kinit does) atomically, mode 0600. */
export function writeCcache(name: string, principal: Principal, creds: readonly Credential[], kdcOffsetSeconds = creds[0]?.kdcOffsetSeconds ?? 0): string {
  const path = ccachePath(name);
  const cache: Ccache = { version: 4, headerTags: [ccacheKdcOffsetTag(kdcOffsetSeconds, 0)], defaultPrincipal: toCcachePrincipal(principal), credentials: creds.map(toCcacheCredential) };
  replaceFile(path, ccacheCodec.encode(cache), 'credentials');
  return path;
}

/**
 * Adds credentials to an existing cache, as a GSS initiator stores a service ticket: appended in
 * place at the end of the file, as MIT's fcc_store does, so the file keeps its owner and mode and
 * a concurrent MIT append or kdestroy is not undone. A cache whose tail is not a whole credential
 * (an interrupted write) is left as it is.
 */
export function appendToCcache(name: string, creds: readonly Credential[]): void {
  const c = readCcache(name);
  if (c.raw.trailer) return;
  const more = encodeCcacheCredentials(c.raw.version, creds.map(toCcacheCredential));
  const fd = openSync(c.path, 'a');
  try {
    writeSync(fd, more);
  } finally {
    closeSync(fd);
  }
}

/**
 * kdestroy: as MIT's fcc_destroy, the file is unlinked first (an open descriptor kept), then its
 * blocks overwritten with zeros in place; if it cannot be unlinked, it is left intact.
 */
export function destroyCcache(name: string): boolean {
  const path = ccachePath(name);
  if (!existsSync(path)) return false;
  let fd: number;
  try {
    fd = openSync(path, 'r+');
  } catch (e) {
    throw new SpnegoError('FAILURE', `ticket cache NOT destroyed (${path}): ${(e as NodeJS.ErrnoException).code ?? 'error'}`, { cause: e });
  }
  try {
    try {
      unlinkSync(path);
    } catch (e) {
      throw new SpnegoError('FAILURE', `ticket cache NOT destroyed (${path}): ${(e as NodeJS.ErrnoException).code ?? 'error'}`, { cause: e });
    }
    try {
      const size = fstatSync(fd).size;
      writeSync(fd, new Uint8Array(size), 0, size, 0);
      fsyncSync(fd);
    } catch {
      // Unlinked already; zeroing is best effort.
    }
  } finally {
    closeSync(fd);
  }
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
