import { test } from 'node:test';
import { assertCode } from '../../../helpers/errors.js';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import type { ErrorCode } from '../../../../src/errors.js';
import {
  decodeNtlmMessage,
  encodeNtlmMessage,
  hasNtlmSignature,
  ntlmMessageCodec,
  ntlmMessageType,
} from '../../../../src/codec/ntlm/message.js';
import { fromBase64, fromHex, toHex } from '../../../../src/bytes/encoding.js';
import { micFlagged } from '../../../../src/codec/ntlm/authenticate.js';
import { findAvPair } from '../../../../src/codec/ntlm/av-pairs.js';
import { ntlmv2ResponseCodec } from '../../../../src/codec/ntlm/ntlmv2-response.js';

const vectors = JSON.parse(readFileSync(`${process.cwd()}/test/vectors/ms-nlmp-messages.json`, 'utf8')) as {
  messages: { name: string; kind: string; hex: string }[];
};

const throwsCode = (fn: () => unknown, code: ErrorCode, offset?: number): void => void assertCode(fn, code, offset);

test('NTLM message: dispatch on the 12-byte header, byte-exact round trip of the MS-NLMP examples', () => {
  for (const v of vectors.messages) {
    const b = fromHex(v.hex);
    assert.equal(hasNtlmSignature(b), true);
    assert.equal(ntlmMessageType(b), v.kind);
    const m = decodeNtlmMessage(b);
    assert.equal(m.messageType, v.kind, v.name);
    assert.equal(toHex(encodeNtlmMessage(m)), v.hex, v.name);
    assert.equal(toHex(ntlmMessageCodec.encode(ntlmMessageCodec.decode(b))), v.hex);
  }
  const neg = fromHex('4e544c4d53535000' + '01000000' + '07820008' + '00'.repeat(16));
  const m = decodeNtlmMessage(neg);
  assert.equal(m.messageType, 'NEGOTIATE_MESSAGE');
  if (m.messageType === 'NEGOTIATE_MESSAGE') assert.equal(m.message.negotiateFlags, 0x08008207);
});

test('NTLM message: unknown types and non-NTLM input', () => {
  throwsCode(() => decodeNtlmMessage(fromHex('4e544c4d53535000' + '04000000' + '00'.repeat(40))), 'DECODE_BAD_VALUE', 8);
  throwsCode(() => decodeNtlmMessage(fromHex('6082')), 'DECODE_TRUNCATED', 0);
  throwsCode(() => decodeNtlmMessage(fromHex('4e544c4d53535000' + '0100')), 'DECODE_TRUNCATED', 8);
  throwsCode(() => decodeNtlmMessage(fromHex('a1' + '00'.repeat(40))), 'DECODE_BAD_VALUE', 0);
  throwsCode(() => decodeNtlmMessage(new Uint8Array(70_000)), 'DECODE_LIMIT');
  assert.equal(hasNtlmSignature(fromHex('4e544c4d5353')), false);
  throwsCode(() => encodeNtlmMessage({ messageType: 'X' } as never), 'ENCODE_BAD_VALUE');
});

/**
 * Real tokens captured by a colleague from Samba / gss-ntlmssp, when the file exists.
 * Raw NTLM tokens are used directly; NTLM inside SPNEGO is located by the signature and the
 * DER OCTET STRING header in front of it (enough for a test; the SPNEGO codec does this properly).
 */
interface Capture { name: string; base64: string; kind?: string }
const capturesPath = `${process.cwd()}/test/vectors/lab-captures.json`;
const captures: Capture[] = existsSync(capturesPath)
  ? ((JSON.parse(readFileSync(capturesPath, 'utf8')) as { tokens?: Capture[] }).tokens ?? [])
  : [];

function ntlmIn(token: Uint8Array): Uint8Array | undefined {
  if (hasNtlmSignature(token)) return token;
  for (let i = 2; i + 8 <= token.length; i++) {
    if (!hasNtlmSignature(token.subarray(i))) continue;
    // 04 len | 04 81 len | 04 82 len len
    if (token[i - 2] === 0x04 && token[i - 1]! < 0x80) return token.subarray(i, i + token[i - 1]!);
    if (i >= 3 && token[i - 3] === 0x04 && token[i - 2] === 0x81) return token.subarray(i, i + token[i - 1]!);
    if (i >= 4 && token[i - 4] === 0x04 && token[i - 3] === 0x82) return token.subarray(i, i + ((token[i - 2]! << 8) | token[i - 1]!));
  }
  return undefined;
}

test('NTLM message: lab captures (Samba, gss-ntlmssp) decode and round-trip byte for byte', { skip: captures.length === 0 ? 'no test/vectors/lab-captures.json yet' : false }, () => {
  let n = 0;
  for (const c of captures) {
    const ntlm = ntlmIn(fromBase64(c.base64));
    if (ntlm === undefined) continue;
    const m = decodeNtlmMessage(ntlm);
    n++;
    assert.equal(toHex(encodeNtlmMessage(m)), toHex(ntlm), c.name);
    if (c.kind !== undefined) assert.ok(c.kind.includes(m.messageType.replace('_MESSAGE', '')), `${c.name}: ${c.kind}`);
    if (m.messageType === 'CHALLENGE_MESSAGE' && m.message.targetInfo) {
      assert.ok(findAvPair(m.message.targetInfo, 'MsvAvNbComputerName'), c.name);
    }
    if (m.messageType === 'AUTHENTICATE_MESSAGE') {
      const a = m.message;
      // A MIC the client announces (MsvAvFlags 0x2) must be where the layout says one is.
      if (micFlagged(a)) assert.ok(a.mic, `${c.name}: MsvAvFlags announces a MIC the layout has no room for`);
      if (a.ntChallengeResponse.length > 24) {
        const r = ntlmv2ResponseCodec.decode(a.ntChallengeResponse);
        assert.equal(toHex(ntlmv2ResponseCodec.encode(r)), toHex(a.ntChallengeResponse), c.name);
      }
    }
  }
  assert.ok(n > 0, 'the captures hold NTLM tokens');
});

test('NTLM message: what the lab peers actually send (layout and MIC observations)', { skip: captures.length === 0 ? 'no captures' : false }, () => {
  const byName = new Map(captures.map((c) => [c.name, c]));
  const get = (name: string) => {
    const c = byName.get(name);
    return c === undefined ? undefined : decodeNtlmMessage(ntlmIn(fromBase64(c.base64))!);
  };
  // Samba's client points empty NEGOTIATE fields at offset 40 (Windows: 0): kept as layout.
  const sambaNeg = get('ntlm_auth-ntlmssp-1-client');
  if (sambaNeg?.messageType === 'NEGOTIATE_MESSAGE') {
    assert.deepEqual(sambaNeg.message.layout?.fields.DomainName, { offset: 40, maxLen: 0 });
  }
  // Samba's client leaves room for and fills a MIC without announcing it in MsvAvFlags, and
  // sends no Z(4) after MsvAvEOL: the structural MIC rule and the padding field both matter.
  const sambaAuth = get('ntlm_auth-ntlmssp-3-client');
  if (sambaAuth?.messageType === 'AUTHENTICATE_MESSAGE') {
    assert.ok(sambaAuth.message.mic);
    assert.equal(micFlagged(sambaAuth.message), false);
    assert.deepEqual(ntlmv2ResponseCodec.decode(sambaAuth.message.ntChallengeResponse).clientChallenge.padding, new Uint8Array(0));
  }
  // gss-ntlmssp announces its MIC; its LmChallengeResponse is empty and NtChallengeResponse comes first.
  const gssAuth = get('apache-ntlm-authenticate');
  if (gssAuth?.messageType === 'AUTHENTICATE_MESSAGE') {
    assert.ok(gssAuth.message.mic);
    assert.equal(micFlagged(gssAuth.message), true);
    assert.equal(gssAuth.message.lmChallengeResponse.length, 0);
    assert.equal(gssAuth.message.layout?.fields.NtChallengeResponse.offset, 88);
  }
});
