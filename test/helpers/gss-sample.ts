// MIT's gss-sample wire protocol (src/appl/gss-sample: gss-client.c, gss-server.c, gss-misc.c),
// so our SecurityContext can talk to MIT `gss-server` and MIT `gss-client` can talk to us.
//
// Each token: 1 flag byte, a 4-byte big-endian length, the body (gss-misc.c send_token; a zero
// flag byte means the v1 format with a 3-byte length, which neither side uses here). Sequence:
//   client: NOOP|CONTEXT_NEXT (empty), then CONTEXT tokens while init_sec_context continues
//   server: a CONTEXT token each time accept_sec_context produced one
//   client: DATA|WRAPPED|ENCRYPTED|SEND_MIC with gss_wrap(msg) (flags per -nw/-nx/-nm)
//   server: unwraps; MIC token = gss_get_mic(msg) when SEND_MIC was set, else an empty NOOP
//   client: gss_verify_mic, prints "Signature verified."; finally NOOP (empty) and closes.
import net from 'node:net';
import type { SecurityContext } from '../../src/gss/context.js';
import { SpnegoError } from '../../src/errors.js';

export const TOKEN = {
  NOOP: 1,
  CONTEXT: 2,
  DATA: 4,
  MIC: 8,
  CONTEXT_NEXT: 16,
  WRAPPED: 32,
  ENCRYPTED: 64,
  SEND_MIC: 128,
} as const;

export interface SampleToken {
  readonly flags: number;
  readonly body: Uint8Array;
}

/** One line per token, for assertion messages: `> 0x12 0` (sent) / `< 0x02 187` (received). */
export interface TraceEntry {
  readonly dir: '>' | '<';
  readonly flags: number;
  readonly body: Uint8Array;
}

export function formatTrace(trace: readonly TraceEntry[]): string {
  return trace
    .map((t) => `${t.dir} flags=0x${t.flags.toString(16).padStart(2, '0')} len=${t.body.length} ${Buffer.from(t.body.subarray(0, 48)).toString('hex')}${t.body.length > 48 ? '…' : ''}`)
    .join('\n');
}

export function encodeSampleToken(flags: number, body: Uint8Array = new Uint8Array(0)): Uint8Array {
  if (flags === 0) throw new Error('flags 0 is the v1 format (3-byte length), not spoken here');
  const out = new Uint8Array(5 + body.length);
  out[0] = flags;
  new DataView(out.buffer).setUint32(1, body.length, false);
  out.set(body, 5);
  return out;
}

/** A socket with a token reader and writer that records every token it moves. */
export class SampleConnection {
  private buf: Buffer = Buffer.alloc(0);
  private waiter: (() => void) | undefined;
  private ended = false;
  private error: Error | undefined;
  readonly trace: TraceEntry[] = [];

  constructor(readonly socket: net.Socket, private readonly timeoutMs = 15_000) {
    socket.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.wake();
    });
    socket.on('end', () => {
      this.ended = true;
      this.wake();
    });
    socket.on('close', () => {
      this.ended = true;
      this.wake();
    });
    socket.on('error', (e) => {
      this.error = e;
      this.wake();
    });
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }

  static connect(host: string, port: number, timeoutMs?: number): Promise<SampleConnection> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ host, port });
      s.once('connect', () => {
        s.removeListener('error', reject);
        resolve(new SampleConnection(s, timeoutMs));
      });
      s.once('error', reject);
    });
  }

  send(flags: number, body: Uint8Array = new Uint8Array(0)): void {
    this.trace.push({ dir: '>', flags, body });
    this.socket.write(encodeSampleToken(flags, body));
  }

  /** The next token; undefined when the peer closed cleanly between tokens. */
  async recv(): Promise<SampleToken | undefined> {
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      if (this.buf.length >= 5) {
        const flags = this.buf[0]!;
        if (flags === 0) throw new Error('v1-format token (flag byte 0) from the peer');
        const len = this.buf.readUInt32BE(1);
        if (this.buf.length >= 5 + len) {
          const body = new Uint8Array(this.buf.subarray(5, 5 + len));
          this.buf = this.buf.subarray(5 + len);
          this.trace.push({ dir: '<', flags, body });
          return { flags, body };
        }
      }
      if (this.error) throw this.error;
      if (this.ended) {
        if (this.buf.length === 0) return undefined;
        throw new Error(`peer closed in the middle of a token (${this.buf.length} bytes buffered)`);
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no gss-sample token within ${this.timeoutMs} ms\n${formatTrace(this.trace)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  }

  async mustRecv(what: string): Promise<SampleToken> {
    const t = await this.recv();
    if (!t) throw new Error(`peer closed before the ${what}\n${formatTrace(this.trace)}`);
    return t;
  }

  close(): void {
    this.socket.end();
  }
}

export interface SampleClientOptions {
  /** gss_wrap the message (else sent in the clear, as gss-client -nw). Default true. */
  readonly wrap?: boolean;
  /** Confidentiality in the wrap (else -nx). Default true. */
  readonly encrypt?: boolean;
  /** Ask the server for a MIC of the message and verify it (else -nm). Default true. */
  readonly mic?: boolean;
}

export interface SampleClientResult {
  readonly trace: readonly TraceEntry[];
  /** The server's MIC over the message, verified with our context's verifyMic (when asked for). */
  readonly mic: Uint8Array | undefined;
}

/** gss-client's call_server with our initiator context: establish, send the message, verify the MIC. */
export async function sampleClient(host: string, port: number, ctx: SecurityContext, message: Uint8Array, o: SampleClientOptions = {}): Promise<SampleClientResult> {
  const wrap = o.wrap ?? true;
  const encrypt = o.encrypt ?? true;
  const mic = o.mic ?? true;
  const c = await SampleConnection.connect(host, port);
  try {
    c.send(TOKEN.NOOP | TOKEN.CONTEXT_NEXT);
    let out = await ctx.step();
    for (;;) {
      if (out && out.length > 0) c.send(TOKEN.CONTEXT, out);
      if (ctx.complete) break;
      const t = await c.mustRecv('server context token');
      if (!(t.flags & TOKEN.CONTEXT)) throw new Error(`expected a CONTEXT token, got flags 0x${t.flags.toString(16)}\n${formatTrace(c.trace)}`);
      out = await ctx.step(t.body);
    }
    const body = wrap ? ctx.wrap(message, { encrypt }) : message;
    c.send(TOKEN.DATA | (wrap ? TOKEN.WRAPPED : 0) | (encrypt ? TOKEN.ENCRYPTED : 0) | (mic ? TOKEN.SEND_MIC : 0), body);
    const reply = await c.mustRecv('MIC reply');
    let micToken: Uint8Array | undefined;
    if (mic) {
      if (reply.flags !== TOKEN.MIC) throw new Error(`expected a MIC token, got flags 0x${reply.flags.toString(16)}\n${formatTrace(c.trace)}`);
      ctx.verifyMic(message, reply.body);
      micToken = reply.body;
    }
    c.send(TOKEN.NOOP);
    return { trace: c.trace, mic: micToken };
  } catch (e) {
    if (e instanceof Error && !e.message.includes('\n> flags')) e.message += `\ntrace:\n${formatTrace(c.trace)}`;
    throw e;
  } finally {
    c.close();
  }
}

export interface SampleSession {
  readonly trace: readonly TraceEntry[];
  readonly ctx: SecurityContext;
  /** Messages the client sent (unwrapped when WRAPPED), with the flags they came with. */
  readonly messages: { flags: number; message: Uint8Array }[];
  /** The first error (context or per-message), if any. */
  error: unknown;
  /** Resolves when the connection is over. */
  readonly done: Promise<void>;
}

/**
 * gss-server's sign_server with our acceptor: one fresh context per connection from `makeCtx`.
 * A failed accept sends the error token (if any) as a CONTEXT token, then closes, as gss-server.
 */
export function sampleServer(makeCtx: () => SecurityContext, onSession: (s: SampleSession) => void): net.Server {
  return net.createServer((socket) => {
    const c = new SampleConnection(socket);
    const ctx = makeCtx();
    const session: { trace: TraceEntry[]; ctx: SecurityContext; messages: { flags: number; message: Uint8Array }[]; error: unknown; done: Promise<void> } = {
      trace: c.trace,
      ctx,
      messages: [],
      error: undefined,
      done: Promise.resolve(),
    };
    session.done = (async () => {
      try {
        const first = await c.mustRecv('NOOP|CONTEXT_NEXT');
        if (!(first.flags & TOKEN.NOOP)) throw new Error(`expected NOOP token, got flags 0x${first.flags.toString(16)}`);
        if (!(first.flags & TOKEN.CONTEXT_NEXT)) throw new Error('unauthenticated client (no CONTEXT_NEXT)');
        while (!ctx.complete) {
          const t = await c.mustRecv('context token');
          let out: Uint8Array | undefined;
          try {
            out = await ctx.step(t.body);
          } catch (e) {
            if (e instanceof SpnegoError && e.outputToken) c.send(TOKEN.CONTEXT, e.outputToken);
            throw e;
          }
          if (out && out.length > 0) c.send(TOKEN.CONTEXT, out);
        }
        for (;;) {
          const t = await c.recv();
          if (!t || t.flags & TOKEN.NOOP) break;
          const message = t.flags & TOKEN.WRAPPED ? ctx.unwrap(t.body) : t.body;
          session.messages.push({ flags: t.flags, message });
          if (t.flags & TOKEN.SEND_MIC) c.send(TOKEN.MIC, ctx.getMic(message));
          else c.send(TOKEN.NOOP);
        }
      } catch (e) {
        session.error = e;
      } finally {
        socket.end();
      }
    })();
    onSession(session);
  });
}
