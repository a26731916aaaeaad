// Interop: our SPNEGO initiator and acceptor (src/spnego, NTLM inside, through the public
// initiator()/acceptor() of src/gss/context.ts) against real SPNEGO peers from the lab: MIT's
// SPNEGO over gss-ntlmssp through python-gssapi (initiator and acceptor), Samba 4.17's ntlm_auth
// gss-spnego (acceptor, NTLM checked by the AD DC) and gss-spnego-client (initiator), and Apache
// mod_auth_gssapi over real HTTP. Each peer is one long-lived scripts/lab/spnego_peer.py process
// driven over JSON lines (test/helpers/spnego-peer.ts), so the handshake and the per-message calls
// use the same real context. Every test asserts the whole token trace. Needs the lab
// (scripts/test.sh starts it); without LAB_STATE the tests fail and say how to start it.
//
// Not here: per-message calls with Samba: the ntlm_auth helper protocols have none (the relay
// answers ok:false, asserted below).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { Socket } from 'node:net';
import { initiator, acceptor, type SecurityContext } from '../../src/gss/context.js';
import { OID } from '../../src/iana/oids.js';
import { decodeSpnegoToken, encodeSpnegoToken } from '../../src/codec/spnego/spnego-token.js';
import { SpnegoInitiator } from '../../src/spnego/initiator.js';
import { krb5InitiatorMech } from '../../src/spnego/krb5.js';
import { ntlmInitiatorMech } from '../../src/spnego/ntlm.js';
import { issueTicket } from '../helpers/krb5-ticket.js';
import { readLab, type NtlmLab } from '../helpers/peer.js';
import { SpnegoPeer, describeSpnego, mechListMicOf } from '../helpers/spnego-peer.js';

let lab: NtlmLab & { apache: { url: string } };
let alice: { name: string; password: string };
let samAlice: { name: string; password: string };
const peers: SpnegoPeer[] = [];

before(() => {
  lab = readLab() as typeof lab;
  alice = lab.ntlm.users.find((u) => u.name === 'alice')!;
  samAlice = lab.samba.users.find((u) => u.name === 'alice')!;
  assert.ok(alice && samAlice, 'lab.json lists alice for gss-ntlmssp and for Samba');
  assert.ok(lab.apache?.url, 'lab.json has apache.url');
});

after(async () => {
  await Promise.all(peers.map((p) => p.close()));
});

async function peer(role: Parameters<typeof SpnegoPeer.startLab>[1], opts: Parameters<typeof SpnegoPeer.startLab>[2] = {}): Promise<SpnegoPeer> {
  const p = await SpnegoPeer.startLab(lab, role, opts);
  peers.push(p);
  return p;
}

const enc = (s: string) => new TextEncoder().encode(s);
const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
/** The SeqNum field of an NTLMSSP_MESSAGE_SIGNATURE (version 1, checksum 8, SeqNum 4). */
const seqOf = (sig: Uint8Array): number => new DataView(sig.buffer, sig.byteOffset, 16).getUint32(12, true);
const N = OID.NTLMSSP;

/** The trace every NTLM-in-SPNEGO handshake with an NTLM MIC must have (MS-SPNG; SPNEGO-RULES 4, 7). */
const FULL_MIC_TRACE = [
  `I: negTokenInit mechs=${N} NEGOTIATE`,
  `A: negTokenResp accept-incomplete mech=${N} CHALLENGE`,
  'I: negTokenResp accept-incomplete AUTHENTICATE+MIC mechListMIC',
  'A: negTokenResp accept-completed mechListMIC',
];

interface Run {
  trace: string[];
  tokens: Uint8Array[];
  /** The peer's reply that ended the run (ok false when it refused). */
  last: { ok: boolean; error?: string; token?: string | null; complete?: boolean; user?: unknown };
  /** The error our side threw, if any. */
  error?: unknown;
}

/** Our initiator against a real acceptor; the acceptor's final token goes back to our initiator. */
async function initiate(ini: SecurityContext, acc: SpnegoPeer): Promise<Run> {
  const run: Run = { trace: [], tokens: [], last: { ok: false } };
  const note = (side: 'I' | 'A', t: Uint8Array) => {
    run.tokens.push(t);
    run.trace.push(`${side}: ${describeSpnego(t)}`);
  };
  let tok = await ini.step();
  for (let leg = 0; tok && leg < 4; leg++) {
    note('I', tok);
    const r = await acc.tryStep(tok);
    run.last = r;
    const reply = r.token ? new Uint8Array(Buffer.from(r.token, 'base64')) : undefined;
    if (reply) note('A', reply);
    if (!r.ok || !reply) break;
    try {
      tok = await ini.step(reply);
    } catch (error) {
      run.error = error;
      break;
    }
  }
  return run;
}

/** A real initiator against our acceptor. */
async function accept(ini: SpnegoPeer, acc: SecurityContext): Promise<Run & { final?: { ok: boolean; error?: string; complete?: boolean } }> {
  const run: Run & { final?: { ok: boolean; error?: string; complete?: boolean } } = { trace: [], tokens: [], last: { ok: false } };
  let r = await ini.tryStep();
  for (let leg = 0; leg < 4; leg++) {
    run.last = r;
    if (!r.ok || !r.token) break;
    const t = new Uint8Array(Buffer.from(r.token, 'base64'));
    run.tokens.push(t);
    run.trace.push(`I: ${describeSpnego(t)}`);
    let out: Uint8Array | undefined;
    try {
      out = await acc.step(t);
    } catch (error) {
      run.error = error;
      const o = (error as { outputToken?: Uint8Array }).outputToken;
      if (o) run.trace.push(`A: ${describeSpnego(o)} (with the error)`);
      break;
    }
    if (out) {
      run.tokens.push(out);
      run.trace.push(`A: ${describeSpnego(out)}`);
    }
    if (!out) break;
    r = await ini.tryStep(out, acc.complete);
    if (acc.complete) {
      run.final = r;
      if (r.ok && r.token) run.trace.push(`I: ${describeSpnego(new Uint8Array(Buffer.from(r.token, 'base64')))}`);
      break;
    }
  }
  return run;
}

const ours = (over: Partial<{ username: string; password: string }> = {}) =>
  initiator({ mech: 'negotiate', target: 'HTTP@localhost', credential: { username: `${lab.ntlm.domain}\\${alice.name}`, password: alice.password, ...over } });
const ourAcceptor = (ntlmUsers: string | Record<string, string>) =>
  acceptor({ credential: { ntlmUsers }, ntlm: { netbiosDomain: lab.ntlm.domain, netbiosComputer: 'WEB', dnsDomain: 'spnego.test', dnsComputer: 'web.spnego.test' } });

// --- authentication -------------------------------------------------------------------------

test('control: MIT SPNEGO initiator -> MIT SPNEGO acceptor (both over gss-ntlmssp) through the harness', async () => {
  const i = await peer('gss-init');
  const a = await peer('gss-accept');
  const trace: string[] = [];
  let r = await i.step();
  trace.push(`I: ${describeSpnego(r.token!)}`);
  for (let leg = 0; leg < 3 && !r.complete; leg++) {
    const x = await a.step(r.token);
    trace.push(`A: ${describeSpnego(x.token!)}`);
    r = await i.step(x.token);
    if (r.token) trace.push(`I: ${describeSpnego(r.token)}`);
  }
  assert.deepEqual(trace, FULL_MIC_TRACE, 'MIT+gss-ntlmssp itself: NTLM MIC and mechListMIC both ways');
  assert.equal((await a.info()).peer, `${lab.ntlm.domain}\\alice`);
  assert.equal((await i.info()).mech, N);
  await Promise.all([i.close(), a.close()]);
});

test('our SPNEGO initiator -> MIT SPNEGO acceptor (gss-ntlmssp): authenticated as SPNEGO\\alice, NTLM MIC and mechListMIC both ways', async () => {
  const acc = await peer('gss-accept');
  const ini = ours();
  const run = await initiate(ini, acc);
  assert.equal(run.error, undefined, `our initiator failed: ${String(run.error)}; trace ${run.trace.join(' | ')}`);
  assert.equal(run.last.ok, true, `MIT refused us: ${run.last.error}`);
  assert.deepEqual(run.trace, FULL_MIC_TRACE);
  assert.equal(run.last.complete, true);
  assert.equal(ini.complete, true, 'the acceptor mechListMIC verified and the context is complete');
  assert.equal(ini.mech, 'ntlm');
  // each mechListMIC is the first signature of its direction: SeqNum 0
  assert.equal(seqOf(mechListMicOf(run.tokens[2]!)!), 0);
  assert.equal(seqOf(mechListMicOf(run.tokens[3]!)!), 0);
  const info = await acc.info();
  assert.equal(info.peer, `${lab.ntlm.domain}\\alice`);
  assert.equal(info.mech, N);
  await acc.close();
});

test('our SPNEGO initiator with a wrong password -> MIT SPNEGO acceptor answers reject', async () => {
  const acc = await peer('gss-accept');
  const ini = ours({ password: 'not-' + alice.password });
  const run = await initiate(ini, acc);
  assert.equal(run.last.ok, false, 'MIT must refuse a wrong password');
  assert.deepEqual(run.trace, [...FULL_MIC_TRACE.slice(0, 3), 'A: negTokenResp reject']);
  assert.equal(ini.complete, false);
  await acc.close();
});

test('our SPNEGO initiator -> Samba ntlm_auth gss-spnego (AD DC): AF SAMBA\\alice, mechListMIC both ways', async () => {
  const acc = await peer('samba-accept');
  const ini = initiator({ mech: 'negotiate', target: 'HTTP@www.samba.test', credential: { username: `${lab.samba.domain}\\${samAlice.name}`, password: samAlice.password } });
  const run = await initiate(ini, acc);
  assert.equal(run.error, undefined, `our initiator failed: ${String(run.error)}; trace ${run.trace.join(' | ')}`);
  assert.equal(run.last.ok, true, `Samba refused us: ${run.last.error}`);
  assert.deepEqual(run.trace, FULL_MIC_TRACE);
  assert.equal(run.last.user, `${lab.samba.domain}\\alice`);
  assert.equal(ini.complete, true, "Samba's mechListMIC verified");
  assert.equal(seqOf(mechListMicOf(run.tokens[3]!)!), 0, "Samba's mechListMIC is its SeqNum 0");
  await acc.close();
});

test('our SPNEGO initiator with a wrong password -> Samba gss-spnego answers NA', async () => {
  const acc = await peer('samba-accept');
  const ini = initiator({ mech: 'negotiate', target: 'HTTP@www.samba.test', credential: { username: `${lab.samba.domain}\\${samAlice.name}`, password: 'not-' + samAlice.password } });
  const run = await initiate(ini, acc);
  assert.equal(run.last.ok, false);
  assert.match(String(run.last.error), /NA .*NT_STATUS_(LOGON_FAILURE|WRONG_PASSWORD)/);
  assert.deepEqual(run.trace, FULL_MIC_TRACE.slice(0, 3));
  await acc.close();
});

test('MIT SPNEGO initiator (gss-ntlmssp) -> our SPNEGO acceptor over the lab NTLM user file: authenticated as SPNEGO\\alice', async () => {
  const ini = await peer('gss-init');
  const acc = ourAcceptor(lab.ntlm.userFile);
  const run = await accept(ini, acc);
  assert.equal(run.error, undefined, `our acceptor refused MIT: ${String(run.error)}; trace ${run.trace.join(' | ')}`);
  assert.deepEqual(run.trace, FULL_MIC_TRACE);
  assert.equal(acc.complete, true);
  assert.equal(run.final?.ok, true, `MIT refused our final token: ${run.final?.error}`);
  assert.equal(run.final?.complete, true, 'MIT verified our mechListMIC and completed');
  assert.equal(acc.mech, 'ntlm');
  assert.equal(acc.peerName?.user.toLowerCase(), 'alice');
  assert.equal(acc.peerName?.domain.toUpperCase(), lab.ntlm.domain);
  assert.equal(seqOf(mechListMicOf(run.tokens[2]!)!), 0);
  assert.equal(seqOf(mechListMicOf(run.tokens[3]!)!), 0);
  await ini.close();
});

test('MIT SPNEGO initiator with a wrong password -> our SPNEGO acceptor refuses (UNAUTHORIZED)', async () => {
  const ini = await peer('gss-init', { user: alice.name, domain: lab.ntlm.domain, password: 'not-' + alice.password });
  const acc = ourAcceptor(lab.ntlm.userFile);
  const run = await accept(ini, acc);
  assert.equal((run.error as { code?: string } | undefined)?.code, 'UNAUTHORIZED', `our acceptor must refuse: ${String(run.error)}`);
  assert.equal(acc.complete, false);
  assert.deepEqual(run.trace.slice(0, 3), FULL_MIC_TRACE.slice(0, 3));
  await ini.close();
});

test('Samba ntlm_auth gss-spnego-client -> our SPNEGO acceptor (users map holds SAMBA\\alice): authenticated', async () => {
  const ini = await peer('samba-init', { user: samAlice.name, domain: lab.samba.domain, password: samAlice.password });
  const acc = acceptor({ credential: { ntlmUsers: { [`${lab.samba.domain}\\${samAlice.name}`]: samAlice.password } }, ntlm: { netbiosDomain: lab.samba.domain, netbiosComputer: 'WEB' } });
  const run = await accept(ini, acc);
  assert.equal(run.error, undefined, `our acceptor refused Samba: ${String(run.error)}; trace ${run.trace.join(' | ')}`);
  // Samba's client negotiates no NTLMSSP_NEGOTIATE_SIGN and puts no MIC in AUTHENTICATE: no
  // integrity, so no mechListMIC either way (RFC 4178 5 rule 1), the same shape it has with Samba's
  // own gss-spnego acceptor.
  assert.deepEqual(run.trace, [
    `I: negTokenInit mechs=${N} NEGOTIATE`,
    `A: negTokenResp accept-incomplete mech=${N} CHALLENGE`,
    'I: negTokenResp AUTHENTICATE',
    'A: negTokenResp accept-completed',
  ]);
  assert.equal(acc.complete, true);
  assert.equal(run.final?.ok, true, `gss-spnego-client refused our final token: ${run.final?.error}`);
  assert.equal(run.final?.complete, true);
  assert.equal(acc.peerName?.user.toLowerCase(), 'alice');
  assert.equal(acc.peerName?.domain.toUpperCase(), lab.samba.domain);
  await ini.close();
});

test('Samba gss-spnego-client with a wrong password -> our SPNEGO acceptor refuses (UNAUTHORIZED)', async () => {
  const ini = await peer('samba-init', { user: samAlice.name, domain: lab.samba.domain, password: 'not-' + samAlice.password });
  const acc = acceptor({ credential: { ntlmUsers: { [`${lab.samba.domain}\\${samAlice.name}`]: samAlice.password } }, ntlm: { netbiosDomain: lab.samba.domain, netbiosComputer: 'WEB' } });
  const run = await accept(ini, acc);
  assert.equal((run.error as { code?: string } | undefined)?.code, 'UNAUTHORIZED', `our acceptor must refuse: ${String(run.error)}`);
  assert.equal(acc.complete, false);
  // Our acceptor answers the failure with a SPNEGO reject, as MIT, Windows and Samba do.
  assert.deepEqual(run.trace, [`I: negTokenInit mechs=${N} NEGOTIATE`, `A: negTokenResp accept-incomplete mech=${N} CHALLENGE`, 'I: negTokenResp AUTHENTICATE', 'A: negTokenResp reject (with the error)']);
  await ini.close();
});

// --- per-message after the mechListMIC ------------------------------------------------------

/**
 * Three rounds, each: our wrap (sealed) -> peer unwrap, our getMic -> peer verify, peer wrap ->
 * our unwrap, peer getMic -> our verify. The mechListMIC took SeqNum 0 in each direction and the
 * RC4 handles were reset after it (MS-SPNG 3.3.5.1), so the first application message uses SeqNum
 * 1 with the RC4 keystream from its start: a wrong RC4 or sequence choice fails the first unwrap.
 * (Checked by hand on 2026-11-26 with ntlmInitiatorMech({ resetSeqNumAfterMechListMic: true }):
 * our first wrap then carries SeqNum 0 and MIT answers "A token had an invalid Message Integrity
 * Check (MIC)", and our unwrap of MIT's first wrap says "SeqNum 1 is ahead of the expected 0".)
 */
async function perMessage(mine: SecurityContext, theirs: SpnegoPeer) {
  let sent = 1;
  let received = 1;
  for (let k = 0; k < 3; k++) {
    const m = enc(`message ${k} ` + 'y'.repeat(k * 41));
    const w = mine.wrap(m, { encrypt: true });
    assert.equal(seqOf(w), sent++, `our wrap ${k}`);
    const u = await theirs.unwrap(w);
    assert.deepEqual(u.data, m);
    assert.equal(u.encrypted, true);
    const mic = mine.getMic(m);
    assert.equal(seqOf(mic), sent++, `our getMic ${k}`);
    assert.equal((await theirs.verifyMic(m, mic)).ok, true, `the peer verifies our MIC ${k}`);
    // gss-ntlmssp seals every wrap token, whatever conf says
    const pw = await theirs.wrap(m, k !== 1);
    assert.equal(seqOf(pw.token), received++, `peer wrap ${k}`);
    assert.notDeepEqual(pw.token.subarray(16), m);
    assert.deepEqual(mine.unwrap(pw.token), m);
    const pm = await theirs.getMic(m);
    assert.equal(seqOf(pm), received++, `peer getMic ${k}`);
    mine.verifyMic(m, pm);
  }
  // a MIC over other bytes is refused both ways
  const pm = await theirs.getMic(enc('tamper'));
  assert.throws(() => mine.verifyMic(enc('Tamper'), pm), (e: Error & { code?: string }) => e.code === 'BAD_MIC');
  assert.equal((await theirs.verifyMic(enc('Tamper'), mine.getMic(enc('tamper')))).ok, false);
}

test('per-message, our SPNEGO initiator <-> MIT SPNEGO acceptor: wrap/unwrap and getMic/verifyMic both ways from SeqNum 1', async () => {
  const acc = await peer('gss-accept');
  const ini = ours();
  const run = await initiate(ini, acc);
  assert.equal(ini.complete, true, `${String(run.error)} ${run.last.error} ${run.trace.join(' | ')}`);
  await perMessage(ini, acc);
  await acc.close();
});

test('per-message, MIT SPNEGO initiator <-> our SPNEGO acceptor: wrap/unwrap and getMic/verifyMic both ways from SeqNum 1', async () => {
  const ini = await peer('gss-init');
  const acc = ourAcceptor(lab.ntlm.userFile);
  const run = await accept(ini, acc);
  assert.equal(run.final?.complete, true, `${String(run.error)} ${run.trace.join(' | ')}`);
  await perMessage(acc, ini);
  await ini.close();
});

test('Samba gss-spnego / gss-spnego-client carry no per-message calls (the relay refuses them)', async () => {
  const acc = await peer('samba-accept');
  const ini = initiator({ mech: 'negotiate', target: 'HTTP@www.samba.test', credential: { username: `${lab.samba.domain}\\${samAlice.name}`, password: samAlice.password } });
  const run = await initiate(ini, acc);
  assert.equal(ini.complete, true, `${run.last.error} ${run.trace.join(' | ')}`);
  const r = await acc.call({ op: 'wrap', data: b64(enc('x')), conf: true });
  assert.equal(r.ok, false);
  assert.match(String(r.error), /no per-message call/);
  await acc.close();
});

// --- HTTP: Apache mod_auth_gssapi (gss-ntlmssp inside Negotiate, connection-bound) --------------

interface HttpReply {
  status: number;
  /** Every WWW-Authenticate header, in order. */
  challenges: string[];
  /** The first `Negotiate ...` challenge, if any. */
  wwwAuthenticate: string | undefined;
  body: string;
  socket: Socket;
}

function get(url: string, agent: http.Agent, authorization?: string): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent, headers: authorization ? { Authorization: authorization } : {} }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => {
        const challenges = res.headersDistinct['www-authenticate'] ?? [];
        const wwwAuthenticate = challenges.find((c) => /^Negotiate\b/i.test(c));
        resolve({ status: res.statusCode ?? 0, challenges, wwwAuthenticate, body, socket: res.socket });
      });
    });
    req.setTimeout(15_000, () => req.destroy(new Error('HTTP timeout')));
    req.on('error', reject);
  });
}

test('our SPNEGO initiator -> Apache mod_auth_gssapi over HTTP on one kept-alive socket: 200, REMOTE_USER SPNEGO\\alice, acceptor mechListMIC verified', async () => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const ini = ours();
    const trace: string[] = [];
    const sockets = new Set<Socket>();
    let r = await get(lab.apache.url, agent);
    sockets.add(r.socket);
    assert.equal(r.status, 401);
    // mod_auth_gssapi with GssapiAllowedMech krb5+ntlmssp also offers raw NTLM
    assert.deepEqual(r.challenges, ['Negotiate', 'NTLM'], 'the first 401 offers bare Negotiate (and NTLM)');
    let tok = await ini.step();
    let body = '';
    for (let leg = 0; leg < 4; leg++) {
      assert.ok(tok, 'our initiator has a token to send');
      trace.push(`I: ${describeSpnego(tok)}`);
      r = await get(lab.apache.url, agent, `Negotiate ${b64(tok)}`);
      sockets.add(r.socket);
      const m = /^Negotiate\s+(\S+)/.exec(r.wwwAuthenticate ?? '');
      assert.ok(m, `HTTP ${r.status} with WWW-Authenticate ${r.wwwAuthenticate}`);
      const reply = new Uint8Array(Buffer.from(m[1]!, 'base64'));
      trace.push(`A(${r.status}): ${describeSpnego(reply)}`);
      tok = await ini.step(reply);
      if (r.status === 200) {
        body = r.body;
        break;
      }
      assert.equal(r.status, 401);
    }
    assert.deepEqual(trace, [
      `I: negTokenInit mechs=${N} NEGOTIATE`,
      `A(401): negTokenResp accept-incomplete mech=${N} CHALLENGE`,
      'I: negTokenResp accept-incomplete AUTHENTICATE+MIC mechListMIC',
      'A(200): negTokenResp accept-completed mechListMIC',
    ]);
    assert.equal(tok, undefined, 'nothing left to send after the final token');
    assert.equal(ini.complete, true, "Apache's mechListMIC verified");
    assert.equal(sockets.size, 1, 'the whole exchange ran on one connection (ConnectionBound)');
    assert.match(body, /^REMOTE_USER=SPNEGO\\alice$/m);
    assert.match(body, /^GSS_MECH=.*/m);
  } finally {
    agent.destroy();
  }
});

test('our SPNEGO initiator with a wrong password -> Apache answers 401 with a reject', async () => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const ini = ours({ password: 'not-' + alice.password });
    const first = await ini.step();
    const r1 = await get(lab.apache.url, agent, `Negotiate ${b64(first!)}`);
    assert.equal(r1.status, 401);
    const ch = /^Negotiate\s+(\S+)/.exec(r1.wwwAuthenticate ?? '');
    assert.ok(ch);
    const auth = await ini.step(new Uint8Array(Buffer.from(ch[1]!, 'base64')));
    const r2 = await get(lab.apache.url, agent, `Negotiate ${b64(auth!)}`);
    assert.equal(r2.status, 401, 'refused');
    const m = /^Negotiate\s+(\S+)/.exec(r2.wwwAuthenticate ?? '');
    // mod_auth_gssapi sends the acceptor's error token when there is one, else a bare Negotiate
    const t = m ? decodeSpnegoToken(new Uint8Array(Buffer.from(m[1]!, 'base64'))).token : undefined;
    assert.equal(t?.type === 'negTokenResp' ? t.value.negState : `WWW-Authenticate ${r2.wwwAuthenticate}`, 'reject');
    assert.doesNotMatch(r2.body, /REMOTE_USER=SPNEGO/);
    assert.equal(ini.complete, false);
  } finally {
    agent.destroy();
  }
});

// --- downgrade ---------------------------------------------------------------------------------

test('man in the middle drops Kerberos from our list on the way to MIT\'s SPNEGO acceptor: MIT refuses our mechListMIC (RFC 4178 5)', async () => {
  // Our initiator offers [Kerberos, NTLM] with a Kerberos optimistic token; the attacker forwards
  // [NTLM] only. MIT selects NTLM as if it were our first choice; NTLM's own MIC makes the
  // mechListMIC exchange required, and our MIC covers the list we really sent.
  const acc = await peer('gss-accept');
  const ini = new SpnegoInitiator({
    mechs: [
      krb5InitiatorMech({ credential: issueTicket(18).cred }),
      ntlmInitiatorMech({ credential: { username: `${lab.ntlm.domain}\\${alice.name}`, password: alice.password }, target: 'HTTP/localhost' }),
    ],
  });
  const trace: string[] = [];
  let tok = await ini.step();
  tok = encodeSpnegoToken({ framed: true, token: { type: 'negTokenInit', value: { mechTypes: [OID.NTLMSSP] } } });
  let refused: string | undefined;
  for (let leg = 0; tok && leg < 4; leg++) {
    trace.push(`I: ${describeSpnego(tok)}`);
    const r = await acc.tryStep(tok);
    const reply = r.token ? new Uint8Array(Buffer.from(r.token, 'base64')) : undefined;
    if (reply) trace.push(`A: ${describeSpnego(reply)}`);
    if (!r.ok) {
      refused = r.error ?? 'refused';
      break;
    }
    if (!reply) break;
    tok = await ini.step(reply);
  }
  assert.ok(refused, `MIT must refuse the downgraded exchange; trace: ${trace.join(' | ')}`);
  assert.ok(trace.some((l) => l.includes('AUTHENTICATE') && l.includes('mechListMIC')), `our MIC was sent with AUTHENTICATE: ${trace.join(' | ')}`);
  assert.equal(ini.complete, false);
  await acc.close();
});

test('our SPNEGO initiator with Kerberos (ticket from the Samba AD KDC) -> Samba ntlm_auth gss-spnego with the HTTP keytab: AF SAMBA\\alice', async () => {
  const { Krb5Client } = await import('../../src/mech/krb5/client.js');
  const { loadKrb5Config } = await import('../../src/mech/krb5/config/index.js');
  const samba = (lab as unknown as { samba: { realm: string; domain: string; krb5Conf: string; httpKeytab: string; serviceAccount: { spn: string } } }).samba;
  const acc = await peer('samba-accept', { env: { LAB_ACCEPTOR_KEYTAB: samba.httpKeytab, KRB5_CONFIG: samba.krb5Conf } });
  const client = new Krb5Client({ config: loadKrb5Config({ files: [samba.krb5Conf] }) });
  const target = samba.serviceAccount.spn.split('@')[0]!.replace('/', '@');
  const ini = initiator({ mech: 'negotiate', target, credential: { username: `alice@${samba.realm}`, password: samAlice.password }, krb5Client: client, forbidNtlm: true });
  const run = await initiate(ini, acc);
  assert.equal(run.error, undefined, `our initiator failed: ${String(run.error)}; trace ${run.trace.join(' | ')}`);
  assert.equal(run.last.ok, true, `Samba refused us: ${run.last.error}; trace ${run.trace.join(' | ')}`);
  assert.match(run.trace[0]!, /negTokenInit/);
  assert.equal(ini.mech, 'kerberos');
  assert.equal(String(run.last.user), `${samba.domain}\\alice`);
  await acc.close();
});
