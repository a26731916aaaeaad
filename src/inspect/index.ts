// `inspect`: detect and decode any token (SPNEGO, Kerberos, NTLM) into a plain JSON tree.
import { SpnegoError } from '../errors.js';
import { parseInput, type AuthHeader } from './input.js';
import { decodeAnyToken } from './detect.js';
import { renderText } from './render.js';
import type { InspectNode, RenderOptions } from './tree.js';

export type { InspectNode, InspectValue, RenderOptions } from './tree.js';
export { parseInput, parseChallenges } from './input.js';
export { decodeAnyToken } from './detect.js';

export interface InspectedToken {
  readonly header: AuthHeader | null;
  readonly scheme: string | null;
  /** Token length in bytes; null for a challenge without a token. */
  readonly length: number | null;
  readonly params?: string;
  readonly token: InspectNode | null;
  readonly error: { readonly code: SpnegoError['code']; readonly message: string; readonly offset: number | null } | null;
}

/** The whole `--json` document. `format` changes only when a field is removed or retyped. */
export interface InspectReport {
  readonly format: 'spnego-inspect/1';
  readonly tokens: readonly InspectedToken[];
}

export type InspectSource = { readonly text: string; readonly hex?: boolean } | { readonly bytes: Uint8Array };

const DEFAULTS: RenderOptions = { showSecrets: false };

export function inspectBytes(bytes: Uint8Array, opts: RenderOptions = DEFAULTS): InspectNode {
  return decodeAnyToken(bytes, opts);
}

export function inspectInput(src: InspectSource, opts: RenderOptions = DEFAULTS): InspectReport {
  const inputs = 'bytes' in src ? [{ header: null, scheme: null, bytes: src.bytes }] : parseInput(src.text, { hex: src.hex ?? false });
  if (inputs.length === 0) throw new SpnegoError('UNKNOWN_TOKEN', 'no token in the input');
  const tokens = inputs.map((inp): InspectedToken => {
    const base = { header: inp.header, scheme: inp.scheme, length: inp.bytes ? inp.bytes.length : null, ...(inp.params ? { params: inp.params } : {}) };
    if (!inp.bytes) return { ...base, token: null, error: null };
    try {
      return { ...base, token: decodeAnyToken(inp.bytes, opts), error: null };
    } catch (e) {
      if (!(e instanceof SpnegoError)) throw e;
      return { ...base, token: null, error: { code: e.code, message: e.message, offset: e.offset ?? null } };
    }
  });
  return { format: 'spnego-inspect/1', tokens };
}

export function renderReport(r: InspectReport): string {
  return r.tokens
    .map((t) => {
      const head = [t.header, t.scheme].filter(Boolean).join(': ');
      const title = head ? `${head}${t.length === null ? '' : ` (${t.length} bytes)`}` : `token (${t.length ?? 0} bytes)`;
      if (t.error) return `${title}\n  error ${t.error.code}: ${t.error.message}`;
      if (!t.token) return `${title}\n  no token${t.params ? ` (${t.params})` : ''}`;
      return `${title}\n${renderText(t.token).replace(/^/gm, '  ')}`;
    })
    .join('\n\n');
}
