// The acceptor's cache of decrypted tickets: one decryption per distinct ticket ciphertext and
// service key, never a cached answer for other bytes (even with the same checksum tail), nothing
// kept for an ended ticket, and the per-AP-REQ checks (replay, tampering) still applied.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { acceptedTicket } from '../../../../src/mech/krb5/accepted-tickets.js';
import type { EncTicketPart } from '../../../../src/codec/krb5/enc-ticket-part.js';
import { Krb5Acceptor } from '../../../../src/mech/krb5/gss-acceptor.js';
import { Krb5Initiator } from '../../../../src/mech/krb5/gss-initiator.js';
import { MemoryReplayCache } from '../../../../src/mech/krb5/replay-cache.js';
import { issueTicket } from '../../../helpers/krb5-ticket.js';

const part = (endtime: Date): EncTicketPart => ({ endtime }) as unknown as EncTicketPart;

test('acceptedTicket: decrypted once per ciphertext and key; other bytes with the same tail, another key, an ended ticket: decrypted again', () => {
  const now = new Date('2026-11-26T12:00:00Z');
  const later = new Date(now.getTime() + 3600_000);
  const key = new Uint8Array(32).fill(1);
  const cipher = Uint8Array.from({ length: 100 }, (_, i) => i);
  let n = 0;
  const dec = (end = later) => () => (n++, part(end));
  const first = acceptedTicket(key, cipher, now, dec());
  assert.equal(acceptedTicket(key, cipher.slice(), now, dec()), first, 'equal bytes in another array: the cached part');
  assert.equal(n, 1);
  const sameTail = cipher.slice();
  sameTail[0] = 0xff; // same length and last 16 bytes, other content
  assert.notEqual(acceptedTicket(key, sameTail, now, dec()), first);
  assert.equal(n, 2);
  acceptedTicket(new Uint8Array(32).fill(2), cipher, now, dec());
  assert.equal(n, 3, 'another service key has its own cache');
  const ended = Uint8Array.from({ length: 100 }, (_, i) => 200 - i);
  acceptedTicket(key, ended, now, dec(now));
  acceptedTicket(key, ended, now, dec(now));
  assert.equal(n, 5, 'a ticket that has ended is not kept');
  assert.equal(acceptedTicket(key, cipher, new Date(later.getTime() + 1), dec(later)) === first, false, 'a cached ticket past its end is decrypted again');
});

test('the acceptor with a reused ticket: a replayed AP-REQ is still DUPLICATE_TOKEN, a tampered ticket still fails, fresh AP-REQs still succeed', async () => {
  const { cred, keys } = issueTicket(18);
  const cache = new MemoryReplayCache();
  const ap1 = (await new Krb5Initiator({ credential: cred }).step())!;
  const a1 = new Krb5Acceptor({ keys, replayCache: cache });
  await a1.step(ap1);
  assert.ok(a1.complete);
  await assert.rejects(new Krb5Acceptor({ keys, replayCache: cache }).step(ap1), { code: 'DUPLICATE_TOKEN' });
  const ap2 = (await new Krb5Initiator({ credential: cred }).step())!;
  const a2 = new Krb5Acceptor({ keys, replayCache: cache });
  await a2.step(ap2);
  assert.ok(a2.complete);
  assert.equal(a2.ticket, a1.ticket, 'the second AP-REQ reused the decrypted ticket');
  // A byte of the ticket's ciphertext changed (the ticket sits inside the AP-REQ): refused.
  const tampered = (await new Krb5Initiator({ credential: { ...cred, ticket: { ...cred.ticket, encPart: { ...cred.ticket.encPart, cipher: flip(cred.ticket.encPart.cipher) } } } }).step())!;
  await assert.rejects(new Krb5Acceptor({ keys, replayCache: cache }).step(tampered), { code: 'DEFECTIVE_CREDENTIAL' });
});

function flip(b: Uint8Array): Uint8Array {
  const c = b.slice();
  c[5]! ^= 1;
  return c;
}
