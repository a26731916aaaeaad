// Our Kerberos GSS initiator against our acceptor, in process, with a service key made here
// (no KDC: the ticket is built and encrypted by the test, as a KDC would). The proof against
// MIT and Samba is in test/interop/krb5-gss.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Krb5Initiator } from '../../../../src/mech/krb5/gss-initiator.js';
import { Krb5Acceptor } from '../../../../src/mech/krb5/gss-acceptor.js';
import { getProfile } from '../../../../src/crypto/krb5/registry.js';
import { issueTicket } from '../../../helpers/krb5-ticket.js';
import { MemoryReplayCache } from '../../../../src/mech/krb5/replay-cache.js';
import { InitialContextToken } from '../../../../src/codec/gss/initial-context-token.js';
import { gssKrb5TokenCodec } from '../../../../src/codec/krb5/gss-krb5-token.js';
import { encApRepPartCodec } from '../../../../src/codec/krb5/enc-ap-rep-part.js';
import { KeyUsage } from '../../../../src/iana/krb5.js';
import { takesAcceptorSubkey } from '../../../../src/mech/krb5/per-message.js';
import { parsePrincipal } from '../../../../src/mech/krb5/principal.js';

const issue = issueTicket;

for (const etype of [17, 18, 19, 20]) {
  test(`mutual authentication and per-message tokens both ways, enctype ${etype}`, async () => {
    const { cred, keys } = issue(etype);
    const i = new Krb5Initiator({ credential: cred });
    const a = new Krb5Acceptor({ keys, replayCache: new MemoryReplayCache() });
    const apRep = await a.step(await i.step());
    assert.ok(a.complete && apRep);
    assert.equal(await i.step(apRep), undefined);
    assert.ok(i.complete);
    assert.equal(a.peerName?.name.nameString.join('/'), 'alice');
    const m = new TextEncoder().encode('payload');
    for (const encrypt of [true, false]) {
      assert.deepEqual(a.unwrap(i.wrap(m, { encrypt })).message, m);
      assert.deepEqual(i.unwrap(a.wrap(m, { encrypt })).message, m);
    }
    a.verifyMic(m, i.getMic(m));
    i.verifyMic(m, a.getMic(m));
  });
}

test('a replayed AP-REQ is refused with DUPLICATE_TOKEN and a KRB_AP_ERR_REPEAT error token the initiator reports', async () => {
  const { cred, keys } = issue(18);
  const cache = new MemoryReplayCache();
  const apReq = await new Krb5Initiator({ credential: cred }).step();
  await new Krb5Acceptor({ keys, replayCache: cache }).step(apReq);
  const e = await new Krb5Acceptor({ keys, replayCache: cache }).step(apReq).then(() => undefined, (x: unknown) => x as { code: string; outputToken?: Uint8Array; krbError?: { name?: string } });
  assert.equal(e?.code, 'DUPLICATE_TOKEN');
  assert.equal(e?.krbError?.name, 'KRB_AP_ERR_REPEAT');
  // The KRB-ERROR token goes back to the initiator (as MIT's acceptor sends it), which reports the replay.
  const i2 = new Krb5Initiator({ credential: cred });
  await i2.step();
  await assert.rejects(() => i2.step(e!.outputToken!), { code: 'DUPLICATE_TOKEN' });
});

test('clock skew: refused with CLOCK_SKEW and a KRB-ERROR token for the initiator, which reports it typed', async () => {
  const { cred, keys } = issue(18);
  const i = new Krb5Initiator({ credential: cred, now: () => new Date(Date.now() - 3600_000) });
  const e = await new Krb5Acceptor({ keys, replayCache: new MemoryReplayCache() }).step(await i.step()).then(() => undefined, (x: unknown) => x as { code: string; outputToken?: Uint8Array });
  assert.equal(e?.code, 'CLOCK_SKEW');
  await assert.rejects(() => i.step(e!.outputToken!), { code: 'CLOCK_SKEW' });
});

test('expired ticket, wrong service key, channel-binding mismatch, tampered AP-REP', async () => {
  const sec = (ms: number) => new Date(Math.floor(ms / 1000) * 1000);
  const past = issue(18, { end: sec(Date.now() - 7200_000), start: sec(Date.now() - 10800_000) });
  await assert.rejects(async () => new Krb5Acceptor({ keys: past.keys, replayCache: new MemoryReplayCache() }).step(await new Krb5Initiator({ credential: past.cred }).step()), { code: 'CREDENTIALS_EXPIRED' });
  const { cred, keys } = issue(18);
  const wrongKey = [{ ...keys[0]!, key: getProfile(18).stringToKey('other', 'salt') }];
  await assert.rejects(async () => new Krb5Acceptor({ keys: wrongKey }).step(await new Krb5Initiator({ credential: cred }).step()), { code: 'DEFECTIVE_CREDENTIAL' });
  const cb = new Uint8Array(16).fill(1);
  await assert.rejects(async () => new Krb5Acceptor({ keys, channelBindingsHash: cb, replayCache: new MemoryReplayCache() }).step(await new Krb5Initiator({ credential: cred, channelBindingsHash: new Uint8Array(16).fill(2) }).step()), { code: 'BAD_BINDINGS' });
  const ok = await new Krb5Acceptor({ keys, channelBindingsHash: cb, replayCache: new MemoryReplayCache() }).step(await new Krb5Initiator({ credential: cred, channelBindingsHash: cb }).step());
  assert.ok(ok);
  const i = new Krb5Initiator({ credential: cred });
  const rep = (await new Krb5Acceptor({ keys, replayCache: new MemoryReplayCache() }).step(await i.step()))!.slice();
  rep[rep.length - 3]! ^= 1;
  await assert.rejects(() => i.step(rep), { code: 'BAD_MIC' });
});

test('delegation: a forwarded TGT travels in the KRB-CRED of the 0x8003 checksum and decrypts at the acceptor', async () => {
  const { makeKrbCred } = await import('../../../../src/mech/krb5/delegation.js');
  const { flagsFromNames } = await import('../../../../src/codec/krb5/kerberos-flags.js');
  const { TicketFlag } = await import('../../../../src/iana/krb5.js');
  const svc = issueTicket(18);
  const tgt = issueTicket(18, { service: 'krbtgt/EXAMPLE.TEST@EXAMPLE.TEST' });
  const forwarded = { ...tgt.cred, flags: flagsFromNames(['forwardable', 'forwarded'], TicketFlag) };
  const i = new Krb5Initiator({ credential: svc.cred, delegation: makeKrbCred(forwarded, svc.cred.sessionKey) });
  const a = new Krb5Acceptor({ keys: svc.keys, replayCache: new MemoryReplayCache() });
  await i.step(await a.step(await i.step()));
  const got = a.delegatedCredentials();
  assert.equal(got?.length, 1);
  assert.deepEqual(got![0]!.server.name.nameString, ['krbtgt', 'EXAMPLE.TEST']);
  assert.deepEqual(got![0]!.sessionKey, tgt.cred.sessionKey);
  assert.deepEqual(got![0]!.ticketDer, tgt.cred.ticketDer);
  assert.throws(() => makeKrbCred(tgt.cred, svc.cred.sessionKey), { code: 'NO_CRED' }, 'a TGT that is not forwardable');
});

test('rc4-hmac contexts (weak crypto only): RFC 1964 per-message tokens both ways; refused without the option', async () => {
  const { cred, keys } = issueTicket(23);
  await assert.rejects(async () => new Krb5Initiator({ credential: cred }).step(), { code: 'UNAVAILABLE' });
  const i = new Krb5Initiator({ credential: cred, allowWeakCrypto: true });
  const a = new Krb5Acceptor({ keys, replayCache: new MemoryReplayCache(), allowWeakCrypto: true });
  await i.step(await a.step(await i.step()));
  assert.ok(i.complete && a.complete);
  const m = new TextEncoder().encode('rc4 payload');
  const w = i.wrap(m, { encrypt: true });
  assert.equal(w[0], 0x60, 'RFC 1964 framing (0x60), not a CFX 05 04 token');
  assert.deepEqual(a.unwrap(w).message, m);
  assert.deepEqual(i.unwrap(a.wrap(m)).message, m);
  a.verifyMic(m, i.getMic(m));
});

test('rc4-hmac (RFC 1964) contexts keep the initiator subkey, as MIT: our acceptor puts no subkey in the AP-REP; an initiator ignores an AP-REP subkey of the same rc4 enctype and takes one of another enctype', async () => {
  const encPartOf = (apRep: Uint8Array, key: { enctype: number; value: Uint8Array }, weak: boolean) => {
    const t = gssKrb5TokenCodec.decode(InitialContextToken.decode(apRep).innerToken);
    assert.equal(t.tokId, 'AP-REP');
    const m = t.message as { encPart: { etype: number; cipher: Uint8Array } };
    return encApRepPartCodec.decode(getProfile(key.enctype, { allowWeakCrypto: weak }).decrypt(key, KeyUsage.AP_REP_ENCPART, m.encPart.cipher));
  };
  const rc4 = issueTicket(23);
  const apRep = await new Krb5Acceptor({ keys: rc4.keys, replayCache: new MemoryReplayCache(), allowWeakCrypto: true }).step(await new Krb5Initiator({ credential: rc4.cred, allowWeakCrypto: true }).step());
  assert.equal(encPartOf(apRep!, rc4.cred.sessionKey, true).subkey, undefined, 'no acceptor subkey in an RFC 1964 context (MIT accept_sec_context)');
  const aes = issueTicket(18);
  const apRep2 = await new Krb5Acceptor({ keys: aes.keys, replayCache: new MemoryReplayCache() }).step(await new Krb5Initiator({ credential: aes.cred }).step());
  assert.equal(encPartOf(apRep2!, aes.cred.sessionKey, false).subkey?.keytype, 18, 'an acceptor subkey in an RFC 4121 context');
  const key = (enctype: number) => ({ enctype, value: new Uint8Array(enctype === 17 ? 16 : enctype === 23 ? 16 : 32) });
  assert.equal(takesAcceptorSubkey(key(23), key(23)), false);
  assert.equal(takesAcceptorSubkey(key(23), key(18)), true, 'another enctype: the context moves to it (MIT init_sec_context)');
  assert.equal(takesAcceptorSubkey(key(18), key(18)), true);
  assert.equal(takesAcceptorSubkey(key(18), undefined), false);
});

test('replay and sequence detection follow the negotiated GSS flags (RFC 2743 1.2.3, MIT g_seqstate): with REPLAY and SEQUENCE a repeat is DUPLICATE_TOKEN and a skip GAP_TOKEN; without them tokens are taken in any order, repeats included', async () => {
  const m = (s: string) => new TextEncoder().encode(s);
  for (const strict of [true, false]) {
    const { cred, keys } = issueTicket(18);
    const i = new Krb5Initiator({ credential: cred, replayDetection: strict, sequence: strict });
    const a = new Krb5Acceptor({ keys, replayCache: new MemoryReplayCache() });
    await i.step(await a.step(await i.step()));
    const [t0, t1, t2] = [i.wrap(m('0')), i.wrap(m('1')), i.wrap(m('2'))];
    assert.deepEqual(a.unwrap(t0).message, m('0'));
    if (strict) {
      assert.throws(() => a.unwrap(t0), { code: 'DUPLICATE_TOKEN' });
      assert.throws(() => a.unwrap(t2), { code: 'GAP_TOKEN' });
      assert.throws(() => a.unwrap(t1), { code: 'UNSEQ_TOKEN' });
    } else {
      assert.deepEqual(a.unwrap(t2).message, m('2'));
      assert.deepEqual(a.unwrap(t1).message, m('1'));
      assert.deepEqual(a.unwrap(t0).message, m('0'), 'a repeat, accepted: the initiator asked for no replay detection');
    }
  }
});

test('keys tried as MIT tries its keytab without an acceptor name: a keytab kvno other than the ticket\'s (ktpass /kvno 0), and another SPN of the same account (an AD alias), still decrypt the ticket; a restricted acceptor refuses the alias; a wrong key is DEFECTIVE_CREDENTIAL', async () => {
  const { cred, keys } = issueTicket(18);
  const k = keys[0]!;
  const accept = async (ks: typeof keys, principal?: string) => {
    const a = new Krb5Acceptor({ keys: ks, replayCache: new MemoryReplayCache(), ...(principal ? { principal: parsePrincipal(principal) } : {}) });
    await a.step(await new Krb5Initiator({ credential: cred }).step());
    return a;
  };
  assert.ok((await accept([{ ...k, kvno: 0 }])).complete, 'kvno 0 in the keytab');
  assert.ok((await accept([{ ...k, kvno: 7 }])).complete, 'another kvno');
  const alias = { ...k, principal: { name: { nameType: 3, nameString: ['HTTP', 'alias.example.test'] }, realm: k.principal.realm } };
  assert.ok((await accept([alias])).complete, 'the key under another SPN of the account');
  await assert.rejects(() => accept([alias], 'HTTP/alias.example.test@' + k.principal.realm), { code: 'BAD_NAME' });
  const wrong = { ...k, key: getProfile(18).stringToKey('other', 'salt') };
  await assert.rejects(() => accept([wrong]), { code: 'DEFECTIVE_CREDENTIAL' });
  await assert.rejects(() => accept([{ ...k, key: getProfile(17).stringToKey('x', 'y') }]), { code: 'NO_CRED' }, 'no key of the enctype at all');
});
