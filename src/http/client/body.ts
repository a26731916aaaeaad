// Request bodies. Every leg of a handshake must carry the request again, so the body has to be
// replayable: strings, bytes, URLSearchParams, Blob and FormData are; a stream
// (ReadableStream, Node Readable, any async iterable) is buffered up to `maxBufferedBody` and
// fails with BAD_ARGUMENT beyond it, saying how to avoid it.
import { SpnegoError } from '../../errors.js';

export interface ReplayableBody {
  readonly bytes: Uint8Array | undefined;
  /** The Content-Type the body implies (URLSearchParams, FormData, Blob, string), if any. */
  readonly contentType: string | undefined;
}

export const DEFAULT_MAX_BUFFERED_BODY = 1 << 20;

function isAsyncIterable(x: unknown): x is AsyncIterable<unknown> {
  return typeof x === 'object' && x !== null && typeof (x as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function';
}

function tooBig(limit: number): SpnegoError {
  return new SpnegoError(
    'BAD_ARGUMENT',
    `a stream request body larger than ${limit} bytes cannot be replayed on each leg of the Negotiate handshake: ` +
      'pass the body as a Buffer/Uint8Array or string, or raise maxBufferedBody (createFetch option) above its size',
  );
}

async function drainStream(body: AsyncIterable<unknown> | ReadableStream<Uint8Array>, limit: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let total = 0;
  const iterable: AsyncIterable<unknown> = isAsyncIterable(body)
    ? body
    : {
        async *[Symbol.asyncIterator]() {
          const reader = (body as ReadableStream<Uint8Array>).getReader();
          try {
            for (;;) {
              const { done, value } = await reader.read();
              if (done) return;
              yield value;
            }
          } finally {
            reader.releaseLock();
          }
        },
      };
  for await (const chunk of iterable) {
    const b = typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk instanceof Uint8Array ? chunk : undefined;
    if (!b) throw new SpnegoError('BAD_ARGUMENT', 'a stream request body must yield bytes or strings');
    total += b.length;
    if (total > limit) {
      if (!isAsyncIterable(body)) await (body as ReadableStream).cancel().catch(() => undefined);
      throw tooBig(limit);
    }
    parts.push(b);
  }
  return new Uint8Array(Buffer.concat(parts));
}

export async function replayableBody(body: unknown, limit: number): Promise<ReplayableBody> {
  if (body === undefined || body === null) return { bytes: undefined, contentType: undefined };
  if (typeof body === 'string') return { bytes: new TextEncoder().encode(body), contentType: 'text/plain;charset=UTF-8' };
  if (body instanceof Uint8Array) return { bytes: body, contentType: undefined };
  if (body instanceof ArrayBuffer) return { bytes: new Uint8Array(body), contentType: undefined };
  if (ArrayBuffer.isView(body)) return { bytes: new Uint8Array(body.buffer, body.byteOffset, body.byteLength), contentType: undefined };
  if (body instanceof URLSearchParams) return { bytes: new TextEncoder().encode(body.toString()), contentType: 'application/x-www-form-urlencoded;charset=UTF-8' };
  if (body instanceof Blob || body instanceof FormData) {
    // The platform's own serialisation (multipart boundary included), buffered once.
    const r = new Response(body);
    return { bytes: new Uint8Array(await r.arrayBuffer()), contentType: r.headers.get('content-type') ?? undefined };
  }
  if (isAsyncIterable(body) || body instanceof ReadableStream) return { bytes: await drainStream(body as AsyncIterable<unknown>, limit), contentType: undefined };
  throw new SpnegoError('BAD_ARGUMENT', `unsupported request body type ${Object.prototype.toString.call(body)}`);
}
