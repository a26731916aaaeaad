// Universal primitive types (X.690 section 8 with the DER restrictions of section 10-11).
import { decodeError } from '../errors.js';
import { fromUtf8, utf8 } from '../bytes/encoding.js';
import { CLASS_UNIVERSAL, encodeTlv, tlvValue, type Tlv } from './tlv.js';
import { encodeError, expectTag, matchesSpec, type DerType, type TagSpec } from './type.js';
import type { DerWriter } from './writer.js';

/** A primitive type: `dec` reads the value from the element (onValue gives it the value bytes as a view). */
function primitive<T>(tag: number, label: string, dec: (t: Tlv) => T, enc: (x: T) => Uint8Array): DerType<T> {
  const spec: TagSpec = { cls: CLASS_UNIVERSAL, tag, constructed: false };
  return {
    tagSpec: spec,
    label,
    matches: (t) => matchesSpec(spec, t),
    decodeTlv(t) {
      expectTag(spec, t, label);
      return dec(t);
    },
    encode: (x) => encodeTlv(CLASS_UNIVERSAL, false, tag, enc(x)),
    encodeTo(x: T, w: DerWriter) {
      const v = enc(x);
      w.bytes(v);
      w.header(CLASS_UNIVERSAL, false, tag, v.length);
    },
  };
}

/** A decoder of the value bytes (a view into the input), for primitive(). */
function onValue<T>(f: (v: Uint8Array, t: Tlv) => T): (t: Tlv) => T {
  return (t) => f(tlvValue(t), t);
}

// --- INTEGER / ENUMERATED (8.3): non-empty, minimal two's complement. Values within ±2^53.
function decodeInt(t: Tlv, label: string): number {
  const v = t.input;
  const s = t.valueStart;
  const len = t.end - s;
  if (len === 0) decodeError('DECODE_BAD_VALUE', `empty ${label}`, s);
  if (len > 1 && ((v[s] === 0 && (v[s + 1]! & 0x80) === 0) || (v[s] === 0xff && (v[s + 1]! & 0x80) !== 0))) {
    decodeError('DECODE_BAD_VALUE', `non-minimal ${label}`, s);
  }
  if (len > 7) decodeError('DECODE_LIMIT', `${label} wider than 53 bits`, s);
  let u = 0;
  for (let i = s; i < t.end; i++) u = u * 256 + v[i]!;
  const n = (v[s]! & 0x80) !== 0 ? u - 2 ** (8 * len) : u;
  if (!Number.isSafeInteger(n)) decodeError('DECODE_LIMIT', `${label} out of range`, t.valueStart);
  return n;
}

function encodeInt(n: number, label: string): Uint8Array {
  if (!Number.isSafeInteger(n)) encodeError(`${label} is not a safe integer: ${n}`);
  // Fast path for Int32 (tags, etypes, usages, nonces, seq-numbers): no BigInt.
  if (n >= -0x80000000 && n <= 0x7fffffff) {
    let len = 1;
    while (len < 4 && !(n >= -(2 ** (8 * len - 1)) && n < 2 ** (8 * len - 1))) len++;
    const small = new Uint8Array(len);
    for (let i = len - 1, x = n; i >= 0; i--, x >>= 8) small[i] = x & 0xff;
    return small;
  }
  const out: number[] = [];
  let x = BigInt(n);
  for (;;) {
    const b = Number(x & 0xffn);
    out.unshift(b);
    x >>= 8n;
    if ((x === 0n && (b & 0x80) === 0) || (x === -1n && (b & 0x80) !== 0)) break;
  }
  return Uint8Array.from(out);
}

export const INTEGER: DerType<number> = primitive(2, 'INTEGER', (t) => decodeInt(t, 'INTEGER'), (n) => encodeInt(n, 'INTEGER'));
export const ENUMERATED: DerType<number> = primitive(10, 'ENUMERATED', (t) => decodeInt(t, 'ENUMERATED'), (n) => encodeInt(n, 'ENUMERATED'));

/** INTEGER constrained to a range, e.g. Kerberos Int32 / UInt32 / Microseconds. */
export function integerIn(min: number, max: number, label = 'INTEGER'): DerType<number> {
  return primitive(
    2,
    label,
    (t) => {
      const n = decodeInt(t, label);
      if (n < min || n > max) decodeError('DECODE_BAD_VALUE', `${label} ${n} outside ${min}..${max}`, t.valueStart);
      return n;
    },
    (n) => {
      if (n < min || n > max) encodeError(`${label} ${n} outside ${min}..${max}`);
      return encodeInt(n, label);
    },
  );
}

export const BOOLEAN: DerType<boolean> = primitive(
  1,
  'BOOLEAN',
  onValue((v, t) => {
    if (v.length !== 1 || (v[0] !== 0 && v[0] !== 0xff)) decodeError('DECODE_BAD_VALUE', 'BOOLEAN must be one byte 00 or FF', t.valueStart);
    return v[0] === 0xff;
  }),
  (b) => Uint8Array.of(b ? 0xff : 0),
);

export const NULL: DerType<null> = primitive(
  5,
  'NULL',
  onValue((v, t) => {
    if (v.length !== 0) decodeError('DECODE_BAD_VALUE', 'NULL with content', t.valueStart);
    return null;
  }),
  () => new Uint8Array(0),
);

/** OCTET STRING (primitive only in DER). The result is a copy. */
export const OCTET_STRING: DerType<Uint8Array> = primitive(4, 'OCTET STRING', onValue((v) => new Uint8Array(v)), (b) => b);

export interface BitString {
  readonly bytes: Uint8Array;
  /** Unused bits in the last byte, 0..7. */
  readonly unusedBits: number;
}

/** BIT STRING (8.6, 11.2): unused-bit count 0..7, unused bits zero. */
export const BIT_STRING: DerType<BitString> = primitive(
  3,
  'BIT STRING',
  onValue((v, t) => {
    if (v.length === 0) decodeError('DECODE_BAD_VALUE', 'BIT STRING without unused-bits byte', t.valueStart);
    const unusedBits = v[0]!;
    if (unusedBits > 7 || (v.length === 1 && unusedBits !== 0)) decodeError('DECODE_BAD_VALUE', 'bad BIT STRING unused-bit count', t.valueStart);
    if (unusedBits > 0 && (v[v.length - 1]! & ((1 << unusedBits) - 1)) !== 0) {
      decodeError('DECODE_BAD_VALUE', 'BIT STRING unused bits are not zero', t.end - 1);
    }
    return { bytes: new Uint8Array(v.subarray(1)), unusedBits };
  }),
  (b) => {
    if (b.unusedBits < 0 || b.unusedBits > 7 || (b.bytes.length === 0 && b.unusedBits !== 0)) encodeError('bad BIT STRING unused-bit count');
    const out = new Uint8Array(b.bytes.length + 1);
    out[0] = b.unusedBits;
    out.set(b.bytes, 1);
    return out;
  },
);

/** OBJECT IDENTIFIER (8.19) as dotted decimal. */
// A handful of OIDs (the mechanisms, SPNEGO) are met in every token: their encodings and
// decodings are memoised (bounded), as converting between arcs and dotted text was a visible part
// of a SPNEGO handshake. Only valid values are kept; every new value is checked in full.
const OID_MEMO_MAX = 256;
const oidText = new Map<string, string>();
const oidBytes = new Map<string, Uint8Array>();
function remember<V>(m: Map<string, V>, k: string, v: V): V {
  if (m.size >= OID_MEMO_MAX) m.clear();
  m.set(k, v);
  return v;
}

export const OBJECT_IDENTIFIER: DerType<string> = primitive(
  6,
  'OBJECT IDENTIFIER',
  onValue((v, t) => {
    const key = v.length <= 32 ? String.fromCharCode(...v) : undefined;
    const known = key === undefined ? undefined : oidText.get(key);
    if (known !== undefined) return known;
    const text = decodeOid(v, t);
    return key === undefined ? text : remember(oidText, key, text);
  }),
  (s) => {
    const known = oidBytes.get(s);
    if (known !== undefined) return known;
    return remember(oidBytes, s, encodeOid(s));
  },
);

function decodeOid(v: Uint8Array, t: Tlv): string {
  if (v.length === 0) decodeError('DECODE_BAD_VALUE', 'empty OBJECT IDENTIFIER', t.valueStart);
  const arcs: number[] = [];
  let n = 0;
  let startOfArc = true;
  for (let i = 0; i < v.length; i++) {
    const b = v[i]!;
    if (startOfArc && b === 0x80) decodeError('DECODE_BAD_VALUE', 'non-minimal OID arc', t.valueStart + i);
    startOfArc = false;
    n = n * 128 + (b & 0x7f);
    if (n > Number.MAX_SAFE_INTEGER / 128) decodeError('DECODE_LIMIT', 'OID arc too large', t.valueStart + i);
    if ((b & 0x80) === 0) {
      arcs.push(n);
      n = 0;
      startOfArc = true;
    }
  }
  if (!startOfArc) decodeError('DECODE_TRUNCATED', 'OID ends inside an arc', t.end - 1);
  const first = arcs[0]!;
  const head = first < 40 ? [0, first] : first < 80 ? [1, first - 40] : [2, first - 80];
  return [...head, ...arcs.slice(1)].join('.');
}

function encodeOid(s: string): Uint8Array {
  if (!/^[0-2](\.(0|[1-9][0-9]*))+$/.test(s)) encodeError(`not an OID: ${s}`);
  const arcs = s.split('.').map(Number);
  if (arcs.some((a) => !Number.isSafeInteger(a)) || (arcs[0]! < 2 && arcs[1]! >= 40)) encodeError(`bad OID arcs: ${s}`);
  const out: number[] = [];
  const put = (a: number): void => {
    const g: number[] = [];
    do {
      g.unshift(a % 128);
      a = Math.floor(a / 128);
    } while (a > 0);
    g.forEach((x, i) => out.push(i < g.length - 1 ? x | 0x80 : x));
  };
  put(arcs[0]! * 40 + arcs[1]!);
  for (const a of arcs.slice(2)) put(a);
  return Uint8Array.from(out);
}

/** GeneralString. Kerberos restricts it to IA5 (RFC 4120 5.2.1) but MIT passes UTF-8 through; so do we. */
export const GeneralString: DerType<string> = primitive(27, 'GeneralString', onValue((v, t) => fromUtf8(v, t.valueStart)), utf8);
export const UTF8String: DerType<string> = primitive(12, 'UTF8String', onValue((v, t) => fromUtf8(v, t.valueStart)), utf8);
export const IA5String: DerType<string> = primitive(
  22,
  'IA5String',
  onValue((v, t) => {
    const i = v.findIndex((b) => b > 0x7f);
    if (i >= 0) decodeError('DECODE_BAD_VALUE', 'non-ASCII byte in IA5String', t.valueStart + i);
    return Buffer.from(v).toString('latin1');
  }),
  (s) => {
    if (/[^\x00-\x7f]/.test(s)) encodeError('non-ASCII character in IA5String');
    return Uint8Array.from(Buffer.from(s, 'latin1'));
  },
);

/** GeneralizedTime in the only form Kerberos allows (RFC 4120 5.2.3): YYYYMMDDHHMMSSZ. */
export const KerberosTime: DerType<Date> = primitive(
  24,
  'KerberosTime',
  decodeKerberosTime,
  (date) => {
    const ms = date.getTime();
    if (!Number.isFinite(ms) || ms % 1000 !== 0) encodeError('KerberosTime must be a whole second');
    const y = date.getUTCFullYear();
    if (y < 0 || y > 9999) encodeError('KerberosTime year out of range');
    const out = new Uint8Array(15);
    const put = (at: number, n: number, width: number): void => {
      for (let i = at + width - 1; i >= at; i--, n = Math.floor(n / 10)) out[i] = 0x30 + (n % 10);
    };
    put(0, y, 4);
    put(4, date.getUTCMonth() + 1, 2);
    put(6, date.getUTCDate(), 2);
    put(8, date.getUTCHours(), 2);
    put(10, date.getUTCMinutes(), 2);
    put(12, date.getUTCSeconds(), 2);
    out[14] = 0x5a; // 'Z'
    return out;
  },
);

function decodeKerberosTime(t: Tlv): Date {
  const v = t.input;
  const s = t.valueStart;
  const bad = (): never => decodeError('DECODE_BAD_VALUE', 'GeneralizedTime is not YYYYMMDDHHMMSSZ', s);
  if (t.end - s !== 15 || v[s + 14] !== 0x5a) bad();
  const num = (at: number, width: number): number => {
    let n = 0;
    for (let i = s + at; i < s + at + width; i++) {
      const d = v[i]! - 0x30;
      if (d < 0 || d > 9) bad();
      n = n * 10 + d;
    }
    return n;
  };
  const y = num(0, 4);
  const mo = num(4, 2);
  const d = num(6, 2);
  const h = num(8, 2);
  const mi = num(10, 2);
  const se = num(12, 2);
  const date = new Date(Date.UTC(2000, 0, 1, h, mi, se));
  date.setUTCFullYear(y, mo - 1, d); // Date.UTC maps years 0-99 to 1900-1999
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d || h > 23 || mi > 59 || se > 59) {
    decodeError('DECODE_BAD_VALUE', 'GeneralizedTime is not a valid date', s);
  }
  return date;
}
