// Interop (issue 7, per-message item 3): rc4-hmac Kerberos contexts (RFC 4757 keys, RFC 1964
// tokens), behind the weak-crypto option, against a live MIT. The lab's HTTP/rc4.spnego.test has
// an arcfour-hmac key only and session_enctypes = arcfour-hmac, so its tickets and session keys are
// rc4-hmac (23), and so are both ends' GSS contexts (MIT's initiator subkey takes the session key's
// type; so does ours). Until this test, the RFC 1964 tokens were checked against MIT's t_invalid.c
// bytes only.
// Needs the lab (LAB_STATE): without it every test fails and says how to start it; none skips.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initiator, acceptor } from '../../src/gss/context.js';
import { Krb5Client } from '../../src/mech/krb5/client.js';
import { writeCcache } from '../../src/mech/krb5/ccache-store.js';
import { SpnegoError } from '../../src/errors.js';
import { readLabAs } from '../helpers/peer.js';
import { MitPeer, perMessage, handshakeToMit, handshakeFromMit } from '../helpers/krb5-peer.js';
import { startServe } from '../../src/cli/serve.js';
import { execFile } from 'node:child_process';
import { repoPath } from '../helpers/paths.js';

interface Lab {
  python?: string;
  mit: { realm: string; krb5Conf: string; users: { name: string; principal: string; password: string }[]; rc4Service: { principal: string; keytab: string } };
}

let lab: Lab;
let dir: string;
let ccache: string;
let client: Krb5Client;
let target: string;
let alice: { principal: string; password: string };
before(async () => {
  lab = readLabAs<Lab>();
  if (!lab.mit.rc4Service) throw new Error('this lab has no rc4 service: restart it with the current scripts/lab/up.sh');
  alice = lab.mit.users.find((u) => u.name === 'alice')!;
  dir = mkdtempSync(join(tmpdir(), 'spnego-rc4-'));
  // HTTP/rc4.spnego.test@SPNEGO.TEST -> HTTP@rc4.spnego.test
  const [svc, hostRealm] = lab.mit.rc4Service.principal.split('/');
  target = `${svc}@${hostRealm!.split('@')[0]}`;
  client = new Krb5Client({ env: { KRB5_CONFIG: lab.mit.krb5Conf } });
  const principal = client.parsePrincipal(alice.principal);
  ccache = `FILE:${join(dir, 'cc')}`;
  writeCcache(ccache, principal, [await client.tgtWithPassword(principal, alice.password)]);
});
after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const mitEnv = (extra: Record<string, string>) => ({ KRB5_CONFIG: lab.mit.krb5Conf, KRB5RCACHETYPE: 'none', ...extra });

for (const [mech, pyMech] of [['kerberos', 'krb5'], ['negotiate', 'spnego']] as const) {
  test(`rc4-hmac: our ${mech} initiator (allowWeakCrypto) -> python-gssapi ${pyMech} acceptor: context key 23, wrap/unwrap with and without confidentiality and MIC both ways (RFC 1964 tokens)`, async () => {
    const peer = await MitPeer.start('accept', ['--mech', pyMech], mitEnv({ KRB5_KTNAME: `FILE:${lab.mit.rc4Service.keytab}`, KRB5CCNAME: `FILE:${join(dir, 'none')}` }), lab.python);
    try {
      const ctx = initiator({ mech, target, credential: { ccache }, krb5Client: client, allowWeakCrypto: true, forbidNtlm: true });
      await handshakeToMit(ctx, peer);
      const info = await peer.must({ op: 'info' });
      assert.equal(info.peer, alice.principal);
      assert.equal(info.enctype, 23, `MIT's context key is rc4-hmac: ${JSON.stringify(info)}`);
      await perMessage(ctx, peer, `rc4 ${mech}`);
    } finally {
      await peer.close();
    }
  });

  test(`rc4-hmac: python-gssapi ${pyMech} initiator -> our ${mech} acceptor (allowWeakCrypto): alice, wrap/unwrap and MIC both ways`, async () => {
    const peer = await MitPeer.start('init', ['--mech', pyMech, '--target', target], mitEnv({ KRB5CCNAME: ccache }), lab.python);
    try {
      const acc = acceptor({ mech, credential: { keytab: lab.mit.rc4Service.keytab }, allowWeakCrypto: true });
      await handshakeFromMit(acc, peer);
      assert.equal(acc.peerName?.principal, alice.principal);
      assert.equal((await peer.must({ op: 'info' })).enctype, 23);
      await perMessage(acc, peer, `rc4 ${mech} from MIT`);
    } finally {
      await peer.close();
    }
  });
}

test('rc4-hmac is refused without allowWeakCrypto: our initiator cannot get the ticket (the KDC has no enctype in common) nor use a cached one, our acceptor refuses MIT\'s rc4 AP-REQ', async () => {
  // A cache with the TGT only (MIT's initiators above stored their rc4 service ticket in `ccache`).
  const principal = client.parsePrincipal(alice.principal);
  const tgtOnly = `FILE:${join(dir, 'cc-tgt-only')}`;
  writeCcache(tgtOnly, principal, [await client.tgtWithPassword(principal, alice.password)]);
  const ctx = initiator({ mech: 'kerberos', target, credential: { ccache: tgtOnly }, krb5Client: new Krb5Client({ env: { KRB5_CONFIG: lab.mit.krb5Conf } }) });
  await assert.rejects(ctx.step(), (e: unknown) => e instanceof SpnegoError && e.code === 'BAD_MECH' && /KDC_ERR_ETYPE_NOSUPP/.test(e.message));
  // An rc4 service ticket already in the cache is refused by the initiator itself.
  const cached = initiator({ mech: 'kerberos', target, credential: { ccache }, krb5Client: client });
  await assert.rejects(cached.step(), (e: unknown) => e instanceof SpnegoError && e.code === 'UNAVAILABLE' && /weak/.test(e.message));
  const peer = await MitPeer.start('init', ['--mech', 'krb5', '--target', target], mitEnv({ KRB5CCNAME: ccache }), lab.python);
  try {
    const acc = acceptor({ mech: 'kerberos', credential: { keytab: lab.mit.rc4Service.keytab } });
    const r = await peer.step();
    await assert.rejects(acc.step(r.token!), (e: unknown) => e instanceof SpnegoError && e.code === 'UNAVAILABLE' && /weak/.test(e.message));
  } finally {
    await peer.close();
  }
});

test('rc4-hmac over HTTP: spnego fetch --allow-weak-crypto → spnego serve --allow-weak-crypto with the rc4 keytab: 200 as alice; without the client option, a typed refusal', async () => {
  const running = await startServe({ host: '127.0.0.1', port: 0, credential: { keytab: lab.mit.rc4Service.keytab }, allowWeakCrypto: true, log: () => undefined });
  try {
    const url = `http://127.0.0.1:${(running.server.address() as { port: number }).port}/`;
    const tgtOnly = `FILE:${join(dir, 'cc-http')}`;
    const principal = client.parsePrincipal(alice.principal);
    writeCcache(tgtOnly, principal, [await client.tgtWithPassword(principal, alice.password)]);
    const fetch = (extra: string[]) =>
      new Promise<{ code: number; out: string; err: string }>((resolve) =>
        execFile(process.execPath, [repoPath('dist/src/cli/main.js'), 'fetch', '--spn', target, ...extra, url], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', KRB5_CONFIG: lab.mit.krb5Conf, KRB5CCNAME: tgtOnly }, encoding: 'utf8' }, (e, out, err) =>
          resolve({ code: e ? ((e as { code?: number }).code ?? 1) : 0, out, err })));
    const ok = await fetch(['--allow-weak-crypto']);
    assert.equal(ok.code, 0, ok.err);
    assert.equal((JSON.parse(ok.out) as { principal: string }).principal, alice.principal);
    const refused = await fetch([]);
    assert.equal(refused.code, 1);
    assert.match(refused.err, /^spnego: [A-Z_]+: .*(weak|ETYPE_NOSUPP)/);
  } finally {
    await running.close();
  }
});
