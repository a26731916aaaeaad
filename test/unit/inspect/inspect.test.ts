import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { inspectInput, inspectBytes, renderReport, parseInput } from '../../../src/inspect/index.js';
import { fromBase64, toHex } from '../../../src/bytes/encoding.js';
import { decodeNtlmMessage } from '../../../src/codec/ntlm/message.js';
import { decodeSpnegoToken } from '../../../src/codec/spnego/spnego-token.js';
import { readJson } from '../../helpers/paths.js';
import { assertRoundTrip, kindOf, type Capture } from '../../helpers/tokens.js';
import { DECODE_CODES, onlyTypedErrors } from '../../helpers/errors.js';

const BRIEF = 'oRUwE6ADCgEBoQwGCisGAQQBgjcCAgo=';
const captures = readJson<{ tokens: Capture[] }>('test/vectors/lab-captures.json').tokens;

test('the brief token: NegTokenResp, accept-incomplete, supportedMech NTLMSSP, no responseToken, no mechListMIC', () => {
  const r = inspectInput({ text: BRIEF });
  assert.equal(r.format, 'spnego-inspect/1');
  assert.equal(r.tokens.length, 1);
  assert.deepEqual(r.tokens[0], {
    header: null,
    scheme: null,
    length: 23,
    token: {
      type: 'NegTokenResp',
      negState: { value: 1, name: 'accept-incomplete' },
      supportedMech: { oid: '1.3.6.1.4.1.311.2.2.10', name: 'NTLMSSP' },
      responseToken: null,
      mechListMIC: null,
    },
    error: null,
  });
  const text = renderReport(r);
  for (const s of ['NegTokenResp', 'negState: accept-incomplete', 'supportedMech: NTLMSSP (1.3.6.1.4.1.311.2.2.10)', 'responseToken: absent', 'mechListMIC: absent']) {
    assert.ok(text.includes(s), `${s} in:\n${text}`);
  }
});

test('header forms: header line, challenge list, curl -v lines', () => {
  const one = inspectInput({ text: `WWW-Authenticate: Negotiate ${BRIEF}` }).tokens;
  assert.equal(one.length, 1);
  assert.equal(one[0]!.header, 'WWW-Authenticate');
  assert.equal(one[0]!.scheme, 'Negotiate');
  assert.equal(one[0]!.token?.type, 'NegTokenResp');
  const list = parseInput('Negotiate, NTLM, Basic realm="a, b", charset="UTF-8"');
  assert.deepEqual(list.map((t) => [t.scheme, t.bytes, t.params ?? null]), [['Negotiate', null, null], ['NTLM', null, null], ['Basic', null, 'realm="a, b", charset="UTF-8"']]);
  const curl = `* Connected\n> GET / HTTP/1.1\n> Authorization: Negotiate ${BRIEF}\r\n< HTTP/1.1 200 OK\n< WWW-Authenticate: Negotiate ${BRIEF}\n`;
  const r = inspectInput({ text: curl });
  assert.deepEqual(r.tokens.map((t) => t.header), ['Authorization', 'WWW-Authenticate']);
  assert.equal(inspectInput({ text: toHex(fromBase64(BRIEF)), hex: true }).tokens[0]!.token?.type, 'NegTokenResp');
});

test('every real lab capture decodes, round-trips byte for byte, and agrees with the independent describe_token.py', () => {
  assert.ok(captures.length >= 25, 'captures present');
  let inner = 0;
  for (const c of captures) {
    const b = fromBase64(c.base64);
    const tree = inspectBytes(b);
    assert.equal(kindOf(tree), c.kind, c.name);
    inner += assertRoundTrip(b, c.name);
  }
  assert.ok(inner > captures.length, 'inner mech tokens were round-tripped too');
});

test('secrets are shown only as lengths unless --show-secrets', () => {
  const auth = captures.find((c) => c.name === 'apache-ntlm-authenticate')!;
  const b = fromBase64(auth.base64);
  const t = decodeSpnegoToken(b).token.value as { mechListMIC?: Uint8Array; responseToken?: Uint8Array };
  const mic = toHex(t.mechListMIC!);
  const hidden = JSON.stringify(inspectBytes(b));
  assert.ok(!hidden.includes(mic), 'mechListMIC not shown');
  assert.ok(hidden.includes('"redacted":true'));
  // The NTProofStr is the first 16 bytes of the NT response; it must not appear either.
  const a = decodeNtlmMessage(t.responseToken!).message as { ntChallengeResponse: Uint8Array };
  const ntProofStr = toHex(a.ntChallengeResponse.subarray(0, 16));
  assert.ok(!hidden.includes(ntProofStr), 'NTProofStr not shown');
  const shown = JSON.stringify(inspectBytes(b, { showSecrets: true }));
  assert.ok(shown.includes(mic) && shown.includes(ntProofStr), 'shown with showSecrets');
  for (const c of captures.filter((x) => x.kind.includes('AP-REQ'))) {
    const j = JSON.stringify(inspectBytes(fromBase64(c.base64)));
    assert.ok(!/"cipher":\{"length":\d+,"hex"/.test(j), `${c.name}: ciphertext redacted`);
  }
});

test('bad input gives a typed error entry, not an exception', () => {
  const r = inspectInput({ text: 'oRUwE6ADCgEBoQwGCisGAQQBgjcCAg' });
  assert.equal(r.tokens[0]!.token, null);
  assert.equal(r.tokens[0]!.error?.code, 'DECODE_TRUNCATED');
  assert.equal(r.tokens[0]!.error?.offset, 1);
  assert.equal(inspectInput({ text: 'AAAA' }).tokens[0]!.error?.code, 'UNKNOWN_TOKEN');
  assert.throws(() => inspectInput({ text: '%%%' }), { name: 'SpnegoError' });
});

test('property: arbitrary text and mutated real tokens never throw anything but SpnegoError', () => {
  fc.assert(fc.property(fc.string({ maxLength: 200 }), (s) => { onlyTypedErrors(() => inspectInput({ text: s })); }), { numRuns: 1000 });
  const seeds = captures.map((c) => fromBase64(c.base64));
  fc.assert(
    fc.property(fc.nat(seeds.length - 1), fc.array(fc.tuple(fc.nat(), fc.nat(255)), { minLength: 1, maxLength: 4 }), fc.option(fc.nat()), (i, edits, cut) => {
      const b = seeds[i]!.slice();
      for (const [at, x] of edits) b[at % b.length] = x;
      const m = cut === null ? b : b.subarray(0, cut % (b.length + 1));
      onlyTypedErrors(() => inspectBytes(m), DECODE_CODES);
    }),
    { numRuns: 3000 },
  );
});
