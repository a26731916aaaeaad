// Benchmark (not a test): SPNEGO handshakes per second with NTLM inside, initiator + acceptor in
// one process: NegTokenInit(NEGOTIATE), accept-incomplete(CHALLENGE), AUTHENTICATE with the NTLM
// MIC + mechListMIC, accept-completed + mechListMIC, the initiator verifying it. Ours
// (SpnegoInitiator/SpnegoAcceptor over our NTLM, TypeScript) against MIT's SPNEGO over gss-ntlmssp
// through python-gssapi (`scripts/lab/spnego_peer.py bench`), both measured in this same
// invocation. Same set-up as bench/ntlm.ts: the python side needs only /usr/bin/python3 with
// python-gssapi and gss-ntlmssp, a user file (written here to a temporary directory) and
// _NO_WINBINDD=1: no lab daemon.
//
//   npm run build && node dist/bench/spnego.js [--seconds 2]
import { execFileSync } from 'node:child_process';
import { cpus, tmpdir } from 'node:os';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { SpnegoInitiator } from '../src/spnego/initiator.js';
import { SpnegoAcceptor } from '../src/spnego/acceptor.js';
import { ntlmAcceptorMech, ntlmInitiatorMech } from '../src/spnego/ntlm.js';
import type { MechCandidate } from '../src/spnego/mech.js';
import { NtlmUserFileStore } from '../src/mech/ntlm/store.js';

const secondsArg = process.argv.indexOf('--seconds');
const SECONDS = secondsArg > 0 ? Number(process.argv[secondsArg + 1]) : 2;
const DOMAIN = 'BENCH';
const USER = 'alice';
const PASSWORD = 'Bench-Pass1';

const dir = mkdtempSync(join(tmpdir(), 'spnego-bench-'));
const userFile = join(dir, 'users');
writeFileSync(userFile, `${DOMAIN}:${USER}:${PASSWORD}\n`);

/** One full handshake; returns the number of tokens exchanged (4 when all went as expected). */
async function handshake(ini: MechCandidate, acc: MechCandidate): Promise<number> {
  const i = new SpnegoInitiator({ mechs: [ini] });
  const a = new SpnegoAcceptor({ mechs: [acc] });
  let tok = await i.step();
  let legs = 1;
  while (tok && legs < 8) {
    tok = legs % 2 === 1 ? await a.step(tok) : await i.step(tok);
    if (tok) legs++;
  }
  if (!i.complete || !a.complete || !i.mic.sent || !i.mic.received) throw new Error('our SPNEGO handshake did not complete with the mechListMIC both ways');
  return legs;
}

async function ours(): Promise<{ hs: number; legs: number }> {
  const store = new NtlmUserFileStore(userFile);
  const ini = ntlmInitiatorMech({ credential: { username: USER, domain: DOMAIN, password: PASSWORD }, target: 'HTTP/localhost' });
  const acc = ntlmAcceptorMech({ store, netbiosDomain: DOMAIN, netbiosComputer: 'WEB' });
  let legs = 0;
  for (let i = 0; i < 50; i++) legs = await handshake(ini, acc);
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < SECONDS * 1000) {
    await handshake(ini, acc);
    n++;
  }
  return { hs: (n * 1000) / (performance.now() - t0), legs };
}

function mitSpnego(): { hs: number; legs: number } {
  const script = fileURLToPath(new URL('../../scripts/lab/spnego_peer.py', import.meta.url));
  const out = execFileSync('/usr/bin/python3', [script, 'bench', '--seconds', String(SECONDS), '--user', USER], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', NTLM_USER_FILE: userFile, _NO_WINBINDD: '1', KRB5CCNAME: `FILE:${join(dir, 'cc')}` },
    timeout: 120_000,
  });
  const r = JSON.parse(out.trim().split('\n').pop()!) as { handshakesPerSecond: number; legs: number };
  return { hs: r.handshakesPerSecond, legs: r.legs };
}

try {
  const o = await ours();
  const g = mitSpnego();
  const f = (x: number) => x.toLocaleString('en-US', { maximumFractionDigits: 1 });
  console.log(`SPNEGO (NTLM inside) benchmark: ${SECONDS} s per figure; node ${process.version}, ${cpus()[0]?.model ?? 'unknown cpu'} x${cpus().length}`);
  console.log('MIT side: python-gssapi + MIT libgssapi SPNEGO + gss-ntlmssp in one python process (includes python call overhead)\n');
  console.log('| measure | ours (TypeScript) | MIT SPNEGO + gss-ntlmssp (C via python-gssapi) | ours / MIT |');
  console.log('| --- | ---: | ---: | ---: |');
  console.log(`| handshakes/s (init + accept, NTLMv2 + NTLM MIC, mechListMIC both ways; tokens: ours ${o.legs}, MIT ${g.legs}) | ${f(o.hs)} | ${f(g.hs)} | ${(o.hs / g.hs).toFixed(2)} |`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
