// WWW-Authenticate / Proxy-Authenticate (RFC 9110 11.6.1, 11.7.1) for the GSS schemes of
// RFC 4559: `Negotiate`, `NTLM` and `Kerberos`. A header may carry several challenges separated
// by commas, and a response may carry several header lines; other schemes (Basic, Digest, ...)
// are parsed far enough to be skipped (their auth-params may hold quoted commas).
// Strict where it matters: a GSS scheme carries nothing or exactly one token68 that must be
// canonical base64 (DEFECTIVE_TOKEN otherwise). Scheme names are case-insensitive.
import { SpnegoError } from '../errors.js';

export type GssScheme = 'Negotiate' | 'NTLM' | 'Kerberos';

export interface Challenge {
  /** The scheme as written by the server (case preserved). */
  readonly scheme: string;
  /** The canonical name for Negotiate, NTLM and Kerberos; undefined for other schemes. */
  readonly gss: GssScheme | undefined;
  /** The decoded token68 of a GSS scheme, when present. */
  readonly token: Uint8Array | undefined;
  /** The raw text after the scheme (token68 or auth-params), for other schemes. */
  readonly params: string;
}

const GSS: Readonly<Record<string, GssScheme>> = { negotiate: 'Negotiate', ntlm: 'NTLM', kerberos: 'Kerberos' };
const TCHAR = /[!#$%&'*+.^_`|~0-9A-Za-z-]/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** Header values longer than this are refused (a token of ~48 KiB; Windows' own limit is 64 KiB lines). */
export const MAX_CHALLENGE_LENGTH = 65536;

/** Strict base64 (RFC 4648 4, padded) to bytes; DEFECTIVE_TOKEN otherwise. */
export function decodeBase64Token(s: string): Uint8Array {
  if (s.length === 0 || !BASE64.test(s)) throw new SpnegoError('DEFECTIVE_TOKEN', 'the token is not canonical base64');
  return new Uint8Array(Buffer.from(s, 'base64'));
}

export function encodeBase64Token(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');
}

/**
 * Parses one or more WWW-Authenticate / Proxy-Authenticate values (one per header line) into
 * challenges, in order. Throws DEFECTIVE_TOKEN for a malformed list or a bad GSS token.
 */
export function parseAuthenticate(values: string | readonly string[]): Challenge[] {
  const list = typeof values === 'string' ? [values] : values;
  const out: Challenge[] = [];
  for (const v of list) {
    if (v.length > MAX_CHALLENGE_LENGTH) throw new SpnegoError('DEFECTIVE_TOKEN', `an authenticate header longer than ${MAX_CHALLENGE_LENGTH} characters`);
    out.push(...parseOne(v));
  }
  return out;
}

function parseOne(s: string): Challenge[] {
  const out: Challenge[] = [];
  let i = 0;
  const n = s.length;
  const ws = () => {
    while (i < n && (s[i] === ' ' || s[i] === '\t')) i++;
  };
  const tokenAt = (): string => {
    const start = i;
    while (i < n && TCHAR.test(s[i]!)) i++;
    return s.slice(start, i);
  };
  const fail = (what: string): never => {
    throw new SpnegoError('DEFECTIVE_TOKEN', `malformed authenticate header: ${what}`, { offset: i });
  };
  // Skips empty list elements (RFC 9110 5.6.1: `, ,` is allowed in a list).
  const commas = () => {
    for (;;) {
      ws();
      if (s[i] === ',') i++;
      else return;
    }
  };
  commas();
  while (i < n) {
    const scheme = tokenAt();
    if (scheme === '') fail('expected an auth-scheme');
    const gss = GSS[scheme.toLowerCase()];
    const afterScheme = i;
    ws();
    if (i < n && s[i] !== ',' && i === afterScheme) fail('no space after the auth-scheme');
    const paramStart = i;
    if (gss) {
      // Nothing, or one token68 (RFC 4559 4: `Negotiate <base64>`).
      const start = i;
      while (i < n && /[A-Za-z0-9+/\-._~]/.test(s[i]!)) i++;
      while (i < n && s[i] === '=') i++;
      const t = s.slice(start, i);
      ws();
      if (i < n && s[i] !== ',') fail(`${scheme} takes at most one base64 token`);
      out.push({ scheme, gss, token: t === '' ? undefined : decodeBase64Token(t), params: t });
    } else {
      // token68, or #auth-param; stop at the comma that starts the next challenge.
      skipParams();
      out.push({ scheme, gss: undefined, token: undefined, params: s.slice(paramStart, i).trim() });
    }
    commas();
  }
  return out;

  function skipParams(): void {
    for (;;) {
      if (i >= n) return;
      if (s[i] === ',') {
        // After a comma, `name =` continues this challenge's auth-params; anything else
        // (`Scheme`, `Scheme token68`, `Scheme name=...`) starts the next challenge.
        const save = i;
        i++;
        ws();
        const name = tokenAt();
        ws();
        const param = name !== '' && s[i] === '=';
        i = save;
        if (!param) return;
        i++;
        continue;
      }
      if (s[i] === '"') {
        i++;
        while (i < n && s[i] !== '"') {
          if (s[i] === '\\') i++;
          i++;
        }
        if (i >= n) fail('unterminated quoted-string');
      }
      i++;
    }
  }
}

/**
 * The challenge to answer: Negotiate first (unless only NTLM is allowed), then NTLM. Returns
 * undefined when the server offers neither usable scheme.
 */
export function pickChallenge(challenges: readonly Challenge[], allow: readonly GssScheme[]): Challenge | undefined {
  for (const want of allow) {
    const c = challenges.find((x) => x.gss === want);
    if (c) return c;
  }
  return undefined;
}
