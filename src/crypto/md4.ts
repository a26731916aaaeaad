// MD4 (RFC 1320) in pure TypeScript: Node 20's OpenSSL 3 refuses 'md4' without the legacy provider.
// Used only for NTOWFv1/NTOWFv2 (MS-NLMP 3.3.1), i.e. on a password hash input; speed hardly matters.

const rotl = (x: number, n: number): number => (x << n) | (x >>> (32 - n));

/** MD4 digest of `data` (16 bytes). */
export function md4(data: Uint8Array): Uint8Array {
  const len = data.length;
  // Pad: 0x80, zeros to 56 mod 64, then the bit length as 64-bit little-endian.
  const padded = new Uint8Array((((len + 8) >>> 6) + 1) << 6);
  padded.set(data);
  padded[len] = 0x80;
  const view = new DataView(padded.buffer);
  view.setUint32(padded.length - 8, (len * 8) >>> 0, true);
  view.setUint32(padded.length - 4, Math.floor(len / 0x20000000), true);

  let a = 0x67452301;
  let b = 0xefcdab89;
  let c = 0x98badcfe;
  let d = 0x10325476;
  const x = new Int32Array(16);

  for (let off = 0; off < padded.length; off += 64) {
    for (let i = 0; i < 16; i++) x[i] = view.getInt32(off + i * 4, true);
    const aa = a;
    const bb = b;
    const cc = c;
    const dd = d;
    const X = (i: number): number => x[i] as number;

    // Round 1: F(x,y,z) = (x & y) | (~x & z)
    const r1 = (p: number, q: number, r: number, s: number, k: number, sh: number): number =>
      rotl((p + ((q & r) | (~q & s)) + X(k)) | 0, sh);
    for (let i = 0; i < 16; i += 4) {
      a = r1(a, b, c, d, i, 3);
      d = r1(d, a, b, c, i + 1, 7);
      c = r1(c, d, a, b, i + 2, 11);
      b = r1(b, c, d, a, i + 3, 19);
    }
    // Round 2: G(x,y,z) = (x & y) | (x & z) | (y & z), constant 0x5a827999
    const r2 = (p: number, q: number, r: number, s: number, k: number, sh: number): number =>
      rotl((p + ((q & r) | (q & s) | (r & s)) + X(k) + 0x5a827999) | 0, sh);
    for (let i = 0; i < 4; i++) {
      a = r2(a, b, c, d, i, 3);
      d = r2(d, a, b, c, i + 4, 5);
      c = r2(c, d, a, b, i + 8, 9);
      b = r2(b, c, d, a, i + 12, 13);
    }
    // Round 3: H(x,y,z) = x ^ y ^ z, constant 0x6ed9eba1, word order 0 8 4 12 2 10 6 14 1 9 5 13 3 11 7 15
    const r3 = (p: number, q: number, r: number, s: number, k: number, sh: number): number =>
      rotl((p + (q ^ r ^ s) + X(k) + 0x6ed9eba1) | 0, sh);
    for (const i of [0, 2, 1, 3]) {
      a = r3(a, b, c, d, i, 3);
      d = r3(d, a, b, c, i + 8, 9);
      c = r3(c, d, a, b, i + 4, 11);
      b = r3(b, c, d, a, i + 12, 15);
    }

    a = (a + aa) | 0;
    b = (b + bb) | 0;
    c = (c + cc) | 0;
    d = (d + dd) | 0;
  }

  const out = new Uint8Array(16);
  const ov = new DataView(out.buffer);
  ov.setInt32(0, a, true);
  ov.setInt32(4, b, true);
  ov.setInt32(8, c, true);
  ov.setInt32(12, d, true);
  return out;
}
