// Turns what a user pastes into tokens: a bare base64 token, a challenge or credentials
// value (`Negotiate <b64>`, several challenges), a whole header line, or lines of `curl -v`.
import { SpnegoError } from '../errors.js';
import { fromBase64, fromHex } from '../bytes/encoding.js';

export const AUTH_HEADERS = ['WWW-Authenticate', 'Authorization', 'Proxy-Authenticate', 'Proxy-Authorization'] as const;
export type AuthHeader = (typeof AUTH_HEADERS)[number];

export interface InputToken {
  /** The header the token came from, when the input named one. */
  readonly header: AuthHeader | null;
  /** The auth scheme (`Negotiate`, `NTLM`, `Kerberos`, ...), when the input named one. */
  readonly scheme: string | null;
  /** The token bytes; null for a challenge with no token (e.g. a bare `Negotiate`). */
  readonly bytes: Uint8Array | null;
  /** Auth parameters of a non-token challenge, e.g. Basic's realm. */
  readonly params?: string;
}

/** Largest header value we look at: real servers cap headers at 8-64 KiB. */
export const MAX_INPUT_CHARS = 1024 * 1024;

const KNOWN_SCHEMES = new Set(['negotiate', 'ntlm', 'kerberos', 'basic', 'digest', 'bearer']);
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;
const SCHEME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Splits a header value into challenges (RFC 7235 section 2.1 / 4.1), honouring quoted strings. */
export function parseChallenges(value: string, header: AuthHeader | null): InputToken[] {
  const parts: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '"' && value[i - 1] !== '\\') quoted = !quoted;
    if (c === ',' && !quoted) {
      parts.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  parts.push(cur.trim());
  const out: InputToken[] = [];
  for (const p of parts) {
    if (!p) continue;
    const sp = p.indexOf(' ');
    const first = sp < 0 ? p : p.slice(0, sp);
    const rest = sp < 0 ? '' : p.slice(sp + 1).trim();
    const last = out[out.length - 1];
    // `name=value` after a challenge is one more auth-param of that challenge.
    if (/^[^\s=]+\s*=/.test(p) && !TOKEN68.test(p) && last) {
      out[out.length - 1] = { ...last, params: last.params ? `${last.params}, ${p}` : p };
      continue;
    }
    if (!SCHEME.test(first)) throw new SpnegoError('UNKNOWN_TOKEN', `not an auth scheme: ${JSON.stringify(first.slice(0, 40))}`);
    if (rest && TOKEN68.test(rest)) out.push({ header, scheme: first, bytes: fromBase64(rest) });
    else out.push(rest ? { header, scheme: first, bytes: null, params: rest } : { header, scheme: first, bytes: null });
  }
  return out;
}

/** Parses one line of input. */
export function parseInputLine(line: string, opts: { hex?: boolean } = {}): InputToken[] {
  let s = line.trim().replace(/^[<>]\s+/, ''); // curl -v prefixes
  if (!s) return [];
  if (opts.hex) return [{ header: null, scheme: null, bytes: fromHex(s) }];
  let header: AuthHeader | null = null;
  const m = /^([A-Za-z-]+)\s*:\s*(.*)$/.exec(s);
  if (m) {
    header = AUTH_HEADERS.find((h) => h.toLowerCase() === m[1]!.toLowerCase()) ?? null;
    if (!header) throw new SpnegoError('UNKNOWN_TOKEN', `not an authentication header: ${m[1]!.slice(0, 40)}`);
    s = m[2]!.trim();
  }
  if (!header && TOKEN68.test(s)) return [{ header: null, scheme: null, bytes: fromBase64(s) }];
  const out = parseChallenges(s, header);
  // Without a header name, only well-known schemes make the input a header value (not a typo'd token).
  const unknown = out.find((t) => !KNOWN_SCHEMES.has(t.scheme?.toLowerCase() ?? ''));
  if (!header && unknown) throw new SpnegoError('UNKNOWN_TOKEN', `neither base64 nor a known auth scheme: ${JSON.stringify(unknown.scheme?.slice(0, 40))}`);
  return out;
}

/** Parses a whole input (one or more lines); lines of `curl -v` output that are not auth headers are skipped. */
export function parseInput(text: string, opts: { hex?: boolean } = {}): InputToken[] {
  if (text.length > MAX_INPUT_CHARS) throw new SpnegoError('DECODE_LIMIT', `input longer than ${MAX_INPUT_CHARS} characters`);
  const lines = text.split(/\r?\n/).filter((l) => l.trim());
  if (lines.length <= 1) return parseInputLine(lines[0] ?? '', opts);
  const out: InputToken[] = [];
  const authLine = new RegExp(`^[<>]?\\s*(${AUTH_HEADERS.join('|')})\\s*:`, 'i');
  const anyAuth = lines.some((l) => authLine.test(l.trim()));
  for (const l of lines) {
    if (anyAuth && !authLine.test(l.trim())) continue;
    out.push(...parseInputLine(l, opts));
  }
  return out;
}
