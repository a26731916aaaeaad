// Benchmark (not a test): NTLM handshakes per second (initiator + acceptor in one process,
// NEGOTIATE/CHALLENGE/AUTHENTICATE with NTLMv2 and key exchange; ours also computes and checks the
// AUTHENTICATE MIC, which gss-ntlmssp outside SPNEGO does not send) and wrap+unwrap throughput
// with confidentiality on 1 MiB messages, ours (TypeScript) against gss-ntlmssp through
// python-gssapi, both measured in this same invocation. The python side needs only
// /usr/bin/python3 with python-gssapi and gss-ntlmssp installed, a user file (written here to a
// temporary directory) and _NO_WINBINDD=1: no lab daemon.
//
//   npm run build && node dist/bench/ntlm.js [--seconds 2]
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { NtlmInitiator } from '../src/mech/ntlm/initiator.js';
import { NtlmAcceptor } from '../src/mech/ntlm/acceptor.js';
import { NtlmUserFileStore } from '../src/mech/ntlm/store.js';

const secondsArg = process.argv.indexOf('--seconds');
const SECONDS = secondsArg > 0 ? Number(process.argv[secondsArg + 1]) : 2;
const SIZE = 1 << 20;
const DOMAIN = 'BENCH';
const USER = 'alice';
const PASSWORD = 'Bench-Pass1';

const dir = mkdtempSync(join(tmpdir(), 'ntlm-bench-'));
const userFile = join(dir, 'users');
writeFileSync(userFile, `${DOMAIN}:${USER}:${PASSWORD}\n`);

async function handshake(store: NtlmUserFileStore): Promise<[NtlmInitiator, NtlmAcceptor]> {
  const ini = new NtlmInitiator({ credential: { username: USER, domain: DOMAIN, password: PASSWORD }, target: 'HTTP/localhost' });
  const acc = new NtlmAcceptor({ store, netbiosDomain: DOMAIN, netbiosComputer: 'WEB' });
  let tok = await ini.step();
  for (let i = 0; i < 4 && !(ini.complete && acc.complete); i++) {
    tok = await acc.step(tok!);
    if (acc.complete) break;
    tok = await ini.step(tok);
  }
  if (!ini.complete || !acc.complete) throw new Error('our handshake did not complete');
  return [ini, acc];
}

async function ours(): Promise<{ hs: number; mbps: number }> {
  const store = new NtlmUserFileStore(userFile);
  for (let i = 0; i < 50; i++) await handshake(store);
  let n = 0;
  let t0 = performance.now();
  while (performance.now() - t0 < SECONDS * 1000) {
    await handshake(store);
    n++;
  }
  const hs = (n * 1000) / (performance.now() - t0);

  const [ini, acc] = await handshake(store);
  const msg = new Uint8Array(randomBytes(SIZE));
  const roundTrip = async () => acc.unwrap(await ini.wrap(msg, { encrypt: true }));
  for (let i = 0; i < 3; i++) await roundTrip();
  n = 0;
  t0 = performance.now();
  let last: unknown;
  while (performance.now() - t0 < SECONDS * 1000) {
    last = await roundTrip();
    n++;
  }
  const mbps = (n * SIZE) / 2 ** 20 / ((performance.now() - t0) / 1000);
  const out = last instanceof Uint8Array ? last : (last as { message: Uint8Array }).message;
  if (!out || Buffer.compare(Buffer.from(out), Buffer.from(msg)) !== 0) throw new Error('our unwrap did not give the message back');
  return { hs, mbps };
}

function gssNtlmssp(): { hs: number; mbps: number } {
  const script = fileURLToPath(new URL('../../scripts/lab/ntlm_peer.py', import.meta.url));
  const out = execFileSync('/usr/bin/python3', [script, 'bench', '--seconds', String(SECONDS), '--size', String(SIZE), '--user', USER], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', NTLM_USER_FILE: userFile, _NO_WINBINDD: '1', KRB5CCNAME: `FILE:${join(dir, 'cc')}` },
    timeout: 120_000,
  });
  const r = JSON.parse(out.trim().split('\n').pop()!) as { handshakesPerSecond: number; wrapUnwrapMBps: number };
  return { hs: r.handshakesPerSecond, mbps: r.wrapUnwrapMBps };
}

try {
  const o = await ours();
  const g = gssNtlmssp();
  const f = (x: number) => x.toLocaleString('en-US', { maximumFractionDigits: 1 });
  console.log(`NTLM benchmark: ${SECONDS} s per figure; node ${process.version}, ${cpus()[0]?.model ?? 'unknown cpu'} x${cpus().length}`);
  console.log('gss-ntlmssp side: python-gssapi + MIT libgssapi + gss-ntlmssp in one python process (includes python call overhead)\n');
  console.log('| measure | ours (TypeScript) | gss-ntlmssp (C via python-gssapi) | ours / gss-ntlmssp |');
  console.log('| --- | ---: | ---: | ---: |');
  console.log(`| handshakes/s (init + accept, NTLMv2, key exchange; MIC: ours only) | ${f(o.hs)} | ${f(g.hs)} | ${(o.hs / g.hs).toFixed(2)} |`);
  console.log(`| wrap+unwrap MB/s, sealed, 1 MiB messages | ${f(o.mbps)} | ${f(g.mbps)} | ${(o.mbps / g.mbps).toFixed(2)} |`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
