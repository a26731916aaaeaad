// Interop: the Redis replay cache against a real redis-server (Debian's, started by the lab):
// an AP-REQ accepted by one acceptor is refused by another that shares the cache, as two server
// processes would (issue 7 item 2; issue 8 repeats it across two `spnego serve` processes).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RedisReplayCache } from '../../src/mech/krb5/redis-replay-cache.js';
import { Krb5Initiator } from '../../src/mech/krb5/gss-initiator.js';
import { Krb5Acceptor } from '../../src/mech/krb5/gss-acceptor.js';
import { issueTicket } from '../helpers/krb5-ticket.js';

let redis: { host: string; port: number };
before(() => {
  const s = process.env.LAB_STATE;
  if (!s) throw new Error('LAB_STATE is not set: run `npm test`, which starts the lab (and its Redis)');
  redis = (JSON.parse(readFileSync(join(s, 'lab.json'), 'utf8')) as { redis: { host: string; port: number } }).redis;
});

test('two acceptors sharing Redis: the first accepts an AP-REQ, the second refuses its replay (DUPLICATE_TOKEN)', async () => {
  const prefix = `test:${process.pid}:${Date.now()}:`;
  const a1 = new RedisReplayCache({ ...redis, keyPrefix: prefix });
  const a2 = new RedisReplayCache({ ...redis, keyPrefix: prefix });
  try {
    const { cred, keys } = issueTicket(18);
    const apReq = await new Krb5Initiator({ credential: cred }).step();
    assert.ok(await new Krb5Acceptor({ keys, replayCache: a1 }).step(apReq));
    await assert.rejects(() => new Krb5Acceptor({ keys, replayCache: a2 }).step(apReq), { code: 'DUPLICATE_TOKEN' });
    // A fresh AP-REQ is still accepted through the second one.
    assert.ok(await new Krb5Acceptor({ keys, replayCache: a2 }).step(await new Krb5Initiator({ credential: cred }).step()));
  } finally {
    a1.close();
    a2.close();
  }
});

test('Redis unreachable: the acceptor fails closed with UNAVAILABLE, never accepts unchecked', async () => {
  const dead = new RedisReplayCache({ host: '127.0.0.1', port: 1, timeoutMs: 500 });
  const { cred, keys } = issueTicket(18);
  await assert.rejects(async () => new Krb5Acceptor({ keys, replayCache: dead }).step(await new Krb5Initiator({ credential: cred }).step()), { code: 'UNAVAILABLE' });
});
