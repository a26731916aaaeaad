// Benchmark (not a test): HTTP Negotiate (NTLM inside SPNEGO, RFC 4559) round trips per second on
// loopback. Our server is `spnego serve` in its own process (one log line per authentication on
// its stderr, as in production). Measured:
//   - keep-alive: one handshake per connection, then plain requests on the authenticated
//     connection (connection-bound identity), sequential;
//   - fresh connections: a full 3-request handshake per connection (sequential, and 16 at once).
// Clients: ours (initiator() over node:http, and the package's createFetch(), in this process) and curl --negotiate over
// gss-ntlmssp (one curl invocation fetching N URLs, timed). The native comparison is the same curl
// against Apache mod_auth_gssapi from the lab (/auth/..., GssapiConnectionBound On, ntlmssp): a
// missing file under /auth (404 after authentication, no CGI) and the CGI /auth/whoami. Without a
// lab (LAB_STATE unset) only our server is measured, and the output says so.
//
//   npm run build && [LAB_STATE=/tmp/spnego-lab.X] node dist/bench/http.js [--seconds 2] [--curl-requests 2000]
import http from 'node:http';
import { spawn, execFile } from 'node:child_process';
import { cpus, tmpdir } from 'node:os';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { initiator } from '../src/gss/context.js';
import { createFetch, authInfo } from '../src/http/client/fetch.js';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const SECONDS = arg('--seconds', 2);
const CURL_N = arg('--curl-requests', 2000);
const CURL_FRESH_N = Math.max(20, Math.round(CURL_N / 20));

interface Lab {
  ntlm: { domain: string; userFile: string; users: { name: string; password: string }[] };
  apache: { url: string; host: string; port: number };
  env?: Record<string, string>;
}
const labState = process.env['LAB_STATE'];
const lab: Lab | undefined = labState ? (JSON.parse(readFileSync(join(labState, 'lab.json'), 'utf8')) as Lab) : undefined;

const dir = mkdtempSync(join(tmpdir(), 'spnego-http-bench-'));
const DOMAIN = lab?.ntlm.domain ?? 'BENCH';
const USER = 'alice';
const PASSWORD = lab?.ntlm.users.find((u) => u.name === USER)?.password ?? 'Bench-Pass1';
const userFile = lab?.ntlm.userFile ?? join(dir, 'users');
if (!lab) writeFileSync(userFile, `${DOMAIN}:${USER}:${PASSWORD}\n`);

async function startOurServer(): Promise<{ url: string; stop: () => Promise<void>; authLines: () => number }> {
  const main = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
  const child = spawn(process.execPath, [main, 'serve', '--port', '0', '--ntlm-users', userFile, '--ntlm-domain', DOMAIN], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`spnego serve did not start: ${err}`)), 10_000);
    child.stderr.on('data', () => {
      const m = /listening on (http:\/\/\S+)/.exec(err);
      if (m) {
        clearTimeout(t);
        resolve(m[1]!);
      }
    });
    child.on('exit', () => reject(new Error(`spnego serve exited: ${err}`)));
  });
  return {
    url,
    authLines: () => err.split('\n').filter((l) => / authenticated /.test(l)).length,
    stop: () =>
      new Promise<void>((resolve) => {
        child.on('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

function get(url: string, agent: http.Agent, authorization?: string): Promise<{ status: number; www: string | undefined }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent, headers: authorization ? { Authorization: authorization } : {} }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, www: res.headers['www-authenticate'] }));
      })
      .on('error', reject);
  });
}

/** Our client: the full handshake on the agent's single socket; the final token verified. */
async function handshake(url: string, agent: http.Agent): Promise<void> {
  const ctx = initiator({ mech: 'negotiate', target: 'HTTP@localhost', credential: { username: `${DOMAIN}\\${USER}`, password: PASSWORD } });
  let tok = await ctx.step();
  for (let i = 0; i < 5 && tok; i++) {
    const r = await get(url, agent, `Negotiate ${Buffer.from(tok).toString('base64')}`);
    const back = r.www?.startsWith('Negotiate ') ? new Uint8Array(Buffer.from(r.www.slice(10), 'base64')) : undefined;
    if (r.status === 200) {
      if (back) await ctx.step(back);
      if (!ctx.complete) throw new Error('final token not verified');
      return;
    }
    if (r.status !== 401 || !back) throw new Error(`handshake refused: ${r.status}`);
    tok = await ctx.step(back);
  }
  throw new Error('handshake did not finish');
}

async function timed(fn: () => Promise<void>): Promise<number> {
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < SECONDS * 1000) {
    await fn();
    n++;
  }
  return (n * 1000) / (performance.now() - t0);
}

async function oursClient(url: string): Promise<{ keepAlive: number; fresh: number; fresh16: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  await handshake(url, agent);
  for (let i = 0; i < 200; i++) await get(url, agent);
  const keepAlive = await timed(async () => {
    const r = await get(url, agent);
    if (r.status !== 200) throw new Error(`keep-alive request refused: ${r.status}`);
  });
  agent.destroy();
  const fresh = await timed(async () => {
    const a = new http.Agent({ keepAlive: true, maxSockets: 1 });
    await handshake(url, a);
    a.destroy();
  });
  const fresh16 =
    16 *
    (await timed(async () => {
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          const a = new http.Agent({ keepAlive: true, maxSockets: 1 });
          await handshake(url, a);
          a.destroy();
        }),
      );
    }));
  return { keepAlive, fresh, fresh16 };
}

/** The package's client, createFetch(): keep-alive on its pooled authenticated connection, and fresh handshakes. */
async function fetchClient(url: string): Promise<{ keepAlive: number; fresh: number }> {
  const credential = { username: `${DOMAIN}\\${USER}`, password: PASSWORD };
  const f = createFetch({ credential, requireMutualAuth: true });
  const first = await f(url);
  await first.arrayBuffer();
  if (first.status !== 200 || !authInfo(first)?.origin?.mutual) throw new Error(`createFetch: ${first.status}, final token not verified`);
  const one = async (ff: typeof f) => {
    const r = await ff(url);
    await r.arrayBuffer();
    if (r.status !== 200) throw new Error(`createFetch: ${r.status}`);
    return r;
  };
  for (let i = 0; i < 200; i++) await one(f);
  const keepAlive = await timed(async () => void (await one(f)));
  f.close();
  const fresh = await timed(async () => {
    const g = createFetch({ credential, requireMutualAuth: true });
    const r = await one(g);
    if (!authInfo(r)?.origin?.mutual) throw new Error('createFetch: final token not verified');
    g.close();
  });
  return { keepAlive, fresh };
}

const curlEnv = (): NodeJS.ProcessEnv => ({
  ...process.env,
  NTLM_USER_FILE: userFile,
  NTLMUSER: USER,
  _NO_WINBINDD: '1',
  // A cache file that does not exist: with a zero-byte one curl segfaults about half the time.
  KRB5CCNAME: `FILE:${join(dir, 'no-ticket.ccache')}`,
  ...(lab?.env?.['KRB5_CONFIG'] ? { KRB5_CONFIG: lab.env['KRB5_CONFIG'] } : {}),
});

function curlOnce(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('curl', args, { env: curlEnv(), maxBuffer: 1 << 24, timeout: 300_000 }, (e, out, err) => {
      if (e) return reject(new Error(`curl failed: ${e.message.slice(0, 200)} ${err.slice(0, 300)}`));
      resolve(out);
    });
  });
}

function check(out: string, n: number, ok: string): void {
  const codes = out.trim().split('\n');
  const bad = codes.filter((c) => c !== ok);
  if (codes.length !== n || bad.length > 0) throw new Error(`curl: ${bad.length} of ${codes.length} answers were not ${ok} (${bad.slice(0, 3).join(',')})`);
}

const CURL_ARGS = ['-sS', '-o', '/dev/null', '-w', '%{http_code}\\n'];

/** One curl invocation fetching `n` URLs on one keep-alive connection (it authenticates once); requests/s. */
async function curlKeepAlive(urlBase: string, n: number, ok: string, negotiate = true): Promise<number> {
  const t0 = performance.now();
  const out = await curlOnce([...CURL_ARGS, ...(negotiate ? ['--negotiate', '-u', ':'] : []), `${urlBase}?b=[1-${n}]`]);
  const dt = performance.now() - t0;
  check(out, n, ok);
  return (n * 1000) / dt;
}

/**
 * `n` curl processes one after the other, each one full handshake on its own connection;
 * handshakes/s (curl cannot put the legs of one NTLM handshake on a fresh connection per URL:
 * with 'Connection: close' its AUTHENTICATE lands on a new connection and is refused, rightly).
 */
async function curlFresh(url: string, n: number, ok: string, negotiate = true): Promise<number> {
  const t0 = performance.now();
  let out = '';
  for (let i = 0; i < n; i++) out += await curlOnce([...CURL_ARGS, ...(negotiate ? ['--negotiate', '-u', ':'] : []), url]);
  const dt = performance.now() - t0;
  check(out, n, ok);
  return (n * 1000) / dt;
}

const fmt = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));

const server = await startOurServer();
try {
  process.stdout.write(`HTTP Negotiate (NTLM in SPNEGO) on loopback, ${cpus().length} CPU(s) ${cpus()[0]?.model ?? ''}, node ${process.version}, ${SECONDS}s per figure\n`);
  process.stdout.write(`our server: spnego serve (${server.url}), one process, logging one line per authentication\n\n`);
  const o = await oursClient(server.url);
  const rows: [string, string, string][] = [
    ['our client -> our server', 'keep-alive requests/s (authenticated once)', fmt(o.keepAlive)],
    ['our client -> our server', 'full handshakes/s, fresh connections, sequential', fmt(o.fresh)],
    ['our client -> our server', 'full handshakes/s, fresh connections, 16 at once', fmt(o.fresh16)],
  ];
  const fc = await fetchClient(server.url);
  rows.push(['createFetch -> our server', 'keep-alive requests/s (pooled authenticated connection)', fmt(fc.keepAlive)]);
  rows.push(['createFetch -> our server', 'full handshakes/s (a new createFetch each, sequential)', fmt(fc.fresh)]);
  if (lab) {
    const apache404 = `http://localhost:${lab.apache.port}/auth/bench-missing`;
    const apacheCgi = lab.apache.url;
    const before = server.authLines();
    rows.push(['curl -> our server', `keep-alive requests/s (${CURL_N} URLs in one curl, auth once)`, fmt(await curlKeepAlive(server.url, CURL_N, '200'))]);
    const kaAuth = server.authLines() - before;
    rows.push(['curl -> Apache mod_auth_gssapi', `keep-alive requests/s (${CURL_N} URLs in one curl, 404 after auth)`, fmt(await curlKeepAlive(apache404, CURL_N, '404'))]);
    rows.push(['curl -> Apache mod_auth_gssapi', `keep-alive requests/s (${CURL_FRESH_N} URLs in one curl, CGI whoami)`, fmt(await curlKeepAlive(apacheCgi, CURL_FRESH_N, '200'))]);
    rows.push(['curl -> Apache (no auth)', `keep-alive requests/s (${CURL_N} URLs in one curl, static /public)`, fmt(await curlKeepAlive(lab.apache.url.replace(/\/auth\/whoami$/, '/public/index.html'), CURL_N, '200', false))]);
    rows.push(['curl -> our server', `full handshakes/s (${CURL_FRESH_N} curl runs, one each)`, fmt(await curlFresh(server.url, CURL_FRESH_N, '200'))]);
    rows.push(['curl -> Apache mod_auth_gssapi', `full handshakes/s (${CURL_FRESH_N} curl runs, 404 after auth)`, fmt(await curlFresh(apache404, CURL_FRESH_N, '404'))]);
    rows.push(['curl -> Apache (no auth)', `requests/s (${CURL_FRESH_N} curl runs, static /public: curl's own cost)`, fmt(await curlFresh(lab.apache.url.replace(/\/auth\/whoami$/, '/public/index.html'), CURL_FRESH_N, '200', false))]);
    const w = Math.max(...rows.map((r) => r[0].length));
    const w2 = Math.max(...rows.map((r) => r[1].length));
    for (const [a, b, c] of rows) process.stdout.write(`${a.padEnd(w)}  ${b.padEnd(w2)}  ${c.padStart(7)}\n`);
    process.stdout.write(`\ncurl keep-alive against our server authenticated ${kaAuth} time(s) for ${CURL_N} requests (connection-bound identity);\n`);
    process.stdout.write(`Apache (lab ${labState}) runs mpm_prefork with mod_auth_gssapi + gss-ntlmssp; curl's figures include starting curl once.\n`);
  } else {
    const w = Math.max(...rows.map((r) => r[0].length));
    const w2 = Math.max(...rows.map((r) => r[1].length));
    for (const [a, b, c] of rows) process.stdout.write(`${a.padEnd(w)}  ${b.padEnd(w2)}  ${c.padStart(7)}\n`);
    process.stdout.write('\nno lab (LAB_STATE unset): ours only, no Apache mod_auth_gssapi + curl comparison. Start one with\n');
    process.stdout.write('  S=$(bash scripts/lab/up.sh | tail -n1); LAB_STATE=$S node dist/bench/http.js\n');
  }
} finally {
  await server.stop();
  if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
}
