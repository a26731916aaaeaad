// Interop: Active Directory (the lab's Samba AD DC). Our initiator gets a ticket from Samba's KDC
// for the HTTP service account; our acceptor takes it with the keytab samba-tool exported and
// exposes the PAC's groups on the context and on the HTTP request (issue 7: PAC, AD).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initiator, acceptor } from '../../src/gss/index.js';
import { Krb5Client } from '../../src/mech/krb5/client.js';
import { loadKrb5Config } from '../../src/mech/krb5/config/index.js';
import { negotiateHandler } from '../../src/http/server/index.js';
import { createFetch } from '../../src/http/client/index.js';

interface Lab { samba: { realm: string; domain: string; krb5Conf: string; httpKeytab: string; users: { name: string; password: string }[]; serviceAccount: { spn: string } } }
let lab: Lab;
let client: Krb5Client;
let target: string;
let alice: { username: string; password: string };
before(() => {
  const s = process.env.LAB_STATE;
  if (!s) throw new Error('LAB_STATE is not set: run `npm test`, which starts the lab');
  lab = JSON.parse(readFileSync(join(s, 'lab.json'), 'utf8')) as Lab;
  client = new Krb5Client({ config: loadKrb5Config({ files: [lab.samba.krb5Conf] }) });
  // HTTP/www.samba.test@SAMBA.TEST -> HTTP@www.samba.test
  const spn = lab.samba.serviceAccount.spn.split('@')[0]!;
  target = spn.replace('/', '@');
  alice = { username: `alice@${lab.samba.realm}`, password: lab.samba.users.find((u) => u.name === 'alice')!.password };
});

test('SPNEGO with a Samba AD ticket: our acceptor (samba-tool keytab) names alice and exposes her PAC groups', async () => {
  const c = initiator({ mech: 'negotiate', target, credential: alice, krb5Client: client });
  const s = acceptor({ credential: { keytab: lab.samba.httpKeytab } });
  let t = await c.step();
  while (t) {
    t = await s.step(t);
    if (t) t = await c.step(t);
  }
  assert.ok(c.complete && s.complete);
  assert.equal(c.mech, 'kerberos');
  const p = s.peerName!;
  assert.equal(p.principal, `alice@${lab.samba.realm}`);
  assert.ok(p.sid?.startsWith('S-1-5-21-'), p.sid);
  assert.ok(p.groupSids?.some((g) => g.endsWith('-513')), `Domain Users in ${JSON.stringify(p.groupSids)}`);
  assert.equal(p.upn?.toLowerCase(), `alice@${lab.samba.realm.toLowerCase()}`);
});

test('HTTP: the PAC groups reach the request of a node:http server, with createFetch as the client', async () => {
  const server = http.createServer(negotiateHandler({ credential: { keytab: lab.samba.httpKeytab } }, (req, res) => {
    res.end(JSON.stringify((req as unknown as { negotiate: unknown }).negotiate));
  }));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  const f = createFetch({ credential: alice, mech: 'kerberos', spn: target, krb5Client: client });
  try {
    const res = await f(`http://127.0.0.1:${port}/`);
    assert.equal(res.status, 200);
    const id = (await res.json()) as { principal: string; mech: string; groupSids?: string[] };
    assert.equal(id.principal, `alice@${lab.samba.realm}`);
    assert.equal(id.mech, 'kerberos');
    assert.ok(id.groupSids?.some((g) => g.endsWith('-513')));
  } finally {
    f.close();
    server.close();
  }
});
