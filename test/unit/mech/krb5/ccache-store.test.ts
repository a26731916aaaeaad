// Credential caches on disk (src/mech/krb5/ccache-store.ts): written the way that is safe in a
// shared /tmp and that MIT's tools expect (findings of a side-by-side run against MIT 1.20):
// exclusive temporary files with unpredictable names, nothing left behind on failure, service
// tickets appended in place (owner, mode and inode kept), kdestroy that unlinks before zeroing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { appendToCcache, ccachePath, destroyCcache, readCcache, writeCcache, expandPath } from '../../../../src/mech/krb5/ccache-store.js';
import { SpnegoError } from '../../../../src/errors.js';
import { issueTicket } from '../../../helpers/krb5-ticket.js';

const withDir = (fn: (dir: string) => void) => {
  const dir = mkdtempSync(join(tmpdir(), 'spnego-ccache-store-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};
const tgt = () => issueTicket(18, { service: 'krbtgt/EXAMPLE.TEST@EXAMPLE.TEST' }).cred;
const svc = () => issueTicket(18).cred;

test('writeCcache: mode 0600 through an exclusive, unpredictable temporary file; a file planted under the old predictable name is left alone', () => {
  withDir((dir) => {
    const path = join(dir, 'cc');
    const planted = join(dir, `.cc.${process.pid}.tmp`);
    writeFileSync(planted, 'attacker', { mode: 0o666 });
    writeCcache(`FILE:${path}`, tgt().client, [tgt()]);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(readFileSync(planted, 'utf8'), 'attacker', 'our credentials never went into a file someone else prepared');
    assert.deepEqual(readdirSync(dir).sort(), ['.cc.' + process.pid + '.tmp', 'cc']);
    assert.equal(readCcache(path).credentials.length, 1);
  });
});

test('writeCcache: a failure (the name is a directory) is a typed error and leaves no temporary file holding keys', () => {
  withDir((dir) => {
    mkdirSync(join(dir, 'target'));
    assert.throws(() => writeCcache(join(dir, 'target'), tgt().client, [tgt()]), (e: unknown) => e instanceof SpnegoError && e.code === 'FAILURE');
    assert.deepEqual(readdirSync(dir), ['target']);
  });
});

test('an empty cache name (KRB5CCNAME= or FILE:) is refused before anything is written', () => {
  for (const name of ['', 'FILE:']) assert.throws(() => ccachePath(name), (e: unknown) => e instanceof SpnegoError && e.code === 'BAD_ARGUMENT');
});

test('appendToCcache: appended in place (same inode and mode, as MIT fcc_store), readable by a fresh read', () => {
  withDir((dir) => {
    const path = join(dir, 'cc');
    writeCcache(path, tgt().client, [tgt()]);
    const before = statSync(path);
    const added = svc();
    appendToCcache(path, [added]);
    const after = statSync(path);
    assert.equal(after.ino, before.ino);
    assert.equal(after.mode, before.mode);
    const c = readCcache(path);
    assert.equal(c.credentials.length, 2);
    assert.deepEqual(c.credentials[1]!.ticketDer, added.ticketDer);
    assert.equal(c.raw.trailer, undefined);
  });
});

test('a cache whose last credential was cut short is read up to it (as MIT) and not appended to', () => {
  withDir((dir) => {
    const path = join(dir, 'cc');
    writeCcache(path, tgt().client, [tgt(), svc()]);
    const bytes = readFileSync(path);
    writeFileSync(path, bytes.subarray(0, bytes.length - 7));
    const c = readCcache(path);
    assert.equal(c.credentials.length, 1);
    appendToCcache(path, [svc()]);
    assert.equal(readFileSync(path).length, bytes.length - 7, 'left as it was');
  });
});

test('destroyCcache: the file is gone; a missing cache is false', () => {
  withDir((dir) => {
    const path = join(dir, 'cc');
    writeCcache(path, tgt().client, [tgt()]);
    assert.equal(destroyCcache(path), true);
    assert.deepEqual(readdirSync(dir), []);
    assert.equal(destroyCcache(path), false);
  });
});

test('%{username} in a cache name is the passwd entry\'s user name (as MIT), not $USER, which su and sudo leave stale', async () => {
  const saved = process.env['USER'];
  process.env['USER'] = 'not-the-login-name';
  try {
    assert.equal(expandPath('/tmp/krb5cc_%{username}'), `/tmp/krb5cc_${userInfo().username}`);
    assert.equal(expandPath('/tmp/krb5cc_%{uid}'), `/tmp/krb5cc_${process.getuid!()}`);
  } finally {
    if (saved === undefined) delete process.env['USER'];
    else process.env['USER'] = saved;
  }
});
