// A replay cache shared by several acceptor processes or machines through Redis: one
// `SET key 1 NX PX ttl` per authenticator; "OK" means first seen, a nil reply means a replay.
// A minimal RESP2 client on one connection (no dependency): commands are pipelined in order and
// replies matched first in, first out. If Redis cannot be reached the check fails closed
// (UNAVAILABLE), so a replay is never accepted because the cache was down.
import { connect, type Socket } from 'node:net';
import { SpnegoError } from '../../errors.js';
import type { ReplayCache } from './replay-cache.js';

export interface RedisReplayCacheOptions {
  readonly host?: string;
  readonly port?: number;
  readonly password?: string;
  /** Prepended to every key (default `spnego:rcache:`). */
  readonly keyPrefix?: string;
  readonly timeoutMs?: number;
}

type Reply = { ok: string } | { nil: true } | { error: string } | { int: number };

function command(args: readonly string[]): Buffer {
  const parts = [`*${args.length}\r\n`];
  for (const a of args) parts.push(`$${Buffer.byteLength(a)}\r\n${a}\r\n`);
  return Buffer.from(parts.join(''));
}

export class RedisReplayCache implements ReplayCache {
  private socket: Socket | undefined;
  private buf = Buffer.alloc(0);
  private readonly pending: { resolve: (r: Reply) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }[] = [];
  private ready: Promise<void> | undefined;

  constructor(private readonly o: RedisReplayCacheOptions = {}) {}

  private fail(e: Error): void {
    for (const p of this.pending.splice(0)) {
      clearTimeout(p.timer);
      p.reject(e);
    }
    this.socket?.destroy();
    this.socket = undefined;
    this.ready = undefined;
    this.buf = Buffer.alloc(0);
  }

  private connect(): Promise<void> {
    this.ready ??= new Promise<void>((resolve, reject) => {
      const s = connect({ host: this.o.host ?? '127.0.0.1', port: this.o.port ?? 6379 });
      s.setNoDelay(true);
      s.once('connect', () => resolve());
      s.on('error', (e) => {
        reject(new SpnegoError('UNAVAILABLE', `replay cache (Redis): ${e.message}`));
        this.fail(new SpnegoError('UNAVAILABLE', `replay cache (Redis): ${e.message}`));
      });
      s.on('close', () => this.fail(new SpnegoError('UNAVAILABLE', 'replay cache (Redis): connection closed')));
      s.on('data', (d) => this.onData(d));
      this.socket = s;
    }).then(async () => {
      if (this.o.password !== undefined) {
        const r = await this.send(['AUTH', this.o.password]);
        if ('error' in r) throw new SpnegoError('UNAVAILABLE', 'replay cache (Redis): authentication refused');
      }
    });
    return this.ready;
  }

  private onData(d: Buffer): void {
    this.buf = Buffer.concat([this.buf, d]);
    for (;;) {
      const eol = this.buf.indexOf('\r\n');
      if (eol < 0) return;
      const line = this.buf.subarray(0, eol).toString('latin1');
      const type = line[0];
      let reply: Reply;
      let used = eol + 2;
      if (type === '+') reply = { ok: line.slice(1) };
      else if (type === '-') reply = { error: line.slice(1) };
      else if (type === ':') reply = { int: Number(line.slice(1)) };
      else if (type === '$') {
        const n = Number(line.slice(1));
        if (n < 0) reply = { nil: true };
        else {
          if (this.buf.length < used + n + 2) return;
          reply = { ok: this.buf.subarray(used, used + n).toString('utf8') };
          used += n + 2;
        }
      } else {
        this.fail(new SpnegoError('UNAVAILABLE', 'replay cache (Redis): unexpected reply'));
        return;
      }
      this.buf = this.buf.subarray(used);
      const p = this.pending.shift();
      if (p) {
        clearTimeout(p.timer);
        p.resolve(reply);
      }
    }
  }

  private send(args: readonly string[]): Promise<Reply> {
    return new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(() => this.fail(new SpnegoError('UNAVAILABLE', 'replay cache (Redis): no reply in time')), this.o.timeoutMs ?? 2000);
      this.pending.push({ resolve, reject, timer });
      this.socket!.write(command(args));
    });
  }

  async checkAndStore(entry: string, expiresAtMs: number): Promise<boolean> {
    await this.connect();
    const ttl = Math.max(1, Math.ceil(expiresAtMs - Date.now()));
    const r = await this.send(['SET', `${this.o.keyPrefix ?? 'spnego:rcache:'}${entry}`, '1', 'NX', 'PX', String(ttl)]);
    if ('error' in r) throw new SpnegoError('UNAVAILABLE', `replay cache (Redis): ${r.error.slice(0, 100)}`);
    return 'ok' in r;
  }

  close(): void {
    this.socket?.end();
    this.socket = undefined;
    this.ready = undefined;
  }
}
