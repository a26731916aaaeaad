// Interop: `spnego serve --keytab` (Kerberos) against MIT's `curl --negotiate` with a ticket
// from MIT kinit, as a user would run them; and the server's log line names the principal.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { readFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoPath } from '../helpers/paths.js';

interface Lab { env: Record<string, string>; mit: { realm: string; httpKeytab: string; users: { name: string; password: string }[] } }
let lab: Lab;
let dir: string;
let server: ChildProcess;
let url = '';
let log = '';

before(async () => {
  const s = process.env.LAB_STATE;
  if (!s) throw new Error('LAB_STATE is not set: run `npm test`, which starts the lab');
  lab = JSON.parse(readFileSync(join(s, 'lab.json'), 'utf8')) as Lab;
  dir = mkdtempSync(join(tmpdir(), 'serve-krb5-'));
  const env = { ...process.env, ...lab.env, KRB5CCNAME: `FILE:${join(dir, 'cc')}` };
  execFileSync('kinit', [`alice@${lab.mit.realm}`], { input: `${lab.mit.users.find((u) => u.name === 'alice')!.password}\n`, env });
  mkdirSync(join(dir, 'deleg'));
  server = spawn(process.execPath, [repoPath('dist/src/cli/main.js'), 'serve', '--port', '0', '--keytab', lab.mit.httpKeytab, '--delegated-ccache-dir', join(dir, 'deleg')], { env: { ...process.env, ...lab.env, NTLM_USER_FILE: '' } });
  server.stderr!.on('data', (d: Buffer) => { log += d.toString(); });
  for (let i = 0; i < 100 && !/listening on (\S+)/.test(log); i++) await new Promise((r) => setTimeout(r, 50));
  url = /listening on (\S+)/.exec(log)?.[1] ?? '';
  assert.ok(url, `serve did not start: ${log}`);
});
after(() => {
  server?.kill('SIGTERM');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('curl --negotiate (MIT GSSAPI, Kerberos ticket) → spnego serve --keytab: 200 naming alice@REALM, mech kerberos', async () => {
  const env = { ...process.env, ...lab.env, KRB5CCNAME: `FILE:${join(dir, 'cc')}` };
  const body = execFileSync('curl', ['-sS', '--fail', '--negotiate', '-u', ':', url.replace('127.0.0.1', 'localhost')], { env, encoding: 'utf8' });
  const j = JSON.parse(body) as { principal: string; mech: string };
  assert.equal(j.principal, `alice@${lab.mit.realm}`);
  assert.equal(j.mech, 'kerberos');
  const line = new RegExp(`authenticated alice@${lab.mit.realm.replace('.', '\\.')} mech=kerberos`);
  for (let i = 0; i < 40 && !line.test(log); i++) await new Promise((r) => setTimeout(r, 50));
  assert.match(log, line);
});

test('without a ticket curl gets 401 Negotiate and no access', () => {
  const env = { ...process.env, ...lab.env, KRB5CCNAME: `FILE:${join(dir, 'none')}` };
  const code = execFileSync('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '--negotiate', '-u', ':', url.replace('127.0.0.1', 'localhost')], { env, encoding: 'utf8' });
  assert.equal(code, '401');
});

test('curl --negotiate --delegation always (and spnego fetch --delegation) with a forwardable TGT → spnego serve --delegated-ccache-dir: the TGT is stored for the application, and MIT kvno gets a service ticket with it (as mod_auth_gssapi GssapiDelegCcacheDir)', async () => {
  const cc = join(dir, 'fwd');
  const env = { ...process.env, ...lab.env, KRB5CCNAME: `FILE:${cc}` };
  execFileSync('kinit', ['-f', `alice@${lab.mit.realm}`], { input: `${lab.mit.users.find((u) => u.name === 'alice')!.password}\n`, env });
  const body = execFileSync('curl', ['-sS', '--fail', '--negotiate', '--delegation', 'always', '-u', ':', url.replace('127.0.0.1', 'localhost')], { env, encoding: 'utf8' });
  const j = JSON.parse(body) as { principal: string; delegatedCcache?: string };
  assert.equal(j.principal, `alice@${lab.mit.realm}`);
  assert.equal(j.delegatedCcache, join(dir, 'deleg', `krb5cc_alice@${lab.mit.realm}`));
  const klist = execFileSync('klist', [j.delegatedCcache!], { env: { ...process.env, ...lab.env }, encoding: 'utf8' });
  assert.match(klist, new RegExp(`krbtgt/${lab.mit.realm.replace('.', '\\.')}@`));
  const kvno = execFileSync('kvno', ['-c', j.delegatedCcache!, `HTTP/localhost@${lab.mit.realm}`], { env: { ...process.env, ...lab.env }, encoding: 'utf8' });
  assert.match(kvno, /kvno = \d+/);
  // Without delegation nothing is stored.
  const plain = JSON.parse(execFileSync('curl', ['-sS', '--fail', '--negotiate', '-u', ':', url.replace('127.0.0.1', 'localhost')], { env, encoding: 'utf8' })) as { delegatedCcache?: string };
  assert.equal(plain.delegatedCcache, undefined);
  // Our own client delegates the same way: spnego fetch --delegation (curl's --delegation always).
  const ours = JSON.parse(execFileSync(process.execPath, [repoPath('dist/src/cli/main.js'), 'fetch', '--delegation', url.replace('127.0.0.1', 'localhost')], { env, encoding: 'utf8' })) as { delegatedCcache?: string };
  assert.equal(ours.delegatedCcache, j.delegatedCcache);
  assert.match(execFileSync('kvno', ['-c', ours.delegatedCcache!, `HTTP/localhost@${lab.mit.realm}`], { env: { ...process.env, ...lab.env }, encoding: 'utf8' }), /kvno = \d+/);
});
