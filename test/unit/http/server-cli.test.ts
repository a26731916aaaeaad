// `spnego serve` and `spnego demo` as a user runs them: real processes, real sockets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import http from 'node:http';
import { initiator } from '../../../src/gss/context.js';
import { repoPath } from '../../helpers/paths.js';

const BIN = repoPath('dist/src/cli/main.js');

test('spnego demo: exit 0, every leg printed with its token decoded, the final JSON, the final token verified', () => {
  const r = spawnSync(process.execPath, [BIN, 'demo'], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr + r.stdout);
  const o = r.stdout;
  assert.match(o, /<- 401\nWWW-Authenticate: Negotiate\n/);
  assert.match(o, /Authorization: Negotiate YE[A-Za-z0-9+/=]+\n\s+Authorization: Negotiate \(\d+ bytes\)\n\s+InitialContextToken/);
  assert.match(o, /NEGOTIATE_MESSAGE/);
  assert.match(o, /CHALLENGE_MESSAGE/);
  assert.match(o, /AUTHENTICATE_MESSAGE[\s\S]+userName: alice/);
  assert.match(o, /<- 200\nWWW-Authenticate: Negotiate oR[A-Za-z0-9+/=]+\n[\s\S]+negState: accept-completed/);
  assert.match(o, /"principal":"DEMO\\\\alice","mech":"ntlm"/);
  assert.match(o, /\[server\] \S+ authenticated DEMO\\alice mech=ntlm/);
  assert.match(o, /demo ok: DEMO\\alice authenticated .* final token verified \(mechListMIC both ways\)/);
  assert.ok(!o.includes('Demo-Pass-1'), 'the demo password is not printed');
});

test('spnego serve: unreadable keytab or users file, or no credentials at all: NO_CRED; no stack trace', () => {
  const k = spawnSync(process.execPath, [BIN, 'serve', '--keytab', '/nonexistent.keytab', '--port', '0'], { encoding: 'utf8', timeout: 10_000 });
  assert.equal(k.status, 1);
  assert.match(k.stderr, /^spnego: NO_CRED: cannot read keytab \/nonexistent\.keytab/);
  const env = { ...process.env };
  delete env['NTLM_USER_FILE'];
  delete env['KRB5_KTNAME'];
  const n = spawnSync(process.execPath, [BIN, 'serve', '--port', '0'], { encoding: 'utf8', timeout: 10_000, env });
  assert.equal(n.status, 1);
  assert.match(n.stderr, /^spnego: NO_CRED: no credentials: pass --keytab FILE/);
  const m = spawnSync(process.execPath, [BIN, 'serve', '--port', '0', '--ntlm-users', '/nonexistent/users'], { encoding: 'utf8', timeout: 10_000, env });
  assert.equal(m.status, 1);
  assert.match(m.stderr, /^spnego: NO_CRED: cannot read the NTLM user file/);
  for (const s of [k.stderr, n.stderr, m.stderr]) assert.ok(!/\n\s+at /.test(s));
});

function get(url: string, agent: http.Agent, authorization?: string): Promise<{ status: number; www?: string; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent, headers: authorization ? { Authorization: authorization } : {} }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, ...(res.headers['www-authenticate'] ? { www: res.headers['www-authenticate'] } : {}) }));
      })
      .on('error', reject);
  });
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`spnego serve: users from a file, JSON of who and how, one log line per authentication, clean exit on ${signal}`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spnego-serve-'));
    const users = join(dir, 'users');
    writeFileSync(users, 'CORP:dave:Dave-Pass-5\n');
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--ntlm-users', users, '--ntlm-domain', 'CORP'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no listening line: ${err}`)), 10_000);
        child.stderr.on('data', () => {
          const m = /listening on (http:\/\/\S+)/.exec(err);
          if (m) {
            clearTimeout(t);
            resolve(m[1]!);
          }
        });
      });
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      const ctx = initiator({ mech: 'negotiate', target: 'HTTP@localhost', credential: { username: 'CORP\\dave', password: 'Dave-Pass-5' } });
      assert.equal((await get(url, agent)).status, 401);
      const r1 = await get(url, agent, `Negotiate ${Buffer.from((await ctx.step())!).toString('base64')}`);
      assert.equal(r1.status, 401);
      const t3 = await ctx.step(new Uint8Array(Buffer.from(r1.www!.slice('Negotiate '.length), 'base64')));
      const r2 = await get(url, agent, `Negotiate ${Buffer.from(t3!).toString('base64')}`);
      assert.equal(r2.status, 200);
      await ctx.step(new Uint8Array(Buffer.from(r2.www!.slice('Negotiate '.length), 'base64')));
      assert.ok(ctx.complete);
      const j = JSON.parse(r2.body);
      assert.equal(j.principal, 'CORP\\dave');
      assert.equal(j.mech, 'ntlm');
      assert.equal(j.domain, 'CORP');
      assert.deepEqual(j.mic, { required: true, sent: true, received: true });
      // A wrong password is refused and logged; nothing secret in the log.
      const bad = initiator({ mech: 'negotiate', credential: { username: 'CORP\\dave', password: 'Bad-Guess-77' } });
      const a2 = new http.Agent({ keepAlive: true, maxSockets: 1 });
      const b1 = await get(url, a2, `Negotiate ${Buffer.from((await bad.step())!).toString('base64')}`);
      const b3 = await bad.step(new Uint8Array(Buffer.from(b1.www!.slice('Negotiate '.length), 'base64')));
      assert.equal((await get(url, a2, `Negotiate ${Buffer.from(b3!).toString('base64')}`)).status, 401);
      agent.destroy();
      a2.destroy();
      await new Promise((r) => setTimeout(r, 50));
      const lines = err.split('\n').filter((l) => / (authenticated|refused) /.test(l));
      assert.equal(lines.length, 2, err);
      assert.match(lines[0]!, /authenticated CORP\\dave mech=ntlm scheme=Negotiate mechListMIC sent\/received from 127\.0\.0\.1:\d+$/);
      assert.match(lines[1]!, /refused 401 [A-Z_]+: /);
      assert.ok(!err.includes('Dave-Pass-5') && !err.includes('Bad-Guess-77'));
    } finally {
      child.kill(signal);
    }
    assert.equal(await exited, 0, err);
    assert.match(err, new RegExp(`${signal}, stopping`));
  });
}
