// Where the NTLM acceptor finds a user's NT hash (NTOWFv1).
//
// NtHashStore is the one interface the acceptor needs. Two implementations:
//  - MemoryNtHashStore, built from `{ 'DOMAIN\\user': 'password' | { ntHash } }`;
//  - NtlmUserFileStore, reading gss-ntlmssp's NTLM_USER_FILE format (the Heimdal one), matching
//    gss-ntlmssp's get_user_file_creds(): one `DOMAIN:user:password` line per user (the password
//    is the rest of the line, so it may contain ':'; a trailing CR/LF is dropped); lines starting
//    with '#' and lines without two ':' are skipped; the first matching line wins; user and domain
//    compare case-insensitively; an empty domain in the lookup (a client that sent none) matches
//    any line's domain, while an empty DOMAIN field in the file matches only an empty lookup.
//    With no path, the NTLM_USER_FILE environment variable names the file.
// Returned hashes are copies: the acceptor wipes them after use.
import { readFileSync } from 'node:fs';
import { SpnegoError } from '../../errors.js';
import { NTOWFv1 } from '../../crypto/ntlm.js';
import { cachedParse } from '../file-cache.js';

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
  // A bare key matches any domain; an empty lookup domain matches any key for the user.
  const any = exact ?? entries.find((e) => e.user === u && (e.domain === '' || d === ''));
  return any === undefined ? undefined : any.ntHash.slice();
}

/**
 * In-memory store. Keys are `DOMAIN\\user` (or a bare `user`, matching any domain; an empty
 * lookup domain matches any key for the user, first inserted first); values are
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

/** Parses NTLM_USER_FILE text into entries, in file order (exported for tests). Never throws. */
export function parseNtlmUserFile(text: string): { user: string; domain: string; password: string }[] {
  const out: { user: string; domain: string; password: string }[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.startsWith('#')) continue;
    const a = line.indexOf(':');
    const b = a < 0 ? -1 : line.indexOf(':', a + 1);
    if (a < 0 || b < 0) continue;
    out.push({ domain: line.slice(0, a), user: line.slice(a + 1, b), password: line.slice(b + 1).replace(/\r$/, '') });
  }
  return out;
}

/**
 * gss-ntlmssp's NTLM_USER_FILE (`DOMAIN:user:password` per line). Every lookup checks the file,
 * so edits take effect without a restart, as gss-ntlmssp re-reads it per authentication; the
 * parsed lines and their NT hashes are reused while it is unchanged (../file-cache.ts).
 */
export class NtlmUserFileStore implements NtHashStore {
  readonly path: string;

  constructor(path?: string) {
    const p = path ?? process.env['NTLM_USER_FILE'];
    if (p === undefined || p === '') throw new SpnegoError('NO_CRED', 'no NTLM user file: pass a path or set NTLM_USER_FILE');
    this.path = p;
  }

  lookup(user: string, domain: string): Promise<Uint8Array | undefined> {
    try {
      const u = fold(user);
      const d = fold(domain);
      // The first line naming the user wins; an empty lookup domain matches any line's domain.
      const row = this.entries().find((e) => e.user === u && (d === '' || e.domain === d));
      return Promise.resolve(row === undefined ? undefined : row.ntHash.slice());
    } catch (e) {
      return Promise.reject(e as Error);
    }
  }

  private entries(): readonly Entry[] {
    return cachedParse('ntlm-user-file', this.path, () => {
      let text: string;
      try {
        text = readFileSync(this.path, 'utf8');
      } catch (e) {
        throw new SpnegoError('NO_CRED', `cannot read the NTLM user file ${this.path}`, { cause: e });
      }
      return parseNtlmUserFile(text).map((r) => ({ user: fold(r.user), domain: fold(r.domain), ntHash: NTOWFv1(r.password) }));
    });
  }
}
