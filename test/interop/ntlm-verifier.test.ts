// Interop: our NTLM acceptor verifying a domain user it has no hash for, through Samba's
// `ntlm_auth --helper-protocol=ntlm-server-1` against the lab's AD DC (issue 3: pluggable verifier).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NtlmInitiator } from '../../src/mech/ntlm/initiator.js';
import { NtlmAcceptor } from '../../src/mech/ntlm/acceptor.js';
import { NtlmAuthVerifier } from '../../src/mech/ntlm/verifier.js';
import { readLab } from '../helpers/peer.js';
import { startServe } from '../../src/cli/serve.js';
import { NtlmAuthVerifier as PublicVerifier } from '../../src/index.js';
import { execFile } from 'node:child_process';

async function logon(password: string) {
  const lab = readLab();
  const alice = lab.samba.users.find((u) => u.name === 'alice')!;
  const verifier = new NtlmAuthVerifier({ command: lab.samba.ntlmAuth ?? 'ntlm_auth', args: [`--configfile=${lab.samba.smbConf}`] });
  const acc = new NtlmAcceptor({ verifier, netbiosDomain: lab.samba.domain, netbiosComputer: 'WEB' });
  const ini = new NtlmInitiator({ credential: { username: `${lab.samba.domain}\\alice`, password: password === 'right' ? alice.password : 'Wrong-Pass1' } });
  const challenge = await acc.step(await ini.step());
  const auth = await ini.step(challenge);
  await acc.step(auth);
  return { acc, ini };
}

test('a SAMBA domain user is verified through ntlm_auth ntlm-server-1 (winbind to the AD DC), MIC and session key included', async () => {
  const { acc, ini } = await logon('right');
  assert.ok(acc.complete);
  assert.deepEqual(acc.peerName, { user: 'alice', domain: readLab().samba.domain });
  // The session key came from the DC: per-message security works both ways.
  const m = new TextEncoder().encode('signed by a key the DC derived');
  acc.verifyMic(m, ini.getMic(m));
  assert.deepEqual(ini.unwrap(acc.wrap(m)).message, m);
});

test('a wrong password is refused by the DC: UNAUTHORIZED, and no secret in the message', async () => {
  await assert.rejects(() => logon('wrong'), (e: { code: string; message: string }) => e.code === 'UNAUTHORIZED' && !e.message.includes('Wrong-Pass1'));
});

test('spnego serve --ntlm-auth (the public NtlmAuthVerifier) with a real NTLM client that names its workstation: curl --ntlm is logged on by the AD DC; a wrong password is 401 (ntlm_auth 4.17 refused our Workstation line before, failing every such client)', async () => {
  const lab = readLab();
  const alice = lab.samba.users.find((u) => u.name === 'alice')!;
  const lines: string[] = [];
  const running = await startServe({
    host: '127.0.0.1',
    port: 0,
    ntlmScheme: true,
    credential: { ntlmVerifier: new PublicVerifier({ command: lab.samba.ntlmAuth ?? 'ntlm_auth', args: [`--configfile=${lab.samba.smbConf}`] }) },
    ntlm: { netbiosDomain: lab.samba.domain },
    log: (l) => lines.push(l),
  });
  try {
    const url = `http://127.0.0.1:${(running.server.address() as { port: number }).port}/`;
    // Asynchronously: the server runs in this process.
    const curl = (user: string) =>
      new Promise<{ stdout: string }>((resolve) => execFile('curl', ['-s', '--ntlm', '-u', user, '-w', '\n%{http_code}', url], { encoding: 'utf8', timeout: 30_000 }, (_e, stdout) => resolve({ stdout })));
    const ok = await curl(`${lab.samba.domain}\\alice:${alice.password}`);
    const out = ok.stdout.trim().split('\n');
    const [body, status] = [out[0], out[out.length - 1]];
    assert.equal(status, '200', `${ok.stdout}\n${lines.join('\n')}`);
    assert.equal((JSON.parse(body!) as { principal: string }).principal, `${lab.samba.domain}\\alice`);
    const bad = await curl(`${lab.samba.domain}\\alice:Wrong-Pass1`);
    assert.match(bad.stdout, /\n401$/);
    assert.ok(!lines.join('\n').includes('Wrong-Pass1'));
  } finally {
    await running.close();
  }
});
