// The Express, Fastify and Passport adapters (src/http/server/adapters.ts) against the real
// frameworks (devDependencies), on loopback sockets, with our initiator() doing the legs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify from 'fastify';
import passport from 'passport';
import { initiator } from '../../../src/gss/context.js';
import { negotiateMiddleware, negotiateFastify, NegotiateStrategy, type NegotiateIdentity } from '../../../src/http/server/index.js';

const USERS = { 'EXAMPLE\\alice': 'Alice-Pass-3', 'EXAMPLE\\carol': 'Carol-Pass-4' };
const OPTS = { credential: { ntlmUsers: USERS }, ntlm: { netbiosDomain: 'EXAMPLE' } };

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  localPort: number;
}

function get(port: number, agent: http.Agent, path: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent, headers }, (res) => {
        const localPort = res.socket.localPort ?? -1;
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString('utf8')));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, localPort }));
      })
      .on('error', reject);
  });
}

/** All legs on one keep-alive socket; checks the final token with the initiator. */
async function login(port: number, path: string, user = 'EXAMPLE\\alice', password = 'Alice-Pass-3') {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const ctx = initiator({ mech: 'negotiate', target: 'HTTP@localhost', credential: { username: user, password } });
  const first = await get(port, agent, path);
  let tok = await ctx.step();
  let r: Reply = first;
  const ports = new Set<number>([first.localPort]);
  for (let i = 0; i < 5 && tok; i++) {
    r = await get(port, agent, path, { Authorization: `Negotiate ${Buffer.from(tok).toString('base64')}` });
    ports.add(r.localPort);
    const m = /^Negotiate (.+)$/.exec(r.headers['www-authenticate'] ?? '');
    const back = m ? new Uint8Array(Buffer.from(m[1]!, 'base64')) : undefined;
    if (r.status !== 401) {
      if (back) await ctx.step(back);
      break;
    }
    if (!back) break;
    try {
      tok = await ctx.step(back);
    } catch {
      break; // a SPNEGO reject
    }
  }
  return { first, final: r, ports, complete: ctx.complete, agent };
}

async function listen(server: http.Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}
async function close(server: http.Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
}

test('Express: negotiateMiddleware authenticates (3 legs, one socket), req.negotiate in the route, keep-alive reuse, wrong password 401', async () => {
  const app = express();
  app.get('/open', (_req, res) => {
    res.send('open');
  });
  app.use(negotiateMiddleware(OPTS));
  app.get('/me', (req, res) => {
    res.json((req as unknown as { negotiate: NegotiateIdentity }).negotiate);
  });
  const server = http.createServer(app);
  const port = await listen(server);
  try {
    const open = await get(port, new http.Agent(), '/open');
    assert.equal(open.status, 200, 'routes before the middleware stay open');
    const { first, final, ports, complete, agent } = await login(port, '/me');
    assert.equal(first.status, 401);
    assert.equal(first.headers['www-authenticate'], 'Negotiate');
    assert.equal(final.status, 200);
    assert.equal(ports.size, 1);
    assert.ok(complete, 'final token verified by the client');
    const id = JSON.parse(final.body) as NegotiateIdentity;
    assert.equal(id.principal, 'EXAMPLE\\alice');
    assert.equal(id.mech, 'ntlm');
    assert.deepEqual(id.mic, { required: true, sent: true, received: true });
    const again = await get(port, agent, '/me');
    assert.equal(again.status, 200);
    assert.equal(JSON.parse(again.body).reused, true);
    agent.destroy();
    const wrong = await login(port, '/me', 'EXAMPLE\\alice', 'wrong');
    assert.equal(wrong.final.status, 401);
    wrong.agent.destroy();
    const bad = await get(port, new http.Agent(), '/me', { Authorization: 'Negotiate %%%' });
    assert.equal(bad.status, 400);
  } finally {
    await close(server);
  }
});

test('Fastify: the plugin (onRequest hook) sets request.negotiate, challenges, answers 400 to junk', async () => {
  const app = Fastify();
  await app.register(negotiateFastify, OPTS);
  app.get('/me', async (request) => (request as unknown as { negotiate: NegotiateIdentity }).negotiate);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as AddressInfo).port;
  try {
    const { first, final, ports, complete, agent } = await login(port, '/me', 'EXAMPLE\\carol', 'Carol-Pass-4');
    assert.equal(first.status, 401);
    assert.equal(first.headers['www-authenticate'], 'Negotiate');
    assert.equal(final.status, 200);
    assert.equal(ports.size, 1);
    assert.ok(complete);
    assert.ok(final.headers['www-authenticate']?.startsWith('Negotiate '), 'the final token rides on the 200');
    assert.equal(JSON.parse(final.body).principal, 'EXAMPLE\\carol');
    const again = await get(port, agent, '/me');
    assert.equal(again.status, 200);
    assert.equal(JSON.parse(again.body).principal, 'EXAMPLE\\carol');
    agent.destroy();
    const bad = await get(port, new http.Agent(), '/me', { Authorization: 'Negotiate YWJj' });
    assert.equal(bad.status, 400);
    const wrong = await login(port, '/me', 'EXAMPLE\\carol', 'nope');
    assert.equal(wrong.final.status, 401);
    wrong.agent.destroy();
  } finally {
    app.server.closeAllConnections();
    await app.close();
  }
});

test('Passport: NegotiateStrategy with success(user) via verify, fail(challenge, 401), the final token on the 200', async () => {
  const pp = new passport.Passport();
  const verified: string[] = [];
  pp.use(
    new NegotiateStrategy(OPTS, (identity, done) => {
      verified.push(identity.principal);
      if (identity.user === 'carol') return done(null, false); // known to NTLM, not to the app
      done(null, { name: identity.principal, via: identity.mech });
    }),
  );
  const app = express();
  app.use(pp.initialize());
  app.get('/me', pp.authenticate('negotiate', { session: false }), (req, res) => {
    res.json(req.user);
  });
  const server = http.createServer(app);
  const port = await listen(server);
  try {
    const { first, final, ports, complete, agent } = await login(port, '/me');
    assert.equal(first.status, 401);
    assert.equal(first.headers['www-authenticate'], 'Negotiate');
    assert.equal(final.status, 200);
    assert.equal(ports.size, 1);
    assert.ok(complete, 'the final token (set on req.res) verified');
    assert.deepEqual(JSON.parse(final.body), { name: 'EXAMPLE\\alice', via: 'ntlm' });
    agent.destroy();
    const refused = await login(port, '/me', 'EXAMPLE\\carol', 'Carol-Pass-4');
    assert.equal(refused.final.status, 401, 'verify said no');
    // A fresh challenge, not the server's "accept-completed" token (RFC 4559 5: a 401 invites a new attempt).
    assert.equal(refused.final.headers['www-authenticate'], 'Negotiate');
    refused.agent.destroy();
    assert.deepEqual(verified, ['EXAMPLE\\alice', 'EXAMPLE\\carol']);
    const bad = await get(port, new http.Agent(), '/me', { Authorization: 'Negotiate !!' });
    assert.equal(bad.status, 400);
  } finally {
    await close(server);
  }
});
