// Benchmark (not a test): SPNEGO(Kerberos) handshakes per second, ours against the native
// `kerberos` npm addon (mongodb-js/kerberos over MIT's libgssapi_krb5), both measured in this
// process in this same invocation, one handshake at a time and with --concurrency (default 16)
// handshakes in flight. Issue 8 lists "at least 10x the native `kerberos` addon on SPNEGO
// handshakes".
//
// The addon is NOT a dependency of this package: bench/native/addon-install.sh installs it with
// `npm install --prefix` into a folder of its own outside our node_modules (default
// ${TMPDIR:-/tmp}/spnego-bench-kerberos-addon; node-gyp builds it against libkrb5-dev). It is
// loaded from there with createRequire.
//
// Both sides, per handshake: an initiator for HTTP@localhost (mutual authentication, SPNEGO) and
// an acceptor for it, stepping tokens until both are complete (NegTokenInit with the AP-REQ,
// accept-completed with the AP-REP, which the initiator verifies). Neither reaches the KDC: the
// bench runs `kinit alice` + `kvno HTTP/localhost` once into a temporary ccache (bench/lab-krb5.ts).
//   - addon: initializeClient('HTTP@localhost', { mechOID: GSS_MECH_OID_SPNEGO }) (flags default
//     MUTUAL|SEQUENCE) + initializeServer('HTTP@localhost'), KRB5CCNAME = that ccache,
//     KRB5_KTNAME = the lab's HTTP keytab, MIT's default replay cache (the file rcache, in a fresh
//     temporary KRB5RCACHEDIR). Each step runs on libuv's threadpool (UV_THREADPOOL_SIZE, default 4).
//     MIT reads the ccache and the keytab files in each context, as any process using it does.
//   - ours, as bench/krb5.ts section 4: ticket and service keys read once (readCcache /
//     readKeytab) and handed to SpnegoInitiator/SpnegoAcceptor over krb5; a MemoryReplayCache
//     (a fresh one per figure). Also through the public API, initiator({ credential: { ccache } })
//     + acceptor({ credential: { keytab: path } }): a context per handshake, both files checked (stat) each time.
// Concurrent: N async workers, each starting its next handshake when its last one finished. Ours
// is one JavaScript thread (nothing in a handshake waits on I/O once the files are read), so its
// concurrent figure shows the cost of interleaving, not parallelism. The CPU column is process CPU
// time (user + system, all threads) per handshake over the figure's warm-up and slices; on a
// shared machine it moves less than the rates do, so its ratio is given too.
//
//   npm run build && node dist/bench/addon.js [--seconds 1.5] [--concurrency 16] [--lab /tmp/spnego-lab.X] [--addon DIR/node_modules/kerberos]
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { cpus, tmpdir } from 'node:os';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MemoryReplayCache } from '../src/mech/krb5/replay-cache.js';
import { Krb5Client } from '../src/mech/krb5/client.js';
import { initiator, acceptor } from '../src/gss/context.js';
import { findLab, loadLabKrb5, spnegoKrb5Handshake, type LabKrb5 } from './lab-krb5.js';
import { rate, perSecond } from './timing.js';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const SECONDS = Number(arg('--seconds') ?? 1.5);
const CONCURRENCY = Number(arg('--concurrency') ?? 16);
const TARGET = 'HTTP@localhost';

/** The addon's API as far as this bench uses it (kerberos 7, index.d.ts). */
interface KerberosAddon {
  version: string;
  GSS_MECH_OID_SPNEGO: number;
  initializeClient(service: string, options: { mechOID: number }): Promise<{ step(challenge: string): Promise<string | null>; contextComplete: boolean }>;
  initializeServer(service: string): Promise<{ step(challenge: string): Promise<unknown>; contextComplete: boolean; response: string | null; username: string }>;
}

const lab = findLab(arg('--lab'));
if (!lab) {
  console.log('SPNEGO handshakes, ours against the kerberos addon: skipped: no lab (start scripts/lab/up.sh)');
  process.exit(0);
}
const work = mkdtempSync(join(tmpdir(), 'addon-bench-'));
let k: LabKrb5;
try {
  k = loadLabKrb5(lab, join(work, 'cc'));
} catch (e) {
  console.log(`SPNEGO handshakes, ours against the kerberos addon: skipped: ${(e as Error).message}`);
  rmSync(work, { recursive: true, force: true });
  process.exit(0);
}

// ---- the addon, from its own folder ----
let addon: KerberosAddon | undefined;
let addonWhy = '';
try {
  const dir =
    arg('--addon') ??
    execFileSync('bash', [fileURLToPath(new URL('../../bench/native/addon-install.sh', import.meta.url))], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 600_000 })
      .trim()
      .split('\n')
      .pop()!;
  // MIT reads these per call (libc getenv): set before the first one.
  Object.assign(process.env, k.env);
  const rcacheDir = join(work, 'rcache');
  mkdirSync(rcacheDir);
  process.env['KRB5RCACHEDIR'] = rcacheDir;
  delete process.env['KRB5RCACHETYPE'];
  addon = createRequire(import.meta.url)(dir) as KerberosAddon;
} catch (e) {
  addonWhy = ((e as { stderr?: string }).stderr || String(e)).trim().split('\n').pop() ?? 'install failed';
}

async function addonHandshake(a: KerberosAddon): Promise<{ legs: number; user: string }> {
  const c = await a.initializeClient(TARGET, { mechOID: a.GSS_MECH_OID_SPNEGO });
  const s = await a.initializeServer(TARGET);
  let tok = (await c.step('')) ?? '';
  let legs = 1;
  while (legs < 6) {
    await s.step(tok);
    const back = s.response ?? '';
    if (back === '') break;
    legs++;
    tok = (await c.step(back)) ?? '';
    if (tok === '') break;
    legs++;
  }
  if (!c.contextComplete || !s.contextComplete) throw new Error('the addon handshake did not complete');
  return { legs, user: s.username };
}

// ---- ours ----
const oursMemory = (rc: MemoryReplayCache) => () => spnegoKrb5Handshake(k.keys, k.ticket, rc);
const krb5Client = new Krb5Client({ env: { ...process.env, ...k.env } });
async function oursPublic(): Promise<void> {
  const c = initiator({ mech: 'negotiate', target: TARGET, credential: { ccache: k.ccacheName }, forbidNtlm: true, krb5Client });
  const s = acceptor({ credential: { keytab: lab!.mit.httpKeytab } });
  let tok = await c.step();
  let legs = 1;
  while (tok && legs < 6) {
    tok = legs % 2 === 1 ? await s.step(tok) : await c.step(tok);
    if (tok) legs++;
  }
  if (!c.complete || !s.complete || s.peerName?.principal !== k.alice.principal) throw new Error('our public-API handshake did not complete as alice');
}

interface Figure { hs: number; cpuUs: number }
async function measure(fn: () => Promise<unknown>, concurrency: number): Promise<Figure> {
  let calls = 0;
  const cpu0 = process.cpuUsage();
  const r = await rate(async () => {
    await fn();
    calls++;
  }, SECONDS, concurrency);
  const cpu = process.cpuUsage(cpu0);
  return { hs: perSecond(r), cpuUs: (cpu.user + cpu.system) / calls };
}

type Row = { measure: string; inFlight: number; ours: Figure; addon?: Figure };
const rows: Row[] = [];
const notes: string[] = [];
try {
  const legsOurs = (await spnegoKrb5Handshake(k.keys, k.ticket)).legs;
  let legsAddon: number | undefined;
  if (addon) {
    const first = await addonHandshake(addon);
    legsAddon = first.legs;
    if (first.user !== k.alice.principal) throw new Error(`the addon's acceptor saw ${first.user}, not ${k.alice.principal}`);
  }
  await oursPublic();
  for (const n of [1, CONCURRENCY]) {
    const a = addon ? await measure(() => addonHandshake(addon!), n) : undefined;
    const mem = await measure(oursMemory(new MemoryReplayCache()), n);
    const pub = await measure(oursPublic, n);
    rows.push({ measure: `SPNEGO(krb5), mutual, tokens: ours ${legsOurs}, addon ${legsAddon ?? '-'}; ours: ticket + keys in memory (as krb5.ts)`, inFlight: n, ours: mem, ...(a ? { addon: a } : {}) });
    rows.push({ measure: 'same; ours through the public API (initiator()/acceptor() per handshake: ccache and keytab files checked, parsed again only when changed)', inFlight: n, ours: pub, ...(a ? { addon: a } : {}) });
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

const f = (x: number | undefined) => (x === undefined ? '-' : x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toLocaleString('en-US', { maximumFractionDigits: 1 }));
const addonVersion = addon ? `kerberos ${addon.version} (mongodb-js/kerberos over MIT libgssapi_krb5), UV_THREADPOOL_SIZE=${process.env['UV_THREADPOOL_SIZE'] ?? '4 (default)'}` : `not available: ${addonWhy}`;
console.log(`SPNEGO(krb5) handshakes/s, ours against the kerberos addon: ${SECONDS} s per figure after a ${SECONDS / 4} s warm-up, fastest of 3 slices; same process, same run`);
console.log(`node ${process.version}, ${cpus()[0]?.model ?? 'unknown cpu'} x${cpus().length}; addon: ${addonVersion}; lab: ${lab.stateDir}\n`);
console.log('| measure | in flight | ours (TypeScript) /s | kerberos addon (MIT GSSAPI) /s | ours / addon | CPU µs per handshake: ours | addon | addon CPU / ours CPU |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of rows) {
  console.log(`| ${r.measure} | ${r.inFlight} | ${f(r.ours.hs)} | ${f(r.addon?.hs)} | ${r.addon ? (r.ours.hs / r.addon.hs).toFixed(2) : '-'} | ${f(r.ours.cpuUs)} | ${f(r.addon?.cpuUs)} | ${r.addon ? (r.addon.cpuUs / r.ours.cpuUs).toFixed(2) : '-'} |`);
}
if (notes.length > 0) console.log(`\n${notes.map((n) => `- ${n}`).join('\n')}`);
