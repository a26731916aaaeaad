// MIT FILE credential cache: a real cache from MIT 1.20's kinit + kvno (test/vectors/krb5-files/mit-1.20.json)
// decodes to what `klist -e -f -C -a` printed and re-encodes byte for byte; caches written from scratch
// are listed by MIT's klist; malformed input gives typed errors before anything large is allocated.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromHex, toHex } from '../../../../src/bytes/index.js';
import {
  ccacheCodec, ccacheConfigCredential, ccacheConfigEntry, ccacheKdcOffset, ccacheKdcOffsetTag, ccachePrincipalToString, ccacheTicket,
  type Ccache, type CcacheCredential,
} from '../../../../src/codec/krb5-files/index.js';
import { ticketCodec } from '../../../../src/codec/krb5/index.js';
import { enctypeName } from '../../../../src/iana/krb5.js';
import { readJson } from '../../../helpers/paths.js';
import { assertCode, onlyTypedErrors } from '../../../helpers/errors.js';

interface Fixture { hex: string; klist: string[] }
const V = readJson<{ ccache: Fixture }>('test', 'vectors', 'krb5-files', 'mit-1.20.json');
const bytes = fromHex(V.ccache.hex);

// klist's flag letters (clients/klist/klist.c flags_string), MIT layout bit 0 = 0x80000000.
const FLAG_LETTERS: [number, string][] = [
  [0x40000000, 'F'], [0x20000000, 'f'], [0x10000000, 'P'], [0x08000000, 'p'], [0x04000000, 'D'], [0x02000000, 'd'],
  [0x01000000, 'i'], [0x00800000, 'R'], [0x00400000, 'I'], [0x00200000, 'A'], [0x00100000, 'H'], [0x00080000, 'T'],
  [0x00040000, 'O'], [0x00008000, 'a'],
];
const flagString = (f: number): string => FLAG_LETTERS.filter(([b]) => (f & b) !== 0).map(([, l]) => l).join('');
// klist prints local time as %x %X; the fixture was made with TZ=UTC in the C locale.
function klistTime(t: number): string {
  const d = new Date(t * 1000);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())}/${p(d.getUTCFullYear() % 100)} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

/** What klist -e -f -C -a prints for a cache (the lines after the header), rebuilt from the decoded value. */
function klistLines(c: Ccache): string[] {
  const out: string[] = [];
  for (const cr of c.credentials) {
    const conf = ccacheConfigEntry(cr);
    if (conf) {
      out.push(`config: ${conf.name}${conf.principal === undefined ? '' : `(${conf.principal})`} = ${Buffer.from(conf.value).toString('latin1')}`);
    } else {
      out.push(`${klistTime(cr.starttime || cr.authtime)}  ${klistTime(cr.endtime)}  ${ccachePrincipalToString(cr.server)}`);
      out.push(`\trenew until ${klistTime(cr.renewTill)}, Flags: ${flagString(cr.ticketFlags)}`);
      out.push(`\tEtype (skey, tkt): ${enctypeName(cr.key.keytype)}, ${enctypeName(ccacheTicket(cr).encPart.etype)} `);
    }
    out.push('\tAddresses: (none)');
  }
  return out;
}

test('a real MIT 1.20 cache decodes to what klist printed', () => {
  const c = ccacheCodec.decode(bytes);
  assert.equal(c.version, 4);
  assert.deepEqual(ccacheKdcOffset(c), { seconds: 0, microseconds: 0 }, 'MIT writes the time offset tag even when it is zero');
  assert.equal(V.ccache.klist[1], `Default principal: ${ccachePrincipalToString(c.defaultPrincipal)}`);
  assert.equal(c.credentials.length, 4);
  assert.deepEqual(c.credentials.map((x) => x.isConfig), [true, true, false, false]);
  const printed = V.ccache.klist.slice(4).filter((l) => l !== '');
  assert.deepEqual(klistLines(c), printed);
  const tgt = c.credentials[2]!;
  assert.deepEqual(tgt.server, { nameType: 2, realm: 'EXAMPLE.TEST', components: ['krbtgt', 'EXAMPLE.TEST'] });
  assert.equal(tgt.key.keyvalue.length, 32);
  assert.equal(ccacheTicket(tgt).sname.nameString.join('/'), 'krbtgt/EXAMPLE.TEST');
  assert.deepEqual(ccacheConfigEntry(c.credentials[1]!), { name: 'pa_type', principal: 'krbtgt/EXAMPLE.TEST@EXAMPLE.TEST', value: Uint8Array.of(0x32) });
  assert.equal(ccacheConfigEntry(tgt), undefined);
  assert.equal(tgt.ticketFlags & 0x00010000, 0x00010000, 'the MIT 1.20 KDC sets enc-pa-rep (bit 15), which klist does not print');
});

test('the real cache re-encodes byte for byte, and as version 3 too', () => {
  const c = ccacheCodec.decode(bytes);
  assert.equal(toHex(ccacheCodec.encode(c)), V.ccache.hex);
  const v3 = ccacheCodec.encode({ ...c, version: 3, headerTags: [] });
  assert.equal(v3.length, bytes.length - 14 + 2 * 4, 'v3: no header (-14 bytes), enctype twice per credential (+2 each)');
  const back = ccacheCodec.decode(v3);
  assert.equal(back.version, 3);
  assert.deepEqual(back.credentials, c.credentials);
  assert.equal(toHex(ccacheCodec.encode(back)), toHex(v3));
  // A differing second enctype (MIT ignores it) survives the round trip.
  const odd = v3.slice();
  const at = toHex(odd).indexOf('00120012') / 2;
  odd[at + 3] = 0x11;
  const d = ccacheCodec.decode(odd);
  assert.equal(d.credentials[2]!.v3KeytypeCopy, 0x11);
  assert.equal(toHex(ccacheCodec.encode(d)), toHex(odd));
});

function klistAvailable(): boolean {
  try {
    execFileSync('klist', ['-V'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

function runKlist(args: string[]): string {
  return execFileSync('klist', args, { encoding: 'utf8', env: { ...process.env, TZ: 'UTC', LC_ALL: 'C', KRB5_CONFIG: '/dev/null' } });
}

test('a cache written from scratch is listed by MIT klist', { skip: !klistAvailable() && 'klist not installed' }, () => {
  const real = ccacheCodec.decode(bytes);
  const dir = mkdtempSync(join(tmpdir(), 'spnego-cc-'));
  try {
    const bob = { nameType: 1, realm: 'OTHER.TEST', components: ['bob'] };
    const ticket = ticketCodec.encode({
      tktVno: 5, realm: 'OTHER.TEST', sname: { nameType: 2, nameString: ['HTTP', 'host.other.test'] },
      encPart: { etype: 17, kvno: 4, cipher: new Uint8Array(40).fill(7) },
    });
    const now = Math.floor(Date.now() / 1000);
    const cred: CcacheCredential = {
      client: bob, server: { nameType: 2, realm: 'OTHER.TEST', components: ['HTTP', 'host.other.test'] },
      key: { keytype: 17, keyvalue: new Uint8Array(16).fill(1) },
      authtime: now, starttime: now, endtime: now + 3600, renewTill: now + 7200, isSkey: false,
      ticketFlags: 0x40000000 | 0x00800000 | 0x00200000, addresses: [{ addrType: 2, address: Uint8Array.of(192, 0, 2, 1) }],
      authdata: [], ticket, secondTicket: new Uint8Array(0), isConfig: false,
    };
    for (const version of [4, 3] as const) {
      const cc: Ccache = {
        version, headerTags: version === 4 ? [ccacheKdcOffsetTag(-5, 250000)] : [], defaultPrincipal: bob,
        credentials: [ccacheConfigCredential(bob, 'start_realm', undefined, new TextEncoder().encode('OTHER.TEST')), cred, real.credentials[3]!],
      };
      const file = join(dir, `cc${version}`);
      writeFileSync(file, ccacheCodec.encode(cc));
      const out = runKlist(['-e', '-f', '-C', '-a', '-c', `FILE:${file}`]);
      assert.match(out, /Default principal: bob@OTHER\.TEST/);
      assert.match(out, /config: start_realm = OTHER\.TEST/);
      assert.match(out, new RegExp(`${klistTime(now)}  ${klistTime(now + 3600)}  HTTP/host\\.other\\.test@OTHER\\.TEST`));
      assert.match(out, /Flags: FRA\n\tEtype \(skey, tkt\): aes128-cts-hmac-sha1-96, aes128-cts-hmac-sha1-96/);
      assert.match(out, /Addresses: 192\.0\.2\.1/);
      assert.match(out, /HTTP\/web\.example\.test@EXAMPLE\.TEST/);
      assert.deepEqual(ccacheCodec.decode(ccacheCodec.encode(cc)).credentials[1], cred);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('malformed caches give typed errors at the right offset', () => {
  assertCode(() => ccacheCodec.decode(Uint8Array.of(0x05, 0x02, 0, 0)), 'UNKNOWN_TOKEN', 0);
  assertCode(() => ccacheCodec.decode(new Uint8Array(0)), 'DECODE_TRUNCATED', 0);
  // Truncation inside the header or the default principal: a typed error at or before the cut.
  // Inside the credentials: MIT's reader stops at the first incomplete one (fcc_next_cred), and so
  // do we: the whole credentials before it, the rest kept as the trailer (re-encoded byte for byte).
  const whole = ccacheCodec.decode(bytes);
  const principalEnd = ccacheCodec.encode({ ...whole, credentials: [] }).length;
  for (const n of [1, 3, 10, 40, 200, 600, bytes.length - 1]) {
    const cut = bytes.subarray(0, n);
    if (n < principalEnd) {
      const e = onlyTypedErrors(() => ccacheCodec.decode(cut), ['DECODE_TRUNCATED', 'DECODE_BAD_LENGTH']);
      assert.ok(e && e.offset !== undefined && e.offset <= n, `${n}: ${e?.message}`);
    } else {
      const d = ccacheCodec.decode(cut);
      assert.ok(d.trailer && d.trailer.length > 0, `${n}: a trailer`);
      assert.deepEqual(d.credentials, whole.credentials.slice(0, d.credentials.length));
      assert.ok(d.credentials.length < whole.credentials.length);
      assert.equal(toHex(ccacheCodec.encode(d)), toHex(cut));
    }
  }
  assert.deepEqual(ccacheCodec.decode(Uint8Array.of(...bytes, 0xde, 0xad)).trailer, Uint8Array.of(0xde, 0xad), 'trailing garbage: MIT ignores it');
  // Header: a tag longer than the header; a KDC offset tag that is not 8 bytes.
  assertCode(() => ccacheCodec.decode(fromHex('0504000c0001000900000000000000000000')), 'DECODE_BAD_LENGTH', 6);
  assertCode(() => ccacheCodec.decode(fromHex('050400060001000200000000')), 'DECODE_BAD_LENGTH', 6);
  // A component count of 0xFFFFFFFF is refused before any allocation, as is a 0xFFFFFFFF data length.
  assertCode(() => ccacheCodec.decode(fromHex('05040000' + '00000001' + 'ffffffff')), 'DECODE_LIMIT', 8);
  assertCode(() => ccacheCodec.decode(fromHex('05040000' + '00000001' + '00001000' + '00000000')), 'DECODE_BAD_LENGTH', 8);
  assertCode(() => ccacheCodec.decode(fromHex('05040000' + '00000001' + '00000000' + 'ffffffff')), 'DECODE_BAD_LENGTH', 12);
  const tgtKey = ccacheCodec.decode(bytes).credentials[2]!.key.keyvalue;
  const keyLenAt = V.ccache.hex.indexOf(toHex(tgtKey)) / 2 - 4;
  const big = bytes.slice();
  big.set([0xff, 0xff, 0xff, 0xff], keyLenAt);
  // A credential that does not decode (a length beyond the file, is_skey not 0 or 1) ends the
  // cache there, as for MIT: the two before it are read.
  assert.equal(ccacheCodec.decode(big).credentials.length, 2);
  const skeyAt = keyLenAt + 4 + 32 + 16;
  const sk = bytes.slice();
  sk[skeyAt] = 2;
  assert.equal(ccacheCodec.decode(sk).credentials.length, 2);
  // Invalid UTF-8 in a realm.
  assertCode(() => ccacheCodec.decode(fromHex('05040000' + '00000001' + '00000000' + '00000001' + 'ff')), 'DECODE_BAD_VALUE');
  // Limits.
  assertCode(() => ccacheCodec.decode(bytes, { maxBytes: 100 }), 'DECODE_LIMIT', 0);
  assertCode(() => ccacheCodec.decode(bytes, { maxElements: 2 }), 'DECODE_LIMIT');
});

test('values without a wire form are ENCODE_BAD_VALUE', () => {
  const c = ccacheCodec.decode(bytes);
  const cred = c.credentials[2]!;
  const bad = (cr: Partial<CcacheCredential>): Ccache => ({ ...c, credentials: [{ ...cred, ...cr }] });
  assertCode(() => ccacheCodec.encode(bad({ endtime: 2 ** 32 })), 'ENCODE_BAD_VALUE');
  assertCode(() => ccacheCodec.encode(bad({ key: { keytype: -1, keyvalue: new Uint8Array(0) } })), 'ENCODE_BAD_VALUE');
  assertCode(() => ccacheCodec.encode(bad({ addresses: [{ addrType: 0x10000, address: new Uint8Array(0) }] })), 'ENCODE_BAD_VALUE');
  assertCode(() => ccacheCodec.encode({ ...c, version: 5 as 4 }), 'ENCODE_BAD_VALUE');
  assertCode(() => ccacheCodec.encode({ ...c, version: 3 }), 'ENCODE_BAD_VALUE');
  assertCode(() => ccacheKdcOffsetTag(2 ** 31, 0), 'ENCODE_BAD_VALUE');
  assert.deepEqual(ccacheKdcOffset({ ...c, headerTags: [ccacheKdcOffsetTag(-5, -1)] }), { seconds: -5, microseconds: -1 });
});
