// Interop (issue 8): two `spnego serve --keytab ... --redis HOST:PORT` processes share one replay
// cache in the lab's Redis. A real AP-REQ (our initiator, alice's ticket from MIT kinit) accepted by
// the first server is refused when replayed to the second (and to the first); a fresh one is
// accepted by the second. Without --redis each process has its own in-memory cache and the
// cross-server replay would be accepted.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoPath } from '../helpers/paths.js';
import { initiator } from '../../src/gss/context.js';
import { Krb5Client } from '../../src/mech/krb5/client.js';

interface Lab {
  env: Record<string, string>;
  redis: { host: string; port: number };
  mit: { realm: string; httpKeytab: string; users: { name: string; password: string }[] };
}
interface Serve { child: ChildProcess; url: string; log: () => string }

let lab: Lab;
let dir: string;
let ccache: string;
let krb5Client: Krb5Client;
const servers: Serve[] = [];

async function startServe(): Promise<Serve> {
  const child = spawn(process.execPath, [repoPath('dist/src/cli/main.js'), 'serve', '--port', '0', '--keytab', lab.mit.httpKeytab, '--redis', `${lab.redis.host}:${lab.redis.port}`], {
    env: { ...process.env, ...lab.env, NTLM_USER_FILE: '' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const s: Serve = { child, url: '', log: () => log };
  servers.push(s);
  for (let i = 0; i < 200 && !/listening on (\S+)/.test(log) && child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 50));
  const url = /listening on (\S+)/.exec(log)?.[1];
  assert.ok(url, `serve did not start: ${log}`);
  assert.match(log, /replay cache redis:\/\//);
  return { ...s, url };
}

before(async () => {
  const s = process.env.LAB_STATE;
  if (!s) throw new Error('LAB_STATE is not set: run `npm test`, which starts the lab (and its Redis)');
  lab = JSON.parse(readFileSync(join(s, 'lab.json'), 'utf8')) as Lab;
  dir = mkdtempSync(join(tmpdir(), 'serve-redis-'));
  ccache = join(dir, 'cc');
  const alice = lab.mit.users.find((u) => u.name === 'alice')!;
  execFileSync('kinit', [`alice@${lab.mit.realm}`], { input: `${alice.password}\n`, env: { ...process.env, ...lab.env, KRB5CCNAME: `FILE:${ccache}` } });
  krb5Client = new Krb5Client({ env: { ...process.env, ...lab.env } });
});
after(() => {
  for (const s of servers) s.child.kill('SIGTERM');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A fresh AP-REQ (in a SPNEGO negTokenInit) for HTTP@localhost from alice's ccache. */
async function freshToken(): Promise<string> {
  const ctx = initiator({ mech: 'negotiate', target: 'HTTP@localhost', credential: { ccache }, krb5Client });
  const tok = await ctx.step();
  assert.ok(tok && tok.length > 0);
  return Buffer.from(tok).toString('base64');
}

/** One request on a new connection (no keep-alive: nothing connection-bound carries over). */
function send(url: string, token: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false, headers: { Authorization: `Negotiate ${token}`, Connection: 'close' } }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

async function waitFor(s: Serve, re: RegExp): Promise<void> {
  for (let i = 0; i < 40 && !re.test(s.log()); i++) await new Promise((r) => setTimeout(r, 50));
  assert.match(s.log(), re);
}

test('two spnego serve --redis processes: an AP-REQ accepted by one is refused by the other (and by itself); a fresh one is accepted', async () => {
  const a = await startServe();
  const b = await startServe();
  const duplicate = /refused 401 DUPLICATE_TOKEN/g;

  const token = await freshToken();
  const first = await send(a.url, token);
  assert.equal(first.status, 200, first.body);
  const who = JSON.parse(first.body) as { principal: string; mech: string };
  assert.equal(who.principal, `alice@${lab.mit.realm}`);
  assert.equal(who.mech, 'kerberos');

  // The same token to the second process: only the shared cache knows it was seen.
  const replayB = await send(b.url, token);
  assert.equal(replayB.status, 401);
  await waitFor(b, /refused 401 DUPLICATE_TOKEN/);

  // And to the first again.
  const replayA = await send(a.url, token);
  assert.equal(replayA.status, 401);
  await waitFor(a, /refused 401 DUPLICATE_TOKEN/);

  // A fresh AP-REQ is accepted by the second.
  const fresh = await send(b.url, await freshToken());
  assert.equal(fresh.status, 200, fresh.body);
  assert.equal((JSON.parse(fresh.body) as { principal: string }).principal, `alice@${lab.mit.realm}`);

  assert.equal(a.log().match(duplicate)?.length, 1, a.log());
  assert.equal(b.log().match(duplicate)?.length, 1, b.log());
  assert.equal(a.log().match(/ authenticated alice@/g)?.length, 1, a.log());
  assert.equal(b.log().match(/ authenticated alice@/g)?.length, 1, b.log());
});
