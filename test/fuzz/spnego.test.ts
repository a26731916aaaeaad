// Property tests for the SPNEGO codecs: only typed decode errors on hostile input, anything that
// decodes re-encodes byte for byte, and decode(encode(x)) is x for generated tokens.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fromHex } from '../../src/bytes/index.js';
import { InitialContextToken } from '../../src/codec/gss/initial-context-token.js';
import { encodeMechTypeList } from '../../src/codec/spnego/mech-type-list.js';
import { NegotiationToken } from '../../src/codec/spnego/negotiation-token.js';
import { NEG_STATES } from '../../src/codec/spnego/neg-token-resp.js';
import type { NegTokenInit2 } from '../../src/codec/spnego/neg-token-init2.js';
import { decodeSpnegoToken, encodeSpnegoToken, type SpnegoToken } from '../../src/codec/spnego/spnego-token.js';
import { DECODE_CODES, onlyTypedErrors } from '../helpers/errors.js';
import { readJson } from '../helpers/paths.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 400);

// --- generators

const oidArb = fc
  .tuple(fc.integer({ min: 0, max: 2 }), fc.nat({ max: 200 }), fc.array(fc.oneof(fc.nat({ max: 200 }), fc.nat({ max: 2 ** 40 })), { maxLength: 6 }))
  .map(([a, b, rest]) => [a, a < 2 ? b % 40 : b, ...rest].join('.'));
const mechTypesArb = fc.array(fc.oneof(oidArb, fc.constantFrom('1.2.840.113554.1.2.2', '1.2.840.48018.1.2.2', '1.3.6.1.4.1.311.2.2.10')), { minLength: 1, maxLength: 6 });
const bytesArb = fc.uint8Array({ maxLength: 200 });
const bitStringArb = fc.tuple(fc.uint8Array({ maxLength: 5 }), fc.integer({ min: 0, max: 7 })).map(([bytes, unused]) => {
  if (bytes.length === 0) return { bytes, unusedBits: 0 };
  bytes[bytes.length - 1]! &= 0xff << unused;
  return { bytes, unusedBits: unused };
});
const withDer = <T extends { mechTypes?: readonly string[] }>(v: T): T =>
  v.mechTypes === undefined ? v : { ...v, mechTypesDer: encodeMechTypeList(v.mechTypes) };

const initArb = fc
  .record({ mechTypes: mechTypesArb, reqFlags: bitStringArb, mechToken: bytesArb, mechListMIC: bytesArb }, { requiredKeys: ['mechTypes'], noNullPrototype: true })
  .map((v) => ({ type: 'negTokenInit' as const, value: withDer(v) as never }));
const hintsArb = fc.record({ hintName: fc.string({ unit: 'grapheme', maxLength: 40 }), hintAddress: bytesArb }, { requiredKeys: [], noNullPrototype: true });
const init2Arb = fc
  .record({ mechTypes: mechTypesArb, reqFlags: bitStringArb, mechToken: bytesArb, negHints: hintsArb, mechListMIC: bytesArb }, { requiredKeys: [], noNullPrototype: true })
  // With mechTypes and neither [3] nor [4] the two forms are the same bytes; the decoder says negTokenInit.
  .filter((v) => v.mechTypes === undefined || v.negHints !== undefined || v.mechListMIC !== undefined)
  .map((v) => ({ type: 'negTokenInit2' as const, value: withDer(v) as NegTokenInit2 }));
const respArb = fc
  .record({ negState: fc.constantFrom(...NEG_STATES), supportedMech: oidArb, responseToken: bytesArb, mechListMIC: bytesArb }, { requiredKeys: [], noNullPrototype: true })
  .map((value) => ({ type: 'negTokenResp' as const, value }));
const tokenArb: fc.Arbitrary<SpnegoToken> = fc.record({ framed: fc.boolean(), token: fc.oneof(initArb, init2Arb, respArb) }, { noNullPrototype: true });

// --- seeds for mutation: the vectors plus generated tokens

const vec = readJson<{ given: { hex: string }[]; tokens: { hex: string }[] }>('test/vectors/spnego.json');
const seeds = [...vec.tokens.map((t) => fromHex(t.hex)), fromHex(vec.given[0]!.hex)];

type Mutation = { kind: 'flip' | 'set' | 'truncate' | 'insert' | 'delete'; at: number; value: number };
const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('flip', 'set', 'truncate', 'insert', 'delete'),
  at: fc.nat(),
  // Values chosen to corrupt lengths and tags: long-form markers, indefinite, boundaries.
  value: fc.oneof(fc.constantFrom(0x00, 0x01, 0x7f, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0xff, 0x30, 0xa0, 0xa1, 0xa3, 0x04, 0x06, 0x60), fc.nat({ max: 255 })),
});

function mutate(b: Uint8Array, ms: readonly Mutation[]): Uint8Array {
  let out = Uint8Array.from(b);
  for (const m of ms) {
    if (out.length === 0) break;
    const i = m.at % out.length;
    if (m.kind === 'flip') out[i]! ^= 1 << (m.value & 7);
    else if (m.kind === 'set') out[i] = m.value;
    else if (m.kind === 'truncate') out = out.slice(0, i);
    else if (m.kind === 'insert') out = Uint8Array.from([...out.subarray(0, i), m.value, ...out.subarray(i)]);
    else out = Uint8Array.from([...out.subarray(0, i), ...out.subarray(i + 1)]);
  }
  return out;
}

/** Decodes; if it succeeds the re-encoding must be the same bytes; if it fails, only typed DECODE_* or UNKNOWN_TOKEN. */
function decodeIsSafeAndExact(b: Uint8Array): void {
  let decoded: SpnegoToken | undefined;
  onlyTypedErrors(() => {
    decoded = decodeSpnegoToken(b);
  }, DECODE_CODES);
  if (decoded) assert.deepEqual(encodeSpnegoToken(decoded), b);
}

// --- properties

test('fuzz: random bytes give only typed decode errors', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), decodeIsSafeAndExact), { numRuns: RUNS * 2 });
  // Random bytes behind plausible first bytes, so the deeper decoders get exercised.
  fc.assert(
    fc.property(fc.constantFrom(0x60, 0xa0, 0xa1), fc.uint8Array({ maxLength: 200 }), (first, rest) => {
      decodeIsSafeAndExact(Uint8Array.from([first, rest.length, ...rest]));
    }),
    { numRuns: RUNS * 2 },
  );
});

test('fuzz: mutated valid tokens (flips, truncation, length corruption) decode exactly or fail typed', () => {
  fc.assert(
    fc.property(fc.oneof(fc.constantFrom(...seeds), tokenArb.map(encodeSpnegoToken)), fc.array(mutationArb, { minLength: 1, maxLength: 3 }), (b, ms) => {
      decodeIsSafeAndExact(mutate(b, ms));
    }),
    { numRuns: RUNS * 4 },
  );
});

test('fuzz: every truncation of every vector fails typed', () => {
  for (const s of seeds) {
    for (let n = 0; n < s.length; n++) {
      const e = onlyTypedErrors(() => decodeSpnegoToken(s.subarray(0, n)), DECODE_CODES);
      assert.ok(e, `prefix of ${n} bytes decoded`);
    }
  }
});

test('property: decode(encode(x)) deep-equals x, and re-encoding is stable', () => {
  fc.assert(
    fc.property(tokenArb, (x) => {
      const enc = encodeSpnegoToken(x);
      const d = decodeSpnegoToken(enc);
      assert.deepEqual(d, x);
      assert.deepEqual(encodeSpnegoToken(d), enc);
      assert.deepEqual(NegotiationToken.decode(NegotiationToken.encode(x.token)), x.token);
      if (x.framed) assert.equal(InitialContextToken.decode(enc).mech, '1.3.6.1.5.5.2');
    }),
    { numRuns: RUNS },
  );
});

test('property: hand-built tokens without mechTypesDer get it from mechTypes', () => {
  fc.assert(
    fc.property(mechTypesArb, fc.boolean(), (mechTypes, framed) => {
      const d = decodeSpnegoToken(encodeSpnegoToken({ framed, token: { type: 'negTokenInit', value: { mechTypes } } }));
      assert.equal(d.token.type, 'negTokenInit');
      if (d.token.type === 'negTokenInit') assert.deepEqual(d.token.value.mechTypesDer, encodeMechTypeList(mechTypes));
    }),
    { numRuns: RUNS / 4 },
  );
});
