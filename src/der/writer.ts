// DER encoding back to front: an element's content is written before its header, so every
// length is known when its header is written, with no sizing pass, and each byte is copied once
// (encoding child by child and wrapping copied the whole content again at every nesting level).
import { headerLength, putHeader, type TagClass } from './tlv.js';

// Scratch buffers are reused (an encode allocated and zero-filled a fresh one, then grew it,
// on every message): taken by a writer, wiped and given back by finish(). A writer that never
// finishes (an encode error) just drops its buffer.
const spare: Uint8Array[] = [];
const KEEP_AT_MOST = 64 * 1024;

export class DerWriter {
  private buf: Uint8Array;
  /** Start of the written bytes; they run to the end of `buf`. */
  private pos: number;

  constructor() {
    this.buf = spare.pop() ?? new Uint8Array(2048);
    this.pos = this.buf.length;
  }

  /** Bytes written so far: an element's length is `length` after it minus `length` before it. */
  get length(): number {
    return this.buf.length - this.pos;
  }

  private room(n: number): void {
    if (n <= this.pos) return;
    const used = this.length;
    let size = this.buf.length * 2;
    while (size - used < n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(this.pos), size - used);
    this.buf = next;
    this.pos = size - used;
  }

  /** Puts `b` in front of everything written so far. */
  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.pos -= b.length;
    this.buf.set(b, this.pos);
  }

  /** Puts the header of an element whose `len` value bytes were just written. */
  header(cls: TagClass, constructed: boolean, tag: number, len: number): void {
    const h = headerLength(tag, len);
    this.room(h);
    this.pos -= h;
    putHeader(this.buf, h, cls, constructed, tag, len, this.pos);
  }

  /** The encoding, as a copy the writer does not share; the writer cannot be used after. */
  finish(): Uint8Array {
    const out = this.buf.slice(this.pos);
    this.buf.fill(0, this.pos); // plaintext such as an EncTicketPart's key is encoded here
    if (this.buf.length <= KEEP_AT_MOST && spare.length < 8) spare.push(this.buf);
    this.buf = new Uint8Array(0);
    this.pos = 0;
    return out;
  }
}
