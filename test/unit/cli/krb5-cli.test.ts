// spnego kinit / klist / kdestroy as a user meets them, without a real KDC: klist's exact MIT
// layout on a cache and a keytab we write, kdestroy's zeroing, and kinit against a fake KDC on
// loopback (the AS-REQ it sends, the password read from a pipe, MIT-style failures). The real
// KDCs and MIT's own tools are in test/interop/krb5-cli.test.ts.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, writeFileSync, readFileSync, existsSync, linkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoPath } from '../../helpers/paths.js';
import { ccacheCodec, ccacheConfigCredential, type CcacheCredential, type CcachePrincipal } from '../../../src/codec/krb5-files/ccache.js';
import { keytabCodec, keytabEntry } from '../../../src/codec/krb5-files/keytab.js';
import { ticketCodec } from '../../../src/codec/krb5/ticket.js';
import { krbErrorCodec } from '../../../src/codec/krb5/krb-error.js';
import { asReqCodec } from '../../../src/codec/krb5/kdc-req.js';
import { hasFlag } from '../../../src/codec/krb5/kerberos-flags.js';
import { KdcOption } from '../../../src/iana/krb5.js';

const BIN = repoPath('dist/src/cli/main.js');
const dir = mkdtempSync(join(tmpdir(), 'spnego-krb5-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const baseEnv = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', TZ: 'UTC', KRB5_CONFIG: join(dir, 'none.conf') };

function run(args: string[], env: Record<string, string> = {}, input?: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], { input: input ?? '', encoding: 'utf8', timeout: 20_000, env: { ...baseEnv, ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
/** Async, so that a fake KDC in this process can answer. */
function runAsync(args: string[], env: Record<string, string>, input: string): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [BIN, ...args], { env: { ...baseEnv, ...env } });
    let out = '';
    let err = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.stderr.on('data', (d: Buffer) => (err += d.toString()));
    c.on('close', (code) => resolve({ code, out, err }));
    c.stdin.end(input);
  });
}
/** Asserts an exit code, showing stderr when it differs (e.g. a module that failed to load). */
function exits(code: number, args: string[], env: Record<string, string> = {}) {
  const r = run(args, env);
  assert.equal(r.code, code, `spnego ${args.join(' ')}: ${r.err}`);
  return r;
}
const noStack = (s: string) => assert.ok(!/\n\s+at /.test(s), `no stack trace in: ${s}`);

const T = Date.UTC(2026, 10, 26, 16, 0, 0) / 1000;
const P = (realm: string, ...components: string[]): CcachePrincipal => ({ nameType: components.length > 1 ? 2 : 1, realm, components });
const ALICE = P('EXAMPLE.TEST', 'alice');
function ticket(etype: number, realm: string, ...sname: string[]): Uint8Array {
  return ticketCodec.encode({ tktVno: 5, realm, sname: { nameType: 2, nameString: sname }, encPart: { etype, kvno: 1, cipher: new Uint8Array(40).fill(1) } });
}
function cred(o: Partial<CcacheCredential> & Pick<CcacheCredential, 'server' | 'ticket'>): CcacheCredential {
  return {
    client: ALICE, key: { keytype: 18, keyvalue: new Uint8Array(32).fill(9) }, authtime: T, starttime: T, endtime: T + 36000, renewTill: 0,
    isSkey: false, ticketFlags: 0, addresses: [], authdata: [], secondTicket: new Uint8Array(0), isConfig: false, ...o,
  };
}

/** A cache with what klist prints differently: renew-till, another client, a config entry, starttime 0, a ticket naming another server. */
function writeSampleCache(path: string): void {
  const cache = ccacheCodec.encode({
    version: 4,
    headerTags: [],
    defaultPrincipal: ALICE,
    credentials: [
      cred({ server: P('EXAMPLE.TEST', 'krbtgt', 'EXAMPLE.TEST'), ticket: ticket(18, 'EXAMPLE.TEST', 'krbtgt', 'EXAMPLE.TEST'), renewTill: T + 86400, ticketFlags: 0x40e00000 }),
      ccacheConfigCredential(ALICE, 'pa_type', 'krbtgt/EXAMPLE.TEST@EXAMPLE.TEST', new TextEncoder().encode('2')),
      cred({
        client: P('EXAMPLE.TEST', 'bob'), server: P('EXAMPLE.TEST', 'HTTP', 'web.example.test'), ticket: ticket(20, 'EXAMPLE.TEST', 'HTTP', 'web.example.test'),
        key: { keytype: 17, keyvalue: new Uint8Array(16) }, starttime: 0, endtime: T + 3600, ticketFlags: 0x40280000, addresses: [{ addrType: 2, address: Uint8Array.of(127, 0, 0, 1) }],
      }),
      cred({ server: P('EXAMPLE.TEST', 'HTTP', 'alias'), ticket: ticket(18, 'EXAMPLE.TEST', 'HTTP', 'real.example.test'), renewTill: T + 7200 }),
    ],
  });
  writeFileSync(path, cache, { mode: 0o600 });
}

test('klist prints a cache as MIT klist -e -f does (C locale dates, continuation lines, for client, Ticket server)', () => {
  const cc = join(dir, 'sample.cc');
  writeSampleCache(cc);
  const r = run(['klist', '-e', '-f'], { KRB5CCNAME: `FILE:${cc}` });
  assert.equal(r.code, 0, r.err);
  assert.equal(
    r.out,
    [
      `Ticket cache: FILE:${cc}`,
      'Default principal: alice@EXAMPLE.TEST',
      '',
      'Valid starting     Expires            Service principal',
      '11/26/26 16:00:00  11/27/26 02:00:00  krbtgt/EXAMPLE.TEST@EXAMPLE.TEST',
      '\trenew until 11/27/26 16:00:00, Flags: FRIA',
      '\tEtype (skey, tkt): aes256-cts-hmac-sha1-96, aes256-cts-hmac-sha1-96 ',
      '11/26/26 16:00:00  11/26/26 17:00:00  HTTP/web.example.test@EXAMPLE.TEST',
      '\tfor client bob@EXAMPLE.TEST, Flags: FAT, Etype (skey, tkt): aes128-cts-hmac-sha1-96, aes256-cts-hmac-sha384-192 ',
      '11/26/26 16:00:00  11/27/26 02:00:00  HTTP/alias@EXAMPLE.TEST',
      '\trenew until 11/26/26 18:00:00, Etype (skey, tkt): aes256-cts-hmac-sha1-96, aes256-cts-hmac-sha1-96 ',
      '\tTicket server: HTTP/real.example.test@EXAMPLE.TEST',
      '',
    ].join('\n'),
  );
  // Without options, -c and a bare path; -a -n addresses; -C the configuration entry.
  const plain = run(['klist', '-c', cc]);
  assert.equal(plain.code, 0, plain.err);
  assert.match(plain.out, /krbtgt\/EXAMPLE.TEST@EXAMPLE.TEST\n\trenew until 11\/27\/26 16:00:00\n11\/26\/26/);
  assert.doesNotMatch(plain.out, /Etype|Flags|config:/);
  const addr = run(['klist', '-a', '-n', cc]);
  assert.match(addr.out, /\tfor client bob@EXAMPLE.TEST\n\tAddresses: 127\.0\.0\.1\n/);
  assert.match(addr.out, /renew until 11\/27\/26 16:00:00\n\tAddresses: \(none\)\n/);
  const conf = run(['klist', '-C', cc]);
  assert.match(conf.out, /\nconfig: pa_type\(krbtgt\/EXAMPLE.TEST@EXAMPLE.TEST\) = 2\n/);
});

test('klist -s: exit 0 only with a current TGT', () => {
  const cc = join(dir, 'status.cc');
  writeSampleCache(cc); // its TGT expired in 2026-11-27 ... or not yet: decide from the clock
  const expect = (T + 36000) * 1000 > Date.now() ? 0 : 1;
  const r = run(['klist', '-s', '-c', cc]);
  assert.equal(r.code, expect, r.err);
  assert.equal(r.out + r.err, '');
  const now = Math.floor(Date.now() / 1000);
  const live = join(dir, 'live.cc');
  const tgt = (end: number) => cred({ server: P('EXAMPLE.TEST', 'krbtgt', 'EXAMPLE.TEST'), ticket: ticket(18, 'EXAMPLE.TEST', 'krbtgt', 'EXAMPLE.TEST'), authtime: now - 100, starttime: now - 100, endtime: end });
  writeFileSync(live, ccacheCodec.encode({ version: 4, headerTags: [], defaultPrincipal: ALICE, credentials: [tgt(now + 3600)] }));
  exits(0, ['klist', '-s', live]);
  writeFileSync(live, ccacheCodec.encode({ version: 4, headerTags: [], defaultPrincipal: ALICE, credentials: [tgt(now - 10)] }));
  exits(1, ['klist', '-s', live]);
  exits(1, ['klist', '-s', join(dir, 'absent.cc')]);
});

test('klist -k prints a keytab as MIT klist -k [-t] [-e] [-K] does', () => {
  const kt = join(dir, 'sample.keytab');
  const p = { nameType: 1, realm: 'EXAMPLE.TEST', components: ['HTTP', 'web.example.test'] };
  writeFileSync(kt, keytabCodec.encode({
    version: 2,
    records: [
      keytabEntry(p, 2, { keytype: 18, keyvalue: new Uint8Array(32).fill(0xab) }, T),
      keytabEntry(p, 300, { keytype: 23, keyvalue: new Uint8Array(16).fill(0x01) }, T + 61),
      keytabEntry({ ...p, components: ['a/b', 'c@d'] }, 1, { keytype: 99, keyvalue: new Uint8Array(2) }, T),
    ],
  }));
  const r = run(['klist', '-k', '-t', '-e', '-K', kt]);
  assert.equal(r.code, 0, r.err);
  assert.equal(
    r.out,
    [
      `Keytab name: FILE:${kt}`,
      'KVNO Timestamp         Principal',
      `---- ----------------- ${'-'.repeat(56)}`,
      `   2 11/26/26 16:00:00 HTTP/web.example.test@EXAMPLE.TEST (aes256-cts-hmac-sha1-96)  (0x${'ab'.repeat(32)})`,
      ` 300 11/26/26 16:01:01 HTTP/web.example.test@EXAMPLE.TEST (DEPRECATED:arcfour-hmac)  (0x${'01'.repeat(16)})`,
      '   1 11/26/26 16:00:00 a\\/b/c\\@d@EXAMPLE.TEST (etype 99)  (0x0000)',
      '',
    ].join('\n'),
  );
  const plain = run(['klist', '-k', `FILE:${kt}`]);
  assert.equal(plain.out.split('\n').slice(1, 4).join('\n'), `KVNO Principal\n---- ${'-'.repeat(74)}\n   2 HTTP/web.example.test@EXAMPLE.TEST`);
  // KRB5_KTNAME is the default keytab.
  assert.match(run(['klist', '-k'], { KRB5_KTNAME: kt }).out, /^Keytab name: FILE:.*sample\.keytab\n/);
});

test('klist failures: MIT messages through spnego: CODE:, exit 1, no stack; usage errors exit 2', () => {
  const missing = join(dir, 'missing.cc');
  const r = run(['klist'], { KRB5CCNAME: missing });
  assert.equal(r.code, 1, r.err);
  assert.equal(r.err, `spnego: NO_CRED: No credentials cache found (filename: ${missing})\n`);
  const k = run(['klist', '-k', join(dir, 'missing.keytab')]);
  assert.equal(k.code, 1, k.err);
  assert.equal(k.out, `Keytab name: FILE:${join(dir, 'missing.keytab')}\n`);
  assert.match(k.err, /^spnego: NO_CRED: Key table file '.*missing\.keytab' not found while starting keytab scan\n$/);
  const garbage = join(dir, 'garbage.cc');
  writeFileSync(garbage, Uint8Array.of(5, 4, 0, 0, 0));
  const g = run(['klist', '-c', garbage]);
  assert.equal(g.code, 1, g.err);
  assert.match(g.err, /^spnego: DECODE_[A-Z_]+: /);
  noStack(g.err);
  exits(2, ['klist', '-k', '-f']);
  exits(2, ['klist', '-t']);
  exits(2, ['klist', 'a', 'b']);
  assert.match(exits(1, ['klist', '-c', 'KEYRING:persistent:0']).err, /^spnego: UNAVAILABLE: credential cache type KEYRING is not supported/);
});

test('kdestroy zeroes the cache then removes it; no cache is a notice with exit 0 (as MIT)', () => {
  const cc = join(dir, 'destroy.cc');
  writeSampleCache(cc);
  const size = readFileSync(cc).length;
  const link = join(dir, 'destroy.link');
  linkSync(cc, link); // the same inode: shows what kdestroy wrote before unlinking
  const r = run(['kdestroy'], { KRB5CCNAME: `FILE:${cc}` });
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out + r.err, '');
  assert.equal(existsSync(cc), false);
  const after = readFileSync(link);
  assert.equal(after.length, size);
  assert.ok(after.every((b) => b === 0), 'overwritten with zeros');
  const again = run(['kdestroy', '-c', cc]);
  assert.equal(again.code, 0);
  assert.equal(again.err, `spnego kdestroy: No credentials cache found while destroying cache (filename: ${cc})\n`);
  assert.equal(run(['kdestroy', '-q', '-c', cc]).err, '');
  exits(2, ['kdestroy', 'extra']);
});

/** A UDP KDC on loopback that records each request and answers with a KRB-ERROR. */
async function fakeKdc(errorCode: number): Promise<{ port: number; requests: Buffer[]; close: () => void }> {
  const requests: Buffer[] = [];
  const s = createSocket('udp4');
  s.on('message', (m, rinfo) => {
    requests.push(m);
    const reply = krbErrorCodec.encode({ pvno: 5, msgType: 30, stime: new Date(Math.floor(Date.now() / 1000) * 1000), susec: 0, errorCode, realm: 'T.TEST', sname: { nameType: 2, nameString: ['krbtgt', 'T.TEST'] } });
    s.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((res) => s.bind(0, '127.0.0.1', () => res()));
  return { port: s.address().port, requests, close: () => s.close() };
}
function confFor(port: number): string {
  const path = join(dir, `kdc-${port}.conf`);
  writeFileSync(path, `[libdefaults]\n default_realm = T.TEST\n dns_lookup_kdc = false\n\n[realms]\n T.TEST = {\n  kdc = 127.0.0.1:${port}\n }\n`);
  return path;
}

test('kinit: the AS-REQ carries the principal, -l/-r/-f; no prompt before the KDC asks for pre-authentication; a refusal is "Password incorrect"', async () => {
  const kdc = await fakeKdc(24); // KDC_ERR_PREAUTH_FAILED
  try {
    const cc = join(dir, 'kinit.cc');
    const r = await runAsync(['kinit', '-l', '2h', '-r', '1d', '-f', '-c', cc, 'alice'], { KRB5_CONFIG: confFor(kdc.port) }, 'S3cret-Pass-xyz\nnot this line\n');
    assert.equal(r.code, 1, r.err);
    // This KDC refuses the first request outright, so the password is never asked for: as MIT's
    // kinit, the prompt comes once the KDC has answered PREAUTH_REQUIRED (or an AS-REP to decrypt).
    assert.equal(r.err, 'spnego: UNAUTHORIZED: Password incorrect while getting initial credentials [KDC_ERR_PREAUTH_FAILED]\n');
    assert.equal(r.out, '');
    assert.ok(!(r.out + r.err).includes('S3cret'), 'password not echoed');
    assert.equal(existsSync(cc), false, 'no cache written on failure');
    assert.equal(kdc.requests.length, 1);
    const req = asReqCodec.decode(kdc.requests[0]!);
    assert.deepEqual(req.reqBody.cname?.nameString, ['alice']);
    assert.equal(req.reqBody.realm, 'T.TEST');
    assert.deepEqual(req.reqBody.sname?.nameString, ['krbtgt', 'T.TEST']);
    const now = Date.now();
    assert.ok(Math.abs(req.reqBody.till.getTime() - now - 7200_000) < 60_000, `till ${req.reqBody.till.toISOString()}`);
    assert.ok(req.reqBody.rtime && Math.abs(req.reqBody.rtime.getTime() - now - 86400_000) < 60_000);
    assert.ok(hasFlag(req.reqBody.kdcOptions, KdcOption.forwardable));
    assert.ok(hasFlag(req.reqBody.kdcOptions, KdcOption.renewable));
    assert.ok(!hasFlag(req.reqBody.kdcOptions, KdcOption.canonicalize), 'canonicalize only with -C or -E');
  } finally {
    kdc.close();
  }
});

test('kinit: SPNEGO_PASSWORD, an enterprise name (-E), -C, keytab failures and an unknown client in MIT words', async () => {
  const kdc = await fakeKdc(6); // KDC_ERR_C_PRINCIPAL_UNKNOWN
  try {
    const env = { KRB5_CONFIG: confFor(kdc.port), KRB5CCNAME: join(dir, 'e.cc'), SPNEGO_PASSWORD: 'pw-from-env' };
    const r = await runAsync(['kinit', '-E', 'bob@corp.example'], env, '');
    assert.equal(r.code, 1, r.err);
    assert.equal(r.err, "spnego: BAD_NAME: Client 'bob\\@corp.example@T.TEST' not found in Kerberos database while getting initial credentials [KDC_ERR_C_PRINCIPAL_UNKNOWN]\n");
    const req = asReqCodec.decode(kdc.requests[0]!);
    assert.deepEqual(req.reqBody.cname, { nameType: 10, nameString: ['bob@corp.example'] });
    assert.ok(hasFlag(req.reqBody.kdcOptions, KdcOption.canonicalize));
    // -k with a keytab that has no key for the principal: typed error before any request.
    const kt = join(dir, 'other.keytab');
    writeFileSync(kt, keytabCodec.encode({ version: 2, records: [keytabEntry({ nameType: 1, realm: 'T.TEST', components: ['carol'] }, 1, { keytype: 18, keyvalue: new Uint8Array(32) }, T)] }));
    const k = await runAsync(['kinit', '-k', '-t', kt, 'dave'], env, '');
    assert.equal(k.code, 1, k.err);
    assert.match(k.err, /^spnego: NO_CRED: no keys for dave@T\.TEST in keytab .*other\.keytab while getting initial credentials\n$/);
    // -k without a principal takes the keytab's first one (carol), as MIT's kinit -k -i does.
    const first = await runAsync(['kinit', '-k', '-t', kt], env, '');
    assert.match(first.err, /Client 'carol@T\.TEST' not found in Kerberos database/);
    assert.equal(kdc.requests.length, 2);
    // -C asks the KDC to canonicalize the name (RFC 6806), as MIT's kinit -C.
    const c = await runAsync(['kinit', '-C', 'carol'], env, '');
    assert.equal(c.code, 1, c.err);
    assert.ok(hasFlag(asReqCodec.decode(kdc.requests[2]!).reqBody.kdcOptions, KdcOption.canonicalize));
  } finally {
    kdc.close();
  }
});

test('kinit usage and argument errors: exit 2 for usage, 1 with a typed error otherwise, no stack trace', () => {
  exits(2, ['kinit', '-f', '-F', 'a']);
  exits(2, ['kinit', '-R', '-k']);
  exits(2, ['kinit', '-t', 'x', 'a']);
  exits(2, ['kinit', '--nope']);
  // A bad duration is a usage error, exit 2, as MIT's kinit.
  const bad = run(['kinit', '-l', '3x', 'a@R']);
  assert.equal(bad.code, 2, bad.err);
  assert.match(bad.err, /^spnego kinit: Bad lifetime value 3x \(use e\.g\. "10h", "1d", "30m", "1h30m", "10:00"\)\nusage: spnego kinit/);
  const emptyRealm = run(['kinit', 'alice@'], { SPNEGO_PASSWORD: 'x' });
  assert.equal(emptyRealm.code, 1);
  assert.match(emptyRealm.err, /^spnego: BAD_NAME: Malformed representation of principal/);
  const renew = run(['kinit', '-R', '-c', join(dir, 'none.cc')]);
  assert.equal(renew.code, 1, renew.err);
  assert.equal(renew.err, `spnego: NO_CRED: No credentials cache found (filename: ${join(dir, 'none.cc')}) while renewing credentials\n`);
  const norealm = run(['kinit', 'alice'], { SPNEGO_PASSWORD: 'x' });
  assert.equal(norealm.code, 1, norealm.err);
  assert.match(norealm.err, /^spnego: BAD_NAME: no realm for "alice"/);
  for (const r of [bad, renew, norealm]) noStack(r.err);
  assert.match(run(['kinit', '--help']).out, /^usage: spnego kinit /);
});
