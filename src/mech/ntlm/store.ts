// Where the NTLM acceptor finds a user's NT hash (NTOWFv1).
//
// NtHashStore is the one interface the acceptor needs. Two implementations:
//  - MemoryNtHashStore, built from `{ 'DOMAIN\\user': 'password' | { ntHash } }`;
//  - NtlmUserFileStore, reading gss-ntlmssp's NTLM_USER_FILE format: one `DOMAIN:user:password`
//    line per user (the password is the rest of the line, so it may contain ':'); blank lines and
//    lines starting with '#' are skipped. An empty DOMAIN field matches any domain. User and
//    domain compare case-insensitively, as gss-ntlmssp does. With no path, the NTLM_USER_FILE
//    environment variable names the file.
// Returned hashes are copies: the acceptor wipes them after use.
import { readFile } from 'node:fs/promises';
import { SpnegoError } from '../../errors.js';
import { NTOWFv1 } from '../../crypto/ntlm.js';

export interface NtHashStore {
  /** The user's NT hash (16 bytes), or undefined when the user is unknown. */
  lookup(user: string, domain: string): Promise<Uint8Array | undefined>;
}

export type MemoryCredential = string | { readonly ntHash: Uint8Array };

interface Entry {
  readonly user: string;
  readonly domain: string;
  readonly ntHash: Uint8Array;
}

const fold = (s: string): string => s.toUpperCase();

function match(entries: readonly Entry[], user: string, domain: string): Uint8Array | undefined {
  const u = fold(user);
  const d = fold(domain);
  const exact = entries.find((e) => e.user === u && e.domain === d);
  const any = exact ?? entries.find((e) => e.user === u && e.domain === '');
  return any === undefined ? undefined : any.ntHash.slice();
}

/**
 * In-memory store. Keys are `DOMAIN\\user` (or a bare `user`, matching any domain); values are
 * passwords or `{ ntHash }`. Passwords are hashed at construction and not kept.
 */
export class MemoryNtHashStore implements NtHashStore {
  private readonly entries: Entry[] = [];

  constructor(users: Readonly<Record<string, MemoryCredential>>) {
    for (const [key, cred] of Object.entries(users)) {
      const i = key.indexOf('\\');
      const domain = i < 0 ? '' : key.slice(0, i);
      const user = i < 0 ? key : key.slice(i + 1);
      if (user === '') throw new SpnegoError('BAD_ARGUMENT', 'empty user name in MemoryNtHashStore');
      let ntHash: Uint8Array;
      if (typeof cred === 'string') ntHash = NTOWFv1(cred);
      else if (cred !== null && typeof cred === 'object' && cred.ntHash instanceof Uint8Array && cred.ntHash.length === 16) {
        ntHash = cred.ntHash.slice();
      } else throw new SpnegoError('BAD_ARGUMENT', `credential for ${JSON.stringify(key)} must be a password or a 16-byte ntHash`);
      this.entries.push({ user: fold(user), domain: fold(domain), ntHash });
    }
  }

  lookup(user: string, domain: string): Promise<Uint8Array | undefined> {
    return Promise.resolve(match(this.entries, user, domain));
  }
}

/** Parses NTLM_USER_FILE text into entries (exported for tests). Malformed lines are BAD_ARGUMENT with the line number only. */
export function parseNtlmUserFile(text: string): { user: string; domain: string; password: string }[] {
  const out: { user: string; domain: string; password: string }[] = [];
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!;
    if (line.trim() === '' || line.startsWith('#')) continue;
    const a = line.indexOf(':');
    const b = a < 0 ? -1 : line.indexOf(':', a + 1);
    if (a < 0 || b < 0 || b === a + 1) {
      // The line may hold a password: report only where it is.
      throw new SpnegoError('BAD_ARGUMENT', `NTLM user file line ${n + 1} is not DOMAIN:user:password`);
    }
    out.push({ domain: line.slice(0, a), user: line.slice(a + 1, b), password: line.slice(b + 1) });
  }
  return out;
}

/**
 * gss-ntlmssp's NTLM_USER_FILE (`DOMAIN:user:password` per line). The file is read on every
 * lookup, so edits take effect without a restart (as gss-ntlmssp re-reads it per authentication).
 */
export class NtlmUserFileStore implements NtHashStore {
  readonly path: string;

  constructor(path?: string) {
    const p = path ?? process.env['NTLM_USER_FILE'];
    if (p === undefined || p === '') throw new SpnegoError('NO_CRED', 'no NTLM user file: pass a path or set NTLM_USER_FILE');
    this.path = p;
  }

  async lookup(user: string, domain: string): Promise<Uint8Array | undefined> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (e) {
      throw new SpnegoError('NO_CRED', `cannot read the NTLM user file ${this.path}`, { cause: e });
    }
    const u = fold(user);
    const d = fold(domain);
    const rows = parseNtlmUserFile(text);
    const row = rows.find((r) => fold(r.user) === u && fold(r.domain) === d) ?? rows.find((r) => fold(r.user) === u && r.domain === '');
    return row === undefined ? undefined : NTOWFv1(row.password);
  }
}
