// createFetch(): a fetch-compatible function that answers Negotiate/NTLM challenges from origins
// (401) and proxies (407, plain HTTP and CONNECT), built on node:http over sockets it controls.
//
// Connections: each handshake runs on one pinned socket (connection.ts). Requests running at the
// same time get their own sockets. When a response body has been read to the end on a keep-alive
// connection, the connection goes back to a per-origin pool (per createFetch instance, so per
// credential) of at most maxIdleConnections; the next request to that origin reuses it, and an
// NTLM-authenticated socket stays authenticated. A reused socket that turns out to be closed is
// replaced by a fresh one, once, before any response was read.
// Redirects: `redirect: 'follow'` (the default) follows same-origin 301/302/303/307/308 (at most
// 20; 303, and 301/302 after POST, become a GET without body, as fetch does); a redirect to
// another origin comes back as it is, so credentials are never offered to a host the caller did
// not name (an NTLM response is relayable). 'manual' returns every 3xx; 'error' throws TypeError.
import type { Krb5Client } from '../../mech/krb5/client.js';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import type { ConnectionOptions } from 'node:tls';
import { SpnegoError } from '../../errors.js';
import type { InitiatorCredential } from '../../gss/context.js';
import { parseAuthenticate } from '../challenge.js';
import { DEFAULT_MAX_BUFFERED_BODY, replayableBody } from './body.js';
import { Connection, endpointOf, openConnection, type Endpoint } from './connection.js';
import { Handshake, type HandshakeConfig, type HandshakeInfo } from './handshake.js';

export interface AuthHeaderEvent {
  readonly direction: 'sent' | 'received';
  /** `Authorization`, `WWW-Authenticate`, `Proxy-Authorization` or `Proxy-Authenticate`. */
  readonly header: string;
  readonly value: string;
  /** The response status, for received headers. */
  readonly status?: number;
}

export interface CreateFetchOptions {
  /** `DOMAIN\\user`, `user@domain` or `user`, with a password or an NT hash. */
  readonly credential: InitiatorCredential;
  /** 'negotiate' (default): the Negotiate scheme, NTLM scheme as fallback; 'ntlm': prefer the NTLM scheme. */
  readonly mech?: 'negotiate' | 'ntlm' | 'kerberos';
  /** Target service name, `HTTP@host` (default: `HTTP@` + the URL's host name); `HTTP/host[@REALM]` is read as `HTTP@host`. */
  readonly spn?: string;
  /** An http:// proxy URL; HTTPS targets are tunnelled with CONNECT. */
  readonly proxy?: string | URL;
  /** The proxy's credential (default: `credential`). Its SPN is `HTTP@<proxy host>`. */
  readonly proxyCredential?: InitiatorCredential;
  /** Never answer with NTLM: neither the NTLM scheme nor NTLM inside Negotiate. */
  readonly noNtlmFallback?: boolean;
  /** The Kerberos client to use (its krb5.conf and KDCs); default one from KRB5_CONFIG, built on first use. */
  readonly krb5Client?: Krb5Client;
  /** Requests that carry a token, per handshake, before giving up with UNAUTHORIZED (default 6). */
  readonly maxLegs?: number;
  /**
   * Fail a 2xx that ends the origin's handshake without its final token (default false). Proxies
   * are not held to it (squid sends no final token); `requireProxyMutualAuth` is their switch.
   */
  readonly requireMutualAuth?: boolean;
  readonly requireProxyMutualAuth?: boolean;
  /** rc4-hmac Kerberos tickets (older AD services) and NTLMv1: initiator()'s `allowWeakCrypto`. */
  readonly allowWeakCrypto?: boolean;
  /** Delegate a forwarded TGT to the server (curl --delegation always; needs kinit -f). */
  readonly delegate?: boolean;
  /** TLS options for HTTPS targets (ca, rejectUnauthorized, cert, ...). */
  readonly tls?: ConnectionOptions;
  /** Largest stream request body buffered for replay (default 1 MiB). */
  readonly maxBufferedBody?: number;
  /** Idle keep-alive connections kept per origin (default 8). */
  readonly maxIdleConnections?: number;
  /** Every authentication header sent and received (for `spnego fetch -v`). */
  readonly onAuthHeader?: (e: AuthHeaderEvent) => void;
}

export interface SpnegoFetch {
  (input: string | URL | Request, init?: RequestInit): Promise<Response>;
  /** Closes the pooled idle connections. */
  close(): void;
}

/** What authenticated a response (see authInfo()). */
export interface AuthInfo {
  /** The origin's exchange on this request, if the origin asked for one. */
  readonly origin: HandshakeInfo | undefined;
  /** The proxy's exchange (407 or CONNECT), if this request ran one. */
  readonly proxy: HandshakeInfo | undefined;
  /** The request went over a pooled connection from an earlier request. */
  readonly reusedConnection: boolean;
}

export type { HandshakeInfo } from './handshake.js';

const INFO = new WeakMap<Response, AuthInfo>();

/** How a response from createFetch() was authenticated; undefined for other responses. */
export function authInfo(res: Response): AuthInfo | undefined {
  return INFO.get(res);
}

interface Prepared {
  readonly url: URL;
  readonly target: Endpoint;
  readonly method: string;
  readonly headers: Record<string, string | string[]>;
  readonly body: Uint8Array | undefined;
  readonly signal: AbortSignal | undefined;
}

const DRAIN_LIMIT = 1 << 20;

function rawValues(res: IncomingMessage, name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) if (res.rawHeaders[i]!.toLowerCase() === name) out.push(res.rawHeaders[i + 1]!);
  return out;
}

/** Reads and discards a challenge response's body; true when the socket can carry the next leg. */
async function drain(res: IncomingMessage, conn: Connection): Promise<boolean> {
  let n = 0;
  for await (const chunk of res) {
    n += (chunk as Buffer).length;
    if (n > DRAIN_LIMIT) throw new SpnegoError('UNAVAILABLE', `a ${res.statusCode} challenge body larger than ${DRAIN_LIMIT} bytes`);
  }
  // setImmediate: node:http destroys a socket it will not keep alive right after 'end'.
  await new Promise((r) => setImmediate(r));
  return res.complete && !/\bclose\b/i.test(rawValues(res, 'connection').join(',')) && conn.usable;
}

function closedMidHandshake(who: 'proxy' | 'server'): SpnegoError {
  return new SpnegoError('UNAVAILABLE', `the ${who} closed the connection in the middle of the handshake (connection-bound authentication needs keep-alive)`);
}

function isAbort(e: unknown, signal: AbortSignal | undefined): boolean {
  return (signal?.aborted ?? false) || (e instanceof Error && e.name === 'AbortError');
}

/** `SERVICE@HOST`, or the principal forms `SERVICE/HOST[@REALM]` read as `SERVICE@HOST` (the realm is the KDC's business). */
export function spnToTarget(spn: string): string {
  const slash = spn.indexOf('/');
  if (slash < 0) return spn;
  const host = spn.slice(slash + 1).split('@')[0]!;
  if (slash === 0 || host === '') throw new SpnegoError('BAD_ARGUMENT', `spn wants SERVICE@HOST, got ${JSON.stringify(spn)}`);
  return `${spn.slice(0, slash)}@${host}`;
}

/** The proxy option as an endpoint; credentials in its URL would be silently unused (the proxy gets proxyCredential): refused, as in a target URL. */
export function proxyEndpoint(proxy: string | URL | undefined): Endpoint | undefined {
  if (proxy === undefined) return undefined;
  let u: URL;
  try {
    u = new URL(String(proxy));
  } catch {
    throw new SpnegoError('BAD_ARGUMENT', `not a proxy URL: ${JSON.stringify(String(proxy))}`);
  }
  if (u.username || u.password) throw new SpnegoError('BAD_ARGUMENT', 'credentials in the proxy URL are not used: pass proxyCredential instead');
  return endpointOf(u);
}

export function createFetch(options: CreateFetchOptions): SpnegoFetch {
  if (!options || typeof options !== 'object' || !options.credential) throw new SpnegoError('BAD_ARGUMENT', 'createFetch needs { credential }');
  const maxLegs = options.maxLegs ?? 6;
  if (!Number.isInteger(maxLegs) || maxLegs < 1) throw new SpnegoError('BAD_ARGUMENT', 'maxLegs must be a positive integer');
  const mech = options.mech ?? 'negotiate';
  if (mech !== 'negotiate' && mech !== 'ntlm' && mech !== 'kerberos') throw new SpnegoError('BAD_ARGUMENT', `mech must be 'negotiate', 'kerberos' or 'ntlm'`);
  const proxy = proxyEndpoint(options.proxy);
  const maxIdle = options.maxIdleConnections ?? 8;
  const maxBody = options.maxBufferedBody ?? DEFAULT_MAX_BUFFERED_BODY;
  const base = (credential: InitiatorCredential, target: string, mutual: boolean): Omit<HandshakeConfig, 'who'> => ({
    credential,
    mech,
    target: spnToTarget(target),
    noNtlmFallback: options.noNtlmFallback ?? false,
    maxLegs,
    requireMutualAuth: mutual,
    ...(options.krb5Client ? { krb5Client: options.krb5Client } : {}),
    ...(options.allowWeakCrypto ? { allowWeakCrypto: true } : {}),
    ...(options.delegate ? { delegate: true } : {}),
  });
  const proxyConfig = proxy ? base(options.proxyCredential ?? options.credential, `HTTP@${proxy.hostname}`, options.requireProxyMutualAuth ?? false) : undefined;
  const emit = options.onAuthHeader;
  const pool = new Map<string, Connection[]>();

  const take = (key: string): Connection | undefined => {
    const list = pool.get(key);
    while (list && list.length > 0) {
      const c = list.pop()!;
      if (c.usable) {
        c.socket.ref();
        return c;
      }
      c.close();
    }
    return undefined;
  };
  const release = (key: string, c: Connection): void => {
    if (!c.usable) return c.close();
    const list = pool.get(key) ?? [];
    pool.set(key, list);
    // An idle pooled socket does not keep the process alive (as the http.Agent does).
    c.socket.unref();
    list.push(c);
    while (list.length > maxIdle) list.shift()!.close();
  };

  async function prepare(input: string | URL | Request, init: RequestInit | undefined): Promise<Prepared> {
    const isReq = typeof Request !== 'undefined' && input instanceof Request;
    const url = new URL(isReq ? (input as Request).url : String(input));
    if (url.username || url.password) throw new SpnegoError('BAD_ARGUMENT', 'credentials in the URL are not supported: pass them to createFetch');
    const method = (init?.method ?? (isReq ? (input as Request).method : 'GET')).toUpperCase();
    const h = new Headers(init?.headers ?? (isReq ? (input as Request).headers : undefined));
    let rawBody: unknown = init?.body;
    if (rawBody === undefined && isReq && (input as Request).body !== null) rawBody = new Uint8Array(await (input as Request).arrayBuffer());
    const body = await replayableBody(rawBody, maxBody);
    if (body.bytes && (method === 'GET' || method === 'HEAD')) throw new TypeError(`a ${method} request cannot have a body`);
    if (body.contentType && !h.has('content-type')) h.set('content-type', body.contentType);
    for (const n of ['authorization', 'proxy-authorization', 'host', 'content-length', 'transfer-encoding', 'connection']) h.delete(n);
    const headers: Record<string, string | string[]> = { host: url.host };
    for (const [k, v] of h) headers[k] = k === 'set-cookie' ? h.getSetCookie() : v;
    if (!('accept' in headers)) headers['accept'] = '*/*';
    if (body.bytes || !['GET', 'HEAD', 'DELETE', 'OPTIONS', 'TRACE'].includes(method)) headers['content-length'] = String(body.bytes?.length ?? 0);
    const signal = init?.signal ?? (isReq ? (input as Request).signal : undefined) ?? undefined;
    return { url, target: endpointOf(url), method, headers, body: body.bytes, signal };
  }

  function respond(key: string, res: IncomingMessage, conn: Connection, req: Prepared, info: AuthInfo): Response {
    const headers = new Headers();
    for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
      try {
        headers.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
      } catch {
        // a header value fetch's Headers refuses: left out, as undici does
      }
    }
    const status = res.statusCode ?? 0;
    const nullBody = req.method === 'HEAD' || status === 204 || status === 205 || status === 304;
    const closing = /\bclose\b/i.test(rawValues(res, 'connection').join(',')) || (res.httpVersion === '1.0' && !/keep-alive/i.test(rawValues(res, 'connection').join(',')));
    res.once('end', () => {
      conn.uses++;
      // Pooled at once: node:http detached the keep-alive socket from this response just
      // before 'end' reached us (or destroyed it, which `usable` then tells).
      if (closing) conn.close();
      else release(key, conn);
    });
    res.once('close', () => {
      if (!res.complete) conn.close();
    });
    let body: ReadableStream<Uint8Array> | null = null;
    if (nullBody) res.resume();
    else body = Readable.toWeb(res) as unknown as ReadableStream<Uint8Array>;
    const response = new Response(body, { status, statusText: res.statusMessage ?? '', headers });
    Object.defineProperty(response, 'url', { value: req.url.href });
    INFO.set(response, info);
    return response;
  }

  function open(req: Prepared): Promise<Connection> {
    return openConnection({
      target: req.target,
      proxy,
      tls: options.tls,
      proxyHandshake: proxyConfig ?? base(options.credential, '', false),
      signal: req.signal,
      onHeader: emit ? (direction, header, value) => emit({ direction, header, value }) : undefined,
    });
  }

  async function exchange(key: string, held: { conn: Connection }, req: Prepared, reusedAtStart: boolean, seen: { response: boolean }): Promise<Response> {
    let conn = held.conn;
    let reused = reusedAtStart;
    const newOrigin = () =>
      new Handshake({
        ...base(options.credential, options.spn ?? `HTTP@${req.target.hostname}`, options.requireMutualAuth ?? false),
        who: 'origin',
        channelBindings: conn.channelBindings,
      });
    let origin = newOrigin();
    const viaProxy = conn.viaProxy && !conn.proxyAuthenticated && proxyConfig ? new Handshake({ ...proxyConfig, who: 'proxy' }) : undefined;
    let authz: string | undefined;
    let proxyAuthz: string | undefined;
    const info = (): AuthInfo => ({ origin: origin.info, proxy: viaProxy?.info ?? conn.proxyInfo, reusedConnection: reused });
    for (;;) {
      const headers = { ...req.headers };
      if (authz) {
        headers['authorization'] = authz;
        emit?.({ direction: 'sent', header: 'Authorization', value: authz });
      }
      if (proxyAuthz) {
        headers['proxy-authorization'] = proxyAuthz;
        emit?.({ direction: 'sent', header: 'Proxy-Authorization', value: proxyAuthz });
      }
      const res = await conn.request({
        // HEAD legs go as GET: servers answer HEAD without Content-Length (Apache, node:http),
        // and node:http's client then cannot keep the socket for the next leg. The final
        // response's body is discarded, so the caller still gets a HEAD response.
        method: req.method === 'HEAD' && authz ? 'GET' : req.method,
        path: conn.viaProxy ? `${req.url.origin}${req.url.pathname}${req.url.search}` : `${req.url.pathname}${req.url.search}`,
        host: req.target.hostname,
        port: req.target.port,
        headers,
        body: req.body,
        signal: req.signal,
      });
      seen.response = true;
      const status = res.statusCode ?? 0;
      try {
        if (viaProxy && !conn.proxyAuthenticated) {
          const values = rawValues(res, 'proxy-authenticate');
          for (const v of values) emit?.({ direction: 'received', header: 'Proxy-Authenticate', value: v, status });
          if (status === 407) {
            const next = await viaProxy.challenge(parseAuthenticate(values), 407);
            if (next === undefined) return respond(key, res, conn, req, info());
            if (!(await drain(res, conn))) throw closedMidHandshake('proxy');
            proxyAuthz = next;
            continue;
          }
          await viaProxy.final(parseAuthenticate(values));
          conn.proxyAuthenticated = true;
          proxyAuthz = undefined;
        }
        const values = rawValues(res, 'www-authenticate');
        for (const v of values) emit?.({ direction: 'received', header: 'WWW-Authenticate', value: v, status });
        if (status === 401) {
          const challenges = parseAuthenticate(values);
          if (!origin.started && !origin.canAnswer(challenges)) return respond(key, res, conn, req, info());
          if (!(await drain(res, conn))) {
            // The anonymous 401 may close the socket (Connection: close, a HEAD without length):
            // the handshake starts on a fresh one. A close between legs ends it.
            if (origin.started || conn.viaProxy) throw closedMidHandshake('server');
            conn.close();
            held.conn = conn = await open(req);
            reused = false;
            origin = newOrigin();
          }
          const next = await origin.challenge(challenges, 401);
          if (next === undefined) throw new SpnegoError('UNAUTHORIZED', 'the server offers no scheme we can answer');
          authz = next;
          continue;
        }
        await origin.final(parseAuthenticate(values));
        return respond(key, res, conn, req, info());
      } catch (e) {
        res.destroy();
        throw e;
      }
    }
  }

  async function once(req: Prepared): Promise<Response> {
    const key = `${req.url.protocol}//${req.url.host}`;
    for (let attempt = 0; ; attempt++) {
      const pooled = attempt === 0 ? take(key) : undefined;
      const seen = { response: false };
      let held: { conn: Connection } | undefined;
      try {
        held = { conn: pooled ?? (await open(req)) };
        return await exchange(key, held, req, pooled !== undefined, seen);
      } catch (e) {
        held?.conn.close();
        if (isAbort(e, req.signal)) throw req.signal?.reason ?? e;
        // A pooled socket the server closed while idle: once more on a fresh one.
        if (pooled && !seen.response && !(e instanceof SpnegoError && e.code !== 'FAILURE')) continue;
        if (e instanceof SpnegoError || e instanceof TypeError) throw e;
        throw new TypeError('fetch failed', { cause: e });
      }
    }
  }

  const fetchFn = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    let req = await prepare(input, init);
    const mode = init?.redirect ?? (input instanceof Request ? input.redirect : 'follow');
    for (let hops = 0; ; hops++) {
      const res = await once(req);
      // As fetch: a response reached through a followed redirect says so.
      if (hops > 0) Object.defineProperty(res, 'redirected', { value: true });
      const location = res.headers.get('location');
      if (![301, 302, 303, 307, 308].includes(res.status) || location === null || mode === 'manual') return res;
      if (mode === 'error') {
        await res.body?.cancel();
        throw new TypeError(`fetch failed: redirect to ${location} with redirect: 'error'`);
      }
      let next: URL;
      try {
        next = new URL(location, req.url);
      } catch {
        return res;
      }
      if (next.origin !== req.url.origin) return res; // never offer credentials to another host
      if (hops >= 20) {
        await res.body?.cancel();
        throw new TypeError('fetch failed: more than 20 redirects');
      }
      await res.arrayBuffer(); // frees the connection for the next hop
      const toGet = res.status === 303 ? req.method !== 'HEAD' : (res.status === 301 || res.status === 302) && req.method === 'POST';
      const headers = { ...req.headers };
      if (toGet) for (const h of ['content-type', 'content-length', 'content-encoding', 'content-language', 'content-location']) delete headers[h];
      req = { ...req, url: next, method: toGet ? 'GET' : req.method, body: toGet ? undefined : req.body, headers: { ...headers, host: next.host } };
    }
  };
  return Object.assign(fetchFn, {
    close(): void {
      for (const list of pool.values()) for (const c of list) c.close();
      pool.clear();
    },
  });
}
