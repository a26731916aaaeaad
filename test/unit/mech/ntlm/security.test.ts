// Per-message security between our initiator and acceptor: getMic/verifyMic and wrap/unwrap both
// ways, sequence enforcement, tampering, and the RC4 reset SPNEGO uses around the mechListMIC.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toHex, utf8 } from '../../../../src/bytes/encoding.js';
import { SpnegoError, type ErrorCode } from '../../../../src/errors.js';
import { NtlmAcceptor } from '../../../../src/mech/ntlm/acceptor.js';
import { NtlmInitiator } from '../../../../src/mech/ntlm/initiator.js';
import { NtlmSecurity } from '../../../../src/mech/ntlm/security.js';
import { MemoryNtHashStore } from '../../../../src/mech/ntlm/store.js';
import { MAC, SEALKEY, SIGNKEY } from '../../../../src/crypto/ntlm.js';
import { Rc4 } from '../../../../src/crypto/rc4.js';
import {
  NTLMSSP_NEGOTIATE_128,
  NTLMSSP_NEGOTIATE_56,
  NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY,
  NTLMSSP_NEGOTIATE_KEY_EXCH,
  NTLMSSP_NEGOTIATE_SEAL,
  NTLMSSP_NEGOTIATE_SIGN,
} from '../../../../src/iana/ntlm.js';

async function established() {
  const i = new NtlmInitiator({ credential: { username: 'EXAMPLE\\alice', password: 'pw' } });
  const a = new NtlmAcceptor({ store: new MemoryNtHashStore({ 'EXAMPLE\\alice': 'pw' }), netbiosDomain: 'EXAMPLE', netbiosComputer: 'WEB' });
  await a.step((await i.step(await a.step((await i.step())!)))!);
  assert.ok(i.complete && a.complete);
  return { i, a };
}

function throwsCode(fn: () => unknown, code: ErrorCode): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof SpnegoError, `untyped: ${String(e)}`);
    assert.equal(e.code, code, e.message);
    return true;
  });
}

const msgs = [utf8('first message'), new Uint8Array(0), utf8('x'.repeat(1000)), new Uint8Array([0, 1, 2, 255])];

test('getMic / verifyMic both directions, several messages in order', async () => {
  const { i, a } = await established();
  for (const m of msgs) {
    a.verifyMic(m, i.getMic(m));
    i.verifyMic(m, a.getMic(m));
  }
});

test('wrap / unwrap both directions; encrypt: false still seals (the token cannot say it is clear, as gss-ntlmssp); signed-only tokens from SSPI peers unwrap with { encrypted: false }', async () => {
  const { i, a } = await established();
  for (const m of msgs) {
    const t = i.wrap(m, { encrypt: true });
    assert.equal(t.length, 16 + m.length);
    if (m.length > 4) assert.notEqual(toHex(t.subarray(16)), toHex(m), 'sealed data differs from plaintext');
    assert.deepEqual(a.unwrap(t), { message: m, encrypted: true });
    const back = a.wrap(m, { encrypt: true });
    assert.deepEqual(i.unwrap(back, { encrypted: true }).message, m);
    const stillSealed = i.wrap(m, { encrypt: false });
    if (m.length > 4) assert.notEqual(toHex(stillSealed.subarray(16)), toHex(m));
    assert.deepEqual(a.unwrap(stillSealed), { message: m, encrypted: true });
    // A signed-only token as SSPI makes it (SECQOP_WRAP_NO_ENCRYPT): the MAC of the plaintext, data in clear.
    const signedOnly = new Uint8Array([...i.getMic(m), ...m]);
    assert.deepEqual(a.unwrap(signedOnly, { encrypted: false }), { message: m, encrypted: false });
  }
  // Interleaving getMic and wrap keeps one sequence per direction.
  const m = utf8('mixed');
  a.verifyMic(m, i.getMic(m));
  assert.deepEqual(a.unwrap(i.wrap(m)).message, m);
});

test('the two directions use different keys: a token cannot be reflected back to its sender', async () => {
  const { i } = await established();
  const m = utf8('reflect me');
  throwsCode(() => i.verifyMic(m, i.getMic(m)), 'BAD_MIC');
});

test('tampered data or signature -> BAD_MIC', async () => {
  const { i, a } = await established();
  const t = i.wrap(utf8('payload'));
  t[20] = t[20]! ^ 1;
  throwsCode(() => a.unwrap(t), 'BAD_MIC');
  const e2 = await established();
  const sig = e2.i.getMic(utf8('m'));
  sig[5] = sig[5]! ^ 1;
  throwsCode(() => e2.a.verifyMic(utf8('m'), sig), 'BAD_MIC');
  const e3 = await established();
  throwsCode(() => e3.a.verifyMic(utf8('other'), e3.i.getMic(utf8('m'))), 'BAD_MIC');
  throwsCode(() => e3.a.unwrap(new Uint8Array(10)), 'DEFECTIVE_TOKEN');
  const badVersion = e3.i.getMic(utf8('m'));
  badVersion[0] = 2;
  throwsCode(() => e3.a.verifyMic(utf8('m'), badVersion), 'DEFECTIVE_TOKEN');
});

test('replayed token -> DUPLICATE_TOKEN, early token -> UNSEQ_TOKEN; the in-order stream still verifies', async () => {
  const { i, a } = await established();
  const t0 = i.wrap(utf8('zero'));
  const t1 = i.wrap(utf8('one'));
  const t2 = i.wrap(utf8('two'));
  throwsCode(() => a.unwrap(t1), 'UNSEQ_TOKEN');
  assert.deepEqual(a.unwrap(t0).message, utf8('zero'));
  throwsCode(() => a.unwrap(t0), 'DUPLICATE_TOKEN');
  assert.deepEqual(a.unwrap(t1).message, utf8('one'));
  throwsCode(() => a.unwrap(t1), 'DUPLICATE_TOKEN');
  assert.deepEqual(a.unwrap(t2).message, utf8('two'));
  const s0 = a.getMic(utf8('s'));
  i.verifyMic(utf8('s'), s0);
  throwsCode(() => i.verifyMic(utf8('s'), s0), 'DUPLICATE_TOKEN');
});

test('without extended session security: sequence errors and tampering are still caught', () => {
  const flags = NTLMSSP_NEGOTIATE_SIGN | NTLMSSP_NEGOTIATE_SEAL | NTLMSSP_NEGOTIATE_KEY_EXCH | NTLMSSP_NEGOTIATE_56;
  const key = new Uint8Array(16).fill(0x55);
  const i = new NtlmSecurity(flags, key, 'initiator');
  const a = new NtlmSecurity(flags, key, 'acceptor');
  const m = utf8('Plaintext');
  assert.deepEqual(a.unwrap(i.wrap(m)).message, m);
  a.verifyMic(m, i.getMic(m));
  // A replay: the keystream has moved on, so the RC4-encrypted checksum no longer decrypts: BAD_MIC.
  const i2 = new NtlmSecurity(flags, key, 'initiator');
  const a2 = new NtlmSecurity(flags, key, 'acceptor');
  const sig = i2.getMic(m);
  a2.verifyMic(m, sig);
  throwsCode(() => a2.verifyMic(m, sig), 'BAD_MIC'); // keystream moved on: the checksum no longer decrypts
  const i3 = new NtlmSecurity(flags, key, 'initiator');
  const a3 = new NtlmSecurity(flags, key, 'acceptor');
  const s = i3.getMic(m);
  s[9] = s[9]! ^ 1;
  throwsCode(() => a3.verifyMic(m, s), 'BAD_MIC');
  // Same keystream position, wrong SeqNum (sender restarted its counter, receiver did not): UNSEQ_TOKEN.
  const i4 = new NtlmSecurity(flags, key, 'initiator');
  const a4 = new NtlmSecurity(flags, key, 'acceptor');
  a4.verifyMic(m, i4.getMic(m));
  i4.resetCryptoState('outgoing', { resetSeqNum: true });
  a4.resetCryptoState('incoming');
  throwsCode(() => a4.verifyMic(m, i4.getMic(m)), 'UNSEQ_TOKEN');
});

test('resetCryptoState: the first post-reset signature equals what a fresh RC4 handle gives', async () => {
  const { i, a } = await established();
  const flags = i.negotiatedFlags;
  assert.ok((flags & NTLMSSP_NEGOTIATE_KEY_EXCH) !== 0 && (flags & NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY) !== 0 && (flags & NTLMSSP_NEGOTIATE_128) !== 0);
  const key = i.sessionKey!;
  const m = utf8('mechListMIC input');
  // Like SPNEGO: MIC at seq 0, reset, then the application's first message.
  a.verifyMic(m, i.getMic(m));
  i.resetCryptoState('outgoing');
  const after = i.getMic(m);
  const fresh = MAC({ flags, handle: new Rc4(SEALKEY(flags, key, 'Client')), signingKey: SIGNKEY(flags, key, 'Client'), seqNum: 1, message: m });
  assert.equal(toHex(after), toHex(fresh), 'post-reset = fresh handle, SeqNum kept (1)');
  // Without the matching reset on the receiver, its keystream is ahead: BAD_MIC.
  throwsCode(() => a.verifyMic(m, after), 'BAD_MIC');

  const e = await established();
  e.a.verifyMic(m, e.i.getMic(m));
  e.i.resetCryptoState('outgoing');
  e.a.resetCryptoState('incoming');
  e.a.verifyMic(m, e.i.getMic(m));
  assert.deepEqual(e.a.unwrap(e.i.wrap(m)).message, m);
  // Acceptor's outgoing direction, with the sequence number reset as well.
  e.i.verifyMic(m, e.a.getMic(m));
  e.a.resetCryptoState('outgoing', { resetSeqNum: true });
  e.i.resetCryptoState('incoming', { resetSeqNum: true });
  const k = e.a.sessionKey!;
  const f = e.a.negotiatedFlags;
  const sig = e.a.getMic(m);
  const freshServer = MAC({ flags: f, handle: new Rc4(SEALKEY(f, k, 'Server')), signingKey: SIGNKEY(f, k, 'Server'), seqNum: 0, message: m });
  assert.equal(toHex(sig), toHex(freshServer), 'post-reset with resetSeqNum = fresh context');
  e.i.verifyMic(m, sig);
});

test('a brand-new NtlmSecurity gives the same first signature as a reset one', () => {
  const flags = NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY | NTLMSSP_NEGOTIATE_KEY_EXCH | NTLMSSP_NEGOTIATE_128;
  const key = new Uint8Array(16).fill(7);
  const used = new NtlmSecurity(flags, key, 'initiator');
  used.getMic(utf8('a'));
  used.getMic(utf8('b'));
  used.resetCryptoState('outgoing', { resetSeqNum: true });
  assert.equal(toHex(used.getMic(utf8('c'))), toHex(new NtlmSecurity(flags, key, 'initiator').getMic(utf8('c'))));
  assert.deepEqual(used.sequence, { outgoing: 1, incoming: 0 });
});
