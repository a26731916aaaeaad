// Load script (not a test; issue 8 "Load and faults"): `spnego serve` (Kerberos keytab + NTLM users
// from the lab) as a child process on 127.0.0.1, and N concurrent clients in this process for a
// bounded time, mixed four ways (client i gets kind i mod 4):
//   - krb5-keepalive: our initiator (Negotiate, alice's ccache), one handshake on a keep-alive
//     connection, then plain requests on it (connection-bound identity);
//   - krb5-fresh:     a new connection and a full handshake (AP-REQ, AP-REP verified) per request;
//   - ntlm-keepalive: the package's createFetch() with the lab's NTLM user, requests on its
//     pooled authenticated connection;
//   - ntlm-fresh:     a new createFetch() per request: new connection, 3-leg NTLM-in-SPNEGO.
// The service ticket is fetched once (kinit alice + one TGS, appended to a temporary ccache), so
// the KDC sees no load during the run. Counted: successes, failed authentications (a refusal,
// 401/400, a handshake that does not finish, an unverified final token; must be zero), transport
// errors, latency p50/p95/p99 per kind (keep-alive: one request; fresh: the whole handshake), and
// the server's RSS (`ps -o rss= -p PID`) every second: flat when the mean of the last 10 s is
// within 20% of the mean of the first 10 s after the warm-up.
//
//   npm run load                       (= npm run build && node dist/bench/load.js)
//   node dist/bench/load.js [--seconds 60] [--clients 200] [--warmup 10] [--lab /tmp/spnego-lab.X] [--redis]
//
// --redis: the server keeps its Kerberos replay cache in the lab's Redis (`serve --redis`) instead
// of in process. The in-process cache holds one entry (about 85 bytes) per accepted AP-REQ until
// its authenticator time + the clock skew (5 minutes; at most 1,000,000 entries, then it refuses
// rather than evicts), so under fresh Kerberos handshakes the server's heap grows by design for
// the first 5 minutes; with --redis that memory is Redis's.
//
// The lab: --lab, else LAB_STATE / LAB_STATE_DIR, else the one /tmp/spnego-lab.* with lab.json.
// Exit status 1 when any authentication failed or the server died.
import http from 'node:http';
import { spawn, execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { initiator } from '../src/gss/context.js';
import { Krb5Client } from '../src/mech/krb5/client.js';
import { createFetch } from '../src/http/client/fetch.js';

const argv = process.argv.slice(2);
function arg(name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}
function num(name: string, def: number): number {
  const v = arg(name);
  const n = v === undefined ? def : Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got ${JSON.stringify(v)}`);
  return n;
}
const SECONDS = num('--seconds', 60);
const CLIENTS = Math.floor(num('--clients', 200));
const WARMUP = Math.min(num('--warmup', 10), SECONDS / 3);
const WINDOW = Math.max(1, Math.min(10, Math.floor((SECONDS - WARMUP) / 2)));
const DRAIN_MS = 15_000;
const REDIS = argv.includes('--redis');

interface Lab {
  env: Record<string, string>;
  redis: { host: string; port: number };
  mit: { realm: string; httpKeytab: string; users: { name: string; password: string }[] };
  ntlm: { domain: string; userFile: string; users: { name: string; password: string }[] };
}

function findLab(): string {
  const given = arg('--lab') ?? process.env['LAB_STATE'] ?? process.env['LAB_STATE_DIR'];
  if (given) return given;
  const found = readdirSync('/tmp')
    .filter((d) => d.startsWith('spnego-lab.'))
    .map((d) => join('/tmp', d))
    .filter((d) => existsSync(join(d, 'lab.json')) && readFileSync(join(d, 'pids'), 'utf8').trim() !== '');
  if (found.length !== 1) throw new Error(`need the lab: pass --lab DIR or set LAB_STATE (found ${found.length} running labs under /tmp); start one with scripts/lab/up.sh`);
  return found[0]!;
}

const labDir = findLab();
const lab = JSON.parse(readFileSync(join(labDir, 'lab.json'), 'utf8')) as Lab;
const dir = mkdtempSync(join(tmpdir(), 'spnego-load-'));
const ccache = join(dir, 'alice.ccache');
// NTLM clients must not find a Kerberos ticket through the default cache.
process.env['KRB5CCNAME'] = `FILE:${join(dir, 'no-ticket.ccache')}`;
const krb5Client = new Krb5Client({ env: { ...process.env, ...lab.env, KRB5CCNAME: `FILE:${ccache}` } });
const alice = lab.mit.users.find((u) => u.name === 'alice')!;
const ntlmUser = lab.ntlm.users.find((u) => u.name === 'alice') ?? lab.ntlm.users[0]!;
const ntlmCredential = { username: `${lab.ntlm.domain}\\${ntlmUser.name}`, password: ntlmUser.password };

// ---- the server ----------------------------------------------------------------------------

interface Server {
  pid: number;
  url: string;
  authenticated: () => number;
  refused: () => number;
  lastRefusals: () => string[];
  exited: () => boolean;
  stop: () => Promise<void>;
}

async function startServer(): Promise<Server> {
  const main = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
  const child = spawn(
    process.execPath,
    [main, 'serve', '--host', '127.0.0.1', '--port', '0', '--keytab', lab.mit.httpKeytab, '--ntlm-users', lab.ntlm.userFile, '--ntlm-domain', lab.ntlm.domain, ...(REDIS ? ['--redis', `${lab.redis.host}:${lab.redis.port}`] : [])],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...lab.env } },
  );
  let authenticated = 0;
  let refused = 0;
  const refusals: string[] = [];
  let head = '';
  let partial = '';
  let exited = false;
  child.on('exit', () => (exited = true));
  // One line per authentication: counted, not kept (the log is long).
  child.stderr.on('data', (d: Buffer) => {
    const lines = (partial + d.toString()).split('\n');
    partial = lines.pop()!;
    for (const l of lines) {
      if (l.includes(' authenticated ')) authenticated++;
      else if (l.includes(' refused ')) {
        refused++;
        if (refusals.length < 20) refusals.push(l);
      } else if (head.length < 4096) head += `${l}\n`;
    }
  });
  const url = await new Promise<string>((resolve, reject) => {
    const t = setInterval(() => {
      const m = /listening on (http:\/\/\S+)/.exec(head);
      if (m) {
        clearInterval(t);
        resolve(m[1]!);
      } else if (exited) {
        clearInterval(t);
        reject(new Error(`spnego serve exited: ${head}`));
      }
    }, 20);
    setTimeout(() => {
      clearInterval(t);
      reject(new Error(`spnego serve did not start: ${head}`));
    }, 10_000).unref();
  });
  return {
    pid: child.pid!,
    url,
    authenticated: () => authenticated,
    refused: () => refused,
    lastRefusals: () => refusals,
    exited: () => exited,
    stop: () =>
      new Promise<void>((resolve) => {
        if (exited) return resolve();
        const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.on('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

function rssKiB(pid: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    execFile('ps', ['-o', 'rss=', '-p', String(pid)], (e, out) => {
      const n = Number(out.trim());
      resolve(e || !Number.isFinite(n) || n === 0 ? undefined : n);
    });
  });
}

// ---- the clients ---------------------------------------------------------------------------

type Kind = 'krb5-keepalive' | 'krb5-fresh' | 'ntlm-keepalive' | 'ntlm-fresh';
const KINDS: readonly Kind[] = ['krb5-keepalive', 'krb5-fresh', 'ntlm-keepalive', 'ntlm-fresh'];

interface Stats {
  ok: number;
  authFailed: number;
  errors: number;
  /** Keep-alive clients: connections that had to authenticate again (the socket was replaced). */
  reauth: number;
  lat: number[];
  samples: string[];
}
const stats = new Map<Kind, Stats>(KINDS.map((k) => [k, { ok: 0, authFailed: 0, errors: 0, reauth: 0, lat: [], samples: [] }]));

class AuthFailure extends Error {}

function note(s: Stats, what: string): void {
  if (s.samples.length < 5) s.samples.push(what.slice(0, 300));
}

interface Answer {
  status: number;
  www: string | undefined;
  reused: boolean;
}

function get(url: string, agent: http.Agent | false, authorization?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent, headers: authorization ? { Authorization: authorization } : {} }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, www: res.headers['www-authenticate'], reused: req.reusedSocket }));
      res.on('error', reject);
    });
    req.setTimeout(30_000, () => req.destroy(new Error('no answer in 30 s')));
    req.on('error', reject);
  });
}

/** Kerberos in SPNEGO over `agent`: one AP-REQ, the 200 carries the AP-REP, verified. */
async function krb5Handshake(url: string, agent: http.Agent | false): Promise<void> {
  const ctx = initiator({ mech: 'negotiate', target: 'HTTP@localhost', credential: { ccache }, krb5Client, forbidNtlm: true });
  const tok = await ctx.step();
  if (!tok) throw new AuthFailure('the initiator produced no token');
  const r = await get(url, agent, `Negotiate ${Buffer.from(tok).toString('base64')}`);
  if (r.status !== 200) throw new AuthFailure(`handshake refused: ${r.status}`);
  if (!r.www?.startsWith('Negotiate ')) throw new AuthFailure('the 200 carried no final token');
  await ctx.step(new Uint8Array(Buffer.from(r.www.slice(10), 'base64')));
  if (!ctx.complete) throw new AuthFailure('the final token (AP-REP) did not complete the context');
}

let stopping = false;

async function timedLoop(s: Stats, one: () => Promise<void>): Promise<void> {
  while (!stopping) {
    const t0 = performance.now();
    try {
      await one();
      s.ok++;
      s.lat.push(performance.now() - t0);
    } catch (e) {
      if (e instanceof AuthFailure) s.authFailed++;
      else s.errors++;
      note(s, `${e instanceof AuthFailure ? 'auth' : 'error'}: ${(e as Error).message}`);
      if (!(e instanceof AuthFailure)) await new Promise((r) => setTimeout(r, 50)); // no hot loop on a dead server
    }
  }
}

async function client(kind: Kind, url: string): Promise<void> {
  const s = stats.get(kind)!;
  // Spread the starts over the first second, as real clients arrive.
  await new Promise((r) => setTimeout(r, Math.random() * 1000));
  switch (kind) {
    case 'krb5-keepalive': {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      let authed = false;
      await timedLoop(s, async () => {
        if (!authed) {
          await krb5Handshake(url, agent);
          authed = true;
          return;
        }
        const r = await get(url, agent);
        if (r.status === 200) return;
        if (r.status === 401 && !r.reused) {
          // A new socket (the old one closed): not bound yet, authenticate it again.
          s.reauth++;
          authed = false;
          await krb5Handshake(url, agent);
          authed = true;
          return;
        }
        authed = false;
        throw new AuthFailure(`keep-alive request refused: ${r.status}`);
      });
      agent.destroy();
      return;
    }
    case 'krb5-fresh':
      await timedLoop(s, () => krb5Handshake(url, false));
      return;
    case 'ntlm-keepalive': {
      const f = createFetch({ credential: ntlmCredential, mech: 'negotiate', noNtlmFallback: false, requireMutualAuth: true, maxIdleConnections: 1 });
      await timedLoop(s, async () => {
        const r = await f(url);
        await r.arrayBuffer();
        if (r.status !== 200) throw new AuthFailure(`createFetch: ${r.status}`);
      });
      f.close();
      return;
    }
    case 'ntlm-fresh':
      await timedLoop(s, async () => {
        const f = createFetch({ credential: ntlmCredential, requireMutualAuth: true, maxIdleConnections: 0 });
        try {
          const r = await f(url);
          await r.arrayBuffer();
          if (r.status !== 200) throw new AuthFailure(`createFetch: ${r.status}`);
        } finally {
          f.close();
        }
      });
      return;
  }
}

// ---- the run -------------------------------------------------------------------------------

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
const ms = (n: number) => (Number.isNaN(n) ? '-' : n < 10 ? n.toFixed(2) : n.toFixed(1));
const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;

async function main(): Promise<number> {
  // alice's TGT (MIT kinit) and, once, the service ticket for HTTP/localhost into the same ccache.
  execFileSync('kinit', [`alice@${lab.mit.realm}`], { input: `${alice.password}\n`, env: { ...process.env, ...lab.env, KRB5CCNAME: `FILE:${ccache}` }, stdio: ['pipe', 'ignore', 'pipe'] });
  const warm = initiator({ mech: 'negotiate', target: 'HTTP@localhost', credential: { ccache }, krb5Client });
  await warm.step();

  const server = await startServer();
  process.stdout.write(`spnego serve pid ${server.pid} at ${server.url} (lab ${labDir}${REDIS ? `; replay cache in Redis ${lab.redis.host}:${lab.redis.port}` : '; in-process replay cache'}); ${CLIENTS} clients for ${SECONDS} s, warm-up ${WARMUP} s\n`);
  const rss: { t: number; kib: number }[] = [];
  const t0 = performance.now();
  let requestsAtLastSample = 0;
  const perSecond: number[] = [];
  const sampler = setInterval(() => {
    const t = (performance.now() - t0) / 1000;
    const total = [...stats.values()].reduce((n, s) => n + s.ok, 0);
    perSecond.push(total - requestsAtLastSample);
    requestsAtLastSample = total;
    void rssKiB(server.pid).then((kib) => {
      if (kib !== undefined) rss.push({ t, kib });
    });
  }, 1000);

  const clients = Array.from({ length: CLIENTS }, (_, i) => client(KINDS[i % KINDS.length]!, server.url));
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  stopping = true;
  const drained = await Promise.race([Promise.all(clients).then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), DRAIN_MS).unref())]);
  clearInterval(sampler);
  const elapsed = (performance.now() - t0) / 1000;
  const died = server.exited();
  await new Promise((r) => setTimeout(r, 300)); // the last log lines
  const serverAuth = server.authenticated();
  const serverRefused = server.refused();
  await server.stop();

  // Table.
  const rows: string[] = [
    '| kind | clients | successes | failed auth | transport errors | re-auth | req/s | p50 ms | p95 ms | p99 ms |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  const all: number[] = [];
  let ok = 0;
  let authFailed = 0;
  let errors = 0;
  for (const k of KINDS) {
    const s = stats.get(k)!;
    const n = Math.floor(CLIENTS / KINDS.length) + (KINDS.indexOf(k) < CLIENTS % KINDS.length ? 1 : 0);
    const sorted = Float64Array.from(s.lat).sort();
    const arr = Array.from(sorted);
    for (const v of s.lat) all.push(v);
    ok += s.ok;
    authFailed += s.authFailed;
    errors += s.errors;
    rows.push(`| ${k} | ${n} | ${s.ok} | ${s.authFailed} | ${s.errors} | ${s.reauth} | ${(s.ok / elapsed).toFixed(0)} | ${ms(pct(arr, 50))} | ${ms(pct(arr, 95))} | ${ms(pct(arr, 99))} |`);
  }
  const sortedAll = Array.from(Float64Array.from(all).sort());
  rows.push(`| **all** | ${CLIENTS} | ${ok} | ${authFailed} | ${errors} | | ${(ok / elapsed).toFixed(0)} | ${ms(pct(sortedAll, 50))} | ${ms(pct(sortedAll, 95))} | ${ms(pct(sortedAll, 99))} |`);
  process.stdout.write(`\n${rows.join('\n')}\n`);
  process.stdout.write(`\nelapsed ${elapsed.toFixed(1)} s${drained ? '' : ` (clients still busy ${DRAIN_MS / 1000} s after the end: not drained)`}; server log: ${serverAuth} authenticated, ${serverRefused} refused\n`);
  const rateLine = perSecond.map((n) => String(n)).join(' ');
  process.stdout.write(`successful requests per second: ${rateLine}\n`);

  // Memory.
  const mb = (kib: number) => (kib / 1024).toFixed(1);
  process.stdout.write(`\nserver RSS (MiB), one sample a second:\n${rss.map((r) => mb(r.kib)).join(' ')}\n`);
  const after = rss.filter((r) => r.t >= WARMUP);
  const first = after.filter((r) => r.t < WARMUP + WINDOW).map((r) => r.kib);
  const last = after.slice(-WINDOW).map((r) => r.kib);
  let flat = false;
  if (first.length > 0 && last.length > 0) {
    const a = mean(first);
    const b = mean(last);
    const growth = (b - a) / a;
    flat = growth <= 0.2;
    process.stdout.write(
      `RSS mean ${mb(a)} MiB over ${WARMUP}-${WARMUP + WINDOW} s, ${mb(b)} MiB over the last ${WINDOW} s: ${growth >= 0 ? '+' : ''}${(growth * 100).toFixed(1)}% -> ${flat ? 'flat' : 'GROWING'} (threshold +20%); peak ${mb(Math.max(...rss.map((r) => r.kib)))} MiB\n`,
    );
  } else process.stdout.write('RSS: too few samples to compare\n');

  for (const k of KINDS) for (const x of stats.get(k)!.samples) process.stdout.write(`  ${k}: ${x}\n`);
  if (serverRefused > 0) process.stdout.write(`server refusals (first ${server.lastRefusals().length}):\n${server.lastRefusals().map((l) => `  ${l}`).join('\n')}\n`);
  if (died) process.stdout.write('THE SERVER EXITED DURING THE RUN\n');
  process.stdout.write(`\nfailed authentications: ${authFailed}${authFailed === 0 ? ' (none)' : ''}\n`);
  return authFailed > 0 || died ? 1 : 0;
}

let code = 1;
try {
  code = await main();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exit(code);
