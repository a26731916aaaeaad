// Our HTTP client (createFetch, src/http/client) against our HTTP server (negotiateHandler) on
// loopback: 50 concurrent handshakes, each on its own socket, every final token verified, then
// keep-alive reuse of the authenticated connections with no new handshake.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createFetch, authInfo } from '../../../src/http/client/fetch.js';
import { negotiateHandler, type NegotiateEvent } from '../../../src/http/server/index.js';

test('createFetch x50 concurrent against negotiateHandler: 50 handshakes on 50 sockets, all verified; later requests reuse them', async () => {
  const events: NegotiateEvent[] = [];
  const sockets = new Set<Socket>();
  const server = http.createServer(
    negotiateHandler({ credential: { ntlmUsers: { 'EXAMPLE\\erin': 'Erin-Pass-8' } }, ntlm: { netbiosDomain: 'EXAMPLE' }, onEvent: (e) => events.push(e) }, (req, res) => {
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ principal: req.negotiate.principal, reused: req.negotiate.reused }));
    }),
  );
  server.on('connection', (s: Socket) => sockets.add(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const fetch = createFetch({ credential: { username: 'EXAMPLE\\erin', password: 'Erin-Pass-8' }, requireMutualAuth: true, maxIdleConnections: 64 });
  try {
    const first = await Promise.all(
      Array.from({ length: 50 }, async () => {
        const res = await fetch(url);
        const body = (await res.json()) as { principal: string; reused: boolean };
        return { status: res.status, body, info: authInfo(res) };
      }),
    );
    for (const r of first) {
      assert.equal(r.status, 200);
      assert.equal(r.body.principal, 'EXAMPLE\\erin');
      assert.equal(r.body.reused, false);
      assert.equal(r.info?.origin?.mutual, true, 'the server final token verified by the client');
    }
    assert.equal(events.filter((e) => e.outcome === 'authenticated').length, 50);
    assert.equal(events.filter((e) => e.outcome === 'failed').length, 0);
    assert.equal(sockets.size, 50, 'one socket per concurrent handshake');
    // The pooled connections are authenticated: no new handshake, no new socket.
    const again = await Promise.all(Array.from({ length: 20 }, async () => (await (await fetch(url)).json()) as { reused: boolean }));
    assert.ok(again.every((b) => b.reused), 'connection-bound identity on every reused connection');
    assert.equal(events.length, 50);
    assert.equal(sockets.size, 50);
  } finally {
    fetch.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});
