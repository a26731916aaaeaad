// The shared parse cache behind the public API's keytab and ccache reads: one parse while the
// file is unchanged, a new parse after any change, and the parser's own error for a missing file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cachedParse } from '../../../src/mech/file-cache.js';

test('cachedParse: parsed once while unchanged; re-parsed after a rewrite of the same size and after a touch; missing file -> the parser decides', () => {
  const dir = mkdtempSync(join(tmpdir(), 'file-cache-'));
  try {
    const f = join(dir, 'keytab');
    writeFileSync(f, 'one');
    let parses = 0;
    const parse = (): string => {
      parses++;
      return `parsed#${parses}`;
    };
    assert.equal(cachedParse('t', f, parse), 'parsed#1');
    assert.equal(cachedParse('t', f, parse), 'parsed#1');
    assert.equal(cachedParse('other-kind', f, parse), 'parsed#2', 'kinds are cached apart');
    writeFileSync(f, 'two'); // same size: the modification time (ns) tells
    utimesSync(f, new Date(), new Date(Date.now() + 5000));
    assert.equal(cachedParse('t', f, parse), 'parsed#3');
    assert.equal(cachedParse('t', f, parse), 'parsed#3');
    rmSync(f);
    assert.throws(() => cachedParse('t', f, () => {
      throw new Error('no such keytab');
    }), /no such keytab/);
    writeFileSync(f, 'one');
    assert.equal(cachedParse('t', f, parse), 'parsed#4', 'a file that came back is read again');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
