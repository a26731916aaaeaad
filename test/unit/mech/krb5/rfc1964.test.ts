// rc4-hmac GSS tokens (RFC 4757 7 in RFC 1964 framing): MIT t_invalid.c's tokens verified and
// reproduced byte for byte, round trips, tampering, replay, reflection, weak-crypto gate, fuzz.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { Rfc1964Security, type Rfc1964SecurityOptions } from '../../../../src/mech/krb5/rfc1964.js';
import { hmacMd5, rc4 } from '../../../../src/crypto/index.js';
import { SpnegoError } from '../../../../src/errors.js';
import { readJson } from '../../../helpers/paths.js';
import { assertCode, onlyTypedErrors } from '../../../helpers/errors.js';

interface V {
  rc4_hmac: {
    context_key_hex: string;
    message_ascii: string;
    mic_token_hex: string;
    wrap_token_integrity_only_hex: string;
    wrap_token_confidential_hex: string;
    wrap_confidential_seq: number;
  };
}
const v = readJson<V>('test/vectors/rfc4121-tokens.json').rc4_hmac;
const h = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const enc = (s: string) => new TextEncoder().encode(s);
const key = { enctype: 23, value: h(v.context_key_hex) };
const msg = enc(v.message_ascii);
const mk = (role: 'initiator' | 'acceptor', extra: Partial<Rfc1964SecurityOptions> = {}) =>
  new Rfc1964Security({ key, role, sendSeq: 0, recvSeq: 0, allowWeakCrypto: true, ...extra });
const FRAME = 13; // 60 len 06 09 <9-byte krb5 OID>

test('rfc1964: MIT t_invalid.c rc4-hmac tokens verify and unwrap (initiator seq 0)', () => {
  mk('acceptor').verifyMic(msg, h(v.mic_token_hex));
  const a = mk('acceptor').unwrap(h(v.wrap_token_integrity_only_hex));
  assert.equal(hex(a.message), hex(msg));
  assert.equal(a.encrypted, false);
  const b = mk('acceptor').unwrap(h(v.wrap_token_confidential_hex));
  assert.equal(hex(b.message), hex(msg));
  assert.equal(b.encrypted, true);
  assertCode(() => mk('acceptor').verifyMic(enc('massage'), h(v.mic_token_hex)), 'BAD_MIC');
});

test('rfc1964: our initiator reproduces MIT tokens byte for byte (confounder recovered from the tokens)', () => {
  assert.equal(hex(mk('initiator').getMic(msg)), v.mic_token_hex);
  const integ = h(v.wrap_token_integrity_only_hex);
  const conf1 = integ.subarray(FRAME + 24, FRAME + 32);
  assert.equal(hex(mk('initiator').wrap(msg, { encrypt: false, confounder: conf1 })), v.wrap_token_integrity_only_hex);
  // sealed (MIT made it with sequence number 1): the confounder is the first 8 bytes of
  // RC4(Kcrypt, data), Kcrypt = HMAC-MD5(HMAC-MD5(key ^ F0.., 0 LE32), seq BE32)
  const seq = v.wrap_confidential_seq;
  assert.equal(seq, 1);
  const sealed = h(v.wrap_token_confidential_hex);
  const kcrypt = hmacMd5(hmacMd5(key.value.map((b) => b ^ 0xf0), new Uint8Array(4)), Uint8Array.of(0, 0, 0, seq));
  const conf2 = rc4(kcrypt, sealed.subarray(FRAME + 24)).subarray(0, 8);
  const ours = mk('initiator', { sendSeq: seq }).wrap(msg, { encrypt: true, confounder: conf2 });
  assert.equal(hex(ours), v.wrap_token_confidential_hex);
  // and with sequence detection our acceptor sees MIT's sealed token as the second one
  assertCode(() => mk('acceptor', { sequenceDetection: true }).unwrap(sealed), 'GAP_TOKEN');
  mk('acceptor', { recvSeq: 1, sequenceDetection: true }).unwrap(sealed);
});

test('rfc1964: round trips both directions, sealed and not, sequence numbers advance and wrap at 2^32', () => {
  const ini = mk('initiator', { sendSeq: 0xfffffffe, recvSeq: 7, sequenceDetection: true });
  const acc = mk('acceptor', { sendSeq: 7, recvSeq: 0xfffffffe, sequenceDetection: true });
  for (const [from, to] of [[ini, acc], [acc, ini]] as const) {
    for (const m of [enc(''), enc('x'), new Uint8Array(randomBytes(300))]) {
      to.verifyMic(m, from.getMic(m));
      for (const encrypt of [true, false]) {
        const r = to.unwrap(from.wrap(m, { encrypt }));
        assert.equal(hex(r.message), hex(m));
        assert.equal(r.encrypted, encrypt);
      }
    }
  }
  assert.equal(ini.nextSendSeq, 7n); // 0xfffffffe + 9 tokens, mod 2^32
});

test('rfc1964: replay is DUPLICATE_TOKEN; reflection is DEFECTIVE_TOKEN', () => {
  const ini = mk('initiator');
  const acc = mk('acceptor');
  const t = ini.wrap(msg);
  acc.unwrap(t);
  assertCode(() => acc.unwrap(t), 'DUPLICATE_TOKEN');
  const m = ini.getMic(msg);
  acc.verifyMic(msg, m);
  assertCode(() => acc.verifyMic(msg, m), 'DUPLICATE_TOKEN');
  assertCode(() => mk('initiator').verifyMic(msg, mk('initiator').getMic(msg)), 'DEFECTIVE_TOKEN');
  assertCode(() => mk('acceptor').unwrap(mk('acceptor').wrap(msg, { encrypt: false })), 'DEFECTIVE_TOKEN');
});

test('rfc1964: tampering gives BAD_MIC or DEFECTIVE_TOKEN (a sequence error for the unprotected SND_SEQ number bytes)', () => {
  for (const [kind, tok] of [
    ['mic', mk('initiator').getMic(msg)],
    ['integ', mk('initiator').wrap(msg, { encrypt: false })],
    ['sealed', mk('initiator').wrap(msg, { encrypt: true })],
  ] as const) {
    for (let i = 0; i < tok.length; i++) {
      const t = tok.slice();
      t[i] = (t[i] ?? 0) ^ 0x01;
      const acc = mk('acceptor', { sequenceDetection: true });
      const seqByte = i >= FRAME + 8 && i < FRAME + 12 && kind !== 'sealed';
      const allowed = seqByte ? ['GAP_TOKEN', 'OLD_TOKEN'] : ['BAD_MIC', 'DEFECTIVE_TOKEN', 'DECODE_BAD_TAG', 'DECODE_BAD_LENGTH', 'DECODE_TRUNCATED', 'DECODE_TRAILING_BYTES', 'DECODE_BAD_VALUE'];
      const e = onlyTypedErrors(() => (kind === 'mic' ? acc.verifyMic(msg, t) : acc.unwrap(t)), allowed as never);
      assert.ok(e, `${kind}: flipping byte ${i} went unnoticed`);
      assert.equal(e.major === (9 << 16) || e.major === (6 << 16) || seqByte, true);
    }
  }
});

test('rfc1964: weak crypto gate and argument checks', () => {
  assertCode(() => new Rfc1964Security({ key, role: 'initiator', sendSeq: 0, recvSeq: 0, allowWeakCrypto: false }), 'UNAVAILABLE');
  assertCode(() => new Rfc1964Security({ key: { enctype: 18, value: new Uint8Array(32) }, role: 'initiator', sendSeq: 0, recvSeq: 0, allowWeakCrypto: true }), 'BAD_ARGUMENT');
  assertCode(() => mk('initiator', { sendSeq: 2 ** 32 }), 'BAD_ARGUMENT');
  assertCode(() => mk('initiator').wrap(msg, { confounder: new Uint8Array(7) }), 'BAD_ARGUMENT');
  // a CFX token or another mechanism's framing is refused
  const cfx = onlyTypedErrors(() => mk('acceptor').unwrap(h('050406ff0000000000000000000000000102030405060708')));
  assert.equal(cfx?.code, 'DECODE_BAD_TAG');
  const other = h(v.mic_token_hex);
  other[FRAME - 1] = 0x03; // last OID arc: 1.2.840.113554.1.2.3, another mechanism
  assertCode(() => mk('acceptor').verifyMic(msg, other), 'DEFECTIVE_TOKEN');
});

test('rfc1964 fuzz: random and mutated inputs only throw SpnegoError', () => {
  const samples = [h(v.mic_token_hex), h(v.wrap_token_integrity_only_hex), h(v.wrap_token_confidential_hex)];
  const tokens = fc.oneof(
    fc.uint8Array({ maxLength: 120 }),
    fc.uint8Array({ maxLength: 60 }).map((b) => Uint8Array.from([0x60, b.length + 11, 0x06, 0x09, ...h('2a864886f712010202'), ...b])),
    fc.tuple(fc.constantFrom(...samples), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 })).map(([s, edits]) => {
      const t = s.slice();
      for (const [i, val] of edits) t[i % t.length] = val;
      return t;
    }),
  );
  fc.assert(
    fc.property(tokens, (t) => {
      for (const f of [() => mk('acceptor').unwrap(t), () => mk('acceptor').verifyMic(msg, t)]) {
        try {
          f();
        } catch (e) {
          if (!(e instanceof SpnegoError)) throw e;
        }
      }
    }),
    { numRuns: 3000 },
  );
});
