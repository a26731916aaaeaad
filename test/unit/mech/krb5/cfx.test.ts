// RFC 4121 per-message tokens: round trips for each AES enctype in both directions, the exact
// header layout, tampering, replay, reflection, RRC rotation, and fuzzed inputs (only SpnegoError).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { Rfc4121Security, type Rfc4121SecurityOptions } from '../../../../src/mech/krb5/cfx.js';
import { getProfile, type Key } from '../../../../src/crypto/krb5/index.js';
import { KeyUsage } from '../../../../src/iana/krb5.js';
import { SpnegoError } from '../../../../src/errors.js';
import { assertCode, onlyTypedErrors } from '../../../helpers/errors.js';

const AES = [17, 18, 19, 20] as const;
const enc = (s: string) => new TextEncoder().encode(s);

function keyFor(enctype: number): Key {
  const p = getProfile(enctype);
  return p.randomToKey(new Uint8Array(randomBytes(p.keyBytes)));
}

/** An initiator/acceptor pair over one context key. */
function pair(enctype: number, acceptorSubkey: boolean, extra: Partial<Rfc4121SecurityOptions> = {}) {
  const key = keyFor(enctype);
  const iSeq = 0x12345678;
  const aSeq = 0x0abcdef0;
  const ini = new Rfc4121Security({ key, role: 'initiator', acceptorSubkey, sendSeq: iSeq, recvSeq: aSeq, ...extra });
  const acc = new Rfc4121Security({ key, role: 'acceptor', acceptorSubkey, sendSeq: aSeq, recvSeq: iSeq, ...extra });
  return { key, ini, acc, iSeq, aSeq };
}

const seqOf = (t: Uint8Array) => new DataView(t.buffer, t.byteOffset, t.byteLength).getBigUint64(8, false);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

for (const enctype of AES) {
  for (const acceptorSubkey of [false, true]) {
    const name = `enctype ${enctype}, acceptorSubkey ${acceptorSubkey}`;
    test(`cfx round trips both directions, MIC and Wrap with and without confidentiality: ${name}`, () => {
      const { ini, acc } = pair(enctype, acceptorSubkey);
      const ck = getProfile(enctype).checksumSize;
      for (const [from, to] of [[ini, acc], [acc, ini]] as const) {
        for (const m of [enc(''), enc('x'), enc('hello, world'), new Uint8Array(randomBytes(1000))]) {
          const mic = from.getMic(m);
          assert.equal(mic.length, 16 + ck);
          to.verifyMic(m, mic);
          for (const encrypt of [true, false]) {
            const w = from.wrap(m, { encrypt });
            const r = to.unwrap(w);
            assert.equal(hex(r.message), hex(m));
            assert.equal(r.encrypted, encrypt);
            if (!encrypt) assert.equal(hex(w.subarray(16, 16 + m.length)), hex(m), 'integrity-only data is in the clear');
            else if (m.length >= 12) assert.ok(!Buffer.from(w).includes(Buffer.from(m)), 'sealed data is not in the clear');
          }
        }
      }
    });
  }
}

test('cfx header layout: TOK_ID, flags by role and subkey, filler, EC, RRC, 64-bit SND_SEQ counting up', () => {
  const { ini, acc, iSeq, aSeq } = pair(18, true);
  const m1 = ini.getMic(enc('a'));
  assert.equal(hex(m1.subarray(0, 8)), '040404ffffffffff');
  assert.equal(seqOf(m1), BigInt(iSeq));
  const w1 = ini.wrap(enc('a'), { encrypt: true });
  assert.equal(hex(w1.subarray(0, 8)), '050406ff00000000');
  assert.equal(seqOf(w1), BigInt(iSeq + 1));
  const w2 = acc.wrap(enc('a'), { encrypt: false });
  assert.equal(hex(w2.subarray(0, 8)), '050405ff000c0000'); // EC = 12, the aes256-sha1 checksum length
  assert.equal(seqOf(w2), BigInt(aSeq));
  const { ini: i2, acc: a2 } = pair(20, false);
  assert.equal(hex(i2.getMic(enc('')).subarray(0, 3)), '040400');
  assert.equal(hex(a2.wrap(enc(''), { encrypt: false }).subarray(0, 8)), '050401ff00180000'); // EC 24 for sha384-192
});

test('cfx MIC checksum is over message | header with the initiator/acceptor sign usage (25/23)', () => {
  const { key, ini, acc } = pair(17, false);
  const p = getProfile(17);
  const m = enc('message');
  const t = ini.getMic(m);
  p.verifyChecksum(key, KeyUsage.GSS_INITIATOR_SIGN, Buffer.concat([m, t.subarray(0, 16)]), t.subarray(16));
  const u = acc.getMic(m);
  p.verifyChecksum(key, KeyUsage.GSS_ACCEPTOR_SIGN, Buffer.concat([m, u.subarray(0, 16)]), u.subarray(16));
  // integrity-only Wrap: seal usage (24), header with EC and RRC zeroed
  const w = ini.wrap(m, { encrypt: false });
  const h = w.slice(0, 16);
  h.fill(0, 4, 8);
  p.verifyChecksum(key, KeyUsage.GSS_INITIATOR_SEAL, Buffer.concat([m, h]), w.subarray(16 + m.length));
  // sealed Wrap: E(usage 24, message | header copy with RRC 0)
  const s = ini.wrap(m, { encrypt: true });
  const plain = p.decrypt(key, KeyUsage.GSS_INITIATOR_SEAL, s.subarray(16));
  assert.equal(hex(plain), hex(Buffer.concat([m, s.subarray(0, 16)])));
});

test('cfx tampering with any byte gives BAD_MIC or DEFECTIVE_TOKEN', () => {
  for (const enctype of [17, 20]) {
    for (const kind of ['mic', 'wrapConf', 'wrapInteg'] as const) {
      const m = enc('tamper me please');
      // a fresh pair per variant so no replay state interferes; same key and sequence numbers
      const { key } = pair(enctype, true);
      const mk = () => ({
        ini: new Rfc4121Security({ key, role: 'initiator', acceptorSubkey: true, sendSeq: 5, recvSeq: 9 }),
        acc: new Rfc4121Security({ key, role: 'acceptor', acceptorSubkey: true, sendSeq: 9, recvSeq: 5 }),
      });
      const { ini } = mk();
      const tok = kind === 'mic' ? ini.getMic(m) : ini.wrap(m, { encrypt: kind === 'wrapConf' });
      for (let i = 0; i < tok.length; i++) {
        for (const flip of [0x01, 0x80]) {
          const t = tok.slice();
          t[i] = (t[i] ?? 0) ^ flip;
          const { acc } = mk();
          const e = onlyTypedErrors(() => (kind === 'mic' ? acc.verifyMic(m, t) : acc.unwrap(t)), ['BAD_MIC', 'DEFECTIVE_TOKEN']);
          assert.ok(e, `${kind} enctype ${enctype}: flipping ${flip} at byte ${i} went unnoticed`);
        }
      }
      // the untouched token is fine, and a changed message breaks the MIC
      const { acc } = mk();
      if (kind === 'mic') {
        assertCode(() => acc.verifyMic(enc('tamper me pleasE'), tok), 'BAD_MIC');
        acc.verifyMic(m, tok);
      } else assert.equal(hex(acc.unwrap(tok).message), hex(m));
      // truncation and extension
      for (const t of [tok.subarray(0, tok.length - 1), Buffer.concat([tok, Uint8Array.of(0)]), tok.subarray(0, 15)]) {
        const { acc: a } = mk();
        const e = onlyTypedErrors(() => (kind === 'mic' ? a.verifyMic(m, t) : a.unwrap(t)), ['BAD_MIC', 'DEFECTIVE_TOKEN']);
        assert.ok(e, `${kind}: a token of ${t.length} bytes was accepted`);
      }
    }
  }
});

test('cfx replayed tokens: DUPLICATE_TOKEN', () => {
  const { ini, acc } = pair(18, false);
  const mic = ini.getMic(enc('m'));
  acc.verifyMic(enc('m'), mic);
  assertCode(() => acc.verifyMic(enc('m'), mic), 'DUPLICATE_TOKEN');
  const w = acc.wrap(enc('w'), { encrypt: true });
  ini.unwrap(w);
  assertCode(() => ini.unwrap(w), 'DUPLICATE_TOKEN');
  // MIC and Wrap share one sequence space
  const w2 = ini.wrap(enc('x'), { encrypt: false });
  acc.unwrap(w2);
  assertCode(() => acc.unwrap(w2), 'DUPLICATE_TOKEN');
  // without replay detection the same token is accepted again
  const q = pair(18, false, { replayDetection: false });
  const t = q.ini.getMic(enc('m'));
  q.acc.verifyMic(enc('m'), t);
  q.acc.verifyMic(enc('m'), t);
});

test('cfx out of order: accepted by default, UNSEQ_TOKEN / GAP_TOKEN with sequenceDetection', () => {
  const d = pair(19, true);
  const [t0, t1, t2] = [0, 1, 2].map((i) => d.ini.wrap(enc(String(i)), { encrypt: true })) as [Uint8Array, Uint8Array, Uint8Array];
  assert.equal(hex(d.acc.unwrap(t1).message), hex(enc('1')));
  assert.equal(hex(d.acc.unwrap(t0).message), hex(enc('0')));
  d.acc.unwrap(t2);
  assertCode(() => d.acc.unwrap(t0), 'DUPLICATE_TOKEN');

  const s = pair(19, true, { sequenceDetection: true });
  const [u0, u1, u2] = [0, 1, 2].map((i) => s.ini.getMic(enc(String(i)))) as [Uint8Array, Uint8Array, Uint8Array];
  assertCode(() => s.acc.verifyMic(enc('1'), u1), 'GAP_TOKEN');
  assertCode(() => s.acc.verifyMic(enc('0'), u0), 'UNSEQ_TOKEN');
  s.acc.verifyMic(enc('2'), u2); // back in order after the window recorded 0 and 1
  assertCode(() => s.acc.verifyMic(enc('1'), u1), 'DUPLICATE_TOKEN');
});

test('cfx tokens that failed integrity do not move the replay window', () => {
  const { ini, acc } = pair(17, false, { sequenceDetection: true });
  const t = ini.getMic(enc('m'));
  assertCode(() => acc.verifyMic(enc('other'), t), 'BAD_MIC');
  acc.verifyMic(enc('m'), t); // still the expected first token
});

test('cfx reflection: a token with our own direction is DEFECTIVE_TOKEN', () => {
  const { ini, acc } = pair(18, true);
  const m = enc('m');
  assertCode(() => ini.verifyMic(m, ini.getMic(m)), 'DEFECTIVE_TOKEN', 2);
  assertCode(() => acc.unwrap(acc.wrap(m, { encrypt: true })), 'DEFECTIVE_TOKEN', 2);
  assertCode(() => ini.unwrap(ini.wrap(m, { encrypt: false })), 'DEFECTIVE_TOKEN', 2);
});

test('cfx AcceptorSubkey flag must match the context', () => {
  const key = keyFor(18);
  const withSub = new Rfc4121Security({ key, role: 'initiator', acceptorSubkey: true, sendSeq: 0, recvSeq: 0 });
  const without = new Rfc4121Security({ key, role: 'acceptor', acceptorSubkey: false, sendSeq: 0, recvSeq: 0 });
  assertCode(() => without.verifyMic(enc('m'), withSub.getMic(enc('m'))), 'DEFECTIVE_TOKEN', 2);
  assertCode(() => withSub.unwrap(without.wrap(enc('m'))), 'DEFECTIVE_TOKEN', 2);
});

test('cfx RRC: rotated tokens (any RRC, sealed or not) are accepted', () => {
  for (const enctype of AES) {
    const { ini, acc } = pair(enctype, false);
    const m = enc('rotate this message');
    for (const encrypt of [true, false]) {
      for (const rrc of [1, 12, 16, 28, 44, 1000, 0xffff]) {
        const plainTok = ini.wrap(m, { encrypt, rrc: 0 });
        const tok = ini.wrap(m, { encrypt, rrc });
        assert.equal((tok[6]! << 8) | tok[7]!, rrc);
        const r = acc.unwrap(tok);
        assert.equal(hex(r.message), hex(m), `enctype ${enctype} rrc ${rrc} encrypt ${encrypt}`);
        acc.unwrap(plainTok);
        // rotating an RRC-0 token by hand gives a valid token too (checksum/ciphertext unchanged)
        if (!encrypt) {
          const again = ini.wrap(m, { encrypt: false });
          const body = again.subarray(16);
          const k = rrc % body.length;
          const rot = Buffer.concat([again.subarray(0, 16), body.subarray(body.length - k), body.subarray(0, body.length - k)]);
          rot[6] = rrc >> 8;
          rot[7] = rrc & 0xff;
          assert.equal(hex(acc.unwrap(rot).message), hex(m));
        }
      }
    }
  }
});

test('cfx sealed token with filler (EC > 0) from a peer is accepted and the filler stripped', () => {
  const { key, acc } = pair(18, false);
  const p = getProfile(18);
  const m = enc('padded');
  const header = Uint8Array.from([0x05, 0x04, 0x02, 0xff, 0x00, 0x05, 0x00, 0x00, 0, 0, 0, 0, 0x12, 0x34, 0x56, 0x78]);
  const ct = p.encrypt(key, KeyUsage.GSS_INITIATOR_SEAL, Buffer.concat([m, Buffer.alloc(5, 0x58), header]));
  const r = acc.unwrap(Buffer.concat([header, ct]));
  assert.equal(hex(r.message), hex(m));
  assert.equal(r.encrypted, true);
  // the same token with an EC that the outer header misstates: the encrypted header copy differs
  const bad = Buffer.concat([header, ct]);
  bad[5] = 4;
  const acc2 = new Rfc4121Security({ key, role: 'acceptor', acceptorSubkey: false, sendSeq: 0, recvSeq: 0x12345678 });
  assertCode(() => acc2.unwrap(bad), 'BAD_MIC');
  acc2.unwrap(Buffer.concat([header, ct]));
});

test('cfx sequence numbers wrap at 2^64 and big initial values work', () => {
  const key = keyFor(17);
  const top = (1n << 64n) - 1n;
  const ini = new Rfc4121Security({ key, role: 'initiator', acceptorSubkey: false, sendSeq: top, recvSeq: 0 });
  const acc = new Rfc4121Security({ key, role: 'acceptor', acceptorSubkey: false, sendSeq: 0, recvSeq: top, sequenceDetection: true });
  const a = ini.getMic(enc('a'));
  const b = ini.getMic(enc('b'));
  assert.equal(seqOf(a), top);
  assert.equal(seqOf(b), 0n);
  acc.verifyMic(enc('a'), a);
  acc.verifyMic(enc('b'), b);
});

test('cfx constructor checks: weak enctype refused without allowWeakCrypto, bad arguments', () => {
  const rc4 = { enctype: 23, value: new Uint8Array(16) };
  assertCode(() => new Rfc4121Security({ key: rc4, role: 'initiator', acceptorSubkey: false, sendSeq: 0, recvSeq: 0 }), 'UNAVAILABLE');
  const key = keyFor(18);
  assertCode(() => new Rfc4121Security({ key: { enctype: 18, value: new Uint8Array(16) }, role: 'initiator', acceptorSubkey: false, sendSeq: 0, recvSeq: 0 }), 'BAD_ARGUMENT');
  assertCode(() => new Rfc4121Security({ key, role: 'initiator', acceptorSubkey: false, sendSeq: -1, recvSeq: 0 }), 'BAD_ARGUMENT');
  assertCode(() => new Rfc4121Security({ key, role: 'initiator', acceptorSubkey: false, sendSeq: 0, recvSeq: 1.5 }), 'BAD_ARGUMENT');
  assertCode(() => new Rfc4121Security({ key, role: 'x' as 'initiator', acceptorSubkey: false, sendSeq: 0, recvSeq: 0 }), 'BAD_ARGUMENT');
  const ini = new Rfc4121Security({ key, role: 'initiator', acceptorSubkey: false, sendSeq: 0, recvSeq: 0 });
  assertCode(() => ini.wrap(enc('m'), { rrc: 0x10000 }), 'BAD_ARGUMENT');
});

test('cfx fuzz: random and mutated inputs to unwrap/verifyMic only throw SpnegoError', () => {
  const { key, ini } = pair(18, true);
  const samples = [ini.getMic(enc('m')), ini.wrap(enc('m'), { encrypt: true }), ini.wrap(enc('m'), { encrypt: false }), ini.wrap(enc('m'), { rrc: 7 })];
  const fresh = () => new Rfc4121Security({ key, role: 'acceptor', acceptorSubkey: true, sendSeq: 0, recvSeq: 0x12345678 });
  const header = fc.tuple(fc.constantFrom(0x04, 0x05, 0x01, 0x00), fc.constantFrom(0x04, 0x05), fc.integer({ min: 0, max: 255 }));
  const tokens = fc.oneof(
    fc.uint8Array({ maxLength: 200 }),
    fc.tuple(header, fc.uint8Array({ maxLength: 120 })).map(([[a, b, f], rest]) => Uint8Array.from([a, b, f, ...rest])),
    fc.tuple(fc.constantFrom(...samples), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), fc.nat()).map(([s, edits, cut]) => {
      const t = s.slice(0, Math.max(0, s.length - (cut % 4)));
      for (const [i, v] of edits) if (t.length > 0) t[i % t.length] = v;
      return t;
    }),
  );
  fc.assert(
    fc.property(tokens, fc.uint8Array({ maxLength: 20 }), (t, m) => {
      for (const f of [() => fresh().unwrap(t), () => fresh().verifyMic(m, t)]) {
        try {
          f();
        } catch (e) {
          if (!(e instanceof SpnegoError)) throw e;
          if (!['BAD_MIC', 'DEFECTIVE_TOKEN'].includes(e.code)) throw new Error(`unexpected ${e.code}`);
        }
      }
    }),
    { numRuns: 3000 },
  );
});
