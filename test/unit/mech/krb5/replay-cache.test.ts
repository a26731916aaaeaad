// The in-process replay cache (src/mech/krb5/replay-cache.ts) with an injected clock: replays are
// refused, entries past their expiry are dropped (and may then be stored again), and a cache full
// of live entries refuses a new authenticator (UNAVAILABLE) instead of evicting a live one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SpnegoError } from '../../../../src/errors.js';
import { MemoryReplayCache, replayEntry } from '../../../../src/mech/krb5/replay-cache.js';
import { Krb5Acceptor } from '../../../../src/mech/krb5/gss-acceptor.js';
import { Krb5Initiator } from '../../../../src/mech/krb5/gss-initiator.js';
import { issueTicket } from '../../../helpers/krb5-ticket.js';

const T0 = Date.UTC(2026, 10, 26, 12, 0, 0);
function clock(): { now: () => number; advance: (ms: number) => void } {
  let t = T0;
  return { now: () => t, advance: (ms) => void (t += ms) };
}
const WINDOW = 600_000; // the acceptor's now + 2 x 300 s

function refusedFull(f: () => unknown): void {
  assert.throws(f, (e: unknown) => e instanceof SpnegoError && e.code === 'UNAVAILABLE');
}

test('a second check of the same authenticator within its window is a replay', () => {
  const c = clock();
  const cache = new MemoryReplayCache(10, c.now);
  assert.equal(cache.checkAndStore('a', c.now() + WINDOW), true);
  assert.equal(cache.checkAndStore('b', c.now() + WINDOW), true);
  c.advance(WINDOW - 1000);
  assert.equal(cache.checkAndStore('a', c.now() + WINDOW), false);
  assert.equal(cache.checkAndStore('b', c.now() + WINDOW), false);
  assert.equal(cache.size, 2);
});

test('entries past their expiry are dropped, oldest first, and the same authenticator may be stored again', () => {
  const c = clock();
  const cache = new MemoryReplayCache(100, c.now);
  for (let i = 0; i < 10; i++) {
    assert.equal(cache.checkAndStore(`k${i}`, c.now() + WINDOW), true);
    c.advance(10_000);
  }
  // k0..k4 expire (inserted at T0..T0+40 s); k5..k9 are live.
  c.advance(WINDOW - 100_000 + 45_000);
  assert.equal(cache.checkAndStore('new', c.now() + WINDOW), true);
  assert.equal(cache.size, 6, 'the five expired entries were dropped by the insert');
  assert.equal(cache.checkAndStore('k5', c.now() + WINDOW), false);
  assert.equal(cache.checkAndStore('k0', c.now() + WINDOW), true, 'an expired entry is no longer a replay');
  assert.equal(cache.checkAndStore('k0', c.now() + WINDOW), false);
  c.advance(2 * WINDOW);
  assert.equal(cache.checkAndStore('last', c.now() + WINDOW), true);
  assert.equal(cache.size, 1);
});

test('a cache full of live entries refuses a new authenticator with UNAVAILABLE and keeps every live one', () => {
  const c = clock();
  const cache = new MemoryReplayCache(5, c.now);
  for (let i = 0; i < 5; i++) assert.equal(cache.checkAndStore(`k${i}`, c.now() + WINDOW), true);
  refusedFull(() => cache.checkAndStore('k5', c.now() + WINDOW));
  refusedFull(() => cache.checkAndStore('k6', c.now() + WINDOW));
  // Nothing was evicted: each of the five is still refused as a replay.
  for (let i = 0; i < 5; i++) assert.equal(cache.checkAndStore(`k${i}`, c.now() + WINDOW), false);
  assert.equal(cache.size, 5);
  // Once they expire there is room again.
  c.advance(WINDOW + 1000);
  assert.equal(cache.checkAndStore('k5', c.now() + WINDOW), true);
  assert.equal(cache.size, 1);
});

test('entries stored with different windows: a full cache drops the expired ones behind a live front', () => {
  const c = clock();
  const cache = new MemoryReplayCache(4, c.now);
  assert.equal(cache.checkAndStore('long', c.now() + 10 * WINDOW), true);
  for (let i = 0; i < 3; i++) assert.equal(cache.checkAndStore(`short${i}`, c.now() + WINDOW), true);
  refusedFull(() => cache.checkAndStore('x', c.now() + WINDOW));
  c.advance(WINDOW + 1000);
  // The front ('long') is live, the three behind it are not: they go, 'long' stays.
  assert.equal(cache.checkAndStore('x', c.now() + WINDOW), true);
  assert.equal(cache.size, 2);
  assert.equal(cache.checkAndStore('long', c.now() + WINDOW), false);
  assert.equal(cache.checkAndStore('short0', c.now() + WINDOW), true);
  assert.equal(cache.checkAndStore('y', c.now() + WINDOW), true);
  refusedFull(() => cache.checkAndStore('z', c.now() + WINDOW));
});

test('replayEntry: a fixed-size key that changes with every field', () => {
  const cipher = new Uint8Array(100).fill(1);
  const ctime = new Date(T0);
  const k = replayEntry('alice@EXAMPLE.TEST', 'HTTP/web.example.test@EXAMPLE.TEST', ctime, 123, cipher);
  assert.equal(k.length, 32);
  assert.equal(replayEntry('alice@EXAMPLE.TEST', 'HTTP/web.example.test@EXAMPLE.TEST', new Date(T0), 123, cipher.slice()), k);
  const others = [
    replayEntry('bob@EXAMPLE.TEST', 'HTTP/web.example.test@EXAMPLE.TEST', ctime, 123, cipher),
    replayEntry('alice@EXAMPLE.TEST', 'HTTP/other.example.test@EXAMPLE.TEST', ctime, 123, cipher),
    replayEntry('alice@EXAMPLE.TEST', 'HTTP/web.example.test@EXAMPLE.TEST', new Date(T0 + 1000), 123, cipher),
    replayEntry('alice@EXAMPLE.TEST', 'HTTP/web.example.test@EXAMPLE.TEST', ctime, 124, cipher),
    replayEntry('alice@EXAMPLE.TEST', 'HTTP/web.example.test@EXAMPLE.TEST', ctime, 123, new Uint8Array(100).fill(2)),
    // The name boundary is part of the key.
    replayEntry('alice@EXAMPLE.TEST|', 'HTTP/web.example.test@EXAMPLE.TEST', ctime, 123, cipher),
    replayEntry('alice@EXAMPLE.TES', 'THTTP/web.example.test@EXAMPLE.TEST', ctime, 123, cipher),
  ];
  assert.equal(new Set([k, ...others]).size, others.length + 1);
  for (const o of others) assert.equal(o.length, 32);
});

test('the acceptor: a replay is DUPLICATE_TOKEN, and a full cache refuses a fresh AP-REQ with UNAVAILABLE', async () => {
  const { cred, keys } = issueTicket(18);
  const cache = new MemoryReplayCache(1);
  const first = (await new Krb5Initiator({ credential: cred }).step())!;
  await new Krb5Acceptor({ keys, replayCache: cache }).step(first);
  await assert.rejects(new Krb5Acceptor({ keys, replayCache: cache }).step(first), { code: 'DUPLICATE_TOKEN' });
  const second = (await new Krb5Initiator({ credential: cred }).step())!;
  await assert.rejects(new Krb5Acceptor({ keys, replayCache: cache }).step(second), { code: 'UNAVAILABLE' });
});

test('the acceptor keeps an entry until the authenticator time + the skew (RFC 4120 3.2.3), not now + 2 x skew', async () => {
  const { cred, keys } = issueTicket(18);
  const ctime = new Date(Math.floor(Date.now() / 1000) * 1000);
  const apReq = (await new Krb5Initiator({ credential: cred, now: () => ctime }).step())!;
  const expiries: number[] = [];
  const spy = { checkAndStore: async (_key: string, expiresAt: number) => (expiries.push(expiresAt), true) };
  // The server's clock 200 s ahead of the client's, inside the 300 s skew.
  await new Krb5Acceptor({ keys, replayCache: spy, clockSkewSeconds: 300, now: () => new Date(ctime.getTime() + 200_000) }).step(apReq);
  assert.equal(expiries.length, 1);
  const lo = ctime.getTime() + 300_000;
  assert.ok(expiries[0]! >= lo && expiries[0]! <= lo + 2000, `expiry ${expiries[0]! - ctime.getTime()} ms after ctime`);
});
