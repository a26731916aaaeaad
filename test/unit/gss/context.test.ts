import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initiator, acceptor, SpnegoError, type SecurityContext } from '../../../src/index.js';
import { Krb5Client } from '../../../src/mech/krb5/client.js';
import { parseKrb5Config } from '../../../src/mech/krb5/config/index.js';

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

async function pair(): Promise<{ c: SecurityContext; s: SecurityContext }> {
  const c = initiator({ mech: 'negotiate', target: 'HTTP@web.example.test', credential: { username: 'EXAMPLE\\alice', password: 'pw1' } });
  const s = acceptor({ credential: { ntlmUsers: { 'EXAMPLE\\alice': 'pw1' } }, ntlm: { netbiosDomain: 'EXAMPLE' } });
  await run(c, s);
  return { c, s };
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

test('negotiate: a Kerberos mechanism that cannot start is left out of the offer, and skippedMechs says why (so an NTLM failure after it can name the Kerberos one)', async () => {
  const krb5Client = new Krb5Client({ config: parseKrb5Config(['[libdefaults]\n  dns_lookup_kdc = false\n']) });
  const c = initiator({ mech: 'negotiate', target: 'HTTP@web.example.test', credential: { username: 'alice@EXAMPLE', password: 'pw1' }, krb5Client });
  const s = acceptor({ credential: { ntlmUsers: { 'EXAMPLE\\alice': 'pw1', alice: 'pw1' } }, ntlm: { netbiosDomain: 'EXAMPLE' } });
  await run(c, s);
  assert.equal(c.mech, 'ntlm');
  assert.equal(c.skippedMechs?.length, 1);
  assert.equal(c.skippedMechs![0]!.mech, 'kerberos');
  assert.match(c.skippedMechs![0]!.code, /^[A-Z_]+$/);
});

test('callers without TypeScript get BAD_ARGUMENT, not a TypeError or silently wrong bytes: a string message (it would be sent as zeros), a bad mech name, a non-string password; per-message calls before establishment are NO_CONTEXT', async () => {
  const code = (c: string) => (e: unknown) => e instanceof SpnegoError && e.code === c;
  const { c, s } = await pair();
  const loose = c as unknown as { wrap(m: unknown): Uint8Array; getMic(m: unknown): Uint8Array; unwrap(t: unknown): Uint8Array; step(t: unknown): Promise<unknown> };
  assert.throws(() => loose.wrap('hello'), code('BAD_ARGUMENT'));
  assert.throws(() => loose.wrap([1, 2, 300]), code('BAD_ARGUMENT'));
  assert.throws(() => loose.getMic(undefined), code('BAD_ARGUMENT'));
  assert.throws(() => (s as unknown as typeof loose).unwrap('token'), code('BAD_ARGUMENT'));
  await assert.rejects(loose.step('a token'), code('BAD_ARGUMENT'));
  assert.deepEqual(s.unwrap(c.wrap(Buffer.from('a Buffer is a Uint8Array'))), new TextEncoder().encode('a Buffer is a Uint8Array'));
  assert.throws(() => initiator({ mech: 'bogus' as 'ntlm', credential: { username: 'u', password: 'p' } }), code('BAD_ARGUMENT'));
  assert.throws(() => initiator({ mech: 'ntlm', credential: { username: 'u', password: 12345 as unknown as string } }), code('BAD_ARGUMENT'));
  assert.throws(() => acceptor({ mech: 'ntlm' } as unknown as Parameters<typeof acceptor>[0]), code('BAD_ARGUMENT'));
  const krb = initiator({ mech: 'kerberos', target: 'HTTP@localhost', credential: { ccache: '/nonexistent/cc' } });
  for (const f of [() => krb.wrap(new Uint8Array(1)), () => krb.getMic(new Uint8Array(1)), () => krb.unwrap(new Uint8Array(1))]) assert.throws(f, code('NO_CONTEXT'));
});
