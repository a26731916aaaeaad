// Drives scripts/lab/spnego_peer.py (a real SPNEGO peer with NTLM inside: MIT's SPNEGO over
// gss-ntlmssp through python-gssapi, or Samba's ntlm_auth gss-spnego / gss-spnego-client helpers)
// over stdin/stdout, one JSON object per line, like test/helpers/peer.ts does for ntlm_peer.py
// (whose NtlmPeer cannot be reused: its constructor is private and names that script). Every call
// has a timeout; close() ends the child. Also: describe a SPNEGO token for trace assertions.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { authenticateMessageCodec, micFlagged } from '../../src/codec/ntlm/index.js';
import { decodeSpnegoToken } from '../../src/codec/spnego/spnego-token.js';
import { b64, labPeerEnv, unb64, type NtlmLab, type PeerOptions, type PeerReply, type PeerRole } from './peer.js';
import { repoPath } from './paths.js';

export type SpnegoPeerRole = PeerRole;

export class SpnegoPeer {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly lines: Interface;
  private readonly queue: string[] = [];
  private waiter: ((line: string | null) => void) | undefined;
  private closed = false;
  private stderr = '';
  private readonly emptyCcacheDir: string;
  readonly timeoutMs: number;

  private constructor(readonly role: SpnegoPeerRole, opts: PeerOptions) {
    this.timeoutMs = opts.timeoutMs ?? 15_000;
    const args = [repoPath('scripts/lab/spnego_peer.py'), role];
    if (opts.target) args.push('--target', opts.target);
    if (opts.user) args.push('--user', opts.user);
    if (opts.domain !== undefined) args.push('--domain', opts.domain);
    if (opts.password !== undefined) args.push('--password', opts.password);
    if (opts.flags) args.push('--flags', opts.flags);
    // No Kerberos ticket may leak in: an empty credential cache of our own.
    this.emptyCcacheDir = mkdtempSync(join(tmpdir(), 'spnego-peer-'));
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      KRB5CCNAME: `FILE:${join(this.emptyCcacheDir, 'cc')}`,
      ...opts.env,
    };
    this.child = spawn(opts.python ?? '/usr/bin/python3', args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (d: string) => {
      this.stderr = (this.stderr + d).slice(-4000);
    });
    this.lines = createInterface({ input: this.child.stdout });
    this.lines.on('line', (l) => this.deliver(l));
    this.lines.on('close', () => {
      this.closed = true;
      this.deliver(null);
    });
  }

  private deliver(line: string | null): void {
    const w = this.waiter;
    this.waiter = undefined;
    if (w) w(line);
    else if (line !== null) this.queue.push(line);
  }

  /** Spawns the peer with the lab's environment and waits for its {"ready": role} line. */
  static async startLab(lab: NtlmLab, role: SpnegoPeerRole, opts: PeerOptions = {}): Promise<SpnegoPeer> {
    const p = new SpnegoPeer(role, { python: lab.python, ...opts, env: { ...labPeerEnv(lab), ...opts.env } });
    try {
      const r = await p.read();
      if (!r.ok || r.ready !== role) throw new Error(`spnego_peer.py ${role} did not start: ${JSON.stringify(r)}`);
    } catch (e) {
      await p.close();
      throw e;
    }
    return p;
  }

  private read(): Promise<PeerReply> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new Error(`spnego_peer.py ${this.role}: no answer within ${this.timeoutMs} ms; stderr: ${this.stderr}`));
      }, this.timeoutMs);
      const done = (line: string | null) => {
        clearTimeout(timer);
        if (line === null) return reject(new Error(`spnego_peer.py ${this.role} exited; stderr: ${this.stderr}`));
        try {
          resolve(JSON.parse(line) as PeerReply);
        } catch {
          reject(new Error(`spnego_peer.py ${this.role}: not JSON: ${line}; stderr: ${this.stderr}`));
        }
      };
      const queued = this.queue.shift();
      if (queued !== undefined) done(queued);
      else if (this.closed) done(null);
      else this.waiter = done;
    });
  }

  /** Sends one request, returns the reply whether ok or not. */
  async call(req: Record<string, unknown>): Promise<PeerReply> {
    if (this.closed) throw new Error(`spnego_peer.py ${this.role} is closed; stderr: ${this.stderr}`);
    this.child.stdin.write(`${JSON.stringify(req)}\n`);
    return this.read();
  }

  /** Like call, but throws on {"ok": false}. */
  async must(req: Record<string, unknown>): Promise<PeerReply> {
    const r = await this.call(req);
    if (!r.ok) throw new Error(`spnego_peer.py ${this.role} ${String(req.op)}: ${r.error ?? JSON.stringify(r)}`);
    return r;
  }

  /**
   * One handshake leg, raw reply (ok false on a refused leg, with MIT's reject token if any).
   * `final`: for samba-init, the acceptor said it completed, so the helper gets "AF <token>".
   */
  async tryStep(token?: Uint8Array, final = false): Promise<PeerReply> {
    return this.call({ op: 'step', token: token ? b64(token) : null, final });
  }

  async step(token?: Uint8Array, final = false): Promise<{ token: Uint8Array | undefined; complete: boolean; reply: PeerReply }> {
    const r = await this.must({ op: 'step', token: token ? b64(token) : null, final });
    return { token: r.token ? unb64(r.token) : undefined, complete: r.complete === true, reply: r };
  }

  async wrap(data: Uint8Array, conf: boolean): Promise<{ token: Uint8Array; encrypted: boolean }> {
    const r = await this.must({ op: 'wrap', data: b64(data), conf });
    return { token: unb64(r.token!), encrypted: r.encrypted === true };
  }

  async unwrap(token: Uint8Array): Promise<{ data: Uint8Array; encrypted: boolean }> {
    const r = await this.must({ op: 'unwrap', token: b64(token) });
    return { data: unb64(r.data!), encrypted: r.encrypted === true };
  }

  async getMic(data: Uint8Array): Promise<Uint8Array> {
    return unb64((await this.must({ op: 'get_mic', data: b64(data) })).token!);
  }

  /** Resolves ok:true/false; never throws for a refused MIC. */
  async verifyMic(data: Uint8Array, token: Uint8Array): Promise<PeerReply> {
    return this.call({ op: 'verify_mic', data: b64(data), token: b64(token) });
  }

  async info(): Promise<PeerReply> {
    return this.must({ op: 'info' });
  }

  /** Asks the peer to quit, then kills it if it lingers. Safe to call twice. */
  async close(): Promise<void> {
    if (!this.closed && this.child.exitCode === null) {
      try {
        this.child.stdin.write('{"op":"quit"}\n');
        this.child.stdin.end();
      } catch {
        /* already gone */
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          this.child.kill('SIGKILL');
          resolve();
        }, 3000);
        this.child.once('exit', () => {
          clearTimeout(t);
          resolve();
        });
        if (this.child.exitCode !== null) {
          clearTimeout(t);
          resolve();
        }
      });
    }
    this.lines.close();
    rmSync(this.emptyCcacheDir, { recursive: true, force: true });
  }
}

const NTLM_TYPES = ['', 'NEGOTIATE', 'CHALLENGE', 'AUTHENTICATE'] as const;

/** The NTLM message type of a mech token, 'other' for anything else. */
export function ntlmTypeOf(tok: Uint8Array): string {
  const isNtlm = tok.length > 12 && Buffer.from(tok.subarray(0, 8)).toString('latin1') === 'NTLMSSP\0';
  return isNtlm ? (NTLM_TYPES[tok[8]!] ?? `type${tok[8]}`) : 'other';
}

/** True when an NTLM AUTHENTICATE carries a MIC and announces it (MsvAvFlags bit 0x2). */
export function authenticateHasMic(tok: Uint8Array): boolean {
  const m = authenticateMessageCodec.decode(tok);
  return m.mic !== undefined && micFlagged(m);
}

/**
 * One line per SPNEGO token: type, negState, supportedMech, inner NTLM message (with "+MIC" when an
 * AUTHENTICATE announces its NTLM MIC) and "mechListMIC" when present, e.g.
 * `negTokenResp accept-incomplete AUTHENTICATE+MIC mechListMIC`.
 */
export function describeSpnego(b: Uint8Array): string {
  const t = decodeSpnegoToken(b);
  const v = t.token.value as { negState?: string; supportedMech?: string; mechToken?: Uint8Array; responseToken?: Uint8Array; mechListMIC?: Uint8Array; mechTypes?: readonly string[] };
  const tok = v.mechToken ?? v.responseToken;
  let inner: string | undefined;
  if (tok) {
    inner = ntlmTypeOf(tok);
    if (inner === 'AUTHENTICATE' && authenticateHasMic(tok)) inner += '+MIC';
  }
  return [
    t.token.type,
    v.mechTypes ? `mechs=${v.mechTypes.join(',')}` : undefined,
    v.negState,
    v.supportedMech ? `mech=${v.supportedMech}` : undefined,
    inner,
    v.mechListMIC ? 'mechListMIC' : undefined,
  ]
    .filter(Boolean)
    .join(' ');
}

/** The mechListMIC of a NegTokenResp, if any. */
export function mechListMicOf(b: Uint8Array): Uint8Array | undefined {
  const t = decodeSpnegoToken(b).token;
  return t.type === 'negTokenResp' ? t.value.mechListMIC : undefined;
}
