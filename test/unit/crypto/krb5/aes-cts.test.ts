// AES-CBC-CS3 (RFC 3962 5) against every RFC 3962 Appendix B encryption: output and next IV, and back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createCipheriv } from 'node:crypto';
import { aesCtsDecrypt, aesCtsEncrypt } from '../../../../src/crypto/krb5/aes-cts.js';
import { fromHex, toHex } from '../../../../src/bytes/index.js';
import { SpnegoError } from '../../../../src/errors.js';
import { readJson } from '../../../helpers/paths.js';

interface V {
  aes_cts_encrypt: { key_hex: string; iv_hex: string; input_hex: string; input_len: number; output_hex: string; next_iv_hex: string }[];
}
const v = readJson<V>('test', 'vectors', 'rfc3962.json');

test('AES-CTS: RFC 3962 Appendix B encryptions (output and next IV)', () => {
  assert.equal(v.aes_cts_encrypt.length, 6);
  for (const c of v.aes_cts_encrypt) {
    const r = aesCtsEncrypt(fromHex(c.key_hex), fromHex(c.input_hex), fromHex(c.iv_hex));
    assert.equal(toHex(r.output), c.output_hex, `encrypt ${c.input_len} bytes`);
    assert.equal(toHex(r.nextIv), c.next_iv_hex, `next IV after ${c.input_len} bytes`);
  }
});

test('AES-CTS: RFC 3962 Appendix B decryptions (plaintext and next IV)', () => {
  for (const c of v.aes_cts_encrypt) {
    const r = aesCtsDecrypt(fromHex(c.key_hex), fromHex(c.output_hex), fromHex(c.iv_hex));
    assert.equal(toHex(r.output), c.input_hex, `decrypt ${c.input_len} bytes`);
    assert.equal(toHex(r.nextIv), c.next_iv_hex);
  }
});

// Independent reference: CS3 written block by block from SP 800-38A addendum, over AES-ECB.
function refCs3(key: Uint8Array, iv: Uint8Array, p: Uint8Array): Uint8Array {
  const ecb = createCipheriv(`aes-${key.length * 8}-ecb`, key, null).setAutoPadding(false);
  const enc = (b: Uint8Array): Uint8Array => new Uint8Array(ecb.update(b));
  const blocks: Uint8Array[] = [];
  let prev = iv;
  for (let off = 0; off < p.length; off += 16) {
    const b = new Uint8Array(16);
    b.set(p.subarray(off, off + 16));
    prev = enc(b.map((x, i) => x ^ (prev[i] as number)));
    blocks.push(prev);
  }
  if (blocks.length === 1) return blocks[0] as Uint8Array;
  const tail = p.length - (blocks.length - 1) * 16;
  const last = blocks.pop() as Uint8Array;
  const penult = blocks.pop() as Uint8Array;
  const out = new Uint8Array(p.length);
  blocks.forEach((b, i) => out.set(b, i * 16));
  out.set(last, blocks.length * 16);
  out.set(penult.subarray(0, tail), blocks.length * 16 + 16);
  return out;
}

test('AES-CTS: agrees with a block-by-block CS3 reference and round-trips (16..200 bytes, 128/256-bit)', () => {
  fc.assert(
    fc.property(
      fc.boolean(),
      fc.uint8Array({ minLength: 32, maxLength: 32 }),
      fc.uint8Array({ minLength: 16, maxLength: 16 }),
      fc.uint8Array({ minLength: 16, maxLength: 200 }),
      (big, k, iv, p) => {
        const key = big ? k : k.subarray(0, 16);
        const c = aesCtsEncrypt(key, p, iv).output;
        assert.equal(toHex(c), toHex(refCs3(key, iv, p)));
        assert.equal(toHex(aesCtsDecrypt(key, c, iv).output), toHex(p));
      },
    ),
    { numRuns: 300 },
  );
});

test('AES-CTS: less than one block is DEFECTIVE_TOKEN; wrong key or IV size is BAD_ARGUMENT', () => {
  const key = new Uint8Array(16);
  assert.throws(() => aesCtsEncrypt(key, new Uint8Array(15)), (e: unknown) => e instanceof SpnegoError && e.code === 'DEFECTIVE_TOKEN');
  assert.throws(() => aesCtsDecrypt(key, new Uint8Array(0)), (e: unknown) => e instanceof SpnegoError && e.code === 'DEFECTIVE_TOKEN');
  assert.throws(() => aesCtsEncrypt(new Uint8Array(24), new Uint8Array(16)), (e: unknown) => e instanceof SpnegoError && e.code === 'BAD_ARGUMENT');
  assert.throws(() => aesCtsEncrypt(key, new Uint8Array(16), new Uint8Array(8)), (e: unknown) => e instanceof SpnegoError && e.code === 'BAD_ARGUMENT');
});

test('AES-CTS: both decryption paths (short: cached ECB + XOR; long: one CBC call) agree with the reference around the 4 KiB switch', () => {
  const key = Uint8Array.from({ length: 32 }, (_, i) => i * 7 + 1);
  const iv = Uint8Array.from({ length: 16 }, (_, i) => 255 - i);
  for (const n of [17, 31, 32, 33, 4080, 4095, 4096, 4097, 4111, 4112, 9000]) {
    const p = Uint8Array.from({ length: n }, (_, i) => (i * 31 + n) & 0xff);
    const c = aesCtsEncrypt(key, p, iv);
    assert.equal(toHex(c.output), toHex(refCs3(key, iv, p)), `encrypt ${n}`);
    const d = aesCtsDecrypt(key, c.output, iv);
    assert.equal(toHex(d.output), toHex(p), `decrypt ${n}`);
    assert.equal(toHex(d.nextIv), toHex(c.nextIv), `cipher state ${n}`);
  }
});
