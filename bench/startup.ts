// Benchmark (not a test): the cost of a fresh process. Issue 8: "import of the package and a first
// handshake in a fresh process: report the milliseconds". --runs (default 10) fresh `node`
// processes per scenario, interleaved (run i of every scenario, then run i+1), each reporting:
//   - boot: performance.now() at the child's first line (ms since performance.timeOrigin, the
//     process start): node's own start-up, the same for every node scenario;
//   - import: the package entry, `await import('spnego')` (this package's export, dist/src/index.js,
//     by self-reference), or `require()` of the kerberos addon;
//   - first handshake: initiator + acceptor in the process, stepping tokens until both are complete:
//       ntlm: initiator({ credential: { username, password } }) + acceptor({ credential: { ntlmUsers } }),
//             SPNEGO(NTLM) with the mechListMIC (the user file written here);
//       krb5: initiator({ target: 'HTTP@localhost', credential: { ccache } }) + acceptor({ credential:
//             { keytab } }) from the lab (kinit alice + kvno HTTP/localhost once, bench/lab-krb5.ts),
//             SPNEGO(krb5) with mutual authentication: both files read, no KDC;
//   - wall: spawn to exit, as seen from this process.
// The first handshake is each child's only one, so it pays for the lazily loaded code, the JIT's
// first compilations and node:crypto's first use. Median and min of the runs are reported.
// Compared with, when present: the `kerberos` addon in a fresh node process (require + one
// SPNEGO(krb5) handshake, installed by bench/native/addon-install.sh outside our dependencies) and
// python-gssapi (/usr/bin/python3: import gssapi + one SPNEGO(krb5) handshake over MIT).
//
// This file is also the child (--child MODE): it imports nothing of the package statically, so
// the child's import is the first load of the package.
//
//   npm run build && node dist/bench/startup.js [--runs 10] [--lab /tmp/spnego-lab.X] [--no-addon]
import { execFileSync, spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';

const boot = performance.now();
const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};

interface ChildReport { boot: number; import: number; handshake?: number; legs?: number }
interface ChildConfig { ntlmUsers: string; ccache: string; keytab: string; addon?: string }

async function child(mode: string, cfg: ChildConfig): Promise<ChildReport> {
  if (mode === 'addon') {
    const { createRequire } = await import('node:module');
    const t0 = performance.now();
    const k = createRequire(import.meta.url)(cfg.addon!) as {
      GSS_MECH_OID_SPNEGO: number;
      initializeClient(s: string, o: { mechOID: number }): Promise<{ step(c: string): Promise<string | null>; contextComplete: boolean }>;
      initializeServer(s: string): Promise<{ step(c: string): Promise<unknown>; contextComplete: boolean; response: string | null }>;
    };
    const t1 = performance.now();
    const c = await k.initializeClient('HTTP@localhost', { mechOID: k.GSS_MECH_OID_SPNEGO });
    const s = await k.initializeServer('HTTP@localhost');
    await s.step((await c.step('')) ?? '');
    await c.step(s.response ?? '');
    if (!c.contextComplete || !s.contextComplete) throw new Error('addon handshake did not complete');
    return { boot, import: t1 - t0, handshake: performance.now() - t1, legs: 2 };
  }
  const t0 = performance.now();
  const m = (await import('spnego' as string)) as typeof import('../src/index.js');
  const t1 = performance.now();
  if (mode === 'import') return { boot, import: t1 - t0 };
  const [c, s] =
    mode === 'ntlm'
      ? [m.initiator({ mech: 'negotiate', target: 'HTTP@localhost', credential: { username: 'BENCH\\alice', password: 'Bench-Pass1' } }), m.acceptor({ credential: { ntlmUsers: cfg.ntlmUsers }, ntlm: { netbiosDomain: 'BENCH' } })]
      : [m.initiator({ mech: 'negotiate', target: 'HTTP@localhost', credential: { ccache: cfg.ccache }, forbidNtlm: true }), m.acceptor({ credential: { keytab: cfg.keytab } })];
  let tok = await c.step();
  let legs = 1;
  while (tok && legs < 8) {
    tok = legs % 2 === 1 ? await s.step(tok) : await c.step(tok);
    if (tok) legs++;
  }
  if (!c.complete || !s.complete || !s.peerName) throw new Error(`${mode} handshake did not complete`);
  return { boot, import: t1 - t0, handshake: performance.now() - t1, legs };
}

if (arg('--child')) {
  const r = await child(arg('--child')!, JSON.parse(arg('--config')!) as ChildConfig);
  process.stdout.write(`${JSON.stringify(r)}\n`);
} else {
  await parent();
}

async function parent(): Promise<void> {
  const { cpus, tmpdir } = await import('node:os');
  const { mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { fileURLToPath } = await import('node:url');
  const { findLab, loadLabKrb5 } = await import('./lab-krb5.js');
  const RUNS = Number(arg('--runs') ?? 10);
  const self = fileURLToPath(import.meta.url);
  const work = mkdtempSync(join(tmpdir(), 'startup-bench-'));
  const PATH = process.env['PATH'] ?? '/usr/bin:/bin';
  const notes: string[] = [];
  try {
    const ntlmUsers = join(work, 'users');
    writeFileSync(ntlmUsers, 'BENCH:alice:Bench-Pass1\n');
    const lab = findLab(arg('--lab'));
    let labWhy = lab ? '' : 'no lab (start scripts/lab/up.sh)';
    let krb5Env: Record<string, string> | undefined;
    let cfg: ChildConfig = { ntlmUsers, ccache: '', keytab: '' };
    if (lab) {
      try {
        const k = loadLabKrb5(lab, join(work, 'cc'));
        krb5Env = { ...k.env, KRB5RCACHEDIR: work };
        cfg = { ...cfg, ccache: k.ccacheName, keytab: lab.mit.httpKeytab };
      } catch (e) {
        labWhy = (e as Error).message;
      }
    }
    let addonWhy = '';
    if (process.argv.includes('--no-addon')) addonWhy = '--no-addon';
    else if (!krb5Env) addonWhy = labWhy;
    else {
      try {
        cfg.addon = execFileSync('bash', [fileURLToPath(new URL('../../bench/native/addon-install.sh', import.meta.url))], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 600_000 }).trim().split('\n').pop()!;
      } catch (e) {
        addonWhy = ((e as { stderr?: string }).stderr || String(e)).trim().split('\n').pop() ?? 'install failed';
      }
    }
    const python = '/usr/bin/python3';
    const pyScript = [
      'import time',
      't0 = time.perf_counter()',
      'import gssapi',
      't1 = time.perf_counter()',
      "spnego = gssapi.OID.from_int_seq('1.3.6.1.5.5.2')",
      "name = gssapi.Name('HTTP@localhost', gssapi.NameType.hostbased_service)",
      "c = gssapi.SecurityContext(name=name, mech=spnego, usage='initiate', flags=[gssapi.RequirementFlag.mutual_authentication, gssapi.RequirementFlag.out_of_sequence_detection])",
      "s = gssapi.SecurityContext(creds=gssapi.Credentials(usage='accept'), usage='accept')",
      'tok = c.step()',
      'legs = 1',
      'while tok is not None and legs < 8:',
      '    tok = s.step(tok) if legs % 2 == 1 else c.step(tok)',
      '    legs += tok is not None',
      'assert c.complete and s.complete',
      't2 = time.perf_counter()',
      'import json',
      "print(json.dumps({'import': (t1 - t0) * 1000, 'handshake': (t2 - t1) * 1000, 'legs': legs}))",
    ].join('\n');
    let pythonWhy = '';
    if (!krb5Env) pythonWhy = labWhy;
    else {
      try {
        execFileSync(python, ['-c', 'import gssapi'], { stdio: 'ignore', timeout: 20_000 });
      } catch {
        pythonWhy = `${python} has no gssapi (apt-get install python3-gssapi)`;
      }
    }

    interface Scenario { key: string; label: string; handshake: string; run: () => ChildReport & { wall: number } }
    const nodeChild = (mode: string, env: Record<string, string>) => () => {
      const t0 = performance.now();
      const r = spawnSync(process.execPath, [self, '--child', mode, '--config', JSON.stringify(cfg)], { encoding: 'utf8', env: { PATH, ...env }, timeout: 60_000 });
      const wall = performance.now() - t0;
      if (r.status !== 0) throw new Error(`child ${mode} failed: ${(r.stderr || String(r.error)).trim().split('\n').pop()}`);
      return { ...(JSON.parse(r.stdout.trim().split('\n').pop()!) as ChildReport), wall };
    };
    // The NTLM child must not find a Kerberos ticket through the default ccache.
    const noKrb5 = { KRB5CCNAME: `FILE:${join(work, 'none')}` };
    const scenarios: Scenario[] = [
      { key: 'import', label: 'ours: import the package', handshake: '-', run: nodeChild('import', noKrb5) },
      { key: 'ntlm', label: 'ours: import + first SPNEGO(NTLM) handshake', handshake: 'SPNEGO(NTLMv2), mechListMIC both ways', run: nodeChild('ntlm', noKrb5) },
    ];
    if (krb5Env) scenarios.push({ key: 'krb5', label: 'ours: import + first SPNEGO(krb5) handshake', handshake: 'SPNEGO(krb5), mutual; ccache + keytab files', run: nodeChild('krb5', krb5Env) });
    if (krb5Env && cfg.addon) scenarios.push({ key: 'addon', label: 'kerberos addon: require + first SPNEGO(krb5) handshake', handshake: 'SPNEGO(krb5), mutual; MIT GSSAPI', run: nodeChild('addon', krb5Env) });
    if (krb5Env && !pythonWhy)
      scenarios.push({
        key: 'python',
        label: 'python-gssapi: import gssapi + first SPNEGO(krb5) handshake',
        handshake: 'SPNEGO(krb5), mutual; MIT GSSAPI',
        run: () => {
          const t0 = performance.now();
          const out = execFileSync(python, ['-c', pyScript], { encoding: 'utf8', env: { PATH, ...krb5Env }, timeout: 60_000 });
          return { boot: NaN, ...(JSON.parse(out.trim().split('\n').pop()!) as { import: number; handshake: number; legs: number }), wall: performance.now() - t0 };
        },
      });
    const results = new Map<string, (ChildReport & { wall: number })[]>(scenarios.map((s) => [s.key, []]));
    for (const s of scenarios) s.run(); // one unmeasured run each: the page cache, the addon's first dlopen
    for (let i = 0; i < RUNS; i++) for (const s of scenarios) results.get(s.key)!.push(s.run());

    const median = (xs: number[]) => {
      const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
      if (v.length === 0) return NaN;
      return v.length % 2 ? v[(v.length - 1) / 2]! : (v[v.length / 2 - 1]! + v[v.length / 2]!) / 2;
    };
    const min = (xs: number[]) => Math.min(...xs.filter((x) => Number.isFinite(x)));
    const f = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '-');
    const both = (xs: number[]) => (xs.every((x) => !Number.isFinite(x)) ? '-' : `${f(median(xs))} (${f(min(xs))})`);

    console.log(`Fresh-process start-up: ${RUNS} runs per scenario (interleaved, after one unmeasured run each); median (min) in ms`);
    console.log(`node ${process.version}, ${cpus()[0]?.model ?? 'unknown cpu'} x${cpus().length}; lab: ${krb5Env ? lab!.stateDir : labWhy}\n`);
    console.log('| scenario | handshake | boot: process start → first line | import | first handshake | process start → import done | start → handshake done | wall: spawn → exit |');
    console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const s of scenarios) {
      const r = results.get(s.key)!;
      const hs = r.map((x) => x.handshake ?? NaN);
      console.log(
        `| ${s.label} | ${s.handshake} | ${both(r.map((x) => x.boot))} | ${both(r.map((x) => x.import))} | ${both(hs)} | ${both(r.map((x) => x.boot + x.import))} | ${both(r.map((x) => x.boot + x.import + (x.handshake ?? NaN)))} | ${both(r.map((x) => x.wall))} |`,
      );
    }
    if (!krb5Env) notes.push(`Kerberos scenarios skipped: ${labWhy}`);
    if (krb5Env && !cfg.addon) notes.push(`kerberos addon skipped: ${addonWhy}`);
    if (krb5Env && pythonWhy) notes.push(`python-gssapi skipped: ${pythonWhy}`);
    notes.push('python: boot is not measured in process; its import and handshake are time.perf_counter() around `import gssapi` and the handshake, its wall includes the interpreter start');
    console.log(`\n${notes.map((n) => `- ${n}`).join('\n')}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
