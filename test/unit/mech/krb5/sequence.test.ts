// The replay/sequence window (sequence.ts): MIT g_seqstate-like classification and which outcomes throw.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SequenceWindow } from '../../../../src/mech/krb5/sequence.js';
import { assertCode } from '../../../helpers/errors.js';

const w = (initial: number | bigint, bits: 32 | 64 = 64, sequenceDetection = false, replayDetection = true) =>
  new SequenceWindow({ initial, bits, replayDetection, sequenceDetection });

test('sequence window classifies in-order, gap, unseq, duplicate and old numbers', () => {
  const s = w(100);
  assert.equal(s.classify(100n), 'ok');
  assert.equal(s.classify(101n), 'ok');
  assert.equal(s.classify(101n), 'duplicate');
  assert.equal(s.classify(105n), 'gap');
  assert.equal(s.classify(103n), 'unseq');
  assert.equal(s.classify(103n), 'duplicate');
  assert.equal(s.classify(102n), 'unseq');
  assert.equal(s.classify(104n), 'unseq');
  assert.equal(s.classify(106n), 'ok');
  assert.equal(s.classify(100n), 'duplicate');
  // 64 numbers are remembered; older ones are 'old'
  assert.equal(s.classify(106n + 64n), 'gap'); // next is 171 now
  assert.equal(s.classify(107n), 'unseq'); // 171 - 107 = 64: still in the window
  assert.equal(s.classify(106n), 'old');
  assert.equal(s.classify(99n), 'old');
});

test('sequence window: a gap of 64 or more clears the map', () => {
  const s = w(0);
  s.classify(0n);
  assert.equal(s.classify(1000n), 'gap');
  assert.equal(s.classify(999n), 'unseq');
  assert.equal(s.classify(999n), 'duplicate');
  assert.equal(s.classify(1001n - 64n), 'unseq'); // the window is the 64 numbers below next (1001)
  assert.equal(s.classify(1001n - 65n), 'old');
});

test('sequence window wraps modulo 2^32 and 2^64', () => {
  const s32 = w(0xfffffffe, 32);
  assert.equal(s32.classify(0xfffffffen), 'ok');
  assert.equal(s32.classify(0xffffffffn), 'ok');
  assert.equal(s32.classify(0n), 'ok');
  assert.equal(s32.classify(0xffffffffn), 'duplicate');
  const top = (1n << 64n) - 1n;
  const s64 = w(top);
  assert.equal(s64.classify(top), 'ok');
  assert.equal(s64.classify(0n), 'ok');
  assert.equal(s64.classify(2n), 'gap');
  assert.equal(s64.classify(1n), 'unseq');
  assert.equal(s64.classify(top), 'duplicate');
  // numbers just below the initial one were never sent: old, not a gap far ahead nor unseq
  const s5 = w(5);
  assert.equal(s5.classify(4n), 'old');
  s5.classify(5n);
  s5.classify(6n);
  assert.equal(s5.classify(4n), 'old');
  assert.equal(s5.classify(0n), 'old');
});

test('sequence window check(): which outcomes throw', () => {
  const replayOnly = w(0);
  replayOnly.check(0n);
  replayOnly.check(2n); // gap: informational only
  replayOnly.check(1n); // unseq: informational only
  assertCode(() => replayOnly.check(1n), 'DUPLICATE_TOKEN');
  replayOnly.check(200n);
  assertCode(() => replayOnly.check(3n), 'OLD_TOKEN');

  const seq = w(0, 64, true);
  seq.check(0n);
  assertCode(() => seq.check(2n), 'GAP_TOKEN');
  assertCode(() => seq.check(1n), 'UNSEQ_TOKEN');
  seq.check(3n); // recorded 1 and 2 above, so 3 is in order
  assertCode(() => seq.check(2n), 'DUPLICATE_TOKEN');
  seq.check(4n);
  seq.check(5n);
  assertCode(() => w(0, 64, true).check(100n), 'GAP_TOKEN');

  const off = w(0, 64, false, false);
  off.check(7n);
  off.check(7n);
  off.check(0n);
  // sequence detection alone implies replay checks
  const seqOnly = w(0, 64, true, false);
  seqOnly.check(0n);
  assertCode(() => seqOnly.check(0n), 'DUPLICATE_TOKEN');
});

test('sequence window refuses bad initial values', () => {
  assertCode(() => w(-1), 'BAD_ARGUMENT');
  assertCode(() => w(2 ** 32, 32), 'BAD_ARGUMENT');
  assertCode(() => w(1n << 64n), 'BAD_ARGUMENT');
  assertCode(() => w(0.5), 'BAD_ARGUMENT');
});
