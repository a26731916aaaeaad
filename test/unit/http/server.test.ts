// HTTP Negotiate server core and its node:http wrapper (issue 5 item 7), on real loopback sockets
// with our own initiator() as the client: the multi-leg handshake, keep-alive reuse, state per
// connection, hostile clients (400/401, the server keeps serving, nothing secret in any byte
// sent or logged) and 50 concurrent handshakes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { initiator, acceptor, type SecurityContext } from '../../../src/gss/context.js';
import { createNegotiateAuthenticator, negotiateHandler, type NegotiateEvent } from '../../../src/http/server/index.js';
import { NTOWFv1 as ntlmHash } from '../../../src/crypto/ntlm.js';
import { SpnegoInitiator } from '../../../src/spnego/initiator.js';
import { ntlmContextOf, ntlmInitiatorMech } from '../../../src/spnego/ntlm.js';
import { AUTHENTICATE_MIC_OFFSET } from '../../../src/codec/ntlm/index.js';

const PASSWORD = 'Demo-Pass-7f3q';
const USERS = { 'EXAMPLE\\alice': PASSWORD, 'EXAMPLE\\bob': 'Bob-Pass-9' };
const events: NegotiateEvent[] = [];
const logged: string[] = [];
let server: http.Server;
let port: number;

before(async () => {
  server = http.createServer(
    { maxHeaderSize: 256 * 1024 },
    negotiateHandler(
      {
        credential: { ntlmUsers: USERS },
        ntlm: { netbiosDomain: 'EXAMPLE' },
        onEvent: (e) => {
          events.push(e);
          logged.push(JSON.stringify(e));
        },
      },
      (req, res) => {
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify(req.negotiate));
      },
    ),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});

after(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  localPort: number;
  raw: string;
}

function get(agent: http.Agent, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent, headers }, (res) => {
      const localPort = res.socket.localPort ?? -1;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const raw = `${res.statusCode} ${JSON.stringify(res.rawHeaders)} ${body}`;
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, localPort, raw });
      });
    });
    req.on('error', reject);
  });
}

const client = (username = 'EXAMPLE\\alice', password = PASSWORD): SecurityContext =>
  initiator({ mech: 'negotiate', target: 'HTTP@localhost', credential: { username, password } });
const b64 = (t: Uint8Array) => Buffer.from(t).toString('base64');
const tokenOf = (h: string | undefined): Uint8Array | undefined => {
  const m = /^Negotiate (.+)$/.exec(h ?? '');
  return m ? new Uint8Array(Buffer.from(m[1]!, 'base64')) : undefined;
};
const agentOne = () => new http.Agent({ keepAlive: true, maxSockets: 1 });

/** The client side of RFC 4559 with our initiator, all legs on the agent's single socket. */
async function handshake(agent: http.Agent, ctx: Pick<SecurityContext, 'step' | 'complete'> = client()): Promise<{ final: Reply; replies: Reply[]; ports: Set<number>; clientError?: string }> {
  const replies: Reply[] = [];
  let r = await get(agent);
  replies.push(r);
  assert.equal(r.status, 401);
  assert.equal(r.headers['www-authenticate'], 'Negotiate');
  let tok = await ctx.step();
  for (let i = 0; i < 6 && tok; i++) {
    r = await get(agent, { Authorization: `Negotiate ${b64(tok)}` });
    replies.push(r);
    const back = tokenOf(r.headers['www-authenticate']);
    if (r.status !== 401) {
      if (back) await ctx.step(back); // verifies the acceptor's mechListMIC
      break;
    }
    if (!back) break; // refused: a bare challenge
    try {
      tok = await ctx.step(back);
    } catch (e) {
      // refused with a token (a SPNEGO reject): the client learns the failure from it
      return { final: r, replies, ports: new Set(replies.map((x) => x.localPort)), clientError: (e as { code?: string }).code ?? 'unknown' };
    }
  }
  return { final: r, replies, ports: new Set(replies.map((x) => x.localPort)) };
}

test('node:http wrapper: NTLM in Negotiate over three requests on one socket; final token verified; identity on req.negotiate', async () => {
  const agent = agentOne();
  const ctx = client();
  const { final, replies, ports } = await handshake(agent, ctx);
  assert.equal(final.status, 200);
  assert.equal(replies.length, 3, '401 challenge, 401 with CHALLENGE, 200');
  assert.equal(ports.size, 1, 'every leg on one connection');
  assert.ok(ctx.complete, 'the client verified the final token (mechListMIC)');
  const id = JSON.parse(final.body);
  assert.equal(id.principal, 'EXAMPLE\\alice');
  assert.equal(id.mech, 'ntlm');
  assert.equal(id.domain, 'EXAMPLE');
  assert.equal(id.scheme, 'Negotiate');
  assert.deepEqual(id.mic, { required: true, sent: true, received: true });
  assert.equal(id.reused, false);
  agent.destroy();
});

test('keep-alive: later requests on the authenticated socket carry the identity without a new handshake', async () => {
  const agent = agentOne();
  const { final } = await handshake(agent);
  for (let i = 0; i < 3; i++) {
    const r = await get(agent);
    assert.equal(r.status, 200);
    assert.equal(r.localPort, final.localPort);
    const id = JSON.parse(r.body);
    assert.equal(id.principal, 'EXAMPLE\\alice');
    assert.equal(id.reused, true);
    assert.equal(r.headers['www-authenticate'], undefined);
  }
  agent.destroy();
});

test('a new connection inherits nothing: no identity, and a continuation token there is refused', async () => {
  const a1 = agentOne();
  const ctx = client();
  // Run the first two legs on connection 1.
  await get(a1);
  const r1 = await get(a1, { Authorization: `Negotiate ${b64((await ctx.step())!)}` });
  assert.equal(r1.status, 401);
  const authTok = await ctx.step(tokenOf(r1.headers['www-authenticate']));
  // The AUTHENTICATE leg on connection 2: refused, and connection 1's state is untouched by it.
  const a2 = agentOne();
  const r2 = await get(a2, { Authorization: `Negotiate ${b64(authTok!)}` });
  assert.notEqual(r2.localPort, r1.localPort);
  assert.equal(r2.status, 401);
  assert.equal(r2.headers['www-authenticate'], 'Negotiate');
  // A fresh connection with no header is challenged even after connection 1 authenticates.
  const ok = await get(a1, { Authorization: `Negotiate ${b64(authTok!)}` });
  assert.equal(ok.status, 200);
  const a3 = agentOne();
  const r3 = await get(a3);
  assert.equal(r3.status, 401);
  assert.notEqual(r3.localPort, ok.localPort);
  a1.destroy();
  a2.destroy();
  a3.destroy();
});

test('connectionBound: false: every request must authenticate', async () => {
  const srv = http.createServer(
    negotiateHandler({ credential: { ntlmUsers: USERS }, connectionBound: false }, (req, res) => res.end(req.negotiate.principal)),
  );
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const p = (srv.address() as AddressInfo).port;
  const agent = agentOne();
  const ctx = client();
  const send = (h: Record<string, string> = {}) =>
    new Promise<http.IncomingMessage & { body: string }>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port: p, agent, headers: h }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve(Object.assign(res, { body })));
        })
        .on('error', reject);
    });
  const r1 = await send({ Authorization: `Negotiate ${b64((await ctx.step())!)}` });
  const r2 = await send({ Authorization: `Negotiate ${b64((await ctx.step(tokenOf(r1.headers['www-authenticate'])))!)}` });
  assert.equal(r2.statusCode, 200);
  assert.equal(r2.body, 'EXAMPLE\\alice');
  const r3 = await send();
  assert.equal(r3.statusCode, 401);
  agent.destroy();
  srv.closeAllConnections();
  await new Promise((r) => srv.close(r));
});

test('NTLM scheme only when configured: challenges, raw NTLMSSP under NTLM, and under Negotiate', async () => {
  const a = createNegotiateAuthenticator({ credential: { ntlmUsers: USERS }, ntlmScheme: true });
  const b = createNegotiateAuthenticator({ credential: { ntlmUsers: USERS } });
  const sock = new net.Socket();
  // One header line per scheme, as Apache and IIS send them (wget reads only that form).
  assert.deepEqual((await a.authenticate({ headers: {}, socket: sock })).headers['WWW-Authenticate'], ['Negotiate', 'NTLM']);
  assert.equal((await b.authenticate({ headers: {}, socket: sock })).headers['WWW-Authenticate'], 'Negotiate');
  for (const [auth, scheme] of [[a, 'NTLM'], [b, 'Negotiate'], [a, 'Negotiate']] as const) {
    const s = new net.Socket();
    const c = initiator({ mech: 'ntlm', credential: { username: 'EXAMPLE\\bob', password: 'Bob-Pass-9' } });
    const r1 = await auth.authenticate({ headers: { authorization: `${scheme} ${b64((await c.step())!)}` }, socket: s });
    assert.equal(r1.status, 401);
    const ch = r1.headers['WWW-Authenticate'] as string;
    assert.ok(ch.startsWith(`${scheme} `), ch);
    const t3 = await c.step(new Uint8Array(Buffer.from(ch.slice(scheme.length + 1), 'base64')));
    const r2 = await auth.authenticate({ headers: { authorization: `${scheme} ${b64(t3!)}` }, socket: s });
    assert.equal(r2.status, 200);
    assert.equal(r2.principal, 'EXAMPLE\\bob');
    assert.equal(r2.identity?.scheme, scheme);
    assert.deepEqual(r2.mic, { required: false, sent: false, received: false }, 'raw NTLMSSP has no mechListMIC');
  }
  // NTLM is not accepted when not configured: just the challenge.
  const r = await b.authenticate({ headers: { authorization: 'NTLM TlRMTVNTUAABAAAAB4IIogAAAAAAAAAAAAAAAAAAAAAKAGFKAAAADw==' }, socket: new net.Socket() });
  assert.equal(r.status, 401);
  assert.equal(r.headers['WWW-Authenticate'], 'Negotiate');
});

test('no Basic fallback: Basic credentials get the Negotiate challenge, not a login', async () => {
  const agent = agentOne();
  const r = await get(agent, { Authorization: `Basic ${Buffer.from(`EXAMPLE\\alice:${PASSWORD}`).toString('base64')}` });
  assert.equal(r.status, 401);
  assert.equal(r.headers['www-authenticate'], 'Negotiate');
  agent.destroy();
});

test('Basic only when configured: challenge, right and wrong passwords, each request on its own, no secret logged', async () => {
  const ev: string[] = [];
  const a = createNegotiateAuthenticator({ credential: { ntlmUsers: USERS }, basic: { realm: 'intranet' }, onEvent: (e) => ev.push(JSON.stringify(e)) });
  const sock = new net.Socket();
  const basic = (login: string) => ({ authorization: `Basic ${Buffer.from(login).toString('base64')}` });
  assert.deepEqual((await a.authenticate({ headers: {}, socket: sock })).headers['WWW-Authenticate'], ['Negotiate', 'Basic realm="intranet"']);
  const ok = await a.authenticate({ headers: basic(`EXAMPLE\\alice:${PASSWORD}`), socket: sock });
  assert.equal(ok.status, 200);
  assert.equal(ok.principal, 'EXAMPLE\\alice');
  assert.equal(ok.identity?.scheme, 'Basic');
  assert.equal(ok.mech, 'basic');
  // A bare user name matches the user in any domain; the next request without credentials is not bound.
  assert.equal((await a.authenticate({ headers: basic('bob:Bob-Pass-9'), socket: sock })).principal, 'bob');
  assert.equal((await a.authenticate({ headers: {}, socket: sock })).status, 401);
  for (const bad of [`EXAMPLE\\alice:${PASSWORD}x`, 'EXAMPLE\\mallory:x', 'nocolon', ':pw']) {
    const r = await a.authenticate({ headers: basic(bad), socket: sock });
    assert.ok(r.status === 401 || r.status === 400, bad);
    if (r.status === 401) assert.deepEqual(r.headers['WWW-Authenticate'], ['Negotiate', 'Basic realm="intranet"']);
  }
  assert.equal((await a.authenticate({ headers: { authorization: 'Basic !!!' }, socket: sock })).status, 400);
  // A custom verifier.
  const v = createNegotiateAuthenticator({ basic: { verify: async (u, d, p) => u === 'svc' && d === '' && p === 's3cret' }, createContext: () => acceptor({ credential: { ntlmUsers: USERS } }) });
  assert.equal((await v.authenticate({ headers: basic('svc:s3cret'), socket: sock })).status, 200);
  assert.equal((await v.authenticate({ headers: basic('svc:nope'), socket: sock })).status, 401);
  assert.ok(!ev.join('\n').includes(PASSWORD) && !ev.join('\n').includes('Bob-Pass-9'));
});

/** Sends raw bytes on a fresh socket and reads until the server replies (or closes). */
function rawRequest(text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let out = '';
    s.on('data', (d) => {
      out += d.toString('latin1');
      if (/\r\n\r\n/.test(out)) s.end();
    });
    s.on('end', () => resolve(out));
    s.on('close', () => resolve(out));
    s.on('error', reject);
    s.write(text);
  });
}

test('hostile clients: 400/401, never a crash, the server serves a correct client afterwards, nothing secret in any byte', async () => {
  const seen: string[] = [];
  const expect = async (what: string, headers: Record<string, string>, status: number | number[], agent = agentOne()) => {
    const r = await get(agent, headers);
    seen.push(r.raw);
    assert.ok(([] as number[]).concat(status).includes(r.status), `${what}: got ${r.status}`);
    return { r, agent };
  };
  // Get genuine tokens to tamper with.
  const c = client();
  const t1 = (await c.step())!;
  const real = agentOne();
  const r1 = await get(real, { Authorization: `Negotiate ${b64(t1)}` });
  seen.push(r1.raw);
  const t3 = (await c.step(tokenOf(r1.headers['www-authenticate'])))!;

  await expect('bad base64', { Authorization: 'Negotiate ***not base64***' }, 400);
  await expect('base64 with bad length', { Authorization: 'Negotiate YWJj=' }, 400);
  await expect('garbage token', { Authorization: `Negotiate ${b64(new TextEncoder().encode('hello, world'))}` }, 400);
  await expect('truncated NegTokenInit', { Authorization: `Negotiate ${b64(t1.subarray(0, t1.length - 7))}` }, 400);
  await expect('truncated to one byte', { Authorization: 'Negotiate YA==' }, 400);
  await expect('oversize (70 KiB)', { Authorization: `Negotiate ${'A'.repeat(70 * 1024)}` }, 400);
  await expect('AUTHENTICATE first, no CHALLENGE before it', { Authorization: `Negotiate ${b64(t3)}` }, 401);
  const raw = initiator({ mech: 'ntlm', credential: { username: 'EXAMPLE\\alice', password: PASSWORD } });
  const n1 = (await raw.step())!;
  await expect('raw NTLM CHALLENGE-less AUTHENTICATE-shaped token', { Authorization: `Negotiate ${b64(new Uint8Array([...n1.subarray(0, 8), 3, 0, 0, 0, ...n1.subarray(12)]))}` }, [400, 401]);
  // The same NEGOTIATE twice is a restart, not an error; a CHALLENGE sent by the client is refused.
  const dup = agentOne();
  await expect('NEGOTIATE', { Authorization: `Negotiate ${b64(t1)}` }, 401, dup);
  await expect('NEGOTIATE again (restart)', { Authorization: `Negotiate ${b64(t1)}` }, 401, dup);
  await expect('the server CHALLENGE echoed back', { Authorization: r1.headers['www-authenticate']! }, 401, dup);

  // A tampered mechListMIC on the right connection: the token ends with the 16-byte NTLM
  // signature (version 4, checksum 8, SeqNum 4); flip a checksum byte.
  const bad = new Uint8Array(t3);
  bad[bad.length - 6]! ^= 0x01;
  const { r: tampered } = await expect('tampered mechListMIC', { Authorization: `Negotiate ${b64(bad)}` }, 401, real);
  assert.ok(tampered.headers['www-authenticate']?.startsWith('Negotiate'));
  // The genuine AUTHENTICATE now fails too: the handshake on that connection was dropped.
  await expect('genuine AUTHENTICATE after the failure', { Authorization: `Negotiate ${b64(t3)}` }, 401, real);

  // A tampered MIC inside the NTLM AUTHENTICATE itself (MS-NLMP 3.1.5.1.2), on its own connection.
  const c2 = client();
  const a2 = agentOne();
  const r2 = await get(a2, { Authorization: `Negotiate ${b64((await c2.step())!)}` });
  seen.push(r2.raw);
  const t3b = new Uint8Array((await c2.step(tokenOf(r2.headers['www-authenticate'])))!);
  const at = Buffer.from(t3b).indexOf(Buffer.from('NTLMSSP\0\x03\0\0\0', 'latin1'));
  assert.ok(at > 0, 'the AUTHENTICATE inside the NegTokenResp');
  t3b[at + AUTHENTICATE_MIC_OFFSET + 3]! ^= 0x80;
  await expect('tampered NTLM AUTHENTICATE MIC', { Authorization: `Negotiate ${b64(t3b)}` }, 401, a2);

  // Wrong password, through the whole handshake.
  const wrong = await handshake(agentOne(), client('EXAMPLE\\alice', 'not-the-password'));
  seen.push(...wrong.replies.map((x) => x.raw));
  assert.equal(wrong.final.status, 401);
  assert.equal(wrong.clientError, 'UNAUTHORIZED', 'the 401 carried the SPNEGO reject, after the mechanism was agreed');
  // Unknown user.
  const nobody = await handshake(agentOne(), client('EXAMPLE\\mallory', PASSWORD));
  assert.equal(nobody.final.status, 401);

  // Several Authorization headers, and node's own 431 for a header beyond its limit.
  const dupHeader = await rawRequest(`GET / HTTP/1.1\r\nHost: x\r\nAuthorization: Negotiate ${b64(t1)}\r\nAuthorization: Negotiate ${b64(t1)}\r\nConnection: close\r\n\r\n`);
  seen.push(dupHeader);
  assert.match(dupHeader, /^HTTP\/1\.1 (400|401)/);
  const huge = await rawRequest(`GET / HTTP/1.1\r\nHost: x\r\nAuthorization: Negotiate ${'A'.repeat(300 * 1024)}\r\nConnection: close\r\n\r\n`);
  assert.match(huge, /^HTTP\/1\.1 431/);

  // Still serving a correct client (a SPNEGO initiator we can ask for the session key afterwards).
  const spnego = new SpnegoInitiator({ mechs: [ntlmInitiatorMech({ credential: { username: 'EXAMPLE\\alice', password: PASSWORD }, target: 'HTTP/localhost' })] });
  const good = await handshake(agentOne(), spnego);
  seen.push(...good.replies.map((x) => x.raw));
  assert.equal(good.final.status, 200);
  assert.equal(JSON.parse(good.final.body).principal, 'EXAMPLE\\alice');
  const sessionKey = ntlmContextOf(spnego.mechContext)?.sessionKey;
  assert.ok(sessionKey && sessionKey.length === 16);

  // Nothing secret in any response byte or log line: password, NT hash, in any common encoding.
  const hash = ntlmHash(PASSWORD);
  const secrets = [PASSWORD, Buffer.from(PASSWORD, 'utf16le').toString('latin1')];
  for (const key of [hash, sessionKey]) secrets.push(Buffer.from(key).toString('hex'), Buffer.from(key).toString('base64').replace(/=+$/, ''), Buffer.from(key).toString('latin1'));
  const all = [...seen, ...logged].join('\n');
  for (const s of secrets) assert.ok(!all.toLowerCase().includes(s.toLowerCase()), 'a secret leaked into a response or log line');
  // The failures were logged with codes.
  const codes = new Set(events.filter((e) => e.outcome === 'failed').map((e) => e.error?.code));
  for (const code of ['DECODE_BAD_VALUE', 'DECODE_LIMIT', 'BAD_MIC']) assert.ok(codes.has(code as never), `logged ${code}: ${[...codes].join(',')}`);
});

test('authenticate() without a socket or with an acceptor that throws a non-SpnegoError: a response, not a crash', async () => {
  const a = createNegotiateAuthenticator({ credential: { ntlmUsers: USERS } });
  const r = await a.authenticate({ headers: { authorization: 'Negotiate YA==' } });
  assert.equal(r.status, 400);
  const broken = createNegotiateAuthenticator({
    createContext: () => ({ ...acceptor({ credential: { ntlmUsers: USERS } }), step: () => Promise.reject(new TypeError('boom')) }),
  });
  const r2 = await broken.authenticate({ headers: { authorization: 'Negotiate YA==' }, socket: new net.Socket() });
  assert.equal(r2.status, 401);
  assert.equal(r2.error?.code, 'FAILURE');
  assert.ok(!r2.error?.message.includes('boom'));
});

test('state is dropped when the socket closes', async () => {
  const a = createNegotiateAuthenticator({ credential: { ntlmUsers: USERS } });
  const s = new net.Socket();
  const c = initiator({ mech: 'ntlm', credential: { username: 'EXAMPLE\\bob', password: 'Bob-Pass-9' } });
  const r1 = await a.authenticate({ headers: { authorization: `Negotiate ${b64((await c.step())!)}` }, socket: s });
  const t3 = await c.step(tokenOf(r1.headers['WWW-Authenticate'] as string));
  assert.equal((await a.authenticate({ headers: { authorization: `Negotiate ${b64(t3!)}` }, socket: s })).status, 200);
  assert.equal(a.identityOf(s)?.principal, 'EXAMPLE\\bob');
  s.emit('close', false);
  assert.equal(a.identityOf(s), undefined);
  assert.equal((await a.authenticate({ headers: {}, socket: s })).status, 401);
});

test('50 concurrent handshakes from our initiator, each on its own socket, all succeed', async () => {
  const results = await Promise.all(
    Array.from({ length: 50 }, async (_, i) => {
      const agent = agentOne();
      const user = i % 2 ? 'EXAMPLE\\alice' : 'EXAMPLE\\bob';
      const ctx = client(user, i % 2 ? PASSWORD : 'Bob-Pass-9');
      const { final, ports } = await handshake(agent, ctx);
      agent.destroy();
      return { status: final.status, principal: JSON.parse(final.body).principal as string, user, ports: ports.size, complete: ctx.complete };
    }),
  );
  for (const r of results) {
    assert.equal(r.status, 200);
    assert.equal(r.principal, r.user);
    assert.equal(r.ports, 1);
    assert.ok(r.complete);
  }
});

test('the event names an IPv6 peer as [addr]:port, an IPv4 one as addr:port', async () => {
  const events: NegotiateEvent[] = [];
  const a = createNegotiateAuthenticator({ credential: { ntlmUsers: USERS }, onEvent: (e) => events.push(e) });
  for (const [remoteAddress, want] of [['::1', '[::1]:4711'], ['127.0.0.1', '127.0.0.1:4711']] as const) {
    const sock = Object.assign(new net.Socket(), {});
    Object.defineProperty(sock, 'remoteAddress', { value: remoteAddress });
    Object.defineProperty(sock, 'remotePort', { value: 4711 });
    await a.authenticate({ headers: { authorization: 'Negotiate AAAA' }, socket: sock });
    assert.equal(events.at(-1)?.remoteAddress, want);
  }
});
