// Property tests for the MIT file formats: random, mutated and truncated credential caches and keytabs
// only ever raise a typed SpnegoError (and, when they decode, re-encode byte for byte); generated values
// round-trip; huge length/count fields are refused before allocation (an attempt to allocate 4 GiB would
// surface as an untyped RangeError); random krb5.conf text only raises SpnegoError and never hangs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fromHex, toHex } from '../../src/bytes/index.js';
import type { Codec } from '../../src/codec/codec.js';
import {
  ccacheCodec, keytabCodec, type Ccache, type CcacheCredential, type CcachePrincipal, type Keytab, type KeytabRecord,
} from '../../src/codec/krb5-files/index.js';
import {
  parseDuration, parseEnctypeList, parseKdcEndpoint, parseKrb5Config, realmForHost,
} from '../../src/mech/krb5/config/index.js';
import { readJson } from '../helpers/paths.js';
import { onlyTypedErrors, DECODE_CODES } from '../helpers/errors.js';

const V = readJson<Record<'ccache' | 'keytab' | 'keytabHole', { hex: string }>>('test', 'vectors', 'krb5-files', 'mit-1.20.json');
const REAL = { ccache: fromHex(V.ccache.hex), keytab: fromHex(V.keytab.hex), keytabHole: fromHex(V.keytabHole.hex) };
const RUNS = 400;

/** Decode must either throw a DECODE_* SpnegoError or give a value that re-encodes to the same bytes. */
function checkBytes<T>(codec: Codec<T>, b: Uint8Array): void {
  let value: T | undefined;
  onlyTypedErrors(() => {
    value = codec.decode(b);
  }, DECODE_CODES);
  if (value !== undefined) assert.equal(toHex(codec.encode(value)), toHex(b));
}

function mutations(seed: Uint8Array): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    fc.array(fc.tuple(fc.nat(seed.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }).map((ps) => {
      const b = seed.slice();
      for (const [i, v] of ps) b[i] = v;
      return b;
    }),
    fc.nat(seed.length).map((n) => seed.slice(0, n)),
    fc.tuple(fc.nat(seed.length), fc.uint8Array({ minLength: 1, maxLength: 8 })).map(([i, ins]) => {
      const b = new Uint8Array(seed.length + ins.length);
      b.set(seed.subarray(0, i));
      b.set(ins, i);
      b.set(seed.subarray(i), i + ins.length);
      return b;
    }),
    // A length/count field of 0xFFFFFFFF (or 0x7FFFFFFF, 0x80000000) anywhere.
    fc.tuple(fc.nat(Math.max(0, seed.length - 4)), fc.constantFrom(0xffffffff, 0x7fffffff, 0x80000000, 0xffff0000)).map(([i, v]) => {
      const b = seed.slice();
      new DataView(b.buffer).setUint32(i, v);
      return b;
    }),
  );
}

test('random bytes after a valid version only give typed errors or exact round trips', () => {
  for (const [codec, versions] of [[ccacheCodec, [0x0503, 0x0504]], [keytabCodec, [0x0501, 0x0502]]] as const) {
    fc.assert(fc.property(fc.constantFrom(...versions), fc.uint8Array({ maxLength: 200 }), (v, rest) => {
      const b = new Uint8Array(2 + rest.length);
      b[0] = v >> 8;
      b[1] = v & 0xff;
      b.set(rest, 2);
      checkBytes(codec as Codec<unknown>, b);
    }), { numRuns: RUNS });
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (b) => checkBytes(codec as Codec<unknown>, b)), { numRuns: RUNS });
  }
});

test('mutated real MIT files only give typed errors or exact round trips', () => {
  fc.assert(fc.property(mutations(REAL.ccache), (b) => checkBytes(ccacheCodec, b)), { numRuns: RUNS * 2 });
  fc.assert(fc.property(mutations(REAL.keytab), (b) => checkBytes(keytabCodec, b)), { numRuns: RUNS * 2 });
  fc.assert(fc.property(mutations(REAL.keytabHole), (b) => checkBytes(keytabCodec, b)), { numRuns: RUNS });
});

test('0xFFFFFFFF in every 32-bit position of the real files is refused or decodes, without big allocations', () => {
  for (const [codec, seed] of [[ccacheCodec, REAL.ccache], [keytabCodec, REAL.keytab]] as const) {
    const before = process.memoryUsage().arrayBuffers;
    for (let i = 0; i + 4 <= seed.length; i++) {
      const b = seed.slice();
      b.set([0xff, 0xff, 0xff, 0xff], i);
      checkBytes(codec as Codec<unknown>, b);
    }
    assert.ok(process.memoryUsage().arrayBuffers - before < 64 * 1024 * 1024);
  }
});

// ---- generated values round-trip

const str = fc.string({ maxLength: 12 });
const bytes = fc.uint8Array({ maxLength: 40 });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const i32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
const principal: fc.Arbitrary<CcachePrincipal> = fc.record({ nameType: i32, realm: str, components: fc.array(str, { maxLength: 4 }) }).map((o) => ({ ...o }));
const credential: fc.Arbitrary<CcacheCredential> = fc.record({
  client: principal, server: principal, key: fc.record({ keytype: u16, keyvalue: bytes }).map((o) => ({ ...o })),
  authtime: u32, starttime: u32, endtime: u32, renewTill: u32, isSkey: fc.boolean(), ticketFlags: u32,
  addresses: fc.array(fc.record({ addrType: u16, address: bytes }).map((o) => ({ ...o })), { maxLength: 2 }),
  authdata: fc.array(fc.record({ adType: u16, adData: bytes }).map((o) => ({ ...o })), { maxLength: 2 }),
  ticket: bytes, secondTicket: bytes,
}).map((o) => ({ ...o, isConfig: o.server.realm === 'X-CACHECONF:' }));
const ccache: fc.Arbitrary<Ccache> = fc.record({
  version: fc.constantFrom(3 as const, 4 as const), defaultPrincipal: principal, credentials: fc.array(credential, { maxLength: 3 }),
  tags: fc.array(fc.record({ tag: u16.filter((t) => t !== 1), data: bytes }).map((o) => ({ ...o })), { maxLength: 2 }),
}).map(({ version, defaultPrincipal, credentials, tags }) => ({ version, headerTags: version === 4 ? tags : [], defaultPrincipal, credentials }));

const kprincipal = fc.record({ nameType: i32, realm: str, components: fc.array(str, { maxLength: 4 }) }).map((o) => ({ ...o }));
const record: fc.Arbitrary<KeytabRecord> = fc.oneof(
  fc.record({ principal: kprincipal, timestamp: u32, kvno: u32, key: fc.record({ keytype: u16, keyvalue: bytes }).map((o) => ({ ...o })) })
    .map((o) => ({ type: 'entry' as const, ...o })),
  fc.uint8Array({ minLength: 1, maxLength: 20 }).map((data) => ({ type: 'hole' as const, data })),
);
const keytab: fc.Arbitrary<Keytab> = fc.record({ version: fc.constant(2 as const), records: fc.array(record, { maxLength: 4 }) }).map((o) => ({ ...o }));

test('generated caches and keytabs round-trip', () => {
  fc.assert(fc.property(ccache, (c) => {
    const b = ccacheCodec.encode(c);
    const d = ccacheCodec.decode(b);
    assert.deepEqual(d, c);
    assert.equal(toHex(ccacheCodec.encode(d)), toHex(b));
  }), { numRuns: RUNS });
  fc.assert(fc.property(keytab, (k) => {
    const b = keytabCodec.encode(k);
    const d = keytabCodec.decode(b);
    // Entries with kvno 0 in both fields or canonical kvnos decode without `wire`.
    assert.deepEqual(d, k);
  }), { numRuns: RUNS });
});

// ---- krb5.conf text

const confToken = fc.constantFrom(
  '[', ']', '{', '}', '=', '*', '"', '\\', '\n', '\r\n', ' ', '\t', '#', ';', 'include ', 'includedir ', 'module ', 'a', 'kdc', 'realms',
  'libdefaults', 'domain_realm', '.x.test', 'EXAMPLE.TEST', '1h30m', '[libdefaults]\n', ' = {\n', '}\n', ' = v\n', 'default_realm',
  'permitted_enctypes = aes -rc4 DEFAULT\n', 'clockskew = 5m\n', '[realms]\n R = {\n kdc = [::1]:88\n }\n',
);
const confText = fc.oneof(fc.array(confToken, { maxLength: 60 }).map((a) => a.join('')), fc.string({ maxLength: 200 }));

test('random krb5.conf text only raises SpnegoError, quickly', () => {
  fc.assert(fc.property(confText, fc.option(confText, { nil: undefined }), (a, b) => {
    const t0 = Date.now();
    let cfg: ReturnType<typeof parseKrb5Config> | undefined;
    onlyTypedErrors(() => {
      cfg = parseKrb5Config(b === undefined ? [a] : [a, b], { includes: false });
    }, ['DECODE_BAD_VALUE', 'DECODE_LIMIT']);
    if (cfg) {
      for (const h of ['www.x.test', 'x.test', 'R', '1.2.3.4']) realmForHost(cfg, h, { fallback: true });
      assert.ok(Array.isArray(cfg.libdefaults.permittedEnctypes));
    }
    assert.ok(Date.now() - t0 < 1000);
  }), { numRuns: RUNS });
  fc.assert(fc.property(fc.string({ maxLength: 60 }), (s) => {
    const d = parseDuration(s);
    assert.ok(d === undefined || Number.isInteger(d));
    assert.ok(Array.isArray(parseEnctypeList(s)));
    const e = parseKdcEndpoint(s);
    assert.ok(e === undefined || (e.port >= 1 && e.port <= 65535 && e.host !== ''));
  }), { numRuns: RUNS });
  // Deep nesting and long inputs are bounded.
  onlyTypedErrors(() => parseKrb5Config(['[a]\n' + 'x = {\n'.repeat(100_000)]), ['DECODE_LIMIT']);
  onlyTypedErrors(() => parseKrb5Config(['x'.repeat(2 * 1024 * 1024)]), ['DECODE_LIMIT']);
});
