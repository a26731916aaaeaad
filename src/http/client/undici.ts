// An undici Dispatcher that answers Negotiate/NTLM challenges: for `undici.request(url, { dispatcher })`,
// `undici.fetch(url, { dispatcher })`, `dispatcher.request(...)` and `setGlobalDispatcher(...)`.
//
// undici is an optional peer dependency: nothing here loads it until createNegotiateDispatcher()
// runs (`await import('undici')`), so the rest of the package works without it. The class is
// built on that first call, extending the undici Dispatcher the caller has installed.
//
// Each dispatched request runs through createFetch() (fetch.ts): the handshake legs on one pinned
// socket, the per-origin pool of authenticated sockets, the check of the server's final token.
// The response (status, headers, body streamed with backpressure) then goes to the handler undici
// passed to dispatch(), in whichever form it has: the handler API of undici 7 (onRequestStart,
// onResponseStart, onResponseData, onResponseEnd, onResponseError) or the legacy one (onConnect,
// onHeaders, onData, onComplete, onError) that undici.request and undici.fetch still pass.
// Redirects are not followed here (undici.fetch follows them itself; undici.request does not).
// Errors (SpnegoError UNAUTHORIZED, ...) go to onResponseError/onError: undici.request rejects
// with them as they are, undici.fetch with TypeError('fetch failed', { cause }).
// Request bodies: strings and Buffers/Uint8Arrays; streams and async iterables (what undici.fetch
// passes for any body) are buffered up to maxBufferedBody, since every leg must carry the body;
// anything else fails with BAD_ARGUMENT. headersTimeout/bodyTimeout and upgrades are not supported.
import type { Dispatcher as UndiciDispatcher } from 'undici';
import type { IncomingHttpHeaders } from 'node:http';
import { SpnegoError } from '../../errors.js';
import { createFetch, type CreateFetchOptions, type SpnegoFetch } from './fetch.js';

export type NegotiateDispatcherOptions = CreateFetchOptions;

/** An undici Dispatcher running each request through createFetch(). */
export interface NegotiateDispatcher extends UndiciDispatcher {
  readonly options: NegotiateDispatcherOptions;
}

type DispatchOptions = UndiciDispatcher.DispatchOptions;
type DispatchHandler = UndiciDispatcher.DispatchHandler;
type DispatchController = UndiciDispatcher.DispatchController;
/** The undici 7 handler callbacks, which this file drives. */
type Handler = Required<Pick<DispatchHandler, 'onRequestStart' | 'onResponseStart' | 'onResponseData' | 'onResponseEnd' | 'onResponseError'>>;

class Controller implements DispatchController {
  #aborted = false;
  #paused = false;
  #reason: Error | null = null;
  #waiters: (() => void)[] = [];
  readonly signal: AbortSignal;
  readonly #ac = new AbortController();

  constructor() {
    this.signal = this.#ac.signal;
  }
  get aborted(): boolean {
    return this.#aborted;
  }
  get paused(): boolean {
    return this.#paused;
  }
  get reason(): Error | null {
    return this.#reason;
  }
  abort(reason?: Error): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason ?? new DOMException('The operation was aborted.', 'AbortError');
    this.#ac.abort(this.#reason);
    this.resume();
  }
  pause(): void {
    this.#paused = true;
  }
  resume(): void {
    this.#paused = false;
    for (const w of this.#waiters.splice(0)) w();
  }
  /** Resolves once the handler no longer holds the response paused (or the request was aborted). */
  whenFlowing(): Promise<void> {
    return this.#paused ? new Promise((r) => this.#waiters.push(r)) : Promise.resolve();
  }
}

function rawHeaders(headers: IncomingHttpHeaders): Buffer[] {
  const out: Buffer[] = [];
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v]) out.push(Buffer.from(k, 'latin1'), Buffer.from(one, 'latin1'));
  }
  return out;
}

/** The undici 7 handler form, over a handler in either form. */
function asHandler(h: DispatchHandler): Handler {
  if (typeof h.onRequestStart === 'function') {
    return {
      onRequestStart: (c, ctx) => h.onRequestStart!(c, ctx),
      onResponseStart: (c, s, hd, m) => h.onResponseStart?.(c, s, hd, m),
      onResponseData: (c, d) => h.onResponseData?.(c, d),
      onResponseEnd: (c, t) => h.onResponseEnd?.(c, t),
      onResponseError: (c, e) => h.onResponseError?.(c, e),
    };
  }
  return {
    onRequestStart: (c, ctx) => {
      (h.onConnect as ((abort: (err?: Error) => void, context: unknown) => void) | undefined)?.((err) => c.abort(err ?? new DOMException('The operation was aborted.', 'AbortError')), ctx);
    },
    onResponseStart: (c, status, headers, statusMessage) => {
      h.onResponseStarted?.();
      if (h.onHeaders?.(status, rawHeaders(headers), () => c.resume(), statusMessage ?? '') === false) c.pause();
    },
    onResponseData: (c, chunk) => {
      if (h.onData?.(chunk) === false) c.pause();
    },
    onResponseEnd: () => h.onComplete?.([]),
    onResponseError: (_c, err) => h.onError?.(err),
  };
}

function isAsyncIterable(x: unknown): x is AsyncIterable<unknown> {
  return typeof x === 'object' && x !== null && typeof (x as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function';
}

function requestBody(body: unknown): Uint8Array | AsyncIterable<unknown> | undefined {
  if (body === undefined || body === null) return undefined;
  // A string as bytes: createFetch would add a text/plain Content-Type, which undici does not.
  if (typeof body === 'string') return Buffer.from(body);
  if (body instanceof Uint8Array) return body;
  if (isAsyncIterable(body)) return body;
  throw new SpnegoError(
    'BAD_ARGUMENT',
    `the Negotiate undici dispatcher cannot send a request body of type ${Object.prototype.toString.call(body)}: pass a string or a Buffer/Uint8Array (a stream is buffered up to maxBufferedBody)`,
  );
}

function requestHeaders(headers: unknown): [string, string][] {
  const out: [string, string][] = [];
  const add = (k: unknown, v: unknown) => {
    if (v === undefined || v === null) return;
    for (const one of Array.isArray(v) ? v : [v]) out.push([String(k), String(one)]);
  };
  if (headers === undefined || headers === null) return out;
  if (Array.isArray(headers) && (headers.length === 0 || !Array.isArray(headers[0]))) {
    // undici's flat form: [name, value, name, value, ...]
    if (headers.length % 2 !== 0) throw new SpnegoError('BAD_ARGUMENT', 'headers array must be even');
    for (let i = 0; i < headers.length; i += 2) add(headers[i], headers[i + 1]);
  } else if (typeof (headers as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function') {
    for (const pair of headers as Iterable<[unknown, unknown]>) add(pair[0], pair[1]);
  } else if (typeof headers === 'object') {
    for (const [k, v] of Object.entries(headers)) add(k, v);
  } else {
    throw new SpnegoError('BAD_ARGUMENT', 'headers must be an object or an array');
  }
  return out;
}

function targetUrl(opts: DispatchOptions): URL {
  if (opts.origin === undefined || opts.origin === null) throw new SpnegoError('BAD_ARGUMENT', 'the Negotiate undici dispatcher needs an origin (an absolute URL)');
  const url = new URL(opts.path, String(opts.origin));
  for (const [k, v] of Object.entries(opts.query ?? {})) {
    for (const one of Array.isArray(v) ? v : [v]) if (one !== undefined && one !== null) url.searchParams.append(k, String(one));
  }
  return url;
}

function responseHeaders(res: Response): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  for (const [k, v] of res.headers) {
    if (k === 'set-cookie') out[k] = res.headers.getSetCookie();
    else out[k] = v;
  }
  return out;
}

type DispatcherClass = new (options: NegotiateDispatcherOptions) => NegotiateDispatcher;
let cls: Promise<DispatcherClass> | undefined;

async function loadClass(): Promise<DispatcherClass> {
  let undici: typeof import('undici');
  try {
    undici = await import('undici');
  } catch (e) {
    throw new SpnegoError('BAD_ARGUMENT', `createNegotiateDispatcher needs the optional peer dependency undici (npm install undici): ${(e as Error).message}`);
  }

  class Impl extends undici.Dispatcher implements NegotiateDispatcher {
    readonly options: NegotiateDispatcherOptions;
    readonly #fetch: SpnegoFetch;
    readonly #running = new Map<Controller, Promise<void>>();
    #closed = false;

    constructor(options: NegotiateDispatcherOptions) {
      super();
      this.#fetch = createFetch(options);
      this.options = options;
    }

    override dispatch(opts: DispatchOptions, handler: DispatchHandler): boolean {
      if (!handler || typeof handler !== 'object') throw new undici.errors.InvalidArgumentError('handler must be an object');
      const h = asHandler(handler);
      const c = new Controller();
      const run = this.#run(opts, h, c).finally(() => this.#running.delete(c));
      this.#running.set(c, run);
      return true;
    }

    async #run(opts: DispatchOptions, h: Handler, c: Controller): Promise<void> {
      try {
        if (this.#closed) throw new undici.errors.ClientClosedError();
        if (opts.upgrade) throw new SpnegoError('BAD_ARGUMENT', 'the Negotiate undici dispatcher does not support upgrades or CONNECT');
        const url = targetUrl(opts);
        const init: RequestInit = {
          method: opts.method,
          headers: requestHeaders(opts.headers),
          body: requestBody(opts.body) as RequestInit['body'],
          redirect: 'manual',
          signal: c.signal,
        };
        h.onRequestStart(c, {});
        if (c.aborted) throw c.reason;
        const res = await this.#fetch(url, init);
        const reader = res.body?.getReader();
        try {
          h.onResponseStart(c, res.status, responseHeaders(res), res.statusText);
          while (reader) {
            await c.whenFlowing();
            if (c.aborted) throw c.reason;
            const { done, value } = await reader.read();
            if (done) break;
            if (c.aborted) throw c.reason;
            h.onResponseData(c, Buffer.from(value.buffer, value.byteOffset, value.byteLength));
          }
          if (c.aborted) throw c.reason;
        } catch (e) {
          await reader?.cancel(e).catch(() => undefined);
          throw e;
        }
        h.onResponseEnd(c, {});
      } catch (e) {
        const err = c.aborted && c.reason ? c.reason : e instanceof Error ? e : new Error(String(e));
        h.onResponseError(c, err);
      }
    }

    override close(): Promise<void>;
    override close(callback: () => void): void;
    override close(callback?: () => void): Promise<void> | void {
      this.#closed = true;
      const done = Promise.allSettled([...this.#running.values()])
        // setImmediate: a finished response returns its socket to the pool on 'end'.
        .then(() => new Promise<void>((r) => setImmediate(r)))
        .then(() => this.#fetch.close());
      if (!callback) return done;
      void done.then(() => callback());
    }

    override destroy(): Promise<void>;
    override destroy(err: Error | null): Promise<void>;
    override destroy(callback: () => void): void;
    override destroy(err: Error | null, callback: () => void): void;
    override destroy(a?: Error | null | (() => void), b?: () => void): Promise<void> | void {
      const callback = typeof a === 'function' ? a : b;
      const err = typeof a === 'function' || !a ? new undici.errors.ClientDestroyedError() : a;
      this.#closed = true;
      for (const c of this.#running.keys()) c.abort(err);
      const done = Promise.allSettled([...this.#running.values()]).then(() => this.#fetch.close());
      if (!callback) return done;
      void done.then(() => callback());
    }
  }
  return Impl;
}

/**
 * A Dispatcher for undici (an optional peer dependency, loaded here): `undici.request(url, { dispatcher })`,
 * `undici.fetch(url, { dispatcher })` or `setGlobalDispatcher(dispatcher)`. Options as createFetch().
 * close() waits for running requests, then closes the pooled connections; destroy() aborts them first.
 */
export async function createNegotiateDispatcher(options: NegotiateDispatcherOptions): Promise<NegotiateDispatcher> {
  if (!options || typeof options !== 'object' || !options.credential) throw new SpnegoError('BAD_ARGUMENT', 'createNegotiateDispatcher needs { credential }');
  cls ??= loadClass().catch((e: unknown) => {
    cls = undefined; // undici may be installed later
    throw e;
  });
  return new (await cls)(options);
}
