// `spnego klist`: the tickets in a credential cache, or the keys in a keytab, printed as MIT's
// klist (krb5 1.20, clients/klist/klist.c) prints them in the C locale: the same header lines,
// column widths, `renew until` / `Flags:` / `Etype (skey, tkt):` continuation lines and the
// keytab table. Times are local time in the C locale's `%x %X` form (MM/DD/YY HH:MM:SS).
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { SpnegoError } from '../errors.js';
import { ccacheCodec, ccacheTicket, type Ccache, type CcacheCredential, type CcachePrincipal } from '../codec/krb5-files/ccache.js';
import { keytabCodec, keytabEntries, type KeytabEntry } from '../codec/krb5-files/keytab.js';
import { loadKrb5Config, type Krb5Config } from '../mech/krb5/config/index.js';
import { ccachePath, defaultCcacheName, keytabPath } from '../mech/krb5/ccache-store.js';

type Env = Readonly<Record<string, string | undefined>>;

const HELP = `usage: spnego klist [-e] [[-c] [-f] [-s] [-a [-n]]] [-k [-i] [-t] [-K]] [name]

Lists the tickets of a credential cache (default: -c, KRB5CCNAME, else krb5.conf's
default_ccache_name) or, with -k, the keys of a keytab (default KRB5_KTNAME, else
default_keytab_name; -i: the client keytab, KRB5_CLIENT_KTNAME or default_client_keytab_name).
Output as MIT's klist in the C locale. Exit 1 when the cache or keytab cannot be read.

  -c CCACHE   the credential cache (also the positional name)
  -e          encryption types of the session key and ticket (or of each key)
  -f          ticket flags (F forwardable, f forwarded, P proxiable, p proxy, D may-postdate,
              d postdated, i invalid, R renewable, I initial, H hw-auth, A pre-auth,
              T transit-checked, O ok-as-delegate, a anonymous)
  -s          no output; exit 0 only when the cache holds a current TGT (or current ticket)
  -a, -n      the address list (numeric)
  -C          also show configuration entries
  -k          list a keytab; -t with timestamps, -K with the keys (secret!)
`;

/** MIT 1.20's display names (krb5_enctype_to_name, first name of each); DEPRECATED: as klist marks them. */
const ENCTYPE_DISPLAY: Readonly<Record<number, string>> = {
  1: 'des-cbc-crc', 2: 'des-cbc-md4', 3: 'des-cbc-md5', 16: 'des3-cbc-sha1',
  17: 'aes128-cts-hmac-sha1-96', 18: 'aes256-cts-hmac-sha1-96',
  19: 'aes128-cts-hmac-sha256-128', 20: 'aes256-cts-hmac-sha384-192',
  23: 'arcfour-hmac', 24: 'arcfour-hmac-exp', 25: 'camellia128-cts-cmac', 26: 'camellia256-cts-cmac',
};
const DEPRECATED = new Set([1, 2, 3, 16, 23, 24]);

export function enctypeDisplayName(e: number): string {
  const n = ENCTYPE_DISPLAY[e];
  if (n === undefined) return `etype ${e}`;
  return DEPRECATED.has(e) ? `DEPRECATED:${n}` : n;
}

/** The C locale's `%x %X` in local time: MM/DD/YY HH:MM:SS (17 characters, klist's column width). */
export function klistTime(seconds: number): string {
  const d = new Date(seconds * 1000);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${p(d.getMonth() + 1)}/${p(d.getDate())}/${p(d.getFullYear() % 100)} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
const WIDTH = 17;

/** krb5_unparse_name: `/`, `@` and `\` escaped in components, `@` and `\` in the realm; control characters as \n \t \b \0. */
export function unparsePrincipal(p: { readonly realm: string; readonly components: readonly string[] }): string {
  const ctl = (s: string): string => s.replace(/\n/g, '\\n').replace(/\t/g, '\\t').replace(/\x08/g, '\\b').replace(/\0/g, '\\0');
  const comp = (s: string): string => ctl(s.replace(/[\\/@]/g, (m) => `\\${m}`));
  return `${p.components.map(comp).join('/')}@${ctl(p.realm.replace(/[\\@]/g, (m) => `\\${m}`))}`;
}

const FLAG_LETTERS: readonly [number, string][] = [
  [0x40000000, 'F'], [0x20000000, 'f'], [0x10000000, 'P'], [0x08000000, 'p'], [0x04000000, 'D'], [0x02000000, 'd'],
  [0x01000000, 'i'], [0x00800000, 'R'], [0x00400000, 'I'], [0x00100000, 'H'], [0x00200000, 'A'], [0x00080000, 'T'],
  [0x00040000, 'O'], [0x00008000, 'a'],
];

/** klist -f letters for MIT's 32-bit ticket flags, in klist's order. */
export function flagsString(flags: number): string {
  return FLAG_LETTERS.filter(([bit]) => (flags & bit) !== 0).map(([, l]) => l).join('');
}

function address(a: { addrType: number; address: Uint8Array }): string {
  if (a.addrType === 2) return a.address.length === 4 ? [...a.address].join('.') : `broken address (type ${a.addrType} length ${a.address.length})`;
  if (a.addrType === 24) {
    if (a.address.length !== 16) return `broken address (type ${a.addrType} length ${a.address.length})`;
    const words: string[] = [];
    for (let i = 0; i < 16; i += 2) words.push(((a.address[i]! << 8) | a.address[i + 1]!).toString(16));
    return words.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
  }
  return `unknown addrtype ${a.addrType}`;
}

export interface ListOptions {
  readonly etypes?: boolean;
  readonly flags?: boolean;
  readonly addresses?: boolean;
  readonly config?: boolean;
}

function configText(data: Uint8Array, startCol: number): string {
  let out = '';
  let col = startCol;
  for (const b of data) {
    while (col < 8) {
      out += ' ';
      col++;
    }
    if (b > 0x20 && b < 0x7f) {
      out += String.fromCharCode(b);
      col++;
    } else {
      const s = `\\${b.toString(8).padStart(3, '0')}`;
      out += s;
      col += s.length;
    }
    if (col > 72) {
      out += '\n';
      col = 0;
    }
  }
  return col > 0 ? `${out}\n` : out;
}

function samePrincipal(a: CcachePrincipal, b: { realm: string; components: readonly string[] }): boolean {
  return a.realm === b.realm && a.components.length === b.components.length && a.components.every((c, i) => c === b.components[i]);
}

/** One credential as klist's show_credential prints it. */
function renderCredential(c: CcacheCredential, defname: string, o: ListOptions): string {
  let out = '';
  let ticket: ReturnType<typeof ccacheTicket> | undefined;
  if (!c.isConfig) {
    try {
      ticket = ccacheTicket(c);
    } catch {
      ticket = undefined;
    }
  }
  const start = c.starttime || c.authtime;
  let extra = 0;
  if (!c.isConfig) out += `${klistTime(start)}  ${klistTime(c.endtime)}  ${unparsePrincipal(c.server)}\n`;
  else out += `config: ${c.server.components.slice(1).map((x, i) => (i > 0 ? `(${x})` : x)).join('')} = `;
  const name = unparsePrincipal(c.client);
  if (name !== defname) {
    out += `\tfor client ${name}`;
    extra++;
  }
  if (c.isConfig) out += configText(c.ticket, out.length - out.lastIndexOf('\n') - 1);
  if (c.renewTill) {
    out += `${extra ? ', ' : '\t'}renew until ${klistTime(c.renewTill)}`;
    extra += 2;
  }
  if (o.flags) {
    const f = flagsString(c.ticketFlags);
    if (f) {
      out += `${extra ? ', ' : '\t'}Flags: ${f}`;
      extra++;
    }
  }
  if (extra > 2) {
    out += '\n';
    extra = 0;
  }
  if (o.etypes && ticket) {
    out += `${extra ? ', ' : '\t'}Etype (skey, tkt): ${enctypeDisplayName(c.key.keytype)}, ${enctypeDisplayName(ticket.encPart.etype)} `;
    extra++;
  }
  if (extra) out += '\n';
  if (o.addresses) out += c.addresses.length === 0 ? '\tAddresses: (none)\n' : `\tAddresses: ${c.addresses.map(address).join(', ')}\n`;
  if (ticket && !samePrincipal(c.server, { realm: ticket.realm, components: ticket.sname.nameString })) {
    out += `\tTicket server: ${unparsePrincipal({ realm: ticket.realm, components: ticket.sname.nameString })}\n`;
  }
  return out;
}

/** klist's cache listing: `Ticket cache:`, `Default principal:`, the table. */
export function renderCcache(name: string, cache: Ccache, o: ListOptions = {}): string {
  const defname = unparsePrincipal(cache.defaultPrincipal);
  let out = `Ticket cache: ${name}\nDefault principal: ${defname}\n\n`;
  out += `Valid starting${' '.repeat(WIDTH - 15 + 3)}Expires${' '.repeat(WIDTH - 8 + 3)}Service principal\n`;
  for (const c of cache.credentials) if (o.config || !c.isConfig) out += renderCredential(c, defname, o);
  return out;
}

/** klist -s: a current local TGT if the cache has a TGT at all, else any current ticket. */
export function ccacheIsCurrent(cache: Ccache, now = Date.now()): boolean {
  const realm = cache.defaultPrincipal.realm;
  let tgt = false;
  let currentTgt = false;
  let current = false;
  for (const c of cache.credentials) {
    const live = c.endtime * 1000 > now;
    if (c.server.realm === realm && c.server.components.length === 2 && c.server.components[0] === 'krbtgt' && c.server.components[1] === realm) {
      tgt = true;
      if (live) currentTgt = true;
    } else if (!c.isConfig && live) current = true;
  }
  return tgt ? currentTgt : current;
}

export interface KeytabListOptions {
  readonly etypes?: boolean;
  readonly timestamps?: boolean;
  readonly keys?: boolean;
}

/** klist -k's table (after the `Keytab name:` line). */
export function renderKeytab(entries: readonly KeytabEntry[], o: KeytabListOptions = {}): string {
  let out = o.timestamps
    ? `KVNO Timestamp${' '.repeat(WIDTH - 10 + 2)}Principal\n---- ${'-'.repeat(WIDTH)} ${'-'.repeat(78 - WIDTH - 5)}\n`
    : `KVNO Principal\n---- ${'-'.repeat(74)}\n`;
  for (const e of entries) {
    out += `${String(e.kvno).padStart(4)} `;
    if (o.timestamps) out += `${klistTime(e.timestamp)} `;
    out += unparsePrincipal(e.principal);
    if (o.etypes) out += ` (${enctypeDisplayName(e.key.keytype)}) `;
    if (o.keys) out += ` (0x${Buffer.from(e.key.keyvalue).toString('hex')})`;
    out += '\n';
  }
  return out;
}

/** The cache name kinit/klist/kdestroy use: -c, else KRB5CCNAME, else krb5.conf's default_ccache_name. */
export function ccacheNameFor(explicit: string | undefined, env: Env, config: Krb5Config | undefined): string {
  return explicit ?? defaultCcacheName(env, config?.libdefaults.defaultCcacheName);
}

/** `FILE:/expanded/path`, as krb5_cc_get_type/get_name show a FILE cache. */
export function displayCcacheName(name: string): { display: string; path: string } {
  const path = ccachePath(name);
  return { display: `FILE:${path}`, path };
}

/** Reads and decodes a cache file; a missing one is MIT's "No credentials cache found". */
export function loadCcacheFile(name: string): { display: string; path: string; cache: Ccache } {
  const { display, path } = displayCcacheName(name);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new SpnegoError('NO_CRED', `No credentials cache found (filename: ${path})`, { cause: e });
  }
  return { display, path, cache: ccacheCodec.decode(bytes) };
}

function safeConfig(env: Env): Krb5Config | undefined {
  try {
    return loadKrb5Config({ env });
  } catch {
    return undefined;
  }
}

export async function runKlist(args: string[], env: Env = process.env): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      c: { type: 'string', short: 'c' },
      k: { type: 'boolean', short: 'k', default: false },
      i: { type: 'boolean', short: 'i', default: false },
      e: { type: 'boolean', short: 'e', default: false },
      f: { type: 'boolean', short: 'f', default: false },
      s: { type: 'boolean', short: 's', default: false },
      a: { type: 'boolean', short: 'a', default: false },
      n: { type: 'boolean', short: 'n', default: false },
      t: { type: 'boolean', short: 't', default: false },
      K: { type: 'boolean', short: 'K', default: false },
      C: { type: 'boolean', short: 'C', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const usage = (why: string): number => {
    process.stderr.write(`spnego klist: ${why}\n${HELP}`);
    return 2;
  };
  if (positionals.length > 1) return usage(`extra arguments (starting with "${positionals[1]!}")`);
  if (values.k && values.c !== undefined) return usage('-c and -k cannot be used together');
  if (values.n && !values.a) return usage('-n needs -a');
  if (!values.k && (values.t || values.K || values.i)) return usage('-t, -K and -i are keytab options (-k)');
  if (values.k && (values.f || values.s || values.a || values.C)) return usage('-f, -s, -a and -C are cache options');
  const name = positionals[0];
  const config = safeConfig(env);

  if (values.k) {
    const ktName =
      name ??
      (values.i
        ? (env['KRB5_CLIENT_KTNAME'] ?? config?.libdefaults.defaultClientKeytabName ?? 'FILE:/etc/krb5/user/%{euid}/client.keytab')
        : (env['KRB5_KTNAME'] ?? config?.libdefaults.defaultKeytabName ?? 'FILE:/etc/krb5.keytab'));
    const path = keytabPath(ktName);
    process.stdout.write(`Keytab name: FILE:${path}\n`);
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(readFileSync(path));
    } catch (e) {
      throw new SpnegoError('NO_CRED', `Key table file '${path}' not found while starting keytab scan`, { cause: e });
    }
    process.stdout.write(renderKeytab(keytabEntries(keytabCodec.decode(bytes)), { etypes: values.e, timestamps: values.t, keys: values.K }));
    return 0;
  }

  const ccName = ccacheNameFor(values.c ?? name, env, config);
  if (values.s) {
    try {
      return ccacheIsCurrent(loadCcacheFile(ccName).cache) ? 0 : 1;
    } catch {
      return 1;
    }
  }
  const { display, cache } = loadCcacheFile(ccName);
  process.stdout.write(renderCcache(display, cache, { etypes: values.e, flags: values.f, addresses: values.a, config: values.C }));
  return 0;
}
