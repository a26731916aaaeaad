// Interop, KDC faults (issue 8): our Kerberos client against a real MIT krb5kdc of its own (a copy of
// the lab's SPNEGO.TEST database on free loopback ports, so the lab's KDC stays up for the other
// tests), with the faults put in front of it: the KDC stopped mid-run and restarted, UDP datagrams
// dropped by an injected NetworkIO, a TCP path that resets, replies delayed beyond and within the
// timeout, and garbage replies (a loopback proxy). Each failure must be a typed SpnegoError that
// arrives within the configured timeout (per attempt: UDP then TCP, times the KDCs tried, plus a
// margin: a bound, not a speed check), the same client must work once the fault is gone, and a
// failure must leave nothing cached: the next request for that service goes to the KDC again
// (counted at the network), the FILE ccache is unchanged, a wrong password stores nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Krb5Client } from '../../src/mech/krb5/client.js';
import { parseKrb5Config } from '../../src/mech/krb5/config/index.js';
import { nodeNetwork, type KdcAddress, type NetworkIO } from '../../src/mech/krb5/transport.js';
import { hostBasedService, parsePrincipal } from '../../src/mech/krb5/principal.js';
import { readCcache, writeCcache } from '../../src/mech/krb5/ccache-store.js';
import { serviceTicketFor } from '../../src/gss/krb5-credential.js';
import { GssMajor, SpnegoError } from '../../src/errors.js';

interface Lab {
  mit: { realm: string; kdcProfile: string; users: { name: string; password: string }[] };
}

/** Per-attempt timeout given to the client, and the slack allowed on top of the bound. */
const T = 500;
const MARGIN = 2000;

let lab: Lab;
let work: string;
let kdc: PrivateKdc;
const cleanups: (() => void | Promise<void>)[] = [];

const realm = () => lab.mit.realm;
const alice = () => parsePrincipal(`alice@${realm()}`);
const alicePw = () => lab.mit.users.find((u) => u.name === 'alice')!.password;
const http = () => hostBasedService('HTTP@localhost', realm());
const hostSvc = () => hostBasedService('host@localhost', realm());

// ---------------------------------------------------------------- the private MIT KDC

/** A loopback port free for both TCP and UDP right now (a KDC listens on both). */
async function freePort(): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const srv = createServer();
    const port = await new Promise<number>((res, rej) => {
      srv.once('error', rej);
      srv.listen(0, '127.0.0.1', () => res((srv.address() as { port: number }).port));
    });
    const u = createSocket('udp4');
    const ok = await new Promise<boolean>((res) => {
      u.once('error', () => res(false));
      u.bind(port, '127.0.0.1', () => res(true));
    });
    await new Promise<void>((res) => srv.close(() => res()));
    await new Promise<void>((res) => { try { u.close(() => res()); } catch { res(); } });
    if (ok) return port;
  }
  throw new Error('no free loopback port for both TCP and UDP');
}

class PrivateKdc {
  private proc: ChildProcess | undefined;
  private constructor(readonly dir: string, readonly port: number) {}

  /** Copies the lab's MIT database and stash into `parent`/kdc, with a kdc.conf listening on `port`. */
  static async start(l: Lab, parent: string): Promise<PrivateKdc> {
    let last: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      const dir = join(parent, `kdc${attempt}`);
      cpSync(dirname(l.mit.kdcProfile), dir, { recursive: true });
      const port = await freePort();
      const labDir = dirname(l.mit.kdcProfile);
      let conf = readFileSync(l.mit.kdcProfile, 'utf8');
      conf = conf.slice(0, conf.indexOf('[logging]') >= 0 ? conf.indexOf('[logging]') : conf.length);
      conf = conf.split(labDir).join(dir);
      conf = conf.replace(/^(\s*kdc_(?:tcp_)?listen\s*=).*$/gm, `$1 127.0.0.1:${port}`);
      conf = conf.replace(/^\s*(kadmind_listen|kpasswd_listen)\s*=.*\n/gm, '');
      if (!conf.includes(`kdc_listen = 127.0.0.1:${port}`)) throw new Error(`no kdc_listen to rewrite in ${l.mit.kdcProfile}`);
      conf += `[logging]\n    kdc = FILE:${join(dir, 'krb5kdc.log')}\n`;
      writeFileSync(join(dir, 'kdc.conf'), conf);
      writeFileSync(join(dir, 'krb5.conf'), `[libdefaults]\n    default_realm = ${l.mit.realm}\n`);
      const k = new PrivateKdc(dir, port);
      try {
        await k.resume();
        return k;
      } catch (e) {
        last = e; // the port was taken between the probe and krb5kdc's bind: another port
        await k.stop();
      }
    }
    throw last;
  }

  private log(): string {
    const f = join(this.dir, 'krb5kdc.log');
    return existsSync(f) ? readFileSync(f, 'utf8') : '';
  }

  /** Starts krb5kdc in the foreground (-n) and waits for "commencing operation" and a TCP accept. */
  async resume(): Promise<void> {
    const started = this.log().split('commencing operation').length;
    const out: Buffer[] = [];
    const proc = spawn('krb5kdc', ['-n', '-r', lab.mit.realm, '-P', join(this.dir, 'krb5kdc.pid')], {
      env: { ...process.env, KRB5_CONFIG: join(this.dir, 'krb5.conf'), KRB5_KDC_PROFILE: join(this.dir, 'kdc.conf') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.proc = proc;
    proc.stdout.on('data', (d: Buffer) => out.push(d));
    proc.stderr.on('data', (d: Buffer) => out.push(d));
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`krb5kdc exited: ${Buffer.concat(out).toString()}\n${this.log()}`);
      if (this.log().split('commencing operation').length > started && (await tcpAccepts(this.port))) return;
      if (Date.now() > deadline) throw new Error(`krb5kdc not up on 127.0.0.1:${this.port} after 10 s\n${this.log()}`);
      await sleep(25);
    }
  }

  /** SIGTERM to our krb5kdc (by its pid) and wait for it to exit. */
  async stop(): Promise<void> {
    const p = this.proc;
    this.proc = undefined;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise<void>((res) => p.once('exit', () => res()));
    p.kill('SIGTERM');
    const t = setTimeout(() => p.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(t);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((res) => setTimeout(res, ms));
}

function tcpAccepts(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => { s.destroy(); res(true); });
    s.once('error', () => res(false));
  });
}

// ---------------------------------------------------------------- clients and faults

/** A client config naming these KDC ports, in order. */
function clientFor(ports: number[], o: { network?: NetworkIO; extra?: string } = {}): Krb5Client {
  const conf = `[libdefaults]
    default_realm = ${realm()}
    dns_lookup_kdc = false
    dns_canonicalize_hostname = false
    rdns = false
${o.extra ?? ''}
[realms]
    ${realm()} = {
${ports.map((p) => `        kdc = 127.0.0.1:${p}`).join('\n')}
    }
[domain_realm]
    localhost = ${realm()}
`;
  return new Krb5Client({ config: parseKrb5Config([conf]), timeoutMs: T, ...(o.network ? { network: o.network } : {}) });
}

/** The real network, counting the attempts per protocol (a request that reaches the wire). */
function counted(inner: NetworkIO = nodeNetwork()): { net: NetworkIO; n: { udp: number; tcp: number } } {
  const n = { udp: 0, tcp: 0 };
  return {
    n,
    net: {
      udp: (a, r, t) => { n.udp++; return inner.udp(a, r, t); },
      tcp: (a, r, t) => { n.tcp++; return inner.tcp(a, r, t); },
    },
  };
}
const total = (n: { udp: number; tcp: number }) => n.udp + n.tcp;

/** Runs `f`, which must fail with a SpnegoError, within `boundMs`; returns the error. */
async function failsWithin(f: () => Promise<unknown>, boundMs: number): Promise<SpnegoError> {
  const t0 = performance.now();
  let err: unknown;
  try {
    await f();
  } catch (e) {
    err = e;
  }
  const ms = performance.now() - t0;
  assert.ok(err !== undefined, 'expected a failure, got success');
  assert.ok(err instanceof SpnegoError, `expected a SpnegoError, got ${String(err)}`);
  assert.ok(ms < boundMs, `failed after ${Math.round(ms)} ms, bound ${boundMs} ms`);
  return err;
}

/** A bound UDP socket that never answers: where an injected network sends the datagrams it drops. */
async function udpBlackHole(): Promise<number> {
  const s: UdpSocket = createSocket('udp4');
  s.on('message', () => undefined);
  await new Promise<void>((res) => s.bind(0, '127.0.0.1', () => res()));
  cleanups.push(() => new Promise<void>((res) => s.close(() => res())));
  return s.address().port;
}

/** A TCP server that accepts, reads and never answers. */
async function tcpBlackHole(): Promise<number> {
  const conns = new Set<Socket>();
  const srv = createServer((c) => { conns.add(c); c.on('error', () => undefined); c.on('close', () => conns.delete(c)); c.resume(); });
  await new Promise<void>((res) => srv.listen(0, '127.0.0.1', () => res()));
  cleanups.push(() => new Promise<void>((res) => { conns.forEach((c) => c.destroy()); srv.close(() => res()); }));
  return (srv.address() as { port: number }).port;
}

type Fault = 'forward' | 'drop' | 'reset' | 'garbage' | { delayMs: number };
const GARBAGE = [Buffer.from('this is not a KDC reply'), Buffer.from([0x6d, 0x82, 0x01, 0x00, 0x30, 0x03, 0x02, 0x01])];

/**
 * A loopback proxy in front of the real KDC, one port for UDP and TCP, with a fault per protocol
 * read at each request (so a test can heal it mid-run). Counts the requests it saw.
 */
class FaultProxy {
  udpFault: Fault = 'forward';
  tcpFault: Fault = 'forward';
  seen = { udp: 0, tcp: 0 };
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly sockets = new Set<Socket | UdpSocket>();
  private garbageNext = 0;
  private constructor(private readonly srv: Server, private readonly udp: UdpSocket, readonly port: number, private readonly target: number) {}

  static async start(target: number): Promise<FaultProxy> {
    for (let i = 0; i < 20; i++) {
      const port = await freePort();
      const srv = createServer();
      const udp = createSocket('udp4');
      const ok = await new Promise<boolean>((res) => {
        srv.once('error', () => res(false));
        srv.listen(port, '127.0.0.1', () => {
          udp.once('error', () => res(false));
          udp.bind(port, '127.0.0.1', () => res(true));
        });
      });
      if (!ok) {
        srv.close();
        udp.close();
        continue;
      }
      const p = new FaultProxy(srv, udp, port, target);
      srv.on('connection', (c) => p.onTcp(c));
      udp.on('message', (m, r) => p.onUdp(m, r.port, r.address));
      cleanups.push(() => p.close());
      return p;
    }
    throw new Error('no free port for the proxy');
  }

  private later(ms: number, f: () => void): void {
    const t = setTimeout(() => { this.timers.delete(t); f(); }, ms);
    this.timers.add(t);
  }

  private garbage(): Buffer {
    return GARBAGE[this.garbageNext++ % GARBAGE.length]!;
  }

  private onUdp(m: Buffer, port: number, address: string): void {
    this.seen.udp++;
    const f = this.udpFault;
    if (f === 'drop' || f === 'reset') return;
    if (f === 'garbage') return void this.udp.send(this.garbage(), port, address);
    const up = createSocket('udp4');
    this.sockets.add(up);
    up.on('error', () => undefined);
    up.on('message', (reply) => {
      const back = () => { this.udp.send(reply, port, address, () => undefined); up.close(); this.sockets.delete(up); };
      if (typeof f === 'object') this.later(f.delayMs, back);
      else back();
    });
    up.send(m, this.target, '127.0.0.1');
  }

  private onTcp(c: Socket): void {
    this.seen.tcp++;
    this.sockets.add(c);
    c.on('error', () => undefined);
    c.on('close', () => this.sockets.delete(c));
    const f = this.tcpFault;
    if (f === 'reset') {
      // Read the request, then answer with an RST instead of a reply.
      c.once('data', () => c.resetAndDestroy());
      return;
    }
    if (f === 'drop') return void c.resume();
    if (f === 'garbage') {
      c.once('data', () => {
        const g = this.garbage();
        const len = Buffer.alloc(4);
        len.writeUInt32BE(g.length);
        c.end(Buffer.concat([len, g]));
      });
      return;
    }
    const up = connect({ host: '127.0.0.1', port: this.target });
    this.sockets.add(up);
    up.on('error', () => c.destroy());
    up.on('close', () => this.sockets.delete(up));
    c.on('data', (d) => up.write(d));
    const delay = typeof f === 'object' ? f.delayMs : 0;
    up.on('data', (d) => (delay > 0 ? this.later(delay, () => c.write(d)) : c.write(d)));
    up.on('end', () => (delay > 0 ? this.later(delay, () => c.end()) : c.end()));
  }

  /** Forgets the replies still being delayed (so none arrives during the next phase of a test). */
  cancelPending(): void {
    this.timers.forEach((t) => clearTimeout(t));
    this.timers.clear();
  }

  async close(): Promise<void> {
    this.cancelPending();
    this.sockets.forEach((s) => ('destroy' in s ? s.destroy() : s.close()));
    await new Promise<void>((res) => this.udp.close(() => res()));
    await new Promise<void>((res) => this.srv.close(() => res()));
  }
}

// ---------------------------------------------------------------- the tests

before(async () => {
  const s = process.env.LAB_STATE;
  if (!s) throw new Error('LAB_STATE is not set: run `npm test`, which starts the lab');
  lab = JSON.parse(readFileSync(join(s, 'lab.json'), 'utf8')) as Lab;
  work = mkdtempSync(join(tmpdir(), 'spnego-kdc-faults-'));
  kdc = await PrivateKdc.start(lab, work);
});
after(async () => {
  for (const c of cleanups.reverse()) await c();
  await kdc?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

test('KDC stopped mid-run: a TGS request fails UNAVAILABLE within the timeout, nothing cached; after a restart the same client succeeds', async () => {
  const { net, n } = counted();
  const client = clientFor([kdc.port], { network: net });
  const tgt = await client.tgtWithPassword(alice(), alicePw());
  assert.deepEqual(tgt.server.name.nameString, ['krbtgt', realm()]);
  const cc = `FILE:${join(work, 'stopped.ccache')}`;
  writeCcache(cc, tgt.client, [tgt]);
  const ccBefore = readFileSync(cc.slice(5));

  await kdc.stop();
  try {
    // One KDC, stopped: UDP (connected) gets ECONNREFUSED from the port unreachable, TCP is refused.
    const e = await failsWithin(() => client.serviceTicket(tgt, http()), 2 * T + MARGIN);
    assert.equal(e.code, 'UNAVAILABLE');
    assert.equal(e.major, GssMajor.UNAVAILABLE);
    assert.match(e.message, new RegExp(`127\\.0\\.0\\.1:${kdc.port}: UDP: .*ECONNREFUSED.*TCP: .*ECONNREFUSED`));
    // Through the GSS credential path with a FILE ccache: the same typed error, the cache untouched.
    const e2 = await failsWithin(() => serviceTicketFor(client, { ccache: cc }, 'HTTP@localhost'), 2 * T + MARGIN);
    assert.equal(e2.code, 'UNAVAILABLE');
    assert.deepEqual(readFileSync(cc.slice(5)), ccBefore);
  } finally {
    await kdc.resume();
  }

  // Recovery with the same client object; the failures cached nothing, so this goes to the KDC.
  const before = total(n);
  const svc = await client.serviceTicket(tgt, http());
  assert.deepEqual(svc.server.name.nameString, ['HTTP', 'localhost']);
  assert.ok(total(n) > before, 'the request after the failure went to the KDC');
  // Now cached (a real ticket): no further request.
  const again = total(n);
  assert.equal(await client.serviceTicket(tgt, http()), svc);
  assert.equal(total(n), again);
  // And the FILE ccache gets the service ticket only now.
  await serviceTicketFor(client, { ccache: cc }, 'HTTP@localhost');
  assert.ok(readCcache(cc).credentials.some((c) => c.server.name.nameString.join('/') === 'HTTP/localhost'));
});

test('dropped UDP (injected NetworkIO): the client times out on UDP and falls over to TCP on the same KDC; all dropped is UNAVAILABLE within the timeout', async () => {
  const hole = await udpBlackHole();
  const tcpHole = await tcpBlackHole();
  const real = nodeNetwork();
  let dropTcp = false;
  const n = { udp: 0, tcp: 0 };
  const net: NetworkIO = {
    // The datagram is sent, to a socket that never answers: the real UDP timeout runs.
    udp: (_a: KdcAddress, r, t) => { n.udp++; return real.udp({ host: '127.0.0.1', port: hole }, r, t); },
    tcp: (a, r, t) => { n.tcp++; return real.tcp(dropTcp ? { host: '127.0.0.1', port: tcpHole } : a, r, t); },
  };
  const client = clientFor([kdc.port], { network: net });
  const t0 = performance.now();
  const tgt = await client.tgtWithPassword(alice(), alicePw());
  assert.ok(n.udp >= 1 && n.tcp === n.udp, `each UDP attempt fell over to TCP (${JSON.stringify(n)})`);
  assert.ok(performance.now() - t0 < n.udp * (T + MARGIN));
  let k = n.udp;
  const svc = await client.serviceTicket(tgt, hostSvc());
  assert.deepEqual(svc.server.name.nameString, ['host', 'localhost']);
  assert.deepEqual(n, { udp: k + 1, tcp: k + 1 });
  k++;

  // Both protocols black-holed: a typed timeout naming both attempts, within 2 x T + margin.
  dropTcp = true;
  const e = await failsWithin(() => client.serviceTicket(tgt, http()), 2 * T + MARGIN);
  assert.equal(e.code, 'UNAVAILABLE');
  assert.match(e.message, new RegExp(`UDP: no reply within ${T} ms`));
  assert.match(e.message, new RegExp(`TCP: no reply within ${T} ms`));
  assert.deepEqual(n, { udp: k + 1, tcp: k + 1 });
  k++;
  // Healed: the failed service was not cached, the request goes out (over TCP again) and succeeds.
  dropTcp = false;
  const ok = await client.serviceTicket(tgt, http());
  assert.deepEqual(ok.server.name.nameString, ['HTTP', 'localhost']);
  assert.deepEqual(n, { udp: k + 1, tcp: k + 1 });
});

test('TCP reset: the first KDC resets the connection (typed error), failover to the real KDC listed second succeeds', async () => {
  const proxy = await FaultProxy.start(kdc.port);
  proxy.tcpFault = 'reset';
  // udp_preference_limit = 1: every request goes over TCP (as MIT users force it).
  const { net, n } = counted();
  const client = clientFor([proxy.port, kdc.port], { network: net, extra: '    udp_preference_limit = 1' });
  const tgt = await client.tgtWithPassword(alice(), alicePw());
  assert.ok(proxy.seen.tcp >= 1, 'the first KDC was asked and reset the connection');
  assert.deepEqual(n, { udp: 0, tcp: 2 * proxy.seen.tcp }, 'each request: reset by the first KDC, answered by the second');
  const svc = await client.serviceTicket(tgt, http());
  assert.deepEqual(svc.server.name.nameString, ['HTTP', 'localhost']);
  assert.deepEqual(n, { udp: 0, tcp: 2 * proxy.seen.tcp });

  // Only the resetting KDC: a typed error at once (well within one timeout), naming the reset.
  const lone = clientFor([proxy.port], { extra: '    udp_preference_limit = 1' });
  const e = await failsWithin(() => lone.serviceTicket(tgt, hostSvc()), T + MARGIN);
  assert.equal(e.code, 'UNAVAILABLE');
  assert.match(e.message, /ECONNRESET|closed the connection/);
  // Healed: not cached, the same client goes to the KDC through the proxy and succeeds.
  proxy.tcpFault = 'forward';
  const seen = proxy.seen.tcp;
  const ok = await lone.serviceTicket(tgt, hostSvc());
  assert.deepEqual(ok.server.name.nameString, ['host', 'localhost']);
  assert.equal(proxy.seen.tcp, seen + 1);
});

test('slow replies: delayed beyond the timeout is UNAVAILABLE within it and caches nothing; delayed within it succeeds', async () => {
  const proxy = await FaultProxy.start(kdc.port);
  const client = clientFor([proxy.port]);
  const tgt = await client.tgtWithPassword(alice(), alicePw());
  const s0 = { ...proxy.seen };

  proxy.udpFault = proxy.tcpFault = { delayMs: 3 * T };
  const e = await failsWithin(() => client.serviceTicket(tgt, http()), 2 * T + MARGIN);
  assert.equal(e.code, 'UNAVAILABLE');
  assert.match(e.message, new RegExp(`UDP: no reply within ${T} ms`));
  assert.match(e.message, new RegExp(`TCP: no reply within ${T} ms`));
  assert.deepEqual(proxy.seen, { udp: s0.udp + 1, tcp: s0.tcp + 1 }, 'UDP timed out, then TCP timed out on the same KDC');

  proxy.cancelPending();
  proxy.udpFault = proxy.tcpFault = { delayMs: Math.round(T / 5) };
  const svc = await client.serviceTicket(tgt, http());
  assert.deepEqual(svc.server.name.nameString, ['HTTP', 'localhost']);
  assert.deepEqual(proxy.seen, { udp: s0.udp + 2, tcp: s0.tcp + 1 }, 'not cached after the failure: asked again, answered over UDP');
});

test('a KDC replying garbage (UDP and TCP): typed decode errors (DEFECTIVE_TOKEN major), nothing cached, success once it answers properly', async () => {
  const proxy = await FaultProxy.start(kdc.port);
  const client = clientFor([proxy.port]);
  const tgt = await client.tgtWithPassword(alice(), alicePw());
  proxy.udpFault = 'garbage';
  for (let i = 0; i < GARBAGE.length; i++) {
    const e = await failsWithin(() => client.serviceTicket(tgt, http()), T + MARGIN);
    assert.equal(e.major, GssMajor.DEFECTIVE_TOKEN, `${e.code}: ${e.message}`);
  }
  const e = await failsWithin(() => client.tgtWithPassword(alice(), alicePw()), T + MARGIN);
  assert.equal(e.major, GssMajor.DEFECTIVE_TOKEN, `${e.code}: ${e.message}`);
  // Over TCP too (udp_preference_limit = 1).
  proxy.tcpFault = 'garbage';
  const overTcp = clientFor([proxy.port], { extra: '    udp_preference_limit = 1' });
  for (let i = 0; i < GARBAGE.length; i++) {
    const e2 = await failsWithin(() => overTcp.serviceTicket(tgt, http()), T + MARGIN);
    assert.equal(e2.major, GssMajor.DEFECTIVE_TOKEN, `${e2.code}: ${e2.message}`);
  }
  proxy.udpFault = proxy.tcpFault = 'forward';
  const seen = { ...proxy.seen };
  assert.deepEqual((await client.serviceTicket(tgt, http())).server.name.nameString, ['HTTP', 'localhost']);
  assert.deepEqual((await overTcp.serviceTicket(tgt, http())).server.name.nameString, ['HTTP', 'localhost']);
  assert.deepEqual(proxy.seen, { udp: seen.udp + 1, tcp: seen.tcp + 1 }, 'each client asked the KDC again: the garbage was not cached');
});

test('a wrong-password AS attempt caches nothing: UNAUTHORIZED, no ccache written, the next request goes to the KDC', async () => {
  const { net, n } = counted();
  const client = clientFor([kdc.port], { network: net });
  const cc = `FILE:${join(work, 'wrong-password.ccache')}`;
  const e = await failsWithin(() => client.tgtWithPassword(alice(), 'Wrong-Pass9'), 2 * T + MARGIN);
  assert.equal(e.code, 'UNAUTHORIZED');
  assert.ok(!e.message.includes('Wrong-Pass9'));
  const e2 = await failsWithin(() => serviceTicketFor(client, { username: `alice@${realm()}`, password: 'Wrong-Pass9', ccache: cc }, 'HTTP@localhost'), 2 * T + MARGIN);
  assert.equal(e2.code, 'UNAUTHORIZED');
  assert.ok(!existsSync(cc.slice(5)), 'no ccache was written');
  // The right password then works, and its service ticket comes from the KDC (nothing left over).
  const before = total(n);
  const got = await serviceTicketFor(client, { username: `alice@${realm()}`, password: alicePw(), ccache: cc }, 'HTTP@localhost');
  assert.deepEqual(got.ticket.server.name.nameString, ['HTTP', 'localhost']);
  assert.ok(total(n) >= before + 2, 'an AS and a TGS request');
  assert.ok(!existsSync(cc.slice(5)), 'a password login keeps its tickets in memory');
});
