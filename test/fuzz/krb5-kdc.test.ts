// Property tests for the KDC-exchange codecs (AS/TGS-REQ and -REP, EncKDCRepPart, LastReq, KRB-CRED,
// PA-PAC-REQUEST, AD-IF-RELEVANT, TYPED-DATA): generated values round-trip, and random or mutated bytes
// only ever produce a SpnegoError with a DECODE_* code (and, when they decode, re-encode byte for byte).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fromHex, toHex } from '../../src/bytes/index.js';
import type { Codec } from '../../src/codec/codec.js';
import {
  adIfRelevantCodec, asRepCodec, asReqCodec, encAsRepPartCodec, encKrbCredPartCodec, encTgsRepPartCodec, kdcReqBodyCodec, kerbPaPacRequestCodec,
  krbCredCodec, krbCredInfoCodec, lastReqCodec, tgsRepCodec, tgsReqCodec, typedDataCodec,
  type EncKdcRepPart, type EncKrbCredPart, type EncryptedData, type EncryptionKey, type HostAddress, type KdcRep, type KdcReq, type KdcReqBody,
  type KerberosFlags, type KrbCred, type KrbCredInfo, type LastReqEntry, type PaData, type PrincipalName, type Ticket, type TypedDataEntry,
} from '../../src/codec/krb5/index.js';
import { readJson } from '../helpers/paths.js';
import { onlyTypedErrors, DECODE_CODES } from '../helpers/errors.js';

// ---- generators (as in krb5.test.ts). Optional fields are omitted, as decode leaves them out.
function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
type Rec<M> = { [K in keyof M]: M[K] extends fc.Arbitrary<infer U> ? U : never };
function rec<M extends Record<string, fc.Arbitrary<unknown>>>(m: M): fc.Arbitrary<Rec<M>> {
  return fc.record(m).map((o) => ({ ...o }) as Rec<M>);
}
const optional = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(a, { nil: undefined });

const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
const uint32Compat = fc.integer({ min: -(2 ** 31), max: 2 ** 32 - 1 });
const usec = fc.integer({ min: 0, max: 999999 });
// A leading U+FEFF is excluded: the shared UTF-8 decoder drops a BOM (see krb5.test.ts).
const kstring = fc.oneof(fc.string({ maxLength: 16 }), fc.string({ unit: 'grapheme', maxLength: 6 })).filter((s) => !s.startsWith('\ufeff'));
const ktime = fc.integer({ min: 0, max: Math.floor(Date.UTC(9999, 11, 31, 23, 59, 59) / 1000) }).map((s) => new Date(s * 1000));
const octets = fc.uint8Array({ maxLength: 48 });
const flags: fc.Arbitrary<KerberosFlags> = fc.oneof(
  fc.uint8Array({ minLength: 4, maxLength: 8 }).map((bytes) => ({ bytes, unusedBits: 0 })),
  fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 5 }), fc.integer({ min: 0, max: 7 })).map(([b, u]) => {
    const bytes = b.slice();
    bytes[bytes.length - 1]! &= ~((1 << u) - 1) & 0xff;
    return { bytes, unusedBits: u };
  }),
);
const principal: fc.Arbitrary<PrincipalName> = rec({ nameType: int32, nameString: fc.array(kstring, { maxLength: 3 }) });
const encData: fc.Arbitrary<EncryptedData> = rec({ etype: int32, kvno: optional(uint32Compat), cipher: octets }).map(compact);
const encKey: fc.Arbitrary<EncryptionKey> = rec({ keytype: int32, keyvalue: octets });
const hostAddress: fc.Arbitrary<HostAddress> = rec({ addrType: int32, address: octets });
const hostAddresses = fc.array(hostAddress, { maxLength: 2 });
const ticket: fc.Arbitrary<Ticket> = rec({ tktVno: fc.constant(5 as const), realm: kstring, sname: principal, encPart: encData });
const padata: fc.Arbitrary<PaData[]> = fc.array(rec({ padataType: int32, padataValue: octets }), { maxLength: 3 });
const lastReqEntry: fc.Arbitrary<LastReqEntry> = rec({ lrType: int32, lrValue: ktime });

const reqBody: fc.Arbitrary<KdcReqBody> = rec({
  kdcOptions: flags, cname: optional(principal), realm: kstring, sname: optional(principal), from: optional(ktime), till: ktime, rtime: optional(ktime),
  nonce: uint32Compat, etype: fc.array(int32, { maxLength: 8 }), addresses: optional(hostAddresses), encAuthorizationData: optional(encData),
  additionalTickets: optional(fc.array(ticket, { maxLength: 2 })),
}).map(compact);
/** A whole request as decode returns it: reqBodyDer is the body's DER. */
function kdcReq<M extends 10 | 12>(msgType: M): fc.Arbitrary<KdcReq<M>> {
  return rec({ pvno: fc.constant(5 as const), msgType: fc.constant(msgType), padata: optional(padata), reqBody })
    .map((r) => compact({ ...r, reqBodyDer: kdcReqBodyCodec.encode(r.reqBody) }));
}
function kdcRep<M extends 11 | 13>(msgType: M): fc.Arbitrary<KdcRep<M>> {
  return rec({ pvno: fc.constant(5 as const), msgType: fc.constant(msgType), padata: optional(padata), crealm: kstring, cname: principal, ticket, encPart: encData }).map(compact);
}
function encKdcRepPart(other: 25 | 26): fc.Arbitrary<EncKdcRepPart> {
  return rec({
    key: encKey, lastReq: fc.array(lastReqEntry, { maxLength: 3 }), nonce: uint32Compat, keyExpiration: optional(ktime), flags, authtime: ktime,
    starttime: optional(ktime), endtime: ktime, renewTill: optional(ktime), srealm: kstring, sname: principal, caddr: optional(hostAddresses),
    encryptedPaData: optional(padata), applicationTag: optional(fc.constant(other)),
  }).map(compact);
}
const krbCredInfo: fc.Arbitrary<KrbCredInfo> = rec({
  key: encKey, prealm: optional(kstring), pname: optional(principal), flags: optional(flags), authtime: optional(ktime), starttime: optional(ktime),
  endtime: optional(ktime), renewTill: optional(ktime), srealm: optional(kstring), sname: optional(principal), caddr: optional(hostAddresses),
}).map(compact);
const krbCred: fc.Arbitrary<KrbCred> = rec({ pvno: fc.constant(5 as const), msgType: fc.constant(22 as const), tickets: fc.array(ticket, { maxLength: 2 }), encPart: encData });
const encKrbCredPart: fc.Arbitrary<EncKrbCredPart> = rec({
  ticketInfo: fc.array(krbCredInfo, { maxLength: 2 }), nonce: optional(uint32Compat), timestamp: optional(ktime), usec: optional(usec),
  sAddress: optional(hostAddress), rAddress: optional(hostAddress),
}).map(compact);
const typedData: fc.Arbitrary<TypedDataEntry[]> = fc.array(rec({ dataType: int32, dataValue: optional(octets) }).map(compact), { minLength: 1, maxLength: 3 });

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const cases: [Codec<any>, fc.Arbitrary<any>][] = [
  [kdcReqBodyCodec, reqBody], [asReqCodec, kdcReq(10)], [tgsReqCodec, kdcReq(12)], [asRepCodec, kdcRep(11)], [tgsRepCodec, kdcRep(13)],
  [encAsRepPartCodec, encKdcRepPart(26)], [encTgsRepPartCodec, encKdcRepPart(25)], [lastReqCodec, fc.array(lastReqEntry, { maxLength: 3 })],
  [krbCredCodec, krbCred], [encKrbCredPartCodec, encKrbCredPart], [krbCredInfoCodec, krbCredInfo],
  [kerbPaPacRequestCodec, rec({ includePac: fc.boolean() })], [adIfRelevantCodec, fc.array(rec({ adType: int32, adData: octets }), { maxLength: 3 })],
  [typedDataCodec, typedData],
];
const allCodecs = cases.map(([c]) => c);

test('generated values: decode(encode(x)) deep-equals x, and re-encoding is byte-exact', () => {
  for (const [codec, arb] of cases) {
    fc.assert(fc.property(arb, (v) => {
      const enc = codec.encode(v);
      const dec: unknown = codec.decode(enc);
      assert.deepEqual(dec, v, codec.name);
      assert.equal(toHex(codec.encode(dec)), toHex(enc), codec.name);
    }), { numRuns: 150 });
  }
});

test('generated requests: reqBodyDer is the body DER and the tail of the message; leaving it out changes nothing', () => {
  fc.assert(fc.property(fc.oneof(kdcReq(10), kdcReq(12)), (r) => {
    const codec = r.msgType === 10 ? asReqCodec : tgsReqCodec;
    const enc = codec.encode(r as never);
    const { reqBodyDer, ...rest } = r;
    assert.equal(toHex(codec.encode(rest as never)), toHex(enc));
    assert.equal(toHex(enc.subarray(enc.length - reqBodyDer.length)), toHex(reqBodyDer));
  }), { numRuns: 200 });
});

test('EncKDCRepPart: either tag is read by both codecs and re-encoded as it came', () => {
  fc.assert(fc.property(encKdcRepPart(26), fc.constantFrom(encAsRepPartCodec, encTgsRepPartCodec), (v, other) => {
    const enc = encAsRepPartCodec.encode(v);
    assert.equal(toHex(other.encode(other.decode(enc))), toHex(enc));
  }), { numRuns: 200 });
});

/** Decoding never throws anything but a typed DECODE_* error; a successful decode re-encodes to the same bytes. */
function checkAll(b: Uint8Array): void {
  for (const codec of allCodecs) {
    let v: unknown;
    const e = onlyTypedErrors(() => { v = codec.decode(b); }, DECODE_CODES);
    if (!e) assert.equal(toHex(codec.encode(v)), toHex(b), `${codec.name} re-encodes a decoded input byte for byte`);
    else assert.equal(typeof e.offset, 'number', `${codec.name}: ${e.message} has an offset`);
  }
}

test('random bytes give only typed decode errors', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 128 }), checkAll), { numRuns: 2000 });
  const heads = [[0x6a], [0x6b], [0x6c], [0x6d], [0x79], [0x7a], [0x76], [0x7d], [0x30]];
  fc.assert(fc.property(fc.constantFrom(...heads), fc.uint8Array({ maxLength: 100 }), (h, rest) => {
    checkAll(Uint8Array.from([...h, rest.length, ...rest]));
  }), { numRuns: 2000 });
});

const real = readJson<{ messages: { hex: string }[] }>('test', 'vectors', 'krb5-kdc-messages.json').messages.map((m) => fromHex(m.hex));

test('mutations of valid messages (byte flips, truncation, insertion, deletion) give only typed decode errors', () => {
  const seeds = fc.oneof(
    fc.constantFrom(...real),
    fc.oneof(...cases.map(([codec, arb]) => arb.map((v) => codec.encode(v) as Uint8Array))),
  );
  fc.assert(fc.property(seeds, fc.nat(), fc.nat(255), (s, i, x) => {
    const m = s.slice();
    if (m.length > 0) m[i % m.length] = x;
    checkAll(m);
  }), { numRuns: 1000 });
  fc.assert(fc.property(seeds, fc.nat(), (s, n) => { checkAll(s.subarray(0, s.length === 0 ? 0 : n % s.length)); }), { numRuns: 600 });
  fc.assert(fc.property(seeds, fc.nat(), fc.nat(255), (s, i, x) => {
    const at = s.length === 0 ? 0 : i % s.length;
    checkAll(Uint8Array.from([...s.subarray(0, at), x, ...s.subarray(at)]));
    checkAll(Uint8Array.from([...s.subarray(0, at), ...s.subarray(at + 1)]));
  }), { numRuns: 600 });
  // Every single-byte flip of each real message.
  for (const s of real) {
    for (let i = 0; i < s.length; i++) {
      const m = s.slice();
      m[i] = m[i]! ^ 0xff;
      checkAll(m);
    }
  }
});
