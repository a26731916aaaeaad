// Independent check of string-to-key against MIT krb5: ktutil derives keys from passwords into a
// keytab (MIT keytab format v2), which we parse and compare with our stringToKey for the default
// salt (realm followed by the name components). Covers all four AES enctypes and rc4-hmac.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getProfile } from '../../../../src/crypto/krb5/index.js';
import { toHex } from '../../../../src/bytes/index.js';

interface Entry {
  principal: string;
  enctype: number;
  key: Uint8Array;
}

/** Parses an MIT keytab v2 (0x0502): int32 size, then the entry; negative sizes are holes. */
function parseKeytab(b: Uint8Array): Entry[] {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  assert.equal(dv.getUint16(0), 0x0502, 'keytab v2');
  const out: Entry[] = [];
  let off = 2;
  while (off + 4 <= b.length) {
    const size = dv.getInt32(off);
    off += 4;
    if (size <= 0) {
      off += -size;
      continue;
    }
    const end = off + size;
    let p = off;
    const str = (): string => {
      const n = dv.getUint16(p);
      const s = new TextDecoder().decode(b.subarray(p + 2, p + 2 + n));
      p += 2 + n;
      return s;
    };
    const ncomp = dv.getUint16(p);
    p += 2;
    const realm = str();
    const comps: string[] = [];
    for (let i = 0; i < ncomp; i++) comps.push(str());
    p += 4 + 4 + 1; // name type, timestamp, vno8
    const enctype = dv.getUint16(p);
    const klen = dv.getUint16(p + 2);
    out.push({ principal: `${comps.join('/')}@${realm}`, enctype, key: b.slice(p + 4, p + 4 + klen) });
    off = end;
  }
  return out;
}

const hasKtutil = spawnSync('ktutil', ['--help'], { stdio: 'ignore' }).error === undefined;

const MIT_NAMES: Record<number, string> = {
  17: 'aes128-cts-hmac-sha1-96',
  18: 'aes256-cts-hmac-sha1-96',
  19: 'aes128-cts-hmac-sha256-128',
  20: 'aes256-cts-hmac-sha384-192',
  23: 'arcfour-hmac',
};

const CASES: { principal: string; salt: string; password: string }[] = [
  { principal: 'alice@X', salt: 'Xalice', password: 'secret pw' },
  { principal: 'HTTP/www.example.com@EXAMPLE.COM', salt: 'EXAMPLE.COMHTTPwww.example.com', password: 'Pässwörd €1 \u{1D11E}' },
  { principal: 'bob@LONG.REALM.EXAMPLE.ORG', salt: 'LONG.REALM.EXAMPLE.ORGbob', password: 'x'.repeat(70) },
];

test('string-to-key equals MIT ktutil keys (aes128/256-sha1, aes128-sha256, aes256-sha384, rc4-hmac)', { skip: hasKtutil ? false : 'ktutil not installed' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'spnego-kt-'));
  try {
    const kt = join(dir, 'test.keytab');
    let script = '';
    for (const c of CASES) {
      for (const name of Object.values(MIT_NAMES)) script += `addent -password -p ${c.principal} -k 1 -e ${name}\n${c.password}\n`;
    }
    script += `wkt ${kt}\nquit\n`;
    const r = spawnSync('ktutil', [], { input: script, encoding: 'utf8', timeout: 60_000, env: { ...process.env, KRB5_CONFIG: '/dev/null' } });
    assert.equal(r.status, 0, r.stderr);
    const entries = parseKeytab(new Uint8Array(readFileSync(kt)));
    assert.equal(entries.length, CASES.length * 5);
    for (const c of CASES) {
      for (const [et, name] of Object.entries(MIT_NAMES)) {
        const e = entries.find((x) => x.principal === c.principal && x.enctype === Number(et));
        assert.ok(e, `${c.principal} ${name} in the keytab`);
        const ours = getProfile(Number(et), { allowWeakCrypto: true }).stringToKey(c.password, c.salt);
        assert.equal(toHex(ours.value), toHex(e.key), `${c.principal} ${name}`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
