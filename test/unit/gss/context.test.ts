import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initiator, acceptor, type SecurityContext } from '../../../src/index.js';

async function run(c: SecurityContext, s: SecurityContext): Promise<number> {
  let t = await c.step();
  let legs = 0;
  while (t) {
    legs++;
    t = await s.step(t);
    if (!t) break;
    legs++;
    t = c.complete ? await c.step(t) : await c.step(t);
  }
  return legs;
}

test('initiator/acceptor with mech negotiate (NTLM inside SPNEGO): established both ways, peer name, wrap', async () => {
  const c = initiator({ mech: 'negotiate', target: 'HTTP@web.example.test', credential: { username: 'EXAMPLE\\alice', password: 'pw1' } });
  const s = acceptor({ credential: { ntlmUsers: { 'EXAMPLE\\alice': 'pw1' } }, ntlm: { netbiosDomain: 'EXAMPLE' } });
  assert.equal(await run(c, s), 4);
  assert.ok(c.complete && s.complete);
  assert.equal(c.mech, 'ntlm');
  assert.deepEqual(s.peerName, { user: 'alice', domain: 'EXAMPLE', principal: 'EXAMPLE\\alice' });
  const m = new TextEncoder().encode('hello');
  assert.deepEqual(s.unwrap(c.wrap(m, { encrypt: true })), m);
});

test('mech ntlm: raw NTLMSSP, users from a gss-ntlmssp user file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'spnego-users-'));
  const file = join(dir, 'users');
  writeFileSync(file, 'EXAMPLE:alice:pw2\n');
  const c = initiator({ mech: 'ntlm', credential: { username: 'alice@EXAMPLE', password: 'pw2' } });
  const s = acceptor({ mech: 'ntlm', credential: { ntlmUsers: file } });
  assert.equal(await run(c, s), 3); // NEGOTIATE, CHALLENGE, AUTHENTICATE
  assert.ok(s.complete);
  // user@domain travels as the UPN in UserName with an empty DomainName, as Windows sends it (MS-NLMP 2.2.1.3).
  assert.deepEqual(s.peerName, { user: 'alice@EXAMPLE', domain: '', principal: 'alice@EXAMPLE' });
});

test('missing credentials are typed errors, not crashes: Kerberos without a realm or KDC, NTLM without a password', async () => {
  const k = initiator({ mech: 'kerberos', target: 'HTTP@web.example.test', credential: { username: 'a@NO.SUCH.REALM', password: 'b' }, krb5Client: undefined });
  await assert.rejects(() => k.step(), (e: unknown) => e instanceof Error && e.name === 'SpnegoError');
  assert.throws(() => initiator({ credential: { username: 'a', ccache: '/nonexistent/cache' } }), { code: 'NO_CRED' });
  assert.throws(() => initiator({ mech: 'ntlm', credential: { username: 'a' } }), { code: 'NO_CRED' });
});
