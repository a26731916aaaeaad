// `spnego fetch URL`: an HTTP request that answers Negotiate/NTLM challenges, in the spirit of
// `curl --negotiate`. Exit 0 only when the final response is 2xx and every server token
// verified; otherwise one line `spnego: CODE: message` on stderr and a non-zero exit.
import { parseArgs } from 'node:util';
import { readFileSync, writeFileSync } from 'node:fs';
import { SpnegoError } from '../errors.js';
import { createFetch, authInfo, type AuthHeaderEvent } from '../http/client/index.js';
import { inspectInput, renderReport } from '../inspect/index.js';

const HELP = `usage: spnego fetch [options] URL

Sends an HTTP request and answers the server's (and proxy's) Negotiate or NTLM challenges.

  -u, --user USER[:PW]   DOMAIN\\user, user@DOMAIN or user (curl's USER:PASSWORD form too);
                         without it, or with -u : (as curl --negotiate -u :), or with a user
                         but no password, Kerberos from the credential cache (KRB5CCNAME)
      --password PW      the password (or SPNEGO_PASSWORD, or --password-file); with
                         user@REALM it also gets a Kerberos ticket, tried before NTLM
      --keytab FILE      Kerberos keys for -u (kinit -k style)
      --password-file F  read the password from the first line of F
      --spn SERVICE@HOST the target service name (default HTTP@<URL host>); SERVICE/HOST
                         and SERVICE/HOST@REALM are read as SERVICE@HOST
      --mech M           negotiate (default), kerberos (never NTLM) or ntlm (prefer the
                         NTLM scheme)
      --no-ntlm-fallback never answer with NTLM
      --proxy URL        an http:// proxy (HTTPS targets go through CONNECT)
      --mutual           fail when the server ends the exchange without its final token
      --delegation       delegate a forwarded TGT to the server (curl --delegation always;
                         needs kinit -f)
      --allow-weak-crypto
                         allow rc4-hmac Kerberos services (older Active Directory) and NTLMv1
  -L, --location         follow redirects within the same origin (never to another host)
  -X, --request METHOD   the request method (default GET, or POST with -d)
  -H, --header 'N: V'    an extra request header (repeatable)
  -d, --data DATA        the request body; @FILE reads it from FILE
  -i, --include          print the response status line and headers
  -o, --output FILE      write the body to FILE instead of standard output (- for it)
  -k, --insecure         do not verify the server's TLS certificate
      --cacert FILE      trust the CA certificates in FILE (PEM)
  -v, --verbose          print every authentication header, its token decoded, to stderr

A URL without a scheme is taken as http://, as curl does. Redirects to another host are not
followed (the request fails naming the status): credentials stay with the origin.
`;

/** A file the user named: a missing or unreadable one is their mistake (BAD_ARGUMENT), not ours. */
function readUserFile(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new SpnegoError('BAD_ARGUMENT', `cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

function password(values: { password?: string | undefined; 'password-file'?: string | undefined }): string | undefined {
  if (values.password !== undefined) return values.password;
  if (values['password-file'] !== undefined) return readUserFile(values['password-file'], 'the password file').toString('utf8').split(/\r?\n/)[0] ?? '';
  const env = process.env['SPNEGO_PASSWORD'];
  return env === '' ? undefined : env;
}

/** The URL as curl reads it: no scheme means http://. */
function urlArg(v: string): string {
  const withScheme = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(v) ? v : `http://${v}`;
  try {
    return new URL(withScheme).href;
  } catch {
    throw new SpnegoError('BAD_ARGUMENT', `not a URL: ${JSON.stringify(v)}`);
  }
}

function verbose(e: AuthHeaderEvent): void {
  const arrow = `${e.direction === 'sent' ? '>' : '<'}${e.status !== undefined ? ` [${e.status}]` : ''} `;
  let text: string;
  try {
    text = renderReport(inspectInput({ text: `${e.header}: ${e.value}` }));
  } catch (err) {
    text = `${e.header}: ${e.value}\n  ${err instanceof SpnegoError ? `error ${err.code}: ${err.message}` : String(err)}`;
  }
  process.stderr.write(`${arrow}${text.replace(/\n/g, `\n${' '.repeat(arrow.length)}`)}\n`);
}

export async function runFetch(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      user: { type: 'string', short: 'u' },
      keytab: { type: 'string' },
      password: { type: 'string' },
      'password-file': { type: 'string' },
      spn: { type: 'string' },
      mech: { type: 'string', default: 'negotiate' },
      'no-ntlm-fallback': { type: 'boolean', default: false },
      proxy: { type: 'string' },
      mutual: { type: 'boolean', default: false },
      delegation: { type: 'boolean', default: false },
      'allow-weak-crypto': { type: 'boolean', default: false },
      location: { type: 'boolean', short: 'L', default: false },
      request: { type: 'string', short: 'X' },
      header: { type: 'string', short: 'H', multiple: true },
      data: { type: 'string', short: 'd' },
      include: { type: 'boolean', short: 'i', default: false },
      output: { type: 'string', short: 'o' },
      insecure: { type: 'boolean', short: 'k', default: false },
      cacert: { type: 'string' },
      verbose: { type: 'boolean', short: 'v', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (positionals.length !== 1) {
    process.stderr.write(HELP);
    return 2;
  }
  const url = urlArg(positionals[0]!);
  // curl's -u USER:PASSWORD, and -u : for "no user, the ticket cache".
  let user = values.user;
  let pw = password(values);
  if (user !== undefined && user.includes(':')) {
    const i = user.indexOf(':');
    if (i < user.length - 1) pw = user.slice(i + 1);
    user = user.slice(0, i);
  }
  if (user === '') user = undefined;
  if (user === undefined && (values.password !== undefined || values['password-file'] !== undefined)) {
    throw new SpnegoError('BAD_ARGUMENT', '--password and --password-file need -u USER');
  }
  if (values.mech !== 'negotiate' && values.mech !== 'ntlm' && values.mech !== 'kerberos') {
    throw new SpnegoError('BAD_ARGUMENT', `--mech must be negotiate, kerberos or ntlm, not ${values.mech}`);
  }
  // Without -u, or with a user but neither password nor keytab: the Kerberos credential cache,
  // as curl --negotiate does (it never uses the password for GSS-API).
  const credential = user !== undefined && (pw !== undefined || values.keytab)
    ? { username: user, ...(pw !== undefined ? { password: pw } : {}), ...(values.keytab ? { keytab: values.keytab } : {}) }
    : {};
  const headers = new Headers();
  for (const h of values.header ?? []) {
    const i = h.indexOf(':');
    if (i <= 0) throw new SpnegoError('BAD_ARGUMENT', `-H wants 'Name: value', got ${JSON.stringify(h)}`);
    try {
      headers.append(h.slice(0, i).trim(), h.slice(i + 1).trim());
    } catch {
      throw new SpnegoError('BAD_ARGUMENT', `-H ${JSON.stringify(h)} is not a valid header (no CR or LF, a token for the name)`);
    }
  }
  let body: Uint8Array | undefined;
  if (values.data !== undefined) {
    body = values.data.startsWith('@') ? new Uint8Array(readUserFile(values.data.slice(1), 'the -d file')) : new TextEncoder().encode(values.data);
    if (!headers.has('content-type')) headers.set('content-type', 'application/x-www-form-urlencoded');
  }
  const method = values.request ?? (body ? 'POST' : 'GET');
  const f = createFetch({
    credential,
    mech: values.mech,
    ...(values.spn ? { spn: values.spn } : {}),
    ...(values.proxy ? { proxy: values.proxy } : {}),
    noNtlmFallback: values['no-ntlm-fallback'],
    requireMutualAuth: values.mutual,
    ...(values.delegation ? { delegate: true } : {}),
    ...(values['allow-weak-crypto'] ? { allowWeakCrypto: true } : {}),
    tls: { ...(values.insecure ? { rejectUnauthorized: false } : {}), ...(values.cacert ? { ca: readFileSync(values.cacert) } : {}) },
    ...(values.verbose ? { onAuthHeader: verbose } : {}),
  });
  try {
    let res: Response;
    try {
      res = await f(url, { method, headers, redirect: values.location ? 'follow' : 'manual', ...(body ? { body } : {}) });
    } catch (e) {
      if (e instanceof SpnegoError && e.code === 'NO_CRED' && user !== undefined && !('username' in credential)) {
        throw new SpnegoError('NO_CRED', `no password for ${user} (pass --password, --password-file or SPNEGO_PASSWORD, or --keytab) and no usable Kerberos ticket in the credential cache (${e.message})`);
      }
      if (e instanceof TypeError) {
        const cause = (e as { cause?: unknown }).cause;
        throw new SpnegoError('UNAVAILABLE', `${e.message}${cause instanceof Error ? `: ${cause.message}` : ''}`);
      }
      throw e;
    }
    const data = new Uint8Array(await res.arrayBuffer());
    if (values.include) {
      let head = `HTTP/1.1 ${res.status} ${res.statusText}\r\n`;
      res.headers.forEach((v, k) => {
        head += `${k}: ${v}\r\n`;
      });
      process.stdout.write(`${head}\r\n`);
    }
    if (values.output && values.output !== '-') {
      try {
        writeFileSync(values.output, data);
      } catch (e) {
        throw new SpnegoError('BAD_ARGUMENT', `cannot write ${values.output}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
      }
    } else process.stdout.write(data);
    if (values.verbose) {
      const info = authInfo(res);
      const o = info?.origin;
      process.stderr.write(
        `* ${res.status} ${res.statusText}; ${o ? `${o.scheme} (${o.mech ?? '?'}), ${o.legs} leg(s), final token ${o.mutual ? 'verified' : 'absent'}` : 'no origin authentication'}${info?.reusedConnection ? ', reused connection' : ''}${info?.proxy ? `; proxy ${info.proxy.scheme} (${info.proxy.mech ?? '?'}), ${info.proxy.legs} leg(s)` : ''}\n`,
      );
    }
    if (res.status < 200 || res.status > 299) {
      throw new SpnegoError(res.status === 401 || res.status === 407 ? 'UNAUTHORIZED' : 'FAILURE', `HTTP ${res.status} ${res.statusText}`.trim());
    }
    return 0;
  } finally {
    f.close();
  }
}
