// The fuzz driver: mutation-based, seeded, deterministic for a given --seed.
//   node dist/test/fuzz/fuzz.js [--runs N] [--target NAME] [--seconds S] [--seed X] [--replay FILE]
// For each target (test/fuzz/targets.ts) it runs N inputs (or until S seconds pass): mutations of
// the seeds (bit flips, byte sets, truncation, insertion, deletion, splicing two seeds, length
// fields bumped to huge values) and pure random inputs. An input fails when anything but a
// SpnegoError escapes, when a SpnegoError carries a caller-mistake code (BAD_ARGUMENT), when it takes more than 100 ms, or when the heap grows past a bound. A
// failing input is written as hex to fuzz-findings/ and the process exits 1.
// test/fuzz/all-targets.test.ts runs the same engine briefly inside `npm test`.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { SpnegoError } from '../../src/errors.js';
import type { FuzzTarget } from './targets.js';

export const MAX_MS = 100;
/** heapUsed + arrayBuffers above this after an input is "unbounded allocation". */
export const MAX_HEAP_BYTES = 768 * 1024 * 1024;
const MAX_LEN = 64 * 1024;
/** Codes that mean "the caller misused the API": hostile input must never produce them. */
export const CALLER_CODES: ReadonlySet<string> = new Set(['BAD_ARGUMENT']);

// ---------------------------------------------------------------- PRNG (xorshift128+, seeded)

export class Rng {
  private s0: bigint;
  private s1: bigint;
  constructor(seed: number) {
    this.s0 = BigInt.asUintN(64, BigInt(seed) * 0x9e3779b97f4a7c15n + 1n);
    this.s1 = BigInt.asUintN(64, (BigInt(seed) ^ 0xdeadbeefn) * 0xbf58476d1ce4e5b9n + 7n);
    for (let i = 0; i < 8; i++) this.next32();
  }
  next32(): number {
    let x = this.s0;
    const y = this.s1;
    this.s0 = y;
    x ^= BigInt.asUintN(64, x << 23n);
    x ^= x >> 17n;
    x ^= y ^ (y >> 26n);
    this.s1 = x;
    return Number(BigInt.asUintN(32, x + y));
  }
  /** 0 <= n < max */
  int(max: number): number {
    return max <= 1 ? 0 : this.next32() % max;
  }
  pick<T>(a: readonly T[]): T {
    return a[this.int(a.length)]!;
  }
  bytes(n: number): Uint8Array {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = this.next32() & 0xff;
    return b;
  }
}

// ---------------------------------------------------------------- mutations

const INTERESTING = [0x00, 0x01, 0x02, 0x7f, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x88, 0xfe, 0xff, 0x30, 0x04, 0x06, 0x60, 0xa0, 0xa1, 0x1f, 0x3f];
const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

/** One mutation step; `other` is a second seed for splicing. */
function mutateOnce(rng: Rng, b: Uint8Array, other: Uint8Array): Uint8Array {
  const n = b.length;
  const at = rng.int(n + 1);
  switch (rng.int(10)) {
    case 0: // bit flip
      if (n) b[rng.int(n)]! ^= 1 << rng.int(8);
      return b;
    case 1: // byte set (interesting or random)
      if (n) b[rng.int(n)] = rng.int(2) ? rng.pick(INTERESTING) : rng.int(256);
      return b;
    case 2: // truncate
      return b.slice(0, at);
    case 3: // insert 1..16 bytes
      return concat(b.subarray(0, at), rng.int(2) ? rng.bytes(1 + rng.int(16)) : new Uint8Array([rng.pick(INTERESTING)]), b.subarray(at));
    case 4: { // delete a run
      const len = 1 + rng.int(Math.min(32, Math.max(1, n - at)));
      return concat(b.subarray(0, at), b.subarray(Math.min(n, at + len)));
    }
    case 5: { // splice: head of this with tail (or middle) of the other seed
      const from = rng.int(other.length + 1);
      return concat(b.subarray(0, at), other.subarray(from, from + rng.int(other.length - from + 1)), rng.int(2) ? b.subarray(at) : new Uint8Array(0));
    }
    case 6: { // DER length bump: turn a length into a huge long-form length
      if (n < 2) return b;
      const i = rng.int(n - 1) + 1;
      const big = rng.pick([[0x84, 0xff, 0xff, 0xff, 0xff], [0x84, 0x7f, 0xff, 0xff, 0xff], [0x88, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], [0x83, 0xff, 0xff, 0xff], [0x80], [0x82, 0x00, 0x01]]);
      const old = b[i]! & 0x80 ? 1 + (b[i]! & 0x7f) : 1;
      return concat(b.subarray(0, i), new Uint8Array(big), b.subarray(Math.min(n, i + old)));
    }
    case 7: { // little-endian 16/32-bit field bump (NTLM descriptors, NDR counts, file lengths)
      if (n < 4) return b;
      const i = rng.int(n - 3);
      const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
      const v = rng.pick([0xffffffff, 0x7fffffff, 0x80000000, 0xffff, 0x10000, n, n + 1, 0]);
      if (rng.int(2)) dv.setUint16(i, v & 0xffff, true);
      else dv.setUint32(i, v >>> 0, rng.int(2) === 0); // big-endian too: MIT files, krb5 tokens
      return b;
    }
    case 8: { // duplicate a chunk (repetition, nesting)
      if (!n) return b;
      const from = rng.int(n);
      const chunk = b.subarray(from, from + 1 + rng.int(Math.min(64, n - from)));
      let out = b;
      for (let k = 1 + rng.int(4); k > 0 && out.length < MAX_LEN; k--) out = concat(out.subarray(0, at), chunk, out.subarray(at));
      return out;
    }
    default: { // arithmetic on a byte
      if (n) {
        const i = rng.int(n);
        b[i] = (b[i]! + (rng.int(2) ? 1 : -1) * (1 + rng.int(16))) & 0xff;
      }
      return b;
    }
  }
}

/** A fresh input from the seeds: 1..8 stacked mutations, or (1 in 16) pure random bytes. */
export function mutateBytes(rng: Rng, seeds: readonly Uint8Array[]): Uint8Array {
  if (seeds.length === 0 || rng.int(16) === 0) return rng.bytes(rng.int(rng.int(8) === 0 ? 2048 : 128));
  let b: Uint8Array = rng.pick(seeds).slice();
  const other = rng.pick(seeds);
  for (let k = 1 + rng.int(rng.int(4) === 0 ? 8 : 3); k > 0; k--) b = mutateOnce(rng, b, other);
  return b.length > MAX_LEN ? b.slice(0, MAX_LEN) : b;
}

const TEXT_TOKENS = ['\n', '\r\n', ' ', '\t', '=', ',', '"', '\\', '{', '}', '[', ']', '*', '#', ';', ':', 'Negotiate ', 'NTLM ', 'Basic ', 'Kerberos ', '\u00ff', '\ud83d\ude00', '\u0000', '==', 'TlRMTVNTUAAB', 'YII'];

/** Text inputs: byte mutations of the latin1 form, plus token insertions (separators, scheme names, base64 prefixes). */
export function mutateText(rng: Rng, seeds: readonly string[]): string {
  if (seeds.length === 0 || rng.int(16) === 0) return Buffer.from(rng.bytes(rng.int(256))).toString(rng.int(2) ? 'latin1' : 'utf8');
  if (rng.int(3) === 0) {
    let s = rng.pick(seeds);
    for (let k = 1 + rng.int(4); k > 0; k--) {
      const at = rng.int(s.length + 1);
      const r = rng.int(3);
      s = r === 0 ? s.slice(0, at) + rng.pick(TEXT_TOKENS) + s.slice(at) : r === 1 ? s.slice(0, at) + s.slice(at + 1 + rng.int(16)) : s.slice(0, at) + rng.pick(TEXT_TOKENS).repeat(1 + rng.int(2000)) + s.slice(at);
    }
    return s;
  }
  const b = mutateBytes(rng, seeds.map((s) => new Uint8Array(Buffer.from(s, 'latin1'))));
  return Buffer.from(b).toString('latin1');
}

// ---------------------------------------------------------------- running

export interface Finding {
  readonly target: string;
  readonly reason: 'exception' | 'caller-code' | 'slow' | 'memory';
  readonly input: Uint8Array | string;
  readonly ms: number;
  readonly error?: unknown;
}

export interface RunStats {
  readonly target: string;
  executions: number;
  seconds: number;
  readonly codes: Set<string>;
  slowestMs: number;
  slowestInput: Uint8Array | string | undefined;
  finding?: Finding;
}

/** Runs one input and classifies it. Returns the time taken and the SpnegoError code when one came out. */
export async function runOne(t: FuzzTarget, input: Uint8Array | string): Promise<{ ms: number; code?: string; spnegoError?: SpnegoError; error?: unknown }> {
  const t0 = performance.now();
  try {
    await (t.run as (i: Uint8Array | string) => void | Promise<void>)(input);
  } catch (e) {
    const ms = performance.now() - t0;
    if (e instanceof SpnegoError) return { ms, code: e.code, spnegoError: e };
    return { ms, error: e };
  }
  return { ms: performance.now() - t0 };
}

/** Runs `runs` inputs (or until `seconds`) against one target; stops at the first finding. */
export async function fuzzTarget(t: FuzzTarget, o: { runs: number; seconds?: number; seed: number; maxMs?: number; onProgress?: (s: RunStats) => void }): Promise<RunStats> {
  const rng = new Rng(o.seed ^ hashName(t.name));
  const maxMs = o.maxMs ?? MAX_MS;
  const stats: RunStats = { target: t.name, executions: 0, seconds: 0, codes: new Set(), slowestMs: 0, slowestInput: undefined };
  const start = performance.now();
  const deadline = o.seconds === undefined ? Infinity : start + o.seconds * 1000;
  const gen = (): Uint8Array | string => (t.kind === 'text' ? mutateText(rng, t.seeds) : mutateBytes(rng, t.seeds));
  let lastReport = start;
  for (let i = 0; i < o.runs; i++) {
    // The seeds themselves first, then mutations.
    const input = i < t.seeds.length ? t.seeds[i]! : gen();
    const r = await runOne(t, input);
    stats.executions++;
    if (r.code) stats.codes.add(r.code);
    if (r.ms > stats.slowestMs) {
      stats.slowestMs = r.ms;
      stats.slowestInput = input;
    }
    if (r.error !== undefined) {
      stats.finding = { target: t.name, reason: 'exception', input, ms: r.ms, error: r.error };
      break;
    }
    if (r.code !== undefined && CALLER_CODES.has(r.code)) {
      stats.finding = { target: t.name, reason: 'caller-code', input, ms: r.ms, error: r.spnegoError };
      break;
    }
    if (r.ms > maxMs) {
      // Confirm (a GC pause or a busy machine can stall one run): the input must be slow again.
      const again = await runOne(t, input);
      if (again.ms > maxMs) {
        stats.finding = { target: t.name, reason: 'slow', input, ms: Math.min(r.ms, again.ms) };
        break;
      }
    }
    if ((i & 255) === 255) {
      const m = process.memoryUsage();
      if (m.heapUsed + m.arrayBuffers > MAX_HEAP_BYTES) {
        stats.finding = { target: t.name, reason: 'memory', input, ms: r.ms, error: new Error(`heap ${(m.heapUsed / 2 ** 20).toFixed(0)} MiB + buffers ${(m.arrayBuffers / 2 ** 20).toFixed(0)} MiB`) };
        break;
      }
      const now = performance.now();
      if (now > deadline) break;
      if (o.onProgress && now - lastReport > 10_000) {
        lastReport = now;
        stats.seconds = (now - start) / 1000;
        o.onProgress(stats);
      }
    }
  }
  stats.seconds = (performance.now() - start) / 1000;
  return stats;
}

function hashName(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

export function inputToHex(input: Uint8Array | string): string {
  return typeof input === 'string' ? Buffer.from(input, 'latin1').toString('hex') : Buffer.from(input).toString('hex');
}
export function describeFinding(f: Finding): string {
  const e = f.error instanceof Error ? (f.error.stack ?? String(f.error)) : f.error === undefined ? '' : String(f.error);
  return `${f.target}: ${f.reason} (${f.ms.toFixed(1)} ms), input ${inputToHex(f.input).length / 2} bytes\n${e}`;
}
function preview(input: Uint8Array | string | undefined): string {
  if (input === undefined) return '-';
  const h = inputToHex(input);
  return `${h.length / 2} B ${h.slice(0, 48)}${h.length > 48 ? '...' : ''}`;
}

// ---------------------------------------------------------------- CLI

async function main(argv: string[]): Promise<number> {
  const arg = (name: string): string | undefined => {
    const i = argv.lastIndexOf(`--${name}`); // the last wins: `npm run fuzz -- --runs 5000` overrides the script's default
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const runs = Number(arg('runs') ?? process.env.FUZZ_RUNS ?? 1_000_000);
  const seconds = arg('seconds') === undefined ? undefined : Number(arg('seconds'));
  const seed = Number(arg('seed') ?? process.env.FUZZ_SEED ?? 1);
  const only = arg('target');
  const replay = arg('replay');
  const { TARGETS, targetNamed } = await import('./targets.js');

  if (replay) {
    // Reproduce a finding: --replay fuzz-findings/<file>.hex --target NAME
    const t = only ? targetNamed(only) : undefined;
    if (!t) throw new Error('--replay needs --target NAME');
    const raw = Buffer.from(readFileSync(replay, 'utf8').trim(), 'hex');
    const input = t.kind === 'text' ? raw.toString('latin1') : new Uint8Array(raw);
    const r = await runOne(t, input);
    console.log(`${t.name}: ${r.ms.toFixed(2)} ms, ${r.error !== undefined ? 'UNTYPED ERROR' : r.code ? `SpnegoError ${r.code}` : 'ok'}`);
    if (r.error !== undefined) console.log(r.error instanceof Error ? r.error.stack : r.error);
    if (r.spnegoError) console.log(r.spnegoError.stack);
    return r.error !== undefined || r.ms > MAX_MS || (r.code !== undefined && CALLER_CODES.has(r.code)) ? 1 : 0;
  }

  const targets = only ? TARGETS.filter((t) => t.name === only || t.name.startsWith(`${only}:`) || (only.endsWith('*') && t.name.startsWith(only.slice(0, -1)))) : TARGETS;
  if (targets.length === 0) throw new Error(`no target ${only}; targets: ${TARGETS.map((t) => t.name).join(', ')}`);
  console.log(`fuzz: ${targets.length} targets, up to ${runs} executions each${seconds ? ` or ${seconds} s` : ''}, seed ${seed}`);
  let failed = 0;
  for (const t of targets) {
    const s = await fuzzTarget(t, {
      runs, seed, ...(seconds !== undefined ? { seconds } : {}),
      onProgress: (p) => console.log(`  ... ${p.target}: ${p.executions} execs, ${(p.executions / p.seconds).toFixed(0)}/s`),
    });
    console.log(
      `${t.name.padEnd(34)} ${String(s.executions).padStart(9)} execs ${(s.executions / s.seconds).toFixed(0).padStart(7)}/s ` +
        `codes [${[...s.codes].sort().join(' ')}] slowest ${s.slowestMs.toFixed(2)} ms (${preview(s.slowestInput)})`,
    );
    if (!s.finding && s.slowestInput !== undefined && s.slowestMs > MAX_MS / 2) {
      // Not a finding (a second run was fast, or it is under the bound), but worth a --replay.
      mkdirSync('fuzz-findings', { recursive: true });
      const file = `fuzz-findings/${t.name.replace(/[^A-Za-z0-9_.-]/g, '_')}-slowest.hex`;
      writeFileSync(file, inputToHex(s.slowestInput) + '\n');
      console.log(`  slowest input written to ${file}`);
    }
    if (s.finding) {
      failed++;
      mkdirSync('fuzz-findings', { recursive: true });
      const file = `fuzz-findings/${t.name.replace(/[^A-Za-z0-9_.-]/g, '_')}-${s.finding.reason}-${Date.now()}.hex`;
      writeFileSync(file, inputToHex(s.finding.input) + '\n');
      console.log(`FINDING ${describeFinding(s.finding)}\n  written to ${file}; reproduce: node dist/test/fuzz/fuzz.js --replay ${file} --target ${t.name}`);
    }
  }
  return failed ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(e);
      process.exit(2);
    },
  );
}
