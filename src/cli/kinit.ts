// `spnego kinit`: a TGT with a password (prompt without echo, one line from a pipe, or
// SPNEGO_PASSWORD) or a keytab, or the renewal of the cache's TGT, written to a FILE credential
// cache that MIT's tools read (KRB5CCNAME or -c). Options and messages follow MIT's kinit.
import { parseArgs } from 'node:util';
import { userInfo } from 'node:os';
import { SpnegoError } from '../errors.js';
import { NameType } from '../iana/krb5.js';
import { parseDuration } from '../mech/krb5/config/index.js';
import { Krb5Client, type TgtOptions } from '../mech/krb5/client.js';
import { ccachePath, readCcache, readKeytab, writeCcache } from '../mech/krb5/ccache-store.js';
import { formatPrincipal, type Principal } from '../mech/krb5/principal.js';
import type { Credential } from '../mech/krb5/credential.js';
import { ccacheNameFor } from './klist.js';

type Env = Readonly<Record<string, string | undefined>>;

const HELP = `usage: spnego kinit [-k [-t KEYTAB]] [-c CCACHE] [-l LIFETIME] [-r RENEW_LIFETIME] [-f|-F] [-R] [-E] [-C] [principal]

Gets a TGT and writes it to a new credential cache (-c, else KRB5CCNAME, else krb5.conf's
default_ccache_name), readable by MIT's klist/kvno. The realm's KDCs come from krb5.conf
(KRB5_CONFIG) or DNS SRV records.

  principal   name[/instance][@REALM] (default realm from krb5.conf); default: the cache's
              principal, else the login name (with -k: the keytab's first principal)
  -k          use a key from a keytab instead of a password
  -t KEYTAB   the keytab for -k (default KRB5_CLIENT_KTNAME, else default_client_keytab_name)
  -c CCACHE   the credential cache to write (FILE:path or a path)
  -l LIFETIME ticket lifetime (MIT durations: 10h, 1d, 30m, 1h30m, h:m[:s], seconds)
  -r LIFETIME renewable lifetime (asks for a renewable ticket)
  -f, -F      forwardable / not forwardable (default: krb5.conf forwardable)
  -R          renew the cache's TGT (it must be renewable) and rewrite the cache
  -E          the principal is an enterprise name (user@domain[@REALM], RFC 6806)
  -C          ask the KDC to canonicalize the principal name (RFC 6806); the cache gets its answer

The password is read from the terminal without echo, from one line of standard input when
it is not a terminal, or from SPNEGO_PASSWORD. It is never printed.
`;

/** MIT-style text for a failed exchange: `Password incorrect while getting initial credentials`. */
function mitError(e: unknown, what: string, who: string, withPassword: boolean, realm: string): unknown {
  if (!(e instanceof SpnegoError)) return e;
  const krb = e.krbError?.name;
  let text: string | undefined;
  switch (krb) {
    case 'KDC_ERR_PREAUTH_FAILED':
    case 'KRB_AP_ERR_BAD_INTEGRITY':
      text = withPassword ? 'Password incorrect' : 'Preauthentication failed';
      break;
    case 'KDC_ERR_C_PRINCIPAL_UNKNOWN':
      text = `Client '${who}' not found in Kerberos database`;
      break;
    case 'KDC_ERR_S_PRINCIPAL_UNKNOWN':
      text = 'Server not found in Kerberos database';
      break;
    case 'KDC_ERR_CLIENT_REVOKED':
      text = "Client's credentials have been revoked";
      break;
    case 'KDC_ERR_KEY_EXPIRED':
      text = 'Password has expired';
      break;
    case 'KRB_AP_ERR_SKEW':
      text = 'Clock skew too great';
      break;
    case 'KDC_ERR_ETYPE_NOSUPP':
      text = 'KDC has no support for encryption type';
      break;
    case 'KDC_ERR_POLICY':
      text = 'KDC policy rejects request';
      break;
    case 'KDC_ERR_BADOPTION':
      text = "KDC can't fulfill requested option";
      break;
    case 'KRB_AP_ERR_TKT_EXPIRED':
      text = 'Ticket expired';
      break;
    default:
      // No KRB-ERROR: an AS-REP that does not decrypt with our key is a wrong password (MIT's KDC
      // sends one without pre-authentication); no KDC answering is MIT's "Cannot contact any KDC".
      if (!krb && e.code === 'UNAUTHORIZED') text = withPassword ? 'Password incorrect' : 'Preauthentication failed';
      else if (e.code === 'UNAVAILABLE') text = `Cannot contact any KDC for realm '${realm}' (${e.message})`;
  }
  const tail = krb ? ` [${krb}]` : '';
  const message = text === undefined ? `${e.message} while ${what}` : `${text} while ${what}${tail}`;
  return new SpnegoError(e.code, message, { cause: e, ...(e.krbError ? { krbError: e.krbError } : {}) });
}

/** Reads a password: raw-mode terminal input without echo, else one line of standard input. */
export async function readPassword(prompt: string): Promise<string> {
  const stdin = process.stdin;
  if (stdin.isTTY) {
    process.stderr.write(prompt);
    return new Promise((resolve, reject) => {
      let buf = '';
      stdin.setRawMode(true);
      stdin.setEncoding('utf8');
      const finish = (err?: SpnegoError): void => {
        stdin.removeListener('data', onData);
        stdin.setRawMode(false);
        stdin.pause();
        process.stderr.write('\n');
        if (err) reject(err);
        else resolve(buf);
      };
      const onData = (s: string): void => {
        for (const ch of s) {
          if (ch === '\r' || ch === '\n' || ch === '\u0004') return finish();
          if (ch === '\u0003') return finish(new SpnegoError('NO_CRED', 'Cannot read password (interrupted) while getting initial credentials'));
          if (ch === '\u007f' || ch === '\b') buf = [...buf].slice(0, -1).join('');
          else if (ch === '\u0015') buf = '';
          else buf += ch;
        }
      };
      stdin.on('data', onData);
      stdin.resume();
    });
  }
  // Piped: one line, as MIT's kinit reads it; the prompt is still shown (on stderr, as on a terminal).
  process.stderr.write(`${prompt}\n`);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const finish = (line: Buffer | undefined): void => {
      stdin.removeListener('data', onData);
      stdin.removeListener('end', onEnd);
      stdin.removeListener('error', onError);
      stdin.pause();
      stdin.destroy();
      if (line === undefined) reject(new SpnegoError('NO_CRED', 'Cannot read password (no input) while getting initial credentials'));
      else resolve(line.toString('utf8').replace(/\r$/, ''));
    };
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      const all = Buffer.concat(chunks);
      const nl = all.indexOf(10);
      if (nl >= 0) finish(all.subarray(0, nl));
    };
    const onEnd = (): void => {
      const all = Buffer.concat(chunks);
      finish(all.length > 0 ? all : undefined);
    };
    const onError = (): void => finish(undefined);
    stdin.on('data', onData);
    stdin.on('end', onEnd);
    stdin.on('error', onError);
  });
}

/** krb5_parse_name with KRB5_PRINCIPAL_PARSE_ENTERPRISE: the first `@` belongs to the name, a second one starts the realm. */
export function parseEnterprise(s: string, defaultRealm: string | undefined): Principal {
  const first = s.indexOf('@');
  const second = first < 0 ? -1 : s.indexOf('@', first + 1);
  const name = second < 0 ? s : s.slice(0, second);
  const realm = second < 0 ? defaultRealm : s.slice(second + 1);
  if (!name) throw new SpnegoError('BAD_NAME', `empty enterprise name in ${JSON.stringify(s)}`);
  if (!realm) throw new SpnegoError('BAD_NAME', `no realm for ${JSON.stringify(s)} and no default_realm`);
  return { name: { nameType: NameType.KRB_NT_ENTERPRISE, nameString: [name] }, realm };
}

function duration(v: string | undefined, what: string): number | undefined {
  if (v === undefined) return undefined;
  const n = parseDuration(v);
  if (n === undefined || n <= 0) throw new SpnegoError('BAD_ARGUMENT', `Bad ${what} value ${v} (use e.g. "10h", "1d", "30m", "1h30m", "10:00")`);
  return n;
}

/** Writes the new cache; a file system failure is a typed one-liner (MIT: "... while storing credentials"). */
function store(name: string, principal: Principal, creds: readonly Credential[]): void {
  try {
    writeCcache(name, principal, creds);
  } catch (e) {
    if (e instanceof SpnegoError) throw e;
    throw new SpnegoError('FAILURE', `${e instanceof Error ? e.message : String(e)} while storing credentials`, { cause: e });
  }
}

function isLocalTgt(c: Credential, realm: string): boolean {
  return c.server.realm === realm && c.server.name.nameString.length === 2 && c.server.name.nameString[0] === 'krbtgt' && c.server.name.nameString[1] === realm;
}

export async function runKinit(args: string[], env: Env = process.env): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      k: { type: 'boolean', short: 'k', default: false },
      t: { type: 'string', short: 't' },
      c: { type: 'string', short: 'c' },
      l: { type: 'string', short: 'l' },
      r: { type: 'string', short: 'r' },
      f: { type: 'boolean', short: 'f', default: false },
      F: { type: 'boolean', short: 'F', default: false },
      R: { type: 'boolean', short: 'R', default: false },
      E: { type: 'boolean', short: 'E', default: false },
      C: { type: 'boolean', short: 'C', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const usage = (why: string): number => {
    process.stderr.write(`spnego kinit: ${why}\n${HELP}`);
    return 2;
  };
  if (positionals.length > 1) return usage(`extra arguments (starting with "${positionals[1]!}")`);
  if (values.f && values.F) return usage('-f and -F cannot be used together');
  if (values.R && values.k) return usage('-R and -k cannot be used together');
  if (values.t !== undefined && !values.k) return usage('-t needs -k');
  let lifetime: number | undefined;
  let renewLifetime: number | undefined;
  try {
    lifetime = duration(values.l, 'lifetime');
    renewLifetime = duration(values.r, 'renewable lifetime');
  } catch (e) {
    if (e instanceof SpnegoError) return usage(e.message); // MIT: exit 2 for a bad -l/-r
    throw e;
  }

  const client = new Krb5Client({ env });
  const ccName = ccacheNameFor(values.c, env, client.config);
  const arg = positionals[0];
  const parse = (s: string): Principal => {
    // MIT: "alice@" is a malformed principal, not alice in the default realm.
    if (s.endsWith('@') && !s.endsWith('\\@')) throw new SpnegoError('BAD_NAME', `Malformed representation of principal when parsing name ${s}`);
    return values.E ? parseEnterprise(s, client.defaultRealm) : client.parsePrincipal(s);
  };

  if (values.R) {
    let cache: ReturnType<typeof readCcache>;
    try {
      cache = readCcache(ccName);
    } catch (e) {
      if (e instanceof SpnegoError && e.code === 'NO_CRED') throw new SpnegoError('NO_CRED', `No credentials cache found (filename: ${ccachePath(ccName)}) while renewing credentials`, { cause: e });
      throw e;
    }
    const me = arg !== undefined ? parse(arg) : cache.defaultPrincipal;
    const who = formatPrincipal(me);
    const tgt = cache.credentials.find((c) => formatPrincipal(c.client) === who && isLocalTgt(c, me.realm));
    if (!tgt) throw new SpnegoError('NO_CRED', `Matching credential not found (krbtgt/${me.realm}@${me.realm} for ${who}) while renewing credentials`);
    let renewed: Credential;
    try {
      renewed = await client.renew(tgt);
    } catch (e) {
      throw mitError(e, 'renewing credentials', who, false, me.realm);
    }
    // As MIT's kinit -R: the cache is reinitialized with the renewed TGT only.
    store(ccName, cache.defaultPrincipal, [renewed]);
    return 0;
  }

  let me: Principal;
  let keytabName: string | undefined;
  if (values.k) keytabName = values.t ?? env['KRB5_CLIENT_KTNAME'] ?? client.config.libdefaults.defaultClientKeytabName;
  if (arg !== undefined) me = parse(arg);
  else if (keytabName !== undefined) {
    const first = readKeytab(keytabName)[0];
    if (!first) throw new SpnegoError('NO_CRED', `Key table ${keytabName} is empty while getting initial credentials`);
    me = { name: { nameType: first.principal.nameType, nameString: [...first.principal.components] }, realm: first.principal.realm };
  } else {
    let fromCache: Principal | undefined;
    try {
      fromCache = readCcache(ccName).defaultPrincipal;
    } catch {
      fromCache = undefined;
    }
    me = fromCache ?? client.parsePrincipal(userInfo().username);
  }
  const who = formatPrincipal(me);
  const opts: TgtOptions = {
    ...(lifetime !== undefined ? { lifetimeSeconds: lifetime } : {}),
    ...(renewLifetime !== undefined ? { renewLifetimeSeconds: renewLifetime } : {}),
    ...(values.f ? { forwardable: true } : values.F ? { forwardable: false } : {}),
    ...(values.E ? { enterprise: true } : {}),
    ...(values.C ? { canonicalize: true } : {}),
  };
  let cred: Credential;
  if (keytabName !== undefined) {
    try {
      cred = await client.tgtWithKeytab(me, keytabName, opts);
    } catch (e) {
      throw mitError(e, 'getting initial credentials', who, false, me.realm);
    }
  } else {
    // Asked once the KDC has answered (as MIT's kinit): an unknown principal fails without a prompt.
    const fromEnv = env['SPNEGO_PASSWORD'];
    const password = fromEnv !== undefined && fromEnv !== '' ? fromEnv : () => readPassword(`Password for ${who}: `);
    try {
      cred = await client.tgtWithPassword(me, password, opts);
    } catch (e) {
      throw mitError(e, 'getting initial credentials', who, true, me.realm);
    }
  }
  // As MIT (krb5_get_init_creds with an out ccache): the cache's principal is the reply's client name.
  store(ccName, cred.client, [cred]);
  return 0;
}
