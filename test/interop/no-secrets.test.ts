// Interop (issue 8 acceptance): "No secret (password, key, hash, session key, ticket) appears in
// any error message, log line or `inspect` output without `--show-secrets`: a test searches for
// the known secrets of the test realm in all of them."
//
// 1. The known secrets of the lab realm: every password in lab.json, its NT hash (NTOWFv1) and
//    NTOWFv2, the AES keys string-to-key derives from it with the default salt (REALM + name),
//    every key in the lab keytabs, the session keys and ticket ciphertexts of alice's real TGT and
//    service tickets from the MIT KDC, the authenticator/AP-REP ciphertexts of real handshakes, and
//    the NTLM exported session keys, NTProofStr, encrypted session keys and MICs of real runs.
// 2. Every failure path we can reach with them, in process (err.message, String(err),
//    util.inspect(err) with its cause chain and own fields, JSON.stringify(err)) and through the
//    CLI (spnego kinit/klist/kdestroy/fetch/serve/inspect stdout and stderr).
// 3. A search of all of it for each secret as hex (both cases), base64 (padded, unpadded,
//    base64url), latin1 bytes, UTF-16LE, a decimal byte list (util.inspect of a Uint8Array) and,
//    for passwords, the plaintext. A positive control shows the search finds the ticket
//    ciphertext and the NTLM MIC in `inspect --show-secrets` and the keys in `klist -k -K`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initiator, acceptor, type SecurityContext } from '../../src/gss/context.js';
import { SpnegoError } from '../../src/errors.js';
import { Krb5Client } from '../../src/mech/krb5/client.js';
import { readCcache, readKeytab, serviceKeysFromKeytab, writeCcache } from '../../src/mech/krb5/ccache-store.js';
import { MemoryReplayCache } from '../../src/mech/krb5/replay-cache.js';
import { Krb5Initiator } from '../../src/mech/krb5/gss-initiator.js';
import { Krb5Acceptor, type ServiceKey } from '../../src/mech/krb5/gss-acceptor.js';
import { serviceTicketFor } from '../../src/gss/krb5-credential.js';
import { NtlmInitiator } from '../../src/mech/ntlm/initiator.js';
import { NtlmAcceptor } from '../../src/mech/ntlm/acceptor.js';
import { NtlmUserFileStore } from '../../src/mech/ntlm/store.js';
import { NTOWFv1, NTOWFv2 } from '../../src/crypto/ntlm.js';
import { getProfile } from '../../src/crypto/krb5/registry.js';
import { InitialContextToken } from '../../src/codec/gss/initial-context-token.js';
import { gssKrb5TokenCodec } from '../../src/codec/krb5/gss-krb5-token.js';
import { decodeSpnegoToken, encodeSpnegoToken } from '../../src/codec/spnego/spnego-token.js';
import { authenticateMessageCodec, decodeNtlmMessage } from '../../src/codec/ntlm/index.js';
import { inspectInput, renderReport } from '../../src/inspect/index.js';
import type { Credential } from '../../src/mech/krb5/credential.js';
import { OID } from '../../src/iana/oids.js';
import { readLab, type NtlmLab } from '../helpers/peer.js';
import { repoPath } from '../helpers/paths.js';

interface Lab extends NtlmLab {
  env: Record<string, string>;
  mit: { realm: string; krb5Conf: string; httpKeytab: string; hostKeytab: string; clientKeytab: string; users: { name: string; principal: string; password: string }[] };
  samba: NtlmLab['samba'] & { admin?: { password: string }; serviceAccount?: { password: string }; httpKeytab?: string };
}

let lab: Lab;
let dir: string;
let ccache: string;
let krb5Client: Krb5Client;
let keys: ServiceKey[];
const TARGET = 'HTTP@localhost';
const cleanups: (() => void)[] = [];

/** name -> secret bytes (and, for passwords, the plaintext). */
const secrets = new Map<string, Uint8Array>();
const passwords = new Map<string, string>();
/** Everything that must hold no secret: label -> text. */
const outputs: { label: string; text: string }[] = [];

const enc = (s: string) => new TextEncoder().encode(s);
function addSecret(name: string, v: Uint8Array | undefined): void {
  if (v && v.length >= 8) secrets.set(`${name} ${Buffer.from(v).toString('hex').slice(0, 8)}`, v.slice());
}

before(async () => {
  lab = readLab() as Lab;
  dir = mkdtempSync(join(tmpdir(), 'spnego-nosecrets-'));
  krb5Client = new Krb5Client({ env: { KRB5_CONFIG: lab.mit.krb5Conf } });
  const alice = lab.mit.users.find((u) => u.name === 'alice')!;
  const principal = krb5Client.parsePrincipal(alice.principal);
  ccache = `FILE:${join(dir, 'cc')}`;
  const tgt = await krb5Client.tgtWithPassword(principal, alice.password);
  writeCcache(ccache, principal, [tgt]);
  keys = serviceKeysFromKeytab(readKeytab(lab.mit.httpKeytab));

  // Passwords, NT hashes, NTOWFv2, AES keys with the default salt.
  const pw: [string, string, string][] = [
    ...lab.mit.users.map((u) => [u.name, u.password, lab.mit.realm] as [string, string, string]),
    ...lab.ntlm.users.map((u) => [u.name, u.password, lab.ntlm.domain] as [string, string, string]),
    ...lab.samba.users.map((u) => [u.name, u.password, lab.samba.domain] as [string, string, string]),
  ];
  if (lab.samba.admin) pw.push(['Administrator', lab.samba.admin.password, lab.samba.domain]);
  if (lab.samba.serviceAccount) pw.push(['httpsvc', lab.samba.serviceAccount.password, lab.samba.domain]);
  for (const [user, p, realm] of pw) {
    passwords.set(`password of ${user}@${realm}`, p);
    const nt = NTOWFv1(p);
    addSecret(`NT hash of ${user}`, nt);
    addSecret(`NTOWFv2 of ${realm}\\${user}`, NTOWFv2(nt, user, realm));
    for (const e of [17, 18, 19, 20]) addSecret(`etype ${e} key of ${user}@${realm}`, getProfile(e).stringToKey(p, `${realm}${user}`).value);
  }
  // Every key in the lab keytabs.
  for (const kt of [lab.mit.httpKeytab, lab.mit.hostKeytab, lab.mit.clientKeytab, lab.samba.httpKeytab]) {
    if (!kt) continue;
    try {
      for (const e of readKeytab(kt)) addSecret(`keytab ${kt} key`, e.key.keyvalue);
    } catch {
      // a keytab we cannot read holds nothing we could leak
    }
  }
  addCred('TGT', tgt);
});
after(() => {
  for (const c of cleanups) c();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function addCred(what: string, c: Credential): void {
  addSecret(`${what} session key`, c.sessionKey.value);
  addSecret(`${what} ticket ciphertext`, c.ticket.encPart.cipher);
}

async function serviceTicket(): Promise<Credential> {
  const t = (await serviceTicketFor(krb5Client, { ccache }, TARGET)).ticket;
  addCred('service ticket', t);
  return t;
}

/** The Kerberos message in a raw Kerberos GSS token or inside a SPNEGO token. */
function krb5Parts(token: Uint8Array): void {
  let inner = token;
  try {
    if (InitialContextToken.decode(token).mech === OID.SPNEGO || token[0] !== 0x60) {
      const v = decodeSpnegoToken(token).token.value as { mechToken?: Uint8Array; responseToken?: Uint8Array; mechListMIC?: Uint8Array };
      addSecret('mechListMIC', v.mechListMIC);
      if (!(v.mechToken ?? v.responseToken)) return;
      inner = (v.mechToken ?? v.responseToken)!;
    }
    const k = gssKrb5TokenCodec.decode(InitialContextToken.decode(inner).innerToken);
    const m = k.message as { ticket?: { encPart: { cipher: Uint8Array } }; authenticator?: { cipher: Uint8Array }; encPart?: { cipher: Uint8Array } };
    addSecret('AP-REQ ticket ciphertext', m.ticket?.encPart.cipher);
    addSecret('AP-REQ authenticator ciphertext', m.authenticator?.cipher);
    addSecret('AP-REP ciphertext', m.encPart?.cipher);
  } catch {
    // not a Kerberos token
  }
}

function ntlmParts(token: Uint8Array): void {
  try {
    const a = authenticateMessageCodec.decode(token);
    addSecret('NTLM NtChallengeResponse', a.ntChallengeResponse);
    addSecret('NTLM NTProofStr', a.ntChallengeResponse.subarray(0, 16));
    addSecret('NTLM LmChallengeResponse', a.lmChallengeResponse.some((b) => b !== 0) ? a.lmChallengeResponse : undefined);
    addSecret('NTLM EncryptedRandomSessionKey', a.encryptedRandomSessionKey);
    addSecret('NTLM MIC', a.mic);
  } catch {
    // not an AUTHENTICATE
  }
}

/** Records everything an error shows: message, String, util.inspect (own fields, cause chain), JSON. */
function record(label: string, e: unknown): void {
  const err = e as Error;
  outputs.push({ label, text: [err?.message, String(err), inspect(err, { depth: 8, showHidden: true, maxArrayLength: Infinity }), JSON.stringify(err) ?? ''].join('\n') });
}

/** Runs fn, records its error (it must be a SpnegoError); returns whether it failed. */
async function fails(label: string, fn: () => unknown): Promise<boolean> {
  try {
    await fn();
    return false;
  } catch (e) {
    assert.ok(e instanceof SpnegoError, `${label}: an untyped error ${String(e)}`);
    record(label, e);
    return true;
  }
}

/** Truncations and single-byte flips of a real token, fed to `feed` (a fresh context per call). */
async function mutate(label: string, token: Uint8Array, feed: (t: Uint8Array) => unknown): Promise<void> {
  const n = token.length;
  const cuts = [1, 2, 8, Math.floor(n / 3), Math.floor(n / 2), n - 17, n - 1].filter((c) => c > 0 && c < n);
  for (const c of cuts) await fails(`${label} truncated at ${c}`, () => feed(token.slice(0, c)));
  for (const at of [0, 1, 4, 12, 20, Math.floor(n / 4), Math.floor(n / 2), n - 40, n - 20, n - 1].filter((a) => a >= 0 && a < n)) {
    const t = token.slice();
    t[at]! ^= 0x41;
    await fails(`${label} byte ${at} flipped`, () => feed(t));
    // inspect never throws; its rendering of the broken token must be clean too
    const r = inspectInput({ bytes: t });
    outputs.push({ label: `inspect of ${label} byte ${at} flipped`, text: `${renderReport(r)}\n${JSON.stringify(r)}` });
  }
}

/** Every encoding a secret could appear in. */
function forms(v: Uint8Array): string[] {
  const b = Buffer.from(v);
  const b64 = b.toString('base64');
  return [
    b.toString('hex'),
    b.toString('hex').toUpperCase(),
    b64,
    b64.replace(/=+$/, ''),
    b.toString('base64url'),
    b.toString('latin1'),
    Buffer.from(b.toString('latin1'), 'utf16le').toString('latin1'),
    // a prefix is a leak too (inspect shortens long hex values): the first 12 bytes
    ...(v.length > 12 ? [b.subarray(0, 12).toString('hex'), b.subarray(0, 12).toString('hex').toUpperCase(), b.subarray(0, 12).toString('base64')] : []),
  ];
}

/** label of every secret found in `text`. */
function leaks(text: string): string[] {
  const found: string[] = [];
  const utf16 = Buffer.from(text, 'latin1');
  // util.inspect lists a Uint8Array's bytes in decimal, padded into columns over several lines.
  const compact = text.replace(/\s+/g, '');
  for (const [name, v] of secrets) {
    for (const f of forms(v)) if (text.includes(f)) found.push(`${name} as ${JSON.stringify(f).slice(0, 40)}`);
    if (compact.includes(`${[...v.subarray(0, 12)].join(',')},`) || compact.includes(`[${[...v].join(',')}]`)) found.push(`${name} as decimal bytes`);
    if (utf16.includes(Buffer.from(v).toString('latin1'), 0, 'utf16le')) found.push(`${name} as UTF-16LE`);
  }
  for (const [name, p] of passwords) {
    for (const f of [p, Buffer.from(p).toString('base64').replace(/=+$/, ''), Buffer.from(p).toString('hex'), Buffer.from(p, 'utf16le').toString('latin1')]) {
      if (text.includes(f)) found.push(`${name} as ${JSON.stringify(f)}`);
    }
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// CLI

interface Run {
  code: number | null;
  out: string;
}

function cli(args: string[], env: Record<string, string | undefined> = {}, input?: string): Promise<Run> {
  const e: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, ...lab.env, ...env })) if (v !== undefined) e[k] = v;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [repoPath('dist/src/cli/main.js'), ...args], { env: e, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('latin1')));
    child.stderr.on('data', (d: Buffer) => (out += d.toString('latin1')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      outputs.push({ label: `spnego ${args.join(' ')}`, text: out });
      resolve({ code, out });
    });
    child.stdin.end(input ?? '');
  });
}

// =============================================================================================

test('no secret of the lab realm in any error message of the failure paths (Kerberos, NTLM, SPNEGO, per-message, decoders)', async () => {
  const alice = lab.mit.users.find((u) => u.name === 'alice')!;
  const p = krb5Client.parsePrincipal(alice.principal);
  // AS: wrong password, unknown user.
  assert.ok(await fails('AS wrong password', () => krb5Client.tgtWithPassword(p, 'Wrong-Pass1')));
  assert.ok(await fails('AS unknown user', () => krb5Client.tgtWithPassword(krb5Client.parsePrincipal('nobody@SPNEGO.TEST'), alice.password)));

  // A real handshake, raw and inside SPNEGO; its tokens' ciphertexts and the MICs become secrets.
  const ini = initiator({ mech: 'negotiate', target: TARGET, credential: { ccache }, krb5Client });
  const cache = new MemoryReplayCache();
  const acc = acceptor({ credential: { keytab: lab.mit.httpKeytab }, replayCache: cache });
  const init = (await ini.step())!;
  const reply = (await acc.step(init))!;
  await ini.step(reply);
  krb5Parts(init);
  krb5Parts(reply);
  assert.ok(ini.complete && acc.complete);
  const wrapped = ini.wrap(enc('secret payload'), { encrypt: true });
  const mic = ini.getMic(enc('m'));
  addSecret('krb5 MIC token checksum', mic.subarray(16));
  await fails('krb5 unwrap flipped', () => acc.unwrap(Uint8Array.from(wrapped, (b, i) => (i === wrapped.length - 3 ? b ^ 1 : b))));
  await fails('krb5 verifyMic flipped', () => acc.verifyMic(enc('m'), Uint8Array.from(mic, (b, i) => (i === mic.length - 1 ? b ^ 1 : b))));
  await fails('krb5 verifyMic other message', () => acc.verifyMic(enc('n'), mic));
  await fails('krb5 replay', () => acceptor({ credential: { keytab: lab.mit.httpKeytab }, replayCache: cache }).step(init));
  await fails('krb5 established step', () => acc.step(init));

  // Raw AP-REQs: wrong keytab, wrong key, skew, bindings, mutations.
  const apReq = async (now?: number) => (await new Krb5Initiator({ credential: await serviceTicket(), ...(now ? { now: () => new Date(now) } : {}) }).step())!;
  const a1 = await apReq();
  krb5Parts(a1);
  await fails('krb5 host keytab', () => acceptor({ mech: 'kerberos', credential: { keytab: lab.mit.hostKeytab }, replayCache: new MemoryReplayCache() }).step(a1));
  const wrongKeys = keys.map((k) => ({ ...k, key: { ...k.key, value: k.key.value.map((b) => b ^ 0x5a) } }));
  await fails('krb5 wrong service key', () => new Krb5Acceptor({ keys: wrongKeys, replayCache: new MemoryReplayCache() }).step(a1));
  const skewed = await apReq(Date.now() + 900_000);
  krb5Parts(skewed);
  await fails('krb5 skew', () => new Krb5Acceptor({ keys, replayCache: new MemoryReplayCache() }).step(skewed));
  await fails('krb5 bindings', () => new Krb5Acceptor({ keys, replayCache: new MemoryReplayCache(), channelBindingsHash: new Uint8Array(16).fill(7) }).step(a1));
  await mutate('AP-REQ', a1, (t) => new Krb5Acceptor({ keys, replayCache: new MemoryReplayCache() }).step(t));
  await mutate('NegTokenInit(AP-REQ)', init, (t) => acceptor({ credential: { keytab: lab.mit.httpKeytab }, replayCache: new MemoryReplayCache() }).step(t));
  // The initiator's side: a mutated AP-REP / NegTokenResp.
  await mutate('NegTokenResp(AP-REP)', reply, async (t) => {
    const i = initiator({ mech: 'negotiate', target: TARGET, credential: { ccache }, krb5Client });
    await i.step();
    return i.step(t);
  });

  // NTLM: a real run (ours -> ours over the lab user file), then every failure.
  const store = new NtlmUserFileStore(lab.ntlm.userFile);
  const nAcc = (o: Partial<ConstructorParameters<typeof NtlmAcceptor>[0]> = {}) => new NtlmAcceptor({ store, netbiosDomain: lab.ntlm.domain, netbiosComputer: 'WEB', ...o });
  const nIni = (password: string, user = 'alice') => new NtlmInitiator({ credential: { username: user, domain: lab.ntlm.domain, password }, target: 'HTTP/localhost' });
  const run = async (i: NtlmInitiator, a: NtlmAcceptor) => {
    const neg = (await i.step())!;
    const ch = (await a.step(neg))!;
    const auth = (await i.step(ch))!;
    ntlmParts(auth);
    return { neg, ch, auth };
  };
  const good = nAcc();
  const gi = nIni(alice.password);
  const g = await run(gi, good);
  await good.step(g.auth);
  addSecret('NTLM exported session key', good.sessionKey);
  const sealed = gi.wrap(enc('secret payload'), { encrypt: true });
  await fails('NTLM unwrap flipped', () => good.unwrap(Uint8Array.from(sealed, (b, i) => (i === 20 ? b ^ 1 : b))));
  await fails('NTLM verifyMic flipped', () => good.verifyMic(enc('m'), new Uint8Array(16).fill(1)));
  await fails('NTLM established replay', () => good.step(g.auth));
  const w = nAcc();
  const wr = await run(nIni('Wrong-Pass1'), w);
  await fails('NTLM wrong password', () => w.step(wr.auth));
  const u = nAcc();
  const ur = await run(nIni(alice.password, 'mallory'), u);
  await fails('NTLM unknown user', () => u.step(ur.auth));
  const r1 = nAcc();
  await r1.step(g.neg);
  await fails('NTLM replay to a fresh context', () => r1.step(g.auth));
  const b = nAcc({ channelBindingsHash: new Uint8Array(16).fill(9) });
  const br = await run(nIni(alice.password), b);
  await fails('NTLM bindings', () => b.step(br.auth));
  let calls = 0;
  const s = nAcc({ now: () => new Date(Date.now() + (calls++ === 0 ? 0 : 900_000)) });
  const sr = await run(nIni(alice.password), s);
  await fails('NTLM skew', () => s.step(sr.auth));
  const m = nAcc();
  const mr = await run(nIni(alice.password), m);
  const badMic = mr.auth.slice();
  const micAt = Buffer.from(badMic).indexOf(Buffer.from(authenticateMessageCodec.decode(mr.auth).mic!));
  badMic[micAt]! ^= 1;
  await fails('NTLM bad MIC', () => m.step(badMic));
  await mutate('NTLM AUTHENTICATE', g.auth, async (t) => {
    const a = nAcc();
    await a.step(g.neg);
    return a.step(t);
  });
  await mutate('NTLM NEGOTIATE', g.neg, (t) => nAcc().step(t));
  await mutate('NTLM CHALLENGE', g.ch, async (t) => {
    const i = nIni(alice.password);
    await i.step();
    return i.step(t);
  });
  for (const t of [g.neg, g.ch, g.auth]) await fails('NTLM decode of a cut token', () => decodeNtlmMessage(t.subarray(0, t.length - 5)));

  // SPNEGO over NTLM: a rewritten mech list (BAD_MIC) and mutated continuation tokens.
  const sIni = initiator({ mech: 'negotiate', target: TARGET, credential: { username: `${lab.ntlm.domain}\\alice`, password: alice.password }, order: ['ntlm'] });
  const sAcc: SecurityContext = acceptor({ credential: { ntlmUsers: lab.ntlm.userFile }, ntlm: { netbiosDomain: lab.ntlm.domain, netbiosComputer: 'WEB' } });
  const sInit = (await sIni.step())!;
  const v = decodeSpnegoToken(sInit).token.value as { mechToken: Uint8Array };
  const forged = encodeSpnegoToken({ framed: true, token: { type: 'negTokenInit', value: { mechTypes: [OID.NTLMSSP, OID.KRB5], mechToken: v.mechToken } } });
  const sAuth = (await sIni.step((await sAcc.step(forged))!))!;
  krb5Parts(sAuth);
  const inner = (decodeSpnegoToken(sAuth).token.value as { responseToken: Uint8Array }).responseToken;
  ntlmParts(inner);
  assert.ok(await fails('SPNEGO rewritten mech list', () => sAcc.step(sAuth)));
  await mutate('NegTokenResp(AUTHENTICATE)', sAuth, async (t) => {
    const a = acceptor({ credential: { ntlmUsers: lab.ntlm.userFile }, ntlm: { netbiosDomain: lab.ntlm.domain, netbiosComputer: 'WEB' } });
    await a.step(forged);
    return a.step(t);
  });

  assert.ok(outputs.length > 150, `${outputs.length} outputs`);
  assert.ok(secrets.size > 40, `${secrets.size} secrets`);
  const found = outputs.flatMap((o) => leaks(o.text).map((l) => `${o.label}: ${l}`));
  assert.deepEqual(found, [], found.join('\n'));
  // Positive control: a key attached to an error would be found in util.inspect's rendering.
  const planted = new SpnegoError('FAILURE', 'planted', { outputToken: good.sessionKey! });
  assert.ok(leaks(inspect(planted, { showHidden: true })).some((l) => /NTLM exported session key/.test(l)));
});

test('no secret in the CLI: kinit/klist/kdestroy failures and listings, spnego serve logs with clients failing and succeeding, spnego fetch (-v), spnego inspect (--json, --exchange) of real tokens, ccache and keytab', async () => {
  const alice = lab.mit.users.find((u) => u.name === 'alice')!;
  const cc = join(dir, 'cli-cc');
  const before = outputs.length;
  assert.notEqual((await cli(['kinit', '-c', `FILE:${cc}`, alice.principal], { SPNEGO_PASSWORD: 'Wrong-Pass1' })).code, 0);
  assert.notEqual((await cli(['kinit', '-c', `FILE:${cc}`, 'nobody@SPNEGO.TEST'], { SPNEGO_PASSWORD: alice.password })).code, 0);
  assert.notEqual((await cli(['kinit', '-k', '-t', lab.mit.httpKeytab, '-c', `FILE:${cc}`, alice.principal])).code, 0);
  assert.equal((await cli(['kinit', '-c', `FILE:${cc}`, alice.principal], {}, `${alice.password}\n`)).code, 0);
  for (const c of readCcache(`FILE:${cc}`).credentials) addCred('CLI TGT', c);
  await cli(['klist', '-c', `FILE:${cc}`]);
  await cli(['klist', '-e', '-f', '-a', '-c', `FILE:${cc}`]);
  await cli(['klist', '-k', '-t', '-e', lab.mit.httpKeytab]);
  const junk = join(dir, 'junk');
  writeFileSync(junk, Buffer.concat([Buffer.from([5, 4]), readFileSync(lab.mit.httpKeytab).subarray(2, 60)]));
  assert.notEqual((await cli(['klist', '-c', `FILE:${junk}`])).code, 0);
  assert.notEqual((await cli(['klist', '-k', junk])).code, 0);
  assert.notEqual((await cli(['kdestroy', '-c', `FILE:${join(dir, 'none')}`])).code, null);

  // spnego serve with Kerberos and NTLM, its log while fetch clients fail and succeed.
  const child = spawn(process.execPath, [repoPath('dist/src/cli/main.js'), 'serve', '--port', '0', '--keytab', lab.mit.httpKeytab, '--ntlm-users', lab.ntlm.userFile, '--ntlm-domain', lab.ntlm.domain], {
    env: { ...process.env, ...lab.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  cleanups.push(() => child.kill('SIGKILL'));
  let log = '';
  child.stdout.on('data', (d: Buffer) => (log += d.toString('latin1')));
  child.stderr.on('data', (d: Buffer) => (log += d.toString('latin1')));
  for (let i = 0; i < 200 && !/listening on (\S+)/.test(log); i++) await new Promise((r) => setTimeout(r, 25));
  const url = /listening on (\S+)/.exec(log)?.[1]?.replace('127.0.0.1', 'localhost'); // the SPN is HTTP/localhost
  assert.ok(url, log);
  const krb = await cli(['fetch', '-v', '--mutual', url], { KRB5CCNAME: `FILE:${cc}` });
  assert.equal(krb.code, 0, krb.out);
  const ntlm = await cli(['fetch', '-v', '-u', `${lab.ntlm.domain}\\alice`, '--mech', 'ntlm', url], { SPNEGO_PASSWORD: alice.password, KRB5CCNAME: `FILE:${join(dir, 'none')}` });
  assert.equal(ntlm.code, 0, ntlm.out);
  assert.notEqual((await cli(['fetch', '-v', '-u', `${lab.ntlm.domain}\\alice`, url], { SPNEGO_PASSWORD: 'Wrong-Pass1', KRB5CCNAME: `FILE:${join(dir, 'none')}` })).code, 0);
  assert.notEqual((await cli(['fetch', '-v', '-u', `${lab.ntlm.domain}\\mallory`, url], { SPNEGO_PASSWORD: alice.password, KRB5CCNAME: `FILE:${join(dir, 'none')}` })).code, 0);
  assert.notEqual((await cli(['fetch', '-v', '--password', 'Wrong-Pass1', '-u', alice.principal, '--no-ntlm-fallback', url], { KRB5CCNAME: `FILE:${join(dir, 'none')}` })).code, 0);
  assert.notEqual((await cli(['fetch', url], { KRB5CCNAME: `FILE:${join(dir, 'none')}`, SPNEGO_PASSWORD: undefined })).code, 0);
  // Real tokens: a Kerberos and an NTLM SPNEGO exchange captured in process, inspected by the CLI.
  const ini = initiator({ mech: 'negotiate', target: TARGET, credential: { ccache: `FILE:${cc}` }, krb5Client });
  const acc = acceptor({ credential: { keytab: lab.mit.httpKeytab }, replayCache: new MemoryReplayCache() });
  const kInit = (await ini.step())!;
  const kReply = (await acc.step(kInit))!;
  krb5Parts(kInit);
  krb5Parts(kReply);
  const nIni = initiator({ mech: 'negotiate', target: TARGET, credential: { username: `${lab.ntlm.domain}\\alice`, password: alice.password }, order: ['ntlm'] });
  const nAcc = acceptor({ credential: { ntlmUsers: lab.ntlm.userFile }, ntlm: { netbiosDomain: lab.ntlm.domain, netbiosComputer: 'WEB' } });
  const n1 = (await nIni.step())!;
  const n2 = (await nAcc.step(n1))!;
  const n3 = (await nIni.step(n2))!;
  const n4 = (await nAcc.step(n3))!;
  krb5Parts(n3);
  krb5Parts(n4);
  ntlmParts((decodeSpnegoToken(n3).token.value as { responseToken: Uint8Array }).responseToken);
  const b64 = (t: Uint8Array) => Buffer.from(t).toString('base64');
  for (const t of [kInit, kReply, n1, n2, n3, n4]) {
    assert.equal((await cli(['inspect', b64(t)])).code, 0);
    await cli(['inspect', '--json', b64(t)]);
    await cli(['inspect', `Negotiate ${b64(t.subarray(0, t.length - 7))}`]);
  }
  const exchange = [`> Authorization: Negotiate ${b64(n1)}`, `< WWW-Authenticate: Negotiate ${b64(n2)}`, `> Authorization: Negotiate ${b64(n3)}`, `< WWW-Authenticate: Negotiate ${b64(n4)}`].join('\n');
  await cli(['inspect', '--exchange', '-'], {}, exchange);
  await cli(['inspect', '--exchange', '--json', '-'], {}, exchange);
  await cli(['inspect', '--raw', '-'], {}, readFileSync(cc, 'latin1'));
  await cli(['inspect', '--raw', '--json', '-'], {}, readFileSync(lab.mit.httpKeytab, 'latin1'));
  child.kill('SIGTERM');
  await new Promise((r) => child.once('close', r));
  outputs.push({ label: 'spnego serve log', text: log });
  assert.match(log, /authenticated alice@SPNEGO\.TEST mech=kerberos/);
  assert.match(log, /authenticated SPNEGO\\alice mech=ntlm/);
  assert.match(log, /refused 401 UNAUTHORIZED/);

  const cliOutputs = outputs.slice(before);
  assert.ok(cliOutputs.length >= 35, `${cliOutputs.length} CLI outputs`);
  const found = cliOutputs.flatMap((o) => leaks(o.text).map((l) => `${o.label.slice(0, 120)}: ${l}`));
  assert.deepEqual(found, [], found.join('\n'));

  // Positive control: the search does find secrets where they are meant to be shown.
  const shown = await cli(['inspect', '--show-secrets', b64(kInit)]);
  assert.ok(leaks(shown.out).some((l) => /ticket ciphertext/.test(l)), `inspect --show-secrets shows the ticket ciphertext: ${shown.out.slice(0, 400)}`);
  const shownMic = await cli(['inspect', '--show-secrets', b64(n3)]);
  assert.ok(leaks(shownMic.out).some((l) => /NTLM MIC|mechListMIC/.test(l)), shownMic.out.slice(0, 400));
  const keysShown = await cli(['klist', '-k', '-K', lab.mit.httpKeytab]);
  assert.ok(leaks(keysShown.out).some((l) => /keytab .*http\.keytab key/.test(l)), keysShown.out.slice(0, 400));
  assert.ok(leaks(`x ${passwords.values().next().value} y`).length > 0, 'the password search works');
});
