// Regression tests for what the fuzzer (test/fuzz/fuzz.ts) found. Each input is rebuilt from the
// in-process tokens the finding was a mutation of (their encrypted parts differ on every run).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SpnegoError } from '../../src/errors.js';
import { InitialContextToken } from '../../src/codec/gss/initial-context-token.js';
import {
  asRepCodec, encAsRepPartCodec, encKrbCredPartCodec, encTgsRepPartCodec, etypeInfo2Codec, gssKrb5TokenCodec, krbCredCodec,
  krbErrorCodec, methodDataCodec, tgsRepCodec, type ApRep, type ApReq, type EtypeInfo2Entry, type KdcRep,
} from '../../src/codec/krb5/index.js';
import { getProfile } from '../../src/crypto/krb5/registry.js';
import type { Key } from '../../src/crypto/krb5/profile.js';
import { ErrorCode as Krb, KeyUsage, PaDataType } from '../../src/iana/krb5.js';
import { Krb5Acceptor } from '../../src/mech/krb5/gss-acceptor.js';
import { Krb5Initiator } from '../../src/mech/krb5/gss-initiator.js';
import { MemoryReplayCache } from '../../src/mech/krb5/replay-cache.js';
import { asExchange } from '../../src/mech/krb5/as.js';
import { tgsExchange } from '../../src/mech/krb5/tgs.js';
import { makeKrbCred, readKrbCred } from '../../src/mech/krb5/delegation.js';
import { issueTicket } from '../helpers/krb5-ticket.js';
import { KDC_CLIENT, KDC_ENCTYPES, KDC_SERVICE, kdcRandom, loadKdcSeeds, replaying } from './kdc-seeds.js';

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

// The same class in the KDC-reply and delegation paths (found by reading, then by the
// krb5-client:* and krb5-delegation:* targets): hostile KDC replies and KRB-CRED enc-parts whose
// etype differs from the key's enctype, or whose PA-ETYPE-INFO2 s2kparams are malformed, raised
// BAD_ARGUMENT from checkKey / pbkdf2Iterations; a session key of the wrong length for its enctype
// was accepted and raised BAD_ARGUMENT later, when the credential was used.
const SEEDS = await loadKdcSeeds();
const seed = SEEDS.find((x) => x.enctype === 18)!;
const OTHER_ETYPES = [17, 19, 20, 23];

function rewriteRep(codec: typeof asRepCodec | typeof tgsRepCodec, bytes: Uint8Array, f: (r: KdcRep) => KdcRep): Uint8Array {
  return (codec as typeof asRepCodec).encode(f(codec.decode(bytes)) as never);
}
function withEtypeInfo2(rep: KdcRep, entries: EtypeInfo2Entry[]): KdcRep {
  return { ...rep, padata: [{ padataType: PaDataType['PA-ETYPE-INFO2'], padataValue: etypeInfo2Codec.encode(entries) }] };
}
/** A KDC reply whose enc-part is `plain` re-encrypted under `key` (usage), the rest as recorded. */
function reEncrypt(codec: typeof asRepCodec | typeof tgsRepCodec, bytes: Uint8Array, key: Key, usage: number, plain: Uint8Array): Uint8Array {
  return rewriteRep(codec, bytes, (r) => ({ ...r, encPart: { ...r.encPart, etype: key.enctype, cipher: getProfile(key.enctype).encrypt(key, usage, plain) } }));
}
const as = (kdc: ReturnType<typeof replaying>, creds: { password: string } | { keys: Key[] }) =>
  asExchange({ client: KDC_CLIENT, kdc, enctypes: KDC_ENCTYPES, random: kdcRandom, now: seed.now, ...creds });
const tgs = (kdc: ReturnType<typeof replaying>) => tgsExchange({ tgt: seed.tgt, server: KDC_SERVICE, kdc, enctypes: KDC_ENCTYPES, random: kdcRandom, now: seed.now });

test('the recorded lab exchanges replay: AS-REP, TGS-REP and the forwarded TGT decrypt and pass the nonce check', async () => {
  assert.ok(SEEDS.length >= 2);
  for (const x of SEEDS) {
    assert.equal((await as(replaying(x.asRep), { keys: x.keys })).server.name.nameString[0], 'krbtgt');
    assert.equal(x.service.server.name.nameString.join('/'), KDC_SERVICE.name.nameString.join('/'));
    assert.equal(x.forwarded.server.name.nameString[0], 'krbtgt');
  }
});

test('a TGS-REP enc-part etype other than the TGT session key enctype is a DEFECTIVE_TOKEN, not BAD_ARGUMENT', async () => {
  for (const etype of OTHER_ETYPES) {
    await rejectsWith(tgs(replaying(rewriteRep(tgsRepCodec, seed.tgsRep, (r) => ({ ...r, encPart: { ...r.encPart, etype } })))), 'DEFECTIVE_TOKEN');
  }
});

test('a KRB-CRED enc-part etype other than the session key enctype is a DEFECTIVE_TOKEN, not BAD_ARGUMENT', () => {
  const key = seed.service.sessionKey;
  const good = makeKrbCred(seed.forwarded, key);
  assert.equal(readKrbCred(good, key)[0]!.server.name.nameString[0], 'krbtgt');
  for (const etype of OTHER_ETYPES) {
    const c = krbCredCodec.decode(good);
    const bad = krbCredCodec.encode({ ...c, encPart: { ...c.encPart, etype } });
    assert.throws(() => readKrbCred(bad, key, { allowWeakCrypto: true }), (e: unknown) => e instanceof SpnegoError && e.code === 'DEFECTIVE_TOKEN');
  }
});

test('an AS-REP whose enc-part etype differs from the pre-authentication key, with malformed s2kparams, is a DEFECTIVE_TOKEN, not BAD_ARGUMENT', async () => {
  const asRep = asRepCodec.decode(seed.asRep);
  for (const etype of [17, 20]) {
    for (const s2kparams of [new Uint8Array(3), new Uint8Array(5), new Uint8Array(4), Uint8Array.of(0x01, 0, 0, 0)]) {
      const bad = asRepCodec.encode(withEtypeInfo2({ ...asRep, encPart: { ...asRep.encPart, etype } }, [{ etype, salt: 'SPNEGO.TESTalice', s2kparams }]) as never);
      await rejectsWith(as(replaying(bad), { password: 'Alice-Pass1' }), 'DEFECTIVE_TOKEN');
    }
  }
  // The same s2kparams in the KRB-ERROR that asks for pre-authentication.
  const err = krbErrorCodec.encode({
    pvno: 5, msgType: 30, stime: new Date(Math.floor(seed.now().getTime() / 1000) * 1000), susec: 0, errorCode: Krb.KDC_ERR_PREAUTH_REQUIRED, realm: KDC_CLIENT.realm, sname: seed.tgt.server.name,
    eData: methodDataCodec.encode([{ padataType: PaDataType['PA-ETYPE-INFO2'], padataValue: etypeInfo2Codec.encode([{ etype: 18, salt: 'SPNEGO.TESTalice', s2kparams: new Uint8Array(2) }]) }]),
  });
  await rejectsWith(as(replaying(err, seed.asRep), { password: 'Alice-Pass1' }), 'DEFECTIVE_TOKEN');
});

test('a KDC reply or KRB-CRED granting a session key of the wrong length for its enctype is a DEFECTIVE_TOKEN when received', async () => {
  const asKey = seed.keys.find((k) => k.enctype === asRepCodec.decode(seed.asRep).encPart.etype)!;
  const asPart = encAsRepPartCodec.decode(seed.encAsRepPart);
  const tgsPart = encTgsRepPartCodec.decode(seed.encTgsRepPart);
  for (const len of [0, 16, 31, 33]) {
    const asBad = encAsRepPartCodec.encode({ ...asPart, key: { keytype: 18, keyvalue: new Uint8Array(len) } });
    await rejectsWith(as(replaying(reEncrypt(asRepCodec, seed.asRep, asKey, KeyUsage.AS_REP_ENCPART, asBad)), { keys: seed.keys }), 'DEFECTIVE_TOKEN');
    const tgsBad = encTgsRepPartCodec.encode({ ...tgsPart, key: { keytype: 18, keyvalue: new Uint8Array(len) } });
    await rejectsWith(tgs(replaying(reEncrypt(tgsRepCodec, seed.tgsRep, seed.tgt.sessionKey, KeyUsage.TGS_REP_ENCPART_SESSKEY, tgsBad))), 'DEFECTIVE_TOKEN');
    const key = seed.service.sessionKey;
    const c = krbCredCodec.decode(makeKrbCred(seed.forwarded, key));
    const part = encKrbCredPartCodec.decode(getProfile(key.enctype).decrypt(key, KeyUsage.KRB_CRED_ENCPART, c.encPart.cipher));
    const credBad = encKrbCredPartCodec.encode({ ...part, ticketInfo: [{ ...part.ticketInfo[0]!, key: { keytype: 18, keyvalue: new Uint8Array(len) } }] });
    const bad = krbCredCodec.encode({ ...c, encPart: { etype: key.enctype, cipher: getProfile(key.enctype).encrypt(key, KeyUsage.KRB_CRED_ENCPART, credBad) } });
    assert.throws(() => readKrbCred(bad, key), (e: unknown) => e instanceof SpnegoError && e.code === 'DEFECTIVE_TOKEN');
  }
});
