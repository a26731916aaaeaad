// Interop: our HTTP client (createFetch, `spnego fetch`) against Apache 2.4 + mod_auth_gssapi
// from the lab (NTLM through gss-ntlmssp, inside Negotiate and as the raw NTLM scheme;
// GssapiConnectionBound, so the authenticated keep-alive socket carries later requests).
// Needs the lab: scripts/test.sh starts it; without LAB_STATE the tests fail and say how to
// start it (they never skip).
//
// Not here: squid's Negotiate proxy, which only runs negotiate_kerberos_auth: it waits for the
// Kerberos issue (the proxy code path is covered in-process by test/unit/http/client.test.ts).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SpnegoError } from '../../src/errors.js';
import * as http from 'node:http';
import { createFetch, createAgent, authInfo } from '../../src/http/client/index.js';
import { repoPath } from '../helpers/paths.js';

interface Lab {
  apache: { url: string; accessLog: string };
  ntlm: { domain: string; users: { name: string; password: string }[] };
}

let lab: Lab;
let user: string;
let password: string;

before(() => {
  const state = process.env.LAB_STATE;
  if (!state) throw new Error('LAB_STATE is not set: run `npm test` (it starts the lab), or S=$(bash scripts/lab/up.sh | tail -n1) and LAB_STATE=$S');
  lab = JSON.parse(readFileSync(join(state, 'lab.json'), 'utf8')) as Lab;
  const alice = lab.ntlm.users.find((u) => u.name === 'alice');
  assert.ok(alice, 'lab.json lists the NTLM user alice');
  user = `${lab.ntlm.domain}\\${alice.name}`;
  password = alice.password;
});

/** A URL unique to this call, and the access-log lines Apache wrote for it. */
/** Apache writes its access log after the response: wait (briefly) until `n` lines have landed. */
async function logLines(t: { lines: () => string[] }, n: number): Promise<string[]> {
  for (let k = 0; k < 40 && t.lines().length < n; k++) await new Promise((res) => setTimeout(res, 50));
  return t.lines();
}

function tagged(): { url: string; lines: () => string[] } {
  const tag = randomBytes(6).toString('hex');
  return {
    url: `${lab.apache.url}?t=${tag}`,
    lines: () => readFileSync(lab.apache.accessLog, 'utf8').split('\n').filter((l) => l.includes(`t=${tag}`)),
  };
}

test('Apache mod_auth_gssapi: Negotiate (NTLM inside SPNEGO), 200, REMOTE_USER, final token verified; the socket is reused', async () => {
  const f = createFetch({ credential: { username: user, password }, requireMutualAuth: true });
  try {
    const t = tagged();
    const res = await f(t.url);
    assert.equal(res.status, 200);
    const page = await res.text();
    assert.match(page, new RegExp(`^REMOTE_USER=${lab.ntlm.domain}\\\\alice$`, 'm'));
    assert.match(page, /^GSS_MECH=Negotiate\/NTLM$/m);
    const info = authInfo(res)!;
    assert.equal(info.origin!.scheme, 'Negotiate');
    assert.equal(info.origin!.mech, 'ntlm');
    assert.equal(info.origin!.legs, 2);
    assert.equal(info.origin!.mutual, true, "mod_auth_gssapi's accept-completed + mechListMIC verified");
    assert.equal(info.origin!.complete, true);
    // GssapiConnectionBound: the next request on the pooled socket needs no new handshake.
    const t2 = tagged();
    const again = await f(t2.url);
    assert.equal(again.status, 200);
    assert.match(await again.text(), /^REMOTE_USER=.*alice$/m);
    assert.equal(authInfo(again)!.reusedConnection, true);
    assert.equal(authInfo(again)!.origin, undefined);
    assert.equal((await logLines(t2, 1)).length, 1, 'one request, no 401');
  } finally {
    f.close();
  }
});

test('Apache: the raw NTLM scheme (mech ntlm) authenticates too', async () => {
  const f = createFetch({ credential: { username: user, password }, mech: 'ntlm' });
  try {
    const res = await f(lab.apache.url);
    assert.equal(res.status, 200);
    const page = await res.text();
    assert.match(page, /^REMOTE_USER=.*alice$/m);
    assert.match(page, /^AUTH_TYPE=NTLM$/m);
    assert.equal(authInfo(res)!.origin!.scheme, 'NTLM');
  } finally {
    f.close();
  }
});

test('Apache: a wrong password is a typed error after one handshake, no loop', async () => {
  for (const mech of ['negotiate', 'ntlm'] as const) {
    const f = createFetch({ credential: { username: user, password: 'not-the-password' }, mech });
    try {
      const t = tagged();
      await assert.rejects(f(t.url), (e: unknown) => e instanceof SpnegoError && e.code === 'UNAUTHORIZED');
      const lines = await logLines(t, 3);
      assert.equal(lines.length, 3, `anonymous, NEGOTIATE, AUTHENTICATE (${mech}):\n${lines.join('\n')}`);
      assert.ok(lines.every((l) => / 401 /.test(l)));
    } finally {
      f.close();
    }
  }
});

test('Apache: 10 concurrent handshakes, each on its own socket, all 200', async () => {
  const f = createFetch({ credential: { username: user, password } });
  try {
    const pages = await Promise.all(Array.from({ length: 10 }, () => f(lab.apache.url).then(async (r) => [r.status, await r.text(), authInfo(r)!.origin?.mutual] as const)));
    for (const [status, page, mutual] of pages) {
      assert.equal(status, 200);
      assert.match(page, /^REMOTE_USER=.*alice$/m);
      assert.equal(mutual, true);
    }
  } finally {
    f.close();
  }
});

test('Apache: HEAD authenticates (its 401s to HEAD carry no Content-Length: the legs go as GET)', async () => {
  const f = createFetch({ credential: { username: user, password } });
  try {
    const t = tagged();
    const res = await f(t.url, { method: 'HEAD' });
    assert.equal(res.status, 200);
    assert.equal(res.body, null);
    assert.equal(res.headers.get('x-remote-user'), user);
    assert.equal(authInfo(res)!.origin!.mutual, true);
    assert.deepEqual((await logLines(t, 3)).map((l) => /"(\w+) /.exec(l)![1]), ['HEAD', 'GET', 'GET']);
  } finally {
    f.close();
  }
});

test('Apache: createAgent with plain http.get: the probe authenticates the socket, the request rides on it', async () => {
  const agent = createAgent({ credential: { username: user, password } });
  try {
    for (let i = 0; i < 2; i++) {
      const t = tagged();
      const r = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        http
          .get(t.url, { agent }, (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (c: string) => (body += c));
            res.on('end', () => resolve({ status: res.statusCode!, body }));
          })
          .on('error', reject);
      });
      assert.equal(r.status, 200);
      assert.match(r.body, /^REMOTE_USER=.*alice$/m);
      // First: probe (anonymous, NEGOTIATE, AUTHENTICATE) + the request; then the request alone.
      const want = i === 0 ? 4 : 1;
      assert.equal((await logLines(t, want)).length, want, t.lines().join('\n'));
    }
  } finally {
    agent.destroy();
  }
});

function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env['SPNEGO_PASSWORD'];
    execFile(process.execPath, [repoPath('dist/src/cli/main.js'), ...args], { env, timeout: 30_000 }, (e, out, err) => {
      resolve({ code: e ? ((e as { code?: number }).code ?? -1) : 0, out: String(out), err: String(err) });
    });
  });
}

test("spnego fetch -u 'SPNEGO\\alice' --password ... URL: exit 0 and the page; wrong password: one line, exit 1", async () => {
  const ok = await cli(['fetch', '-u', user, '--password', password, '--mutual', lab.apache.url]);
  assert.equal(ok.code, 0, ok.err);
  assert.match(ok.out, /^REMOTE_USER=.*alice$/m);
  assert.equal(ok.err, '');
  const v = await cli(['fetch', '-v', '-u', user, '--password', password, lab.apache.url]);
  assert.equal(v.code, 0, v.err);
  assert.match(v.err, /CHALLENGE_MESSAGE/);
  assert.match(v.err, /final token verified/);
  const bad = await cli(['fetch', '-u', user, '--password', 'nope', lab.apache.url]);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /^spnego: UNAUTHORIZED: [^\n]+\n$/);
});
