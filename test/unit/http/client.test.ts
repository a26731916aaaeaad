// The HTTP Negotiate client (src/http/client) against in-process servers that use our own
// acceptor() with per-socket state (a Map keyed by socket), as a connection-bound NTLM server
// does: handshakes on one socket, the final token, no loops, concurrency, socket reuse, bodies,
// HTTPS channel bindings, a CONNECT proxy and a plain-HTTP proxy demanding Negotiate, and the
// `spnego fetch` command.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { X509Certificate } from 'node:crypto';
import { acceptor, tlsServerEndPointBindings, type SecurityContext, type GssChannelBindings } from '../../../src/gss/index.js';
import { SpnegoError } from '../../../src/errors.js';
import { createFetch, createAgent, authInfo } from '../../../src/http/client/index.js';
import { repoPath } from '../../helpers/paths.js';
import { NTOWFv1 } from '../../../src/crypto/ntlm.js';

const USER = 'EXAMPLE\\alice';
const PASSWORD = 'Alice-Pw1';
const credential = { username: USER, password: PASSWORD };
const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

interface Seen {
  socket: number;
  method: string;
  url: string;
  authorization: string | undefined;
  body: string;
}

interface ServerOptions {
  /** Schemes offered on the first 401 (default ['Negotiate']). */
  offer?: string[];
  tamperFinal?: boolean;
  /** Answer a bare 401 even after the handshake completed. */
  refuseAfterComplete?: boolean;
  channelBindings?: GssChannelBindings;
  tls?: { key: string; cert: string };
  /** Path -> [status, Location], answered once the socket is authenticated. */
  redirects?: Record<string, [number, string]>;
  /** Answer the first 401 (no Authorization) before reading the request body (node:http then discards it), as servers may (RFC 9110). */
  challengeBeforeBody?: boolean;
}

interface TestServer {
  url: string;
  port: number;
  seen: Seen[];
  close(): Promise<void>;
}

/** A connection-bound Negotiate/NTLM server: the acceptor and the authenticated user live per socket. */
async function startServer(opts: ServerOptions = {}): Promise<TestServer> {
  const seen: Seen[] = [];
  const ids = new WeakMap<net.Socket, number>();
  const state = new Map<net.Socket, { ctx?: SecurityContext; user?: string }>();
  let next = 0;
  const handler = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    const early = opts.challengeBeforeBody && !state.get(req.socket)?.user && req.headers.authorization === undefined;
    if (!early) for await (const c of req) chunks.push(c as Buffer);
    const sock = req.socket;
    if (!ids.has(sock)) {
      ids.set(sock, ++next);
      sock.once('close', () => state.delete(sock));
    }
    const id = ids.get(sock)!;
    const body = Buffer.concat(chunks).toString();
    const authorization = req.headers.authorization;
    seen.push({ socket: id, method: req.method!, url: req.url!, authorization, body });
    const st = state.get(sock) ?? {};
    state.set(sock, st);
    const ok = (final?: string) => {
      const r = opts.redirects?.[req.url!];
      if (r) {
        res.writeHead(r[0], { location: r[1], 'content-type': 'text/plain', ...(final ? { 'www-authenticate': final } : {}) });
        return res.end('moved');
      }
      res.writeHead(200, { 'content-type': 'application/json', ...(final ? { 'www-authenticate': final } : {}) });
      res.end(JSON.stringify({ user: st.user, socket: id, body }));
    };
    const deny = (value: string | string[]) => {
      res.writeHead(401, { 'www-authenticate': value, 'content-type': 'text/plain' });
      res.end('authenticate, please');
    };
    if (st.user && !opts.refuseAfterComplete) return ok();
    if (!authorization) return deny(opts.offer ?? ['Negotiate']);
    const sp = authorization.indexOf(' ');
    const scheme = authorization.slice(0, sp);
    const token = new Uint8Array(Buffer.from(authorization.slice(sp + 1), 'base64'));
    st.ctx ??= acceptor({
      mech: scheme === 'NTLM' ? 'ntlm' : 'negotiate',
      credential: { ntlmUsers: { [USER]: PASSWORD } },
      ntlm: { netbiosDomain: 'EXAMPLE' },
      ...(opts.channelBindings ? { channelBindings: opts.channelBindings } : {}),
    });
    let out: Uint8Array | undefined;
    try {
      out = await st.ctx.step(token);
    } catch (e) {
      st.ctx = undefined;
      const reject = e instanceof SpnegoError ? e.outputToken : undefined;
      return deny(reject ? `${scheme} ${b64(reject)}` : scheme);
    }
    if (!st.ctx.complete) return deny(`${scheme} ${b64(out!)}`);
    const peer = st.ctx.peerName!;
    st.ctx = undefined;
    if (opts.refuseAfterComplete) return deny(scheme);
    st.user = `${peer.domain}\\${peer.user}`;
    if (!out) return ok();
    const final = new Uint8Array(out);
    if (opts.tamperFinal) final[final.length - 8]! ^= 0x01; // in the MIC's checksum (the signature ends with its SeqNum)
    return ok(`${scheme} ${b64(final)}`);
  };
  const server = opts.tls ? https.createServer({ key: opts.tls.key, cert: opts.tls.cert }, (q, s) => void handler(q, s)) : http.createServer((q, s) => void handler(q, s));
  server.keepAliveTimeout = 10_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}/whoami`,
    port,
    seen,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const servers: TestServer[] = [];
async function server(opts: ServerOptions = {}): Promise<TestServer> {
  const s = await startServer(opts);
  servers.push(s);
  return s;
}

let dir: string;
let certA: { key: string; cert: string; der: Uint8Array };
let certB: { key: string; cert: string; der: Uint8Array };

function makeCert(name: string): { key: string; cert: string; der: Uint8Array } {
  const key = join(dir, `${name}.key`);
  const crt = join(dir, `${name}.crt`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', crt, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
  const cert = readFileSync(crt, 'utf8');
  return { key: readFileSync(key, 'utf8'), cert, der: new Uint8Array(new X509Certificate(cert).raw) };
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'spnego-http-client-'));
  certA = makeCert('a');
  certB = makeCert('b');
});

after(async () => {
  await Promise.all(servers.map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
});

test('raw NTLM scheme: NEGOTIATE, CHALLENGE, AUTHENTICATE on one socket, 200 with the user', async () => {
  const s = await server({ offer: ['NTLM'] });
  const f = createFetch({ credential });
  try {
    const res = await f(s.url);
    assert.equal(res.status, 200);
    const j = (await res.json()) as { user: string };
    assert.equal(j.user, USER);
    assert.equal(s.seen.length, 3);
    assert.deepEqual(s.seen.map((x) => x.authorization?.split(' ')[0]), [undefined, 'NTLM', 'NTLM']);
    assert.equal(new Set(s.seen.map((x) => x.socket)).size, 1, 'every leg on one socket');
    const info = authInfo(res)!;
    assert.equal(info.origin!.scheme, 'NTLM');
    assert.equal(info.origin!.mech, 'ntlm');
    assert.equal(info.origin!.legs, 2);
    assert.equal(info.origin!.complete, true);
  } finally {
    f.close();
  }
});

test('Negotiate (NTLM inside SPNEGO): the final token on the 200 is verified (mutual, mechListMIC)', async () => {
  const s = await server();
  const f = createFetch({ credential, requireMutualAuth: true });
  try {
    const res = await f(s.url);
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { user: string }).user, USER);
    const info = authInfo(res)!;
    assert.equal(info.origin!.scheme, 'Negotiate');
    assert.equal(info.origin!.mutual, true);
    assert.equal(info.origin!.complete, true);
    assert.equal(new Set(s.seen.map((x) => x.socket)).size, 1);
    assert.equal(res.url, s.url);
  } finally {
    f.close();
  }
});

test('an NT hash instead of a password', async () => {
  const s = await server();
  const f = createFetch({ credential: { username: USER, ntHash: NTOWFv1(PASSWORD) } });
  try {
    const res = await f(s.url);
    assert.equal(((await res.json()) as { user: string }).user, USER);
  } finally {
    f.close();
  }
});

test('a tampered final token fails the request although the status is 200', async () => {
  const s = await server({ tamperFinal: true });
  const f = createFetch({ credential });
  try {
    await assert.rejects(f(s.url), (e: unknown) => e instanceof SpnegoError && e.code === 'BAD_MIC');
    assert.equal(s.seen.length, 3);
  } finally {
    f.close();
  }
});

test('no loop: a 401 after the context completed, a wrong password, a server that answers without a token', async () => {
  const s = await server({ refuseAfterComplete: true });
  const f = createFetch({ credential });
  try {
    await assert.rejects(f(s.url), { name: 'SpnegoError', code: 'UNAUTHORIZED' });
    assert.equal(s.seen.length, 3, 'anonymous, NEGOTIATE, AUTHENTICATE and no more');
  } finally {
    f.close();
  }
  for (const offer of [['Negotiate'], ['NTLM']]) {
    const s2 = await server({ offer });
    const bad = createFetch({ credential: { username: USER, password: 'wrong' } });
    try {
      await assert.rejects(bad(s2.url), { name: 'SpnegoError', code: 'UNAUTHORIZED' });
      assert.equal(s2.seen.length, 3, offer[0]);
    } finally {
      bad.close();
    }
  }
});

test('maxLegs ends the exchange with UNAUTHORIZED', async () => {
  const s = await server();
  const f = createFetch({ credential, maxLegs: 1 });
  try {
    await assert.rejects(f(s.url), (e: unknown) => e instanceof SpnegoError && e.code === 'UNAUTHORIZED' && /maxLegs 1/.test(e.message));
    assert.equal(s.seen.length, 2);
  } finally {
    f.close();
  }
  assert.throws(() => createFetch({ credential, maxLegs: 0 }), { code: 'BAD_ARGUMENT' });
});

test('mech ntlm prefers the NTLM scheme, and uses Negotiate when that is all the server offers; a Request object works as input', async () => {
  const both = await server({ offer: ['Negotiate', 'NTLM'] });
  const only = await server({ offer: ['Negotiate'] });
  const f = createFetch({ credential, mech: 'ntlm' });
  try {
    const a = await f(both.url);
    assert.equal(authInfo(a)!.origin!.scheme, 'NTLM');
    assert.equal(((await a.json()) as { user: string }).user, USER);
    const b = await f(new Request(only.url, { method: 'POST', body: 'from a Request', headers: { 'x-a': '1' } }));
    assert.equal(authInfo(b)!.origin!.scheme, 'Negotiate');
    assert.equal(((await b.json()) as { body: string }).body, 'from a Request');
    assert.ok(only.seen.every((x) => x.method === 'POST' && x.body === 'from a Request'));
  } finally {
    f.close();
  }
});

test('no scheme we speak: the 401 comes back as a response; noNtlmFallback refuses NTLM (NO_CRED)', async () => {
  const s = await server({ offer: ['Basic realm="x"'] });
  const f = createFetch({ credential });
  try {
    const res = await f(s.url);
    assert.equal(res.status, 401);
    assert.equal(await res.text(), 'authenticate, please');
    assert.equal(authInfo(res)!.origin, undefined);
  } finally {
    f.close();
  }
  const s2 = await server({ offer: ['Negotiate', 'NTLM'] });
  const g = createFetch({ credential, noNtlmFallback: true });
  try {
    await assert.rejects(g(s2.url), { code: 'NO_CRED' });
  } finally {
    g.close();
  }
});

test('20 concurrent requests: 20 sockets, each handshake on its own socket, all 200', async () => {
  const s = await server();
  const f = createFetch({ credential, maxIdleConnections: 32 });
  try {
    const results = await Promise.all(Array.from({ length: 20 }, () => f(s.url).then(async (r) => ({ status: r.status, j: (await r.json()) as { user: string; socket: number } }))));
    assert.ok(results.every((r) => r.status === 200 && r.j.user === USER));
    assert.equal(new Set(results.map((r) => r.j.socket)).size, 20);
    const bySocket = new Map<number, Seen[]>();
    for (const x of s.seen) bySocket.set(x.socket, [...(bySocket.get(x.socket) ?? []), x]);
    assert.equal(bySocket.size, 20);
    for (const legs of bySocket.values()) assert.deepEqual(legs.map((x) => x.authorization === undefined), [true, false, false]);
  } finally {
    f.close();
  }
});

test('an authenticated keep-alive socket is reused by the next request to the origin', async () => {
  const s = await server();
  const f = createFetch({ credential });
  try {
    const a = await f(s.url);
    const ja = (await a.json()) as { socket: number };
    const b = await f(`${s.url}?again`);
    const jb = (await b.json()) as { socket: number; user: string };
    assert.equal(b.status, 200);
    assert.equal(jb.socket, ja.socket);
    assert.equal(jb.user, USER);
    assert.equal(s.seen.length, 4, 'one more request, no new handshake');
    assert.equal(s.seen[3]!.authorization, undefined);
    assert.equal(authInfo(b)!.reusedConnection, true);
    assert.equal(authInfo(b)!.origin, undefined);
    // An unread body keeps the socket busy: a concurrent request gets its own socket.
    const c = await f(s.url);
    const d = await f(s.url);
    const jd = (await d.json()) as { socket: number };
    const jc = (await c.json()) as { socket: number };
    assert.equal(jc.socket, ja.socket);
    assert.notEqual(jd.socket, ja.socket);
  } finally {
    f.close();
  }
});

test('HEAD: the anonymous 401 (no Content-Length) ends its socket, the legs go as GET on a fresh one, the caller gets a body-less 200', async () => {
  const s = await server();
  const f = createFetch({ credential });
  try {
    const res = await f(s.url, { method: 'HEAD' });
    assert.equal(res.status, 200);
    assert.equal(res.body, null);
    assert.equal(authInfo(res)!.origin!.mutual, true);
    assert.deepEqual(s.seen.map((x) => [x.method, x.authorization?.split(' ')[0]]), [['HEAD', undefined], ['GET', 'Negotiate'], ['GET', 'Negotiate']]);
    assert.notEqual(s.seen[0]!.socket, s.seen[1]!.socket, 'the anonymous HEAD socket could not be kept');
    assert.equal(s.seen[1]!.socket, s.seen[2]!.socket, 'both legs on one socket');
    // The authenticated socket is pooled: a later HEAD goes out as HEAD without a handshake.
    await new Promise((r) => setImmediate(r));
    const again = await f(s.url, { method: 'HEAD' });
    assert.equal(again.status, 200);
    assert.equal(authInfo(again)!.reusedConnection, true);
    assert.deepEqual(s.seen.slice(3).map((x) => [x.method, x.socket]), [['HEAD', s.seen[2]!.socket]]);
  } finally {
    f.close();
  }
});

test('redirects: same-origin ones are followed on the authenticated socket (303 -> GET, 307 keeps the body); another origin, manual and error are not', async () => {
  const s = await server({ redirects: { '/see-other': [303, '/whoami'], '/temp': [307, '/whoami?t'], '/away': [302, 'http://203.0.113.9/whoami'] } });
  const base = s.url.replace('/whoami', '');
  const f = createFetch({ credential });
  try {
    const a = await f(`${base}/see-other`, { method: 'POST', body: 'form' });
    assert.equal(a.status, 200);
    assert.equal(a.url, s.url);
    assert.equal(a.redirected, true, 'as fetch says of a followed redirect');
    const ja = (await a.json()) as { user: string; body: string };
    assert.equal(ja.user, USER);
    assert.equal(ja.body, '');
    assert.deepEqual(s.seen.map((x) => [x.method, x.url]), [['POST', '/see-other'], ['POST', '/see-other'], ['POST', '/see-other'], ['GET', '/whoami']]);
    assert.equal(new Set(s.seen.map((x) => x.socket)).size, 1, 'the redirect reuses the authenticated socket');
    const b = await f(`${base}/temp`, { method: 'PUT', body: 'kept' });
    assert.equal(((await b.json()) as { body: string }).body, 'kept');
    assert.deepEqual(s.seen.slice(4).map((x) => [x.method, x.url, x.body]), [['PUT', '/temp', 'kept'], ['PUT', '/whoami?t', 'kept']]);
    const c = await f(`${base}/away`);
    assert.equal(c.status, 302, 'no credentials offered to another origin');
    assert.equal(c.headers.get('location'), 'http://203.0.113.9/whoami');
    const d = await f(`${base}/see-other`, { redirect: 'manual' });
    assert.equal(d.status, 303);
    await d.arrayBuffer();
    await assert.rejects(f(`${base}/see-other`, { redirect: 'error' }), TypeError);
  } finally {
    f.close();
  }
});

test('an aborted request rejects with the abort reason', async () => {
  const s = await server();
  const f = createFetch({ credential });
  try {
    const ac = new AbortController();
    ac.abort(new Error('stop'));
    await assert.rejects(f(s.url, { signal: ac.signal }), /stop/);
    const late = new AbortController();
    const p = f(s.url, { signal: late.signal });
    late.abort();
    await assert.rejects(p, { name: 'AbortError' });
  } finally {
    f.close();
  }
});

test('an idle pooled socket does not keep the process alive (no close() needed to exit)', async () => {
  const s = await server(); // keep-alive timeout 10 s
  const script = join(dir, 'idle.mjs');
  writeFileSync(
    script,
    `import { createFetch } from ${JSON.stringify(repoPath('dist/src/http/client/index.js'))};
const f = createFetch({ credential: { username: ${JSON.stringify(USER)}, password: ${JSON.stringify(PASSWORD)} } });
const r = await f(${JSON.stringify(s.url)});
console.log(r.status, (await r.json()).user);
`,
  );
  const started = Date.now();
  const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
    execFile(process.execPath, [script], { timeout: 6000 }, (e, out) => resolve({ code: e ? ((e as { code?: number }).code ?? null) : 0, out: String(out) }));
  });
  assert.equal(r.code, 0, 'exited by itself');
  assert.equal(r.out.trim(), `200 ${USER}`);
  assert.ok(Date.now() - started < 6000);
});

test('replayable bodies are sent again on every leg', async () => {
  const s = await server();
  const f = createFetch({ credential });
  try {
    const bodies: [NonNullable<RequestInit['body']>, string][] = [
      ['plain text', 'plain text'],
      [new TextEncoder().encode('bytes'), 'bytes'],
      [new URLSearchParams({ a: '1', b: 'x y' }), 'a=1&b=x+y'],
    ];
    for (const [body, text] of bodies) {
      const g = createFetch({ credential });
      const before = s.seen.length;
      const res = await g(s.url, { method: 'POST', body });
      assert.equal(((await res.json()) as { body: string }).body, text);
      const legs = s.seen.slice(before);
      assert.equal(legs.length, 3);
      assert.ok(legs.every((x) => x.method === 'POST' && x.body === text), JSON.stringify(legs));
      g.close();
    }
  } finally {
    f.close();
  }
});

test('a large body and a server that answers the first 401 before reading it (node:http discards the rest): the next leg waits until that body is written whole, then 200', async () => {
  const s = await server({ challengeBeforeBody: true });
  const f = createFetch({ credential: { username: USER, password: PASSWORD }, mech: 'ntlm' });
  try {
    const big = new Uint8Array(5_000_000).fill(0x61);
    const res = await f(s.url, { method: 'POST', body: big });
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { body: string }).body.length, big.length);
    assert.ok(s.seen.length >= 3);
  } finally {
    f.close();
  }
});

test('stream bodies: buffered and replayed up to maxBufferedBody, beyond it BAD_ARGUMENT saying how to fix it', async () => {
  const s = await server();
  const f = createFetch({ credential, maxBufferedBody: 1024 });
  try {
    const web = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode('web '));
        c.enqueue(new TextEncoder().encode('stream'));
        c.close();
      },
    });
    const res = await f(s.url, { method: 'PUT', body: web, duplex: 'half' } as RequestInit);
    assert.equal(((await res.json()) as { body: string }).body, 'web stream');
    assert.ok(s.seen.every((x) => x.body === 'web stream'));
    const node = Readable.from([Buffer.from('node '), Buffer.from('readable')]);
    const res2 = await f(s.url, { method: 'POST', body: node as unknown as NonNullable<RequestInit['body']> });
    assert.equal(((await res2.json()) as { body: string }).body, 'node readable');
    const before = s.seen.length;
    const big = Readable.from([Buffer.alloc(800), Buffer.alloc(800)]);
    await assert.rejects(f(s.url, { method: 'POST', body: big as unknown as NonNullable<RequestInit['body']> }), (e: unknown) => e instanceof SpnegoError && e.code === 'BAD_ARGUMENT' && /Buffer/.test(e.message) && /maxBufferedBody/.test(e.message));
    assert.equal(s.seen.length, before, 'nothing sent');
  } finally {
    f.close();
  }
});

test('HTTPS: tls-server-end-point channel bindings from the server certificate; wrong bindings refused', async () => {
  const good = await server({ tls: certA, channelBindings: tlsServerEndPointBindings(certA.der) });
  const f = createFetch({ credential, tls: { ca: certA.cert } });
  try {
    const res = await f(good.url);
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { user: string }).user, USER);
    assert.equal(authInfo(res)!.origin!.mutual, true);
  } finally {
    f.close();
  }
  // The acceptor expects the bindings of another certificate (as behind a TLS-terminating MITM).
  const bad = await server({ tls: certA, channelBindings: tlsServerEndPointBindings(certB.der) });
  const g = createFetch({ credential, tls: { ca: certA.cert } });
  try {
    await assert.rejects(g(bad.url), { name: 'SpnegoError', code: 'UNAUTHORIZED' });
    assert.equal(bad.seen.length, 3);
  } finally {
    g.close();
  }
});

interface ProxyLog {
  /** Per client socket: the requests (CONNECT lines or absolute URIs) and their Proxy-Authorization. */
  legs: { socket: number; line: string; auth: string | undefined }[];
}

/** Runs one proxy-side acceptor leg; returns the status line and headers to answer with. */
async function proxyStep(st: { ctx?: SecurityContext; done?: boolean }, auth: string | undefined): Promise<{ done: boolean; header: string | undefined }> {
  if (!auth) return { done: false, header: 'Negotiate' };
  const sp = auth.indexOf(' ');
  st.ctx ??= acceptor({ credential: { ntlmUsers: { [USER]: PASSWORD } }, ntlm: { netbiosDomain: 'EXAMPLE' } });
  try {
    const out = await st.ctx.step(new Uint8Array(Buffer.from(auth.slice(sp + 1), 'base64')));
    if (!st.ctx.complete) return { done: false, header: `Negotiate ${b64(out!)}` };
    st.done = true;
    return { done: true, header: out ? `Negotiate ${b64(out)}` : undefined };
  } catch {
    st.ctx = undefined;
    return { done: false, header: 'Negotiate' };
  }
}

/** A CONNECT proxy that answers 407 Negotiate until the handshake completes on the socket, then tunnels. */
async function startConnectProxy(opts: { chunked?: boolean } = {}): Promise<{ port: number; log: ProxyLog; close(): Promise<void> }> {
  const log: ProxyLog = { legs: [] };
  let ids = 0;
  const sockets = new Set<net.Socket>();
  const srv = net.createServer((sock) => {
    sockets.add(sock);
    const id = ++ids;
    const st: { ctx?: SecurityContext; done?: boolean } = {};
    let buf = Buffer.alloc(0);
    let busy = Promise.resolve();
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      busy = busy.then(async () => {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0 || st.done) return;
        const head = buf.subarray(0, end).toString('latin1').split('\r\n');
        buf = buf.subarray(end + 4);
        const line = head[0]!;
        const auth = head.find((h) => /^proxy-authorization:/i.test(h))?.replace(/^[^:]+:\s*/, '');
        log.legs.push({ socket: id, line, auth });
        const target = /^CONNECT (\S+):(\d+) HTTP\/1\.1$/.exec(line);
        if (!target) return void sock.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n');
        const r = await proxyStep(st, auth);
        if (!r.done) {
          // A body on the 407, as squid sends: the client must skip it to keep the socket in step.
          const body = 'proxy authentication required';
          const framing = opts.chunked ? `Transfer-Encoding: chunked\r\n\r\n5;ext=1\r\nproxy\r\n${(body.length - 5).toString(16)}\r\n${body.slice(5)}\r\n0\r\nX-Trailer: t\r\n\r\n` : `Content-Length: ${body.length}\r\n\r\n${body}`;
          return void sock.write(`HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: ${r.header}\r\nContent-Type: text/plain\r\n${framing}`);
        }
        sock.off('data', onData);
        const up = net.connect(Number(target[2]), target[1]!, () => {
          sock.write(`HTTP/1.1 200 Connection established\r\n${r.header ? `Proxy-Authenticate: ${r.header}\r\n` : ''}\r\n`);
          if (buf.length) up.write(buf);
          sock.pipe(up).pipe(sock);
        });
        up.on('error', () => sock.destroy());
        sock.on('error', () => up.destroy());
        sock.on('close', () => up.destroy());
      });
    };
    sock.on('data', onData);
    sock.on('close', () => sockets.delete(sock));
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return {
    port: (srv.address() as net.AddressInfo).port,
    log,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        srv.close(() => r());
      }),
  };
}

test('CONNECT proxy demanding Negotiate in front of an HTTPS origin demanding Negotiate: two contexts', async () => {
  const origin = await server({ tls: certA, channelBindings: tlsServerEndPointBindings(certA.der) });
  const proxy = await startConnectProxy();
  const f = createFetch({ credential, proxy: `http://127.0.0.1:${proxy.port}`, tls: { ca: certA.cert } });
  try {
    const res = await f(origin.url);
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { user: string }).user, USER);
    const info = authInfo(res)!;
    assert.equal(info.proxy!.scheme, 'Negotiate');
    assert.equal(info.proxy!.legs, 2);
    assert.equal(info.proxy!.mutual, true, "the proxy's final token on the 200 was verified");
    assert.equal(info.origin!.legs, 2);
    assert.equal(info.origin!.mutual, true);
    assert.deepEqual(proxy.log.legs.map((l) => [l.socket, l.line, l.auth?.split(' ')[0]]), [
      [1, `CONNECT 127.0.0.1:${origin.port} HTTP/1.1`, undefined],
      [1, `CONNECT 127.0.0.1:${origin.port} HTTP/1.1`, 'Negotiate'],
      [1, `CONNECT 127.0.0.1:${origin.port} HTTP/1.1`, 'Negotiate'],
    ]);
    assert.equal(new Set(origin.seen.map((x) => x.socket)).size, 1);
    // The tunnel (authenticated at both ends) is reused.
    const again = await f(origin.url);
    assert.equal(((await again.json()) as { user: string }).user, USER);
    assert.equal(authInfo(again)!.reusedConnection, true);
    assert.equal(proxy.log.legs.length, 3);
  } finally {
    f.close();
    await proxy.close();
  }
  // A proxy whose 407 bodies are chunked (with an extension and a trailer) works the same.
  const chunky = await startConnectProxy({ chunked: true });
  const h = createFetch({ credential, proxy: `http://127.0.0.1:${chunky.port}`, tls: { ca: certA.cert } });
  try {
    const res = await h(origin.url);
    assert.equal(((await res.json()) as { user: string }).user, USER);
    assert.equal(authInfo(res)!.proxy!.legs, 2);
  } finally {
    h.close();
    await chunky.close();
  }
  // The proxy refuses a wrong password: UNAUTHORIZED, no loop.
  const proxy2 = await startConnectProxy();
  const g = createFetch({ credential: { username: USER, password: 'wrong' }, proxy: `http://127.0.0.1:${proxy2.port}`, tls: { ca: certA.cert } });
  try {
    await assert.rejects(g(origin.url), { name: 'SpnegoError', code: 'UNAUTHORIZED' });
    assert.equal(proxy2.log.legs.length, 3);
  } finally {
    g.close();
    await proxy2.close();
  }
});

/** A plain-HTTP forward proxy: 407 Negotiate per client socket, then forwards on one upstream socket per client socket. */
async function startForwardProxy(): Promise<{ port: number; log: ProxyLog; close(): Promise<void> }> {
  const log: ProxyLog = { legs: [] };
  const ids = new WeakMap<net.Socket, number>();
  const state = new Map<net.Socket, { ctx?: SecurityContext; done?: boolean; agent?: http.Agent }>();
  let n = 0;
  const srv = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const sock = req.socket;
    if (!ids.has(sock)) {
      ids.set(sock, ++n);
      state.set(sock, {});
      sock.once('close', () => {
        state.get(sock)?.agent?.destroy();
        state.delete(sock);
      });
    }
    const st = state.get(sock)!;
    const auth = req.headers['proxy-authorization'];
    log.legs.push({ socket: ids.get(sock)!, line: `${req.method} ${req.url}`, auth });
    let final: string | undefined;
    if (!st.done) {
      const r = await proxyStep(st, auth);
      if (!r.done) {
        res.writeHead(407, { 'proxy-authenticate': r.header!, 'content-length': '0' });
        return res.end();
      }
      final = r.header;
    }
    st.agent ??= new http.Agent({ keepAlive: true, maxSockets: 1 });
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    const up = http.request(req.url!, { method: req.method, headers, agent: st.agent }, (ur) => {
      res.writeHead(ur.statusCode!, { ...ur.headers, ...(final ? { 'proxy-authenticate': final } : {}) });
      ur.pipe(res);
    });
    up.on('error', () => res.destroy());
    up.end(Buffer.concat(chunks));
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return {
    port: (srv.address() as net.AddressInfo).port,
    log,
    close: () =>
      new Promise<void>((r) => {
        srv.closeAllConnections();
        srv.close(() => r());
      }),
  };
}

test('plain-HTTP proxy: 407 Negotiate answered in absolute form, then the origin\'s 401 Negotiate through it', async () => {
  const origin = await server();
  const proxy = await startForwardProxy();
  const f = createFetch({ credential, proxy: `http://127.0.0.1:${proxy.port}` });
  try {
    const res = await f(origin.url, { method: 'POST', body: 'payload' });
    assert.equal(res.status, 200);
    const j = (await res.json()) as { user: string; body: string };
    assert.equal(j.user, USER);
    assert.equal(j.body, 'payload');
    assert.ok(proxy.log.legs.every((l) => l.line === `POST ${origin.url}` && l.socket === 1), JSON.stringify(proxy.log.legs));
    assert.deepEqual(proxy.log.legs.map((l) => l.auth?.split(' ')[0]), [undefined, 'Negotiate', 'Negotiate', undefined, undefined]);
    const info = authInfo(res)!;
    assert.equal(info.proxy!.legs, 2);
    assert.equal(info.origin!.legs, 2);
    assert.equal(info.origin!.mutual, true);
    assert.equal(new Set(origin.seen.map((x) => x.socket)).size, 1);
  } finally {
    f.close();
    await proxy.close();
  }
});

function get(url: string, agent: http.Agent): Promise<{ status: number; body: string }> {
  const mod = url.startsWith('https:') ? https : http;
  return new Promise((resolve, reject) => {
    mod
      .get(url, { agent }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      })
      .on('error', reject);
  });
}

test('createAgent (axios/got/http.request): a GET probe authenticates each new socket, which keep-alive then reuses', async () => {
  const s = await server();
  const agent = createAgent({ credential });
  try {
    const a = await get(s.url, agent);
    assert.equal(a.status, 200);
    assert.equal(JSON.parse(a.body).user, USER);
    assert.deepEqual(s.seen.map((x) => [x.method, x.url, x.authorization?.split(' ')[0]]), [['GET', '/whoami', undefined], ['GET', '/whoami', 'Negotiate'], ['GET', '/whoami', 'Negotiate'], ['GET', '/whoami', undefined]]);
    assert.equal(new Set(s.seen.map((x) => x.socket)).size, 1);
    const b = await get(`${s.url}?again`, agent);
    assert.equal(JSON.parse(b.body).socket, JSON.parse(a.body).socket);
    assert.equal(s.seen.length, 5);
    const [c, d] = await Promise.all([get(s.url, agent), get(s.url, agent)]);
    assert.equal(JSON.parse(c.body).user, USER);
    assert.equal(JSON.parse(d.body).user, USER);
    assert.notEqual(JSON.parse(c.body).socket, JSON.parse(d.body).socket);
  } finally {
    agent.destroy();
  }
  const t = await server({ tls: certA, channelBindings: tlsServerEndPointBindings(certA.der) });
  const ha = createAgent({ credential, protocol: 'https:', tls: { ca: certA.cert } });
  try {
    const r = await get(t.url, ha);
    assert.equal(r.status, 200);
    assert.equal(JSON.parse(r.body).user, USER);
  } finally {
    ha.destroy();
  }
  const bad = createAgent({ credential: { username: USER, password: 'wrong' } });
  const tampered = await server({ tamperFinal: true });
  const tamperedAgent = createAgent({ credential });
  try {
    await assert.rejects(get(s.url, bad), { name: 'SpnegoError', code: 'UNAUTHORIZED' });
    await assert.rejects(get(tampered.url, tamperedAgent), { name: 'SpnegoError', code: 'BAD_MIC' });
    assert.equal(tampered.seen.length, 3, "the caller's request never went out");
  } finally {
    bad.destroy();
    tamperedAgent.destroy();
  }
});

test('createAgent as axios and got use it (found trying them): the request\'s timeout and AbortSignal cover a handshake stuck on the server; TLS options given per request are used; a proxied (absolute-form) request is a clear BAD_ARGUMENT; a principal-form spn works; proxy URL credentials are refused', async () => {
  // A server that challenges, then never answers the authenticated request.
  const sockets = new Set<net.Socket>();
  const stuck = http.createServer((req, res) => {
    if (!req.headers.authorization) {
      res.writeHead(401, { 'www-authenticate': 'Negotiate', 'content-length': '0' });
      res.end();
    }
  });
  stuck.on('connection', (c) => {
    sockets.add(c);
    c.on('close', () => sockets.delete(c));
  });
  await new Promise<void>((r) => stuck.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(stuck.address() as net.AddressInfo).port}/`;
  const agent = createAgent({ credential });
  const request = (o: http.RequestOptions) =>
    new Promise<unknown>((resolve, reject) => http.get(url, { agent, ...o }, (res) => resolve(res.statusCode)).on('error', reject).on('timeout', () => reject(new Error('node timeout'))));
  try {
    const t0 = Date.now();
    await assert.rejects(request({ timeout: 300 }), (e: unknown) => e instanceof SpnegoError && e.code === 'UNAVAILABLE' && /300 ms/.test(e.message));
    assert.ok(Date.now() - t0 < 3000, 'the timeout fired');
    const ctrl = new AbortController();
    setTimeout(() => ctrl.abort(), 200);
    await assert.rejects(request({ signal: ctrl.signal }));
    for (let i = 0; i < 50 && sockets.size > 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(sockets.size, 0, 'no socket left open (it would keep the process alive)');
    await assert.rejects(
      new Promise((resolve, reject) => http.get({ host: '127.0.0.1', port: (stuck.address() as net.AddressInfo).port, path: 'http://example.test/x', agent }, resolve).on('error', reject)),
      (e: unknown) => e instanceof SpnegoError && e.code === 'BAD_ARGUMENT' && /proxy/.test(e.message),
    );
  } finally {
    agent.destroy();
    stuck.closeAllConnections();
    stuck.close();
  }
  // https.get's own ca reaches the agent's TLS connection.
  const t = await server({ tls: certA, channelBindings: tlsServerEndPointBindings(certA.der) });
  const ha = createAgent({ credential, protocol: 'https:', spn: 'HTTP/127.0.0.1@EXAMPLE.TEST' });
  try {
    const r = await new Promise<{ status: number }>((resolve, reject) => https.get(t.url, { agent: ha, ca: certA.cert }, (res) => { res.resume(); resolve({ status: res.statusCode! }); }).on('error', reject));
    assert.equal(r.status, 200);
  } finally {
    ha.destroy();
  }
  assert.throws(() => createFetch({ credential, proxy: 'http://bob:secret@127.0.0.1:3128' }), (e: unknown) => e instanceof SpnegoError && e.code === 'BAD_ARGUMENT' && !e.message.includes('secret'));
});

// `spnego fetch` against the same in-process server (the child runs while this process serves).
const BIN = repoPath('dist/src/cli/main.js');
function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const full: NodeJS.ProcessEnv = { ...process.env };
    delete full['SPNEGO_PASSWORD'];
    execFile(process.execPath, [BIN, ...args], { env: { ...full, ...env }, timeout: 20_000 }, (e, out, err) => {
      resolve({ code: e ? ((e as { code?: number }).code ?? -1) : 0, out: String(out), err: String(err) });
    });
  });
}
const noStack = (s: string) => assert.ok(!/\n\s+at /.test(s), `no stack trace in: ${s}`);

test('spnego fetch: exit 0 with the page; -v decodes every token; -i, -o, -d, -H; password sources', async () => {
  const s = await server();
  const ok = await cli(['fetch', '-u', USER, '--password', PASSWORD, s.url]);
  assert.equal(ok.code, 0, ok.err);
  assert.equal(JSON.parse(ok.out).user, USER);
  const v = await cli(['fetch', '-v', '-i', '-u', USER, '-X', 'PUT', '-d', 'hello', '-H', 'X-Test: 1', s.url], { SPNEGO_PASSWORD: PASSWORD });
  assert.equal(v.code, 0, v.err);
  assert.match(v.out, /^HTTP\/1\.1 200 OK\r\n/);
  assert.match(v.out, /"body":"hello"/);
  assert.match(v.err, /> Authorization: Negotiate \(\d+ bytes\)\n\s+InitialContextToken/);
  assert.match(v.err, /NEGOTIATE_MESSAGE/);
  assert.match(v.err, /CHALLENGE_MESSAGE/);
  assert.match(v.err, /AUTHENTICATE_MESSAGE/);
  assert.match(v.err, /< \[200\] WWW-Authenticate: Negotiate \(\d+ bytes\)\n\s+NegTokenResp\n\s+negState: accept-completed/);
  assert.match(v.err, /final token verified/);
  // Through a CONNECT proxy demanding Negotiate to an HTTPS origin demanding it too (--proxy, --cacert).
  const tlsOrigin = await server({ tls: certA, channelBindings: tlsServerEndPointBindings(certA.der) });
  const proxy = await startConnectProxy();
  try {
    const caFile = join(dir, 'a-ca.pem');
    writeFileSync(caFile, certA.cert);
    const p = await cli(['fetch', '-v', '-u', USER, '--password', PASSWORD, '--proxy', `http://127.0.0.1:${proxy.port}`, '--cacert', caFile, tlsOrigin.url]);
    assert.equal(p.code, 0, p.err);
    assert.equal(JSON.parse(p.out).user, USER);
    assert.match(p.err, /> Proxy-Authorization: Negotiate \(\d+ bytes\)/);
    assert.match(p.err, /< Proxy-Authenticate: Negotiate \(\d+ bytes\)\n\s+NegTokenResp/);
    assert.match(p.err, /; proxy Negotiate \(ntlm\), 2 leg\(s\)/);
    const untrusted = await cli(['fetch', '-u', USER, '--password', PASSWORD, '--proxy', `http://127.0.0.1:${proxy.port}`, tlsOrigin.url]);
    assert.equal(untrusted.code, 1);
    assert.match(untrusted.err, /^spnego: UNAVAILABLE: fetch failed: self.signed certificate/);
  } finally {
    await proxy.close();
  }
  const pwFile = join(dir, 'pw');
  writeFileSync(pwFile, `${PASSWORD}\n`);
  const outFile = join(dir, 'out.json');
  const o = await cli(['fetch', '-u', USER, '--password-file', pwFile, '-o', outFile, s.url]);
  assert.equal(o.code, 0, o.err);
  assert.equal(o.out, '');
  assert.equal(JSON.parse(readFileSync(outFile, 'utf8')).user, USER);
});

test('spnego fetch: failures are one line with the code, non-zero, no stack trace', async () => {
  const s = await server();
  const tampered = await server({ tamperFinal: true });
  const cases: [string[], RegExp][] = [
    [['fetch', '-u', USER, '--password', 'wrong', s.url], /^spnego: UNAUTHORIZED: /],
    [['fetch', '-u', USER, '--password', PASSWORD, tampered.url], /^spnego: BAD_MIC: /],
    [['fetch', '-u', USER, s.url], /^spnego: NO_CRED: no password for EXAMPLE\\alice .*no usable Kerberos ticket/],
    [['fetch', '-d', '@/nonexistent/body', s.url], /^spnego: BAD_ARGUMENT: cannot read the -d file/],
    [['fetch', '--password', PASSWORD, s.url], /^spnego: BAD_ARGUMENT: --password and --password-file need -u/],
    [['fetch', '-H', 'X-A: 1\r\nX-B: 2', s.url], /^spnego: BAD_ARGUMENT: -H /],
    [['fetch', 'http://not a url/'], /^spnego: BAD_ARGUMENT: not a URL/],
    [['fetch', '-u', USER, '--password', PASSWORD, '--mech', 'kerberos', s.url], /^spnego: NO_CRED: /],
    [['fetch', '-u', USER, '--password', PASSWORD, 'http://127.0.0.1:1/'], /^spnego: UNAVAILABLE: fetch failed/],
  ];
  for (const [args, re] of cases) {
    const r = await cli(args);
    assert.notEqual(r.code, 0, args.join(' '));
    assert.match(r.err, re, args.join(' '));
    assert.equal(r.err.trim().split('\n').length, 1, r.err);
    noStack(r.err);
  }
  const moved = await server({ redirects: { '/old': [302, '/whoami'] } });
  const m = await cli(['fetch', '-u', USER, '--password', PASSWORD, moved.url.replace('/whoami', '/old')]);
  assert.equal(m.code, 1, 'a 3xx is not a success without -L');
  assert.match(m.err, /^spnego: FAILURE: HTTP 302/);
  const l = await cli(['fetch', '-L', '-u', USER, '--password', PASSWORD, moved.url.replace('/whoami', '/old')]);
  assert.equal(l.code, 0, l.err);
  assert.equal(JSON.parse(l.out).user, USER);
  // curl's forms: -u USER:PASSWORD, a URL without a scheme, -o - for standard output.
  const c = await cli(['fetch', '-u', `${USER}:${PASSWORD}`, '-o', '-', s.url.replace('http://', '')]);
  assert.equal(c.code, 0, c.err);
  assert.equal(JSON.parse(c.out).user, USER);
  const basic = await server({ offer: ['Basic realm="x"'] });
  const r = await cli(['fetch', '-u', USER, '--password', PASSWORD, basic.url]);
  assert.equal(r.code, 1);
  assert.match(r.err, /^spnego: UNAUTHORIZED: HTTP 401/);
});
