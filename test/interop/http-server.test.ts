// Interop: our HTTP Negotiate server (src/http/server, as `spnego serve` runs it) against real
// clients from the lab: `curl --negotiate -u :` and python-gssapi's SPNEGO initiator, both doing
// NTLM through gss-ntlmssp (NTLM_USER_FILE, no Kerberos ticket). Our server's users come from the
// same lab user file. Needs the lab (LAB_STATE): without it the tests fail and say how to start
// it; they never skip.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLab, type NtlmLab } from '../helpers/peer.js';
import { startServe, type RunningServer } from '../../src/cli/serve.js';

let lab: NtlmLab;
let running: RunningServer;
let port: number;
const log: string[] = [];
let dir: string;
let emptyCache: string;

before(async () => {
  lab = readLab();
  dir = mkdtempSync(join(tmpdir(), 'spnego-http-interop-'));
  // No ticket: a cache path that does not exist. A zero-byte FILE cache makes curl (MIT krb5 +
  // gss-ntlmssp, Debian 12) segfault in about half the runs, against Apache as against us.
  emptyCache = join(dir, 'no-ticket.ccache');
  running = await startServe({ host: '127.0.0.1', port: 0, credential: { ntlmUsers: lab.ntlm.userFile }, ntlm: { netbiosDomain: lab.ntlm.domain }, log: (l) => log.push(l) });
  port = (running.server.address() as { port: number }).port;
});

after(async () => {
  await running?.close();
});

/** The client environment of the lab's NTLM recipe: gss-ntlmssp with the user file, no ticket. */
function ntlmEnv(userFile = lab.ntlm.userFile, user = 'alice'): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NTLM_USER_FILE: userFile, NTLMUSER: user, _NO_WINBINDD: '1', KRB5CCNAME: `FILE:${emptyCache}` };
  const krb5Conf = (lab as unknown as { env?: Record<string, string> }).env?.['KRB5_CONFIG'];
  if (krb5Conf) env['KRB5_CONFIG'] = krb5Conf;
  return env;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const c = spawn(cmd, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const t = setTimeout(() => c.kill('SIGKILL'), 30_000);
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.stderr.on('data', (d: Buffer) => (err += d.toString()));
    c.on('error', reject);
    c.on('close', (code) => {
      clearTimeout(t);
      resolve({ code, out, err });
    });
    c.stdin.end(input ?? '');
  });
}

test('curl --negotiate -u : (NTLM through gss-ntlmssp) against our server: 200, our JSON names SPNEGO\\alice, mechListMIC both ways', async () => {
  const url = `http://127.0.0.1:${port}/`;
  const r = await run('curl', ['-sS', '-v', '--fail', '--negotiate', '-u', ':', url], ntlmEnv());
  assert.equal(r.code, 0, `curl failed: ${r.err}`);
  const j = JSON.parse(r.out);
  assert.equal(j.principal, 'SPNEGO\\alice');
  assert.equal(j.mech, 'ntlm');
  assert.equal(j.domain, 'SPNEGO');
  assert.deepEqual(j.mic, { required: true, sent: true, received: true });
  // The legs curl logged: its NegTokenInit, our 401 with the CHALLENGE, its AUTHENTICATE, our 200 with the final token.
  assert.match(r.err, /> Authorization: Negotiate YE/);
  assert.match(r.err, /< HTTP\/1\.1 401[\s\S]+< WWW-Authenticate: Negotiate oY/);
  assert.match(r.err, /< HTTP\/1\.1 200[\s\S]*< WWW-Authenticate: Negotiate oR/);
  assert.ok(log.some((l) => /authenticated SPNEGO\\alice mech=ntlm scheme=Negotiate mechListMIC sent\/received/.test(l)), log.join('\n'));
});

test('curl with the wrong password (its own user file): 401, and the server still serves curl with the right one', async () => {
  const badFile = join(dir, 'bad-users');
  writeFileSync(badFile, `${lab.ntlm.domain}:alice:Not-The-Password-1\n`);
  const url = `http://127.0.0.1:${port}/`;
  const bad = await run('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', '--negotiate', '-u', ':', url], ntlmEnv(badFile));
  assert.equal(bad.out, '401', bad.err);
  assert.ok(!log.join('\n').includes('Not-The-Password-1'));
  const good = await run('curl', ['-sS', '--fail', '--negotiate', '-u', ':', url], ntlmEnv());
  assert.equal(good.code, 0, good.err);
  assert.equal(JSON.parse(good.out).principal, 'SPNEGO\\alice');
});

// python-gssapi's SPNEGO initiator (MIT's SPNEGO over gss-ntlmssp), all legs on one
// http.client connection, and the final token fed back to the initiator: complete == verified.
const PY = String.raw`
import base64, http.client, json, sys
import gssapi
port = int(sys.argv[1])
spnego = gssapi.OID.from_int_seq('1.3.6.1.5.5.2')
name = gssapi.Name('HTTP@localhost', gssapi.NameType.hostbased_service)
ctx = gssapi.SecurityContext(name=name, mech=spnego, usage='initiate')
conn = http.client.HTTPConnection('127.0.0.1', port)
tok = ctx.step()
statuses = []
ports = set()
while True:
    conn.request('GET', '/', headers={'Authorization': 'Negotiate ' + base64.b64encode(tok).decode()})
    ports.add(conn.sock.getsockname()[1])
    r = conn.getresponse()
    body = r.read()
    www = r.getheader('WWW-Authenticate') or ''
    statuses.append(r.status)
    if r.status == 401 and www.startswith('Negotiate ') and len(statuses) < 6:
        tok = ctx.step(base64.b64decode(www[10:]))
        continue
    if r.status == 200 and www.startswith('Negotiate ') and not ctx.complete:
        ctx.step(base64.b64decode(www[10:]))
    break
conn.request('GET', '/')
again = conn.getresponse()
print(json.dumps({'statuses': statuses, 'complete': ctx.complete, 'body': json.loads(body), 'sockets': len(ports),
                  'again': again.status, 'againBody': json.loads(again.read())}))
`;

test('python-gssapi SPNEGO initiator over gss-ntlmssp against our server: 200 on one connection, final token accepted, keep-alive reuse', async () => {
  const r = await run(lab.python || '/usr/bin/python3', ['-c', PY, String(port)], ntlmEnv());
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out.trim().split('\n').pop()!);
  assert.deepEqual(j.statuses, [401, 200]);
  assert.equal(j.sockets, 1);
  assert.equal(j.complete, true, 'the initiator accepted our final token (mechListMIC)');
  assert.equal(j.body.principal, 'SPNEGO\\alice');
  assert.deepEqual(j.body.mic, { required: true, sent: true, received: true });
  assert.equal(j.again, 200);
  assert.equal(j.againBody.reused, true);
});

test('GNU wget against our server offering Negotiate and NTLM: one WWW-Authenticate line per scheme, as Apache sends them, so wget finds and selects NTLM (from one comma-joined line it read the scheme "Negotiate," and gave up); its NTLMv1 AUTHENTICATE is then refused with a typed error and the server goes on', async () => {
  const lines: string[] = [];
  const both = await startServe({ host: '127.0.0.1', port: 0, ntlmScheme: true, credential: { ntlmUsers: lab.ntlm.userFile }, ntlm: { netbiosDomain: lab.ntlm.domain }, log: (l) => lines.push(l) });
  try {
    const p = (both.server.address() as { port: number }).port;
    const alice = lab.ntlm.users.find((u) => u.name === 'alice')!;
    const r = await run('wget', ['-d', '-O', '-', `--user=${lab.ntlm.domain}\\alice`, `--password=${alice.password}`, `http://127.0.0.1:${p}/wget`], { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir });
    assert.match(r.err, /Auth scheme found 'Negotiate'\n[\s\S]*Auth scheme found 'NTLM'/);
    assert.match(r.err, /Authorization: NTLM TlRMTVNTUAAD/, 'wget answered the CHALLENGE with an AUTHENTICATE');
    // wget 1.21 speaks NTLMv1 (24-byte responses) with 8-bit strings under the UNICODE flag: refused.
    assert.notEqual(r.code, 0);
    assert.ok(lines.some((l) => /refused (400|401) /.test(l)), lines.join('\n'));
    const after = await run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', `http://127.0.0.1:${p}/`], { PATH: process.env.PATH ?? '/usr/bin:/bin' });
    assert.equal(after.out, '401');
  } finally {
    await both.close();
  }
});

test('plain node:http client without credentials still gets the challenge after the interop runs', async () => {
  const status = await new Promise<number>((resolve, reject) => {
    http.get(`http://127.0.0.1:${port}/`, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', reject);
  });
  assert.equal(status, 401);
});
