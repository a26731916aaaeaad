// krb5.conf: MIT's profile syntax, includes, multi-file precedence, the typed view with MIT's
// defaults, durations, enctype lists, [domain_realm] and [realms] addresses. The interop tests ask
// MIT's own libkrb5 (python3 ctypes) how it reads the same files and compare.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  kdcsForRealm, loadKrb5Config, parseDuration, parseEnctypeList, parseKdcEndpoint, parseKrb5Config, parseProfileBoolean,
  parseProfileInteger, profileValues, realmForHost, validIncludedirName, MIT_DEFAULT_ENCTYPES, type Krb5Config,
} from '../../../../../src/mech/krb5/config/index.js';
import { SpnegoError } from '../../../../../src/errors.js';
import { assertCode } from '../../../../helpers/errors.js';
import { execFileSync } from 'node:child_process';

const SCRIPT = String.raw`
import ctypes, json, sys
k = ctypes.CDLL('libkrb5.so.3')
req = json.loads(sys.stdin.read())
out = {}
ctx = ctypes.c_void_p()
r = k.krb5_init_context(ctypes.byref(ctx))
if r:
    print(json.dumps({'init_error': r})); sys.exit(0)
prof = ctypes.c_void_p()
assert k.krb5_get_profile(ctx, ctypes.byref(prof)) == 0
def names(path):
    return (ctypes.c_char_p * (len(path) + 1))(*[p.encode() for p in path], None)
vals = {}
for path in req.get('values', []):
    v = ctypes.POINTER(ctypes.c_char_p)()
    res = []
    if k.profile_get_values(prof, names(path), ctypes.byref(v)) == 0:
        i = 0
        while v[i]:
            res.append(v[i].decode()); i += 1
    vals['/'.join(path)] = res
out['values'] = vals
b = {}
for path in req.get('booleans', []):
    x = ctypes.c_int(-1)
    p = [s.encode() for s in path] + [None] * (3 - len(path))
    r = k.profile_get_boolean(prof, p[0], p[1], p[2], ctypes.c_int(7), ctypes.byref(x))
    b['/'.join(path)] = None if r else x.value
out['booleans'] = b
n = {}
for path in req.get('integers', []):
    x = ctypes.c_int(-1)
    p = [s.encode() for s in path] + [None] * (3 - len(path))
    r = k.profile_get_integer(prof, p[0], p[1], p[2], ctypes.c_int(-7), ctypes.byref(x))
    n['/'.join(path)] = None if r else x.value
out['integers'] = n
realm = ctypes.c_char_p()
out['default_realm'] = realm.value.decode() if k.krb5_get_default_realm(ctx, ctypes.byref(realm)) == 0 else None
def etl(ptr):
    l = []; i = 0
    while ptr[i]:
        l.append(ptr[i]); i += 1
    return l
et = ctypes.POINTER(ctypes.c_int32)()
out['permitted'] = etl(et) if k.krb5_get_permitted_enctypes(ctx, ctypes.byref(et)) == 0 else None
et = ctypes.POINTER(ctypes.c_int32)()
out['tgs'] = etl(et) if k.krb5_get_tgs_ktypes(ctx, None, ctypes.byref(et)) == 0 else None
et = ctypes.POINTER(ctypes.c_int32)()
out['tkt'] = etl(et) if k.krb5_get_default_in_tkt_ktypes(ctx, ctypes.byref(et)) == 0 else None
dflt = (ctypes.c_int32 * 9)(18, 17, 20, 19, 16, 23, 25, 26, 0)
el = {}
for s in req.get('enclists', []):
    et = ctypes.POINTER(ctypes.c_int32)()
    r = k.krb5int_parse_enctype_list(ctx, b'permitted_enctypes', ctypes.c_char_p(s.encode()), dflt, ctypes.byref(et))
    el[s] = None if r else etl(et)
out['enclists'] = el
hr = {}
for h in req.get('hosts', []):
    rl = ctypes.POINTER(ctypes.c_char_p)()
    hr[h] = rl[0].decode() if k.krb5_get_host_realm(ctx, h.encode(), ctypes.byref(rl)) == 0 else None
out['host_realm'] = hr
class Data(ctypes.Structure):
    _fields_ = [('magic', ctypes.c_int32), ('length', ctypes.c_uint), ('data', ctypes.c_char_p)]
fr = {}
for h in req.get('fallback_hosts', []):
    rl = ctypes.POINTER(ctypes.c_char_p)()
    d = Data(0, len(h.encode()), h.encode())
    fr[h] = rl[0].decode() if k.krb5_get_fallback_host_realm(ctx, ctypes.byref(d), ctypes.byref(rl)) == 0 else None
out['fallback_realm'] = fr
dt = {}
for s in req.get('deltats', []):
    x = ctypes.c_int32()
    dt[s] = None if k.krb5_string_to_deltat(s.encode(), ctypes.byref(x)) else x.value
out['deltats'] = dt
print(json.dumps(out))
`;

interface MitRequest {
  values?: string[][];
  booleans?: string[][];
  integers?: string[][];
  enclists?: string[];
  hosts?: string[];
  fallback_hosts?: string[];
  deltats?: string[];
}
interface MitAnswer {
  init_error?: number;
  values: Record<string, string[]>;
  booleans: Record<string, number | null>;
  integers: Record<string, number | null>;
  default_realm: string | null;
  permitted: number[] | null;
  tgs: number[] | null;
  tkt: number[] | null;
  enclists: Record<string, number[] | null>;
  host_realm: Record<string, string | null>;
  fallback_realm: Record<string, string | null>;
  deltats: Record<string, number | null>;
}

/** Runs MIT's library with KRB5_CONFIG = configPath (a colon-separated list). */
function askMit(configPath: string, req: MitRequest): MitAnswer {
  const out = execFileSync('python3', ['-c', SCRIPT], {
    input: JSON.stringify(req), encoding: 'utf8',
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', KRB5_CONFIG: configPath, KRB5_TRACE: '/dev/null', LC_ALL: 'C' },
  });
  return JSON.parse(out) as MitAnswer;
}

let available: boolean | undefined;
function mitAvailable(): boolean {
  if (available === undefined) {
    try {
      execFileSync('python3', ['-c', "import ctypes; ctypes.CDLL('libkrb5.so.3').krb5int_parse_enctype_list"], { stdio: 'pipe' });
      available = true;
    } catch {
      available = false;
    }
  }
  return available;
}

// ---- fixtures

function tempDir(): { dir: string; write: (name: string, text: string) => string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'spnego-krb5conf-'));
  return {
    dir,
    write: (name, text) => {
      const p = join(dir, name);
      writeFileSync(p, text);
      return p;
    },
    done: () => rmSync(dir, { recursive: true, force: true }),
  };
}

const MAIN = `# leading comment
junk before the first section is ignored
module /nonexistent/module.so:residual

[libdefaults]
  default_realm = EXAMPLE.TEST
  dns_lookup_kdc = no
  dns_lookup_realm = false
  udp_preference_limit = 0x10
  forwardable = Yes
  ; comment after blanks
  ticket_lifetime = 10h
  renew_lifetime = 7d
  clockskew = 120
  permitted_enctypes = aes -aes128-cts DEFAULT
  default_tgs_enctypes = aes256-sha2, +aes128-sha2 rc4-hmac  -rc4 bogus-etype
  quoted = "a\\tb\\"c" trailing
  inline = value # not a comment
  rdns*=false

[realms]
  EXAMPLE.TEST = {
    kdc = kdc1.example.test
    kdc = tcp/kdc2.example.test:8888
    kdc = [2001:db8::1]:750
    admin_server = kdc1.example.test
    default_domain = example.test
  }
  OTHER.TEST =
  {
    kdc = 192.0.2.7:88 ignored-after-blank
    kdc = https://proxy.other.test/KdcProxy
  }
  EXAMPLE.TEST = {
    kdc = kdc3.example.test
  }

[domain_realm]
  .example.test = EXAMPLE.TEST
  example.test = EXAMPLE.TEST
  special.example.test = OTHER.TEST
  .dev.example.test = OTHER.TEST
  other.test = OTHER.TEST
`;

test('profile syntax: groups, comments, quotes, finals, merging, ignored preamble and module', () => {
  const cfg = parseKrb5Config([{ name: 'main', text: MAIN }]);
  const v = (...p: string[]): string[] => profileValues(cfg.profile, p);
  assert.deepEqual(v('libdefaults', 'quoted'), ['a\tb"c']);
  assert.deepEqual(v('libdefaults', 'inline'), ['value # not a comment']);
  assert.deepEqual(v('libdefaults', 'rdns'), ['false']);
  assert.deepEqual(v('realms', 'EXAMPLE.TEST', 'kdc'), ['kdc1.example.test', 'tcp/kdc2.example.test:8888', '[2001:db8::1]:750', 'kdc3.example.test']);
  assert.deepEqual(v('realms', 'OTHER.TEST', 'kdc'), ['192.0.2.7:88 ignored-after-blank', 'https://proxy.other.test/KdcProxy']);
  assert.ok(cfg.warnings.some((w) => /module ignored/.test(w)));
  assert.deepEqual(Object.keys(cfg.realms), ['EXAMPLE.TEST', 'OTHER.TEST']);
  // CRLF line ends.
  const crlf = parseKrb5Config([MAIN.replace(/\n/g, '\r\n')]);
  assert.deepEqual(profileValues(crlf.profile, ['libdefaults', 'inline']), ['value # not a comment']);
});

test('typed view: values and MIT defaults', () => {
  const cfg = parseKrb5Config([MAIN]);
  const l = cfg.libdefaults;
  assert.equal(l.defaultRealm, 'EXAMPLE.TEST');
  assert.equal(l.dnsLookupKdc, false);
  assert.equal(l.udpPreferenceLimit, 16);
  assert.equal(l.forwardable, true);
  assert.equal(l.renewable, false);
  assert.equal(l.rdns, false);
  assert.equal(l.ticketLifetime, 36000);
  assert.equal(l.renewLifetime, 7 * 86400);
  assert.equal(l.clockskew, 120);
  assert.deepEqual(l.permittedEnctypes, [18, 20, 19, 17, 16, 23, 25, 26], 'aes, then aes128-cts removed, then DEFAULT adds what is missing');
  assert.deepEqual(l.defaultTktEnctypes, l.permittedEnctypes, 'default_tkt_enctypes defaults to permitted_enctypes');
  assert.deepEqual(l.defaultTgsEnctypes, [20, 19]);
  const e = parseKrb5Config(['']).libdefaults;
  assert.deepEqual(e, {
    dnsLookupKdc: true, dnsLookupRealm: false, udpPreferenceLimit: 1465, permittedEnctypes: MIT_DEFAULT_ENCTYPES,
    defaultTktEnctypes: MIT_DEFAULT_ENCTYPES, defaultTgsEnctypes: MIT_DEFAULT_ENCTYPES, allowWeakCrypto: false, clockskew: 300,
    forwardable: false, renewable: false, rdns: true, dnsCanonicalizeHostname: true, ticketLifetime: 86400, renewLifetime: 0,
    kdcTimesync: 1, ccacheType: 4, defaultCcacheName: 'FILE:/tmp/krb5cc_%{uid}', defaultKeytabName: 'FILE:/etc/krb5.keytab',
    defaultClientKeytabName: 'FILE:/etc/krb5/user/%{euid}/client.keytab',
  });
  const odd = parseKrb5Config(['[libdefaults]\n clockskew = 5m\n dns_canonicalize_hostname = Fallback\n renewable = maybe\n ticket_lifetime = forever\n']);
  assert.equal(odd.libdefaults.clockskew, 300, 'MIT reads clockskew as an integer: 5m leaves the default');
  assert.equal(odd.libdefaults.dnsCanonicalizeHostname, 'fallback');
  assert.equal(odd.libdefaults.renewable, false);
  assert.equal(odd.libdefaults.ticketLifetime, 86400);
  assert.equal(odd.warnings.length, 3, odd.warnings.join('\n'));
  assert.equal(parseKrb5Config(['[libdefaults]\n dns_fallback = true\n']).libdefaults.dnsLookupRealm, true, 'dns_fallback sets both DNS defaults');
});

test('[realms] addresses: ports, IPv6, transports, kpasswd from admin_server', () => {
  const cfg = parseKrb5Config([MAIN]);
  assert.deepEqual(kdcsForRealm(cfg, 'EXAMPLE.TEST').map((k) => [k.host, k.port, k.transport, k.explicitPort]), [
    ['kdc1.example.test', 88, 'any', false], ['kdc2.example.test', 8888, 'tcp', true], ['2001:db8::1', 750, 'any', true], ['kdc3.example.test', 88, 'any', false],
  ]);
  assert.deepEqual(kdcsForRealm(cfg, 'OTHER.TEST').map((k) => [k.host, k.port, k.transport, k.url]), [
    ['192.0.2.7', 88, 'any', undefined], ['proxy.other.test', 443, 'https', 'https://proxy.other.test/KdcProxy'],
  ]);
  assert.deepEqual(kdcsForRealm(cfg, 'NOPE.TEST'), []);
  assert.deepEqual(kdcsForRealm(cfg, 'constructor'), []);
  const r = cfg.realms['EXAMPLE.TEST']!;
  assert.deepEqual(r.adminServer.map((a) => [a.host, a.port]), [['kdc1.example.test', 749]]);
  assert.deepEqual(r.kpasswdServer.map((a) => [a.host, a.port]), [['kdc1.example.test', 464]]);
  assert.equal(r.defaultDomain, 'example.test');
  assert.equal(parseKdcEndpoint('2001:db8::2')?.host, '2001:db8::2');
  assert.equal(parseKdcEndpoint('2001:db8::2')?.port, 88);
  assert.equal(parseKdcEndpoint('[::1]')?.port, 88);
  assert.equal(parseKdcEndpoint('UDP/h:89')?.transport, 'udp');
  for (const bad of ['', 'h:0', 'h:65536', 'h:x', '[::1', '[::1]x', ':88']) assert.equal(parseKdcEndpoint(bad), undefined, bad);
});

test('[domain_realm]: the host, then .parent, parent, ... first key present wins (MIT hostrealm_profile)', () => {
  const cfg = parseKrb5Config([MAIN]);
  const cases: [string, string | undefined][] = [
    ['www.example.test', 'EXAMPLE.TEST'], ['WWW.Example.Test.', 'EXAMPLE.TEST'], ['example.test', 'EXAMPLE.TEST'],
    ['special.example.test', 'OTHER.TEST'], ['a.special.example.test', 'OTHER.TEST'], ['x.dev.example.test', 'OTHER.TEST'],
    ['dev.example.test', 'EXAMPLE.TEST'], ['a.b.other.test', 'OTHER.TEST'], ['nowhere.invalid', undefined], ['192.0.2.1', undefined],
    ['::1', undefined], ['localhost', undefined],
  ];
  for (const [h, r] of cases) assert.equal(realmForHost(cfg, h), r, h);
  assert.equal(realmForHost(cfg, 'www.nowhere.invalid', { fallback: true }), 'NOWHERE.INVALID');
  assert.equal(realmForHost(cfg, 'single', { fallback: true }), 'EXAMPLE.TEST');
  // Only `.example.test` (no bare entry): example.test itself is not mapped.
  const dotOnly = parseKrb5Config(['[domain_realm]\n .example.test = EXAMPLE.TEST\n']);
  assert.equal(realmForHost(dotOnly, 'example.test'), undefined);
  assert.equal(realmForHost(dotOnly, 'a.b.example.test'), 'EXAMPLE.TEST');
});

test('durations, booleans, integers and enctype lists', () => {
  const d: [string, number | undefined][] = [
    ['86400', 86400], ['1d', 86400], ['5m', 300], ['1h30m', 5400], ['1h 30m', 5400], ['1d2h3m4s', 93784], ['90s', 90], ['1:30', 5400],
    ['1:30:15', 5415], ['2-01:00:00', 176400], ['-1d', -86400], ['1h-5m', 3300], ['007', 7], ['1:60', 7200], ['1h30', undefined],
    ['1m1h', undefined], ['3 d', undefined], ['', undefined], ['+5', undefined], ['99999999999', undefined], ['1-2', undefined],
  ];
  for (const [s, n] of d) assert.equal(parseDuration(s), n, s);
  for (const s of ['y', 'YES', 'true', 't', '1', 'on']) assert.equal(parseProfileBoolean(s), true, s);
  for (const s of ['n', 'No', 'false', 'nil', '0', 'off']) assert.equal(parseProfileBoolean(s), false, s);
  assert.equal(parseProfileBoolean('2'), undefined);
  assert.equal(parseProfileInteger('0x1F'), 31);
  assert.equal(parseProfileInteger('010'), 8);
  assert.equal(parseProfileInteger('-12 '), -12);
  assert.equal(parseProfileInteger('12a'), undefined);
  assert.deepEqual(parseEnctypeList('aes256-cts aes128-cts-hmac-sha1-96 aes256-cts'), [18, 17]);
  assert.deepEqual(parseEnctypeList('DEFAULT -rc4-hmac -des3'), [18, 17, 20, 19, 25, 26]);
  assert.deepEqual(parseEnctypeList('camellia, des, arcfour-hmac-md5'), [26, 25, 23]);
  assert.deepEqual(parseEnctypeList('rc4-hmac-exp aes128-sha1'), [17], 'weak enctypes need allow_weak_crypto');
  assert.deepEqual(parseEnctypeList('rc4-hmac-exp aes128-sha1', true), [24, 17]);
});

test('includes, includedir name rules and order, nesting limits, errors', () => {
  const t = tempDir();
  try {
    mkdirSync(join(t.dir, 'd'));
    for (const n of ['b.conf', 'a_1', 'c-2', '.hidden.conf', 'e~', 'f.conf.bak', 'g.txt']) t.write(join('d', n), `[realms]\n R = {\n kdc = ${n}\n }\n`);
    const inc = t.write('inc.conf', '[libdefaults]\n default_realm = FROM.INCLUDE\n ticket_lifetime = 1h\n');
    const main = t.write('main.conf', `[libdefaults]\n ticket_lifetime = 2h\ninclude ${inc}\nincludedir ${join(t.dir, 'd')}\n[realms]\n R = {\n kdc = main\n }\n`);
    const cfg = loadKrb5Config({ files: [main] });
    assert.deepEqual(kdcsForRealm(cfg, 'R').map((k) => k.host), ['a_1', 'b.conf', 'c-2', 'main']);
    assert.equal(cfg.libdefaults.defaultRealm, 'FROM.INCLUDE');
    assert.equal(cfg.libdefaults.ticketLifetime, 7200, 'the including file\'s value came first');
    for (const [n, ok] of [['a.conf', true], ['A-b_9', true], ['.x.conf', false], ['x.conf~', false], ['x.y', false], ['', false]] as const) {
      assert.equal(validIncludedirName(n), ok, n);
    }
    // A self-include stops at the depth limit.
    const loop = t.write('loop.conf', '');
    writeFileSync(loop, `include ${loop}\n`);
    assertCode(() => loadKrb5Config({ files: [loop] }), 'DECODE_LIMIT');
    assertCode(() => loadKrb5Config({ files: [t.write('m1.conf', `include ${join(t.dir, 'missing.conf')}\n`)] }), 'UNAVAILABLE');
    assertCode(() => loadKrb5Config({ files: [t.write('m2.conf', `includedir ${join(t.dir, 'missing')}\n`)] }), 'UNAVAILABLE');
    // Missing top-level files are skipped; includes can be turned off.
    const skipped = loadKrb5Config({ env: { KRB5_CONFIG: `${join(t.dir, 'nope.conf')}:${main}` } });
    assert.deepEqual(skipped.files, [main]);
    assert.ok(skipped.warnings.some((w) => w.includes('nope.conf')));
    const off = loadKrb5Config({ files: [main], parse: { includes: false } });
    assert.deepEqual(kdcsForRealm(off, 'R').map((k) => k.host), ['main']);
  } finally {
    t.done();
  }
  const bad: [string, string][] = [
    ['[libdefaults\n', 'section header without'], ['[a]\n}\n', 'extra'], ['[a]\n x\n', 'expected'], ['[a]\n = v\n', 'expected'],
    ['[a]\n x =\n y\n', 'missing "{"'], ['[a]\n x = {\n[b]\n', 'inside'], ['[a] junk\n', 'text after'], ['[a]\n x =\n', 'missing "{"'],
  ];
  for (const [text, msg] of bad) {
    const e = assertCode(() => parseKrb5Config([{ name: 'bad.conf', text }]), 'DECODE_BAD_VALUE');
    assert.match(e.message, new RegExp(`^bad\\.conf:\\d+: .*${msg.replace(/[{}[\]]/g, '\\$&')}`), text);
  }
  assertCode(() => parseKrb5Config(['[a]\n' + 'x = {\n'.repeat(40)]), 'DECODE_LIMIT');
  assertCode(() => parseKrb5Config(['[a]\n' + 'x = 1\n'.repeat(20)], { maxNodes: 10 }), 'DECODE_LIMIT');
  assert.throws(() => parseKrb5Config([7 as unknown as string]), SpnegoError);
});

test('several files: first value wins, lists concatenate, a final section stops the search', () => {
  const a = '[libdefaults]\n default_realm = A.TEST\n[realms]\n R = {\n kdc = a1\n }\n S = {\n kdc = a2\n }*\n[domain_realm]\n .x.test = A.TEST\n';
  const b = '[libdefaults]\n default_realm = B.TEST\n forwardable = true\n[realms]\n R = {\n kdc = b1\n }\n S = {\n kdc = b2\n }\n T = {\n kdc = b3\n }\n[domain_realm]\n .x.test = B.TEST\n y.test = B.TEST\n';
  const cfg = parseKrb5Config([a, b]);
  assert.equal(cfg.libdefaults.defaultRealm, 'A.TEST');
  assert.equal(cfg.libdefaults.forwardable, true);
  assert.deepEqual(kdcsForRealm(cfg, 'R').map((k) => k.host), ['a1', 'b1']);
  assert.deepEqual(kdcsForRealm(cfg, 'S').map((k) => k.host), ['a2']);
  assert.deepEqual(kdcsForRealm(cfg, 'T').map((k) => k.host), ['b3']);
  assert.equal(realmForHost(cfg, 'h.x.test'), 'A.TEST');
  assert.deepEqual(cfg.domainRealm, Object.assign(Object.create(null) as object, { '.x.test': 'A.TEST', 'y.test': 'B.TEST' }));
  const rel = parseKrb5Config(['[libdefaults]\n x* = 1\n', '[libdefaults]\n x = 2\n']);
  assert.deepEqual(profileValues(rel.profile, ['libdefaults', 'x']), ['1', '2'], 'MIT ignores a relation\'s final mark');
  const sub = parseKrb5Config(['[realms]\n A* = {\n kdc = a1\n }\n', '[realms]\n A = {\n kdc = a2\n }\n']);
  assert.deepEqual(kdcsForRealm(sub, 'A').map((k) => k.host), ['a1']);
  const sec = parseKrb5Config(['[libdefaults]*\n x = 1\n', '[libdefaults]\n x = 2\n y = 3\n']);
  assert.deepEqual(profileValues(sec.profile, ['libdefaults', 'x']), ['1']);
  assert.deepEqual(profileValues(sec.profile, ['libdefaults', 'y']), []);
});

// ---- interop: MIT's libkrb5 reads the same files

const HOSTS = [
  'www.example.test', 'example.test', 'special.example.test', 'a.special.example.test', 'x.dev.example.test', 'dev.example.test',
  'a.b.other.test', 'nowhere.invalid', 'WWW.EXAMPLE.TEST.', 'localhost', 'www.spnego.test', 'spnego.test', 'dc1.samba.test', '192.0.2.1',
];
const DELTATS = ['86400', '1d', '5m', '1h30m', '1h 30m', '1d2h3m4s', '90s', '1:30', '1:30:15', '2-01:00:00', '-1d', '1h-5m', '007', '1:60',
  '1:5', '3:4:5', '1-2:3:4', '0m', '5h0m0s', ' 5m ', '1h30', '1m1h', '3 d', '', '+5', '99999999999', '1-2', '1:123', '5 m', '1d1d'];
const ENCLISTS = ['aes', 'DEFAULT', 'DEFAULT -rc4-hmac -des3', 'aes256-cts aes128-cts-hmac-sha1-96 aes256-cts', 'camellia, des, arcfour-hmac-md5',
  'rc4-hmac-exp aes128-sha1', 'aes256-sha2 +aes128-sha2 bogus -aes256-sha2', 'des3-hmac-sha1 des3-cbc-sha1-kd rc4', 'AES256-CTS-HMAC-SHA1-96', '-aes'];

function compareWithMit(cfg: Krb5Config, configPath: string, extraPaths: string[][] = []): void {
  const paths = [
    ...Object.keys(cfg.realms).flatMap((r) => ['kdc', 'admin_server', 'kpasswd_server', 'master_kdc', 'default_domain'].map((k) => ['realms', r, k])),
    ...['default_realm', 'permitted_enctypes', 'default_tkt_enctypes', 'default_tgs_enctypes', 'ticket_lifetime', 'quoted', 'inline', 'rdns',
      'forwardable', 'clockskew', 'dns_lookup_kdc', 'x', 'y'].map((k) => ['libdefaults', k]),
    ...Object.keys(cfg.domainRealm).map((k) => ['domain_realm', k]),
    ...extraPaths,
  ];
  const bools = ['dns_lookup_kdc', 'dns_lookup_realm', 'forwardable', 'rdns', 'renewable', 'allow_weak_crypto'].map((k) => ['libdefaults', k]);
  const ints = ['udp_preference_limit', 'clockskew', 'kdc_timesync', 'ccache_type'].map((k) => ['libdefaults', k]);
  const mit = askMit(configPath, { values: paths, booleans: bools, integers: ints, hosts: HOSTS, fallback_hosts: ['www.nowhere.invalid', 'single'], deltats: DELTATS, enclists: ENCLISTS });
  assert.equal(mit.init_error, undefined);
  for (const p of paths) assert.deepEqual(profileValues(cfg.profile, p), mit.values[p.join('/')], p.join('/'));
  const l = cfg.libdefaults;
  const ours: Record<string, boolean | number> = {
    'libdefaults/dns_lookup_kdc': l.dnsLookupKdc, 'libdefaults/dns_lookup_realm': l.dnsLookupRealm, 'libdefaults/forwardable': l.forwardable,
    'libdefaults/rdns': l.rdns, 'libdefaults/renewable': l.renewable, 'libdefaults/allow_weak_crypto': l.allowWeakCrypto,
    'libdefaults/udp_preference_limit': l.udpPreferenceLimit, 'libdefaults/clockskew': l.clockskew, 'libdefaults/kdc_timesync': l.kdcTimesync,
    'libdefaults/ccache_type': l.ccacheType,
  };
  for (const [k, v] of Object.entries(mit.booleans)) if (v !== 7 && v !== null) assert.equal(ours[k], v === 1, k);
  for (const [k, v] of Object.entries(mit.integers)) if (v !== -7 && v !== null) assert.equal(ours[k], v, k);
  assert.equal(l.defaultRealm ?? null, mit.default_realm);
  assert.deepEqual(l.permittedEnctypes, mit.permitted, 'permitted');
  assert.deepEqual(l.defaultTgsEnctypes, mit.tgs, 'tgs');
  assert.deepEqual(l.defaultTktEnctypes, mit.tkt, 'tkt');
  for (const h of HOSTS) assert.equal(realmForHost(cfg, h) ?? '', mit.host_realm[h], `host ${h}`);
  // { fallback: true } is krb5_get_host_realm, then krb5_get_fallback_host_realm when nothing matched.
  for (const [h, r] of Object.entries(mit.fallback_realm)) {
    if (realmForHost(cfg, h) === undefined) assert.equal(realmForHost(cfg, h, { fallback: true }) ?? null, r, `fallback ${h}`);
  }
  for (const s of DELTATS) assert.equal(parseDuration(s) ?? null, mit.deltats[s], `deltat ${JSON.stringify(s)}`);
  // MIT reports an empty result as an error (KRB5_CONFIG_ETYPE_NOSUPP); parseEnctypeList returns [].
  for (const s of ENCLISTS) assert.deepEqual(parseEnctypeList(s, l.allowWeakCrypto), mit.enclists[s] ?? [], `enctypes ${s}`);
}

test('interop: MIT libkrb5 reads the fixture configs the same way', { skip: !mitAvailable() && 'python3 ctypes + libkrb5.so.3 not available' }, () => {
  const t = tempDir();
  try {
    mkdirSync(join(t.dir, 'd'));
    t.write(join('d', 'extra.conf'), '[realms]\n EXAMPLE.TEST = {\n kdc = from-includedir\n }\n');
    t.write(join('d', '.skipped.conf'), '[realms]\n EXAMPLE.TEST = {\n kdc = skipped\n }\n');
    const inc = t.write('inc.conf', '[libdefaults]\n ticket_lifetime = 1h\n x = inc\n');
    const main = t.write('main.conf', `${MAIN.replace('module /nonexistent/module.so:residual\n', '')}include ${inc}\nincludedir ${join(t.dir, 'd')}\n`);
    const second = t.write('second.conf', '[libdefaults]\n default_realm = SECOND.TEST\n renewable = on\n allow_weak_crypto = true\n x = second\n y* = 1\n'
      + '[realms]\n EXAMPLE.TEST = {\n kdc = second-kdc\n }\n OTHER.TEST = {\n kdc = other2\n }*\n[domain_realm]\n nowhere.invalid = SECOND.TEST\n');
    const third = t.write('third.conf', '[libdefaults]\n y = 3\n[realms]\n OTHER.TEST = {\n kdc = other3\n }\n');
    for (const files of [[main], [main, second, third], [third, second]]) {
      const path = files.join(':');
      compareWithMit(loadKrb5Config({ env: { KRB5_CONFIG: path } }), path);
    }
    const weak = t.write('weak.conf', '[libdefaults]\n allow_weak_crypto = true\n permitted_enctypes = rc4-hmac-exp aes\n');
    compareWithMit(loadKrb5Config({ files: [weak] }), weak);
  } finally {
    t.done();
  }
});

test('interop: the lab\'s generated MIT config (scripts/lab/up.sh krb5conf) parses to what MIT uses', { skip: !mitAvailable() && 'python3 ctypes + libkrb5.so.3 not available' }, () => {
  // The same text up.sh writes to $STATE/krb5.conf (default ports), generated here rather than starting the lab.
  const ENCTYPES = 'aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96 aes256-cts-hmac-sha384-192 aes128-cts-hmac-sha256-128';
  const text = `[libdefaults]
    default_realm = SPNEGO.TEST
    dns_lookup_kdc = false
    dns_lookup_realm = false
    dns_canonicalize_hostname = false
    rdns = false
    ignore_acceptor_hostname = false
    forwardable = true
    permitted_enctypes = ${ENCTYPES} arcfour-hmac
    default_tkt_enctypes = ${ENCTYPES} arcfour-hmac
    default_tgs_enctypes = ${ENCTYPES} arcfour-hmac
    allow_rc4 = true

[realms]
    SPNEGO.TEST = {
        kdc = 127.0.0.1:18888
        admin_server = 127.0.0.1:18749
        kpasswd_server = 127.0.0.1:18464
    }
    SAMBA.TEST = {
        kdc = 127.0.0.2:88
        admin_server = 127.0.0.2
        kpasswd_server = 127.0.0.2:464
    }

[domain_realm]
    localhost = SPNEGO.TEST
    .spnego.test = SPNEGO.TEST
    spnego.test = SPNEGO.TEST
    .samba.test = SAMBA.TEST
    samba.test = SAMBA.TEST
`;
  const t = tempDir();
  try {
    const p = t.write('krb5.conf', text);
    const cfg = loadKrb5Config({ env: { KRB5_CONFIG: p } });
    compareWithMit(cfg, p, [['libdefaults', 'allow_rc4'], ['libdefaults', 'ignore_acceptor_hostname']]);
    const l = cfg.libdefaults;
    assert.equal(l.defaultRealm, 'SPNEGO.TEST');
    assert.deepEqual([l.dnsLookupKdc, l.dnsLookupRealm, l.dnsCanonicalizeHostname, l.rdns, l.forwardable], [false, false, false, false, true]);
    assert.deepEqual(l.permittedEnctypes, [18, 17, 20, 19, 23]);
    assert.deepEqual(kdcsForRealm(cfg, 'SPNEGO.TEST').map((k) => `${k.host}:${k.port}`), ['127.0.0.1:18888']);
    assert.deepEqual(cfg.realms['SAMBA.TEST']!.adminServer.map((k) => `${k.host}:${k.port}`), ['127.0.0.2:749']);
    assert.deepEqual(cfg.realms['SAMBA.TEST']!.kpasswdServer.map((k) => `${k.host}:${k.port}`), ['127.0.0.2:464']);
    assert.equal(realmForHost(cfg, 'www.spnego.test'), 'SPNEGO.TEST');
    assert.equal(realmForHost(cfg, 'dc1.samba.test'), 'SAMBA.TEST');
    assert.equal(realmForHost(cfg, 'localhost'), 'SPNEGO.TEST');
    assert.deepEqual(cfg.warnings, []);
  } finally {
    t.done();
  }
});
