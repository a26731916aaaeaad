// Property tests for the MS-PAC codecs and the ticket PAC check: random, mutated and truncated PACs
// only ever give a SpnegoError (DECODE_* from the codecs), decoded values re-encode byte for byte,
// and huge count/offset/size fields are refused before anything is allocated.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fromHex, toHex } from '../../src/bytes/index.js';
import type { Codec } from '../../src/codec/codec.js';
import { adIfRelevantCodec } from '../../src/codec/krb5/ad-if-relevant.js';
import { encTicketPartCodec } from '../../src/codec/krb5/enc-ticket-part.js';
import {
  PacBufferType, decodeKerbValidationInfo, pacBuffer, pacClientInfoCodec, pacSignatureDataCodec, pacTypeCodec, upnDnsInfoCodec,
  type PacSignatureData, type UpnDnsInfo,
} from '../../src/codec/pac/index.js';
import type { Key } from '../../src/crypto/krb5/profile.js';
import { SpnegoError } from '../../src/errors.js';
import { decodePac, ticketPac } from '../../src/mech/krb5/pac.js';
import { readJson } from '../helpers/paths.js';
import { onlyTypedErrors, DECODE_CODES } from '../helpers/errors.js';

const VS = readJson<{ vectors: { pac: string; encTicketPart: string; serviceKey: { enctype: number; value: string } }[] }>('test/vectors/ms-pac.json').vectors;
const V = VS[0]!;
const WIN2003 = fromHex(VS[1]!.pac);
const PAC = fromHex(V.pac);
const TICKET = encTicketPartCodec.decode(fromHex(V.encTicketPart));
const KEY: Key = { enctype: V.serviceKey.enctype, value: fromHex(V.serviceKey.value) };
const REAL = pacTypeCodec.decode(PAC);
const part = (t: number): Uint8Array => pacBuffer(REAL, t)!.data;
const RUNS = 400;

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
    fc.tuple(fc.nat(Math.max(0, seed.length - 4)), fc.constantFrom(0xffffffff, 0x7fffffff, 0x80000000, 0xffff0000, 0x0000ffff)).map(([i, v]) => {
      const b = seed.slice();
      new DataView(b.buffer).setUint32(i, v, true);
      return b;
    }),
  );
}

const CODECS: [string, Codec<unknown>, Uint8Array][] = [
  ['PACTYPE', pacTypeCodec as Codec<unknown>, PAC],
  ['PACTYPE (Windows 2003)', pacTypeCodec as Codec<unknown>, WIN2003],
  ['PAC_CLIENT_INFO', pacClientInfoCodec as Codec<unknown>, part(PacBufferType.CLIENT_INFO)],
  ['PAC_SIGNATURE_DATA', pacSignatureDataCodec as Codec<unknown>, part(PacBufferType.SERVER_CHECKSUM)],
  ['UPN_DNS_INFO', upnDnsInfoCodec as Codec<unknown>, part(PacBufferType.UPN_DNS_INFO)],
];

for (const [name, codec, seed] of CODECS) {
  test(`${name}: random and mutated bytes give DECODE_* errors or exact round trips`, () => {
    fc.assert(fc.property(mutations(seed), (b) => checkBytes(codec, b)), { numRuns: RUNS });
    fc.assert(fc.property(fc.uint8Array({ maxLength: 160 }), (b) => checkBytes(codec, b)), { numRuns: RUNS });
  });
}

test('KERB_VALIDATION_INFO: random and mutated NDR gives only DECODE_* errors', () => {
  for (const seed of [part(PacBufferType.LOGON_INFO), pacBuffer(pacTypeCodec.decode(WIN2003), PacBufferType.LOGON_INFO)!.data]) {
    fc.assert(fc.property(mutations(seed), (b) => void onlyTypedErrors(() => decodeKerbValidationInfo(b), DECODE_CODES)), { numRuns: RUNS * 2 });
  }
  fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), (b) => void onlyTypedErrors(() => decodeKerbValidationInfo(b), DECODE_CODES)), { numRuns: RUNS });
});

test('bounded allocation: 0xFFFFFFFF, 0x7FFFFFFF, 0xFFFF and 0x10000 in every 32-bit field of the PAC and its NDR are refused quickly', () => {
  const logon = part(PacBufferType.LOGON_INFO);
  const before = process.memoryUsage().arrayBuffers;
  let runs = 0;
  const start = performance.now();
  for (const [seed, decode] of [[PAC, (b: Uint8Array) => decodePac(b)], [logon, (b: Uint8Array) => decodeKerbValidationInfo(b)]] as const) {
    for (let i = 0; i + 4 <= seed.length; i += 2) {
      for (const v of [0xffffffff, 0x7fffffff, 0xffff, 0x10000]) {
        const b = seed.slice();
        new DataView(b.buffer).setUint32(i, v, true);
        onlyTypedErrors(() => decode(b), [...DECODE_CODES, 'DEFECTIVE_CREDENTIAL']);
        runs++;
      }
    }
  }
  // A decode that allocated per the field (2^31 elements) would throw an untyped RangeError above or take seconds each.
  const total = performance.now() - start;
  assert.ok(runs > 2000 && total < 10_000, `${runs} decodes took ${total.toFixed(0)} ms`);
  assert.ok(process.memoryUsage().arrayBuffers - before < 64 * 1024 * 1024, 'array buffer memory grew by more than 64 MiB');
});

test('ticketPac on mutated PACs: only SpnegoErrors, and success only when the mutation missed everything the server signature covers', () => {
  const kdcSig = pacBuffer(REAL, PacBufferType.PRIVSVR_CHECKSUM)!.offset! + 4;
  fc.assert(fc.property(mutations(PAC), (b) => {
    const ticket = { ...TICKET, authorizationData: [{ adType: 1, adData: adIfRelevantCodec.encode([{ adType: 128, adData: b }]) }] };
    let ok = false;
    try {
      ticketPac(ticket, KEY);
      ok = true;
    } catch (e) {
      if (!(e instanceof SpnegoError)) throw e;
    }
    if (ok) {
      assert.equal(b.length, PAC.length);
      for (let i = 0; i < b.length; i++) if (b[i] !== PAC[i]) assert.ok(i >= kdcSig && i < kdcSig + 12, `byte ${i} changed yet the PAC verified`);
    }
  }), { numRuns: RUNS });
});

test('generated client info, signature data and UPN_DNS_INFO values round-trip', () => {
  const str = fc.string({ maxLength: 40 });
  fc.assert(fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), str, (clientId, name) => {
    const v = { clientId, name };
    assert.deepEqual(pacClientInfoCodec.decode(pacClientInfoCodec.encode(v)), v);
  }), { numRuns: RUNS });
  const sig: fc.Arbitrary<PacSignatureData> = fc.oneof(
    fc.constantFrom(-138, 15, 16, 19, 20).chain((t) => fc.record({
      signatureType: fc.constant(t),
      signature: fc.uint8Array({ minLength: ({ [-138]: 16, 15: 12, 16: 12, 19: 16, 20: 24 } as Record<number, number>)[t]!, maxLength: ({ [-138]: 16, 15: 12, 16: 12, 19: 16, 20: 24 } as Record<number, number>)[t]! }),
      rodcIdentifier: fc.option(fc.integer({ min: 0, max: 0xffff }), { nil: undefined }),
    })),
    fc.record({ signatureType: fc.integer({ min: 100, max: 2 ** 31 - 1 }), signature: fc.uint8Array({ maxLength: 40 }) }),
  );
  fc.assert(fc.property(sig, (s) => {
    const e = pacSignatureDataCodec.encode(s);
    assert.equal(toHex(pacSignatureDataCodec.encode(pacSignatureDataCodec.decode(e))), toHex(e));
    const d = pacSignatureDataCodec.decode(e);
    assert.equal(d.signatureType, s.signatureType);
    assert.equal(d.rodcIdentifier, s.rodcIdentifier);
  }), { numRuns: RUNS });
  const sid = fc.record({ revision: fc.constant(1), authority: fc.integer({ min: 0, max: 2 ** 48 - 1 }), subAuthorities: fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 15 }) }).map((s) => ({ ...s }));
  const upn: fc.Arbitrary<UpnDnsInfo> = fc.oneof(
    fc.record({ upn: str, dnsDomainName: str, flags: fc.integer({ min: 0, max: 0xffff }).map((f) => f & ~2) }),
    fc.record({ upn: str, dnsDomainName: str, flags: fc.integer({ min: 0, max: 0xffff }).map((f) => f | 2), samName: str, sid }),
  );
  fc.assert(fc.property(upn, (u) => {
    const e = upnDnsInfoCodec.encode(u);
    const d = upnDnsInfoCodec.decode(e);
    assert.deepEqual({ ...d, layout: undefined }, { ...u, layout: undefined });
    assert.equal(toHex(upnDnsInfoCodec.encode(d)), toHex(e));
  }), { numRuns: RUNS });
});
