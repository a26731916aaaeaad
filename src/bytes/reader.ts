// Bounded little/big-endian reader over a Uint8Array. Every read checks the bound and
// throws DECODE_TRUNCATED with the absolute byte offset; it never reads past `end`.
import { decodeError } from '../errors.js';

export class ByteReader {
  private pos: number;
  readonly end: number;

  /** `base` is the absolute offset of `bytes[0]` in the outer input, for error messages. */
  constructor(
    readonly bytes: Uint8Array,
    start = 0,
    end = bytes.length,
    readonly base = 0,
  ) {
    if (start < 0 || end > bytes.length || start > end) {
      decodeError('DECODE_TRUNCATED', 'range outside the input', base + start);
    }
    this.pos = start;
    this.end = end;
  }

  /** Relative position within `bytes`. */
  get offset(): number {
    return this.pos;
  }
  /** Absolute position in the outermost input. */
  get absolute(): number {
    return this.base + this.pos;
  }
  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number, what: string): void {
    if (n < 0 || this.pos + n > this.end) {
      decodeError('DECODE_TRUNCATED', `truncated ${what}: need ${n} byte(s), have ${this.end - this.pos}`, this.absolute);
    }
  }

  u8(): number {
    this.need(1, 'u8');
    return this.bytes[this.pos++]!;
  }
  u16le(): number {
    this.need(2, 'u16');
    const b = this.bytes, p = this.pos;
    this.pos += 2;
    return b[p]! | (b[p + 1]! << 8);
  }
  u16be(): number {
    this.need(2, 'u16');
    const b = this.bytes, p = this.pos;
    this.pos += 2;
    return (b[p]! << 8) | b[p + 1]!;
  }
  u32le(): number {
    this.need(4, 'u32');
    const b = this.bytes, p = this.pos;
    this.pos += 4;
    return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
  }
  u32be(): number {
    this.need(4, 'u32');
    const b = this.bytes, p = this.pos;
    this.pos += 4;
    return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
  }
  /** 64-bit little-endian as bigint (FILETIME, NTLM timestamps). */
  u64le(): bigint {
    const lo = this.u32le();
    const hi = this.u32le();
    return (BigInt(hi) << 32n) | BigInt(lo);
  }
  u64be(): bigint {
    const hi = this.u32be();
    const lo = this.u32be();
    return (BigInt(hi) << 32n) | BigInt(lo);
  }
  /** A view (not a copy) of the next `n` bytes. */
  bytesView(n: number, what = 'bytes'): Uint8Array {
    this.need(n, what);
    const v = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
  /** A copy of the next `n` bytes. */
  take(n: number, what = 'bytes'): Uint8Array {
    return new Uint8Array(this.bytesView(n, what)); // a plain copy even when the input is a Buffer
  }
  skip(n: number): void {
    this.need(n, 'skip');
    this.pos += n;
  }
  seek(relative: number): void {
    if (relative < 0 || relative > this.end) decodeError('DECODE_TRUNCATED', 'seek outside the input', this.base + relative);
    this.pos = relative;
  }
  /** A reader over the next `n` bytes, advancing this one past them. */
  sub(n: number, what = 'field'): ByteReader {
    this.need(n, what);
    const r = new ByteReader(this.bytes, this.pos, this.pos + n, this.base);
    this.pos += n;
    return r;
  }
  /** Throws DECODE_TRAILING_BYTES unless every byte was consumed. */
  expectEnd(what = 'structure'): void {
    if (this.pos !== this.end) {
      decodeError('DECODE_TRAILING_BYTES', `${this.end - this.pos} trailing byte(s) after ${what}`, this.absolute);
    }
  }
}
