// KDC transport against fake KDCs on loopback (this file's own UDP/TCP servers): protocol
// choice, the TCP retry on KRB_ERR_RESPONSE_TOO_BIG, failover, limits. The real KDC is in interop.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { KdcTransport, locateKdcsByDns, isResponseTooBig, nodeNetwork, type KdcAddress } from '../../../../src/mech/krb5/transport.js';
import { SpnegoError } from '../../../../src/errors.js';
import { krbErrorCodec } from '../../../../src/codec/krb5/krb-error.js';

const closers: (() => void)[] = [];
after(() => closers.forEach((c) => c()));

const tooBig = krbErrorCodec.encode({ pvno: 5, msgType: 30, stime: new Date(Date.UTC(2026, 0, 1)), susec: 0, errorCode: 52, realm: 'R', sname: { nameType: 2, nameString: ['krbtgt', 'R'] } });

async function udpKdc(reply: (req: Buffer) => Uint8Array | undefined): Promise<{ port: number; seen: number[] }> {
  const seen: number[] = [];
  const s: Socket = createSocket('udp4');
  s.on('message', (m, r) => {
    seen.push(m.length);
    const out = reply(m);
    if (out) s.send(out, r.port, r.address);
  });
  await new Promise<void>((res) => s.bind(0, '127.0.0.1', () => res()));
  closers.push(() => s.close());
  return { port: s.address().port, seen };
}

async function tcpKdc(reply: (req: Buffer) => Buffer, port = 0): Promise<{ port: number; seen: number[] }> {
  const seen: number[] = [];
  const srv: Server = createServer((c) => {
    let buf = Buffer.alloc(0);
    c.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 4 && buf.length >= 4 + buf.readUInt32BE(0)) {
        const req = buf.subarray(4, 4 + buf.readUInt32BE(0));
        seen.push(req.length);
        c.end(reply(req));
      }
    });
  });
  await new Promise<void>((res) => srv.listen(port, '127.0.0.1', () => res()));
  closers.push(() => srv.close());
  return { port: (srv.address() as AddressInfo).port, seen };
}
const framed = (b: Uint8Array) => { const l = Buffer.alloc(4); l.writeUInt32BE(b.length); return Buffer.concat([l, b]); };

test('small request over UDP, large over TCP (udp_preference_limit)', async () => {
  const u = await udpKdc(() => Uint8Array.of(1, 2, 3));
  const t = await tcpKdc(() => framed(Uint8Array.of(9, 9)));
  const kdc = (p: number): KdcAddress => ({ host: '127.0.0.1', port: p });
  const tr = new KdcTransport({ locate: async () => [kdc(u.port)], udpPreferenceLimit: 100 });
  assert.deepEqual(await tr.send('R', new Uint8Array(10)), Uint8Array.of(1, 2, 3));
  const tr2 = new KdcTransport({ locate: async () => [kdc(t.port)], udpPreferenceLimit: 100 });
  assert.deepEqual(await tr2.send('R', new Uint8Array(500)), Uint8Array.of(9, 9));
  assert.deepEqual(t.seen, [500]);
});

test('KRB_ERR_RESPONSE_TOO_BIG over UDP: the same KDC is asked again over TCP (RFC 4120 7.2.1)', async () => {
  assert.ok(isResponseTooBig(tooBig));
  // One port number for both protocols, as a real KDC listens.
  const t = await tcpKdc(() => framed(Uint8Array.of(7)));
  const s = createSocket('udp4');
  await new Promise<void>((res) => s.bind(t.port, '127.0.0.1', () => res()));
  closers.push(() => s.close());
  s.on('message', (_m, r) => s.send(tooBig, r.port, r.address));
  const tr = new KdcTransport({ locate: async () => [{ host: '127.0.0.1', port: t.port }] });
  assert.deepEqual(await tr.send('R', new Uint8Array(20)), Uint8Array.of(7));
  assert.deepEqual(t.seen, [20]);
});

test('UDP without a reply: the same KDC is asked over TCP before the next (MIT: the other transport, deferred); not for a udp/ KDC', async () => {
  const t = await tcpKdc(() => framed(Uint8Array.of(4, 2)));
  const s = createSocket('udp4');
  await new Promise<void>((res) => s.bind(t.port, '127.0.0.1', () => res()));
  closers.push(() => s.close());
  let dropped = 0;
  s.on('message', () => dropped++);
  const tr = new KdcTransport({ locate: async () => [{ host: '127.0.0.1', port: t.port }], timeoutMs: 100 });
  assert.deepEqual(await tr.send('R', new Uint8Array(12)), Uint8Array.of(4, 2));
  assert.equal(dropped, 1);
  assert.deepEqual(t.seen, [12]);
  const udpOnly = new KdcTransport({ locate: async () => [{ host: '127.0.0.1', port: t.port, protocol: 'udp' }], timeoutMs: 100 });
  await assert.rejects(() => udpOnly.send('R', new Uint8Array(12)), (e: { code: string; message: string }) => e.code === 'UNAVAILABLE' && /UDP: no reply within 100 ms/.test(e.message));
  assert.deepEqual(t.seen, [12]);
});

test('UDP is connected (as MIT): a reply from another port is ignored, a closed port is refused without waiting, bad ports are typed', async () => {
  // The "KDC" answers from a second socket: not the address we sent to, so not our reply.
  const other: Socket = createSocket('udp4');
  await new Promise<void>((res) => other.bind(0, '127.0.0.1', () => res()));
  closers.push(() => other.close());
  const net = nodeNetwork();
  const kdcSock = createSocket('udp4');
  await new Promise<void>((res) => kdcSock.bind(0, '127.0.0.1', () => res()));
  closers.push(() => kdcSock.close());
  kdcSock.on('message', (_m, r) => other.send(Uint8Array.of(6), r.port, r.address));
  await assert.rejects(() => net.udp({ host: '127.0.0.1', port: kdcSock.address().port }, new Uint8Array(4), 150), (e: unknown) => e instanceof SpnegoError && e.code === 'UNAVAILABLE' && /no reply within 150 ms/.test(e.message));
  // Nothing listening: the ICMP port unreachable ends the attempt (ECONNREFUSED), not the timer.
  const closed = createSocket('udp4');
  await new Promise<void>((res) => closed.bind(0, '127.0.0.1', () => res()));
  const closedPort = closed.address().port;
  await new Promise<void>((res) => closed.close(() => res()));
  await assert.rejects(() => net.udp({ host: '127.0.0.1', port: closedPort }, new Uint8Array(4), 5000), (e: unknown) => e instanceof SpnegoError && e.code === 'UNAVAILABLE' && /ECONNREFUSED/.test(e.message));
  for (const port of [0, 70000]) {
    await assert.rejects(() => net.udp({ host: '127.0.0.1', port }, new Uint8Array(4), 5000), (e: unknown) => e instanceof SpnegoError && e.code === 'UNAVAILABLE');
    await assert.rejects(() => net.tcp({ host: '127.0.0.1', port }, new Uint8Array(4), 5000), (e: unknown) => e instanceof SpnegoError && e.code === 'UNAVAILABLE');
  }
});

test('a silent KDC times out and the next one answers; all failing is UNAVAILABLE naming each', async () => {
  const silent = await udpKdc(() => undefined);
  const good = await udpKdc(() => Uint8Array.of(5));
  const tr = new KdcTransport({ locate: async () => [{ host: '127.0.0.1', port: silent.port }, { host: '127.0.0.1', port: good.port }], timeoutMs: 150 });
  assert.deepEqual(await tr.send('R', new Uint8Array(8)), Uint8Array.of(5));
  const none = new KdcTransport({ locate: async () => [{ host: '127.0.0.1', port: silent.port }], timeoutMs: 100 });
  await assert.rejects(() => none.send('R', new Uint8Array(8)), (e: { code: string; message: string }) => e.code === 'UNAVAILABLE' && e.message.includes(String(silent.port)));
  await assert.rejects(() => new KdcTransport({ locate: async () => [] }).send('R', new Uint8Array(1)), { code: 'UNAVAILABLE' });
});

test('TCP: an announced reply over the limit is refused before reading it; a short reply is an error', async () => {
  const huge = await tcpKdc(() => Buffer.from([0x7f, 0xff, 0xff, 0xff, 1, 2]));
  const tr = new KdcTransport({ locate: async () => [{ host: '127.0.0.1', port: huge.port, protocol: 'tcp' }] });
  await assert.rejects(() => tr.send('R', new Uint8Array(4)), /UNAVAILABLE|exceeds/);
  const short = await tcpKdc(() => Buffer.from([0, 0, 0, 10, 1]));
  const tr2 = new KdcTransport({ locate: async () => [{ host: '127.0.0.1', port: short.port, protocol: 'tcp' }] });
  await assert.rejects(() => tr2.send('R', new Uint8Array(4)), { code: 'UNAVAILABLE' });
});

test('DNS SRV: _kerberos._udp and _tcp records in priority order (injected resolver)', async () => {
  const recs: Record<string, { name: string; port: number; priority: number; weight: number }[]> = {
    '_kerberos._udp.EXAMPLE.TEST': [{ name: 'kdc2.example.test', port: 88, priority: 20, weight: 0 }, { name: 'kdc1.example.test', port: 88, priority: 10, weight: 0 }],
  };
  const found = await locateKdcsByDns('EXAMPLE.TEST', async (n) => { const r = recs[n]; if (!r) throw new Error('ENOTFOUND'); return r; });
  assert.deepEqual(found, [{ host: 'kdc1.example.test', port: 88, protocol: 'udp' }, { host: 'kdc2.example.test', port: 88, protocol: 'udp' }]);
});

test('a KDC answering garbage: the AS exchange fails with a typed decode error, not a crash or a hang', async () => {
  const { asExchange } = await import('../../../../src/mech/krb5/as.js');
  const { parsePrincipal } = await import('../../../../src/mech/krb5/principal.js');
  const { SpnegoError } = await import('../../../../src/errors.js');
  const replies = [Uint8Array.of(0x30, 0x03, 0x02, 0x01), Uint8Array.of(0x6b, 0x80, 0x00), new Uint8Array(0), Uint8Array.of(0x7e, 0x02, 0x30, 0x00)];
  for (const reply of replies) {
    const network = { udp: async () => reply, tcp: async () => reply };
    const kdc = new KdcTransport({ locate: async () => [{ host: '127.0.0.1', port: 88 }], network });
    await assert.rejects(
      () => asExchange({ client: parsePrincipal('alice@EXAMPLE.TEST'), password: 'pw', kdc, enctypes: [18] }),
      (e: unknown) => e instanceof SpnegoError && e.code.startsWith('DECODE_'),
    );
  }
});
