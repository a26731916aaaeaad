// `spnego serve`: a Negotiate-protected echo server (issue 5 item 9). Every request must
// authenticate (NTLM inside Negotiate today, Kerberos once it lands); the 200 answers who
// authenticated and how, as JSON. One line per authentication on stderr.
import { readKeytab, serviceKeysFromKeytab } from '../mech/krb5/ccache-store.js';
import http from 'node:http';
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { AddressInfo } from 'node:net';
import { SpnegoError } from '../errors.js';
import type { AcceptorOptions } from '../gss/context.js';
import { negotiateHandler, DEFAULT_MAX_HEADER_BYTES, type NegotiateEvent, type NegotiateIdentity } from '../http/server/index.js';
import { RedisReplayCache } from '../mech/krb5/redis-replay-cache.js';
import { NtlmAuthVerifier } from '../mech/ntlm/verifier.js';

const HELP = `usage: spnego serve [--host 127.0.0.1] [--port 8080] [--ntlm-users FILE] [--ntlm-domain NAME]
                    [--ntlm-scheme] [--ntlm-auth SMB_CONF] [--keytab FILE] [--redis HOST:PORT]
                    [--allow-weak-crypto] [--delegated-ccache-dir DIR]

A protected echo server: every request must authenticate with HTTP Negotiate (RFC 4559); the 200
answers JSON { principal, mech, domain, mic: { required, sent, received } }, and carries the
server's final token (mechListMIC) in WWW-Authenticate. One line per authentication on stderr.
Stops cleanly on SIGINT/SIGTERM.

  --host H           address to listen on (default 127.0.0.1)
  --port N           port (default 8080; 0 picks a free one, printed on stderr)
  --ntlm-users FILE  NTLM users, gss-ntlmssp's format (DOMAIN:user:password per line);
                     default: the NTLM_USER_FILE environment variable
  --ntlm-domain NAME the NetBIOS domain the NTLM CHALLENGE announces (default WORKGROUP)
  --ntlm-scheme      also offer and accept 'WWW-Authenticate: NTLM' (off by default)
  --ntlm-auth SMB_CONF
                     check NTLM logons with the domain instead of a user file: Samba's
                     ntlm_auth (winbind) with that smb.conf, for Windows or Samba domain users
  --keytab FILE      Kerberos service keys (MIT keytab; default KRB5_KTNAME when set); read
                     again when the file changes (a new kvno after a key rollover)
  --allow-weak-crypto
                     accept rc4-hmac Kerberos tickets (older Active Directory services)
  --delegated-ccache-dir DIR
                     store a client's delegated TGT (curl --delegation always; kinit -f) in
                     DIR/krb5cc_<principal>, as mod_auth_gssapi's GssapiDelegCcacheDir; the JSON
                     names its path (delegatedCcache)
  --redis HOST:PORT  Kerberos replay cache in Redis (SET NX PX per authenticator), shared by every
                     serve process pointed at it: an AP-REQ accepted by one is refused by the others.
                     Fails closed: with Redis unreachable, Kerberos authentications are refused (401).
                     Default: an in-process replay cache.
`;

/** The 200's body: who authenticated and how. */
export function identityJson(id: NegotiateIdentity, delegatedCcache?: string): Record<string, unknown> {
  return {
    principal: id.principal,
    mech: id.mech,
    domain: id.domain,
    ...(id.realm ? { realm: id.realm } : {}),
    ...(id.upn ? { upn: id.upn } : {}),
    ...(id.sid ? { sid: id.sid } : {}),
    ...(id.groupSids ? { groupSids: id.groupSids } : {}),
    mic: id.mic,
    scheme: id.scheme,
    reused: id.reused,
    ...(delegatedCcache ? { delegatedCcache } : {}),
  };
}

/** One log line per authentication or refusal; no secret ever (SpnegoError messages carry none). */
export function eventLine(e: NegotiateEvent): string {
  const from = e.remoteAddress ? ` from ${e.remoteAddress}` : '';
  if (e.outcome === 'authenticated' && e.identity) {
    const m = e.identity.mic;
    const mic = m.required ? `mechListMIC ${m.sent ? 'sent' : 'not sent'}/${m.received ? 'received' : 'not received'}` : 'no mechListMIC';
    return `${new Date().toISOString()} authenticated ${e.identity.principal} mech=${e.identity.mech} scheme=${e.identity.scheme} ${mic}${from}`;
  }
  return `${new Date().toISOString()} refused ${e.status} ${e.error?.code ?? ''}: ${e.error?.message ?? ''}${from}`;
}

export interface ServeOptions {
  readonly host?: string;
  readonly port?: number;
  readonly credential: AcceptorOptions['credential'];
  readonly ntlm?: AcceptorOptions['ntlm'];
  readonly ntlmScheme?: boolean;
  readonly replayCache?: AcceptorOptions['replayCache'];
  readonly allowWeakCrypto?: boolean;
  /** Where to store delegated TGTs (DIR/krb5cc_<principal>); off when absent. */
  readonly delegatedCcacheDir?: string;
  readonly log?: (line: string) => void;
}

export interface RunningServer {
  readonly server: http.Server;
  readonly url: string;
  close(): Promise<void>;
}

/** Starts the echo server; resolves once it listens. */
export async function startServe(opts: ServeOptions): Promise<RunningServer> {
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const handler = negotiateHandler(
    {
      credential: opts.credential,
      ...(opts.ntlm ? { ntlm: opts.ntlm } : {}),
      ...(opts.ntlmScheme ? { ntlmScheme: true } : {}),
      ...(opts.replayCache ? { replayCache: opts.replayCache } : {}),
      ...(opts.allowWeakCrypto ? { allowWeakCrypto: true } : {}),
      onEvent: (e) => log(eventLine(e)),
    },
    (req, res) => {
      const dir = opts.delegatedCcacheDir;
      const id = req.negotiate;
      // A principal is not a file name: keep letters, digits and . _ - @ (alice@REALM stays readable).
      const stored = dir && id.storeDelegated ? id.storeDelegated(`FILE:${join(dir, `krb5cc_${id.principal.replace(/[^A-Za-z0-9._@-]/g, '_')}`)}`) : undefined;
      const body = `${JSON.stringify(identityJson(id, stored))}\n`;
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
      res.end(req.method === 'HEAD' ? undefined : body);
    },
  );
  // node:http's own header limit is 16 KiB: raise it above the authenticator's (64 KiB by default),
  // or the Kerberos tokens of AD users in many groups (tens of KB) never reach it (431).
  const server = http.createServer({ keepAliveTimeout: 30_000, maxHeaderSize: DEFAULT_MAX_HEADER_BYTES + 16 * 1024 }, handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      const where = `${opts.host ?? '127.0.0.1'}:${opts.port ?? 8080}`;
      if (e.code === 'EADDRINUSE') reject(new SpnegoError('UNAVAILABLE', `cannot listen on ${where}: the port is in use`));
      else if (e.code === 'EACCES') reject(new SpnegoError('UNAVAILABLE', `cannot listen on ${where}: permission denied`));
      else reject(e);
    });
    server.listen(opts.port ?? 8080, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const a = server.address() as AddressInfo;
  const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
  return {
    server,
    url: `http://${host}:${a.port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** `HOST:PORT` or `[v6]:PORT`. */
export function parseHostPort(v: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:\s]+)):(\d{1,5})$/.exec(v);
  const port = Number(m?.[3]);
  if (!m || port < 1 || port > 65535) throw new SpnegoError('BAD_ARGUMENT', `--redis must be HOST:PORT, got ${JSON.stringify(v)}`);
  return { host: (m[1] ?? m[2])!, port };
}

export async function runServe(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '8080' },
      'ntlm-users': { type: 'string' },
      'ntlm-domain': { type: 'string' },
      'ntlm-scheme': { type: 'boolean', default: false },
      keytab: { type: 'string' },
      'ntlm-auth': { type: 'string' },
      'allow-weak-crypto': { type: 'boolean', default: false },
      'delegated-ccache-dir': { type: 'string' },
      redis: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (positionals.length > 0) {
    process.stderr.write(HELP);
    return 2;
  }
  const port = Number(values.port);
  if (!/^\d+$/.test(values.port) || port > 65535) throw new SpnegoError('BAD_ARGUMENT', `--port must be 0..65535, got ${JSON.stringify(values.port)}`);
  const redis = values.redis === undefined ? undefined : parseHostPort(values.redis);
  const keytabName = values.keytab ?? process.env['KRB5_KTNAME'];
  // Read once here to fail early; the acceptor then takes the path, so a rewritten keytab (a key
  // rollover) is used without a restart (checked by a stat per handshake, parsed again on change).
  const keys = keytabName ? serviceKeysFromKeytab(readKeytab(keytabName)) : undefined;
  const file = values['ntlm-users'] ?? process.env['NTLM_USER_FILE'];
  const smbConf = values['ntlm-auth'];
  const verifier = smbConf !== undefined ? new NtlmAuthVerifier({ args: [`--configfile=${smbConf}`] }) : undefined;
  if (!file && !keys && !verifier) throw new SpnegoError('NO_CRED', 'no credentials: pass --keytab FILE (Kerberos) and/or --ntlm-users FILE or --ntlm-auth SMB_CONF (NTLM), or set KRB5_KTNAME / NTLM_USER_FILE');
  if (file && verifier) throw new SpnegoError('BAD_ARGUMENT', '--ntlm-users and --ntlm-auth are two ways to check NTLM users: pass one');
  if (file) {
    try {
      accessSync(file, constants.R_OK);
    } catch {
      throw new SpnegoError('NO_CRED', `cannot read the NTLM user file ${file}`);
    }
  }
  if (redis && !keys) throw new SpnegoError('BAD_ARGUMENT', '--redis is a Kerberos replay cache: it needs --keytab (or KRB5_KTNAME)');
  const replayCache = redis ? new RedisReplayCache(redis) : undefined;
  const running = await startServe({
    host: values.host,
    port,
    credential: { ...(file ? { ntlmUsers: file } : {}), ...(verifier ? { ntlmVerifier: verifier } : {}), ...(keytabName && keys ? { keytab: keytabName } : {}) },
    ...(values['allow-weak-crypto'] ? { allowWeakCrypto: true } : {}),
    ...(values['delegated-ccache-dir'] ? { delegatedCcacheDir: values['delegated-ccache-dir'] } : {}),
    ...(values['ntlm-domain'] ? { ntlm: { netbiosDomain: values['ntlm-domain'] } } : {}),
    ntlmScheme: values['ntlm-scheme'],
    ...(replayCache ? { replayCache } : {}),
  });
  const from = [keys ? `Kerberos keys from ${keytabName}` : '', redis ? `replay cache redis://${values.redis}` : '', file ? `NTLM users from ${file}` : '', smbConf ? `NTLM users checked by ntlm_auth (${smbConf})` : ''].filter(Boolean).join('; ');
  process.stderr.write(`spnego serve: listening on ${running.url} (Negotiate${values['ntlm-scheme'] ? ', NTLM' : ''}; ${from})\n`);
  await new Promise<void>((resolve) => {
    const stop = (sig: string) => {
      process.stderr.write(`spnego serve: ${sig}, stopping\n`);
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      void running.close().then(() => {
        replayCache?.close();
        resolve();
      });
    };
    const onInt = () => stop('SIGINT');
    const onTerm = () => stop('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
  });
  return 0;
}
