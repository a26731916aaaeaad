import { test } from 'node:test';
import { assertCode } from '../../../helpers/errors.js';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { ErrorCode } from '../../../../src/errors.js';
import {
  encodeNtlmv2ClientChallenge,
  isNtlmv2Response,
  ntlmv2AvFlags,
  ntlmv2ResponseCodec,
  type Ntlmv2Response,
} from '../../../../src/codec/ntlm/ntlmv2-response.js';
import { fromHex, toHex } from '../../../../src/bytes/encoding.js';

const vectors = JSON.parse(readFileSync(`${process.cwd()}/test/vectors/ms-nlmp-messages.json`, 'utf8')) as {
  ntlmv2: { NTProofStr_hex: string; NtChallengeResponse_hex: string; temp_hex: string };
  messages: { kind: string; NtChallengeResponse_hex: string }[];
};

const throwsCode = (fn: () => unknown, code: ErrorCode, offset?: number): void => void assertCode(fn, code, offset);

test('NTLMv2_RESPONSE: MS-NLMP 4.2.4 NtChallengeResponse, every field, round trip', () => {
  const b = fromHex(vectors.ntlmv2.NtChallengeResponse_hex);
  const r = ntlmv2ResponseCodec.decode(b);
  assert.deepEqual(r, {
    response: fromHex(vectors.ntlmv2.NTProofStr_hex),
    clientChallenge: {
      respType: 1,
      hiRespType: 1,
      timeStamp: 0n,
      challengeFromClient: fromHex('aaaaaaaaaaaaaaaa'),
      avPairs: [
        { avId: 'MsvAvNbDomainName', value: 'Domain' },
        { avId: 'MsvAvNbComputerName', value: 'Server' },
      ],
    },
  });
  assert.equal(toHex(ntlmv2ResponseCodec.encode(r)), vectors.ntlmv2.NtChallengeResponse_hex);
  assert.equal(toHex(encodeNtlmv2ClientChallenge(r.clientChallenge)), vectors.ntlmv2.temp_hex);
  assert.equal(isNtlmv2Response(b), true);
  assert.equal(ntlmv2AvFlags(b), undefined);
  assert.equal(ntlmv2ResponseCodec.name, 'NTLMv2_RESPONSE');
});

test('NTLMv2_RESPONSE: NTLMv1 responses are not NTLMv2', () => {
  const v1 = vectors.messages.filter((m) => m.kind === 'AUTHENTICATE_MESSAGE').slice(0, 2);
  for (const m of v1) {
    const b = fromHex(m.NtChallengeResponse_hex);
    assert.equal(isNtlmv2Response(b), false);
    assert.equal(ntlmv2AvFlags(b), undefined);
    throwsCode(() => ntlmv2ResponseCodec.decode(b), 'DECODE_BAD_VALUE', 16);
  }
});

test('NTLMv2_RESPONSE: reserved fields and padding after MsvAvEOL are kept', () => {
  const r: Ntlmv2Response = {
    response: new Uint8Array(16).fill(1),
    clientChallenge: {
      respType: 1,
      hiRespType: 1,
      reserved1: 0x0102,
      reserved2: 0x03040506,
      timeStamp: 0x01dc0123456789abn,
      challengeFromClient: new Uint8Array(8).fill(2),
      reserved3: 7,
      avPairs: [{ avId: 'MsvAvFlags', value: 2 }, { avId: 0x0042, value: new Uint8Array([9]) }],
      padding: new Uint8Array(0),
    },
  };
  for (const padding of [new Uint8Array(0), new Uint8Array(8), new Uint8Array([0, 0, 0, 1])]) {
    const v = { ...r, clientChallenge: { ...r.clientChallenge, padding } };
    const b = ntlmv2ResponseCodec.encode(v);
    assert.deepEqual(ntlmv2ResponseCodec.decode(b), v);
  }
  const { padding: _p, ...canonical } = r.clientChallenge;
  const b = ntlmv2ResponseCodec.encode({ ...r, clientChallenge: canonical });
  assert.equal(toHex(b.subarray(b.length - 8)), '00000000' + '00000000', 'MsvAvEOL then Z(4)');
  assert.equal(ntlmv2AvFlags(b), 2);
});

test('NTLMv2_RESPONSE: malformed input', () => {
  const good = vectors.ntlmv2.NtChallengeResponse_hex;
  throwsCode(() => ntlmv2ResponseCodec.decode(fromHex(good.slice(0, 32) + '02' + good.slice(34))), 'DECODE_BAD_VALUE', 16);
  throwsCode(() => ntlmv2ResponseCodec.decode(fromHex(good.slice(0, 34) + '02' + good.slice(36))), 'DECODE_BAD_VALUE', 17);
  throwsCode(() => ntlmv2ResponseCodec.decode(fromHex(good.slice(0, 80))), 'DECODE_TRUNCATED');
  throwsCode(() => ntlmv2ResponseCodec.decode(fromHex(good.slice(0, 44 * 2))), 'DECODE_TRUNCATED', 44);
  const r = ntlmv2ResponseCodec.decode(fromHex(good));
  throwsCode(() => ntlmv2ResponseCodec.encode({ ...r, clientChallenge: { ...r.clientChallenge, respType: 2 } }), 'ENCODE_BAD_VALUE');
  throwsCode(() => ntlmv2ResponseCodec.encode({ ...r, response: new Uint8Array(8) }), 'ENCODE_BAD_VALUE');
});
