// Drives scripts/lab/ntlm_peer.py (a real NTLM peer: gss-ntlmssp through python-gssapi, or Samba's
// ntlm_auth helpers) over stdin/stdout, one JSON object per line, so one child process serves a
// whole handshake and then the per-message calls. Every call has a timeout; close() ends the child.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { repoPath } from './paths.js';

/** ntlm_peer.py / spnego_peer.py roles, and krb5_gss_peer.py's init / accept. */
export type PeerRole = 'gss-init' | 'gss-accept' | 'samba-accept' | 'samba-init' | 'init' | 'accept';

/** The subset of $LAB_STATE/lab.json the NTLM peers need. */
export interface NtlmLab {
  stateDir: string;
  python: string;
  ntlm: { domain: string; userFile: string; users: { name: string; password: string }[] };
  samba: { domain: string; smbConf: string; ntlmAuth?: string; users: { name: string; password: string }[] };
}

/** Reads $LAB_STATE/lab.json as the subset `T` a test needs; throws (never skips) when the lab is not up. */
export function readLabAs<T>(): T {
  const state = process.env.LAB_STATE;
  if (!state) throw new Error('LAB_STATE is not set: run `npm test` (it starts the lab), or S=$(bash scripts/lab/up.sh | tail -n1) and LAB_STATE=$S');
  return JSON.parse(readFileSync(join(state, 'lab.json'), 'utf8')) as T;
}

/** The NTLM peers' subset of lab.json. */
export function readLab(): NtlmLab {
  return readLabAs<NtlmLab>();
}

export interface PeerOptions {
  /** gss-init: hostbased target, default HTTP@localhost. */
  target?: string;
  /** gss-init: user name in NTLM_USER_FILE; samba-init: the domain user. */
  user?: string;
  domain?: string;
  /** gss-init: a password credential instead of the user file; samba-init: required. */
  password?: string;
  /** Comma-separated python-gssapi RequirementFlag names for gss-init. */
  flags?: string;
  /** More arguments for the script (krb5_gss_peer.py: `--mech krb5|spnego`). */
  args?: readonly string[];
  /** Extra environment (e.g. NTLM_USER_FILE for a peer without the lab). */
  env?: Record<string, string>;
  /** Per-call timeout, default 15 s. */
  timeoutMs?: number;
  python?: string;
}

export interface PeerReply {
  ok: boolean;
  error?: string;
  major?: number;
  minor?: number;
  token?: string | null;
  data?: string;
  complete?: boolean;
  encrypted?: boolean;
  /** krb5_gss_peer.py info: the peer name, mech OID, context key enctype and flags. */
  peer?: string;
  mech?: string;
  enctype?: number;
  flags?: string[];
  [k: string]: unknown;
}

/** Environment for a peer: NTLM user file and no winbindd for gss-ntlmssp, the Samba config for ntlm_auth. */
export function labPeerEnv(lab: NtlmLab): Record<string, string> {
  return {
    NTLM_USER_FILE: lab.ntlm.userFile,
    _NO_WINBINDD: '1',
    LAB_SAMBA_SMB_CONF: lab.samba.smbConf,
    LAB_NTLM_AUTH: lab.samba.ntlmAuth ?? '/usr/bin/ntlm_auth',
  };
}

/**
 * A long-lived python peer (scripts/lab/*_peer.py) spoken to over stdin/stdout, one JSON object
 * per line: every call has a timeout, close() ends the child.
 */
export class LabPeer {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly lines: Interface;
  private readonly queue: string[] = [];
  private waiter: ((line: string | null) => void) | undefined;
  private closed = false;
  protected stderr = '';
  private readonly emptyCcacheDir: string;
  readonly timeoutMs: number;

  protected constructor(
    private readonly script: string,
    readonly role: PeerRole,
    opts: PeerOptions,
  ) {
    this.timeoutMs = opts.timeoutMs ?? 15_000;
    const args = [repoPath('scripts/lab', script), role];
    if (opts.target) args.push('--target', opts.target);
    if (opts.user) args.push('--user', opts.user);
    if (opts.domain !== undefined) args.push('--domain', opts.domain);
    if (opts.password !== undefined) args.push('--password', opts.password);
    if (opts.flags) args.push('--flags', opts.flags);
    if (opts.args) args.push(...opts.args);
    // No Kerberos ticket may leak in: an empty credential cache of our own.
    this.emptyCcacheDir = mkdtempSync(join(tmpdir(), 'lab-peer-'));
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
    this.lines.on('line', (l) => {
      if (this.waiter) {
        const w = this.waiter;
        this.waiter = undefined;
        w(l);
      } else this.queue.push(l);
    });
    this.lines.on('close', () => {
      this.closed = true;
      if (this.waiter) {
        const w = this.waiter;
        this.waiter = undefined;
        w(null);
      }
    });
  }

  /** Waits for the peer's {"ready": role} line. */
  protected static async ready<T extends LabPeer>(p: T): Promise<T> {
    try {
      const r = await p.read();
      if (!r.ok || r.ready !== p.role) throw new Error(`${p.script} ${p.role} did not start: ${JSON.stringify(r)}`);
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
        reject(new Error(`${this.script} ${this.role}: no answer within ${this.timeoutMs} ms; stderr: ${this.stderr}`));
      }, this.timeoutMs);
      const done = (line: string | null) => {
        clearTimeout(timer);
        if (line === null) return reject(new Error(`${this.script} ${this.role} exited; stderr: ${this.stderr}`));
        try {
          resolve(JSON.parse(line) as PeerReply);
        } catch {
          reject(new Error(`${this.script} ${this.role}: not JSON: ${line}; stderr: ${this.stderr}`));
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
    if (this.closed) throw new Error(`${this.script} ${this.role} is closed; stderr: ${this.stderr}`);
    this.child.stdin.write(`${JSON.stringify(req)}\n`);
    return this.read();
  }

  /** Like call, but throws on {"ok": false}. */
  async must(req: Record<string, unknown>): Promise<PeerReply> {
    const r = await this.call(req);
    if (!r.ok) throw new Error(`${this.script} ${this.role} ${String(req.op)}: ${r.error ?? JSON.stringify(r)}`);
    return r;
  }

  /**
   * One handshake leg; the reply's token (if any) as bytes. `final` (spnego_peer.py samba-init):
   * the acceptor said it completed, so the helper gets "AF <token>".
   */
  async step(token?: Uint8Array, final = false): Promise<{ token: Uint8Array | undefined; complete: boolean; reply: PeerReply }> {
    const r = await this.must({ op: 'step', token: token ? b64(token) : null, ...(final ? { final } : {}) });
    return { token: r.token ? unb64(r.token) : undefined, complete: r.complete === true, reply: r };
  }

  /** The raw reply of a step, for legs that are expected to fail. */
  async tryStep(token?: Uint8Array, final = false): Promise<PeerReply> {
    return this.call({ op: 'step', token: token ? b64(token) : null, ...(final ? { final } : {}) });
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

/** scripts/lab/ntlm_peer.py: gss-ntlmssp (python-gssapi) and Samba ntlm_auth NTLM peers. */
export class NtlmPeer extends LabPeer {
  static async start(role: PeerRole, opts: PeerOptions = {}): Promise<NtlmPeer> {
    return LabPeer.ready(new NtlmPeer('ntlm_peer.py', role, opts));
  }

  /** Spawns a peer with the lab's environment. */
  static async startLab(lab: NtlmLab, role: PeerRole, opts: PeerOptions = {}): Promise<NtlmPeer> {
    return NtlmPeer.start(role, { python: lab.python, ...opts, env: { ...labPeerEnv(lab), ...opts.env } });
  }
}

export const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');
export const unb64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'));
