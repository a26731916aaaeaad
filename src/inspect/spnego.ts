// Inspect trees for SPNEGO tokens (RFC 4178 4.2, MS-SPNG 2.2.1); inner mech tokens decoded in place.
import type { SpnegoToken } from '../codec/spnego/spnego-token.js';
import type { NegTokenInit } from '../codec/spnego/neg-token-init.js';
import { contextFlagsOf } from '../codec/spnego/neg-token-init.js';
import type { NegTokenInit2 } from '../codec/spnego/neg-token-init2.js';
import type { NegTokenResp } from '../codec/spnego/neg-token-resp.js';
import type { BitString } from '../der/primitives.js';
import { NEG_STATES } from '../codec/spnego/neg-token-resp.js';
import { bytes, node, oid, opt, secret, type InspectNode, type InspectValue, type RenderOptions } from './tree.js';

/** Decodes an inner token; supplied by detect.ts so this file does not import upward. */
export type InnerDecoder = (b: Uint8Array, o: RenderOptions) => InspectValue;

/** ContextFlags as a flags value: bit 0 (delegFlag) is the top bit, as in KerberosFlags. */
function reqFlags(f: BitString): InspectValue {
  let value = 0;
  for (let i = 0; i < 4; i++) value = value * 256 + (f.bytes[i] ?? 0);
  return { value, hex: `0x${value.toString(16).padStart(8, '0')}`, names: contextFlagsOf(f) };
}

function init(v: NegTokenInit, o: RenderOptions, inner: InnerDecoder): Record<string, InspectValue> {
  return {
    mechTypes: v.mechTypes.map(oid),
    reqFlags: opt(v.reqFlags, reqFlags),
    mechToken: opt(v.mechToken, (b) => inner(b, o)),
    mechListMIC: opt(v.mechListMIC, (b) => secret(b, o)),
  };
}

function init2(v: NegTokenInit2, o: RenderOptions, inner: InnerDecoder): Record<string, InspectValue> {
  return {
    mechTypes: opt(v.mechTypes, (m) => m.map(oid)),
    reqFlags: opt(v.reqFlags, reqFlags),
    mechToken: opt(v.mechToken, (b) => inner(b, o)),
    negHints: opt(v.negHints, (h) => node('NegHints', { hintName: h.hintName ?? null, hintAddress: opt(h.hintAddress, bytes) })),
    mechListMIC: opt(v.mechListMIC, (b) => secret(b, o)),
  };
}

function resp(v: NegTokenResp, o: RenderOptions, inner: InnerDecoder): Record<string, InspectValue> {
  return {
    negState: opt(v.negState, (s) => ({ value: NEG_STATES.indexOf(s), name: s })),
    supportedMech: opt(v.supportedMech, oid),
    responseToken: opt(v.responseToken, (b) => inner(b, o)),
    mechListMIC: opt(v.mechListMIC, (b) => secret(b, o)),
  };
}

export function spnegoTree(t: SpnegoToken, o: RenderOptions, inner: InnerDecoder): InspectNode {
  const tok = t.token;
  const body =
    tok.type === 'negTokenInit'
      ? node('NegTokenInit', init(tok.value, o, inner))
      : tok.type === 'negTokenInit2'
        ? node('NegTokenInit2', init2(tok.value, o, inner))
        : node('NegTokenResp', resp(tok.value, o, inner));
  return t.framed ? node('InitialContextToken', { thisMech: oid('1.3.6.1.5.5.2'), innerToken: body }) : body;
}
