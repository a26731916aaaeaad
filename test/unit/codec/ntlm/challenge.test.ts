import { test } from 'node:test';
import { assertCode } from '../../../helpers/errors.js';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { ErrorCode } from '../../../../src/errors.js';
import { challengeMessageCodec, type ChallengeMessage } from '../../../../src/codec/ntlm/challenge.js';
import { fromHex, toHex } from '../../../../src/bytes/encoding.js';
import { negotiateFlagNames } from '../../../../src/iana/ntlm.js';

interface VectorMessage { name: string; kind: string; hex: string }
const vectors = JSON.parse(readFileSync(`${process.cwd()}/test/vectors/ms-nlmp-messages.json`, 'utf8')) as {
  messages: VectorMessage[];
  common_values: { ServerChallenge_hex: string };
};
const challenges = vectors.messages.filter((m) => m.kind === 'CHALLENGE_MESSAGE');

const throwsCode = (fn: () => unknown, code: ErrorCode, offset?: number): void => void assertCode(fn, code, offset);

const SIG = '4e544c4d53535000';
const VERSION_6_0 = { productMajorVersion: 6, productMinorVersion: 0, productBuild: 6000, ntlmRevisionCurrent: 15 };

test('CHALLENGE_MESSAGE: the three MS-NLMP 4.2 examples, every field, byte-exact round trip', () => {
  assert.equal(challenges.length, 3);
  const expectedFlags = [0xe2028233, 0x820a8233, 0xe28a8233];
  challenges.forEach((v, i) => {
    const b = fromHex(v.hex);
    const m = challengeMessageCodec.decode(b);
    assert.equal(m.targetName, 'Server', v.name);
    assert.equal(m.negotiateFlags, expectedFlags[i], v.name);
    assert.equal(toHex(m.serverChallenge), vectors.common_values.ServerChallenge_hex);
    assert.equal(m.reserved, undefined);
    assert.deepEqual(m.version, VERSION_6_0);
    assert.equal(m.layout, undefined, 'the examples use the canonical layout');
    if (i < 2) assert.equal(m.targetInfo, undefined);
    else {
      assert.deepEqual(m.targetInfo, [
        { avId: 'MsvAvNbDomainName', value: 'Domain' },
        { avId: 'MsvAvNbComputerName', value: 'Server' },
      ]);
    }
    assert.equal(toHex(challengeMessageCodec.encode(m)), v.hex, v.name);
  });
  assert.deepEqual(negotiateFlagNames(0xe28a8233), [
    'NTLMSSP_NEGOTIATE_UNICODE', 'NTLM_NEGOTIATE_OEM', 'NTLMSSP_NEGOTIATE_SIGN',
    'NTLMSSP_NEGOTIATE_SEAL', 'NTLMSSP_NEGOTIATE_NTLM', 'NTLMSSP_NEGOTIATE_ALWAYS_SIGN', 'NTLMSSP_TARGET_TYPE_SERVER',
    'NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY', 'NTLMSSP_NEGOTIATE_TARGET_INFO', 'NTLMSSP_NEGOTIATE_VERSION',
    'NTLMSSP_NEGOTIATE_128', 'NTLMSSP_NEGOTIATE_KEY_EXCH', 'NTLMSSP_NEGOTIATE_56',
  ]);
});

test('CHALLENGE_MESSAGE: built by hand gives the MS-NLMP 4.2.4 bytes (canonical layout)', () => {
  const m: ChallengeMessage = {
    targetName: 'Server',
    negotiateFlags: 0xe28a8233,
    serverChallenge: fromHex('0123456789abcdef'),
    targetInfo: [
      { avId: 'MsvAvNbDomainName', value: 'Domain' },
      { avId: 'MsvAvNbComputerName', value: 'Server' },
    ],
    version: VERSION_6_0,
  };
  assert.equal(toHex(challengeMessageCodec.encode(m)), challenges[2]!.hex);
  // and 4.2.2 (no TargetInfo: empty field at offset 0)
  assert.equal(toHex(challengeMessageCodec.encode({ ...m, targetInfo: undefined, negotiateFlags: 0xe2028233 })), challenges[0]!.hex);
});

test('CHALLENGE_MESSAGE: OEM TargetName, no VERSION, non-zero Reserved', () => {
  const m: ChallengeMessage = {
    targetName: 'SERVER',
    negotiateFlags: 0x00008202, // OEM, NTLM, ALWAYS_SIGN
    serverChallenge: fromHex('0102030405060708'),
    reserved: fromHex('1112131415161718'),
  };
  const b = challengeMessageCodec.encode(m);
  assert.equal(
    toHex(b),
    SIG + '02000000' + '0600060030000000' + '02820000' + '0102030405060708' + '1112131415161718' + '0000000000000000' + '534552564552',
  );
  assert.deepEqual(challengeMessageCodec.decode(b), m);
});

test('CHALLENGE_MESSAGE: non-canonical layouts round-trip (TargetInfo first, padding, MaxLen)', () => {
  const base = fromHex(challenges[2]!.hex);
  const ti = base.subarray(68); // 36 bytes of AV pairs
  const tn = base.subarray(56, 68);
  const hdr = (tnOff: number, tnMax: number, tiOff: number): string =>
    SIG + '02000000' + '0c00' + tnMax.toString(16).padStart(2, '0') + '00' + tnOff.toString(16).padStart(2, '0') + '000000' +
    '33828ae2' + '0123456789abcdef' + '0000000000000000' + '24002400' + tiOff.toString(16).padStart(2, '0') + '000000' + '060070170000000f';
  // TargetInfo at 56, 4 bytes of padding, TargetName at 96 with MaxLen 0x20.
  const hex = hdr(96, 0x20, 56) + toHex(ti) + '00000000' + toHex(tn);
  const m = challengeMessageCodec.decode(fromHex(hex));
  assert.equal(m.targetName, 'Server');
  assert.equal(m.targetInfo?.length, 2);
  assert.deepEqual(m.layout, {
    fields: { TargetName: { offset: 96, maxLen: 0x20 }, TargetInfo: { offset: 56, maxLen: 0x24 } },
    gaps: [{ offset: 92, bytes: new Uint8Array(4) }],
  });
  assert.equal(toHex(challengeMessageCodec.encode(m)), hex);
  // Same content, canonical once the layout is dropped.
  const { layout: _l, ...plain } = m;
  assert.equal(toHex(challengeMessageCodec.encode(plain)), challenges[2]!.hex);
});

test('CHALLENGE_MESSAGE: malformed TargetInfo and fields are rejected', () => {
  const v = challenges[2]!.hex;
  // TargetInfo without MsvAvEOL: replace the last 4 bytes (EOL) with an unknown empty pair.
  throwsCode(() => challengeMessageCodec.decode(fromHex(v.slice(0, -8) + '00010000')), 'DECODE_TRUNCATED');
  // Bytes after MsvAvEOL inside TargetInfo.
  const extra = v.replace('24002400', '28002800') + '00000000';
  throwsCode(() => challengeMessageCodec.decode(fromHex(extra)), 'DECODE_TRAILING_BYTES', 104);
  // TargetName longer than the message.
  throwsCode(() => challengeMessageCodec.decode(fromHex(v.replace('0c000c00', 'ff00ff00'))), 'DECODE_BAD_LENGTH', 12);
  // TargetInfo AV pair count over the limit.
  throwsCode(() => challengeMessageCodec.decode(fromHex(v), { maxElements: 1 }), 'DECODE_LIMIT');
  // Odd Unicode TargetName.
  throwsCode(() => challengeMessageCodec.decode(fromHex(v.replace('0c000c00', '0b000b00'))), 'DECODE_BAD_VALUE', 56);
  throwsCode(() => challengeMessageCodec.decode(fromHex(v.slice(0, 94))), 'DECODE_TRUNCATED', 47);
});

test('CHALLENGE_MESSAGE: unencodable values', () => {
  const m: ChallengeMessage = { targetName: '', negotiateFlags: 0, serverChallenge: new Uint8Array(7) };
  throwsCode(() => challengeMessageCodec.encode(m), 'ENCODE_BAD_VALUE');
  throwsCode(() => challengeMessageCodec.encode({ ...m, serverChallenge: new Uint8Array(8), reserved: new Uint8Array(1) }), 'ENCODE_BAD_VALUE');
  throwsCode(() => challengeMessageCodec.encode({ ...m, serverChallenge: new Uint8Array(8), targetName: '\u20ac' }), 'ENCODE_BAD_VALUE');
});
