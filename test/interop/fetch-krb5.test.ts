// Interop: `spnego fetch` and createFetch with Kerberos from a ccache (as after kinit), against
// Apache mod_auth_gssapi (mutual authentication verified) and through squid's Negotiate proxy.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFetch, authInfo } from '../../src/http/client/index.js';
import { repoPath } from '../helpers/paths.js';

interface Lab {
  env: Record<string, string>;
  mit: { realm: string; users: { name: string; password: string }[] };
  apache: { url: string; urlKrb5Only: string; urlPublic: string };
  squid: { proxy: string };
}
let lab: Lab;
let dir: string;
let env: NodeJS.ProcessEnv;
before(() => {
  const s = process.env.LAB_STATE;
  if (!s) throw new Error('LAB_STATE is not set: run `npm test`, which starts the lab');
  lab = JSON.parse(readFileSync(join(s, 'lab.json'), 'utf8')) as Lab;
  dir = mkdtempSync(join(tmpdir(), 'fetch-krb5-'));
  env = { ...process.env, ...lab.env, KRB5CCNAME: `FILE:${join(dir, 'cc')}` };
  // Our own kinit writes the cache, so the whole path is ours.
  execFileSync(process.execPath, [repoPath('dist/src/cli/main.js'), 'kinit', `alice@${lab.mit.realm}`], { env: { ...env, SPNEGO_PASSWORD: lab.mit.users.find((u) => u.name === 'alice')!.password } });
});
after(() => dir && rmSync(dir, { recursive: true, force: true }));

test('spnego fetch --mutual with the ccache: Apache Kerberos-only path, 200 as alice@REALM, AP-REP verified', () => {
  const r = spawnSync(process.execPath, [repoPath('dist/src/cli/main.js'), 'fetch', '--mutual', lab.apache.urlKrb5Only], { env, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`REMOTE_USER=alice@${lab.mit.realm}`));
  assert.match(r.stdout, /GSS_MECH=Negotiate\/krb5/);
});

test('createFetch through squid (407 Proxy-Authenticate: Negotiate) with the Kerberos ccache', async () => {
  const saved = process.env.KRB5CCNAME;
  const savedConf = process.env.KRB5_CONFIG;
  process.env.KRB5CCNAME = env.KRB5CCNAME;
  process.env.KRB5_CONFIG = env.KRB5_CONFIG;
  const f = createFetch({ credential: {}, mech: 'kerberos', proxy: lab.squid.proxy });
  try {
    const res = await f(lab.apache.urlPublic);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /public page/);
    assert.equal(authInfo(res)?.proxy?.mech, 'kerberos');
  } finally {
    f.close();
    process.env.KRB5CCNAME = saved;
    process.env.KRB5_CONFIG = savedConf;
    if (saved === undefined) delete process.env.KRB5CCNAME;
    if (savedConf === undefined) delete process.env.KRB5_CONFIG;
  }
});

test('no ticket and no password: exit 1 with NO_CRED (no NTLM attempt without credentials)', () => {
  const r = spawnSync(process.execPath, [repoPath('dist/src/cli/main.js'), 'fetch', lab.apache.urlKrb5Only], { env: { ...env, KRB5CCNAME: `FILE:${join(dir, 'missing')}` }, encoding: 'utf8' });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^spnego: NO_CRED: /);
});
