// MIT keytab: real files from MIT 1.20's ktutil (and kadmin.local ktremove for a hole) decode to what
// `klist -k -t -e -K` printed and re-encode byte for byte; keytabs written here are listed by MIT's klist
// with the right keys (version 2, version 1 in host order, padded entries, 32-bit kvnos, holes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromHex, toHex } from '../../../../src/bytes/index.js';
import {
  keytabCodec, keytabEntries, keytabEntry, keytabPrincipalToString, type Keytab, type KeytabEntry,
} from '../../../../src/codec/krb5-files/index.js';
import { enctypeName } from '../../../../src/iana/krb5.js';
import { readJson } from '../../../helpers/paths.js';
import { assertCode } from '../../../helpers/errors.js';

interface Fixture { hex: string; klist: string[] }
const V = readJson<{ keytab: Fixture; keytabHole: Fixture }>('test', 'vectors', 'krb5-files', 'mit-1.20.json');

function klistTime(t: number): string {
  const d = new Date(t * 1000);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())}/${p(d.getUTCFullYear() % 100)} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

interface Listed { kvno: number; time: string; principal: string; enctype: string; key: string }
/** The entry lines of `klist -k -t -e -K`. */
function parseKlist(lines: readonly string[]): Listed[] {
  const out: Listed[] = [];
  for (const l of lines) {
    const m = /^\s*(\d+) (\S+ \S+) (\S+) \((\S+)\)\s+\(0x([0-9a-f]*)\)$/.exec(l);
    if (m) out.push({ kvno: Number(m[1]), time: m[2]!, principal: m[3]!, enctype: m[4]!, key: m[5]! });
  }
  return out;
}
function listed(k: Keytab): Listed[] {
  return keytabEntries(k).map((e) => ({
    kvno: e.kvno, time: klistTime(e.timestamp), principal: keytabPrincipalToString(e.principal),
    enctype: enctypeName(e.key.keytype) ?? `etype ${e.key.keytype}`, key: toHex(e.key.keyvalue),
  }));
}

test('real MIT keytabs decode to what klist printed and re-encode byte for byte', () => {
  for (const f of [V.keytab, V.keytabHole]) {
    const k = keytabCodec.decode(fromHex(f.hex));
    assert.equal(k.version, 2);
    const expected = parseKlist(f.klist);
    assert.ok(expected.length >= 2);
    assert.deepEqual(listed(k), expected);
    assert.equal(toHex(keytabCodec.encode(k)), f.hex);
  }
  const k = keytabCodec.decode(fromHex(V.keytab.hex));
  assert.equal(k.records.length, 5);
  const http = keytabEntries(k)[4]!;
  assert.equal(http.kvno, 300, 'the 8-bit kvno is 300 & 0xff = 44; the trailing 32-bit one is 300');
  assert.equal(http.wire, undefined, 'ktutil writes canonical entries');
  assert.deepEqual(http.principal, { nameType: 1, realm: 'EXAMPLE.TEST', components: ['HTTP', 'web.example.test'] });
  // The hole left by ktremove: a negative size and zero-filled space, kept in place.
  const h = keytabCodec.decode(fromHex(V.keytabHole.hex));
  assert.deepEqual(h.records.map((r) => r.type), ['hole', 'entry', 'entry']);
  const hole = h.records[0]!;
  assert.ok(hole.type === 'hole' && hole.data.length === 56 && hole.data.every((b) => b === 0));
  assert.equal(V.keytabHole.hex.slice(4, 12), 'ffffffc8');
});

function klistAvailable(): boolean {
  try {
    execFileSync('klist', ['-V'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}
function klistKeytab(file: string): Listed[] {
  const out = execFileSync('klist', ['-k', '-t', '-e', '-K', `FILE:${file}`], {
    encoding: 'utf8', env: { ...process.env, TZ: 'UTC', LC_ALL: 'C', KRB5_CONFIG: '/dev/null' },
  });
  return parseKlist(out.split('\n'));
}

const T = 1795711320;
const aes = (n: number, fill: number): { keytype: number; keyvalue: Uint8Array } => ({
  keytype: n === 32 ? 18 : 17, keyvalue: new Uint8Array(n).map((_, i) => (i * 7 + fill) & 0xff),
});
const alice = { nameType: 1, realm: 'EXAMPLE.TEST', components: ['alice'] };
const svc = { nameType: 3, realm: 'EXAMPLE.TEST', components: ['HTTP', 'www.example.test'] };

test('keytabs written here are listed by MIT klist with the right keys', { skip: !klistAvailable() && 'klist not installed' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'spnego-kt-'));
  try {
    const canonical: KeytabEntry[] = [
      keytabEntry(alice, 3, aes(32, 1), T),
      keytabEntry(svc, 1000, aes(16, 2), T + 1),
      keytabEntry({ ...alice, components: ['a', 'b', 'c'] }, 0, aes(32, 3), T + 2),
    ];
    // Non-canonical forms MIT reads: no 32-bit kvno, a zero 32-bit kvno, padding from a reused hole.
    const odd: KeytabEntry[] = [
      { ...keytabEntry(alice, 5, aes(16, 4), T), wire: { kvno8: 5, kvno32: undefined, padding: new Uint8Array(0) } },
      { ...keytabEntry(alice, 6, aes(16, 5), T), wire: { kvno8: 6, kvno32: 0, padding: new Uint8Array(0) } },
      { ...keytabEntry(alice, 7, aes(16, 6), T), wire: { kvno8: 7, kvno32: 7, padding: new Uint8Array(9) } },
    ];
    const cases: Keytab[] = [
      { version: 2, records: canonical },
      { version: 2, records: [{ type: 'hole', data: new Uint8Array(20) }, ...canonical, { type: 'hole', data: new Uint8Array(3) }, ...odd] },
      { version: 1, records: [...canonical, { type: 'hole', data: new Uint8Array(8) }] },
      { version: 2, records: canonical, trailer: new Uint8Array(10) },
    ];
    cases.forEach((k, i) => {
      const file = join(dir, `kt${i}`);
      const b = keytabCodec.encode(k);
      writeFileSync(file, b);
      const mit = klistKeytab(file);
      const ours = listed(k);
      // Version 1 has no name type; MIT and this codec read it as 1.
      assert.deepEqual(mit, ours, `case ${i}`);
      const back = keytabCodec.decode(b);
      assert.equal(toHex(keytabCodec.encode(back)), toHex(b), `case ${i} round trip`);
      assert.deepEqual(listed(back), ours);
    });
    assert.equal(keytabEntries(keytabCodec.decode(keytabCodec.encode(cases[2]!)))[1]!.principal.nameType, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('decode keeps non-canonical entries exact and canonical ones plain', () => {
  const e = keytabEntry(alice, 300, aes(16, 1), T);
  const b = keytabCodec.encode({ version: 2, records: [e] });
  assert.deepEqual(keytabCodec.decode(b).records[0], e);
  // kvno8 disagreeing with the 32-bit kvno: the 32-bit one wins, the byte is kept.
  const odd = b.slice();
  const kvnoAt = b.length - 4 - 16 - 2 - 2 - 1;
  odd[kvnoAt] = 9;
  const d = keytabEntries(keytabCodec.decode(odd))[0]!;
  assert.equal(d.kvno, 300);
  assert.deepEqual(d.wire, { kvno8: 9, kvno32: 300, padding: new Uint8Array(0) });
  assert.equal(toHex(keytabCodec.encode(keytabCodec.decode(odd))), toHex(odd));
});

test('malformed keytabs give typed errors; huge sizes and counts are refused before allocation', () => {
  const real = fromHex(V.keytab.hex);
  assertCode(() => keytabCodec.decode(Uint8Array.of(5, 4)), 'UNKNOWN_TOKEN', 0);
  assertCode(() => keytabCodec.decode(Uint8Array.of(5)), 'DECODE_TRUNCATED', 0);
  // A record size beyond the end (a record cut short): the end of the keytab for MIT, kept as the trailer.
  assert.deepEqual(keytabCodec.decode(fromHex('0502fffffff000')).trailer, fromHex('fffffff000'));
  assertCode(() => keytabCodec.decode(fromHex('050280000000')), 'DECODE_BAD_LENGTH', 2);
  assert.deepEqual(keytabCodec.decode(fromHex('05027fffffff0000')).records, []);
  assertCode(() => keytabCodec.decode(fromHex('050200000004ffff0000')), 'DECODE_BAD_LENGTH', 6);
  assertCode(() => keytabCodec.decode(fromHex('050200000004ffff0000'), { maxElements: 10 }), 'DECODE_LIMIT', 6);
  assertCode(() => keytabCodec.decode(fromHex('050200000006' + '0000' + 'ffff' + '0000')), 'DECODE_BAD_LENGTH', 8);
  const keyLen = real.slice();
  keyLen[0x28] = 0xff; // first entry's key length high byte
  assertCode(() => keytabCodec.decode(keyLen), 'DECODE_BAD_LENGTH', 0x28);
  const all = keytabEntries(keytabCodec.decode(real));
  for (const n of [10, 40, real.length - 1]) {
    const d = keytabCodec.decode(real.subarray(0, n));
    assert.ok(d.trailer && d.trailer.length > 0);
    assert.deepEqual(keytabEntries(d), all.slice(0, keytabEntries(d).length));
    assert.equal(toHex(keytabCodec.encode(d)), toHex(real.subarray(0, n)));
  }
  // Fewer than 4 bytes or a zero size end the keytab for MIT: kept as a trailer.
  assert.deepEqual(keytabCodec.decode(fromHex('0502000000')).trailer, Uint8Array.of(0, 0, 0));
  assertCode(() => keytabCodec.decode(real, { maxBytes: 10 }), 'DECODE_LIMIT', 0);
  assertCode(() => keytabCodec.encode({ version: 2, records: [{ type: 'hole', data: new Uint8Array(0) }] }), 'ENCODE_BAD_VALUE');
  assertCode(() => keytabCodec.encode({ version: 2, records: [keytabEntry(alice, 2 ** 32, aes(16, 0), 0)] }), 'ENCODE_BAD_VALUE');
  assertCode(() => keytabCodec.encode({ version: 2, records: [keytabEntry(alice, 1, { keytype: 17, keyvalue: new Uint8Array(0x10000) }, 0)] }), 'ENCODE_BAD_VALUE');
  assertCode(() => keytabCodec.encode({ version: 2, records: [], trailer: Uint8Array.of(0, 0, 0, 1, 0xaa) }), 'ENCODE_BAD_VALUE', undefined); // a whole record is no trailer
});
