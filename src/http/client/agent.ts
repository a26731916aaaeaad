// An http.Agent for code that takes an agent rather than a fetch (axios `httpAgent`/`httpsAgent`,
// got `agent`, plain http.request/https.request). Each new socket is authenticated before the
// caller's request uses it: the agent opens it (TCP, TLS, or a CONNECT tunnel whose 407 legs it
// answers), sends a probe (GET of the request's path, or of `probePath`) through the
// Negotiate/NTLM exchange on that socket, verifies the server's final token, reads the probe's
// body (at most 1 MiB: point probePath at something small when the resource is large), and only
// then hands the socket over. Keep-alive keeps the authenticated socket for later requests.
// Not HEAD: Apache and node:http answer HEAD without Content-Length, and node:http's client then
// refuses to keep the socket alive, which would end the handshake.
// It suits connection-bound servers (NTLM, IIS and Apache mod_auth_gssapi GssapiConnectionBound),
// where a socket stays authenticated. A server that authenticates each request answers the
// caller's request with 401 again: use createFetch() there. Plain-HTTP proxies need the
// absolute-form request line, which an agent cannot write: use createFetch() for those too.
import * as http from 'node:http';
import type { Duplex } from 'node:stream';
import type { ConnectionOptions } from 'node:tls';
import { SpnegoError } from '../../errors.js';
import { parseAuthenticate } from '../challenge.js';
import { Connection, endpointOf, openConnection } from './connection.js';
import { Handshake, type HandshakeConfig } from './handshake.js';
import { proxyEndpoint, spnToTarget, type CreateFetchOptions } from './fetch.js';

export interface NegotiateAgentOptions extends Omit<CreateFetchOptions, 'maxBufferedBody' | 'maxIdleConnections'> {
  /** 'http:' (default) for http.request / axios httpAgent, 'https:' for https.request / httpsAgent. */
  readonly protocol?: 'http:' | 'https:';
  /** The method of the probe that authenticates a new socket (default GET). */
  readonly probeMethod?: string;
  /** The path (and query) of the probe (default: the path of the request that needs the socket). */
  readonly probePath?: string;
  /** http.Agent options (keepAlive is always on); for https, TLS options here apply to every socket. */
  readonly agent?: Omit<http.AgentOptions, 'keepAlive'> & ConnectionOptions;
  /**
   * Longest a new socket's authentication (connect, TLS, probe exchange) may take, in ms: the
   * caller's own timeout starts only once the agent hands the socket over. Default: the request's
   * `timeout`, else `agent.timeout`, else 30 s. An AbortSignal on the request also ends it.
   */
  readonly authTimeoutMs?: number;
}

/** The TLS options node's https.request passes to an agent with each request (per-request ones win). */
const TLS_KEYS = ['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername', 'checkServerIdentity', 'ciphers', 'minVersion', 'maxVersion', 'crl', 'ecdhCurve', 'secureOptions', 'secureProtocol', 'sessionIdContext'] as const;

function tlsFrom(o: object): ConnectionOptions {
  const out: Record<string, unknown> = {};
  for (const k of TLS_KEYS) if ((o as Record<string, unknown>)[k] !== undefined) out[k] = (o as Record<string, unknown>)[k];
  return out as ConnectionOptions;
}

const DRAIN_LIMIT = 1 << 20;

type AddRequest = (req: http.ClientRequest, options: object) => void;

class NegotiateAgent extends http.Agent {
  /** The path of the request being added: createConnection's options carry none. */
  private nextPath: string | undefined;

  constructor(private readonly o: NegotiateAgentOptions) {
    super({ ...(o.agent ?? {}), keepAlive: true });
    // https.request checks the agent's protocol.
    Object.defineProperty(this, 'protocol', { value: o.protocol ?? 'http:', writable: true });
    // addRequest() runs createSocket() -> createConnection() synchronously: note the path first.
    const self = this as unknown as { addRequest: AddRequest };
    const add = self.addRequest.bind(this);
    self.addRequest = (req, options) => {
      this.nextPath = req.path;
      try {
        add(req, options);
      } finally {
        this.nextPath = undefined;
      }
    };
  }

  override createConnection(req: http.ClientRequestArgs, cb?: (err: Error | null, stream: Duplex) => void): Duplex | null | undefined {
    if (!cb) throw new SpnegoError('BAD_ARGUMENT', 'the Negotiate agent opens sockets asynchronously');
    this.authenticated(req, this.nextPath).then(
      (s) => cb(null, s),
      (e: unknown) => cb(e instanceof Error ? e : new Error(String(e)), undefined as unknown as Duplex),
    );
    return undefined;
  }

  private async authenticated(req: http.ClientRequestArgs, path: string | undefined): Promise<Duplex> {
    const o = this.o;
    const protocol = o.protocol ?? 'http:';
    if (path !== undefined && /^[a-z][a-z0-9+.-]*:\/\//i.test(path)) {
      // axios (http_proxy) and http.request through a proxy write the target URL as the path.
      throw new SpnegoError('BAD_ARGUMENT', 'this request goes through a plain-HTTP proxy (absolute-form request line), which the Negotiate agent cannot authenticate: use createFetch({ proxy }), or turn the client\'s proxy off (axios: proxy: false)');
    }
    const host = req.hostname ?? req.host ?? 'localhost';
    const url = new URL(`${protocol}//${host.includes(':') ? `[${host}]` : host}${req.port ? `:${req.port}` : ''}${o.probePath ?? path ?? '/'}`);
    const target = endpointOf(url);
    const proxy = proxyEndpoint(o.proxy);
    if (proxy && protocol === 'http:') throw new SpnegoError('BAD_ARGUMENT', 'the Negotiate agent reaches http:// targets through a proxy only with createFetch() (absolute-form requests)');
    const base = (credential: NegotiateAgentOptions['credential'], spn: string, mutual: boolean): Omit<HandshakeConfig, 'who'> => ({
      credential,
      mech: o.mech ?? 'negotiate',
      target: spn,
      noNtlmFallback: o.noNtlmFallback ?? false,
      maxLegs: o.maxLegs ?? 6,
      requireMutualAuth: mutual,
      ...(o.allowWeakCrypto ? { allowWeakCrypto: true } : {}),
      ...(o.delegate ? { delegate: true } : {}),
    });
    const emit = o.onAuthHeader;
    // The caller's timeout and abort cover the authentication too: node:http starts its own timer
    // only once this socket is handed over, so a server stuck mid-handshake would hang the request.
    const ms = o.authTimeoutMs ?? req.timeout ?? o.agent?.timeout ?? 30_000;
    const ctrl = new AbortController();
    const timer = setTimeout(() => ctrl.abort(new DOMException('timed out', 'TimeoutError')), ms);
    timer.unref();
    const callerSignal = req.signal;
    const onCallerAbort = () => ctrl.abort(callerSignal?.reason);
    if (callerSignal?.aborted) onCallerAbort();
    else callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
    const signal = ctrl.signal;
    const settle = () => {
      clearTimeout(timer);
      callerSignal?.removeEventListener('abort', onCallerAbort);
    };
    const tlsOptions = { ...tlsFrom(o.agent ?? {}), ...(o.tls ?? {}), ...tlsFrom(req) };
    let conn: Connection;
    try {
      conn = await openConnection({
        target,
        proxy,
        tls: tlsOptions,
        proxyHandshake: base(o.proxyCredential ?? o.credential, proxy ? `HTTP@${proxy.hostname}` : '', o.requireProxyMutualAuth ?? false),
        signal,
        onHeader: emit ? (direction, header, value) => emit({ direction, header, value }) : undefined,
      });
    } catch (e) {
      settle();
      throw timedOut(signal, ms) ?? e;
    }
    const onAbort = () => conn.close();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const hs = new Handshake({ ...base(o.credential, spnToTarget(o.spn ?? `HTTP@${target.hostname}`), o.requireMutualAuth ?? false), who: 'origin', channelBindings: conn.channelBindings });
      let authz: string | undefined;
      for (;;) {
        const headers: http.OutgoingHttpHeaders = { host: url.host, accept: '*/*' };
        if (authz) {
          headers['authorization'] = authz;
          emit?.({ direction: 'sent', header: 'Authorization', value: authz });
        }
        const res = await conn.request({ method: o.probeMethod ?? 'GET', path: `${url.pathname}${url.search}`, host: target.hostname, port: target.port, headers, body: undefined, signal });
        const values: string[] = [];
        for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) if (res.rawHeaders[i]!.toLowerCase() === 'www-authenticate') values.push(res.rawHeaders[i + 1]!);
        for (const v of values) emit?.({ direction: 'received', header: 'WWW-Authenticate', value: v, status: res.statusCode ?? 0 });
        let n = 0;
        for await (const chunk of res) {
          n += (chunk as Buffer).length;
          if (n > DRAIN_LIMIT) throw new SpnegoError('UNAVAILABLE', `the Negotiate probe's response body is larger than ${DRAIN_LIMIT} bytes: set probePath to a small resource`);
        }
        if (!conn.usable || /\bclose\b/i.test(String(res.headers.connection ?? ''))) {
          throw new SpnegoError('UNAVAILABLE', 'the server closed the connection during the Negotiate probe (connection-bound authentication needs keep-alive)');
        }
        const challenges = parseAuthenticate(values);
        if (res.statusCode === 401) {
          const next = await hs.challenge(challenges, 401);
          if (next !== undefined) {
            authz = next;
            continue;
          }
        } else await hs.final(challenges);
        // Authenticated (or nothing to answer: the caller's request then meets the server's answer itself).
        await new Promise((r) => setImmediate(r)); // node:http finishes detaching the socket
        signal.removeEventListener('abort', onAbort);
        settle();
        if (signal.aborted) throw timedOut(signal, ms) ?? new SpnegoError('FAILURE', 'aborted');
        return conn.socket;
      }
    } catch (e) {
      signal.removeEventListener('abort', onAbort);
      settle();
      conn.close();
      throw timedOut(signal, ms) ?? e;
    }
  }
}

/** The error for a signal that fired: the caller's abort reason, or a typed timeout. */
function timedOut(signal: AbortSignal, ms: number): unknown {
  if (!signal.aborted) return undefined;
  const r: unknown = signal.reason;
  if (r instanceof DOMException && r.name === 'TimeoutError') return new SpnegoError('UNAVAILABLE', `the Negotiate authentication of a new connection took more than ${ms} ms`);
  return r ?? new SpnegoError('FAILURE', 'aborted');
}

/**
 * An http.Agent whose sockets are authenticated with Negotiate/NTLM before use (see above).
 * `protocol: 'https:'` for https.request / axios `httpsAgent` (TLS channel bindings included).
 */
export function createAgent(options: NegotiateAgentOptions): http.Agent {
  if (!options || typeof options !== 'object' || !options.credential) throw new SpnegoError('BAD_ARGUMENT', 'createAgent needs { credential }');
  if (options.protocol !== undefined && options.protocol !== 'http:' && options.protocol !== 'https:') throw new SpnegoError('BAD_ARGUMENT', "protocol must be 'http:' or 'https:'");
  return new NegotiateAgent(options);
}
