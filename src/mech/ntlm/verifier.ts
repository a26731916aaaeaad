// Delegated NTLM verification: instead of an NT-hash store, the acceptor can hand the client's
// responses to something that knows the password (a domain controller through Samba's winbind).
//
// NtlmVerifier.verify() checks the NTLMv2 response and returns the SessionBaseKey (16 bytes), or
// throws SpnegoError (UNAUTHORIZED for a refused logon). The acceptor still checks the timestamp,
// channel bindings and MIC itself with that key.
//
// NtlmAuthVerifier speaks Samba's `ntlm_auth --helper-protocol=ntlm-server-1` line protocol, one
// helper process per request: `Key: value` lines (`Key:: base64` when the value is not plain
// printable ASCII), ended by a line with a single '.'; the reply has `Authenticated: Yes|No`,
// `User-Session-Key: <hex>` when asked with `Request-User-Session-Key: Yes`, and
// `Authentication-Error: <text>` on failure. Unit tests use a stand-in helper that implements the
// protocol, and the real ntlm_auth 4.17 (when installed) to show it parses our requests; a real
// winbind logon is left to the lab.
import { spawn } from 'node:child_process';
import { toHex } from '../../bytes/encoding.js';
import { SpnegoError } from '../../errors.js';

export interface NtlmVerifyRequest {
  readonly user: string;
  readonly domain: string;
  readonly workstation: string;
  readonly serverChallenge: Uint8Array;
  readonly ntChallengeResponse: Uint8Array;
  readonly lmChallengeResponse: Uint8Array;
}

export interface NtlmVerifier {
  /** SessionBaseKey (16 bytes) when the response is valid; throws SpnegoError otherwise. */
  verify(req: NtlmVerifyRequest): Promise<Uint8Array>;
}

export interface NtlmAuthVerifierOptions {
  /** The ntlm_auth binary; default `ntlm_auth` from PATH. */
  readonly command?: string;
  /** Extra arguments, e.g. `['--configfile=/etc/samba/smb.conf']`. */
  readonly args?: readonly string[];
  /** Milliseconds before the helper is killed; default 10000. */
  readonly timeoutMs?: number;
}

const PLAIN = /^[\x20-\x7e]*$/;

function field(key: string, value: string): string {
  if (PLAIN.test(value) && !value.startsWith(' ')) return `${key}: ${value}\n`;
  return `${key}:: ${Buffer.from(value, 'utf8').toString('base64')}\n`;
}

/** Parses `Key: value` / `Key:: base64` lines up to the first '.' line. */
export function parseHelperReply(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '.') break;
    const i = line.indexOf(':');
    if (i <= 0) continue;
    if (line[i + 1] === ':') out.set(line.slice(0, i), Buffer.from(line.slice(i + 2).trim(), 'base64').toString('utf8'));
    else out.set(line.slice(0, i), line.slice(i + 1).trim());
  }
  return out;
}

export class NtlmAuthVerifier implements NtlmVerifier {
  constructor(private readonly opts: NtlmAuthVerifierOptions = {}) {}

  /** The request text (exported for tests; it carries the responses, so never log it). */
  static request(req: NtlmVerifyRequest): string {
    return (
      field('Username', req.user) +
      field('NT-Domain', req.domain) +
      // No Workstation line: Samba 4.17's ntlm-server-1 refuses it ("Unknown request Workstation"),
      // which failed every client that names its workstation (curl, Windows); NTLMv2 does not need it.
      `LANMAN-Challenge: ${toHex(req.serverChallenge)}\n` +
      `NT-Response: ${toHex(req.ntChallengeResponse)}\n` +
      (req.lmChallengeResponse.length > 0 ? `LANMAN-Response: ${toHex(req.lmChallengeResponse)}\n` : '') +
      'Request-User-Session-Key: Yes\n.\n'
    );
  }

  verify(req: NtlmVerifyRequest): Promise<Uint8Array> {
    const command = this.opts.command ?? 'ntlm_auth';
    const args = ['--helper-protocol=ntlm-server-1', ...(this.opts.args ?? [])];
    return new Promise<Uint8Array>((resolve, reject) => {
      let stdout = '';
      let settled = false;
      const done = (f: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        f();
      };
      const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'ignore'] });
      const timer = setTimeout(() => {
        child.kill();
        done(() => reject(new SpnegoError('UNAVAILABLE', `${command} did not answer in time`)));
      }, this.opts.timeoutMs ?? 10_000);
      child.on('error', (e) => done(() => reject(new SpnegoError('UNAVAILABLE', `cannot run ${command}`, { cause: e }))));
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (d: string) => {
        stdout += d;
        if (/(^|\n)\.\n/.test(stdout)) {
          child.stdin.end();
          done(() => {
            try {
              resolve(interpret(parseHelperReply(stdout)));
            } catch (e) {
              reject(e);
            }
          });
        }
      });
      child.on('close', () => done(() => reject(new SpnegoError('UNAVAILABLE', `${command} exited without an answer`))));
      child.stdin.on('error', () => undefined); // the helper may exit first; 'close' reports it
      child.stdin.write(NtlmAuthVerifier.request(req));
    });
  }
}

/**
 * Maps the helper's reply: `Error: ...` (the helper could not parse the request) -> FAILURE;
 * `Authenticated: No` -> UNAUTHORIZED, except when the error names winbind (the helper cannot
 * reach it: "Reading winbind reply failed!") -> UNAVAILABLE; `Yes` without a key -> UNAVAILABLE.
 * The helper's texts are status descriptions, never secrets; they are cut to 200 characters.
 */
function interpret(reply: Map<string, string>): Uint8Array {
  const err = reply.get('Error');
  if (err !== undefined) throw new SpnegoError('FAILURE', `ntlm_auth rejected the request: ${err.slice(0, 200)}`);
  const auth = reply.get('Authenticated');
  if (auth !== 'Yes') {
    const why = reply.get('Authentication-Error') ?? 'no reason given';
    if (/winbind/i.test(why)) throw new SpnegoError('UNAVAILABLE', `ntlm_auth cannot verify: ${why.slice(0, 200)}`);
    throw new SpnegoError('UNAUTHORIZED', `ntlm_auth refused the logon: ${why.slice(0, 200)}`);
  }
  const key = reply.get('User-Session-Key') ?? '';
  if (!/^[0-9a-fA-F]{32}$/.test(key)) throw new SpnegoError('UNAVAILABLE', 'ntlm_auth accepted the logon but returned no 16-byte User-Session-Key');
  return new Uint8Array(Buffer.from(key, 'hex'));
}
