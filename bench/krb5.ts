// Benchmark (not a test): Kerberos 5, ours (TypeScript) against MIT krb5 (C, libkrb5 +
// libgssapi_krb5) measured in this same invocation. MIT's side is a small C harness
// (bench/native/krb5_bench.c) compiled at bench time by bench/native/build.sh into a temporary
// directory; each MIT figure is one harness process, each of ours a loop in this process, both
// with a warm-up of a quarter of the time first.
//
//   1. string-to-key/s (aes256-cts-hmac-sha1-96, aes256-cts-hmac-sha384-192; default iterations)
//   2. encrypt+decrypt MB/s per AES enctype, 16 KiB and 1 MiB (MIT: krb5_c_encrypt/krb5_c_decrypt)
//   3. GSS wrap (confidentiality) + unwrap MB/s on an established aes256-cts-hmac-sha1-96 context,
//      and both against the `openssl speed` bound for AES-256-CBC + HMAC-SHA1 on this machine
//   4. handshakes/s (initiator + acceptor in one process, mutual auth, service ticket cached),
//      raw krb5 and inside SPNEGO, default replay caches (ours in memory, MIT's file rcache in a
//      temporary KRB5RCACHEDIR) and with replay caches off; acceptor-only AP-REQ verification/s
//   5. AS and TGS exchanges/s against the lab's MIT KDC
//
// Sections 3-5 need the lab (scripts/lab/up.sh): the ccache (kinit alice + kvno HTTP/localhost,
// once) and the HTTP keytab come from it; both sides then load them into memory (MIT: MEMORY
// ccache and keytab, credentials acquired once) and the handshake loops never reach the KDC.
//
//   npm run build && node dist/bench/krb5.js [--seconds 1.5] [--only 1,2,3,4,5] [--lab /tmp/spnego-lab.XXXXXX]
import { execFileSync } from 'node:child_process';
import { cpus, tmpdir } from 'node:os';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { getProfile } from '../src/crypto/krb5/registry.js';
import { EncType } from '../src/iana/krb5.js';
import { Krb5Initiator } from '../src/mech/krb5/gss-initiator.js';
import { Krb5Acceptor } from '../src/mech/krb5/gss-acceptor.js';
import { noReplayCache, MemoryReplayCache, type ReplayCache } from '../src/mech/krb5/replay-cache.js';
import { asExchange } from '../src/mech/krb5/as.js';
import { tgsExchange } from '../src/mech/krb5/tgs.js';
import { KdcTransport } from '../src/mech/krb5/transport.js';
import { parsePrincipal, formatPrincipal } from '../src/mech/krb5/principal.js';
import type { Credential, ServiceKey } from '../src/mech/krb5/credential.js';
import { findLab, loadLabKrb5, krb5Handshake as labKrb5Handshake, spnegoKrb5Handshake } from './lab-krb5.js';
import { rate as timedRate, perSecond, type Rate } from './timing.js';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const SECONDS = Number(arg('--seconds') ?? 1.5);
/** --only 1,4: run just those sections (the others print as not selected). */
const ONLY = arg('--only')?.split(',').map(Number);
const want = (section: number) => ONLY === undefined || ONLY.includes(section);
const MiB = 2 ** 20;
const PATH = process.env['PATH'] ?? '/usr/bin:/bin';
const work = mkdtempSync(join(tmpdir(), 'krb5-bench-'));

type Row = { section: string; measure: string; ours?: number; mit?: number; unit: string; note?: string };
const rows: Row[] = [];
const notes: string[] = [];

/** bench/timing.ts: warm-up, then SECONDS in three slices, the fastest counts (as the C harness). */
const rate = (fn: () => unknown): Promise<Rate> => timedRate(fn, SECONDS);
const mbps = (r: Rate, bytes: number) => (r.ops * bytes) / MiB / r.seconds;

// ---- MIT harness ----
let harness: string | undefined;
let harnessWhy = '';
try {
  const build = fileURLToPath(new URL('../../bench/native/build.sh', import.meta.url));
  const out = execFileSync('bash', [build, join(work, 'native')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });
  harness = out.trim().split('\n').pop();
} catch (e) {
  harnessWhy = ((e as { stderr?: string }).stderr ?? String(e)).trim().split('\n').pop() ?? 'build failed';
}
const mitVersion = (() => {
  try {
    return execFileSync('krb5-config', ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    try {
      return `libkrb5-3 ${execFileSync('dpkg-query', ['-W', '-f', '${Version}', 'libkrb5-3'], { encoding: 'utf8' }).trim()}`;
    } catch {
      return 'unknown';
    }
  }
})();

function mit(args: string[], env: Record<string, string> = {}): Rate | undefined {
  if (!harness) return undefined;
  try {
    const out = execFileSync(harness, args, { encoding: 'utf8', env: { PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
    return JSON.parse(out.trim().split('\n').pop()!) as Rate;
  } catch (e) {
    notes.push(`MIT harness ${args[0]} ${args[1] ?? ''} failed: ${((e as { stderr?: string }).stderr ?? String(e)).trim().split('\n').pop()}`);
    return undefined;
  }
}

// ---- 1. string-to-key ----
const PASSWORD = 'Alice-Pass1';
const SALT = 'SPNEGO.TESTalice';
for (const name of want(1) ? (['aes256-cts-hmac-sha1-96', 'aes256-cts-hmac-sha384-192'] as const) : []) {
  const p = getProfile(EncType[name]);
  const o = await rate(() => p.stringToKey(PASSWORD, SALT));
  const m = mit(['s2k', String(p.enctype), String(SECONDS), PASSWORD, SALT]);
  rows.push({ section: '1 string-to-key', measure: `${name} (${name.includes('sha1') ? 4096 : 32768} PBKDF2 iterations)`, ours: perSecond(o), ...(m ? { mit: perSecond(m) } : {}), unit: 'keys/s' });
}

// ---- 2. encrypt + decrypt ----
for (const name of want(2) ? (['aes256-cts-hmac-sha1-96', 'aes128-cts-hmac-sha1-96', 'aes256-cts-hmac-sha384-192', 'aes128-cts-hmac-sha256-128'] as const) : []) {
  const p = getProfile(EncType[name]);
  const key = p.randomToKey(new Uint8Array(randomBytes(p.keyBytes)));
  for (const size of [16 * 1024, MiB]) {
    const msg = new Uint8Array(randomBytes(size));
    let back: Uint8Array = msg;
    const o = await rate(() => {
      back = p.decrypt(key, 24, p.encrypt(key, 24, msg));
    });
    if (Buffer.compare(back, msg) !== 0) throw new Error(`${name}: decrypt did not give the message back`);
    const m = mit(['crypt', String(p.enctype), String(size), String(SECONDS)]);
    rows.push({ section: '2 encrypt+decrypt', measure: `${name}, ${size === MiB ? '1 MiB' : '16 KiB'}`, ours: mbps(o, size), ...(m ? { mit: mbps(m, size) } : {}), unit: 'MB/s' });
  }
}

// ---- the lab (bench/lab-krb5.ts) ----
const lab = findLab(arg('--lab'));
let labWhy = lab ? '' : 'no lab (start scripts/lab/up.sh)';
const kdc = lab ? new KdcTransport({ locate: async () => [{ host: lab.mit.kdc.host, port: lab.mit.kdc.port }] }) : undefined;
const enctypes = [EncType['aes256-cts-hmac-sha1-96'], EncType['aes128-cts-hmac-sha1-96'], EncType['aes256-cts-hmac-sha384-192'], EncType['aes128-cts-hmac-sha256-128']];
const alice = lab ? lab.mit.users[0]! : undefined;
const http = lab ? parsePrincipal(`HTTP/localhost@${lab.mit.realm}`) : undefined;
let labEnv: Record<string, string> = {};
let ticket: Credential | undefined;
let tgt: Credential | undefined;
let keys: ServiceKey[] = [];
if (lab) {
  try {
    const l = loadLabKrb5(lab, join(work, 'cc'));
    ({ ticket, tgt, keys } = l);
    labEnv = l.env;
  } catch (e) {
    labWhy = (e as Error).message;
  }
}
const skip = (section: string) => rows.push({ section, measure: `skipped: ${labWhy}`, unit: '' });

async function krb5Handshake(cred: Credential, replayCache?: ReplayCache, ticketCache = true): Promise<void> {
  await labKrb5Handshake(keys, cred, replayCache, ticketCache);
}

async function spnegoHandshake(cred: Credential, replayCache?: ReplayCache): Promise<number> {
  return (await spnegoKrb5Handshake(keys, cred, replayCache)).legs;
}

// ---- 3. GSS wrap + unwrap ----
let opensslBound: number | undefined;
if (want(3)) try {
  const speed = (args: string[]): number => {
    const out = execFileSync('openssl', ['speed', '-mr', ...args, '-bytes', '16384', '-seconds', '1'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 30_000 });
    return Number(/^\+F:\d+:[^:]+:([\d.]+)/m.exec(out)![1]);
  };
  const enc = speed(['-evp', 'aes-256-cbc']);
  const dec = speed(['-decrypt', '-evp', 'aes-256-cbc']);
  const mac = speed(['-hmac', 'sha1']);
  // Each message byte goes once through CBC encryption, once through CBC decryption, twice through HMAC-SHA1.
  opensslBound = 1 / (1 / enc + 1 / dec + 2 / mac) / MiB;
  notes.push(`openssl speed (16 KiB blocks, bytes/s): aes-256-cbc encrypt ${Math.round(enc / 1e6)} MB/s, decrypt ${Math.round(dec / 1e6)} MB/s, hmac(sha1) ${Math.round(mac / 1e6)} MB/s: bound for encrypt+decrypt of aes256-cts-hmac-sha1-96 = ${opensslBound.toFixed(0)} MiB/s (CTS and the confounder ignored)`);
} catch {
  notes.push('openssl speed not available: no bound computed');
}
if (!want(3)) {
  // not selected
} else if (ticket) {
  const ini = new Krb5Initiator({ credential: ticket });
  const acc = new Krb5Acceptor({ keys, replayCache: noReplayCache });
  await ini.step(await acc.step((await ini.step())!));
  if (acc.complete && ticket.sessionKey.enctype !== EncType['aes256-cts-hmac-sha1-96']) notes.push(`note: the service ticket's session key is enctype ${ticket.sessionKey.enctype}, not aes256-cts-hmac-sha1-96`);
  for (const size of [16 * 1024, MiB]) {
    const msg = new Uint8Array(randomBytes(size));
    let back: Uint8Array = msg;
    const o = await rate(() => {
      back = acc.unwrap(ini.wrap(msg, { encrypt: true })).message;
    });
    if (Buffer.compare(back, msg) !== 0) throw new Error('our unwrap did not give the message back');
    const m = mit(['wrap', String(size), String(SECONDS)], labEnv);
    const ours = mbps(o, size);
    rows.push({ section: '3 GSS wrap+unwrap', measure: `aes256-cts-hmac-sha1-96, conf, ${size === MiB ? '1 MiB' : '16 KiB'}`, ours, ...(m ? { mit: mbps(m, size) } : {}), unit: 'MB/s', ...(opensslBound ? { note: `ours ${((100 * ours) / opensslBound).toFixed(0)}% of the openssl bound${m ? `, MIT ${((100 * mbps(m, size)) / opensslBound).toFixed(0)}%` : ''}` } : {}) });
  }
} else skip('3 GSS wrap+unwrap');

// ---- 4. handshakes ----
if (!want(4)) {
  // not selected
} else if (ticket) {
  const rc = () => {
    const d = join(work, `rcache-${Math.random().toString(36).slice(2)}`);
    mkdirSync(d);
    return { ...labEnv, KRB5RCACHEDIR: d };
  };
  const none = { ...labEnv, KRB5RCACHETYPE: 'none' };
  const t = ticket;
  const hs = async (measure: string, fn: () => Promise<unknown>, args: string[], env: Record<string, string>) => {
    const o = await rate(fn);
    const m = mit(args, env);
    rows.push({ section: '4 handshakes', measure, ours: perSecond(o), ...(m ? { mit: perSecond(m) } : {}), unit: '/s' });
  };
  // A fresh in-memory cache per figure (the acceptor default is one shared per process, like this).
  const rc1 = new MemoryReplayCache();
  await hs('krb5, mutual, replay cache: ours memory, MIT file rcache', () => krb5Handshake(t, rc1), ['hs', 'krb5', String(SECONDS)], rc());
  await hs('krb5, mutual, replay cache off (noReplayCache / KRB5RCACHETYPE=none)', () => krb5Handshake(t, noReplayCache), ['hs', 'krb5', String(SECONDS)], none);
  const legs = await spnegoHandshake(t);
  const rc2 = new MemoryReplayCache();
  await hs(`SPNEGO(krb5), ${legs} tokens, replay cache: ours memory, MIT file rcache`, () => spnegoHandshake(t, rc2), ['hs', 'spnego', String(SECONDS)], rc());
  await hs('SPNEGO(krb5), replay cache off', () => spnegoHandshake(t, noReplayCache), ['hs', 'spnego', String(SECONDS)], none);
  const apReq = (await new Krb5Initiator({ credential: t }).step())!;
  await hs(`acceptor only: one AP-REQ (${apReq.length} B) verified + AP-REP, replay cache off`, async () => {
    const acc = new Krb5Acceptor({ keys, replayCache: noReplayCache });
    await acc.step(apReq);
    if (!acc.complete) throw new Error('our acceptor did not complete');
  }, ['accept', String(SECONDS)], none);
  // Ours reuses the decrypted ticket when a client presents the same one again (as every client
  // with a cached service ticket does on each new connection); MIT decrypts it each time. These
  // two rows turn that off: every AP-REQ as if its ticket were new.
  const rc3 = new MemoryReplayCache();
  await hs('krb5, mutual, replay cache on, our ticket cache off (each ticket decrypted, as MIT)', () => krb5Handshake(t, rc3, false), ['hs', 'krb5', String(SECONDS)], rc());
  await hs('acceptor only, our ticket cache off (the ticket decrypted each time, as MIT)', async () => {
    const acc = new Krb5Acceptor({ keys, replayCache: noReplayCache, ticketCache: false });
    await acc.step(apReq);
    if (!acc.complete) throw new Error('our acceptor did not complete');
  }, ['accept', String(SECONDS)], none);
} else skip('4 handshakes');

// ---- 5. KDC exchanges ----
if (!want(5)) {
  // not selected
} else if (ticket && tgt && kdc && alice && http && lab) {
  const client = parsePrincipal(alice.principal);
  const t = tgt;
  const oAs = await rate(() => asExchange({ client, password: alice.password, kdc, enctypes, forwardable: true }));
  const mAs = mit(['as', String(SECONDS), alice.principal, alice.password], labEnv);
  rows.push({ section: '5 KDC (lab, loopback UDP)', measure: 'AS exchange with password (PREAUTH_REQUIRED, string-to-key, PA-ENC-TIMESTAMP: 2 round trips)', ours: perSecond(oAs), ...(mAs ? { mit: perSecond(mAs) } : {}), unit: '/s' });
  const oTgs = await rate(() => tgsExchange({ tgt: t, server: http, kdc, enctypes }));
  const mTgs = mit(['tgs', String(SECONDS), formatPrincipal(http)], labEnv);
  rows.push({ section: '5 KDC (lab, loopback UDP)', measure: 'TGS exchange for HTTP/localhost (never cached)', ours: perSecond(oTgs), ...(mTgs ? { mit: perSecond(mTgs) } : {}), unit: '/s' });
  notes.push('KDC figures: MIT in a harness loop (krb5_get_init_creds_password / krb5_get_credentials with KRB5_GC_NO_STORE on a MEMORY ccache holding only the TGT), not kinit/kvno processes; both include the KDC\'s own work on the same single-threaded krb5kdc');
} else skip('5 KDC (lab)');

// ---- report ----
const f = (x: number | undefined) => (x === undefined ? '-' : x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toLocaleString('en-US', { maximumFractionDigits: 1 }));
console.log(`Kerberos 5 benchmark: ${SECONDS} s per figure after a ${SECONDS / 4} s warm-up; ours and MIT in this same run`);
console.log(`node ${process.version}, ${cpus()[0]?.model ?? 'unknown cpu'} x${cpus().length}; MIT: ${mitVersion}${harness ? ' (C harness bench/native/krb5_bench.c)' : ` - harness not built: ${harnessWhy}`}; lab: ${lab && ticket ? lab.stateDir : labWhy}\n`);
console.log('| section | measure | unit | ours (TypeScript) | MIT krb5 (C) | ours / MIT | note |');
console.log('| --- | --- | --- | ---: | ---: | ---: | --- |');
for (const r of rows) {
  const ratio = r.ours !== undefined && r.mit !== undefined ? (r.ours / r.mit).toFixed(2) : '-';
  console.log(`| ${r.section} | ${r.measure} | ${r.unit} | ${f(r.ours)} | ${f(r.mit)} | ${ratio} | ${r.note ?? ''} |`);
}
if (notes.length > 0) console.log(`\n${notes.map((n) => `- ${n}`).join('\n')}`);
rmSync(work, { recursive: true, force: true });
