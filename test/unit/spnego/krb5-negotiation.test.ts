// SPNEGO with our Kerberos mech (and NTLM beside it), in process: the Kerberos rules of
// SPNEGO-RULES 6 with token traces. Tickets are issued by test/helpers/krb5-ticket.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SpnegoInitiator } from '../../../src/spnego/initiator.js';
import { SpnegoAcceptor } from '../../../src/spnego/acceptor.js';
import { krb5AcceptorMech, krb5InitiatorMech } from '../../../src/spnego/krb5.js';
import { ntlmAcceptorMech, ntlmInitiatorMech } from '../../../src/spnego/ntlm.js';
import { decodeSpnegoToken } from '../../../src/codec/spnego/spnego-token.js';
import { MemoryNtHashStore } from '../../../src/mech/ntlm/store.js';
import { MemoryReplayCache } from '../../../src/mech/krb5/replay-cache.js';
import { SpnegoError } from '../../../src/errors.js';
import { OID } from '../../../src/iana/oids.js';
import { issueTicket } from '../../helpers/krb5-ticket.js';

const store = new MemoryNtHashStore({ 'EXAMPLE\\alice': 'pw' });
const ntlmA = () => ntlmAcceptorMech({ store, netbiosDomain: 'EXAMPLE', netbiosComputer: 'WEB' });
const ntlmI = () => ntlmInitiatorMech({ credential: { username: 'EXAMPLE\\alice', password: 'pw' } });

function describe(b: Uint8Array): string {
  const t = decodeSpnegoToken(b).token;
  const v = t.value as Record<string, unknown>;
  const tok = (v.mechToken ?? v.responseToken) as Uint8Array | undefined;
  const kind = !tok ? undefined : tok[0] === 0x60 ? ['', 'AP-REQ', 'AP-REP', 'KRB-ERROR'][tok[tok.length > 20 ? 2 + 2 + 11 : 0] ?? 0] ?? 'krb5' : 'NTLM';
  return [t.type, v.negState, v.supportedMech ? `mech=${String(v.supportedMech)}` : undefined, tok ? (tok[0] === 0x60 ? 'krb5' : kind) : undefined, v.mechListMIC ? 'MIC' : undefined].filter(Boolean).join(' ');
}

async function run(i: SpnegoInitiator, a: SpnegoAcceptor): Promise<string[]> {
  const trace: string[] = [];
  let tok = await i.step();
  for (let leg = 0; tok && leg < 8; leg++) {
    trace.push(`${leg % 2 ? 'A' : 'I'}: ${describe(tok)}`);
    tok = leg % 2 === 0 ? await a.step(tok) : await i.step(tok);
  }
  return trace;
}

test('Kerberos first and accepted: AP-REQ optimistic, AP-REP in accept-completed, no MIC (even tokens, RFC 4178 5 c)', async () => {
  const { cred, keys } = issueTicket(18);
  const i = new SpnegoInitiator({ mechs: [krb5InitiatorMech({ credential: cred }), ntlmI()] });
  const a = new SpnegoAcceptor({ mechs: [krb5AcceptorMech({ keys, replayCache: new MemoryReplayCache() }), ntlmA()] });
  assert.deepEqual(await run(i, a), [`I: negTokenInit krb5`, `A: negTokenResp accept-completed mech=${OID.KRB5} krb5`]);
  assert.ok(i.complete && a.complete);
  const m = new TextEncoder().encode('hi');
  assert.deepEqual(a.unwrap(i.wrap(m, { encrypt: true })), m);
  assert.deepEqual(i.unwrap(a.wrap(m, { encrypt: true })), m);
});

test('the MS Kerberos OID listed by the initiator is answered as listed (MIT negotiate_mech, Samba)', async () => {
  const { cred, keys } = issueTicket(17);
  const i = new SpnegoInitiator({ mechs: [{ ...krb5InitiatorMech({ credential: cred }), oid: OID.MS_KRB5 }] });
  const a = new SpnegoAcceptor({ mechs: [krb5AcceptorMech({ keys, replayCache: new MemoryReplayCache() })] });
  const trace = await run(i, a);
  assert.equal(trace[1], `A: negTokenResp accept-completed mech=${OID.MS_KRB5} krb5`);
  assert.ok(i.complete);
});

test('NTLM-first list, Kerberos-only acceptor: request-mic, Kerberos restarted, AP-REP with the acceptor MIC, then the initiator MIC', async () => {
  const { cred, keys } = issueTicket(20);
  const i = new SpnegoInitiator({ mechs: [ntlmI(), krb5InitiatorMech({ credential: cred })] });
  const a = new SpnegoAcceptor({ mechs: [krb5AcceptorMech({ keys, replayCache: new MemoryReplayCache() })] });
  assert.deepEqual(await run(i, a), [
    'I: negTokenInit NTLM',
    `A: negTokenResp request-mic mech=${OID.KRB5}`,
    'I: negTokenResp accept-incomplete krb5',
    'A: negTokenResp accept-incomplete krb5 MIC',
    'I: negTokenResp accept-completed MIC',
    'A: negTokenResp accept-completed',
  ]);
  assert.ok(i.complete && a.complete);
});

test('no Kerberos ticket: the Kerberos mech drops out of the list and NTLM is negotiated (fallback)', async () => {
  const noTicket = krb5InitiatorMech({ credential: async () => { throw new SpnegoError('NO_CRED', 'no ticket'); } });
  const i = new SpnegoInitiator({ mechs: [noTicket, ntlmI()] });
  const a = new SpnegoAcceptor({ mechs: [ntlmA()] });
  const trace = await run(i, a);
  assert.equal(trace[0], 'I: negTokenInit NTLM');
  assert.equal(i.mech, OID.NTLMSSP);
  assert.ok(i.complete && a.complete);
});

test('a skewed client gets the acceptor KRB-ERROR inside a SPNEGO reject, typed CLOCK_SKEW', async () => {
  const { cred, keys } = issueTicket(18);
  const i = new SpnegoInitiator({ mechs: [krb5InitiatorMech({ credential: cred, now: () => new Date(Date.now() - 7200_000) })] });
  const a = new SpnegoAcceptor({ mechs: [krb5AcceptorMech({ keys, replayCache: new MemoryReplayCache() })] });
  const e = await a.step(await i.step()).then(() => undefined, (x: unknown) => x as SpnegoError);
  assert.equal(e?.code, 'CLOCK_SKEW');
  assert.ok(e?.outputToken);
  assert.equal(describe(e!.outputToken!), 'negTokenResp reject krb5');
  await assert.rejects(() => i.step(e!.outputToken!), { code: 'CLOCK_SKEW' });
});
