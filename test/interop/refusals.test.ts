// Interop (issue 8 acceptance): "A replayed AP-REQ, a replayed NTLM AUTHENTICATE, a clock skewed
// past the limit, a man in the middle rewriting the mech list: each refused, tested."
//
// Every token here is real: alice's TGT comes from our AS exchange with the lab's MIT KDC
// (SPNEGO.TEST), service tickets from its TGS, the service keys from the lab's HTTP keytab; NTLM
// tokens come from gss-ntlmssp (python-gssapi, scripts/lab/ntlm_peer.py), MIT's SPNEGO over
// gss-ntlmssp (scripts/lab/spnego_peer.py) or our initiator; the HTTP cases run against a real
// `spnego serve` process; one skew case runs against MIT's own acceptor (scripts/lab/krb5_gss_peer.py).
// Only the man in the middle is ours: it rewrites bytes between two real peers.
// Needs the lab (LAB_STATE); without it every test fails and says how to start it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initiator, acceptor, type SecurityContext } from '../../src/gss/context.js';
import { SpnegoError, type ErrorCode } from '../../src/errors.js';
import { Krb5Client } from '../../src/mech/krb5/client.js';
import { readKeytab, serviceKeysFromKeytab, writeCcache } from '../../src/mech/krb5/ccache-store.js';
import { MemoryReplayCache } from '../../src/mech/krb5/replay-cache.js';
import { Krb5Initiator } from '../../src/mech/krb5/gss-initiator.js';
import { Krb5Acceptor, type ServiceKey } from '../../src/mech/krb5/gss-acceptor.js';
import { serviceTicketFor } from '../../src/gss/krb5-credential.js';
import { NtlmAcceptor } from '../../src/mech/ntlm/acceptor.js';
import { NtlmUserFileStore } from '../../src/mech/ntlm/store.js';
import { SpnegoInitiator } from '../../src/spnego/initiator.js';
import { SpnegoAcceptor } from '../../src/spnego/acceptor.js';
import { krb5AcceptorMech, krb5InitiatorMech } from '../../src/spnego/krb5.js';
import { ntlmInitiatorMech } from '../../src/spnego/ntlm.js';
import { InitialContextToken } from '../../src/codec/gss/initial-context-token.js';
import { gssKrb5TokenCodec } from '../../src/codec/krb5/gss-krb5-token.js';
import { decodeSpnegoToken, encodeSpnegoToken } from '../../src/codec/spnego/spnego-token.js';
import { authenticateMessageCodec, challengeMessageCodec } from '../../src/codec/ntlm/index.js';
import type { Credential } from '../../src/mech/krb5/credential.js';
import { OID } from '../../src/iana/oids.js';
import { ErrorCode as Krb } from '../../src/iana/krb5.js';
import { LabPeer, NtlmPeer, readLab, type NtlmLab, type PeerRole } from '../helpers/peer.js';
import { SpnegoPeer, describeSpnego } from '../helpers/spnego-peer.js';
import { repoPath } from '../helpers/paths.js';

interface Lab extends NtlmLab {
  env: Record<string, string>;
  mit: { realm: string; krb5Conf: string; httpKeytab: string; users: { name: string; principal: string; password: string }[] };
}

let lab: Lab;
let dir: string;
let ccache: string;
let krb5Client: Krb5Client;
let keys: ServiceKey[];
let alice: { name: string; principal: string; password: string };
const TARGET = 'HTTP@localhost';
const cleanups: (() => Promise<void> | void)[] = [];

before(async () => {
  lab = readLab() as Lab;
  alice = lab.mit.users.find((u) => u.name === 'alice')!;
  dir = mkdtempSync(join(tmpdir(), 'spnego-refusals-'));
  // Alice's TGT from our AS exchange with the lab's MIT KDC, in a cache of our own.
  krb5Client = new Krb5Client({ env: { KRB5_CONFIG: lab.mit.krb5Conf } });
  const principal = krb5Client.parsePrincipal(alice.principal);
  ccache = `FILE:${join(dir, 'cc')}`;
  writeCcache(ccache, principal, [await krb5Client.tgtWithPassword(principal, alice.password)]);
  keys = serviceKeysFromKeytab(readKeytab(lab.mit.httpKeytab));
});
after(async () => {
  for (const c of cleanups.reverse()) await c();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
const unb64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));

/** Asserts `p` rejects with a SpnegoError of `code`; returns it. */
async function refused(p: Promise<unknown>, code: ErrorCode, what: string): Promise<SpnegoError> {
  let err: unknown;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof SpnegoError, `${what}: expected SpnegoError ${code}, got ${err === undefined ? 'acceptance' : String(err)}`);
  assert.equal(err.code, code, `${what}: ${err.message}`);
  return err;
}

/** A fresh service ticket for HTTP/localhost from the MIT KDC (TGS with alice's TGT). */
async function serviceTicket(): Promise<Credential> {
  return (await serviceTicketFor(krb5Client, { ccache }, TARGET)).ticket;
}

/** The Kerberos message inside a raw (0x60-framed) Kerberos GSS token. */
function krb5Inner(token: Uint8Array): ReturnType<typeof gssKrb5TokenCodec.decode> {
  return gssKrb5TokenCodec.decode(InitialContextToken.decode(token).innerToken);
}

// ---------------------------------------------------------------------------------------------
// spnego serve, on a free port, killed after the file

interface Serve {
  url: string;
  log: () => string;
}

async function startServe(args: string[], env: Record<string, string | undefined>): Promise<Serve> {
  const childEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, ...env })) if (v !== undefined) childEnv[k] = v;
  const child: ChildProcess = spawn(process.execPath, [repoPath('dist/src/cli/main.js'), 'serve', '--port', '0', ...args], { env: childEnv, stdio: ['ignore', 'ignore', 'pipe'] });
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => {
          child.kill('SIGKILL');
          resolve();
        }, 3000).unref();
      }),
  );
  let log = '';
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  for (let i = 0; i < 200 && !/listening on (\S+)/.test(log) && child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 25));
  const url = /listening on (\S+)/.exec(log)?.[1];
  assert.ok(url, `spnego serve did not start: ${log}`);
  return { url, log: () => log };
}

interface Reply {
  status: number;
  body: string;
  www: string | undefined;
}

/** One GET with `Authorization: Negotiate <token>`; `agent` false means a new connection. */
function get(url: string, token: Uint8Array | undefined, agent: http.Agent | false = false): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = token ? { Authorization: `Negotiate ${b64(token)}` } : {};
    if (agent === false) headers['Connection'] = 'close';
    http
      .get(url, { agent, headers }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => {
          const w = res.headers['www-authenticate'];
          resolve({ status: res.statusCode ?? 0, body, www: Array.isArray(w) ? w.join(', ') : w });
        });
      })
      .on('error', reject);
  });
}

const negotiateToken = (r: Reply): Uint8Array | undefined => {
  const m = /Negotiate ([A-Za-z0-9+/=]+)/.exec(r.www ?? '');
  return m ? unb64(m[1]!) : undefined;
};

async function logged(s: Serve, re: RegExp): Promise<void> {
  for (let i = 0; i < 60 && !re.test(s.log()); i++) await new Promise((r) => setTimeout(r, 25));
  assert.match(s.log(), re);
}

// =============================================================================================
// 1. Replayed AP-REQ
//
// RFC 4120 3.2.3 (and 3.2.5): the server keeps a replay cache of authenticators (client, ctime,
// cusec) seen within the allowable clock skew and refuses one it has seen with KRB_AP_ERR_REPEAT;
// RFC 4121 maps that to GSS_S_DUPLICATE_TOKEN. Our acceptor keys the cache on client, server,
// ctime, cusec and a digest of the authenticator ciphertext (as MIT 1.18+). Several acceptors
// (or processes) that share a cache must refuse what any of them accepted.

test('replayed AP-REQ, raw Kerberos: accepted once, refused DUPLICATE_TOKEN by a second acceptor sharing the replay cache (and by the process-wide default cache)', async () => {
  const ini = initiator({ mech: 'kerberos', target: TARGET, credential: { ccache }, krb5Client });
  const apReq = await ini.step();
  assert.ok(apReq);
  assert.equal(krb5Inner(apReq).tokId, 'AP-REQ');

  const cache = new MemoryReplayCache();
  const first = acceptor({ mech: 'kerberos', credential: { keytab: lab.mit.httpKeytab }, replayCache: cache });
  const apRep = await first.step(apReq);
  assert.ok(first.complete && apRep, 'the first AP-REQ is accepted');
  assert.equal(first.peerName?.principal, alice.principal);
  assert.equal(await ini.step(apRep), undefined); // our initiator accepts the AP-REP: a live exchange
  assert.ok(ini.complete);

  // The same acceptor context cannot be stepped again.
  await refused(first.step(apReq), 'NO_CONTEXT', 'established acceptor, replayed AP-REQ');

  // A second acceptor instance with the same cache: the replay is refused.
  const second = acceptor({ mech: 'kerberos', credential: { keytab: lab.mit.httpKeytab }, replayCache: cache });
  const e = await refused(second.step(apReq), 'DUPLICATE_TOKEN', 'second acceptor, shared cache');
  assert.equal(e.krbError?.code, Krb.KRB_AP_ERR_REPEAT);
  assert.equal(e.major, 1 << 1, 'GSS_S_DUPLICATE_TOKEN supplementary bit');
  assert.equal(second.complete, false);
  assert.equal(second.peerName, undefined);

  // Acceptors without their own cache share the process-wide one (as MIT's per-process default).
  const fresh = await initiator({ mech: 'kerberos', target: TARGET, credential: { ccache }, krb5Client }).step();
  assert.ok(fresh);
  const d1 = acceptor({ mech: 'kerberos', credential: { keytab: lab.mit.httpKeytab } });
  assert.ok(await d1.step(fresh));
  assert.equal(d1.peerName?.principal, alice.principal);
  const d2 = acceptor({ mech: 'kerberos', credential: { keytab: lab.mit.httpKeytab } });
  await refused(d2.step(fresh), 'DUPLICATE_TOKEN', 'second acceptor, default cache');
});

test('replayed AP-REQ inside SPNEGO: the NegTokenInit is accepted once; the replay is refused DUPLICATE_TOKEN with a SPNEGO reject', async () => {
  const ini = initiator({ mech: 'negotiate', target: TARGET, credential: { ccache }, krb5Client });
  const init = await ini.step();
  assert.ok(init);
  assert.match(describeSpnego(init), new RegExp(`^negTokenInit mechs=${OID.KRB5.replace(/\./g, '\\.')}`));
  const cache = new MemoryReplayCache();
  const a1 = acceptor({ credential: { keytab: lab.mit.httpKeytab }, replayCache: cache });
  const reply = await a1.step(init);
  assert.ok(a1.complete && reply);
  assert.equal(a1.mech, 'kerberos');
  assert.equal(a1.peerName?.principal, alice.principal);
  await ini.step(reply);
  assert.ok(ini.complete);

  const a2 = acceptor({ credential: { keytab: lab.mit.httpKeytab }, replayCache: cache });
  const e = await refused(a2.step(init), 'DUPLICATE_TOKEN', 'SPNEGO acceptor, replayed NegTokenInit');
  assert.equal(e.krbError?.code, Krb.KRB_AP_ERR_REPEAT);
  assert.ok(e.outputToken, 'the acceptor hands out a reject token');
  const t = decodeSpnegoToken(e.outputToken).token;
  assert.equal(t.type === 'negTokenResp' ? t.value.negState : t.type, 'reject');
  assert.equal(a2.complete, false);
  assert.equal(a2.peerName, undefined);
  // The established SPNEGO context refuses it too.
  await refused(a1.step(init), 'NO_CONTEXT', 'established SPNEGO acceptor, replayed NegTokenInit');
  assert.ok(a1.complete, 'the refused replay leaves the established context alone');
  assert.equal(a1.peerName?.principal, alice.principal);
  const msg = new TextEncoder().encode('after the replay');
  assert.deepEqual(a1.unwrap(ini.wrap(msg, { encrypt: true })), msg);
});

test('replayed AP-REQ over HTTP: spnego serve --keytab answers 200 once, then 401 DUPLICATE_TOKEN to the same Authorization header on a new connection', async () => {
  const s = await startServe(['--keytab', lab.mit.httpKeytab], { ...lab.env, NTLM_USER_FILE: undefined });
  const token = await initiator({ mech: 'negotiate', target: TARGET, credential: { ccache }, krb5Client }).step();
  assert.ok(token);
  const first = await get(s.url, token);
  assert.equal(first.status, 200, first.body);
  assert.equal((JSON.parse(first.body) as { principal: string }).principal, alice.principal);
  for (let i = 0; i < 2; i++) {
    const replay = await get(s.url, token);
    assert.equal(replay.status, 401, `replay ${i + 1}: ${replay.body}`);
    assert.doesNotMatch(replay.body, /alice/);
  }
  await logged(s, /refused 401 DUPLICATE_TOKEN[^\n]*\n[^\n]*refused 401 DUPLICATE_TOKEN/);
  assert.equal(s.log().match(/ authenticated alice@/g)?.length, 1, s.log());
});

// =============================================================================================
// 2. Replayed NTLM AUTHENTICATE
//
// MS-NLMP 3.2.5.1.2 / 3.3.2: the NTLMv2 response is NTProofStr = HMAC_MD5(ResponseKeyNT,
// ServerChallenge || temp), so an AUTHENTICATE answers exactly one CHALLENGE; a server issues a
// fresh random ServerChallenge per context (3.2.5.1.1), hence a replay to another context fails
// the proof. A context that is established accepts no further handshake token (its state machine
// is done: MS-NLMP 3.2.5.1.2 processes one AUTHENTICATE per CHALLENGE). NTLM has no replay cache
// of its own; the challenge is the replay protection.

const ntlmAcceptor = (now?: () => Date) =>
  new NtlmAcceptor({ store: new NtlmUserFileStore(lab.ntlm.userFile), netbiosDomain: lab.ntlm.domain, netbiosComputer: 'WEB', dnsDomain: 'spnego.test', dnsComputer: 'web.spnego.test', ...(now ? { now } : {}) });

async function ntlmPeer(role: PeerRole): Promise<NtlmPeer> {
  const p = await NtlmPeer.startLab(lab, role);
  cleanups.push(() => p.close());
  return p;
}

/** gss-ntlmssp's initiator against an NtlmAcceptor of ours; returns its NEGOTIATE and AUTHENTICATE. */
async function gssNtlmHandshake(acc: NtlmAcceptor): Promise<{ negotiate: Uint8Array; authenticate: Uint8Array; error?: unknown }> {
  const ini = await ntlmPeer('gss-init');
  try {
    const neg = await ini.step();
    assert.ok(neg.token);
    const challenge = await acc.step(neg.token);
    assert.ok(challenge);
    const auth = await ini.step(challenge);
    assert.ok(auth.token);
    try {
      await acc.step(auth.token);
    } catch (error) {
      return { negotiate: neg.token, authenticate: auth.token, error };
    }
    return { negotiate: neg.token, authenticate: auth.token };
  } finally {
    await ini.close();
  }
}

test('replayed NTLM AUTHENTICATE (gss-ntlmssp): refused UNAUTHORIZED by a fresh context with another CHALLENGE, and refused NO_CONTEXT by the established context', async () => {
  const acc = ntlmAcceptor();
  const real = await gssNtlmHandshake(acc);
  assert.equal(real.error, undefined, String(real.error));
  assert.ok(acc.complete);
  assert.equal(acc.peerName?.user.toLowerCase(), 'alice');
  const peer = acc.peerName;
  const key = acc.sessionKey;

  // (a) A fresh acceptor context: the attacker replays NEGOTIATE, gets a new CHALLENGE, replays AUTHENTICATE.
  const other = ntlmAcceptor();
  const ch = await other.step(real.negotiate);
  assert.ok(ch);
  assert.equal(challengeMessageCodec.decode(ch).serverChallenge.length, 8);
  const e = await refused(other.step(real.authenticate), 'UNAUTHORIZED', 'fresh context, replayed AUTHENTICATE');
  assert.match(e.message, /does not verify/);
  assert.equal(other.complete, false);
  assert.equal(other.peerName, undefined);
  // ...and that context is spent: a second try is refused too.
  await refused(other.step(real.authenticate), 'NO_CONTEXT', 'failed context, AUTHENTICATE again');

  // (b) The same, established context: refused with a typed error; its identity and key are unchanged.
  await refused(acc.step(real.authenticate), 'NO_CONTEXT', 'established context, replayed AUTHENTICATE');
  assert.ok(acc.complete);
  assert.deepEqual(acc.peerName, peer);
  assert.deepEqual(acc.sessionKey, key);
});

test('replayed NTLM AUTHENTICATE inside SPNEGO (MIT SPNEGO over gss-ntlmssp): a fresh SPNEGO acceptor refuses it UNAUTHORIZED, the established one NO_CONTEXT', async () => {
  const ini = await SpnegoPeer.startLab(lab, 'gss-init');
  cleanups.push(() => ini.close());
  const opts = { credential: { ntlmUsers: lab.ntlm.userFile }, ntlm: { netbiosDomain: lab.ntlm.domain, netbiosComputer: 'WEB' } };
  const acc = acceptor(opts);
  const sent: Uint8Array[] = [];
  let r = await ini.step();
  for (let leg = 0; leg < 4 && r.token; leg++) {
    sent.push(r.token);
    const out = await acc.step(r.token);
    if (!out) break;
    r = await ini.step(out, acc.complete);
    if (acc.complete) break;
  }
  assert.ok(acc.complete, `MIT's initiator authenticated: ${sent.map(describeSpnego).join(' | ')}`);
  assert.equal(acc.mech, 'ntlm');
  const [init, auth] = [sent[0]!, sent[1]!];
  assert.match(describeSpnego(auth), /AUTHENTICATE\+MIC mechListMIC/);

  const fresh = acceptor(opts);
  assert.ok(await fresh.step(init)); // a new CHALLENGE
  const e = await refused(fresh.step(auth), 'UNAUTHORIZED', 'fresh SPNEGO acceptor, replayed AUTHENTICATE');
  assert.ok(e.outputToken && describeSpnego(e.outputToken).startsWith('negTokenResp reject'));
  assert.equal(fresh.peerName, undefined);
  await refused(acc.step(auth), 'NO_CONTEXT', 'established SPNEGO acceptor, replayed AUTHENTICATE');
  // The refused replay leaves the established context as it was: same peer, and MIT's next sealed message unwraps.
  assert.ok(acc.complete);
  assert.equal(acc.peerName?.user.toLowerCase(), 'alice');
  const msg = new TextEncoder().encode('after the replay');
  assert.deepEqual(acc.unwrap((await ini.wrap(msg, true)).token), msg);
});

test('replayed NTLM AUTHENTICATE over HTTP: spnego serve --ntlm-users answers 401 on a new connection, with or without a fresh CHALLENGE first; never 200', async () => {
  const s = await startServe(['--ntlm-users', lab.ntlm.userFile, '--ntlm-domain', lab.ntlm.domain], { KRB5_KTNAME: undefined, NTLM_USER_FILE: undefined, KRB5_CONFIG: lab.mit.krb5Conf });
  // A real handshake by our initiator on one kept-alive connection; the attacker records the headers.
  const ini = initiator({ mech: 'negotiate', target: TARGET, credential: { username: `${lab.ntlm.domain}\\alice`, password: alice.password }, forbidNtlm: false, order: ['ntlm'] });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  cleanups.push(() => agent.destroy());
  const recorded: Uint8Array[] = [];
  let tok = await ini.step();
  let res: Reply | undefined;
  for (let leg = 0; tok && leg < 4; leg++) {
    recorded.push(tok);
    res = await get(s.url, tok, agent);
    if (res.status !== 401) break;
    const back = negotiateToken(res);
    assert.ok(back, `a continuation from the server: ${res.www}`);
    tok = await ini.step(back);
  }
  assert.equal(res?.status, 200, `${res?.body}; serve log:\n${s.log()}`);
  assert.equal((JSON.parse(res!.body) as { principal: string; mech: string }).mech, 'ntlm');
  assert.equal(recorded.length, 2, s.log());
  const [init, auth] = recorded as [Uint8Array, Uint8Array];
  agent.destroy();

  // (i) AUTHENTICATE alone on a new connection: a continuation token with no context.
  const alone = await get(s.url, auth);
  assert.equal(alone.status, 401, `${alone.body}; serve log:\n${s.log()}`);
  // (ii) The recorded NegTokenInit first (a new CHALLENGE), then the recorded AUTHENTICATE, on one new connection.
  const a2 = new http.Agent({ keepAlive: true, maxSockets: 1 });
  cleanups.push(() => a2.destroy());
  const c = await get(s.url, init, a2);
  assert.equal(c.status, 401, s.log());
  assert.ok(negotiateToken(c), `a new CHALLENGE; serve log:\n${s.log()}`);
  const replay = await get(s.url, auth, a2);
  assert.equal(replay.status, 401, `${replay.body}; serve log:\n${s.log()}`);
  assert.doesNotMatch(replay.body, /alice/i);
  a2.destroy();
  // (iii) The raw NTLMSSP AUTHENTICATE inside it (as browsers send raw NTLM) on a new connection:
  // an authentication failure (401, a new challenge possible), not a malformed request (400).
  const rawAuth = (decodeSpnegoToken(auth).token.value as { responseToken?: Uint8Array }).responseToken;
  assert.ok(rawAuth && Buffer.from(rawAuth.subarray(0, 8)).toString('latin1') === 'NTLMSSP\0', 'the recorded AUTHENTICATE');
  const rawReplay = await get(s.url, rawAuth);
  assert.equal(rawReplay.status, 401, `${rawReplay.body}; serve log:\n${s.log()}`);
  await logged(s, /refused 401 UNAUTHORIZED: NTLMv2 response does not verify/);
  assert.equal(s.log().match(/ authenticated /g)?.length, 1, s.log());
});

// =============================================================================================
// 3. Clock skewed past the limit
//
// RFC 4120 3.2.3: the server refuses an authenticator whose ctime/cusec is not within the
// allowable clock skew (default 300 s, RFC 4120 1.7 / MIT clockskew) with KRB_AP_ERR_SKEW, and
// the KRB-ERROR carries the server's time (stime/susec) so the client can correct (3.2.6, 7.5.9).
// RFC 4121 4.1: the acceptor returns that KRB-ERROR as an error token. NTLM (MS-NLMP 3.2.5.1.2):
// the server may refuse an NTLMv2 response whose TimeStamp is outside its skew window (ours:
// CREDENTIALS_EXPIRED, after the proof has verified so the timestamp is authentic).

test('clock skew past the limit, Kerberos: our acceptor refuses an authenticator 300.001 s off with CLOCK_SKEW and a KRB-ERROR carrying its time; 300 s exactly is accepted', async () => {
  const T = Date.now();
  const cases: [number, 'ok' | 'skew'][] = [
    [300_001, 'skew'],
    [-300_001, 'skew'],
    [300_000, 'ok'],
    [-300_000, 'ok'],
  ];
  for (const [delta, want] of cases) {
    const ini = new Krb5Initiator({ credential: await serviceTicket(), now: () => new Date(T) });
    const apReq = await ini.step();
    assert.ok(apReq);
    const serverNow = T + delta;
    const acc = new Krb5Acceptor({ keys, replayCache: new MemoryReplayCache(), now: () => new Date(serverNow) });
    if (want === 'ok') {
      const apRep = await acc.step(apReq);
      assert.ok(acc.complete && apRep, `delta ${delta} ms is within the skew`);
      continue;
    }
    const e = await refused(acc.step(apReq), 'CLOCK_SKEW', `delta ${delta} ms`);
    assert.equal(e.krbError?.code, Krb.KRB_AP_ERR_SKEW);
    assert.equal(e.krbError?.serverTime?.getTime(), Math.floor(serverNow / 1000) * 1000);
    assert.ok(e.outputToken, 'a KRB-ERROR error token (RFC 4121 4.1)');
    const k = krb5Inner(e.outputToken);
    assert.equal(k.tokId, 'KRB-ERROR');
    const ke = k.message as { errorCode: number; stime: Date; susec: number };
    assert.equal(ke.errorCode, Krb.KRB_AP_ERR_SKEW);
    assert.equal(ke.stime.getTime() + Math.floor(ke.susec / 1000), serverNow);
    assert.equal(acc.complete, false);
    assert.equal(acc.peerName, undefined);
    // Our initiator, given that error token, reports CLOCK_SKEW with the server's time.
    const ie = await refused(ini.step(e.outputToken), 'CLOCK_SKEW', 'initiator reading the KRB-ERROR');
    assert.equal(ie.krbError?.serverTime?.getTime(), Math.floor(serverNow / 1000) * 1000);
  }
});

test('clock skew past the limit, Kerberos inside SPNEGO: the reject carries the KRB-ERROR; our SPNEGO initiator surfaces CLOCK_SKEW', async () => {
  const T = Date.now();
  const ini = new SpnegoInitiator({ mechs: [krb5InitiatorMech({ credential: await serviceTicket(), now: () => new Date(T - 600_000) })] });
  const acc = new SpnegoAcceptor({ mechs: [krb5AcceptorMech({ keys, replayCache: new MemoryReplayCache(), now: () => new Date(T) })] });
  const init = await ini.step();
  assert.ok(init);
  const e = await refused(acc.step(init), 'CLOCK_SKEW', 'SPNEGO acceptor');
  assert.equal(e.krbError?.code, Krb.KRB_AP_ERR_SKEW);
  assert.ok(e.outputToken);
  const t = decodeSpnegoToken(e.outputToken).token;
  assert.ok(t.type === 'negTokenResp' && t.value.negState === 'reject' && t.value.responseToken);
  assert.equal(krb5Inner(t.value.responseToken).tokId, 'KRB-ERROR');
  const ie = await refused(ini.step(e.outputToken), 'CLOCK_SKEW', 'SPNEGO initiator reading the reject');
  assert.equal(ie.krbError?.serverTime?.getTime(), Math.floor(T / 1000) * 1000);
});

/** scripts/lab/krb5_gss_peer.py as MIT's acceptor (raw krb5, HTTP keytab). */
class MitKrb5Acceptor extends LabPeer {
  static async startLab(): Promise<MitKrb5Acceptor> {
    const rcache = join(dir, 'rcache');
    mkdirSync(rcache, { recursive: true, mode: 0o1777 });
    return LabPeer.ready(
      new MitKrb5Acceptor('krb5_gss_peer.py', 'accept' as PeerRole, {
        python: lab.python,
        env: { KRB5_CONFIG: lab.mit.krb5Conf, KRB5_KTNAME: `FILE:${lab.mit.httpKeytab}`, KRB5RCACHEDIR: rcache },
      }),
    );
  }
}

test("clock skew past the limit, against MIT's acceptor: our initiator with a clock 10 minutes fast is refused (Clock skew too great); the KRB-ERROR becomes CLOCK_SKEW on our side", async () => {
  const mit = await MitKrb5Acceptor.startLab();
  cleanups.push(() => mit.close());
  const ini = new Krb5Initiator({ credential: await serviceTicket(), now: () => new Date(Date.now() + 600_000) });
  const apReq = await ini.step();
  assert.ok(apReq);
  const r = await mit.tryStep(apReq);
  assert.equal(r.ok, false, `MIT accepted a skewed authenticator: ${JSON.stringify(r)}`);
  assert.match(String(r.error), /skew/i);
  if (r.token) {
    const tok = unb64(r.token);
    assert.equal(krb5Inner(tok).tokId, 'KRB-ERROR');
    const ie = await refused(ini.step(tok), 'CLOCK_SKEW', "our initiator reading MIT's KRB-ERROR");
    assert.ok(Math.abs(ie.krbError!.serverTime!.getTime() - Date.now()) < 60_000, 'the server time is MIT\'s real clock');
  }
  // Control: the same ticket with our real clock is accepted by MIT.
  const ok = new Krb5Initiator({ credential: await serviceTicket() });
  const good = await mit.tryStep((await ok.step())!);
  assert.equal(good.ok, true, JSON.stringify(good));
});

test('clock skew past the limit, NTLM (gss-ntlmssp): an NTLMv2 timestamp 301 s old is refused CREDENTIALS_EXPIRED; 299 s old is accepted', async () => {
  for (const [delta, want] of [
    [301_000, 'skew'],
    [299_000, 'ok'],
  ] as const) {
    const T = Date.now();
    let calls = 0;
    // The CHALLENGE's MsvAvTimestamp is T (gss-ntlmssp echoes it as its TimeStamp); the AUTHENTICATE is verified at T + delta.
    const acc = ntlmAcceptor(() => new Date(calls++ === 0 ? T : T + delta));
    const r = await gssNtlmHandshake(acc);
    const ts = authenticateMessageCodec.decode(r.authenticate);
    assert.ok(ts.ntChallengeResponse.length > 24, 'NTLMv2');
    if (want === 'ok') {
      assert.equal(r.error, undefined, String(r.error));
      assert.ok(acc.complete);
    } else {
      assert.ok(r.error instanceof SpnegoError && r.error.code === 'CREDENTIALS_EXPIRED', String(r.error));
      assert.match(r.error.message, /clock skew/);
      assert.equal(acc.complete, false);
      assert.equal(acc.peerName, undefined);
    }
  }
});

// =============================================================================================
// 4. A man in the middle rewriting the mech list
//
// RFC 4178 section 5: the MechTypeList is unprotected on the wire; once the mech is established
// both sides exchange mechListMIC = GSS_GetMIC over the DER MechTypeList the initiator sent. It is
// required whenever the selected mech was not the initiator's first choice, or the mech demands
// it (NTLM carrying its own MIC: MS-SPNG 3.3.5.1); a mismatch (the acceptor saw another list)
// fails the negotiation (GSS_S_BAD_MIC, 5 (b)). When the mech chosen is the initiator's
// optimistic first choice, nothing was downgraded and the exchange may be skipped (5 (a)).

/** Runs initiator <-> acceptor with `mitm` rewriting the initiator's first token. Returns who failed and how. */
async function throughMitm(
  ini: { step(t?: Uint8Array): Promise<Uint8Array | undefined>; readonly complete: boolean },
  acc: SecurityContext | SpnegoAcceptor,
  mitm: (init: Uint8Array) => Uint8Array,
): Promise<{ trace: string[]; side?: 'initiator' | 'acceptor'; error?: unknown }> {
  const trace: string[] = [];
  let tok = await ini.step();
  let first = true;
  for (let leg = 0; tok && leg < 6; leg++) {
    if (first) {
      trace.push(`I: ${describeSpnego(tok)}`);
      tok = mitm(tok);
      first = false;
    }
    trace.push(`${leg === 0 ? 'M' : 'I'}: ${describeSpnego(tok)}`);
    let out: Uint8Array | undefined;
    try {
      out = await acc.step(tok);
    } catch (error) {
      return { trace, side: 'acceptor', error };
    }
    if (!out) break;
    trace.push(`A: ${describeSpnego(out)}`);
    try {
      tok = await ini.step(out);
    } catch (error) {
      return { trace, side: 'initiator', error };
    }
  }
  return { trace };
}

/** The attacker's rewrite: a new NegTokenInit with `mechTypes`, keeping the mech token only when `keepToken`. */
const rewrite = (mechTypes: string[], keepToken: boolean) => (b: Uint8Array): Uint8Array => {
  const t = decodeSpnegoToken(b).token;
  assert.equal(t.type, 'negTokenInit');
  const v = t.value as { mechToken?: Uint8Array };
  return encodeSpnegoToken({ framed: true, token: { type: 'negTokenInit', value: { mechTypes, ...(keepToken && v.mechToken ? { mechToken: v.mechToken } : {}) } } });
};

/** Our SPNEGO initiator offering [Kerberos (alice's ticket from the KDC), NTLM (alice's password)]. */
const bothMechs = () =>
  new SpnegoInitiator({
    mechs: [
      krb5InitiatorMech({ credential: () => serviceTicketFor(krb5Client, { ccache }, TARGET) }),
      ntlmInitiatorMech({ credential: { username: `${lab.ntlm.domain}\\alice`, password: alice.password }, target: 'HTTP/localhost' }),
    ],
  });
const bothAcceptor = () => acceptor({ credential: { keytab: lab.mit.httpKeytab, ntlmUsers: lab.ntlm.userFile }, replayCache: new MemoryReplayCache(), ntlm: { netbiosDomain: lab.ntlm.domain, netbiosComputer: 'WEB' } });

test('MITM rewrites [Kerberos, NTLM] to [NTLM, Kerberos] or [NTLM] (dropping the AP-REQ) so NTLM is chosen: our acceptor refuses the initiator\'s mechListMIC with BAD_MIC', async () => {
  // Control: untouched, Kerberos (the initiator's first choice) wins.
  const control = await throughMitm(bothMechs(), bothAcceptor(), (b) => b);
  assert.equal(control.error, undefined, control.trace.join(' | '));
  for (const list of [[OID.NTLMSSP, OID.KRB5], [OID.NTLMSSP]]) {
    const ini = bothMechs();
    const acc = bothAcceptor();
    const r = await throughMitm(ini, acc, rewrite(list, false));
    const where = r.trace.join(' | ');
    assert.equal(r.side, 'acceptor', where);
    assert.ok(r.error instanceof SpnegoError && r.error.code === 'BAD_MIC', `${String(r.error)}; ${where}`);
    // The NTLM handshake itself completed (its own MIC covers only NTLM messages): the SPNEGO MIC caught it.
    assert.ok(r.trace.some((l) => /^I: negTokenResp .*AUTHENTICATE\+MIC mechListMIC/.test(l)), where);
    assert.equal(acc.complete, false);
    assert.equal(acc.peerName, undefined);
    assert.equal(ini.complete, false);
  }
});

test("MITM appends Kerberos to MIT's SPNEGO list [NTLM] (gss-ntlmssp): our acceptor refuses MIT's mechListMIC with BAD_MIC", async () => {
  const ini = await SpnegoPeer.startLab(lab, 'gss-init');
  cleanups.push(() => ini.close());
  const acc = bothAcceptor();
  const wrap = {
    complete: false,
    step: async (t?: Uint8Array) => {
      const r = await ini.step(t);
      wrap.complete = r.complete;
      return r.token;
    },
  };
  const r = await throughMitm(wrap, acc, rewrite([OID.NTLMSSP, OID.KRB5], true));
  const where = r.trace.join(' | ');
  assert.match(r.trace[0]!, new RegExp(`^I: negTokenInit mechs=${OID.NTLMSSP.replace(/\./g, '\\.')} NEGOTIATE$`), where);
  assert.equal(r.side, 'acceptor', where);
  assert.ok(r.error instanceof SpnegoError && r.error.code === 'BAD_MIC', `${String(r.error)}; ${where}`);
  assert.equal(acc.complete, false);
});

test('MITM rewrites the list with Kerberos as the negotiated mech ([NTLM, Kerberos] to a Kerberos-only acceptor, rewritten to [NTLM, MS-Kerberos]): our initiator refuses the acceptor\'s mechListMIC with BAD_MIC', async () => {
  // An initiator that lists NTLM first, and an acceptor with only a keytab: Kerberos is chosen as
  // a non-first choice (request-mic), so both sides must exchange mechListMICs.
  const ini = () =>
    new SpnegoInitiator({
      mechs: [
        ntlmInitiatorMech({ credential: { username: `${lab.ntlm.domain}\\alice`, password: alice.password }, target: 'HTTP/localhost' }),
        krb5InitiatorMech({ credential: () => serviceTicketFor(krb5Client, { ccache }, TARGET) }),
      ],
    });
  const acc = () => new SpnegoAcceptor({ mechs: [krb5AcceptorMech({ keys, replayCache: new MemoryReplayCache() })] });
  const control = await throughMitm(ini(), acc(), (b) => b);
  assert.equal(control.error, undefined, control.trace.join(' | '));
  assert.ok(control.trace.some((l) => /request-mic/.test(l)) && control.trace.some((l) => /^A: .*mechListMIC/.test(l)), control.trace.join(' | '));

  // The attacker swaps the Kerberos entry for its Microsoft alias (the acceptor answers with the OID it saw).
  const i = ini();
  const a = acc();
  const r = await throughMitm(i, a, rewrite([OID.NTLMSSP, OID.MS_KRB5], false));
  const where = r.trace.join(' | ');
  assert.equal(r.side, 'initiator', where);
  assert.ok(r.error instanceof SpnegoError && r.error.code === 'BAD_MIC', `${String(r.error)}; ${where}`);
  assert.equal(i.complete, false);
  // The acceptor sent its MIC and waits for the initiator's, which never comes: not established.
  assert.equal(a.complete, false);
});

test('MITM drops NTLM from [Kerberos, NTLM] when Kerberos is the optimistic first choice: nothing is downgraded, and both sides agree on Kerberos (RFC 4178 5 (a))', async () => {
  const ini = bothMechs();
  const acc = bothAcceptor();
  const r = await throughMitm(ini, acc, rewrite([OID.KRB5], true));
  assert.equal(r.error, undefined, r.trace.join(' | '));
  assert.ok(ini.complete && acc.complete);
  assert.equal(acc.mech, 'kerberos');
  assert.equal(ini.mech, OID.KRB5);
});
