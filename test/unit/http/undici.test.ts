// createNegotiateDispatcher() (src/http/client/undici.ts) with undici 7 (a dev dependency; an
// optional peer at runtime) against an in-process connection-bound server that runs our own
// acceptor() per socket, NTLM inside Negotiate: undici.request, undici.fetch, dispatcher.request,
// setGlobalDispatcher, concurrency, request bodies, a wrong password, close().
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type * as net from 'node:net';
import * as undici from 'undici';
import { acceptor, type SecurityContext } from '../../../src/gss/index.js';
import { SpnegoError } from '../../../src/errors.js';
import { createNegotiateDispatcher } from '../../../src/http/client/index.js';

const USER = 'EXAMPLE\\alice';
const PASSWORD = 'Alice-Pw1';
const credential = { username: USER, password: PASSWORD };
const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

interface Seen {
  socket: number;
  method: string;
  authorization: string | undefined;
}

let server: http.Server;
let base: string;
const seen: Seen[] = [];

before(async () => {
  const ids = new WeakMap<net.Socket, number>();
  const state = new Map<net.Socket, { ctx?: SecurityContext; user?: string }>();
  let next = 0;
  const handler = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const sock = req.socket;
    if (!ids.has(sock)) {
      ids.set(sock, ++next);
      sock.once('close', () => state.delete(sock));
    }
    const id = ids.get(sock)!;
    const authorization = req.headers.authorization;
    seen.push({ socket: id, method: req.method!, authorization });
    const st = state.get(sock) ?? {};
    state.set(sock, st);
    const ok = (final?: string) => {
      res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': ['a=1', 'b=2'], ...(final ? { 'www-authenticate': final } : {}) });
      res.end(JSON.stringify({ user: st.user, socket: id, body: Buffer.concat(chunks).toString(), contentType: req.headers['content-type'] ?? null, x: req.headers['x-test'] ?? null }));
    };
    const deny = (value: string) => {
      res.writeHead(401, { 'www-authenticate': value, 'content-type': 'text/plain' });
      res.end('authenticate, please');
    };
    if (st.user && req.url === '/slow') return void setTimeout(ok, 500);
    if (st.user) return ok();
    if (!authorization) return deny('Negotiate');
    const sp = authorization.indexOf(' ');
    const scheme = authorization.slice(0, sp);
    st.ctx ??= acceptor({ mech: 'negotiate', credential: { ntlmUsers: { [USER]: PASSWORD } }, ntlm: { netbiosDomain: 'EXAMPLE' } });
    let out: Uint8Array | undefined;
    try {
      out = await st.ctx.step(new Uint8Array(Buffer.from(authorization.slice(sp + 1), 'base64')));
    } catch (e) {
      st.ctx = undefined;
      const reject = e instanceof SpnegoError ? e.outputToken : undefined;
      return deny(reject ? `${scheme} ${b64(reject)}` : scheme);
    }
    if (!st.ctx.complete) return deny(`${scheme} ${b64(out!)}`);
    st.user = `${st.ctx.peerName!.domain}\\${st.ctx.peerName!.user}`;
    st.ctx = undefined;
    return ok(out ? `${scheme} ${b64(out)}` : undefined);
  };
  server = http.createServer((q, s) => void handler(q, s));
  server.keepAliveTimeout = 10_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

test('undici.request: the three legs on one socket, then 200 and the body; the next request reuses the authenticated socket', async () => {
  const dispatcher = await createNegotiateDispatcher({ credential });
  try {
    const from = seen.length;
    const res = await undici.request(`${base}/whoami`, { dispatcher });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.headers['set-cookie'], ['a=1', 'b=2']);
    const body = (await res.body.json()) as { user: string; socket: number };
    assert.equal(body.user, 'EXAMPLE\\alice');
    const legs = seen.slice(from);
    assert.equal(legs.length, 3);
    assert.equal(legs[0]!.authorization, undefined);
    assert.match(legs[1]!.authorization!, /^Negotiate /);
    assert.match(legs[2]!.authorization!, /^Negotiate /);
    assert.ok(legs.every((l) => l.socket === body.socket), 'all legs on one socket');

    const again = seen.length;
    const res2 = await undici.request(`${base}/whoami`, { dispatcher, headers: { 'x-test': 'yes' } });
    const body2 = (await res2.body.json()) as { user: string; socket: number; x: string };
    assert.equal(res2.statusCode, 200);
    assert.equal(body2.socket, body.socket);
    assert.equal(body2.x, 'yes');
    assert.equal(seen.length - again, 1, 'no new handshake on the pooled socket');
  } finally {
    await dispatcher.close();
  }
});

test('undici.request and dispatcher.request: string and Buffer bodies reach the server on the authenticated leg; other bodies fail with BAD_ARGUMENT', async () => {
  const dispatcher = await createNegotiateDispatcher({ credential });
  try {
    const res = await undici.request(`${base}/echo`, { dispatcher, method: 'POST', body: 'hello', headers: { 'content-type': 'text/x-test' } });
    assert.equal(res.statusCode, 200);
    const j = (await res.body.json()) as { body: string; contentType: string };
    assert.equal(j.body, 'hello');
    assert.equal(j.contentType, 'text/x-test');
    const res2 = await dispatcher.request({ origin: base, path: '/echo?q=1', method: 'PUT', body: Buffer.from('bytes') });
    assert.equal(res2.statusCode, 200);
    assert.equal(((await res2.body.json()) as { body: string }).body, 'bytes');
    await assert.rejects(
      dispatcher.request({ origin: base, path: '/echo', method: 'POST', body: 42 as unknown as string }),
      (e: unknown) => e instanceof SpnegoError && e.code === 'BAD_ARGUMENT' && /request body/.test(e.message),
    );
  } finally {
    await dispatcher.close();
  }
});

test('undici.fetch: 200 after the handshake, a body through the stream path', async () => {
  const dispatcher = await createNegotiateDispatcher({ credential });
  try {
    const from = seen.length;
    const res = await undici.fetch(`${base}/whoami`, { dispatcher });
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { user: string }).user, 'EXAMPLE\\alice');
    assert.equal(seen.length - from, 3);
    const post = await undici.fetch(`${base}/echo`, { dispatcher, method: 'POST', body: 'posted' });
    assert.equal(post.status, 200);
    assert.equal(((await post.json()) as { body: string }).body, 'posted');
  } finally {
    await dispatcher.close();
  }
});

test('10 concurrent requests through one dispatcher all authenticate', async () => {
  const dispatcher = await createNegotiateDispatcher({ credential });
  try {
    const results = await Promise.all(
      Array.from({ length: 10 }, async (_, i) => {
        const res = i % 2 ? await undici.request(`${base}/whoami`, { dispatcher }) : await undici.fetch(`${base}/whoami`, { dispatcher });
        const status = 'statusCode' in res ? res.statusCode : res.status;
        const body = 'statusCode' in res ? await res.body.json() : await res.json();
        return { status, user: (body as { user: string }).user };
      }),
    );
    assert.equal(results.length, 10);
    for (const r of results) assert.deepEqual(r, { status: 200, user: 'EXAMPLE\\alice' });
  } finally {
    await dispatcher.close();
  }
});

test('a wrong password: undici.request rejects with SpnegoError UNAUTHORIZED, undici.fetch with it as the cause', async () => {
  const dispatcher = await createNegotiateDispatcher({ credential: { username: USER, password: 'wrong' } });
  try {
    await assert.rejects(undici.request(`${base}/whoami`, { dispatcher }), (e: unknown) => e instanceof SpnegoError && e.code === 'UNAUTHORIZED');
    await assert.rejects(undici.fetch(`${base}/whoami`, { dispatcher }), (e: unknown) => e instanceof TypeError && e.cause instanceof SpnegoError && e.cause.code === 'UNAUTHORIZED');
  } finally {
    await dispatcher.close();
  }
});

test('setGlobalDispatcher: undici.request without a dispatcher option authenticates', async () => {
  const previous = undici.getGlobalDispatcher();
  const dispatcher = await createNegotiateDispatcher({ credential });
  undici.setGlobalDispatcher(dispatcher);
  try {
    const res = await undici.request(`${base}/whoami`);
    assert.equal(res.statusCode, 200);
    assert.equal(((await res.body.json()) as { user: string }).user, 'EXAMPLE\\alice');
  } finally {
    undici.setGlobalDispatcher(previous);
    await dispatcher.close();
  }
});

test('close() waits for a running request; a request after close() fails', async () => {
  const dispatcher = await createNegotiateDispatcher({ credential });
  const running = undici.request(`${base}/whoami`, { dispatcher });
  const closed = dispatcher.close();
  const res = await running;
  assert.equal(res.statusCode, 200);
  await res.body.text();
  await closed;
  await assert.rejects(undici.request(`${base}/whoami`, { dispatcher }), { name: 'ClientClosedError' });
});

test('an AbortSignal aborts a request in flight with its reason', async () => {
  const dispatcher = await createNegotiateDispatcher({ credential });
  try {
    await (await undici.request(`${base}/whoami`, { dispatcher })).body.text();
    const t0 = Date.now();
    await assert.rejects(undici.request(`${base}/slow`, { dispatcher, signal: AbortSignal.timeout(50) }), { name: 'TimeoutError' });
    assert.ok(Date.now() - t0 < 400, 'rejected before the server answered');
  } finally {
    await dispatcher.close();
  }
});
