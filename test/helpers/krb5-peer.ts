// Drives scripts/lab/krb5_gss_peer.py (MIT krb5 through python-gssapi: raw krb5 or SPNEGO,
// initiator or acceptor) over stdin/stdout, one JSON object per line, so one child process serves
// a whole handshake and then the per-message calls. Every call has a timeout; close() ends it.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { repoPath } from './paths.js';
import { SpnegoError } from '../../src/errors.js';
import type { SecurityContext } from '../../src/gss/context.js';

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
const unb64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));
const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);
const nonce = () => randomBytes(4).toString('hex');

export interface Reply {
  ok: boolean;
  error?: string;
  token?: string | null;
  data?: string;
  complete?: boolean;
  encrypted?: boolean;
  peer?: string;
  mech?: string;
  enctype?: number;
  flags?: string[];
  [k: string]: unknown;
}

export class MitPeer {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly lines: string[] = [];
  private waiter: ((l: string | null) => void) | undefined;
  private closed = false;
  private stderr = '';

  private constructor(readonly role: 'init' | 'accept', args: string[], env: Record<string, string>, python: string) {
    this.child = spawn(python, [repoPath('scripts/lab/krb5_gss_peer.py'), role, ...args], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, stdio: 'pipe' });
    this.child.stderr.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-3000)));
    const rl = createInterface({ input: this.child.stdout });
    rl.on('line', (l) => this.deliver(l));
    rl.on('close', () => {
      this.closed = true;
      this.deliver(null);
    });
  }

  private deliver(l: string | null): void {
    const w = this.waiter;
    this.waiter = undefined;
    if (w) w(l);
    else if (l !== null) this.lines.push(l);
  }

  /** `python`: the lab's (lab.json `python`), which has python-gssapi. */
  static async start(role: 'init' | 'accept', args: string[], env: Record<string, string>, python = '/usr/bin/python3'): Promise<MitPeer> {
    const p = new MitPeer(role, args, env, python);
    const r = await p.read();
    if (!r.ok) {
      await p.close();
      throw new Error(`krb5_gss_peer.py ${role} did not start: ${JSON.stringify(r)} ${p.stderr}`);
    }
    return p;
  }

  private read(): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`krb5_gss_peer.py ${this.role}: no answer; stderr: ${this.stderr}`)), 20_000);
      const done = (l: string | null) => {
        clearTimeout(t);
        if (l === null) reject(new Error(`krb5_gss_peer.py ${this.role} exited; stderr: ${this.stderr}`));
        else resolve(JSON.parse(l) as Reply);
      };
      const q = this.lines.shift();
      if (q !== undefined) done(q);
      else if (this.closed) done(null);
      else this.waiter = done;
    });
  }

  call(req: Record<string, unknown>): Promise<Reply> {
    this.child.stdin.write(`${JSON.stringify(req)}\n`);
    return this.read();
  }

  async must(req: Record<string, unknown>): Promise<Reply> {
    const r = await this.call(req);
    if (!r.ok) throw new Error(`krb5_gss_peer.py ${this.role} ${String(req.op)}: ${r.error ?? JSON.stringify(r)}`);
    return r;
  }

  async step(token?: Uint8Array): Promise<{ token: Uint8Array | undefined; complete: boolean }> {
    const r = await this.must({ op: 'step', token: token ? b64(token) : null });
    return { token: r.token ? unb64(r.token) : undefined, complete: r.complete === true };
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.closed) return;
    this.child.stdin.end('{"op":"quit"}\n');
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        this.child.kill('SIGKILL');
        resolve();
      }, 3000);
      this.child.once('exit', () => {
        clearTimeout(t);
        resolve();
      });
    });
  }
}

/** Wrap/unwrap with and without confidentiality and MIC, each way, between our context and MIT's. */
export async function perMessage(ours: SecurityContext, mit: MitPeer, label: string): Promise<void> {
  for (const conf of [true, false]) {
    const m1 = enc(`ours->MIT ${label} conf=${conf} ${nonce()}`);
    const u = await mit.must({ op: 'unwrap', token: b64(ours.wrap(m1, { encrypt: conf })) });
    assert.equal(dec(unb64(u.data!)), dec(m1));
    assert.equal(u.encrypted, conf, 'MIT sees the confidentiality we asked for');
    const m2 = enc(`MIT->ours ${label} conf=${conf} ${nonce()}`);
    const w = await mit.must({ op: 'wrap', data: b64(m2), conf });
    assert.equal(w.encrypted, conf);
    assert.equal(dec(ours.unwrap(unb64(w.token!))), dec(m2));
  }
  const m3 = enc(`our MIC ${label} ${nonce()}`);
  await mit.must({ op: 'verify_mic', data: b64(m3), token: b64(ours.getMic(m3)) });
  const m4 = enc(`MIT MIC ${label} ${nonce()}`);
  const mic = unb64((await mit.must({ op: 'get_mic', data: b64(m4) })).token!);
  ours.verifyMic(m4, mic);
  // The checks can fail: a MIC over other bytes is refused by each side.
  const bad = await mit.call({ op: 'verify_mic', data: b64(enc('other bytes')), token: b64(ours.getMic(m3)) });
  assert.equal(bad.ok, false, 'MIT refused a MIC over different bytes');
  assert.throws(() => ours.verifyMic(enc('other bytes'), mic), (e: unknown) => e instanceof SpnegoError && e.code === 'BAD_MIC');
}

/** Our initiator against MIT's acceptor until both are done; the trace (base64, `>` ours) for messages. */
export async function handshakeToMit(ctx: SecurityContext, peer: MitPeer): Promise<string[]> {
  let out = await ctx.step();
  const trace: string[] = [];
  for (let i = 0; i < 4 && !ctx.complete; i++) {
    assert.ok(out, `our initiator has nothing to send but is not complete\n${trace.join('\n')}`);
    trace.push(`> ${b64(out)}`);
    const r = await peer.step(out);
    if (!r.token) break;
    trace.push(`< ${b64(r.token)}`);
    out = await ctx.step(r.token);
  }
  assert.ok(ctx.complete, `our initiator complete\n${trace.join('\n')}`);
  assert.equal(out, undefined);
  return trace;
}

/** MIT's initiator against our acceptor until both are done. */
export async function handshakeFromMit(acc: SecurityContext, peer: MitPeer): Promise<void> {
  let r = await peer.step();
  for (let i = 0; i < 4 && !(acc.complete && r.complete); i++) {
    assert.ok(r.token, 'MIT initiator has a token to send');
    const out = await acc.step(r.token);
    if (!out) break;
    r = await peer.step(out);
  }
  assert.ok(acc.complete, 'our acceptor complete');
  assert.ok(r.complete, 'MIT initiator complete (verified our AP-REP)');
}
