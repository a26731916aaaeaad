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
import { SpnegoError } from '../../errors.js';
import { parseAuthenticate } from '../challenge.js';
import { Connection, endpointOf, openConnection } from './connection.js';
import { Handshake, type HandshakeConfig } from './handshake.js';
import type { CreateFetchOptions } from './fetch.js';

export interface NegotiateAgentOptions extends Omit<CreateFetchOptions, 'maxBufferedBody' | 'maxIdleConnections'> {
  /** 'http:' (default) for http.request / axios httpAgent, 'https:' for https.request / httpsAgent. */
  readonly protocol?: 'http:' | 'https:';
  /** The method of the probe that authenticates a new socket (default GET). */
  readonly probeMethod?: string;
  /** The path (and query) of the probe (default: the path of the request that needs the socket). */
  readonly probePath?: string;
  /** http.Agent options (keepAlive is always on). */
  readonly agent?: Omit<http.AgentOptions, 'keepAlive'>;
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
    const host = req.hostname ?? req.host ?? 'localhost';
    const url = new URL(`${protocol}//${host.includes(':') ? `[${host}]` : host}${req.port ? `:${req.port}` : ''}${o.probePath ?? path ?? '/'}`);
    const target = endpointOf(url);
    const proxy = o.proxy === undefined ? undefined : endpointOf(new URL(String(o.proxy)));
    if (proxy && protocol === 'http:') throw new SpnegoError('BAD_ARGUMENT', 'the Negotiate agent reaches http:// targets through a proxy only with createFetch() (absolute-form requests)');
    const base = (credential: NegotiateAgentOptions['credential'], spn: string): Omit<HandshakeConfig, 'who'> => ({
      credential,
      mech: o.mech ?? 'negotiate',
      target: spn,
      noNtlmFallback: o.noNtlmFallback ?? false,
      maxLegs: o.maxLegs ?? 6,
      requireMutualAuth: o.requireMutualAuth ?? false,
    });
    const emit = o.onAuthHeader;
    const conn: Connection = await openConnection({
      target,
      proxy,
      tls: o.tls,
      proxyHandshake: base(o.proxyCredential ?? o.credential, proxy ? `HTTP@${proxy.hostname}` : ''),
      signal: undefined,
      onHeader: emit ? (direction, header, value) => emit({ direction, header, value }) : undefined,
    });
    try {
      const hs = new Handshake({ ...base(o.credential, o.spn ?? `HTTP@${target.hostname}`), who: 'origin', channelBindings: conn.channelBindings });
      let authz: string | undefined;
      for (;;) {
        const headers: http.OutgoingHttpHeaders = { host: url.host, accept: '*/*' };
        if (authz) {
          headers['authorization'] = authz;
          emit?.({ direction: 'sent', header: 'Authorization', value: authz });
        }
        const res = await conn.request({ method: o.probeMethod ?? 'GET', path: `${url.pathname}${url.search}`, host: target.hostname, port: target.port, headers, body: undefined, signal: undefined });
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
        return conn.socket;
      }
    } catch (e) {
      conn.close();
      throw e;
    }
  }
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
