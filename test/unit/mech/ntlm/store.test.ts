// NT-hash stores: in-memory and gss-ntlmssp's NTLM_USER_FILE format.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toHex } from '../../../../src/bytes/encoding.js';
import { SpnegoError } from '../../../../src/errors.js';
import { NTOWFv1 } from '../../../../src/crypto/ntlm.js';
import { MemoryNtHashStore, NtlmUserFileStore, parseNtlmUserFile } from '../../../../src/mech/ntlm/store.js';

const hex = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : toHex(b));

test('MemoryNtHashStore: DOMAIN\\user and bare keys, passwords and hashes, case-insensitive', async () => {
  const h = NTOWFv1('hashpw');
  const s = new MemoryNtHashStore({ 'EXAMPLE\\Alice': 'pw1', anyone: 'pw2', 'EXAMPLE\\h': { ntHash: h } });
  assert.equal(hex(await s.lookup('alice', 'example')), toHex(NTOWFv1('pw1')));
  assert.equal(hex(await s.lookup('ALICE', 'EXAMPLE')), toHex(NTOWFv1('pw1')));
  assert.equal(await s.lookup('alice', 'OTHER'), undefined);
  assert.equal(hex(await s.lookup('Anyone', 'WHATEVER')), toHex(NTOWFv1('pw2')));
  assert.equal(hex(await s.lookup('h', 'example')), toHex(h));
  assert.equal(await s.lookup('nobody', 'EXAMPLE'), undefined);
  assert.equal(hex(await s.lookup('alice', '')), toHex(NTOWFv1('pw1')), 'empty lookup domain is a wildcard');
  // Copies: wiping a returned hash does not damage the store.
  (await s.lookup('h', 'EXAMPLE'))!.fill(0);
  assert.equal(hex(await s.lookup('h', 'EXAMPLE')), toHex(h));
  assert.throws(() => new MemoryNtHashStore({ 'D\\x': { ntHash: new Uint8Array(3) } }), SpnegoError);
  assert.throws(() => new MemoryNtHashStore({ 'D\\': 'pw' }), SpnegoError);
});

test('parseNtlmUserFile: DOMAIN:user:password, colons in passwords, comments and malformed lines skipped (as gss-ntlmssp)', () => {
  assert.deepEqual(parseNtlmUserFile('# comment\nEXAMPLE:alice:pa:ss\n\nnocolons\nD:onlyone\n:bob:pw\r\n'), [
    { domain: 'EXAMPLE', user: 'alice', password: 'pa:ss' },
    { domain: '', user: 'bob', password: 'pw' },
  ]);
});

test('NtlmUserFileStore: reads the file per lookup, honours NTLM_USER_FILE, case-insensitive', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ntlm-store-'));
  try {
    const file = join(dir, 'users');
    writeFileSync(file, 'EXAMPLE:alice:pw1\nOTHER:alice:pw3\n:nodom:pw2\n');
    const s = new NtlmUserFileStore(file);
    assert.equal(hex(await s.lookup('ALICE', 'example')), toHex(NTOWFv1('pw1')));
    assert.equal(hex(await s.lookup('alice', 'other')), toHex(NTOWFv1('pw3')));
    assert.equal(await s.lookup('alice', 'THIRD'), undefined);
    // An empty lookup domain is a wildcard: the first line for the user wins.
    assert.equal(hex(await s.lookup('alice', '')), toHex(NTOWFv1('pw1')));
    // An empty file domain matches only an empty lookup domain.
    assert.equal(await s.lookup('nodom', 'X'), undefined);
    assert.equal(hex(await s.lookup('nodom', '')), toHex(NTOWFv1('pw2')));
    writeFileSync(file, 'EXAMPLE:alice:changed\n');
    assert.equal(hex(await s.lookup('alice', 'EXAMPLE')), toHex(NTOWFv1('changed')));

    const saved = process.env['NTLM_USER_FILE'];
    try {
      process.env['NTLM_USER_FILE'] = file;
      assert.equal(new NtlmUserFileStore().path, file);
      delete process.env['NTLM_USER_FILE'];
      assert.throws(() => new NtlmUserFileStore(), (e: unknown) => e instanceof SpnegoError && e.code === 'NO_CRED');
    } finally {
      if (saved === undefined) delete process.env['NTLM_USER_FILE'];
      else process.env['NTLM_USER_FILE'] = saved;
    }
    await assert.rejects(new NtlmUserFileStore(join(dir, 'missing')).lookup('a', 'b'), (e: unknown) => e instanceof SpnegoError && e.code === 'NO_CRED');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
