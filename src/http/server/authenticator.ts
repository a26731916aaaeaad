// The framework-agnostic HTTP Negotiate acceptor (RFC 4559, issue 5 item 7):
// authenticate({ headers, socket }) -> { status, headers, identity? }.
//
// Decisions (README "HTTP server"):
// - State is per connection: a WeakMap keyed by the socket object holds the pending
//   SecurityContext of a multi-leg handshake (NTLM, SPNEGO with a mechListMIC round), dropped on
//   the socket's 'close' (and garbage collected with the socket in any case). A token that
//   continues a handshake must arrive on the socket that started it: anywhere else it is the
//   first token of a new context and the acceptor refuses it (401).
// - Connection-bound identity (default on, as IIS does and mod_auth_gssapi's
//   GssapiConnectionBound for NTLM): once a connection authenticated, later keep-alive requests
//   on it without an Authorization header carry the same identity (`reused: true`). A request
//   that sends a new Authorization header starts a new handshake and drops the old identity.
//   Turn it off (`connectionBound: false`) when a proxy in front may multiplex users on one
//   upstream connection: then every request must authenticate.
// - Status: 400 for a request we cannot parse (oversize header, not base64, several
//   Authorization headers, a token that does not decode); 401 for everything else that fails
//   (wrong password, bad MIC, tokens out of order, a continuation on another connection), with
//   a fresh `WWW-Authenticate: Negotiate` (or the acceptor's reject token, as GSS hands it out).
//   The server never throws from authenticate(); failures carry the error code and a message
//   that never holds a secret (SpnegoError's rule).
// - No Basic fallback unless `basic` is configured (then `Basic realm="..."` joins the challenge
//   and each Basic request is checked on its own, never bound to the connection; by default
//   against the NTLM users' NT hashes). Basic sends the password in every request: only over TLS.
//   `NTLM` is challenged (and its scheme accepted) only with `ntlmScheme: true`.
// - Mechanism-agnostic: the context comes from the public acceptor() (or `createContext`), so
//   Kerberos joins without changes here.
import { SpnegoError, type ErrorCode } from '../../errors.js';
import { acceptor, type AcceptorOptions, type SecurityContext } from '../../gss/context.js';
import { decodeSpnegoToken } from '../../codec/spnego/spnego-token.js';
import { isDuplicateResponseTokenMic } from '../../spnego/rules.js';
import { timingSafeEqual } from 'node:crypto';
import { NTOWFv1 } from '../../crypto/ntlm.js';
import { MemoryNtHashStore, NtlmUserFileStore, type NtHashStore } from '../../mech/ntlm/store.js';

/** What authenticate() needs of a request: node's IncomingMessage, Express, Fastify's request.raw fit. */
export interface NegotiateRequest {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The connection: state is keyed by this object. `connection` is the older alias. */
  readonly socket?: object | null;
  readonly connection?: object | null;
}

export interface MicState {
  /** A mechListMIC exchange took place (either side asked for it). */
  readonly required: boolean;
  /** We sent our mechListMIC. */
  readonly sent: boolean;
  /** The client sent one, and it verified (else the handshake failed). */
  readonly received: boolean;
}

export interface NegotiateIdentity {
  /** `DOMAIN\\user` for NTLM (the bare name when the client sent a UPN with no domain). */
  readonly principal: string;
  readonly user: string;
  /** The NTLM domain (Kerberos: the realm). */
  readonly domain: string;
  /** The Kerberos realm. */
  readonly realm?: string;
  /** Active Directory group SIDs from the ticket's PAC. */
  readonly groupSids?: readonly string[];
  /** The user's SID from the PAC. */
  readonly sid?: string;
  /** The UPN from the PAC. */
  readonly upn?: string;
  /**
   * Kerberos with delegation (curl --delegation always, a browser allowed to delegate): writes the
   * client's forwarded TGT to a FILE ccache the application can use (KRB5CCNAME) and returns its
   * path; undefined when nothing was delegated. Not enumerable, so logs and JSON leave it out.
   */
  readonly storeDelegated?: (ccacheName: string) => string | undefined;
  /** `ntlm` or `kerberos`. */
  readonly mech: string;
  /** The HTTP scheme the client used. */
  readonly scheme: 'Negotiate' | 'NTLM' | 'Basic';
  readonly mic: MicState;
  /** True when this request carried no Authorization header and the connection's identity was reused. */
  readonly reused: boolean;
}

export interface NegotiateResult {
  readonly status: 200 | 400 | 401;
  /**
   * Response headers to set: `WWW-Authenticate` (the challenges, one header line per scheme as
   * Apache and IIS send them, since wget reads only that form; or the final token on the 200).
   */
  readonly headers: Record<string, string | string[]>;
  readonly identity?: NegotiateIdentity;
  readonly principal?: string;
  readonly mech?: string;
  readonly domain?: string;
  readonly realm?: string;
  readonly mic?: MicState;
  /** Why the request was refused; absent on a plain challenge (no Authorization header). */
  readonly error?: { readonly code: ErrorCode; readonly message: string };
}

/** One event per finished handshake (or refused request), for logs. Never holds a secret. */
export interface NegotiateEvent {
  readonly outcome: 'authenticated' | 'failed';
  readonly status: 200 | 400 | 401;
  readonly remoteAddress?: string;
  readonly identity?: NegotiateIdentity;
  readonly error?: { readonly code: ErrorCode; readonly message: string };
}

export interface NegotiateAuthenticatorOptions {
  /** Acceptor credentials, as acceptor(): `{ ntlmUsers: path | map | store }`. */
  readonly credential?: AcceptorOptions['credential'];
  /** NTLM names for the CHALLENGE (acceptor()'s `ntlm`). */
  readonly ntlm?: AcceptorOptions['ntlm'];
  readonly channelBindings?: AcceptorOptions['channelBindings'];
  /** Kerberos replay cache (acceptor()'s `replayCache`), e.g. a RedisReplayCache shared by several server processes. */
  readonly replayCache?: AcceptorOptions['replayCache'];
  /** Accept rc4-hmac Kerberos tickets (acceptor()'s `allowWeakCrypto`); off by default. */
  readonly allowWeakCrypto?: boolean;
  /** Make the per-connection context yourself (overrides credential/ntlm/channelBindings/replayCache). */
  readonly createContext?: () => SecurityContext;
  /**
   * Also offer Basic (off by default): `Basic realm="<realm>"` in the challenge; credentials are
   * checked by `verify`, by default against `credential.ntlmUsers` (the NT hash of the password).
   * The password travels in every request: use it over TLS only.
   */
  readonly basic?: {
    readonly realm?: string;
    readonly verify?: (user: string, domain: string, password: string) => Promise<boolean>;
  };
  /** Also challenge with, and accept, `NTLM` (off by default). */
  readonly ntlmScheme?: boolean;
  /** Keep the identity on an authenticated connection for later requests (default true). */
  readonly connectionBound?: boolean;
  /** Largest Authorization header, in bytes (default 64 KiB): more is 400. */
  readonly maxHeaderBytes?: number;
  /** Most tokens one handshake may take from the client (default 8): more is 401. */
  readonly maxLegs?: number;
  /** Called once per finished handshake or refused token. */
  readonly onEvent?: (e: NegotiateEvent) => void;
}

export interface NegotiateAuthenticator {
  authenticate(req: NegotiateRequest): Promise<NegotiateResult>;
  /** The identity bound to this connection, if any. */
  identityOf(socket: object): NegotiateIdentity | undefined;
}

interface ConnState {
  ctx: SecurityContext | undefined;
  scheme: 'Negotiate' | 'NTLM';
  legs: number;
  micSent: boolean;
  micReceived: boolean;
  identity: NegotiateIdentity | undefined;
  /** Serializes requests of one connection (pipelining). */
  queue: Promise<unknown>;
}

export const DEFAULT_MAX_HEADER_BYTES = 64 * 1024;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Decode errors mean "this is not a token": 400. Everything else is an authentication failure: 401. */
function statusOf(code: ErrorCode): 400 | 401 {
  return code.startsWith('DECODE_') || code === 'UNKNOWN_TOKEN' ? 400 : 401;
}

function b64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** Whether a SPNEGO token carries a (real) mechListMIC; raw mech tokens carry none. */
function carriesMic(token: Uint8Array): boolean {
  try {
    const t = decodeSpnegoToken(token).token;
    if (t.type === 'negTokenResp') return t.value.mechListMIC !== undefined && !isDuplicateResponseTokenMic(t.value);
    if (t.type === 'negTokenInit') return t.value.mechListMIC !== undefined;
    return false;
  } catch {
    return false;
  }
}

/** A token that starts a context (RFC 2743 0x60 framing, or an NTLM NEGOTIATE_MESSAGE). */
function isInitialToken(token: Uint8Array): boolean {
  if (token[0] === 0x60) return true;
  const sig = [0x4e, 0x54, 0x4c, 0x4d, 0x53, 0x53, 0x50, 0x00, 0x01, 0x00, 0x00, 0x00];
  return token.length >= sig.length && sig.every((b, i) => token[i] === b);
}

function remoteOf(socket: object): string | undefined {
  const a = (socket as { remoteAddress?: unknown; remotePort?: unknown }).remoteAddress;
  const p = (socket as { remotePort?: unknown }).remotePort;
  if (typeof a !== 'string') return undefined;
  if (typeof p !== 'number') return a;
  return a.includes(':') ? `[${a}]:${p}` : `${a}:${p}`; // IPv6 in brackets, as in URLs and most logs
}

/** Basic's default check: the NT hash of the password against the NTLM users (constant time). */
function ntHashVerifier(users: AcceptorOptions['credential']['ntlmUsers']): (user: string, domain: string, password: string) => Promise<boolean> {
  const store: NtHashStore =
    users === undefined
      ? new NtlmUserFileStore()
      : typeof users === 'string'
        ? new NtlmUserFileStore(users)
        : typeof (users as NtHashStore).lookup === 'function'
          ? (users as NtHashStore)
          : new MemoryNtHashStore(users as Readonly<Record<string, string | { ntHash: Uint8Array }>>);
  return async (user, domain, password) => {
    const want = await store.lookup(user, domain);
    if (!want) return false;
    const got = NTOWFv1(password);
    const ok = want.length === got.length && timingSafeEqual(want, got);
    want.fill(0);
    got.fill(0);
    return ok;
  };
}

export function createNegotiateAuthenticator(opts: NegotiateAuthenticatorOptions = {}): NegotiateAuthenticator {
  const maxHeader = opts.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES;
  const maxLegs = opts.maxLegs ?? 8;
  const bound = opts.connectionBound ?? true;
  const createContext =
    opts.createContext ??
    (() =>
      acceptor({
        mech: 'negotiate',
        credential: opts.credential ?? {},
        ...(opts.ntlm ? { ntlm: opts.ntlm } : {}),
        ...(opts.channelBindings ? { channelBindings: opts.channelBindings } : {}),
        ...(opts.replayCache ? { replayCache: opts.replayCache } : {}),
        ...(opts.allowWeakCrypto ? { allowWeakCrypto: true } : {}),
      }));
  if (!opts.createContext) createContext(); // fail now (e.g. no user file), not on the first request
  const basicRealm = opts.basic ? (opts.basic.realm ?? 'spnego').replace(/["\\]/g, '') : undefined;
  const schemes = ['Negotiate', ...(opts.ntlmScheme ? ['NTLM'] : []), ...(basicRealm !== undefined ? [`Basic realm="${basicRealm}"`] : [])];
  const challenge: string | string[] = schemes.length === 1 ? schemes[0]! : schemes;
  const verifyBasic = opts.basic ? (opts.basic.verify ?? ntHashVerifier(opts.credential?.ntlmUsers)) : undefined;
  const conns = new WeakMap<object, ConnState>();

  const emit = (e: NegotiateEvent) => {
    try {
      opts.onEvent?.(e);
    } catch {
      // a logger's failure is not the client's
    }
  };

  function stateOf(socket: object): ConnState {
    let s = conns.get(socket);
    if (!s) {
      s = { ctx: undefined, scheme: 'Negotiate', legs: 0, micSent: false, micReceived: false, identity: undefined, queue: Promise.resolve() };
      conns.set(socket, s);
      const on = (socket as { once?: unknown }).once;
      if (typeof on === 'function') (on as (ev: string, f: () => void) => void).call(socket, 'close', () => conns.delete(socket));
    }
    return s;
  }

  function reset(s: ConnState): void {
    s.ctx = undefined;
    s.legs = 0;
    s.micSent = false;
    s.micReceived = false;
  }

  function refuse(s: ConnState | undefined, socket: object, status: 400 | 401, code: ErrorCode, message: string, token?: Uint8Array): NegotiateResult {
    if (s) {
      reset(s);
      s.identity = undefined;
    }
    const error = { code, message };
    const scheme = s?.scheme ?? 'Negotiate';
    const headers: Record<string, string | string[]> = status === 401 ? { 'WWW-Authenticate': token ? `${scheme} ${b64(token)}` : challenge } : {};
    const remoteAddress = remoteOf(socket);
    emit({ outcome: 'failed', status, error, ...(remoteAddress ? { remoteAddress } : {}) });
    return { status, headers, error };
  }

  function success(identity: NegotiateIdentity, headers: Record<string, string | string[]>): NegotiateResult {
    return {
      status: 200,
      headers,
      identity,
      principal: identity.principal,
      mech: identity.mech,
      domain: identity.domain,
      ...(identity.realm !== undefined ? { realm: identity.realm } : {}),
      mic: identity.mic,
    };
  }

  async function step(s: ConnState, socket: object, scheme: 'Negotiate' | 'NTLM', token: Uint8Array): Promise<NegotiateResult> {
    if (s.ctx && isInitialToken(token)) reset(s); // the client restarted on this connection
    if (!s.ctx) {
      s.identity = undefined;
      s.ctx = createContext();
      s.scheme = scheme;
    } else if (s.scheme !== scheme) {
      return refuse(s, socket, 401, 'DEFECTIVE_TOKEN', `a ${scheme} token continued a ${s.scheme} handshake`);
    }
    if (++s.legs > maxLegs) return refuse(s, socket, 401, 'DEFECTIVE_TOKEN', `more than ${maxLegs} tokens in one handshake`);
    const ctx = s.ctx;
    if (carriesMic(token)) s.micReceived = true;
    let out: Uint8Array | undefined;
    try {
      out = await ctx.step(token);
    } catch (e) {
      if (e instanceof SpnegoError) return refuse(s, socket, statusOf(e.code), e.code, e.message, e.outputToken);
      return refuse(s, socket, 401, 'FAILURE', 'the acceptor failed');
    }
    if (out && carriesMic(out)) s.micSent = true;
    if (!ctx.complete) {
      if (!out) return refuse(s, socket, 401, 'DEFECTIVE_TOKEN', 'the acceptor produced no token and is not complete');
      return { status: 401, headers: { 'WWW-Authenticate': `${scheme} ${b64(out)}` } };
    }
    const peer = ctx.peerName;
    const mic = { required: s.micSent || s.micReceived, sent: s.micSent, received: s.micReceived };
    reset(s);
    if (!peer) return refuse(s, socket, 401, 'FAILURE', 'the context completed without a peer name');
    const identity: NegotiateIdentity = {
      // Kerberos names are user@REALM; NTLM ones DOMAIN\\user (the context says which).
      principal: peer.principal ?? (peer.domain ? `${peer.domain}\\${peer.user}` : peer.user),
      user: peer.user,
      domain: peer.domain,
      ...(peer.realm ? { realm: peer.realm } : {}),
      ...(peer.groupSids ? { groupSids: peer.groupSids } : {}),
      ...(peer.sid ? { sid: peer.sid } : {}),
      ...(peer.upn ? { upn: peer.upn } : {}),
      mech: ctx.mech ?? 'unknown',
      scheme,
      mic,
      reused: false,
    };
    const store = ctx.storeDelegated?.bind(ctx);
    if (store) Object.defineProperty(identity, 'storeDelegated', { value: store, enumerable: false });
    if (bound) s.identity = identity;
    const remoteAddress = remoteOf(socket);
    emit({ outcome: 'authenticated', status: 200, identity, ...(remoteAddress ? { remoteAddress } : {}) });
    return success(identity, out ? { 'WWW-Authenticate': `${scheme} ${b64(out)}` } : {});
  }

  /** One Basic request, checked on its own; the connection's Negotiate state is left alone. */
  async function basic(socket: object, text: string, verify: (u: string, d: string, p: string) => Promise<boolean>): Promise<NegotiateResult> {
    const remoteAddress = remoteOf(socket);
    const fail = (status: 400 | 401, code: ErrorCode, message: string): NegotiateResult => {
      const error = { code, message };
      emit({ outcome: 'failed', status, error, ...(remoteAddress ? { remoteAddress } : {}) });
      return { status, headers: status === 401 ? { 'WWW-Authenticate': challenge } : {}, error };
    };
    if (text.length % 4 !== 0 || !BASE64.test(text)) return fail(400, 'DECODE_BAD_VALUE', 'the Basic credentials are not base64');
    const decoded = Buffer.from(text, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) return fail(400, 'DECODE_BAD_VALUE', 'the Basic credentials are not user:password');
    const login = decoded.slice(0, colon);
    const bs = login.indexOf('\\');
    const [domain, user] = bs >= 0 ? [login.slice(0, bs), login.slice(bs + 1)] : ['', login];
    let ok = false;
    try {
      ok = user !== '' && (await verify(user, domain, decoded.slice(colon + 1)));
    } catch {
      ok = false;
    }
    if (!ok) return fail(401, 'UNAUTHORIZED', 'Basic: wrong user name or password');
    const identity: NegotiateIdentity = {
      principal: domain ? `${domain}\\${user}` : user,
      user,
      domain,
      mech: 'basic',
      scheme: 'Basic',
      mic: { required: false, sent: false, received: false },
      reused: false,
    };
    emit({ outcome: 'authenticated', status: 200, identity, ...(remoteAddress ? { remoteAddress } : {}) });
    return success(identity, {});
  }

  async function handle(req: NegotiateRequest, socket: object, existing: ConnState): Promise<NegotiateResult> {
    const raw = req.headers['authorization'];
    if (raw === undefined) {
      if (bound && existing?.identity && !existing.ctx) return success({ ...existing.identity, reused: true }, {});
      return { status: 401, headers: { 'WWW-Authenticate': challenge } };
    }
    if (typeof raw !== 'string') return refuse(existing, socket, 400, 'DEFECTIVE_TOKEN', 'more than one Authorization header');
    if (raw.length > maxHeader) return refuse(existing, socket, 400, 'DECODE_LIMIT', `Authorization header longer than ${maxHeader} bytes`);
    const m = /^([A-Za-z0-9!#$%&'*+.^_`|~-]+)(?:[ \t]+(.*))?$/.exec(raw.trim());
    const name = m?.[1]?.toLowerCase();
    const text = (m?.[2] ?? '').trim();
    if (name === 'basic' && verifyBasic && text !== '') return basic(socket, text, verifyBasic);
    const scheme = name === 'negotiate' ? 'Negotiate' : name === 'ntlm' && opts.ntlmScheme ? 'NTLM' : undefined;
    if (!m || !scheme) return { status: 401, headers: { 'WWW-Authenticate': challenge } }; // e.g. Basic when not offered
    if (text === '') return { status: 401, headers: { 'WWW-Authenticate': challenge } };
    if (text.length % 4 !== 0 || !BASE64.test(text)) return refuse(existing, socket, 400, 'DECODE_BAD_VALUE', 'the token is not base64');
    const token = new Uint8Array(Buffer.from(text, 'base64'));
    if (token.length === 0) return { status: 401, headers: { 'WWW-Authenticate': challenge } };
    return step(existing, socket, scheme, token);
  }

  return {
    async authenticate(req) {
      const socket = req.socket ?? req.connection;
      if (!socket) {
        // No connection to key on: one-leg mechanisms could still work, multi-leg ones cannot.
        return refuse(undefined, {}, 400, 'BAD_ARGUMENT', 'the request has no socket');
      }
      const s = stateOf(socket);
      const run = s.queue.then(() =>
        handle(req, socket, s).catch(() => refuse(s, socket, 401, 'FAILURE', 'the acceptor failed')),
      );
      s.queue = run;
      return run;
    },
    identityOf(socket) {
      return conns.get(socket)?.identity;
    },
  };
}
