// Regression tests for what the fuzzer (test/fuzz/fuzz.ts) found. Each input is rebuilt from the
// in-process tokens the finding was a mutation of (their encrypted parts differ on every run).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SpnegoError } from '../../src/errors.js';
import { InitialContextToken } from '../../src/codec/gss/initial-context-token.js';
import { gssKrb5TokenCodec, type ApRep, type ApReq } from '../../src/codec/krb5/index.js';
import { Krb5Acceptor } from '../../src/mech/krb5/gss-acceptor.js';
import { Krb5Initiator } from '../../src/mech/krb5/gss-initiator.js';
import { MemoryReplayCache } from '../../src/mech/krb5/replay-cache.js';
import { issueTicket } from '../helpers/krb5-ticket.js';

/** Rewrites the AP-REQ or AP-REP inside a framed GSS krb5 token. */
function rewrite(token: Uint8Array, f: (m: ApReq | ApRep) => ApReq | ApRep): Uint8Array {
  const framed = InitialContextToken.decode(token);
  const t = gssKrb5TokenCodec.decode(framed.innerToken);
  if (t.tokId === 'KRB-ERROR') throw new Error('not an AP-REQ or AP-REP');
  const message = f(t.message);
  const inner = gssKrb5TokenCodec.encode({ tokId: t.tokId, message } as Parameters<typeof gssKrb5TokenCodec.encode>[0]);
  return InitialContextToken.encode({ mech: framed.mech, innerToken: inner });
}

async function rejectsWith(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof SpnegoError, `untyped: ${String(e)}`);
    assert.equal(e.code, code, e.message);
    return true;
  });
}

// Finding (krb5-acceptor:ap-req / spnego-acceptor:first-token, seed 7): an AP-REQ whose
// authenticator EncryptedData names another enctype (19) than the ticket session key (18) gave
// BAD_ARGUMENT ("a key of enctype 18 used with aes128-cts-hmac-sha256-128", from checkKey in
// src/crypto/krb5/profile.ts): a caller-mistake code for a defective token.
test('an authenticator etype other than the session key enctype is a DEFECTIVE_TOKEN, not BAD_ARGUMENT', async () => {
  const { cred, keys } = issueTicket(18);
  for (const etype of [17, 19, 20, 23]) {
    const apReq = (await new Krb5Initiator({ credential: cred }).step())!;
    const bad = rewrite(apReq, (m) => ({ ...(m as ApReq), authenticator: { ...(m as ApReq).authenticator, etype } }));
    await rejectsWith(new Krb5Acceptor({ keys, replayCache: new MemoryReplayCache(), allowWeakCrypto: true }).step(bad), 'DEFECTIVE_TOKEN');
  }
});

// The same on the initiator side: an AP-REP (from a hostile acceptor) whose encPart names another
// enctype than the session key gave BAD_ARGUMENT instead of a token error.
test('an AP-REP encPart etype other than the session key enctype is a DEFECTIVE_TOKEN, not BAD_ARGUMENT', async () => {
  const { cred, keys } = issueTicket(18);
  for (const etype of [17, 19, 20, 23]) {
    const i = new Krb5Initiator({ credential: cred, mutual: true });
    const apRep = (await new Krb5Acceptor({ keys, replayCache: new MemoryReplayCache() }).step((await i.step())!))!;
    const bad = rewrite(apRep, (m) => ({ ...(m as ApRep), encPart: { ...(m as ApRep).encPart, etype } }));
    await rejectsWith(i.step(bad), 'DEFECTIVE_TOKEN');
  }
});
