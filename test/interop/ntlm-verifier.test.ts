// Interop: our NTLM acceptor verifying a domain user it has no hash for, through Samba's
// `ntlm_auth --helper-protocol=ntlm-server-1` against the lab's AD DC (issue 3: pluggable verifier).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NtlmInitiator } from '../../src/mech/ntlm/initiator.js';
import { NtlmAcceptor } from '../../src/mech/ntlm/acceptor.js';
import { NtlmAuthVerifier } from '../../src/mech/ntlm/verifier.js';
import { readLab } from '../helpers/peer.js';

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
