// Interop: spnego kinit / klist / kdestroy against the lab's MIT KDC and Samba AD KDC, with MIT's
// own klist, kinit and kvno on the same files: our caches are read by MIT klist and used by MIT
// kvno (so the session key and ticket bytes are right), MIT's caches and keytabs are listed by us
// exactly as MIT lists them, renewal behaves as MIT's kinit -R, and failures are typed one-liners
// that never echo the password (also on a terminal, through a pty). A temp cache per test.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync, copyFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoPath } from '../helpers/paths.js';
import { readCcache } from '../../src/mech/krb5/ccache-store.js';

interface Lab {
  python: string;
  mit: { realm: string; krb5Conf: string; users: { name: string; password: string }[]; httpKeytab: string; hostKeytab: string; clientKeytab: string; httpPrincipals: string[] };
  samba: { realm: string; krb5Conf: string; users: { name: string; password: string }[]; serviceAccount: { spn: string }; httpKeytab: string };
}
let lab: Lab;
const BIN = repoPath('dist/src/cli/main.js');
const root = mkdtempSync(join(tmpdir(), 'spnego-krb5-cli-interop-'));
after(() => rmSync(root, { recursive: true, force: true }));
before(() => {
  const s = process.env['LAB_STATE'];
  if (!s) throw new Error('LAB_STATE is not set: run `npm test`, which starts the lab');
  lab = JSON.parse(readFileSync(join(s, 'lab.json'), 'utf8')) as Lab;
});
const pw = (users: { name: string; password: string }[], n: string) => users.find((u) => u.name === n)!.password;

type Env = Record<string, string>;
/** The same locale and zone for MIT's tools and ours, so that their dates compare as text. */
function baseEnv(cache: string, conf = lab.mit.krb5Conf): Env {
  return { PATH: process.env['PATH'] ?? '/usr/bin:/bin', LC_ALL: 'C', TZ: 'UTC', KRB5_CONFIG: conf, KRB5CCNAME: `FILE:${cache}` };
}
function spnego(args: string[], env: Env, input = '') {
  const r = spawnSync(process.execPath, [BIN, ...args], { input, encoding: 'utf8', timeout: 30_000, env });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
function mit(cmd: string, args: string[], env: Env, input = '') {
  const r = spawnSync(cmd, args, { input, encoding: 'utf8', timeout: 30_000, env });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
let n = 0;
const tempCache = () => join(mkdtempSync(join(root, `t${++n}-`)), 'cc');
const noStack = (s: string) => assert.ok(!/\n\s+at /.test(s), `no stack trace in: ${s}`);

interface KlistRow { start: number; end: number; server: string; renewUntil?: number; flags?: string; skey?: string; tkt?: string }
const when = (s: string): number => {
  const m = /^(\d\d)\/(\d\d)\/(\d\d) (\d\d):(\d\d):(\d\d)$/.exec(s);
  assert.ok(m, `date ${s}`);
  return Date.UTC(2000 + Number(m[3]), Number(m[1]) - 1, Number(m[2]), Number(m[4]), Number(m[5]), Number(m[6])) / 1000;
};
/** MIT klist's cache listing, parsed (LC_ALL=C, TZ=UTC). */
function parseKlist(text: string): { cache: string; principal: string; rows: KlistRow[] } {
  const lines = text.split('\n');
  const cache = /^Ticket cache: (.*)$/.exec(lines[0] ?? '')?.[1];
  const principal = /^Default principal: (.*)$/.exec(lines[1] ?? '')?.[1];
  assert.ok(cache && principal, text);
  const rows: KlistRow[] = [];
  for (const l of lines.slice(4)) {
    const m = /^(\d\d\/\d\d\/\d\d \d\d:\d\d:\d\d) {2}(\d\d\/\d\d\/\d\d \d\d:\d\d:\d\d) {2}(\S+)$/.exec(l);
    if (m) {
      rows.push({ start: when(m[1]!), end: when(m[2]!), server: m[3]! });
      continue;
    }
    const row = rows[rows.length - 1];
    if (!row || !l.startsWith('\t')) continue;
    const r = /renew until (\d\d\/\d\d\/\d\d \d\d:\d\d:\d\d)/.exec(l);
    if (r) row.renewUntil = when(r[1]!);
    const f = /Flags: (\w+)/.exec(l);
    if (f) row.flags = f[1]!;
    const e = /Etype \(skey, tkt\): ([^,]+), (\S+)/.exec(l);
    if (e) [row.skey, row.tkt] = [e[1]!, e[2]!];
  }
  return { cache, principal, rows };
}

const ENCTYPES = ['aes256-cts-hmac-sha1-96', 'aes128-cts-hmac-sha1-96', 'aes256-cts-hmac-sha384-192', 'aes128-cts-hmac-sha256-128'];

test('our kinit (SPNEGO_PASSWORD) then MIT klist -e reads the TGT and MIT kvno gets HTTP/localhost with it, for each enctype; kdestroy', () => {
  for (const enctype of ENCTYPES) {
    const cc = tempCache();
    // A krb5.conf that asks for this enctype only (for the session key; the KDC picks the ticket's).
    const conf = join(cc, '..', 'krb5.conf');
    writeFileSync(conf, readFileSync(lab.mit.krb5Conf, 'utf8').replace(/default_tkt_enctypes = .*/, `default_tkt_enctypes = ${enctype}`));
    const env = baseEnv(cc, conf);
    const k = spnego(['kinit', `alice@${lab.mit.realm}`], { ...env, SPNEGO_PASSWORD: pw(lab.mit.users, 'alice') });
    assert.equal(k.code, 0, k.err);
    assert.equal(k.out + k.err, '', 'kinit with SPNEGO_PASSWORD prints nothing');
    const l = mit('klist', ['-e', '-f'], env);
    assert.equal(l.code, 0, l.err);
    const p = parseKlist(l.out);
    assert.equal(p.cache, `FILE:${cc}`);
    assert.equal(p.principal, `alice@${lab.mit.realm}`);
    assert.equal(p.rows.length, 1);
    const tgt = p.rows[0]!;
    assert.equal(tgt.server, `krbtgt/${lab.mit.realm}@${lab.mit.realm}`);
    assert.equal(tgt.skey, enctype, `${enctype}: session key`);
    assert.equal(tgt.tkt, 'aes256-cts-hmac-sha1-96', 'the KDC encrypts its TGT in its own strongest key');
    assert.match(tgt.flags ?? '', /^F.*I/, 'forwardable (krb5.conf) and initial');
    assert.ok(tgt.end > Date.now() / 1000);
    const v = mit('kvno', [`HTTP/localhost@${lab.mit.realm}`], env);
    assert.equal(v.code, 0, `${enctype}: ${v.err}`);
    assert.match(v.out, new RegExp(`^HTTP/localhost@${lab.mit.realm}: kvno = \\d+\\n$`));
    const after = parseKlist(mit('klist', ['-e'], env).out);
    assert.deepEqual(after.rows.map((r) => r.server), [`krbtgt/${lab.mit.realm}@${lab.mit.realm}`, `HTTP/localhost@${lab.mit.realm}`]);
    // Our klist prints what MIT's prints, byte for byte, also with MIT's ticket added.
    for (const o of [[], ['-e'], ['-e', '-f', '-a', '-n']]) assert.equal(spnego(['klist', ...o], env).out, mit('klist', o, env).out, `klist ${o.join(' ')}`);
    const d = spnego(['kdestroy'], env);
    assert.equal(d.code, 0, d.err);
    assert.equal(existsSync(cc), false);
    const gone = mit('klist', [], env);
    assert.equal(gone.code, 1);
    assert.match(gone.err, /No credentials cache found/);
  }
});

test('MIT kinit + kvno, then spnego klist shows what MIT klist shows (all option sets, config entries with -C)', () => {
  const cc = tempCache();
  const env = baseEnv(cc);
  const k = mit('kinit', ['-f', '-r', '2d', `bob@${lab.mit.realm}`], env, `${pw(lab.mit.users, 'bob')}\n`);
  assert.equal(k.code, 0, k.err);
  assert.equal(mit('kvno', [`HTTP/www.spnego.test@${lab.mit.realm}`, `host/localhost@${lab.mit.realm}`], env).code, 0);
  for (const o of [[], ['-e'], ['-f'], ['-e', '-f'], ['-e', '-f', '-a', '-n'], ['-C'], ['-C', '-e', '-f']]) {
    const ours = spnego(['klist', ...o], env);
    const theirs = mit('klist', o, env);
    assert.equal(ours.code, 0, ours.err);
    assert.equal(ours.out, theirs.out, `klist ${o.join(' ')}`);
  }
  const parsed = parseKlist(spnego(['klist', '-e', '-f'], env).out);
  assert.equal(parsed.principal, `bob@${lab.mit.realm}`);
  assert.deepEqual(parsed.rows.map((r) => r.server), [`krbtgt/${lab.mit.realm}@${lab.mit.realm}`, `HTTP/www.spnego.test@${lab.mit.realm}`, `host/localhost@${lab.mit.realm}`]);
  assert.ok(parsed.rows.every((r) => r.skey === 'aes256-cts-hmac-sha1-96' && r.flags?.includes('R') && r.renewUntil !== undefined));
  assert.equal(spnego(['klist', '-s'], env).code, 0);
});

test('spnego kinit -k -t with the lab client keytab (its principal per MIT klist -k), then MIT klist and kvno', () => {
  const kl = mit('klist', ['-k', lab.mit.clientKeytab], {});
  const principal = /^\s+\d+ (\S+)$/m.exec(kl.out)?.[1];
  assert.equal(principal, `alice@${lab.mit.realm}`, kl.out);
  for (const args of [['-k', '-t', lab.mit.clientKeytab, principal], ['-k', '-t', `FILE:${lab.mit.clientKeytab}`]]) {
    const cc = tempCache();
    const env = baseEnv(cc);
    const k = spnego(['kinit', ...args], env);
    assert.equal(k.code, 0, k.err);
    const p = parseKlist(mit('klist', ['-e'], env).out);
    assert.equal(p.principal, principal);
    assert.equal(p.rows[0]?.server, `krbtgt/${lab.mit.realm}@${lab.mit.realm}`);
    assert.equal(p.rows[0]?.skey, 'aes256-cts-hmac-sha1-96');
    assert.equal(mit('kvno', [`HTTP/localhost@${lab.mit.realm}`], env).code, 0);
  }
  // KRB5_CLIENT_KTNAME is the default keytab of kinit -k.
  const cc = tempCache();
  const k = spnego(['kinit', '-k'], { ...baseEnv(cc), KRB5_CLIENT_KTNAME: lab.mit.clientKeytab });
  assert.equal(k.code, 0, k.err);
  assert.equal(parseKlist(mit('klist', [], baseEnv(cc)).out).principal, principal);
});

test('spnego klist -k lists the lab keytabs (MIT ktutil/kadmin and samba-tool exports) exactly as MIT klist -k does', () => {
  for (const kt of [lab.mit.httpKeytab, lab.mit.hostKeytab, lab.mit.clientKeytab, lab.samba.httpKeytab]) {
    for (const o of [[], ['-e'], ['-t'], ['-t', '-e', '-K']]) {
      const theirs = mit('klist', ['-k', ...o, kt], { LC_ALL: 'C', TZ: 'UTC' });
      assert.equal(theirs.code, 0, theirs.err);
      const ours = spnego(['klist', '-k', ...o, kt], { PATH: process.env['PATH'] ?? '', TZ: 'UTC' });
      assert.equal(ours.code, 0, ours.err);
      assert.equal(ours.out, theirs.out, `klist -k ${o.join(' ')} ${kt}`);
    }
  }
});

test('spnego kinit -r 1d, then spnego kinit -R renews as MIT kinit -R does (same flags, renew-till, lifetime; authtime kept) and MIT uses the result', async () => {
  const cc = tempCache();
  const env = baseEnv(cc);
  const k = spnego(['kinit', '-l', '10m', '-r', '1d', `alice@${lab.mit.realm}`], { ...env, SPNEGO_PASSWORD: pw(lab.mit.users, 'alice') });
  assert.equal(k.code, 0, k.err);
  const before = readCcache(cc).credentials[0]!;
  const b = parseKlist(mit('klist', ['-f'], env).out).rows[0]!;
  assert.equal(b.end - b.start, 600);
  assert.ok(b.renewUntil !== undefined && Math.abs(b.renewUntil - b.start - 86400) <= 1);
  assert.match(b.flags!, /R/);
  const mitCopy = `${cc}.mit`;
  copyFileSync(cc, mitCopy);
  await new Promise((r) => setTimeout(r, 1100));

  const r = spnego(['kinit', '-R'], env);
  assert.equal(r.code, 0, r.err);
  const m = mit('kinit', ['-R', '-c', `FILE:${mitCopy}`], env);
  assert.equal(m.code, 0, m.err);
  const ours = parseKlist(mit('klist', ['-f', '-e'], env).out);
  const theirs = parseKlist(mit('klist', ['-f', '-e', mitCopy], env).out);
  assert.equal(ours.principal, theirs.principal);
  assert.equal(ours.rows.length, 1);
  const [o, t] = [ours.rows[0]!, theirs.rows[0]!];
  assert.equal(o.server, t.server);
  assert.equal(o.flags, t.flags, 'the same flags as MIT kinit -R (renewable kept)');
  assert.equal(o.renewUntil, b.renewUntil, 'renew-till unchanged');
  assert.equal(t.renewUntil, b.renewUntil);
  assert.ok(o.start > b.start, 'a new start time');
  assert.equal(o.end - o.start, 600, 'the same lifetime, from now');
  assert.ok(Math.abs(o.start - t.start) <= 2);
  assert.deepEqual([o.skey, o.tkt], [t.skey, t.tkt]);
  const renewed = readCcache(cc).credentials[0]!;
  assert.equal(renewed.authtime.getTime(), before.authtime.getTime(), 'authtime is the original one');
  assert.notDeepEqual(renewed.sessionKey.value, before.sessionKey.value, 'a new session key');
  assert.equal(mit('kvno', [`HTTP/localhost@${lab.mit.realm}`], env).code, 0);
  // A ticket that is not renewable (a lifetime within the KDC's maximum, so renewable-ok does not
  // make it renewable, as for MIT's kinit -l 1h): a typed error, the cache untouched.
  const cc2 = tempCache();
  const env2 = baseEnv(cc2);
  assert.equal(spnego(['kinit', '-l', '1h', `alice@${lab.mit.realm}`], { ...env2, SPNEGO_PASSWORD: pw(lab.mit.users, 'alice') }).code, 0);
  const bytes = readFileSync(cc2);
  const nr = spnego(['kinit', '-R'], env2);
  assert.equal(nr.code, 1);
  assert.match(nr.err, /^spnego: CREDENTIALS_EXPIRED: .* while renewing credentials\n$/);
  assert.deepEqual(readFileSync(cc2), bytes);
});

test('Samba AD: spnego kinit alice@SAMBA.TEST (and -E alice@samba.test) with the Samba krb5.conf, then MIT kvno for the HTTP SPN from our cache', () => {
  for (const [args, principal] of [[[`alice@${lab.samba.realm}`], `alice@${lab.samba.realm}`], [['-E', `alice@${lab.samba.realm.toLowerCase()}`], `alice@${lab.samba.realm}`]] as const) {
    const cc = tempCache();
    const env = baseEnv(cc, lab.samba.krb5Conf);
    const k = spnego(['kinit', ...args], { ...env, SPNEGO_PASSWORD: pw(lab.samba.users, 'alice') });
    assert.equal(k.code, 0, k.err);
    const p = parseKlist(mit('klist', ['-e'], env).out);
    assert.equal(p.principal, principal, 'the cache principal is the KDC-canonical client name');
    assert.equal(p.rows[0]?.server, `krbtgt/${lab.samba.realm}@${lab.samba.realm}`);
    const v = mit('kvno', [lab.samba.serviceAccount.spn], env);
    assert.equal(v.code, 0, v.err);
    assert.match(v.out, /kvno = \d+/);
    const after = parseKlist(spnego(['klist', '-e'], env).out);
    assert.equal(after.rows[1]?.server, lab.samba.serviceAccount.spn);
    assert.match(after.rows[1]?.tkt ?? '', /^aes/);
    assert.equal(spnego(['klist', '-e', '-f'], env).out, mit('klist', ['-e', '-f'], env).out);
  }
});

test('failures: wrong password (MIT and Samba, no stack trace, never the password, no cache), errors in MIT kinit\'s words, an unwritable cache', () => {
  const wrong = 'Wr0ng-Secret-42';
  for (const [realm, conf] of [[lab.mit.realm, lab.mit.krb5Conf], [lab.samba.realm, lab.samba.krb5Conf]] as const) {
    for (const how of ['pipe', 'env'] as const) {
      const cc = tempCache();
      const env = baseEnv(cc, conf);
      const r = how === 'pipe' ? spnego(['kinit', `alice@${realm}`], env, `${wrong}\n`) : spnego(['kinit', `alice@${realm}`], { ...env, SPNEGO_PASSWORD: wrong });
      assert.equal(r.code, 1, `${realm} ${how}: ${r.err}`);
      assert.match(r.err, /(^|\n)spnego: UNAUTHORIZED: Password incorrect while getting initial credentials/);
      assert.equal(r.err.split('\n').filter((l) => l.startsWith('spnego:')).length, 1);
      noStack(r.err);
      assert.ok(!(r.out + r.err).includes(wrong), 'the password is never printed');
      assert.equal(existsSync(cc), false);
    }
  }
  // In MIT's words: our message starts with what MIT's kinit says after "kinit: ".
  const cases: [string, string[], string, string][] = [
    ['wrong password', [`alice@${lab.mit.realm}`], wrong, lab.mit.krb5Conf],
    ['unknown client', [`nobody@${lab.mit.realm}`], 'x', lab.mit.krb5Conf],
    ['Samba SPN as client', ['-k', '-t', lab.samba.httpKeytab, lab.samba.serviceAccount.spn], '', lab.samba.krb5Conf],
  ];
  for (const [what, args, password, conf] of cases) {
    const env = baseEnv(tempCache(), conf);
    const ours = spnego(['kinit', ...args], env, `${password}\n`);
    const theirs = mit('kinit', args, env, `${password}\n`);
    assert.equal(ours.code, 1, what);
    assert.equal(theirs.code, 1, what);
    const mitText = /^kinit: (.*)$/m.exec(theirs.err)?.[1];
    const ourText = /^spnego: [A-Z_]+: (.*)$/m.exec(ours.err)?.[1];
    assert.ok(mitText && ourText?.startsWith(mitText), `${what}: ours ${JSON.stringify(ours.err)}, MIT ${JSON.stringify(theirs.err)}`);
  }
  // As MIT's kinit, no password prompt for a principal the KDC does not know: it asks only once
  // the KDC wants pre-authentication (or sends an AS-REP to decrypt).
  const unknownOurs = spnego(['kinit', `nobody-here@${lab.mit.realm}`], baseEnv(tempCache()), '');
  const unknownMit = mit('kinit', [`nobody-here@${lab.mit.realm}`], baseEnv(tempCache()), '');
  assert.equal(unknownOurs.code, 1);
  assert.doesNotMatch(unknownOurs.err, /Password for/);
  assert.doesNotMatch(unknownMit.err, /Password for/, 'MIT does not prompt either');
  // A cache that cannot be written: a typed one-liner, exit 1.
  const w = spnego(['kinit', '-c', join(root, 'no-such-dir', 'cc'), `alice@${lab.mit.realm}`], { ...baseEnv(tempCache()), SPNEGO_PASSWORD: pw(lab.mit.users, 'alice') });
  assert.equal(w.code, 1, w.err);
  assert.match(w.err, /^spnego: FAILURE: cannot store the credentials in .*no-such-dir\/cc: ENOENT\n$/);
  // A cache name that is a directory: the rename fails after the TGT was written to the
  // temporary file beside it, which must not be left behind.
  const parent = mkdtempSync(join(root, 'dir-'));
  mkdirSync(join(parent, 'cc'));
  const d = spnego(['kinit', '-c', join(parent, 'cc'), `alice@${lab.mit.realm}`], { ...baseEnv(tempCache()), SPNEGO_PASSWORD: pw(lab.mit.users, 'alice') });
  assert.equal(d.code, 1, d.err);
  assert.deepEqual(readdirSync(parent), ['cc'], 'no temporary file left holding the TGT');
});

/** Runs a command on a pseudo-terminal, types `typed` + Enter after the password prompt, returns all the terminal showed. */
function onTerminal(argv: string[], env: Env, typed: string): { code: number; screen: string } {
  const script = `
import json, os, pty, select, sys, time
argv, typed = json.loads(sys.argv[1]), sys.argv[2]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(argv[0], argv)
out = b''
def pump(done, limit):
    global out
    end = time.time() + limit
    while time.time() < end and not done():
        if select.select([fd], [], [], 0.1)[0]:
            try:
                data = os.read(fd, 4096)
            except OSError:
                return
            if not data:
                return
            out += data
pump(lambda: b'Password for' in out and out.rstrip().endswith(b':'), 20)
time.sleep(0.2)
os.write(fd, typed.encode() + b'\\r')
pump(lambda: False, 30)
status = os.waitpid(pid, 0)[1]
print(json.dumps({'code': os.waitstatus_to_exitcode(status), 'screen': out.decode('utf8', 'replace')}))
`;
  const r = spawnSync(lab.python, ['-c', script, JSON.stringify(argv), typed], { encoding: 'utf8', timeout: 60_000, env });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as { code: number; screen: string };
}

test('on a terminal the password prompt does not echo: a wrong one fails typed, a right one writes the cache', () => {
  const wrong = 'Tty-Wrong-Secret-7';
  const cc = tempCache();
  const env = baseEnv(cc);
  const bad = onTerminal([process.execPath, BIN, 'kinit', `alice@${lab.mit.realm}`], env, wrong);
  assert.equal(bad.code, 1, bad.screen);
  assert.match(bad.screen, /^Password for alice@SPNEGO\.TEST: \r?\n/);
  assert.match(bad.screen, /spnego: UNAUTHORIZED: Password incorrect while getting initial credentials/);
  assert.ok(!bad.screen.includes(wrong), `no echo: ${JSON.stringify(bad.screen)}`);
  noStack(bad.screen);
  const right = pw(lab.mit.users, 'alice');
  const good = onTerminal([process.execPath, BIN, 'kinit', `alice@${lab.mit.realm}`], env, right);
  assert.equal(good.code, 0, good.screen);
  assert.ok(!good.screen.includes(right), `no echo: ${JSON.stringify(good.screen)}`);
  assert.equal(parseKlist(mit('klist', [], env).out).principal, `alice@${lab.mit.realm}`);
});
