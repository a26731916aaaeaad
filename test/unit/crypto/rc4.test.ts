import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Rc4, rc4 } from '../../../src/crypto/index.js';
import { fromHex, toHex } from '../../../src/bytes/index.js';
import { SpnegoError } from '../../../src/errors.js';
import { readJson } from '../../helpers/paths.js';

interface Vectors {
  rc4: { source: string; cases: { key_hex: string; key_bits: number; keystream: { offset: number; keystream_hex: string }[] }[] };
}
const vectors = readJson<Vectors>('test', 'vectors', 'primitives.json');

test('RC4: RFC 6229 keystreams (40/56/64/80/128-bit keys, offsets 0..4096)', () => {
  assert.deepEqual(vectors.rc4.cases.map((c) => c.key_bits), [40, 56, 64, 80, 128]);
  for (const c of vectors.rc4.cases) {
    const stream = rc4(fromHex(c.key_hex), new Uint8Array(4112));
    for (const k of c.keystream) {
      assert.equal(toHex(stream.subarray(k.offset, k.offset + 16)), k.keystream_hex, `${c.key_bits}-bit key at ${k.offset}`);
    }
  }
});

test('RC4: the same RFC 6229 offsets reached by streaming update() calls', () => {
  for (const c of vectors.rc4.cases) {
    const h = new Rc4(fromHex(c.key_hex));
    let pos = 0;
    for (const k of c.keystream) {
      h.update(new Uint8Array(k.offset - pos)); // skip ahead
      assert.equal(toHex(h.update(new Uint8Array(16))), k.keystream_hex, `${c.key_bits}-bit key at ${k.offset}`);
      pos = k.offset + 16;
    }
  }
});

test('RC4: decrypting is encrypting; input is not modified; empty input', () => {
  const key = fromHex('0102030405');
  const pt = new TextEncoder().encode('attack at dawn');
  const copy = pt.slice();
  const ct = rc4(key, pt);
  assert.deepEqual(pt, copy);
  assert.deepEqual(rc4(key, ct), pt);
  assert.equal(rc4(key, new Uint8Array(0)).length, 0);
  // A subarray view is read from its offset.
  const buf = new Uint8Array([9, ...pt, 9]);
  assert.deepEqual(rc4(key, buf.subarray(1, 1 + pt.length)), ct);
});

test('RC4: key length outside 1..256 is BAD_ARGUMENT', () => {
  assert.throws(() => new Rc4(new Uint8Array(0)), (e: unknown) => e instanceof SpnegoError && e.code === 'BAD_ARGUMENT');
  assert.throws(() => rc4(new Uint8Array(257), new Uint8Array(1)), (e: unknown) => e instanceof SpnegoError && e.code === 'BAD_ARGUMENT');
  assert.equal(rc4(new Uint8Array(256), new Uint8Array(4)).length, 4);
});

test('RC4 property: streaming in arbitrary chunkings equals one-shot', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 1, maxLength: 32 }),
      fc.uint8Array({ maxLength: 600 }),
      fc.array(fc.nat({ max: 700 }), { maxLength: 12 }),
      (key, data, cuts) => {
        const points = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((a, b) => a - b);
        const h = new Rc4(key);
        const parts: Uint8Array[] = [];
        let prev = 0;
        for (const p of [...points, data.length]) {
          parts.push(h.update(data.subarray(prev, p)));
          prev = p;
        }
        const streamed = new Uint8Array(data.length);
        let o = 0;
        for (const p of parts) {
          streamed.set(p, o);
          o += p.length;
        }
        assert.deepEqual(streamed, rc4(key, data));
      },
    ),
    { numRuns: 300 },
  );
});

test('RC4: two handles with one key are independent (one per sealing direction)', () => {
  const key = fromHex('0102030405060708090a0b0c0d0e0f10');
  const a = new Rc4(key);
  const b = new Rc4(key);
  const first = a.update(new Uint8Array(8));
  a.update(new Uint8Array(8));
  assert.deepEqual(b.update(new Uint8Array(8)), first);
});
