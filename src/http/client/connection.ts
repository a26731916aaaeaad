// One client connection, pinned: every request of a connection-bound handshake (NTLM, multi-leg
// SPNEGO) goes over the same socket. The socket is opened here (TCP, TLS, or a CONNECT tunnel
// through a proxy, with the proxy's own 407 exchange answered on that socket) and each request
// is written to it with `http.request({ createConnection })` and no agent: node:http detaches a
// keep-alive socket from a finished response, so the next request (the next leg, or a later
// request from the pool) reuses it, and a request can never land on another socket. A closed
// socket fails the request instead of silently continuing a handshake on a new one.
import * as http from 'node:http';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { SpnegoError } from '../../errors.js';
import { tlsServerEndPointBindings, type GssChannelBindings } from '../../mech/ntlm/bindings.js';
import { parseAuthenticate } from '../challenge.js';
import { Handshake, type HandshakeConfig, type HandshakeInfo } from './handshake.js';

export interface Endpoint {
  readonly protocol: 'http:' | 'https:';
  /** Host name or address, without IPv6 brackets. */
  readonly hostname: string;
  readonly port: number;
}

export function endpointOf(u: URL): Endpoint {
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new SpnegoError('BAD_ARGUMENT', `unsupported URL scheme ${u.protocol} (http: and https: only)`);
  const hostname = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
  return { protocol: u.protocol, hostname, port: u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80 };
}

export class Connection {
  /** Requests completed on this connection. */
  uses = 0;
  closed = false;
  /** Settles when the request in flight has been written whole and its response read to the end. */
  private idle: Promise<void> = Promise.resolve();
  /** The plain-HTTP proxy accepted this connection (its handshake is over). */
  proxyAuthenticated = false;
  /** What the CONNECT proxy's exchange did, for a tunnel. */
  proxyInfo: HandshakeInfo | undefined;

  constructor(
    readonly socket: net.Socket,
    /** Requests go to a plain-HTTP proxy in absolute form. */
    readonly viaProxy: boolean,
    readonly channelBindings: GssChannelBindings | undefined,
  ) {
    socket.once('close', () => {
      this.closed = true;
    });
    // An idle socket's error (a reset while pooled) closes it; a request in flight gets it too.
    socket.on('error', () => {
      this.closed = true;
    });
  }

  get usable(): boolean {
    return !this.closed && !this.socket.destroyed && this.socket.writable;
  }

  /**
   * One request on this socket, after the previous one is over: a server may answer (a 401) before
   * it has read the whole body (RFC 9110 allows it), and the next leg must not be written until
   * the body is (node:http detaches the socket from a request only once both are done).
   */
  async request(opts: { method: string; path: string; host: string; port: number; headers: http.OutgoingHttpHeaders; body: Uint8Array | undefined; signal: AbortSignal | undefined }): Promise<http.IncomingMessage> {
    const previous = this.idle;
    let release!: () => void;
    this.idle = new Promise((r) => (release = r));
    await previous;
    return new Promise((resolve, reject) => {
      if (!this.usable) {
        release();
        return reject(new SpnegoError('FAILURE', 'the connection closed: connection-bound authentication cannot continue on a new socket'));
      }
      let written = false;
      let read = false;
      // setImmediate: after node:http's own 'finish'/'end' handlers have detached the socket.
      const done = () => void (written && read && setImmediate(release));
      const socket = this.socket;
      const req = http.request({
        createConnection: () => socket,
        host: opts.host,
        port: opts.port,
        method: opts.method,
        path: opts.path,
        headers: { ...opts.headers, connection: 'keep-alive' },
        setHost: false,
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
      req.once('finish', () => {
        written = true;
        done();
      });
      req.once('response', (res) => {
        res.once('end', () => {
          read = true;
          done();
        });
        resolve(res);
      });
      req.once('error', (e) => {
        this.closed = true;
        release();
        reject(e);
      });
      req.end(opts.body && opts.body.length > 0 ? opts.body : undefined);
    });
  }

  close(): void {
    this.closed = true;
    this.socket.destroy();
  }
}

export interface OpenOptions {
  readonly target: Endpoint;
  readonly proxy: Endpoint | undefined;
  readonly tls: tls.ConnectionOptions | undefined;
  /** Configuration for the proxy's exchange (CONNECT tunnels). */
  readonly proxyHandshake: Omit<HandshakeConfig, 'who' | 'channelBindings'>;
  readonly signal: AbortSignal | undefined;
  /** Tokens seen and sent, for `-v`. */
  readonly onHeader: ((direction: 'sent' | 'received', header: string, value: string) => void) | undefined;
}

function once<T>(emitter: net.Socket, ok: string, signal: AbortSignal | undefined, value: () => T): Promise<T> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      emitter.destroy();
      reject(signal?.reason);
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    emitter.once(ok, () => {
      signal?.removeEventListener('abort', onAbort);
      emitter.off('error', onErr);
      resolve(value());
    });
    const onErr = (e: Error) => {
      signal?.removeEventListener('abort', onAbort);
      reject(e);
    };
    emitter.once('error', onErr);
  });
}

async function startTls(o: OpenOptions, socket?: net.Socket): Promise<{ socket: tls.TLSSocket; bindings: GssChannelBindings | undefined }> {
  const { hostname, port } = o.target;
  const s = tls.connect({
    ...(o.tls ?? {}),
    ...(socket ? { socket } : { host: hostname, port }),
    ...(net.isIP(hostname) || o.tls?.servername !== undefined ? {} : { servername: hostname }),
    ALPNProtocols: ['http/1.1'],
  });
  const sock = await once(s, 'secureConnect', o.signal, () => s);
  const cert = sock.getPeerCertificate(true);
  const raw = cert && 'raw' in cert ? (cert.raw as Buffer | undefined) : undefined;
  return { socket: sock, bindings: raw && raw.length > 0 ? tlsServerEndPointBindings(new Uint8Array(raw)) : undefined };
}

/** Opens a connection to the target: direct, through a plain-HTTP proxy, or through a CONNECT tunnel. */
export async function openConnection(o: OpenOptions): Promise<Connection> {
  const direct = o.proxy ?? o.target;
  if (o.proxy && o.proxy.protocol !== 'http:') throw new SpnegoError('BAD_ARGUMENT', 'only http:// proxies are supported');
  if (!o.proxy || o.target.protocol === 'https:') {
    let tcp: net.Socket | undefined;
    let proxyInfo: HandshakeInfo | undefined;
    if (o.proxy) {
      const s = net.connect({ host: direct.hostname, port: direct.port });
      tcp = await once(s, 'connect', o.signal, () => s);
      try {
        proxyInfo = await tunnel(tcp, o);
      } catch (e) {
        tcp.destroy();
        throw e;
      }
    }
    if (o.target.protocol === 'https:') {
      const { socket, bindings } = await startTls(o, tcp);
      const c = new Connection(socket, false, bindings);
      c.proxyInfo = proxyInfo;
      return c;
    }
    const s = net.connect({ host: o.target.hostname, port: o.target.port });
    return new Connection(await once(s, 'connect', o.signal, () => s), false, undefined);
  }
  const s = net.connect({ host: direct.hostname, port: direct.port });
  return new Connection(await once(s, 'connect', o.signal, () => s), true, undefined);
}

/** Reads an HTTP/1.1 response head and body from a raw socket (CONNECT replies). */
class RawReader {
  private buf: Buffer = Buffer.alloc(0);
  constructor(private readonly s: net.Socket) {}

  private more(): Promise<void> {
    return new Promise((resolve, reject) => {
      const chunk = this.s.read() as Buffer | null;
      if (chunk) {
        this.buf = Buffer.concat([this.buf, chunk]);
        return resolve();
      }
      const done = () => {
        this.s.off('readable', onReadable);
        this.s.off('end', onEnd);
        this.s.off('close', onEnd);
        this.s.off('error', onError);
      };
      const onReadable = () => {
        done();
        this.more().then(resolve, reject);
      };
      const onEnd = () => {
        done();
        reject(new SpnegoError('UNAVAILABLE', 'the proxy closed the connection during CONNECT'));
      };
      const onError = (e: Error) => {
        done();
        reject(e);
      };
      this.s.on('readable', onReadable);
      this.s.on('end', onEnd);
      this.s.on('close', onEnd);
      this.s.on('error', onError);
    });
  }

  async until(sep: string, limit: number): Promise<string> {
    for (;;) {
      const at = this.buf.indexOf(sep, 0, 'latin1');
      if (at >= 0) {
        const text = this.buf.subarray(0, at).toString('latin1');
        this.buf = this.buf.subarray(at + sep.length);
        return text;
      }
      if (this.buf.length > limit) throw new SpnegoError('UNAVAILABLE', 'the proxy sent an oversized response head');
      await this.more();
    }
  }

  async skip(n: number): Promise<void> {
    while (this.buf.length < n) await this.more();
    this.buf = this.buf.subarray(n);
  }

  /** Puts back what was read past the response (nothing, from a well-behaved proxy). */
  release(): void {
    if (this.buf.length > 0) this.s.unshift(this.buf);
    this.buf = Buffer.alloc(0);
  }
}

interface RawHead {
  status: number;
  reason: string;
  headers: [string, string][];
}

async function readHead(r: RawReader): Promise<RawHead> {
  const text = await r.until('\r\n\r\n', 65536);
  const [statusLine, ...lines] = text.split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(statusLine ?? '');
  if (!m) throw new SpnegoError('UNAVAILABLE', 'the proxy sent a malformed CONNECT reply');
  const headers: [string, string][] = [];
  for (const l of lines) {
    const i = l.indexOf(':');
    if (i <= 0) throw new SpnegoError('UNAVAILABLE', 'the proxy sent a malformed header line');
    headers.push([l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim()]);
  }
  return { status: Number(m[1]), reason: m[2] ?? '', headers };
}

async function skipBody(r: RawReader, h: RawHead): Promise<boolean> {
  const get = (n: string) => h.headers.filter(([k]) => k === n).map(([, v]) => v);
  const te = get('transfer-encoding').join(',').toLowerCase();
  if (te.includes('chunked')) {
    for (;;) {
      const size = parseInt((await r.until('\r\n', 1024)).split(';')[0]!.trim(), 16);
      if (!Number.isFinite(size) || size < 0) throw new SpnegoError('UNAVAILABLE', 'the proxy sent a malformed chunk');
      if (size === 0) {
        while ((await r.until('\r\n', 8192)) !== '');
        return true;
      }
      await r.skip(size + 2);
    }
  }
  const cl = get('content-length')[0];
  if (cl !== undefined) {
    const n = Number(cl);
    if (!Number.isSafeInteger(n) || n < 0 || n > 1 << 20) throw new SpnegoError('UNAVAILABLE', 'the proxy sent a bad Content-Length');
    await r.skip(n);
    return true;
  }
  return false; // read-until-close: the connection cannot carry another leg
}

/** CONNECT host:port through the proxy, answering its 407 Negotiate/NTLM legs on this socket. */
async function tunnel(s: net.Socket, o: OpenOptions): Promise<HandshakeInfo | undefined> {
  const authority = `${o.target.hostname.includes(':') ? `[${o.target.hostname}]` : o.target.hostname}:${o.target.port}`;
  const hs = new Handshake({ ...o.proxyHandshake, who: 'proxy' });
  const r = new RawReader(s);
  let auth: string | undefined;
  for (;;) {
    if (auth) o.onHeader?.('sent', 'Proxy-Authorization', auth);
    s.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n${auth ? `Proxy-Authorization: ${auth}\r\n` : ''}\r\n`);
    const head = await readHead(r);
    const values = head.headers.filter(([k]) => k === 'proxy-authenticate').map(([, v]) => v);
    for (const v of values) o.onHeader?.('received', 'Proxy-Authenticate', v);
    const challenges = parseAuthenticate(values);
    if (head.status >= 200 && head.status < 300) {
      await hs.final(challenges);
      r.release();
      return hs.info;
    }
    if (head.status !== 407) throw new SpnegoError('UNAVAILABLE', `the proxy refused CONNECT ${authority}: ${head.status} ${head.reason}`.trim());
    const next = await hs.challenge(challenges, 407);
    if (next === undefined) throw new SpnegoError('UNAUTHORIZED', 'the proxy answered 407 without a Negotiate or NTLM challenge we can answer');
    const framed = await skipBody(r, head);
    const close = head.headers.some(([k, v]) => (k === 'connection' || k === 'proxy-connection') && /\bclose\b/i.test(v));
    if (!framed || close) throw new SpnegoError('UNAVAILABLE', 'the proxy closed the connection in the middle of its 407 exchange (connection-bound authentication needs keep-alive)');
    auth = next;
  }
}
