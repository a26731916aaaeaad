// Interop: credential delegation to MIT. Our Kerberos initiator with delegate: true sends a
// forwarded TGT in a KRB-CRED; MIT's acceptor (python-gssapi) receives it, stores it in a
// ccache, and MIT's kvno uses that delegated TGT to get a service ticket.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initiator } from '../../src/gss/context.js';
import { repoPath } from '../helpers/paths.js';

interface Lab { env: Record<string, string>; mit: { realm: string; httpKeytab: string; users: { name: string; password: string }[] } }

test('our initiator delegates a forwarded TGT; MIT stores it and kvno works from it', async () => {
  const s = process.env.LAB_STATE;
  if (!s) throw new Error('LAB_STATE is not set: run `npm test`, which starts the lab');
  const lab = JSON.parse(readFileSync(join(s, 'lab.json'), 'utf8')) as Lab;
  const dir = mkdtempSync(join(tmpdir(), 'deleg-'));
  const saved = { KRB5CCNAME: process.env.KRB5CCNAME, KRB5_CONFIG: process.env.KRB5_CONFIG };
  try {
    const cc = `FILE:${join(dir, 'alice')}`;
    const env = { ...process.env, ...lab.env, KRB5CCNAME: cc };
    execFileSync('kinit', ['-f', `alice@${lab.mit.realm}`], { input: `${lab.mit.users.find((u) => u.name === 'alice')!.password}\n`, env });
    process.env.KRB5CCNAME = cc;
    process.env.KRB5_CONFIG = lab.env.KRB5_CONFIG;
    const ini = initiator({ mech: 'kerberos', target: 'HTTP@localhost', credential: {}, delegate: true });
    const acc = spawn('/usr/bin/python3', [repoPath('scripts/lab/krb5_deleg_acceptor.py'), join(dir, 'delegated')], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', KRB5_CONFIG: lab.env.KRB5_CONFIG!, KRB5_KTNAME: lab.mit.httpKeytab, KRB5RCACHEDIR: dir },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const lines = createInterface({ input: acc.stdout })[Symbol.asyncIterator]();
    acc.stdin.write(`${Buffer.from((await ini.step())!).toString('base64')}\n`);
    const r = JSON.parse((await lines.next()).value as string) as { token: string; complete: boolean; peer: string; delegated: boolean; ccache?: string };
    acc.stdin.end();
    assert.equal(r.complete, true);
    assert.equal(r.peer, `alice@${lab.mit.realm}`);
    assert.equal(r.delegated, true, 'MIT received delegated credentials');
    await ini.step(new Uint8Array(Buffer.from(r.token, 'base64')));
    assert.ok(ini.complete, 'mutual authentication with MIT');
    const delegated = `FILE:${r.ccache!}`;
    const list = execFileSync('klist', ['-f', '-c', delegated], { env, encoding: 'utf8' });
    assert.match(list, new RegExp(`krbtgt/${lab.mit.realm.replace('.', '\\.')}@`));
    assert.match(list, /Flags: F?f/, 'a forwarded TGT');
    execFileSync('kvno', ['-c', delegated, `host/localhost@${lab.mit.realm}`], { env });
  } finally {
    process.env.KRB5CCNAME = saved.KRB5CCNAME;
    process.env.KRB5_CONFIG = saved.KRB5_CONFIG;
    if (saved.KRB5CCNAME === undefined) delete process.env.KRB5CCNAME;
    if (saved.KRB5_CONFIG === undefined) delete process.env.KRB5_CONFIG;
    rmSync(dir, { recursive: true, force: true });
  }
});
