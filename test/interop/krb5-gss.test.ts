// Interop (issue 7): our Kerberos GSS contexts, raw (RFC 4121) and inside SPNEGO, against MIT krb5
// in the lab, both ways:
//   - our initiator -> MIT gss-server (gss-sample protocol, test/helpers/gss-sample.ts): mutual
//     authentication, the sample's wrapped message and the server's MIC verified by us;
//   - our initiator -> python-gssapi acceptor (scripts/lab/krb5_gss_peer.py, HTTP/localhost
//     keytab), context key forced to aes256-cts-hmac-sha1-96 and aes256-cts-hmac-sha384-192;
//   - MIT gss-client -> our acceptor behind a gss-sample TCP server in this process;
//   (both gss-sample directions with the service ticket's session key forced to each enctype);
//   - python-gssapi initiator -> our acceptor, both enctypes;
//   - an AP-REQ made by MIT's initiator, sent twice to our acceptor: the second is a replay.
// Alice's TGT comes from OUR AS exchange (Krb5Client.tgtWithPassword) written with OUR
// writeCcache, so MIT's gss-client and python-gssapi also read a cache we wrote.
// Needs the lab (LAB_STATE): without it every test fails and says how to start it; none skips.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { initiator, acceptor, type SecurityContext } from '../../src/gss/context.js';
import { Krb5Client } from '../../src/mech/krb5/client.js';
import { writeCcache } from '../../src/mech/krb5/ccache-store.js';
import { MemoryReplayCache } from '../../src/mech/krb5/replay-cache.js';
import { InitialContextToken } from '../../src/codec/gss/initial-context-token.js';
import { gssKrb5TokenCodec } from '../../src/codec/krb5/gss-krb5-token.js';
import { decodeSpnegoToken } from '../../src/codec/spnego/spnego-token.js';
import { OID } from '../../src/iana/oids.js';
import { SpnegoError } from '../../src/errors.js';
import { sampleClient, sampleServer, formatTrace, TOKEN, type SampleSession } from '../helpers/gss-sample.js';
import { MitPeer, perMessage, handshakeToMit, handshakeFromMit } from '../helpers/krb5-peer.js';

interface Lab {
  python?: string;
  env: Record<string, string>;
  mit: { realm: string; krb5Conf: string; users: { name: string; principal: string; password: string }[]; httpKeytab: string; hostKeytab: string };
  gssServer: { host: string; port: number; service: string; principal: string; log: string };
}

let lab: Lab;
let dir: string;
let alice: { principal: string; password: string };
before(() => {
  const s = process.env.LAB_STATE;
  if (!s) throw new Error('LAB_STATE is not set: run `npm test` (it starts the lab), or S=$(bash scripts/lab/up.sh | tail -n1) and LAB_STATE=$S');
  lab = JSON.parse(readFileSync(join(s, 'lab.json'), 'utf8')) as Lab;
  alice = lab.mit.users.find((u) => u.name === 'alice')!;
  dir = mkdtempSync(join(tmpdir(), 'spnego-krb5-gss-'));
  mkdirSync(join(dir, 'rcache'), { mode: 0o1777 });
});
after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);
const nonce = () => randomBytes(4).toString('hex');

const ENCTYPES = [
  ['aes256-cts-hmac-sha1-96', 18],
  ['aes256-cts-hmac-sha384-192', 20],
] as const;
/** RFC 4121 MIC token length: 16 header bytes and the enctype's checksum (RFC 3962: 12, RFC 8009 sha384: 24). */
const micLength = (etype: number) => 16 + (etype === 20 ? 24 : etype === 19 ? 16 : 12);
const AES = ['aes256-cts-hmac-sha1-96', 'aes128-cts-hmac-sha1-96', 'aes256-cts-hmac-sha384-192', 'aes128-cts-hmac-sha256-128'];

/**
 * A copy of the lab's krb5.conf whose default_tgs_enctypes is `enctype` alone (so the service
 * ticket's session key, hence the initiator subkey and the context key, has that type), with
 * `enctype` first in permitted_enctypes and default_tkt_enctypes (the others stay permitted: the
 * KDC encrypts tickets in the service's strongest key whatever the session key is).
 */
function krb5Conf(enctype?: string): string {
  if (!enctype) return lab.mit.krb5Conf;
  let conf = readFileSync(lab.mit.krb5Conf, 'utf8');
  const rest = [enctype, ...AES.filter((e) => e !== enctype)].join(' ');
  for (const [k, v] of [['permitted_enctypes', rest], ['default_tkt_enctypes', rest], ['default_tgs_enctypes', enctype]] as const) {
    const re = new RegExp(`^(\\s*)${k}\\s*=.*$`, 'm');
    conf = re.test(conf) ? conf.replace(re, `$1${k} = ${v}`) : conf.replace('[libdefaults]\n', `[libdefaults]\n    ${k} = ${v}\n`);
  }
  const path = join(dir, `krb5-${enctype}.conf`);
  writeFileSync(path, conf);
  return path;
}

interface Tgt {
  conf: string;
  ccache: string;
  client: Krb5Client;
}

/** `spnego kinit` with our own API: AS exchange with alice's password, written to a fresh cache. */
async function kinit(enctype?: string): Promise<Tgt> {
  const conf = krb5Conf(enctype);
  const client = new Krb5Client({ env: { KRB5_CONFIG: conf } });
  const principal = client.parsePrincipal(alice.principal);
  const tgt = await client.tgtWithPassword(principal, alice.password);
  const ccache = `FILE:${join(dir, `cc-${enctype ?? 'lab'}-${nonce()}`)}`;
  writeCcache(ccache, principal, [tgt]);
  return { conf, ccache, client };
}

/** The Kerberos token kind inside a raw krb5 (0x60-framed) or SPNEGO token. */
function krb5Kind(token: Uint8Array): string {
  let inner = token;
  if (token[0] !== 0x60 || InitialContextToken.decode(token).mech === OID.SPNEGO) {
    const t = decodeSpnegoToken(token).token.value as { mechToken?: Uint8Array; responseToken?: Uint8Array };
    const m = t.mechToken ?? t.responseToken;
    if (!m) return 'none';
    inner = m;
  }
  return gssKrb5TokenCodec.decode(InitialContextToken.decode(inner).innerToken).tokId;
}

function waitFor(pred: () => boolean, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const end = Date.now() + ms;
    const tick = () => (pred() ? resolve(true) : Date.now() > end ? resolve(false) : setTimeout(tick, 50));
    tick();
  });
}

// ---------------------------------------------------------------------------------------------
// our initiator -> MIT gss-server

for (const [etName, etNum] of ENCTYPES) {
  for (const mech of ['kerberos', 'negotiate'] as const) {
    for (const encrypt of [true, false]) {
      test(`our ${mech} initiator -> MIT gss-server (host@localhost), ${etName}: mutual auth, wrap ${encrypt ? 'with' : 'without'} confidentiality, server MIC verified`, async () => {
        const { ccache, client } = await kinit(etName);
        const ctx = initiator({ mech, target: lab.gssServer.service, credential: { ccache }, krb5Client: client });
        const msg = `hello gss-server ${mech} ${etName} ${encrypt} ${nonce()}`;
        const r = await sampleClient(lab.gssServer.host, lab.gssServer.port, ctx, enc(msg), { encrypt });
        const trace = formatTrace(r.trace);
        assert.ok(ctx.complete, trace);
        assert.equal(ctx.mech, 'kerberos', trace);
        // Mutual: the server's one context token is an AP-REP our context accepted (step() verifies it).
        const fromServer = r.trace.filter((t) => t.dir === '<' && t.flags === TOKEN.CONTEXT);
        assert.equal(fromServer.length, 1, trace);
        assert.equal(krb5Kind(fromServer[0]!.body), 'AP-REP', trace);
        // MIT's MIC is 16 header bytes and the enctype's checksum: its context key has the forced type.
        assert.equal(r.mic?.length, micLength(etNum), trace);
        // gss-server logs what it unwrapped.
        const logged = () => {
          try {
            return readFileSync(lab.gssServer.log, 'utf8').includes(`Received message: "${msg}"`);
          } catch {
            return false;
          }
        };
        assert.ok(await waitFor(logged, 3000), `gss-server did not log our message\n${trace}`);
      });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// python-gssapi (MIT) peer (test/helpers/krb5-peer.ts)

function mitEnv(conf: string, extra: Record<string, string>): Record<string, string> {
  return { KRB5_CONFIG: conf, KRB5RCACHEDIR: join(dir, 'rcache'), ...extra };
}

for (const [etName, etNum] of ENCTYPES) {
  for (const [mech, pyMech] of [['kerberos', 'krb5'], ['negotiate', 'spnego']] as const) {
    test(`our ${mech} initiator -> python-gssapi ${pyMech} acceptor (HTTP/localhost), ${etName}: established, wrap/unwrap and MIC both ways`, async () => {
      const { ccache, client } = await kinit(etName);
      const peer = await MitPeer.start('accept', ['--mech', pyMech], mitEnv(lab.mit.krb5Conf, { KRB5_KTNAME: `FILE:${lab.mit.httpKeytab}`, KRB5CCNAME: `FILE:${join(dir, 'none')}` }), lab.python);
      try {
        const ctx = initiator({ mech, target: 'HTTP@localhost', credential: { ccache }, krb5Client: client });
        await handshakeToMit(ctx, peer);
        const info = await peer.must({ op: 'info' });
        assert.equal(info.complete, true);
        assert.equal(info.peer, alice.principal);
        assert.equal(info.mech, OID.KRB5, 'MIT reports the negotiated mech (krb5), inside SPNEGO too');
        assert.equal(info.enctype, etNum, `context key enctype ${JSON.stringify(info)}`);
        assert.ok(info.flags!.includes('mutual_authentication'), JSON.stringify(info.flags));
        await perMessage(ctx, peer, `${mech} ${etName}`);
      } finally {
        await peer.close();
      }
    });
  }
}

for (const [etName, etNum] of ENCTYPES) {
  for (const [mech, pyMech] of [['kerberos', 'krb5'], ['negotiate', 'spnego']] as const) {
    test(`python-gssapi ${pyMech} initiator (cache written by us), ${etName} -> our ${mech} acceptor: alice@SPNEGO.TEST, wrap/unwrap and MIC both ways`, async () => {
      const { ccache, conf } = await kinit(etName);
      const peer = await MitPeer.start('init', ['--mech', pyMech, '--target', 'HTTP@localhost'], mitEnv(conf, { KRB5CCNAME: ccache }), lab.python);
      try {
        const acc = acceptor({ mech, credential: { keytab: lab.mit.httpKeytab } });
        await handshakeFromMit(acc, peer);
        assert.equal(acc.mech, 'kerberos');
        assert.equal(acc.peerName?.principal, alice.principal);
        const info = await peer.must({ op: 'info' });
        assert.equal(info.enctype, etNum, `context key enctype ${JSON.stringify(info)}`);
        await perMessage(acc, peer, `${mech} ${etName}`);
      } finally {
        await peer.close();
      }
    });
  }
}

// ---------------------------------------------------------------------------------------------
// MIT gss-client -> our acceptor (gss-sample server in this process)

function run(cmd: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const c = spawn(cmd, args, { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const t = setTimeout(() => c.kill('SIGKILL'), 30_000);
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.stderr.on('data', (d: Buffer) => (err += d.toString()));
    c.on('error', reject);
    c.on('close', (code) => {
      clearTimeout(t);
      resolve({ code, out, err });
    });
  });
}

async function withSampleServer<T>(makeCtx: () => SecurityContext, fn: (port: number, sessions: SampleSession[]) => Promise<T>): Promise<T> {
  const sessions: SampleSession[] = [];
  const server: Server = sampleServer(makeCtx, (s) => sessions.push(s));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    return await fn((server.address() as AddressInfo).port, sessions);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

for (const [etName, etNum] of ENCTYPES) {
  for (const [mech, spnego] of [['kerberos', false], ['negotiate', true]] as const) {
    for (const noEnc of [false, true]) {
      test(`MIT gss-client${spnego ? ' -spnego' : ''}${noEnc ? ' -nx' : ''}, ${etName} -> our ${mech} acceptor (host keytab): "Signature verified.", alice@SPNEGO.TEST`, async () => {
        const { ccache, conf } = await kinit(etName);
        await withSampleServer(
          () => acceptor({ mech, credential: { keytab: lab.mit.hostKeytab } }),
          async (port, sessions) => {
            const msg = `hello from gss-client ${mech} ${etName} ${nonce()}`;
            const args = ['-port', String(port), ...(spnego ? ['-spnego'] : []), ...(noEnc ? ['-nx'] : []), '127.0.0.1', 'host@localhost', msg];
            const r = await run('gss-client', args, mitEnv(conf, { KRB5CCNAME: ccache }));
            assert.equal(sessions.length, 1);
            const s = sessions[0]!;
            await s.done;
            const where = `gss-client ${args.join(' ')}\nstdout:\n${r.out}\nstderr:\n${r.err}\nserver error: ${String(s.error)}\ntrace:\n${formatTrace(s.trace)}`;
            assert.equal(r.code, 0, where);
            assert.match(r.out, /Signature verified\./, where);
            assert.match(r.out, /context flag: GSS_C_MUTUAL_FLAG/, where);
            assert.equal(s.error, undefined, where);
            assert.equal(s.ctx.peerName?.principal, alice.principal, where);
            assert.equal(s.ctx.mech, 'kerberos', where);
            assert.equal(s.messages.length, 1, where);
            assert.equal(dec(s.messages[0]!.message), msg, where);
            const f = s.messages[0]!.flags;
            assert.equal(f, TOKEN.DATA | TOKEN.WRAPPED | TOKEN.SEND_MIC | (noEnc ? 0 : TOKEN.ENCRYPTED), where);
            // Our MIC has the forced enctype's checksum length (acceptor subkey of the initiator subkey's type).
            const ourMic = s.trace.find((t) => t.dir === '>' && t.flags === TOKEN.MIC);
            assert.equal(ourMic?.body.length, micLength(etNum), where);
          },
        );
      });
    }
  }
}

test('MIT gss-client -> our acceptor holding only the HTTP/localhost keytab: the host/localhost ticket is refused (NO_CRED), gss-client fails', async () => {
  const { ccache } = await kinit();
  await withSampleServer(
    () => acceptor({ mech: 'kerberos', credential: { keytab: lab.mit.httpKeytab } }),
    async (port, sessions) => {
      const args = ['-port', String(port), '127.0.0.1', 'host@localhost', `not for us ${nonce()}`];
      const r = await run('gss-client', args, mitEnv(lab.mit.krb5Conf, { KRB5CCNAME: ccache }));
      assert.equal(sessions.length, 1);
      const s = sessions[0]!;
      await s.done;
      const where = `stdout:\n${r.out}\nstderr:\n${r.err}\nserver error: ${String(s.error)}\ntrace:\n${formatTrace(s.trace)}`;
      assert.ok(s.error instanceof SpnegoError && s.error.code === 'NO_CRED', where);
      assert.equal(s.ctx.complete, false, where);
      assert.equal(s.ctx.peerName, undefined, where);
      assert.notEqual(r.code, 0, where);
      assert.doesNotMatch(r.out, /Signature verified/, where);
      assert.deepEqual(s.messages, [], where);
    },
  );
});

// ---------------------------------------------------------------------------------------------
// Replay

test("an AP-REQ from MIT's initiator, sent twice to our acceptor: the second is refused with DUPLICATE_TOKEN", async () => {
  const { ccache } = await kinit();
  const peer = await MitPeer.start('init', ['--mech', 'krb5', '--target', 'host@localhost'], mitEnv(lab.mit.krb5Conf, { KRB5CCNAME: ccache }), lab.python);
  try {
    const { token } = await peer.step();
    assert.ok(token);
    assert.equal(krb5Kind(token), 'AP-REQ');
    const replayCache = new MemoryReplayCache();
    const first = acceptor({ mech: 'kerberos', credential: { keytab: lab.mit.hostKeytab }, replayCache });
    const apRep = await first.step(token);
    assert.ok(first.complete && apRep, 'the first AP-REQ is accepted');
    assert.equal(first.peerName?.principal, alice.principal);
    // MIT accepts our AP-REP for it: the capture is a real, live exchange.
    assert.equal((await peer.step(apRep)).complete, true);
    const second = acceptor({ mech: 'kerberos', credential: { keytab: lab.mit.hostKeytab }, replayCache });
    await assert.rejects(
      () => second.step(token),
      (e: unknown) => e instanceof SpnegoError && e.code === 'DUPLICATE_TOKEN',
    );
    assert.equal(second.complete, false);
    assert.equal(second.peerName, undefined);
  } finally {
    await peer.close();
  }
});
