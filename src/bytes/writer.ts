// Growable byte writer; the encoders' counterpart of ByteReader.
export class ByteWriter {
  private buf: Uint8Array;
  private len = 0;

  constructor(initial = 64) {
    this.buf = new Uint8Array(Math.max(16, initial));
  }

  get length(): number {
    return this.len;
  }

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  u8(v: number): this {
    this.ensure(1);
    this.buf[this.len++] = v & 0xff;
    return this;
  }
  u16le(v: number): this {
    this.ensure(2);
    this.buf[this.len++] = v & 0xff;
    this.buf[this.len++] = (v >>> 8) & 0xff;
    return this;
  }
  u16be(v: number): this {
    this.ensure(2);
    this.buf[this.len++] = (v >>> 8) & 0xff;
    this.buf[this.len++] = v & 0xff;
    return this;
  }
  u32le(v: number): this {
    this.ensure(4);
    for (let i = 0; i < 4; i++) this.buf[this.len++] = (v >>> (8 * i)) & 0xff;
    return this;
  }
  u32be(v: number): this {
    this.ensure(4);
    for (let i = 3; i >= 0; i--) this.buf[this.len++] = (v >>> (8 * i)) & 0xff;
    return this;
  }
  u64le(v: bigint): this {
    this.u32le(Number(v & 0xffffffffn));
    return this.u32le(Number((v >> 32n) & 0xffffffffn));
  }
  u64be(v: bigint): this {
    this.u32be(Number((v >> 32n) & 0xffffffffn));
    return this.u32be(Number(v & 0xffffffffn));
  }
  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
    return this;
  }
  zeros(n: number): this {
    this.ensure(n);
    this.buf.fill(0, this.len, this.len + n);
    this.len += n;
    return this;
  }
  /** Overwrites a u16le/u32le at an earlier position (for offset fields filled in later). */
  patchU16le(at: number, v: number): this {
    this.buf[at] = v & 0xff;
    this.buf[at + 1] = (v >>> 8) & 0xff;
    return this;
  }
  patchU32le(at: number, v: number): this {
    for (let i = 0; i < 4; i++) this.buf[at + i] = (v >>> (8 * i)) & 0xff;
    return this;
  }
  /** The written bytes (a copy, so the writer can be reused or dropped). */
  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}
