// Krb5Client with an injected NetworkIO: which KDC it asks (krb5.conf [realms]), what the AS-REQ
// of a keytab kinit offers (the keytab's enctypes first, as MIT sorts them), and what a renewal
// TGS-REQ asks for (MIT's FLAGS2OPTS: the TGT's forwardable/renewable flags again, rtime =
// renew-till, or MIT's KDC drops renewability). The real KDCs are in test/interop.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Krb5Client, pruneTicketCache } from '../../../../src/mech/krb5/client.js';
import type { Credential } from '../../../../src/mech/krb5/credential.js';
import { parseKrb5Config } from '../../../../src/mech/krb5/config/index.js';
import type { KdcAddress, NetworkIO } from '../../../../src/mech/krb5/transport.js';
import { krbErrorCodec } from '../../../../src/codec/krb5/krb-error.js';
import { asReqCodec, tgsReqCodec } from '../../../../src/codec/krb5/kdc-req.js';
import { keytabCodec, keytabEntry } from '../../../../src/codec/krb5-files/keytab.js';
import { flagsFromNames, hasFlag } from '../../../../src/codec/krb5/kerberos-flags.js';
import { KdcOption, TicketFlag } from '../../../../src/iana/krb5.js';
import { parsePrincipal } from '../../../../src/mech/krb5/principal.js';
import { SpnegoError } from '../../../../src/errors.js';
import { issueTicket } from '../../../helpers/krb5-ticket.js';

const dir = mkdtempSync(join(tmpdir(), 'spnego-krb5-client-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const CONF = `[libdefaults]
  default_realm = EXAMPLE.TEST
  dns_lookup_kdc = false
  default_tkt_enctypes = aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96 aes256-cts-hmac-sha384-192
  default_tgs_enctypes = aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96
[realms]
  EXAMPLE.TEST = {
    kdc = 192.0.2.7:8888
    kdc = tcp/192.0.2.8
  }
`;

/** Records every request and the KDC it went to; answers KDC_ERR_POLICY (12) so the exchange stops there. */
function recorder(): { net: NetworkIO; sent: { via: string; addr: KdcAddress; req: Uint8Array }[] } {
  const sent: { via: string; addr: KdcAddress; req: Uint8Array }[] = [];
  const reply = krbErrorCodec.encode({ pvno: 5, msgType: 30, stime: new Date(Date.UTC(2026, 0, 1)), susec: 0, errorCode: 12, realm: 'EXAMPLE.TEST', sname: { nameType: 2, nameString: ['krbtgt', 'EXAMPLE.TEST'] } });
  const answer = (via: string) => async (addr: KdcAddress, req: Uint8Array) => {
    sent.push({ via, addr, req });
    return reply;
  };
  return { net: { udp: answer('udp'), tcp: answer('tcp') }, sent };
}

test('a keytab kinit offers the keytab enctypes first (MIT sort_enctypes), to the KDC krb5.conf names', async () => {
  const kt = join(dir, 'aes128-only.keytab');
  const alice = { nameType: 1, realm: 'EXAMPLE.TEST', components: ['alice'] };
  writeFileSync(kt, keytabCodec.encode({
    version: 2,
    records: [
      keytabEntry(alice, 3, { keytype: 17, keyvalue: new Uint8Array(16).fill(1) }, 0),
      keytabEntry({ ...alice, components: ['bob'] }, 3, { keytype: 18, keyvalue: new Uint8Array(32).fill(2) }, 0),
    ],
  }));
  const { net, sent } = recorder();
  const client = new Krb5Client({ config: parseKrb5Config([CONF]), network: net });
  await assert.rejects(() => client.tgtWithKeytab(parsePrincipal('alice@EXAMPLE.TEST'), `FILE:${kt}`), (e: unknown) => e instanceof SpnegoError && e.krbError?.name === 'KDC_ERR_POLICY');
  assert.equal(sent.length, 1);
  assert.deepEqual(sent[0]!.addr, { host: '192.0.2.7', port: 8888 });
  const req = asReqCodec.decode(sent[0]!.req);
  assert.deepEqual(req.reqBody.etype, [17, 18, 20]);
  assert.deepEqual(req.reqBody.cname?.nameString, ['alice']);
  // A password kinit keeps krb5.conf's order.
  await assert.rejects(() => client.tgtWithPassword(client.parsePrincipal('alice'), 'pw'));
  assert.deepEqual(asReqCodec.decode(sent[1]!.req).reqBody.etype, [18, 17, 20]);
  // A principal the keytab lacks: a typed error, nothing sent.
  await assert.rejects(() => client.tgtWithKeytab(client.parsePrincipal('carol'), kt), { code: 'NO_CRED' });
  assert.equal(sent.length, 2);
});

test('renewal asks for the TGT again with renew + its forwardable/renewable flags and rtime = renew-till', async () => {
  const { net, sent } = recorder();
  const now = Date.now();
  const client = new Krb5Client({ config: parseKrb5Config([CONF]), network: net, now: () => new Date(now) });
  const base = issueTicket(18, { service: 'krbtgt/EXAMPLE.TEST@EXAMPLE.TEST' }).cred;
  const renewTill = new Date(Math.floor(now / 1000) * 1000 + 86400_000);
  const tgt = { ...base, flags: flagsFromNames(['forwardable', 'renewable', 'initial'], TicketFlag), renewTill };
  await assert.rejects(() => client.renew(tgt), (e: unknown) => e instanceof SpnegoError && e.krbError?.name === 'KDC_ERR_POLICY');
  const req = tgsReqCodec.decode(sent[0]!.req);
  const opts = req.reqBody.kdcOptions;
  for (const o of ['renew', 'renewable', 'forwardable'] as const) assert.ok(hasFlag(opts, KdcOption[o]), o);
  assert.ok(!hasFlag(opts, KdcOption.proxiable));
  assert.deepEqual(req.reqBody.sname?.nameString, ['krbtgt', 'EXAMPLE.TEST']);
  assert.equal(req.reqBody.rtime?.getTime(), renewTill.getTime());
  assert.equal(req.reqBody.till.getTime(), renewTill.getTime());

  // Not renewable, or past its renew-till: refused before any request.
  await assert.rejects(() => client.renew({ ...base, renewTill: undefined }), { code: 'CREDENTIALS_EXPIRED' });
  await assert.rejects(() => client.renew({ ...tgt, renewTill: new Date(now - 1000) }), { code: 'CREDENTIALS_EXPIRED' });
  assert.equal(sent.length, 1);
});

test('pruneTicketCache: nothing goes up to the threshold; past it the expired tickets go, then the oldest beyond the cap', () => {
  const now = new Date('2026-11-26T12:00:00Z');
  const cred = (endMs: number) => ({ endtime: new Date(now.getTime() + endMs) }) as unknown as Credential;
  const m = new Map<string, Credential>();
  for (let i = 0; i < 4; i++) m.set(`old${i}`, cred(-1000));
  pruneTicketCache(m, now, 4, 6);
  assert.equal(m.size, 4, 'at the threshold: untouched, even expired');
  for (let i = 0; i < 8; i++) m.set(`live${i}`, cred(3_600_000));
  pruneTicketCache(m, now, 4, 6);
  assert.deepEqual([...m.keys()], ['live2', 'live3', 'live4', 'live5', 'live6', 'live7'], 'expired first, then the least recently fetched live ones');
});
