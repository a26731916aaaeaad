import { test } from 'node:test';
import { assertCode } from '../../../helpers/errors.js';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { ErrorCode } from '../../../../src/errors.js';
import {
  AUTHENTICATE_MIC_OFFSET,
  authenticateMessageCodec,
  micFlagged,
  withZeroMic,
  type AuthenticateMessage,
} from '../../../../src/codec/ntlm/authenticate.js';
import { ntlmv2ResponseCodec } from '../../../../src/codec/ntlm/ntlmv2-response.js';
import { fromHex, toHex } from '../../../../src/bytes/encoding.js';
import { MSV_AV_FLAG_MIC_PRESENT } from '../../../../src/iana/ntlm.js';

interface VectorMessage {
  name: string;
  kind: string;
  hex: string;
  LmChallengeResponse_hex: string;
  NtChallengeResponse_hex: string;
  EncryptedRandomSessionKey_hex: string;
}
const vectors = JSON.parse(readFileSync(`${process.cwd()}/test/vectors/ms-nlmp-messages.json`, 'utf8')) as {
  messages: VectorMessage[];
};
const auths = vectors.messages.filter((m) => m.kind === 'AUTHENTICATE_MESSAGE');

const throwsCode = (fn: () => unknown, code: ErrorCode, offset?: number): void => void assertCode(fn, code, offset);

const VERSION_5_1 = { productMajorVersion: 5, productMinorVersion: 1, productBuild: 2600, ntlmRevisionCurrent: 15 };

test('AUTHENTICATE_MESSAGE: the three MS-NLMP 4.2 examples, every field, byte-exact round trip', () => {
  assert.equal(auths.length, 3);
  const flags = [0xe2808235, 0x82088235, 0xe2888235];
  auths.forEach((v, i) => {
    const m = authenticateMessageCodec.decode(fromHex(v.hex));
    assert.deepEqual(m, {
      lmChallengeResponse: fromHex(v.LmChallengeResponse_hex),
      ntChallengeResponse: fromHex(v.NtChallengeResponse_hex),
      domainName: 'Domain',
      userName: 'User',
      workstation: 'COMPUTER',
      encryptedRandomSessionKey: fromHex(v.EncryptedRandomSessionKey_hex),
      negotiateFlags: flags[i],
      version: VERSION_5_1,
    }, v.name);
    assert.equal(m.mic, undefined, 'payload starts at 72: no MIC');
    assert.equal(toHex(authenticateMessageCodec.encode(m)), v.hex, v.name);
    // Built by hand (no layout) gives the same bytes: the examples use the canonical layout.
    const { layout: _l, ...plain } = m;
    assert.equal(toHex(authenticateMessageCodec.encode(plain)), v.hex, v.name);
  });
  assert.equal(micFlagged(authenticateMessageCodec.decode(fromHex(auths[2]!.hex))), false);
});

function ntlmv2WithFlags(avFlags: number): Uint8Array {
  return ntlmv2ResponseCodec.encode({
    response: new Uint8Array(16).fill(0x11),
    clientChallenge: {
      respType: 1,
      hiRespType: 1,
      timeStamp: 0x01d0000000000000n,
      challengeFromClient: new Uint8Array(8).fill(0xaa),
      avPairs: [
        { avId: 'MsvAvNbDomainName', value: 'EXAMPLE' },
        { avId: 'MsvAvFlags', value: avFlags },
        { avId: 'MsvAvTimestamp', value: 0x01d0000000000000n },
      ],
    },
  });
}

const withMic: AuthenticateMessage = {
  lmChallengeResponse: new Uint8Array(24),
  ntChallengeResponse: ntlmv2WithFlags(MSV_AV_FLAG_MIC_PRESENT),
  domainName: 'EXAMPLE',
  userName: 'alice',
  workstation: 'WS01',
  encryptedRandomSessionKey: new Uint8Array(16).fill(0x55),
  negotiateFlags: 0xe2888235,
  version: { productMajorVersion: 10, productMinorVersion: 0, productBuild: 19041, ntlmRevisionCurrent: 15 },
  mic: new Uint8Array(16).fill(0x4d),
};

test('AUTHENTICATE_MESSAGE: with a MIC, the canonical payload starts at 88 (Windows layout)', () => {
  const b = authenticateMessageCodec.encode(withMic);
  const dv = new DataView(b.buffer);
  assert.equal(dv.getUint32(28 + 4, true), 88, 'DomainName first, right after the MIC');
  assert.equal(dv.getUint32(36 + 4, true), 88 + 14);
  assert.equal(dv.getUint32(12 + 4, true), 88 + 14 + 10 + 8, 'then LmChallengeResponse');
  assert.equal(toHex(b.subarray(AUTHENTICATE_MIC_OFFSET, AUTHENTICATE_MIC_OFFSET + 16)), '4d'.repeat(16));
  const m = authenticateMessageCodec.decode(b);
  assert.deepEqual(m, withMic);
  assert.equal(micFlagged(m), true);
  const zeroed = withZeroMic(b);
  assert.equal(toHex(zeroed.subarray(72, 88)), '00'.repeat(16));
  assert.equal(toHex(zeroed.subarray(88)), toHex(b.subarray(88)));
  // MIC presence is structural: dropping the MIC moves the payload to 72, whatever MsvAvFlags claims.
  const { mic: _mic, ...noMic } = withMic;
  const b2 = authenticateMessageCodec.encode(noMic);
  assert.equal(b2.length, b.length - 16);
  const m2 = authenticateMessageCodec.decode(b2);
  assert.equal(m2.mic, undefined);
  assert.equal(micFlagged(m2), true);
  throwsCode(() => withZeroMic(b2), 'BAD_ARGUMENT');
  // No VERSION and no MIC: payload at 64.
  const { version: _v, ...bare } = noMic;
  assert.equal(new DataView(authenticateMessageCodec.encode(bare).buffer).getUint32(32, true), 64);
  throwsCode(() => authenticateMessageCodec.encode({ ...bare, mic: new Uint8Array(16) }), 'ENCODE_BAD_VALUE');
  throwsCode(() => authenticateMessageCodec.encode({ ...withMic, mic: new Uint8Array(15) }), 'ENCODE_BAD_VALUE');
});

/** A Samba-style layout: LM, NT, domain, user, workstation, session key, built by hand here. */
function sambaOrder(m: AuthenticateMessage, payloadStart: number, pad = 0): Uint8Array {
  const enc = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf16le'));
  const parts: [number, Uint8Array][] = [
    [12, m.lmChallengeResponse],
    [20, m.ntChallengeResponse],
    [28, enc(m.domainName)],
    [36, enc(m.userName)],
    [44, enc(m.workstation)],
    [52, m.encryptedRandomSessionKey],
  ];
  let size = payloadStart;
  for (const [, p] of parts) size += p.length + pad;
  size -= pad; // padding between fields only: bytes after the last field are rejected
  const out = new Uint8Array(size);
  const canon = authenticateMessageCodec.encode({ ...m, layout: undefined });
  out.set(canon.subarray(0, payloadStart));
  const dv = new DataView(out.buffer);
  let at = payloadStart;
  for (const [hdr, p] of parts) {
    dv.setUint16(hdr, p.length, true);
    dv.setUint16(hdr + 2, p.length, true);
    dv.setUint32(hdr + 4, at, true);
    out.set(p, at);
    at += p.length;
    if (at < size) {
      out.fill(0xee, at, at + pad);
      at += pad;
    }
  }
  return out;
}

test('AUTHENTICATE_MESSAGE: another sender order round-trips byte for byte; edits keep or drop the layout', () => {
  const b = sambaOrder(withMic, 88);
  const m = authenticateMessageCodec.decode(b);
  assert.ok(m.layout, 'non-canonical layout is kept');
  assert.deepEqual(m.mic, withMic.mic);
  assert.equal(m.userName, 'alice');
  assert.deepEqual(m.layout.fields.LmChallengeResponse, { offset: 88, maxLen: 24 });
  assert.equal(toHex(authenticateMessageCodec.encode(m)), toHex(b));
  // Zeroing the MIC (same length) keeps the sender's layout: what MIC verification needs.
  const z = authenticateMessageCodec.encode({ ...m, mic: new Uint8Array(16) });
  assert.equal(toHex(z), toHex(withZeroMic(b)));
  // A longer user name no longer fits between its neighbours: canonical layout instead.
  const longer = authenticateMessageCodec.decode(authenticateMessageCodec.encode({ ...m, userName: 'alice.longname' }));
  assert.equal(longer.layout, undefined);
  assert.equal(longer.userName, 'alice.longname');
  assert.equal(longer.workstation, 'WS01');
  // The session key is last: a shorter one still fits the sender's layout.
  const shorter = authenticateMessageCodec.decode(authenticateMessageCodec.encode({ ...m, encryptedRandomSessionKey: new Uint8Array(0) }));
  assert.ok(shorter.layout);
  assert.deepEqual(shorter.encryptedRandomSessionKey, new Uint8Array(0));
});

test('AUTHENTICATE_MESSAGE: padding between fields and VERSION without MIC round-trip', () => {
  const { mic: _m, ...noMic } = withMic;
  for (const [start, pad] of [[72, 2], [80, 0], [64, 1], [96, 3]] as const) {
    const src = start < 72 ? (({ version: _v, ...r }) => r)(noMic) : noMic;
    const b = sambaOrder(start >= 88 ? withMic : src, start, pad);
    const m = authenticateMessageCodec.decode(b);
    assert.equal(m.version !== undefined, start >= 72, `start ${start}`);
    assert.equal(m.mic !== undefined, start >= 88, `start ${start}`);
    assert.equal(toHex(authenticateMessageCodec.encode(m)), toHex(b), `start ${start} pad ${pad}`);
    if (start === 80) assert.deepEqual(m.layout?.gaps[0], { offset: 72, bytes: b.slice(72, 80) });
  }
});

test('AUTHENTICATE_MESSAGE: empty fields and all-empty (anonymous-like) messages', () => {
  const anon: AuthenticateMessage = {
    lmChallengeResponse: new Uint8Array(1),
    ntChallengeResponse: new Uint8Array(0),
    domainName: '',
    userName: '',
    workstation: 'WS',
    encryptedRandomSessionKey: new Uint8Array(0),
    negotiateFlags: 0x00000a05,
    version: { productMajorVersion: 6, productMinorVersion: 1, productBuild: 7601, ntlmRevisionCurrent: 15 },
  };
  const b = authenticateMessageCodec.encode(anon);
  const dv = new DataView(b.buffer);
  assert.equal(dv.getUint32(28 + 4, true), 72, 'empty DomainName points at the payload position');
  assert.equal(dv.getUint32(52 + 4, true), b.length, 'empty EncryptedRandomSessionKey points at the end');
  assert.deepEqual(authenticateMessageCodec.decode(b), anon);
  // Every field empty: VERSION/MIC presence follows the message length.
  const allEmpty = { ...anon, lmChallengeResponse: new Uint8Array(0), workstation: '' };
  for (const m of [allEmpty, { ...allEmpty, mic: new Uint8Array(16).fill(7) }, (({ version: _v, ...r }) => r)(allEmpty)]) {
    const e = authenticateMessageCodec.encode(m);
    assert.deepEqual(authenticateMessageCodec.decode(e), m);
  }
});

test('AUTHENTICATE_MESSAGE: OEM strings when NTLMSSP_NEGOTIATE_UNICODE is not set', () => {
  const m: AuthenticateMessage = {
    ...withMic,
    negotiateFlags: 0x00088206,
    domainName: 'D\u00c9MO',
    userName: 'bob',
    workstation: 'W',
  };
  const b = authenticateMessageCodec.encode(m);
  assert.equal(toHex(b.subarray(88, 88 + 4)), '44c94d4f');
  assert.deepEqual(authenticateMessageCodec.decode(b), m);
  throwsCode(() => authenticateMessageCodec.encode({ ...m, userName: '\u0101' }), 'ENCODE_BAD_VALUE');
});

test('AUTHENTICATE_MESSAGE: malformed input is rejected with offsets', () => {
  const v = fromHex(auths[2]!.hex);
  const mutate = (f: (dv: DataView) => void): Uint8Array => {
    const c = v.slice();
    f(new DataView(c.buffer));
    return c;
  };
  // NtChallengeResponse past the end.
  throwsCode(() => authenticateMessageCodec.decode(mutate((d) => d.setUint32(24, v.length - 10, true))), 'DECODE_BAD_LENGTH', 20);
  // UserName overlapping DomainName.
  throwsCode(() => authenticateMessageCodec.decode(mutate((d) => d.setUint32(40, 0x4a, true))), 'DECODE_BAD_LENGTH', 36);
  // UserName pointing into the fixed header.
  throwsCode(() => authenticateMessageCodec.decode(mutate((d) => d.setUint32(40, 8, true))), 'DECODE_BAD_LENGTH', 36);
  // Odd-length Unicode UserName (shortened by one: leaves a gap, but the string is bad).
  throwsCode(() => authenticateMessageCodec.decode(mutate((d) => d.setUint16(36, 7, true))), 'DECODE_BAD_VALUE', 0x54);
  // Trailing garbage.
  const t = new Uint8Array(v.length + 1);
  t.set(v);
  throwsCode(() => authenticateMessageCodec.decode(t), 'DECODE_TRAILING_BYTES', v.length);
  throwsCode(() => authenticateMessageCodec.decode(v.subarray(0, 63)), 'DECODE_TRUNCATED', 63);
  throwsCode(() => authenticateMessageCodec.decode(v.subarray(0, 100)), 'DECODE_BAD_LENGTH');
});
