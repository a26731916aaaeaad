// Interop (issue 6, TGS item 5: "referrals and cross-realm TGTs"): the lab's krb5kdc serves a
// second realm, OTHER.TEST, which trusts SPNEGO.TEST (krbtgt/OTHER.TEST@SPNEGO.TEST in both
// databases). alice@SPNEGO.TEST reaches HTTP/ services of OTHER.TEST two ways, as MIT's client does:
//   - no referral: the host's realm is known from the client's [domain_realm] only (the KDC has no
//     mapping for it), so the client asks its own KDC for krbtgt/OTHER.TEST@SPNEGO.TEST, then
//     OTHER.TEST's KDC for the service (RFC 4120 3.3.3.2; MIT get_creds.c, non-referral);
//   - referral: the client has no mapping and asks SPNEGO.TEST for the host-based name with
//     canonicalize; the KDC (whose kdc.conf maps .referral.test) answers with a cross-realm TGT,
//     which the client follows (RFC 6806).
// Each ticket is then accepted by MIT's acceptor (python-gssapi) and ours, and MIT's kvno with the
// same configuration gets the same ticket, which shows the lab set-up itself is sound.
// Needs the lab (LAB_STATE): without it every test fails and says how to start it; none skips.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initiator, acceptor } from '../../src/gss/context.js';
import { Krb5Client } from '../../src/mech/krb5/client.js';
import { parseKrb5Config } from '../../src/mech/krb5/config/index.js';
import { writeCcache } from '../../src/mech/krb5/ccache-store.js';
import { formatPrincipal } from '../../src/mech/krb5/principal.js';
import { SpnegoError } from '../../src/errors.js';
import { readLabAs } from '../helpers/peer.js';
import { MitPeer, perMessage, handshakeToMit } from '../helpers/krb5-peer.js';

interface Lab {
  python?: string;
  mit: {
    realm: string;
    krb5Conf: string;
    users: { name: string; principal: string; password: string }[];
    crossRealm: { realm: string; mappedHost: string; referralHost: string; directHost: string; httpKeytab: string };
  };
}

let lab: Lab;
let dir: string;
let alice: { principal: string; password: string };
before(() => {
  lab = readLabAs<Lab>();
  if (!lab.mit.crossRealm) throw new Error('this lab has no second realm: restart it with the current scripts/lab/up.sh');
  alice = lab.mit.users.find((u) => u.name === 'alice')!;
  dir = mkdtempSync(join(tmpdir(), 'spnego-xrealm-'));
});
after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A [domain_realm] entry the KDC does not have, in a file read before the lab's krb5.conf. */
function clientOnlyMapping(): string {
  const path = join(dir, 'client-domain-realm.conf');
  writeFileSync(path, `[domain_realm]\n    .${lab.mit.crossRealm.directHost.split('.').slice(1).join('.')} = ${lab.mit.crossRealm.realm}\n`);
  return path;
}

function clientFor(configFiles: string[]): Krb5Client {
  return new Krb5Client({ config: parseKrb5Config(configFiles.map((f) => ({ name: f, text: readFileSync(f, 'utf8') }))) });
}

/** MIT's kvno for a host-based name with the given config: the service principal it got. */
function mitKvno(configFiles: string[], host: string): string {
  const cc = `FILE:${join(dir, `mit-cc-${host}`)}`;
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', KRB5_CONFIG: configFiles.join(':'), KRB5CCNAME: cc };
  execFileSync('kinit', [alice.principal], { env, input: `${alice.password}\n`, stdio: ['pipe', 'ignore', 'pipe'] });
  execFileSync('kvno', ['-S', 'HTTP', host], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const klist = execFileSync('klist', [cc.slice(5)], { env, encoding: 'utf8' });
  const m = new RegExp(`(HTTP/${host.replace(/\./g, '\\.')}@\\S+)`).exec(klist.split('\n').filter((l) => l.includes('Ticket server') || l.includes(`HTTP/${host}@${lab.mit.crossRealm.realm}`)).join('\n'));
  return m?.[1] ?? klist;
}

/** A ticket for HTTP@host from our client, then a SPNEGO handshake with MIT's acceptor and ours. */
async function ticketAndHandshakes(configFiles: string[], host: string): Promise<string> {
  const client = clientFor(configFiles);
  const principal = client.parsePrincipal(alice.principal);
  const tgt = await client.tgtWithPassword(principal, alice.password);
  const server = await client.servicePrincipal(`HTTP@${host}`, tgt.client.realm);
  const ticket = await client.serviceTicket(tgt, server);
  const ccache = `FILE:${join(dir, `cc-${host}`)}`;
  writeCcache(ccache, principal, [tgt]);
  const peer = await MitPeer.start('accept', ['--mech', 'spnego'], {
    KRB5_CONFIG: lab.mit.krb5Conf,
    KRB5_KTNAME: `FILE:${lab.mit.crossRealm.httpKeytab}`,
    KRB5CCNAME: `FILE:${join(dir, 'none')}`,
    KRB5RCACHETYPE: 'none',
  }, lab.python);
  try {
    const ctx = initiator({ mech: 'negotiate', target: `HTTP@${host}`, credential: { ccache }, krb5Client: client, forbidNtlm: true });
    await handshakeToMit(ctx, peer);
    const info = await peer.must({ op: 'info' });
    assert.equal(info.peer, alice.principal, 'MIT names the client of the other realm');
    await perMessage(ctx, peer, `cross-realm ${host}`);
  } finally {
    await peer.close();
  }
  const ours = initiator({ mech: 'kerberos', target: `HTTP@${host}`, credential: { ccache }, krb5Client: client });
  const acc = acceptor({ mech: 'kerberos', credential: { keytab: lab.mit.crossRealm.httpKeytab } });
  const ap = await ours.step();
  const rep = await acc.step(ap!);
  await ours.step(rep!);
  assert.ok(ours.complete && acc.complete);
  assert.equal(acc.peerName?.principal, alice.principal);
  return formatPrincipal(ticket.server);
}

test('cross-realm without referral: the host\'s realm from the client\'s [domain_realm] (the KDC has no mapping): krbtgt/OTHER.TEST@SPNEGO.TEST, then the service from OTHER.TEST; accepted by MIT and by us; MIT kvno gets the same', async () => {
  const { realm, directHost } = lab.mit.crossRealm;
  const files = [clientOnlyMapping(), lab.mit.krb5Conf];
  assert.equal(await ticketAndHandshakes(files, directHost), `HTTP/${directHost}@${realm}`);
  assert.equal(mitKvno(files, directHost), `HTTP/${directHost}@${realm}`);
  // The control: without the client-side mapping the name is asked of SPNEGO.TEST, which neither
  // has it nor refers it, so the ticket above came through the cross-realm TGT.
  const plain = clientFor([lab.mit.krb5Conf]);
  const tgt = await plain.tgtWithPassword(plain.parsePrincipal(alice.principal), alice.password);
  const unmapped = await plain.servicePrincipal(`HTTP@${directHost}`, tgt.client.realm);
  await assert.rejects(plain.serviceTicket(tgt, unmapped), (e: unknown) => e instanceof SpnegoError && e.code === 'BAD_NAME');
});

test('cross-realm by referral: no client-side mapping, SPNEGO.TEST\'s KDC refers HTTP/web.referral.test to OTHER.TEST (RFC 6806); accepted by MIT and by us; MIT kvno follows the same referral', async () => {
  const { realm, referralHost } = lab.mit.crossRealm;
  assert.equal(await ticketAndHandshakes([lab.mit.krb5Conf], referralHost), `HTTP/${referralHost}@${realm}`);
  assert.equal(mitKvno([lab.mit.krb5Conf], referralHost), `HTTP/${referralHost}@${realm}`);
});

test('cross-realm, mapped in the shared krb5.conf (client and KDC agree): HTTP/www.other.test@OTHER.TEST', async () => {
  const { realm, mappedHost } = lab.mit.crossRealm;
  assert.equal(await ticketAndHandshakes([lab.mit.krb5Conf], mappedHost), `HTTP/${mappedHost}@${realm}`);
});
