// Interop: a keytab written by us (our string-to-key, our keytab encoder) is used by MIT's
// `kinit -k` against the lab KDC, for each AES enctype the realm offers (issue 6: files both ways).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keytabCodec, keytabEntry } from '../../src/codec/krb5-files/keytab.js';
import { getProfile } from '../../src/crypto/krb5/registry.js';

interface Lab { env: Record<string, string>; mit: { realm: string; users: { name: string; password: string }[] } }
let lab: Lab;
let dir: string;
before(() => {
  const s = process.env.LAB_STATE;
  if (!s) throw new Error('LAB_STATE is not set: run `npm test`, which starts the lab');
  lab = JSON.parse(readFileSync(join(s, 'lab.json'), 'utf8')) as Lab;
  dir = mkdtempSync(join(tmpdir(), 'keytab-mit-'));
});
after(() => dir && rmSync(dir, { recursive: true, force: true }));

for (const [name, etype] of [['aes256-cts-hmac-sha1-96', 18], ['aes128-cts-hmac-sha1-96', 17], ['aes256-cts-hmac-sha384-192', 20], ['aes128-cts-hmac-sha256-128', 19]] as const) {
  test(`MIT kinit -k uses our keytab for alice, ${name}`, () => {
    const password = lab.mit.users.find((u) => u.name === 'alice')!.password;
    const key = getProfile(etype).stringToKey(password, `${lab.mit.realm}alice`);
    const kt = join(dir, `alice-${etype}.keytab`);
    const principal = { nameType: 1, realm: lab.mit.realm, components: ['alice'] };
    // kvno 1: the lab creates alice once; MIT kinit -k does not look at the kvno for AS anyway.
    writeFileSync(kt, keytabCodec.encode({ version: 2, records: [keytabEntry(principal, 1, { keytype: etype, keyvalue: key.value }, Math.floor(Date.now() / 1000))] }));
    const cc = `FILE:${join(dir, `cc-${etype}`)}`;
    const env = { ...process.env, ...lab.env, KRB5CCNAME: cc };
    execFileSync('kinit', ['-k', '-t', kt, `alice@${lab.mit.realm}`], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const list = execFileSync('klist', ['-e', '-c', cc], { env, encoding: 'utf8' });
    assert.match(list, new RegExp(`krbtgt/${lab.mit.realm.replace('.', '\\.')}@`));
  });
}

test('our keytab AS exchange against the Samba AD KDC (AD salt REALM+user, pre-authentication), aes256 and aes128', async () => {
  const { Krb5Client } = await import('../../src/mech/krb5/client.js');
  const { loadKrb5Config } = await import('../../src/mech/krb5/config/index.js');
  const s = JSON.parse(readFileSync(join(process.env.LAB_STATE!, 'lab.json'), 'utf8')) as { samba: { realm: string; krb5Conf: string; users: { name: string; password: string }[] } };
  const password = s.samba.users.find((u) => u.name === 'alice')!.password;
  const client = new Krb5Client({ config: loadKrb5Config({ files: [s.samba.krb5Conf] }) });
  for (const etype of [18, 17]) {
    const key = getProfile(etype).stringToKey(password, `${s.samba.realm}alice`);
    const kt = join(dir, `samba-alice-${etype}.keytab`);
    writeFileSync(kt, keytabCodec.encode({ version: 2, records: [keytabEntry({ nameType: 1, realm: s.samba.realm, components: ['alice'] }, 1, { keytype: etype, keyvalue: key.value }, 0)] }));
    const tgt = await client.tgtWithKeytab(client.parsePrincipal(`alice@${s.samba.realm}`), kt);
    assert.equal(tgt.client.realm, s.samba.realm);
    assert.deepEqual(tgt.server.name.nameString, ['krbtgt', s.samba.realm]);
  }
});
