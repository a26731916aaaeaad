// Whole SPNEGO tokens as they travel: framed initial tokens and bare continuation tokens.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fromBase64, fromHex, toHex } from '../../../../src/bytes/index.js';
import { OID } from '../../../../src/iana/oids.js';
import { InitialContextToken, hasInitialContextTokenHeader } from '../../../../src/codec/gss/initial-context-token.js';
import { SpnegoToken, decodeSpnegoToken, encodeSpnegoToken } from '../../../../src/codec/spnego/spnego-token.js';
import { NEG_HINTS_IGNORE_NAME } from '../../../../src/codec/spnego/neg-token-init2.js';
import { assertCode } from '../../../helpers/errors.js';
import { readJson, repoPath } from '../../../helpers/paths.js';
import { vectors, type TokenVector } from './vectors.js';

const hexOf = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : toHex(b));

function checkFields(v: TokenVector): void {
  const bytes = fromHex(v.hex);
  assert.deepEqual(fromBase64(v.base64), bytes);
  const d = decodeSpnegoToken(bytes);
  assert.equal(d.framed, v.framed, v.name);
  assert.equal(d.token.type, v.type, v.name);
  const val = d.token.value as Record<string, unknown>;
  const expected: Record<string, unknown> = {};
  for (const k of ['mechToken', 'mechListMIC', 'responseToken', 'mechTypesDer'] as const) if (v[k] !== undefined) expected[k] = v[k];
  for (const k of ['mechTypes', 'negState', 'supportedMech', 'negHints'] as const) if (v[k] !== undefined) expected[k] = v[k];
  if (v.reqFlags) expected.reqFlags = { unusedBits: v.reqFlags.unusedBits, bytes: v.reqFlags.bytes };
  const actual: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(val)) {
    if (x instanceof Uint8Array) actual[k] = toHex(x);
    else if (k === 'reqFlags') actual[k] = { unusedBits: (x as { unusedBits: number }).unusedBits, bytes: toHex((x as { bytes: Uint8Array }).bytes) };
    else actual[k] = x;
  }
  assert.deepEqual(actual, expected, v.name);
  assert.equal(toHex(encodeSpnegoToken(d)), v.hex, `${v.name}: byte-exact re-encoding`);
  assert.equal(toHex(SpnegoToken.encode(SpnegoToken.decode(bytes))), v.hex);
  assert.equal(hasInitialContextTokenHeader(bytes), v.framed);
}

test('vectors: the given NegTokenResp decodes bare and re-encodes byte for byte', () => {
  checkFields(vectors.given[0]);
});

for (const v of vectors.tokens) {
  test(`vector: ${v.name}`, () => {
    checkFields(v);
    if (v.mechTokenInner) {
      const d = decodeSpnegoToken(fromHex(v.hex));
      const mt = (d.token.value as { mechToken: Uint8Array }).mechToken;
      const inner = InitialContextToken.decode(mt);
      assert.deepEqual({ mech: inner.mech, innerToken: toHex(inner.innerToken) }, v.mechTokenInner);
    }
  });
}

test('mechTypesDer: exact bytes with the MS Kerberos OID first, and the encoder sends those bytes', () => {
  const v = vectors.tokens.find((x) => x.mechTypes?.[0] === OID.MS_KRB5 && x.type === 'negTokenInit');
  assert.ok(v);
  const d = decodeSpnegoToken(fromHex(v.hex));
  assert.equal(d.token.type, 'negTokenInit');
  if (d.token.type !== 'negTokenInit') return;
  assert.equal(toHex(d.token.value.mechTypesDer), v.mechTypesDer);
  assert.ok(toHex(d.token.value.mechTypesDer).startsWith('302206092a864882f712010202'));
  assert.ok(v.hex.includes(`a024${v.mechTypesDer}`)); // the [0] wrapper is not part of the MIC input
  assert.deepEqual(encodeSpnegoToken(d), fromHex(v.hex));
});

test('hand-built: framed NegTokenInit2 the way Samba sends it', () => {
  const enc = encodeSpnegoToken({
    framed: true,
    token: { type: 'negTokenInit2', value: { mechTypes: [OID.MS_KRB5, OID.KRB5, OID.NTLMSSP], negHints: { hintName: NEG_HINTS_IGNORE_NAME } } },
  });
  const v = vectors.tokens.find((x) => x.type === 'negTokenInit2' && x.framed);
  assert.ok(v);
  assert.equal(toHex(enc), v.hex);
  assert.ok(toHex(enc).endsWith(vectors.given[1].hex));
});

test('hand-built: framed NegTokenInit with krb5 + NTLM and an optimistic token matches the independent encoding', () => {
  const v = vectors.tokens[0]!;
  const enc = encodeSpnegoToken({
    framed: true,
    token: { type: 'negTokenInit', value: { mechTypes: [OID.KRB5, OID.NTLMSSP], mechToken: fromHex(v.mechToken!) } },
  });
  assert.equal(toHex(enc), v.hex);
});

test('hand-built: NegTokenResp with each negState, bare', () => {
  for (const negState of ['accept-completed', 'accept-incomplete', 'reject', 'request-mic'] as const) {
    const t = { framed: false, token: { type: 'negTokenResp' as const, value: { negState } } };
    const enc = encodeSpnegoToken(t);
    assert.equal(toHex(enc.subarray(0, 4)), 'a1073005');
    assert.deepEqual(decodeSpnegoToken(enc), t);
  }
});

test('framed NegTokenResp and bare NegTokenInit are accepted and kept in their form', () => {
  const resp = fromHex(vectors.given[0].hex);
  const framed = InitialContextToken.encode({ mech: OID.SPNEGO, innerToken: resp });
  const d = decodeSpnegoToken(framed);
  assert.equal(d.framed, true);
  assert.equal(d.token.type, 'negTokenResp');
  assert.deepEqual(encodeSpnegoToken(d), framed);
  const bareInit = InitialContextToken.decode(fromHex(vectors.tokens[0]!.hex)).innerToken;
  const b = decodeSpnegoToken(bareInit);
  assert.equal(b.framed, false);
  assert.equal(b.token.type, 'negTokenInit');
  assert.deepEqual(encodeSpnegoToken(b), bareInit);
});

test('strictness: typed errors with offsets', () => {
  const resp = vectors.given[0].hex;
  const init = vectors.tokens[0]!.hex;
  // Indefinite length, outer and inner.
  let e = assertCode(() => decodeSpnegoToken(fromHex(`a180${resp.slice(4)}0000`)), 'DECODE_BAD_LENGTH');
  assert.equal(e.offset, 1);
  e = assertCode(() => decodeSpnegoToken(fromHex(`6080${init.slice(4)}0000`)), 'DECODE_BAD_LENGTH');
  assert.equal(e.offset, 1);
  e = assertCode(() => decodeSpnegoToken(fromHex('a1153080a0030a0101a10c060a2b06010401823702020a0000'.replace('a115', 'a117'))), 'DECODE_BAD_LENGTH');
  assert.equal(e.offset, 3);
  // Non-minimal length.
  e = assertCode(() => decodeSpnegoToken(fromHex(`a18115${resp.slice(4)}`)), 'DECODE_BAD_LENGTH');
  assert.equal(e.offset, 1);
  // Trailing bytes: after a bare token, after the framing, inside the framing.
  e = assertCode(() => decodeSpnegoToken(fromHex(`${resp}00`)), 'DECODE_TRAILING_BYTES');
  assert.equal(e.offset, 23);
  const initLen = init.length / 2;
  e = assertCode(() => decodeSpnegoToken(fromHex(`${init}00`)), 'DECODE_TRAILING_BYTES');
  assert.equal(e.offset, initLen);
  const inner = InitialContextToken.decode(fromHex(init)).innerToken;
  const padded = InitialContextToken.encode({ mech: OID.SPNEGO, innerToken: Uint8Array.from([...inner, 0]) });
  e = assertCode(() => decodeSpnegoToken(padded), 'DECODE_TRAILING_BYTES');
  assert.equal(e.offset, padded.length - 1);
  // Truncation.
  e = assertCode(() => decodeSpnegoToken(fromHex(resp.slice(0, -2))), 'DECODE_TRUNCATED');
  assert.equal(e.offset, 1);
  assertCode(() => decodeSpnegoToken(new Uint8Array(0)), 'DECODE_TRUNCATED');
  assertCode(() => decodeSpnegoToken(fromHex('60')), 'DECODE_TRUNCATED');
  // Empty mechTypes.
  e = assertCode(() => decodeSpnegoToken(fromHex('a0063004a0023000')), 'DECODE_BAD_VALUE');
  assert.equal(e.offset, 6);
  // Unknown negState.
  e = assertCode(() => decodeSpnegoToken(fromHex('a1073005a0030a0107')), 'DECODE_BAD_VALUE');
  assert.equal(e.offset, 8);
  // Duplicated and unknown fields.
  e = assertCode(() => decodeSpnegoToken(fromHex('a10c300aa0030a0101a0030a0101')), 'DECODE_BAD_TAG');
  assert.equal(e.offset, 9);
  e = assertCode(() => decodeSpnegoToken(fromHex('a10b3009a0030a0101a9020500')), 'DECODE_BAD_TAG');
  assert.equal(e.offset, 9);
  // Not SPNEGO: a framed Kerberos token, raw NTLMSSP, a [2] choice.
  e = assertCode(() => decodeSpnegoToken(fromHex('600f06092a864886f71201020201006e00')), 'UNKNOWN_TOKEN');
  assert.equal(e.offset, 2);
  e = assertCode(() => decodeSpnegoToken(new TextEncoder().encode('NTLMSSP\0\x01\0\0\0')), 'UNKNOWN_TOKEN');
  assert.equal(e.offset, 0);
  assertCode(() => decodeSpnegoToken(fromHex('a2023000')), 'UNKNOWN_TOKEN');
  e = assertCode(() => decodeSpnegoToken(InitialContextToken.encode({ mech: OID.SPNEGO, innerToken: fromHex('a2023000') })), 'DECODE_BAD_TAG');
  assert.equal(e.offset, 10);
  e = assertCode(() => decodeSpnegoToken(InitialContextToken.encode({ mech: OID.SPNEGO, innerToken: new Uint8Array(0) })), 'DECODE_TRUNCATED');
  assert.equal(e.offset, 10);
  // Limits.
  assertCode(() => decodeSpnegoToken(fromHex(init), { maxBytes: 16 }), 'DECODE_LIMIT');
  assertCode(() => decodeSpnegoToken(fromHex(init), { maxElements: 4 }), 'DECODE_LIMIT');
  assertCode(() => decodeSpnegoToken(fromHex(init), { maxDepth: 2 }), 'DECODE_LIMIT');
});

interface Capture {
  readonly name?: string;
  readonly base64?: string;
  readonly header?: string;
  readonly kind?: string;
}

/** The token bytes of a capture: its base64, or the credentials of a `Negotiate <b64>` header. */
function captureBytes(c: Capture): Uint8Array | undefined {
  const b64 = c.base64 ?? /(?:^|\s)(?:Negotiate|Kerberos|NTLM)\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(c.header ?? '')?.[1];
  if (!b64) return undefined;
  try {
    return fromBase64(b64);
  } catch {
    return undefined;
  }
}

/** SPNEGO-looking: framed with the SPNEGO OID, or a bare [0]/[1]. */
function looksSpnego(b: Uint8Array): boolean {
  if (b[0] === 0xa0 || b[0] === 0xa1) return true;
  if (!hasInitialContextTokenHeader(b)) return false;
  return InitialContextToken.decode(b).mech === OID.SPNEGO;
}

const CAPTURES = 'test/vectors/lab-captures.json';
test('lab captures: every SPNEGO-looking token decodes and re-encodes byte for byte', (t) => {
  if (!existsSync(repoPath(CAPTURES))) {
    t.skip(`${CAPTURES} not present yet`);
    return;
  }
  const file = readJson<{ tokens?: Capture[] }>(CAPTURES);
  let n = 0;
  for (const c of file.tokens ?? []) {
    const b = captureBytes(c);
    if (!b || b.length === 0 || !looksSpnego(b)) continue;
    const d = decodeSpnegoToken(b);
    assert.equal(hexOf(encodeSpnegoToken(d)), toHex(b), c.name);
    n++;
  }
  t.diagnostic(`${n} SPNEGO token(s) checked`);
});

test('decoding from a Buffer hands out plain, unshared byte fields', () => {
  const v = vectors.tokens.find((x) => x.mechListMIC !== undefined && x.type === 'negTokenInit');
  assert.ok(v);
  const buf = Buffer.from(v.hex, 'hex');
  const d = decodeSpnegoToken(buf);
  if (d.token.type !== 'negTokenInit') return assert.fail('expected negTokenInit');
  const { mechListMIC, mechTypesDer } = d.token.value;
  assert.ok(mechListMIC);
  assert.equal(Object.getPrototypeOf(mechListMIC), Uint8Array.prototype);
  assert.equal(Object.getPrototypeOf(mechTypesDer), Uint8Array.prototype);
  buf.fill(0);
  assert.equal(toHex(mechListMIC), v.mechListMIC);
  assert.equal(toHex(mechTypesDer), v.mechTypesDer);
  const inner = InitialContextToken.decode(Buffer.from(v.hex, 'hex')).innerToken;
  assert.equal(Object.getPrototypeOf(inner), Uint8Array.prototype);
});
