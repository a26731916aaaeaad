// SPNEGO with our real NTLM mechanism, in process: the token traces of MS-SPNG's NTLM rules,
// per-message security after the mechListMIC (RC4 reset), and downgrade detection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SpnegoInitiator } from '../../../src/spnego/initiator.js';
import { SpnegoAcceptor } from '../../../src/spnego/acceptor.js';
import { ntlmAcceptorMech, ntlmContextOf, ntlmInitiatorMech } from '../../../src/spnego/ntlm.js';
import { decodeSpnegoToken, encodeSpnegoToken } from '../../../src/codec/spnego/spnego-token.js';
import { MemoryNtHashStore } from '../../../src/mech/ntlm/store.js';
import { NtlmAcceptor } from '../../../src/mech/ntlm/acceptor.js';
import { OID } from '../../../src/iana/oids.js';
import { fakeMech } from '../../helpers/fake-mech.js';

const PASSWORD = 'Alice-Pass1';
const store = new MemoryNtHashStore({ 'EXAMPLE\\alice': PASSWORD });
const acceptorNtlm = () => ntlmAcceptorMech({ store, netbiosDomain: 'EXAMPLE', netbiosComputer: 'WEB', dnsDomain: 'example.test', dnsComputer: 'web.example.test' });
const initiatorNtlm = (password = PASSWORD) => ntlmInitiatorMech({ credential: { username: 'EXAMPLE\\alice', password }, target: 'HTTP/web.example.test' });

function describe(b: Uint8Array): string {
  const t = decodeSpnegoToken(b).token;
  const v = t.value as Record<string, unknown>;
  const tok = (v.mechToken ?? v.responseToken) as Uint8Array | undefined;
  const ntlm = tok && tok.length > 8 && Buffer.from(tok.subarray(0, 8)).toString('latin1') === 'NTLMSSP\0' ? ['', 'NEGOTIATE', 'CHALLENGE', 'AUTHENTICATE'][tok[8]!] : tok ? 'other' : undefined;
  return [t.type, v.negState, v.supportedMech ? `mech=${String(v.supportedMech)}` : undefined, ntlm, v.mechListMIC ? 'MIC' : undefined].filter(Boolean).join(' ');
}

async function handshake(i: SpnegoInitiator, a: SpnegoAcceptor): Promise<string[]> {
  const trace: string[] = [];
  let tok = await i.step();
  for (let leg = 0; tok && leg < 8; leg++) {
    trace.push(`${leg % 2 ? 'A' : 'I'}: ${describe(tok)}`);
    tok = leg % 2 === 0 ? await a.step(tok) : await i.step(tok);
  }
  return trace;
}

test('NTLM as the only mech: NTLM MIC in AUTHENTICATE makes the mechListMIC exchange required; both sent with the last legs (MS-SPNG)', async () => {
  const i = new SpnegoInitiator({ mechs: [initiatorNtlm()] });
  const a = new SpnegoAcceptor({ mechs: [acceptorNtlm()] });
  assert.deepEqual(await handshake(i, a), [
    'negTokenInit NEGOTIATE'.replace(/^/, 'I: '),
    `A: negTokenResp accept-incomplete mech=${OID.NTLMSSP} CHALLENGE`,
    'I: negTokenResp accept-incomplete AUTHENTICATE MIC',
    'A: negTokenResp accept-completed MIC',
  ]);
  assert.ok(i.complete && a.complete);
  assert.deepEqual(i.mic, { required: true, sent: true, received: true });
  assert.deepEqual((ntlmContextOf(a.mechContext) as NtlmAcceptor).peerName, { user: 'alice', domain: 'EXAMPLE' });
});

test('after the mechListMIC, wrap/unwrap and getMic/verifyMic work both ways (RC4 state reset, MS-SPNG 3.3.5.1)', async () => {
  const i = new SpnegoInitiator({ mechs: [initiatorNtlm()] });
  const a = new SpnegoAcceptor({ mechs: [acceptorNtlm()] });
  await handshake(i, a);
  const msg = new TextEncoder().encode('first application message');
  for (let k = 0; k < 3; k++) {
    assert.deepEqual(a.unwrap(i.wrap(msg, { encrypt: true })), msg);
    assert.deepEqual(i.unwrap(a.wrap(msg, { encrypt: true })), msg);
    a.verifyMic(msg, i.getMic(msg));
    i.verifyMic(msg, a.getMic(msg));
  }
});

test('Kerberos-first list, NTLM-only acceptor: request-mic, NTLM restarted, MIC both ways', async () => {
  const i = new SpnegoInitiator({ mechs: [fakeMech({ oid: OID.KRB5, mutual: true }, 'initiator'), initiatorNtlm()] });
  const a = new SpnegoAcceptor({ mechs: [acceptorNtlm()] });
  assert.deepEqual(await handshake(i, a), [
    'I: negTokenInit other',
    `A: negTokenResp request-mic mech=${OID.NTLMSSP}`,
    'I: negTokenResp accept-incomplete NEGOTIATE',
    'A: negTokenResp accept-incomplete CHALLENGE',
    'I: negTokenResp accept-incomplete AUTHENTICATE MIC',
    'A: negTokenResp accept-completed MIC',
  ]);
  assert.ok(i.complete && a.complete);
  assert.equal(i.mech, OID.NTLMSSP);
});

test('wrong password: the acceptor refuses with the NTLM error, and the context refuses further use', async () => {
  const i = new SpnegoInitiator({ mechs: [initiatorNtlm('wrong')] });
  const a = new SpnegoAcceptor({ mechs: [acceptorNtlm()] });
  const t1 = await a.step(await i.step());
  const t2 = await i.step(t1);
  const e = await a.step(t2).then(() => undefined, (x: unknown) => x as { code: string; message: string });
  assert.ok(e && e.code !== 'NO_CONTEXT', 'a typed NTLM error');
  assert.ok(!e!.message.includes(PASSWORD));
  await assert.rejects(() => a.step(t2), { code: 'NO_CONTEXT' });
});

test('man in the middle drops Kerberos from the list: NTLM still runs, and the acceptor catches it with BAD_MIC', async () => {
  const i = new SpnegoInitiator({ mechs: [fakeMech({ oid: OID.KRB5, mutual: true }, 'initiator'), initiatorNtlm()] });
  const a = new SpnegoAcceptor({ mechs: [fakeMech({ oid: OID.KRB5, mutual: true }, 'acceptor'), acceptorNtlm()] });
  await i.step();
  // The forged init offers only NTLM and no optimistic token; the reply looks like the
  // tolerated Server 2003 counter-proposal to the initiator.
  const forged = encodeSpnegoToken({ framed: true, token: { type: 'negTokenInit', value: { mechTypes: [OID.NTLMSSP] } } });
  const r1 = await a.step(forged);
  assert.equal(describe(r1!), `negTokenResp accept-incomplete mech=${OID.NTLMSSP}`);
  const t2 = await i.step(r1); // NEGOTIATE
  const r2 = await a.step(t2); // CHALLENGE (with timestamp: the initiator will put its NTLM MIC)
  const t3 = await i.step(r2); // AUTHENTICATE + mechListMIC over the true list
  await assert.rejects(() => a.step(t3), { code: 'BAD_MIC' });
});

test('raw NTLMSSP without SPNEGO (browsers, old curl): the acceptor answers raw NTLM', async () => {
  const { NtlmInitiator } = await import('../../../src/mech/ntlm/initiator.js');
  const raw = new NtlmInitiator({ credential: { username: 'EXAMPLE\\alice', password: PASSWORD } });
  const a = new SpnegoAcceptor({ mechs: [acceptorNtlm()] });
  const challenge = await a.step(await raw.step());
  assert.equal(Buffer.from(challenge!.subarray(0, 8)).toString('latin1'), 'NTLMSSP\0');
  assert.equal(await a.step(await raw.step(challenge)), undefined);
  assert.ok(a.complete && a.rawMech);
});

test('a failure after negotiation started carries a reject token for the initiator, as MIT, Windows and Samba send', async () => {
  const i = new SpnegoInitiator({ mechs: [initiatorNtlm('wrong')] });
  const a = new SpnegoAcceptor({ mechs: [acceptorNtlm()] });
  const t2 = await i.step(await a.step(await i.step()));
  const e = await a.step(t2).then(() => undefined, (x: unknown) => x as { code: string; outputToken?: Uint8Array });
  assert.equal(describe(e!.outputToken!), 'negTokenResp reject');
  // After the mechanism was agreed, a reject means our credentials were refused (not "no mech").
  await assert.rejects(() => i.step(e!.outputToken!), { code: 'UNAUTHORIZED' });
});
