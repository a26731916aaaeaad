// SPNEGO negotiation rules (RFC 4178, MS-SPNG, SPNEGO-RULES.md), one named test per rule, with
// the token trace asserted. The mechanisms here are test-only (test/helpers/fake-mech.ts); the
// same rules with our NTLM are in ntlm-negotiation.test.ts, and against real peers in test/interop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SpnegoInitiator } from '../../../src/spnego/initiator.js';
import { SpnegoAcceptor } from '../../../src/spnego/acceptor.js';
import { decodeSpnegoToken, encodeSpnegoToken } from '../../../src/codec/spnego/spnego-token.js';
import { encodeMechTypeList } from '../../../src/codec/spnego/mech-type-list.js';
import { OID } from '../../../src/iana/oids.js';
import { fromBase64, fromHex } from '../../../src/bytes/encoding.js';
import { SpnegoError } from '../../../src/errors.js';
import { fakeMech, type FakeContext } from '../../helpers/fake-mech.js';
import { assertCode, onlyTypedErrors } from '../../helpers/errors.js';

const KRB = { oid: OID.KRB5, mutual: true };
const NTLM = { oid: OID.NTLMSSP };

/** One line per token: who, shape, and what it carries. */
function describe(b: Uint8Array): string {
  const t = decodeSpnegoToken(b);
  const v = t.token.value as Record<string, unknown>;
  const parts = [t.token.type + (t.framed ? '(framed)' : '')];
  if (v.negState) parts.push(String(v.negState));
  if (v.mechTypes) parts.push(`[${(v.mechTypes as string[]).join(',')}]`);
  if (v.supportedMech) parts.push(`mech=${String(v.supportedMech)}`);
  if (v.mechToken || v.responseToken) parts.push(`tok=${new TextDecoder().decode((v.mechToken ?? v.responseToken) as Uint8Array).split(':')[0]}`);
  if (v.mechListMIC) parts.push('MIC');
  return parts.join(' ');
}

async function run(i: SpnegoInitiator, a: SpnegoAcceptor, tamper?: (leg: number, b: Uint8Array) => Uint8Array): Promise<string[]> {
  const trace: string[] = [];
  let tok: Uint8Array | undefined = await i.step();
  for (let leg = 0; tok && leg < 10; leg++) {
    if (tamper) tok = tamper(leg, tok);
    trace.push(`${leg % 2 === 0 ? 'I' : 'A'}: ${describe(tok)}`);
    tok = leg % 2 === 0 ? await a.step(tok) : i.complete ? await i.step(tok) : await i.step(tok);
    if (leg % 2 === 1 && i.complete && !tok) break;
  }
  return trace;
}

test('optimistic mech selected, mutual (even tokens): no MIC is needed (RFC 4178 5 rule 2)', async () => {
  const i = new SpnegoInitiator({ mechs: [fakeMech(KRB, 'initiator'), fakeMech(NTLM, 'initiator')] });
  const a = new SpnegoAcceptor({ mechs: [fakeMech(KRB, 'acceptor'), fakeMech(NTLM, 'acceptor')] });
  const trace = await run(i, a);
  assert.deepEqual(trace, [
    `I: negTokenInit(framed) [${OID.KRB5},${OID.NTLMSSP}] tok=REQ`,
    `A: negTokenResp accept-completed mech=${OID.KRB5} tok=REP`,
  ]);
  assert.ok(i.complete && a.complete);
  assert.deepEqual(i.mic, { required: false, sent: false, received: false });
});

test('non-first choice: acceptor answers request-mic, ignores the optimistic token; MICs both ways (RFC 4178 3.2 c-II, 5 b)', async () => {
  const accCtx: FakeContext[] = [];
  const i = new SpnegoInitiator({ mechs: [fakeMech(KRB, 'initiator'), fakeMech(NTLM, 'initiator')] });
  const a = new SpnegoAcceptor({ mechs: [fakeMech(NTLM, 'acceptor', accCtx)] });
  const trace = await run(i, a);
  assert.deepEqual(trace, [
    `I: negTokenInit(framed) [${OID.KRB5},${OID.NTLMSSP}] tok=REQ`,
    `A: negTokenResp request-mic mech=${OID.NTLMSSP}`,
    'I: negTokenResp accept-incomplete tok=REQ',
    'A: negTokenResp accept-incomplete MIC',
    'I: negTokenResp accept-completed MIC',
    'A: negTokenResp accept-completed',
  ]);
  assert.ok(i.complete && a.complete);
  assert.equal(i.mech, OID.NTLMSSP);
  assert.deepEqual(a.mic, { required: true, sent: true, received: true });
  assert.equal(accCtx.length, 1, 'the optimistic token reached no acceptor mech');
  assert.deepEqual(accCtx[0]!.resets, ['outgoing', 'incoming'], 'mech state reset around each mechListMIC (MS-SPNG 3.3.5.1)');
});

test('non-first choice, mutual mech: the acceptor MIC rides with the final mech token (RFC 4178 5 c)', async () => {
  const i = new SpnegoInitiator({ mechs: [fakeMech(NTLM, 'initiator'), fakeMech(KRB, 'initiator')] });
  const a = new SpnegoAcceptor({ mechs: [fakeMech(KRB, 'acceptor')] });
  const trace = await run(i, a);
  assert.deepEqual(trace.slice(2), [
    'I: negTokenResp accept-incomplete tok=REQ',
    'A: negTokenResp accept-incomplete tok=REP MIC',
    'I: negTokenResp accept-completed MIC',
    'A: negTokenResp accept-completed',
  ]);
  assert.ok(i.complete && a.complete);
});

test('the MIC covers the exact MechTypeList bytes the initiator sent (RFC 4178 5 a)', async () => {
  const i = new SpnegoInitiator({ mechs: [fakeMech(KRB, 'initiator'), fakeMech(NTLM, 'initiator')] });
  await i.step();
  assert.deepEqual(i.mechListBytes, encodeMechTypeList([OID.KRB5, OID.NTLMSSP]));
  assert.equal(i.mechListBytes[0], 0x30, 'the SEQUENCE, not the [0] wrapper');
});

test('man in the middle drops the first mech: the NTLM-style MIC exposes it at the acceptor (BAD_MIC, RFC 4178 5)', async () => {
  // The forged list [NTLM] makes the acceptor's reply look like the tolerated Server 2003
  // counter-proposal; only the MIC over the true list catches the downgrade.
  const strict = { ...NTLM, requiresMechListMic: true };
  const i = new SpnegoInitiator({ mechs: [fakeMech(KRB, 'initiator'), fakeMech(strict, 'initiator')] });
  const a = new SpnegoAcceptor({ mechs: [fakeMech(KRB, 'acceptor'), fakeMech(strict, 'acceptor')] });
  const dropFirst = (leg: number, b: Uint8Array): Uint8Array =>
    leg === 0 ? encodeSpnegoToken({ framed: true, token: { type: 'negTokenInit', value: { mechTypes: [OID.NTLMSSP] } } }) : b;
  await assert.rejects(() => run(i, a, dropFirst), { code: 'BAD_MIC' });
});

test('man in the middle reorders the list: the initiator refuses a counter-proposal without request-mic', async () => {
  const i = new SpnegoInitiator({ mechs: [fakeMech(NTLM, 'initiator'), fakeMech(KRB, 'initiator')] });
  const a = new SpnegoAcceptor({ mechs: [fakeMech(NTLM, 'acceptor'), fakeMech(KRB, 'acceptor')] });
  const reorder = (leg: number, b: Uint8Array): Uint8Array =>
    leg === 0 ? encodeSpnegoToken({ framed: true, token: { type: 'negTokenInit', value: { mechTypes: [OID.KRB5, OID.NTLMSSP] } } }) : b;
  await assert.rejects(() => run(i, a, reorder), { code: 'DEFECTIVE_TOKEN' });
});

test('man in the middle turns request-mic into accept-incomplete: the acceptor still demands the MIC, which covers the true list (RFC 4178 5 b V)', async () => {
  const i = new SpnegoInitiator({ mechs: [fakeMech(KRB, 'initiator'), fakeMech(NTLM, 'initiator')] });
  const a = new SpnegoAcceptor({ mechs: [fakeMech(NTLM, 'acceptor')] });
  const soften = (leg: number, b: Uint8Array): Uint8Array =>
    leg === 1 ? encodeSpnegoToken({ framed: false, token: { type: 'negTokenResp', value: { negState: 'accept-incomplete', supportedMech: OID.NTLMSSP } } }) : b;
  const trace = await run(i, a, soften);
  assert.deepEqual(trace.slice(1), [
    `A: negTokenResp accept-incomplete mech=${OID.NTLMSSP}`,
    'I: negTokenResp accept-incomplete tok=REQ',
    'A: negTokenResp accept-incomplete MIC',
    'I: negTokenResp accept-completed MIC',
    'A: negTokenResp accept-completed',
  ]);
  assert.ok(i.complete, 'the initiator took the final accept-completed');
  assert.ok(a.complete, 'the acceptor completed only after verifying the initiator MIC');
  assert.deepEqual(a.mic, { required: true, sent: true, received: true });
});

test('no mech in common: acceptor fails BAD_MECH and hands a reject token; the initiator fails BAD_MECH on it', async () => {
  const i = new SpnegoInitiator({ mechs: [fakeMech(KRB, 'initiator')] });
  const a = new SpnegoAcceptor({ mechs: [fakeMech(NTLM, 'acceptor')] });
  const init = await i.step();
  const e = await a.step(init).then(() => undefined, (x: unknown) => x as SpnegoError);
  assert.equal(e?.code, 'BAD_MECH');
  assert.equal(describe(e!.outputToken!), 'negTokenResp reject');
  await assert.rejects(() => i.step(e!.outputToken!), { code: 'BAD_MECH' });
  await assert.rejects(() => a.step(init), { code: 'NO_CONTEXT' }, 'a failed context refuses further use');
});

test('both Kerberos OIDs are one mech; the acceptor answers with the OID the initiator listed (MIT negotiate_mech)', async () => {
  const ms = { ...KRB, oid: OID.MS_KRB5 };
  const i = new SpnegoInitiator({ mechs: [fakeMech(ms, 'initiator')] });
  const a = new SpnegoAcceptor({ mechs: [{ ...fakeMech({ ...KRB, oid: OID.MS_KRB5 }, 'acceptor'), oid: OID.KRB5 }] });
  const trace = await run(i, a);
  assert.equal(trace[1], `A: negTokenResp accept-completed mech=${OID.MS_KRB5} tok=REP`);
  assert.ok(i.complete);
});

test('empty input: the acceptor speaks first with NegTokenInit2 and negHints (MS-SPNG 3.2.5.2); the initiator answers with its own list', async () => {
  const i = new SpnegoInitiator({ mechs: [fakeMech(KRB, 'initiator')] });
  const a = new SpnegoAcceptor({ mechs: [fakeMech(KRB, 'acceptor'), fakeMech(NTLM, 'acceptor')] });
  const hint = await a.step();
  const h = decodeSpnegoToken(hint!);
  assert.equal(h.token.type, 'negTokenInit2');
  assert.equal((h.token.value as { negHints: { hintName: string } }).negHints.hintName, 'not_defined_in_RFC4178@please_ignore');
  const init = await i.step(hint);
  assert.equal(describe(init!), `negTokenInit(framed) [${OID.KRB5}] tok=REQ`);
  await a.step(init);
  assert.ok(a.complete);
});

test('supportedMechOrOptimistic: a first reply without supportedMech means the optimistic mech (MIT init_ctx_nego)', async () => {
  const i = new SpnegoInitiator({ mechs: [fakeMech(KRB, 'initiator')] });
  await i.step();
  const rep = encodeSpnegoToken({ framed: false, token: { type: 'negTokenResp', value: { negState: 'accept-completed', responseToken: new TextEncoder().encode(`REP:${OID.KRB5}`) } } });
  assert.equal(await i.step(rep), undefined);
  assert.ok(i.complete);
});

test('isDuplicateResponseTokenMic: a Windows 2000 mechListMIC equal to the responseToken is ignored (MIT get_negTokenResp)', async () => {
  const i = new SpnegoInitiator({ mechs: [fakeMech(KRB, 'initiator')] });
  await i.step();
  const tok = new TextEncoder().encode(`REP:${OID.KRB5}`);
  const rep = encodeSpnegoToken({ framed: false, token: { type: 'negTokenResp', value: { negState: 'accept-completed', supportedMech: OID.KRB5, responseToken: tok, mechListMIC: tok } } });
  await i.step(rep);
  assert.ok(i.complete);
  assert.equal(i.mic.received, false);
});

test('emptyTokenAfterCompletion: an empty responseToken once the mech is complete is no token (old IIS)', async () => {
  const i = new SpnegoInitiator({ mechs: [fakeMech({ oid: OID.KRB5 }, 'initiator')] }); // not mutual: complete after one token
  await i.step();
  const rep = encodeSpnegoToken({ framed: false, token: { type: 'negTokenResp', value: { negState: 'accept-completed', supportedMech: OID.KRB5, responseToken: new Uint8Array(0) } } });
  await i.step(rep);
  assert.ok(i.complete);
});

test('RFC 2478 server: accept-completed without any MIC succeeds when no MIC was required', async () => {
  const i = new SpnegoInitiator({ mechs: [fakeMech(KRB, 'initiator')] });
  await i.step();
  const rep = encodeSpnegoToken({ framed: false, token: { type: 'negTokenResp', value: { negState: 'accept-completed', supportedMech: OID.KRB5, responseToken: new TextEncoder().encode(`REP:${OID.KRB5}`) } } });
  await i.step(rep);
  assert.ok(i.complete);
});

test('downgrade seen only by the client: required MIC missing from accept-completed fails DEFECTIVE_TOKEN (RFC 4178 5 b IV)', async () => {
  const strict = { ...KRB, requiresMechListMic: true };
  const i = new SpnegoInitiator({ mechs: [fakeMech(strict, 'initiator')] });
  await i.step();
  const rep = encodeSpnegoToken({ framed: false, token: { type: 'negTokenResp', value: { negState: 'accept-completed', supportedMech: OID.KRB5, responseToken: new TextEncoder().encode(`REP:${OID.KRB5}`) } } });
  await assert.rejects(() => i.step(rep), { code: 'DEFECTIVE_TOKEN' });
});

test('isLegacyNtlmCounterProposal: Server 2003 answers a Kerberos optimistic token with exactly oRUwE6ADCgEBoQwGCisGAQQBgjcCAgo= and never sends a MIC', async () => {
  const i = new SpnegoInitiator({ mechs: [fakeMech(KRB, 'initiator'), fakeMech(NTLM, 'initiator')] });
  await i.step();
  const next = await i.step(fromBase64('oRUwE6ADCgEBoQwGCisGAQQBgjcCAgo='));
  assert.equal(describe(next!), 'negTokenResp accept-incomplete tok=REQ');
  assert.ok(i.complete, 'one-token mech complete, no MIC required after the legacy counter-proposal');
  assert.equal(i.mic.required, false);
  const done = encodeSpnegoToken({ framed: false, token: { type: 'negTokenResp', value: { negState: 'accept-completed' } } });
  await i.step(done);
  assert.ok(i.complete);
});

test('a counter-proposal of a non-NTLM mech without request-mic is refused', async () => {
  const i = new SpnegoInitiator({ mechs: [fakeMech(NTLM, 'initiator'), fakeMech(KRB, 'initiator')] });
  await i.step();
  const rep = encodeSpnegoToken({ framed: false, token: { type: 'negTokenResp', value: { negState: 'accept-incomplete', supportedMech: OID.KRB5 } } });
  await assert.rejects(() => i.step(rep), { code: 'DEFECTIVE_TOKEN' });
});

test('negState absent in later initiator tokens is accepted (Heimdal: Windows clients omit it)', async () => {
  const strict = { ...NTLM, requiresMechListMic: true };
  const a = new SpnegoAcceptor({ mechs: [fakeMech(strict, 'acceptor')] });
  const i = new SpnegoInitiator({ mechs: [fakeMech(strict, 'initiator')] });
  const r1 = await a.step(await i.step());
  // Re-encode the initiator's MIC token without negState.
  const mine = (decodeSpnegoToken((await i.step(r1))!).token.value as { mechListMIC: Uint8Array }).mechListMIC;
  const bare = encodeSpnegoToken({ framed: false, token: { type: 'negTokenResp', value: { mechListMIC: mine } } });
  await a.step(bare);
  assert.ok(a.complete);
});

test('isNegoEx: NegoEx listed first is skipped; the next mech is negotiated as non-first with request-mic', async () => {
  const a = new SpnegoAcceptor({ mechs: [fakeMech(NTLM, 'acceptor')] });
  const init = encodeSpnegoToken({ framed: true, token: { type: 'negTokenInit', value: { mechTypes: [OID.NEGOEX, OID.NTLMSSP], mechToken: new Uint8Array([1, 2, 3]) } } });
  assert.equal(describe((await a.step(init))!), `negTokenResp request-mic mech=${OID.NTLMSSP}`);
});

test('Windows extra leg: initiator sent its last mech token without a MIC the mech requires; acceptor answers accept-incomplete + MIC, then the initiator MIC completes it', async () => {
  const strict = { ...NTLM, requiresMechListMic: true };
  const a = new SpnegoAcceptor({ mechs: [fakeMech(strict, 'acceptor')] });
  const init = encodeSpnegoToken({ framed: true, token: { type: 'negTokenInit', value: { mechTypes: [OID.NTLMSSP], mechToken: new TextEncoder().encode(`REQ:${OID.NTLMSSP}`) } } });
  const r1 = await a.step(init);
  assert.equal(describe(r1!), `negTokenResp accept-incomplete mech=${OID.NTLMSSP} MIC`);
  assert.ok(!a.complete);
  // The initiator's MIC, made the way a peer would, over the list it sent.
  const peer = fakeMech(strict, 'initiator').create();
  await peer.step();
  const mic = peer.getMic(encodeMechTypeList([OID.NTLMSSP]));
  const r2 = await a.step(encodeSpnegoToken({ framed: false, token: { type: 'negTokenResp', value: { negState: 'accept-completed', mechListMIC: mic } } }));
  assert.equal(describe(r2!), 'negTokenResp accept-completed');
  assert.ok(a.complete);
});

test('the required initiator MIC never arrives: the acceptor fails DEFECTIVE_TOKEN (RFC 4178 5 b V)', async () => {
  const a = new SpnegoAcceptor({ mechs: [fakeMech({ ...NTLM, requiresMechListMic: true }, 'acceptor')] });
  const init = encodeSpnegoToken({ framed: true, token: { type: 'negTokenInit', value: { mechTypes: [OID.NTLMSSP], mechToken: new TextEncoder().encode(`REQ:${OID.NTLMSSP}`) } } });
  await a.step(init);
  const empty = encodeSpnegoToken({ framed: false, token: { type: 'negTokenResp', value: { negState: 'accept-incomplete', responseToken: new Uint8Array(0) } } });
  await assert.rejects(() => a.step(empty), { code: 'DEFECTIVE_TOKEN' });
});

test('no integrity, no mechListMIC even after request-mic (RFC 4178 5 rule 1)', async () => {
  const weak = { ...NTLM, integrity: false };
  const i = new SpnegoInitiator({ mechs: [fakeMech(KRB, 'initiator'), fakeMech(weak, 'initiator')] });
  const a = new SpnegoAcceptor({ mechs: [fakeMech(weak, 'acceptor')] });
  const trace = await run(i, a);
  assert.ok(trace.every((l) => !l.includes('MIC')), trace.join('\n'));
  assert.ok(i.complete && a.complete);
});

test('raw mech tokens without SPNEGO are handed to that mech directly (browsers, old clients)', async () => {
  const created: FakeContext[] = [];
  const a = new SpnegoAcceptor({ mechs: [fakeMech({ oid: OID.NTLMSSP }, 'acceptor', created)] });
  await assert.rejects(() => a.step(new TextEncoder().encode('NTLMSSP\0garbage')), (e: unknown) => e instanceof SpnegoError);
  assert.equal(created.length, 1, 'the NTLM mech saw the raw token');
});

test('protocol violations: NegTokenResp first, second MIC, supportedMech in a continuation, empty mech list', async () => {
  const resp = encodeSpnegoToken({ framed: false, token: { type: 'negTokenResp', value: { negState: 'accept-incomplete' } } });
  await assert.rejects(() => new SpnegoAcceptor({ mechs: [fakeMech(NTLM, 'acceptor')] }).step(resp), { code: 'DEFECTIVE_TOKEN' });
  const a = new SpnegoAcceptor({ mechs: [fakeMech(NTLM, 'acceptor')] });
  const i = new SpnegoInitiator({ mechs: [fakeMech(KRB, 'initiator'), fakeMech(NTLM, 'initiator')] });
  await a.step(await i.step()); // request-mic: the acceptor is still negotiating
  const withMech = encodeSpnegoToken({ framed: false, token: { type: 'negTokenResp', value: { supportedMech: OID.KRB5, responseToken: new Uint8Array([1]) } } });
  await assert.rejects(() => a.step(withMech), { code: 'DEFECTIVE_TOKEN' });
  assertCode(() => decodeSpnegoToken(fromHex('601006062b0601050502a0063004a0023000')), 'DECODE_BAD_VALUE'); // empty mech list
  // A second acceptor MIC after ours was verified.
  const i2 = new SpnegoInitiator({ mechs: [fakeMech(KRB, 'initiator'), fakeMech(NTLM, 'initiator')] });
  const a2 = new SpnegoAcceptor({ mechs: [fakeMech(NTLM, 'acceptor')] });
  const r1 = await a2.step(await i2.step());
  const r2 = await a2.step((await i2.step(r1))!);
  await i2.step(r2); // verifies the acceptor MIC, sends ours
  assert.ok(i2.complete);
  const again = encodeSpnegoToken({ framed: false, token: { type: 'negTokenResp', value: { negState: 'accept-completed', mechListMIC: (decodeSpnegoToken(r2!).token.value as { mechListMIC: Uint8Array }).mechListMIC } } });
  await assert.rejects(() => i2.step(again), { code: 'DEFECTIVE_TOKEN' });
});

test('accept-incomplete (or request-mic) without a responseToken while the optimistic mech still needs one: DEFECTIVE_TOKEN, not a silent wait (MIT init_ctx_cont)', async () => {
  for (const negState of ['accept-incomplete', 'request-mic'] as const) {
    const i = new SpnegoInitiator({ mechs: [fakeMech(KRB, 'initiator'), fakeMech(NTLM, 'initiator')] });
    await i.step();
    const bare = encodeSpnegoToken({ framed: false, token: { type: 'negTokenResp', value: { negState, supportedMech: OID.KRB5 } } });
    await assert.rejects(() => i.step(bare), { code: 'DEFECTIVE_TOKEN' }, negState);
    assert.equal(i.complete, false);
  }
});

test('property: arbitrary and mutated tokens into either side give only SpnegoError, and a failed context stays failed', async () => {
  const seeds: Uint8Array[] = [];
  const i0 = new SpnegoInitiator({ mechs: [fakeMech(KRB, 'initiator'), fakeMech(NTLM, 'initiator')] });
  const a0 = new SpnegoAcceptor({ mechs: [fakeMech(NTLM, 'acceptor')] });
  let t: Uint8Array | undefined = await i0.step();
  for (let k = 0; t && k < 6; k++) {
    seeds.push(t);
    t = k % 2 === 0 ? await a0.step(t) : await i0.step(t);
  }
  await fc.assert(
    fc.asyncProperty(fc.nat(seeds.length - 1), fc.array(fc.tuple(fc.nat(), fc.nat(255)), { maxLength: 3 }), fc.boolean(), async (k, edits, toAcceptor) => {
      const b = seeds[k]!.slice();
      for (const [at, x] of edits) b[at % b.length] = x;
      const side = toAcceptor ? new SpnegoAcceptor({ mechs: [fakeMech(NTLM, 'acceptor')] }) : new SpnegoInitiator({ mechs: [fakeMech(KRB, 'initiator'), fakeMech(NTLM, 'initiator')] });
      if (!toAcceptor) await side.step();
      let failed = false;
      try {
        await side.step(b);
      } catch (e) {
        onlyTypedErrors(() => { throw e; });
        failed = true;
      }
      if (failed) await assert.rejects(() => side.step(b), { code: 'NO_CONTEXT' });
    }),
    { numRuns: 500 },
  );
});
