// Delegated verification: the acceptor with an NtlmVerifier (in process), and NtlmAuthVerifier
// against a stand-in for `ntlm_auth --helper-protocol=ntlm-server-1` and, when installed, the real
// ntlm_auth (without winbind it cannot log anyone on, but its reply shows it parsed our request).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { SpnegoError, type ErrorCode } from '../../../../src/errors.js';
import { hmacMd5 } from '../../../../src/crypto/provider.js';
import { NTOWFv2, ntProofStr } from '../../../../src/crypto/ntlm.js';
import { NtlmAcceptor } from '../../../../src/mech/ntlm/acceptor.js';
import { NtlmInitiator } from '../../../../src/mech/ntlm/initiator.js';
import { NtlmAuthVerifier, parseHelperReply, type NtlmVerifier, type NtlmVerifyRequest } from '../../../../src/mech/ntlm/verifier.js';
import { MemoryNtHashStore } from '../../../../src/mech/ntlm/store.js';

const PASSWORD = 'Verifier-pw-1';

/** What a DC does: NTProofStr check, SessionBaseKey out. */
function dcVerify(req: NtlmVerifyRequest, password = PASSWORD): Uint8Array | undefined {
  const key = NTOWFv2(password, req.user, req.domain);
  const proof = ntProofStr(key, req.serverChallenge, req.ntChallengeResponse.subarray(16));
  if (Buffer.compare(Buffer.from(proof), Buffer.from(req.ntChallengeResponse.subarray(0, 16))) !== 0) return undefined;
  return hmacMd5(key, proof);
}

async function run(verifier: NtlmVerifier, username = 'EXAMPLE\\alice', password = PASSWORD) {
  const i = new NtlmInitiator({ credential: { username, password } });
  const a = new NtlmAcceptor({ verifier, netbiosDomain: 'EXAMPLE', netbiosComputer: 'WEB' });
  await a.step((await i.step(await a.step((await i.step())!)))!);
  return { i, a };
}

async function rejects(p: Promise<unknown>, code: ErrorCode): Promise<SpnegoError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof SpnegoError, `untyped: ${String(e)}`);
    assert.equal(e.code, code, e.message);
    assert.ok(!e.message.includes(PASSWORD));
    return e;
  }
  assert.fail(`expected ${code}`);
}

test('acceptor with an in-process verifier: completes, refusals pass through, foreign errors are FAILURE', async () => {
  const good: NtlmVerifier = { verify: async (r) => dcVerify(r) ?? Promise.reject(new SpnegoError('UNAUTHORIZED', 'refused')) };
  const { i, a } = await run(good);
  assert.equal(a.complete, true);
  assert.equal(a.micPresent, true, 'the MIC was checked with the verifier\'s key');
  assert.deepEqual(a.peerName, { user: 'alice', domain: 'EXAMPLE' });
  assert.deepEqual(a.unwrap(i.wrap(new Uint8Array([1, 2, 3]))).message, new Uint8Array([1, 2, 3]));
  await rejects(run(good, 'EXAMPLE\\alice', 'wrong'), 'UNAUTHORIZED');
  await rejects(run({ verify: () => Promise.reject(new Error('socket closed')) }), 'FAILURE');
  await rejects(run({ verify: async () => new Uint8Array(3) }), 'FAILURE');
  // A verifier that returns the wrong key: the MIC does not verify.
  await rejects(run({ verify: async () => new Uint8Array(16) }), 'BAD_MIC');
  assert.throws(() => new NtlmAcceptor({ netbiosDomain: 'D', netbiosComputer: 'C' }), SpnegoError);
  assert.throws(() => new NtlmAcceptor({ verifier: good, store: new MemoryNtHashStore({}), netbiosDomain: 'D', netbiosComputer: 'C' }), SpnegoError);
});

test('parseHelperReply: plain and base64 values, stops at the first "."', () => {
  const m = parseHelperReply(`Authenticated: Yes\nUser-Session-Key: 00ff\nName:: ${Buffer.from('äli').toString('base64')}\n.\nAuthenticated: No\n`);
  assert.equal(m.get('Authenticated'), 'Yes');
  assert.equal(m.get('User-Session-Key'), '00ff');
  assert.equal(m.get('Name'), 'äli');
});

// A stand-in ntlm_auth: ntlm-server-1 protocol, one request, password PASSWORD for every user.
const distCrypto = new URL('../../../../src/crypto/ntlm.js', import.meta.url).href;
const distProvider = new URL('../../../../src/crypto/provider.js', import.meta.url).href;
const HELPER = `#!/usr/bin/env node
import { NTOWFv2, ntProofStr } from '${distCrypto}';
import { hmacMd5 } from '${distProvider}';
import { appendFileSync } from 'node:fs';
let buf = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => {
  buf += d;
  if (!/(^|\\n)\\.\\n/.test(buf)) return;
  appendFileSync(process.env.HELPER_LOG, buf);
  const f = new Map();
  for (const line of buf.split('\\n')) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    if (line[i + 1] === ':') f.set(line.slice(0, i), Buffer.from(line.slice(i + 2).trim(), 'base64').toString('utf8'));
    else f.set(line.slice(0, i), line.slice(i + 1).trim());
  }
  if (process.env.HELPER_MODE === 'silent') process.exit(0);
  const key = NTOWFv2(${JSON.stringify(PASSWORD)}, f.get('Username'), f.get('NT-Domain'));
  const nt = Buffer.from(f.get('NT-Response'), 'hex');
  const proof = ntProofStr(key, Buffer.from(f.get('LANMAN-Challenge'), 'hex'), nt.subarray(16));
  if (Buffer.compare(Buffer.from(proof), nt.subarray(0, 16)) === 0) {
    const sk = f.get('Request-User-Session-Key') === 'Yes' ? 'User-Session-Key: ' + Buffer.from(hmacMd5(key, proof)).toString('hex') + '\\n' : '';
    process.stdout.write('Authenticated: Yes\\n' + sk + '.\\n');
  } else process.stdout.write('Authenticated: No\\nAuthentication-Error: NT_STATUS_WRONG_PASSWORD\\n.\\n');
});
`;

test('NtlmAuthVerifier against a stand-in ntlm-server-1 helper', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ntlm-helper-'));
  const saved = { log: process.env['HELPER_LOG'], mode: process.env['HELPER_MODE'] };
  try {
    const helper = join(dir, 'ntlm_auth.mjs');
    writeFileSync(helper, HELPER);
    chmodSync(helper, 0o755);
    process.env['HELPER_LOG'] = join(dir, 'log');
    delete process.env['HELPER_MODE'];
    const v = new NtlmAuthVerifier({ command: helper });
    const ok = await run(v);
    assert.equal(ok.a.complete, true);
    // Non-ASCII names travel base64-encoded ("Key:: ..."); the helper decodes and verifies them.
    const { a } = await run(v, 'EXAMPLE\\älice');
    assert.deepEqual(a.peerName, { user: 'älice', domain: 'EXAMPLE' });
    const log = readFileSync(join(dir, 'log'), 'utf8');
    assert.match(log, /^Username: alice$/m);
    assert.match(log, new RegExp(`^Username:: ${Buffer.from('älice').toString('base64')}$`, 'm'));
    assert.match(log, /^Request-User-Session-Key: Yes$/m);
    const e = await rejects(run(v, 'EXAMPLE\\alice', 'wrong'), 'UNAUTHORIZED');
    assert.match(e.message, /NT_STATUS_WRONG_PASSWORD/);
    process.env['HELPER_MODE'] = 'silent';
    await rejects(run(v), 'UNAVAILABLE');
    await rejects(run(new NtlmAuthVerifier({ command: join(dir, 'missing') })), 'UNAVAILABLE');
  } finally {
    for (const [k, val] of [['HELPER_LOG', saved.log], ['HELPER_MODE', saved.mode]] as const) {
      if (val === undefined) delete process.env[k];
      else process.env[k] = val;
    }
    rmSync(dir, { recursive: true, force: true });
  }
});

function hasNtlmAuth(): boolean {
  try {
    execFileSync('ntlm_auth', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

test('the real ntlm_auth parses our requests (it answers about the logon, not with "Error:")', { skip: hasNtlmAuth() ? false : 'ntlm_auth is not installed' }, async () => {
  // Without winbind it reports that it could not reach it (UNAVAILABLE); with one, the logon of an
  // unknown user fails (UNAUTHORIZED). A malformed request would be FAILURE.
  try {
    await run(new NtlmAuthVerifier());
  } catch (e) {
    assert.ok(e instanceof SpnegoError, `untyped: ${String(e)}`);
    assert.ok(e.code === 'UNAVAILABLE' || e.code === 'UNAUTHORIZED', `${e.code}: ${e.message}`);
    return;
  }
  assert.fail('ntlm_auth logged on a user it cannot know');
});
