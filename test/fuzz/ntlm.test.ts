// Property tests for the NTLM codecs: arbitrary and mutated input yields a value or a DECODE_*
// SpnegoError (never another exception, never a hang); every accepted input re-encodes to itself;
// decode(encode(x)) deep-equals x for generated messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { SpnegoError } from '../../src/errors.js';
import { fromHex, toHex } from '../../src/bytes/encoding.js';
import { avPairsCodec, type AvPair } from '../../src/codec/ntlm/av-pairs.js';
import { negotiateMessageCodec, type NegotiateMessage } from '../../src/codec/ntlm/negotiate.js';
import { challengeMessageCodec, type ChallengeMessage } from '../../src/codec/ntlm/challenge.js';
import { authenticateMessageCodec, type AuthenticateMessage } from '../../src/codec/ntlm/authenticate.js';
import { ntlmv2ResponseCodec, type Ntlmv2Response } from '../../src/codec/ntlm/ntlmv2-response.js';
import { decodeNtlmMessage, encodeNtlmMessage } from '../../src/codec/ntlm/message.js';
import { versionCodec, type Version } from '../../src/codec/ntlm/version.js';
import type { Codec } from '../../src/codec/codec.js';

/** fc.record with ordinary prototypes, so deepStrictEqual compares with decoded objects. */
function rec<T>(
  model: { readonly [K in keyof T]?: fc.Arbitrary<T[K]> },
  opts?: { requiredKeys?: (keyof T & string)[] },
): fc.Arbitrary<T> {
  return fc.record(model as Record<string, fc.Arbitrary<unknown>>, { ...(opts ?? {}), noNullPrototype: true }) as unknown as fc.Arbitrary<T>;
}

const NUM_RUNS = Number(process.env.FUZZ_RUNS ?? 400);
const DECODE_CODES = new Set(['DECODE_TRUNCATED', 'DECODE_TRAILING_BYTES', 'DECODE_BAD_VALUE', 'DECODE_LIMIT', 'DECODE_BAD_LENGTH']);

const vectors = JSON.parse(readFileSync(`${process.cwd()}/test/vectors/ms-nlmp-messages.json`, 'utf8')) as {
  messages: { hex: string }[];
  ntlmv2: { NtChallengeResponse_hex: string; AV_pairs_hex: string };
};

/** decode either succeeds (and then re-encodes to the same bytes) or throws a DECODE_* SpnegoError. */
function decodesCleanly<T>(decode: (b: Uint8Array) => T, encode: (v: T) => Uint8Array, b: Uint8Array): void {
  let v: T;
  try {
    v = decode(b);
  } catch (e) {
    if (!(e instanceof SpnegoError)) throw new Error(`non-SpnegoError thrown: ${String(e)}`, { cause: e });
    assert.ok(DECODE_CODES.has(e.code), `unexpected code ${e.code}`);
    assert.ok(e.offset === undefined || (Number.isInteger(e.offset) && e.offset >= 0), 'offset is a byte position');
    return;
  }
  assert.equal(toHex(encode(v)), toHex(b), 'accepted input must re-encode byte for byte');
}

const message = {
  decode: (b: Uint8Array) => decodeNtlmMessage(b),
  encode: encodeNtlmMessage,
};

// ---------- mutations of valid messages ----------

const seeds: Uint8Array[] = vectors.messages.map((m) => fromHex(m.hex));
seeds.push(fromHex('4e544c4d53535000' + '01000000' + '978208e2' + '00'.repeat(16) + '0a00614a0000000f'));
// Raw NTLM tokens from the lab captures (Samba ntlm_auth), when present: real non-canonical layouts.
const labPath = `${process.cwd()}/test/vectors/lab-captures.json`;
if (existsSync(labPath)) {
  const lab = JSON.parse(readFileSync(labPath, 'utf8')) as { tokens?: { base64: string }[] };
  for (const t of lab.tokens ?? []) {
    const b = new Uint8Array(Buffer.from(t.base64, 'base64'));
    if (b.length >= 12 && Buffer.from(b.subarray(0, 8)).toString('latin1') === 'NTLMSSP\0') seeds.push(b);
  }
}

type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'field'; at: number; width: 2 | 4; value: number }
  | { kind: 'append'; bytes: Uint8Array }
  | { kind: 'splice'; at: number; bytes: Uint8Array };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  rec({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  rec({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  // Descriptor fields (Len/MaxLen/BufferOffset) live at 12..64 in every message type.
  rec({
    kind: fc.constant('field' as const),
    at: fc.integer({ min: 12, max: 62 }),
    width: fc.constantFrom(2 as const, 4 as const),
    value: fc.oneof(fc.nat({ max: 0xffff }), fc.integer({ min: 0, max: 0xffffffff }), fc.constantFrom(0, 1, 0x20, 0x28, 0x30, 0x38, 0x40, 0x48, 0x58, 0xffff, 0xffffffff)),
  }),
  rec({ kind: fc.constant('append' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  rec({ kind: fc.constant('splice' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
);

function mutate(src: Uint8Array, ms: readonly Mutation[]): Uint8Array {
  let b = src.slice();
  for (const m of ms) {
    if (b.length === 0) break;
    switch (m.kind) {
      case 'flip':
        b[m.at % b.length]! ^= 1 << m.bit;
        break;
      case 'truncate':
        b = b.slice(0, m.at % b.length);
        break;
      case 'field': {
        if (m.at + m.width > b.length) break;
        const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
        if (m.width === 2) dv.setUint16(m.at, m.value & 0xffff, true);
        else dv.setUint32(m.at, m.value >>> 0, true);
        break;
      }
      case 'append': {
        const c = new Uint8Array(b.length + m.bytes.length);
        c.set(b);
        c.set(m.bytes, b.length);
        b = c;
        break;
      }
      case 'splice': {
        const at = m.at % b.length;
        b = b.slice();
        b.set(m.bytes.subarray(0, b.length - at), at);
        break;
      }
    }
  }
  return b;
}

test('fuzz: mutated NTLM messages give a value or a DECODE_* error, and accepted ones re-encode exactly', { timeout: 120_000 }, () => {
  fc.assert(
    fc.property(fc.constantFrom(...seeds), fc.array(mutation, { minLength: 1, maxLength: 4 }), (seed, ms) => {
      decodesCleanly(message.decode, message.encode, mutate(seed, ms));
    }),
    { numRuns: NUM_RUNS * 5 },
  );
});

test('fuzz: random bytes after a valid header give a value or a DECODE_* error', { timeout: 120_000 }, () => {
  const header = fc.constantFrom(1, 2, 3, 4).map((t) => fromHex('4e544c4d53535000' + t.toString(16).padStart(2, '0') + '000000'));
  fc.assert(
    fc.property(header, fc.uint8Array({ maxLength: 200 }), (h, rest) => {
      const b = new Uint8Array(h.length + rest.length);
      b.set(h);
      b.set(rest, h.length);
      decodesCleanly(message.decode, message.encode, b);
    }),
    { numRuns: NUM_RUNS * 5 },
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 120 }), (b) => {
      decodesCleanly(message.decode, message.encode, b);
      decodesCleanly((x) => avPairsCodec.decode(x), avPairsCodec.encode, b);
      decodesCleanly((x) => ntlmv2ResponseCodec.decode(x), ntlmv2ResponseCodec.encode, b);
      decodesCleanly((x) => versionCodec.decode(x), versionCodec.encode, b);
    }),
    { numRuns: NUM_RUNS * 5 },
  );
});

test('fuzz: mutated AV pair lists and NTLMv2 responses', { timeout: 120_000 }, () => {
  const av = fromHex(vectors.ntlmv2.AV_pairs_hex);
  const nt = fromHex(vectors.ntlmv2.NtChallengeResponse_hex);
  fc.assert(
    fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (ms) => {
      decodesCleanly((x) => avPairsCodec.decode(x), avPairsCodec.encode, mutate(av, ms));
      decodesCleanly((x) => ntlmv2ResponseCodec.decode(x), ntlmv2ResponseCodec.encode, mutate(nt, ms));
    }),
    { numRuns: NUM_RUNS * 2 },
  );
});

test('fuzz: size and AV pair limits hold', () => {
  fc.assert(
    fc.property(fc.integer({ min: 65_537, max: 300_000 }), (n) => {
      const b = new Uint8Array(n);
      b.set(seeds[0]!);
      assert.throws(() => decodeNtlmMessage(b, { maxBytes: 1 << 20 }), (e: unknown) => e instanceof SpnegoError && e.code === 'DECODE_LIMIT');
    }),
    { numRuns: 20 },
  );
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 40 }), (count, max) => {
      const pairs: AvPair[] = Array.from({ length: count }, (_, i) => ({ avId: 0x100 + i, value: new Uint8Array(1) }));
      const b = avPairsCodec.encode(pairs);
      if (count <= max) assert.equal(avPairsCodec.decode(b, { maxElements: max }).length, count);
      else assert.throws(() => avPairsCodec.decode(b, { maxElements: max }), (e: unknown) => e instanceof SpnegoError && e.code === 'DECODE_LIMIT');
    }),
    { numRuns: 100 },
  );
});

// ---------- generated message objects: decode(encode(x)) deep-equals x ----------

const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const u64 = fc.bigInt({ min: 0n, max: 0xffffffffffffffffn });
const bytes = (n: number): fc.Arbitrary<Uint8Array> => fc.uint8Array({ minLength: n, maxLength: n });
const nonZero = (n: number): fc.Arbitrary<Uint8Array> => bytes(n).filter((b) => b.some((x) => x !== 0));
/** Any UTF-16 code units, lone surrogates included. */
const utf16 = fc.string({ unit: u16.map((c) => String.fromCharCode(c)), maxLength: 24 });
/** OEM strings as this package represents them: one char per byte. */
const oem = fc.string({ unit: u8.map((c) => String.fromCharCode(c)), maxLength: 24 });

const version: fc.Arbitrary<Version> = rec(
  { productMajorVersion: u8, productMinorVersion: u8, productBuild: u16, reserved: nonZero(3), ntlmRevisionCurrent: u8 },
  { requiredKeys: ['productMajorVersion', 'productMinorVersion', 'productBuild', 'ntlmRevisionCurrent'] },
);

const avPair: fc.Arbitrary<AvPair> = fc.oneof(
  rec({
    avId: fc.constantFrom(
      'MsvAvNbComputerName' as const, 'MsvAvNbDomainName' as const, 'MsvAvDnsComputerName' as const,
      'MsvAvDnsDomainName' as const, 'MsvAvDnsTreeName' as const, 'MsvAvTargetName' as const,
    ),
    value: utf16,
  }),
  rec({ avId: fc.constant('MsvAvFlags' as const), value: u32 }),
  rec({ avId: fc.constant('MsvAvTimestamp' as const), value: u64 }),
  rec({
    avId: fc.constant('MsvAvSingleHost' as const),
    value: rec(
      { size: u32.filter((s) => s !== 48), z4: fc.integer({ min: 1, max: 0xffffffff }), customData: bytes(8), machineId: bytes(32) },
      { requiredKeys: ['customData', 'machineId'] },
    ),
  }),
  rec({ avId: fc.constant('MsvAvChannelBindings' as const), value: bytes(16) }),
  rec({ avId: fc.integer({ min: 11, max: 0xffff }), value: fc.uint8Array({ maxLength: 12 }) }),
);

/** Flags with NTLMSSP_NEGOTIATE_UNICODE forced to `unicode`. */
const flagsWith = (unicode: boolean): fc.Arbitrary<number> => u32.map((f) => (unicode ? (f | 1) >>> 0 : (f & ~1) >>> 0));

const negotiate: fc.Arbitrary<NegotiateMessage> = rec(
  { negotiateFlags: u32, domainName: oem, workstation: oem, version },
  { requiredKeys: ['negotiateFlags', 'domainName', 'workstation'] },
);

const challenge: fc.Arbitrary<ChallengeMessage> = fc.boolean().chain((unicode) =>
  rec(
    {
      targetName: unicode ? utf16 : oem,
      negotiateFlags: flagsWith(unicode),
      serverChallenge: bytes(8),
      reserved: nonZero(8),
      targetInfo: fc.array(avPair, { maxLength: 8 }),
      version,
    },
    { requiredKeys: ['targetName', 'negotiateFlags', 'serverChallenge'] },
  ),
);

const ntlmv2: fc.Arbitrary<Ntlmv2Response> = rec({
  response: bytes(16),
  clientChallenge: rec(
    {
      respType: fc.constant(1),
      hiRespType: fc.constant(1),
      reserved1: fc.integer({ min: 1, max: 0xffff }),
      reserved2: fc.integer({ min: 1, max: 0xffffffff }),
      timeStamp: u64,
      challengeFromClient: bytes(8),
      reserved3: fc.integer({ min: 1, max: 0xffffffff }),
      avPairs: fc.array(avPair, { maxLength: 8 }),
      padding: fc.uint8Array({ maxLength: 12 }).filter((p) => !(p.length === 4 && p.every((x) => x === 0))),
    },
    { requiredKeys: ['respType', 'hiRespType', 'timeStamp', 'challengeFromClient', 'avPairs'] },
  ),
});

const authenticate: fc.Arbitrary<AuthenticateMessage> = fc
  .tuple(fc.boolean(), fc.constantFrom('none', 'version', 'version+mic'))
  .chain(([unicode, trailer]) =>
    rec({
      lmChallengeResponse: fc.uint8Array({ maxLength: 24 }),
      ntChallengeResponse: fc.oneof(fc.uint8Array({ maxLength: 24 }), ntlmv2.map((r) => ntlmv2ResponseCodec.encode(r))),
      domainName: unicode ? utf16 : oem,
      userName: unicode ? utf16 : oem,
      workstation: unicode ? utf16 : oem,
      encryptedRandomSessionKey: fc.oneof(fc.constant(new Uint8Array(0)), bytes(16)),
      negotiateFlags: flagsWith(unicode),
      ...(trailer === 'none' ? {} : { version }),
      ...(trailer === 'version+mic' ? { mic: bytes(16) } : {}),
    }),
  );

function identity<T>(arb: fc.Arbitrary<T>, codec: Codec<T>): void {
  fc.assert(
    fc.property(arb, (x) => {
      const b = codec.encode(x);
      assert.deepStrictEqual(codec.decode(b), x);
      assert.deepStrictEqual(codec.encode(codec.decode(b)), b);
    }),
    { numRuns: NUM_RUNS },
  );
}

test('property: decode(encode(x)) deep-equals x for VERSION and AV_PAIR lists', () => {
  identity(version, versionCodec);
  identity(fc.array(avPair, { maxLength: 10 }), avPairsCodec);
});
test('property: decode(encode(x)) deep-equals x for NEGOTIATE_MESSAGE', () => identity(negotiate, negotiateMessageCodec));
test('property: decode(encode(x)) deep-equals x for CHALLENGE_MESSAGE', () => identity(challenge, challengeMessageCodec));
test('property: decode(encode(x)) deep-equals x for AUTHENTICATE_MESSAGE', () => identity(authenticate, authenticateMessageCodec));
test('property: decode(encode(x)) deep-equals x for NTLMv2_RESPONSE', () => identity(ntlmv2, ntlmv2ResponseCodec));

test('property: a sender layout survives decode/encode after random re-ordering of AUTHENTICATE payloads', () => {
  fc.assert(
    fc.property(authenticate, fc.array(fc.nat({ max: 5 }), { minLength: 6, maxLength: 6 }), fc.array(fc.nat({ max: 3 }), { minLength: 6, maxLength: 6 }), (m, keys, pads) => {
      // Re-lay the canonical encoding: fields in a random order with random padding between them.
      const canon = authenticateMessageCodec.encode(m);
      const dv0 = new DataView(canon.buffer);
      const hdrs = [12, 20, 28, 36, 44, 52];
      const headerEnd = 64 + (m.version ? 8 : 0) + (m.mic ? 16 : 0);
      const parts = hdrs.map((h, i) => {
        const len = dv0.getUint16(h, true);
        const off = dv0.getUint32(h + 4, true);
        return { h, data: canon.slice(off, off + len), key: keys[i]!, pad: pads[i]! };
      });
      parts.sort((a, b) => a.key - b.key || a.h - b.h);
      const nonEmpty = parts.filter((p) => p.data.length > 0);
      let size = headerEnd;
      nonEmpty.forEach((p, i) => (size += p.data.length + (i < nonEmpty.length - 1 ? p.pad : 0)));
      const out = new Uint8Array(size);
      out.set(canon.subarray(0, headerEnd));
      const dv = new DataView(out.buffer);
      let at = headerEnd;
      for (const p of parts) {
        dv.setUint32(p.h + 4, p.data.length === 0 ? p.key * 7 : at, true); // odd offsets for empty fields
        if (p.data.length === 0) continue;
        out.set(p.data, at);
        at += p.data.length;
        if (at < size) {
          out.fill(0xa5, at, at + p.pad);
          at += p.pad;
        }
      }
      // An all-empty message with a VERSION has nothing to re-lay; odd empty offsets must stay inside.
      for (const p of parts) if (p.data.length === 0 && dv.getUint32(p.h + 4, true) > size) dv.setUint32(p.h + 4, size, true);
      const d = authenticateMessageCodec.decode(out);
      assert.equal(toHex(authenticateMessageCodec.encode(d)), toHex(out));
      const { layout: _l, ...plain } = d;
      assert.deepStrictEqual(plain, m);
    }),
    { numRuns: NUM_RUNS },
  );
});
