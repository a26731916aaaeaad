// Interop: a client whose clock is an hour off, as MIT's kdc_timesync (on by default) handles it.
// MIT's kinit answers the KDC's KRB_AP_ERR_SKEW by retrying at the KDC's time, records the KDC's
// offset in the ccache header (tag 1), and every later authenticator made from that cache (TGS,
// AP-REQ) adds it. Ours does the same, and the two read each other's offset: a cache our kinit
// wrote on a skewed host works for MIT's kvno run on that host (faketime), and MIT's cache works
// for our TGS and AP-REQ. Acceptors and KDCs run on the true time.
// Needs the lab (LAB_STATE): without it every test fails and says how to start it; none skips.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Krb5Client } from '../../src/mech/krb5/client.js';
import { Krb5Initiator } from '../../src/mech/krb5/gss-initiator.js';
import { Krb5Acceptor } from '../../src/mech/krb5/gss-acceptor.js';
import { asExchange } from '../../src/mech/krb5/as.js';
import { KdcTransport } from '../../src/mech/krb5/transport.js';
import { parsePrincipal } from '../../src/mech/krb5/principal.js';
import { readCcache, readKeytab, serviceKeysFromKeytab, writeCcache } from '../../src/mech/krb5/ccache-store.js';
import { ccacheCodec, ccacheKdcOffset } from '../../src/codec/krb5-files/ccache.js';
import { MemoryReplayCache } from '../../src/mech/krb5/replay-cache.js';
import { SpnegoError } from '../../src/errors.js';
import { readLabAs } from '../helpers/peer.js';
import type { Credential } from '../../src/mech/krb5/credential.js';

interface Lab {
  mit: { realm: string; krb5Conf: string; httpKeytab: string; users: { name: string; password: string }[] };
  samba: { realm: string; ip: string; users: { name: string; password: string }[] };
}
let lab: Lab;
let dir: string;
before(() => {
  lab = readLabAs<Lab>();
  dir = mkdtempSync(join(tmpdir(), 'spnego-timesync-'));
});
after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const HOUR = 3600;
const skewed = () => new Date(Date.now() + HOUR * 1000);
const pw = (users: { name: string; password: string }[]) => users.find((u) => u.name === 'alice')!.password;
/** An offset of about minus one hour (the KDC's whole-second authtime against our clock). */
const aboutMinusAnHour = (s: number | undefined) => s !== undefined && Math.abs(s + HOUR) <= 2;
const env = () => ({ PATH: process.env.PATH ?? '/usr/bin:/bin', KRB5_CONFIG: lab.mit.krb5Conf });

/** Our AP-REQ from `client`'s clock, accepted by our acceptor on the true time with the lab's HTTP keytab. */
async function acceptedOnTrueTime(cred: Credential): Promise<string> {
  const i = new Krb5Initiator({ credential: cred, now: skewed });
  const a = new Krb5Acceptor({ keys: serviceKeysFromKeytab(readKeytab(lab.mit.httpKeytab)), replayCache: new MemoryReplayCache() });
  const rep = await a.step((await i.step())!);
  await i.step(rep!);
  assert.ok(i.complete && a.complete);
  return `${a.peerName!.name.nameString.join('/')}@${a.peerName!.realm}`;
}

test('Samba AD (pre-authentication required) with our clock an hour ahead: the KDC\'s KRB_AP_ERR_SKEW is retried at its time and the TGT records the offset; with timeSync off it is CLOCK_SKEW', async () => {
  const kdc = new KdcTransport({ locate: async () => [{ host: lab.samba.ip, port: 88 }] });
  const client = parsePrincipal(`alice@${lab.samba.realm}`);
  const tgt = await asExchange({ client, password: pw(lab.samba.users), kdc, enctypes: [18], now: skewed });
  assert.ok(aboutMinusAnHour(tgt.kdcOffsetSeconds), String(tgt.kdcOffsetSeconds));
  await assert.rejects(
    () => asExchange({ client, password: pw(lab.samba.users), kdc, enctypes: [18], now: skewed, timeSync: false }),
    (e: unknown) => e instanceof SpnegoError && e.code === 'CLOCK_SKEW' && e.krbError?.serverTime instanceof Date,
  );
});

test('MIT, our clock an hour ahead: our kinit records the KDC offset in the ccache header; our TGS and AP-REQ from it are on the KDC\'s time; MIT kvno on the same skewed clock (faketime) uses our cache', async () => {
  const client = new Krb5Client({ env: { KRB5_CONFIG: lab.mit.krb5Conf }, now: skewed });
  const me = client.parsePrincipal('alice');
  const tgt = await client.tgtWithPassword(me, pw(lab.mit.users));
  assert.ok(aboutMinusAnHour(tgt.kdcOffsetSeconds), String(tgt.kdcOffsetSeconds));
  const cc = join(dir, 'ours');
  writeCcache(cc, me, [tgt]);
  assert.ok(aboutMinusAnHour(ccacheKdcOffset(ccacheCodec.decode(readFileSync(cc)))?.seconds), 'the header offset');
  const svc = await client.serviceTicket(readCcache(cc).credentials[0]!, await client.servicePrincipal('HTTP@localhost', me.realm));
  assert.equal(await acceptedOnTrueTime(svc), `alice@${lab.mit.realm}`);
  // MIT on the same skewed clock, from our cache: its authenticator adds our recorded offset.
  const out = execFileSync('faketime', ['-f', `+${HOUR}s`, 'kvno', '-c', cc, `HTTP/localhost@${lab.mit.realm}`], { env: env(), encoding: 'utf8' });
  assert.match(out, /kvno = \d+/);
});

test('MIT, our clock an hour ahead: a cache MIT\'s kinit wrote on that clock (faketime, kdc_timesync) gives our TGS and AP-REQ its offset', async () => {
  const cc = join(dir, 'mit');
  execFileSync('faketime', ['-f', `+${HOUR}s`, 'kinit', '-c', cc, `alice@${lab.mit.realm}`], { env: env(), input: `${pw(lab.mit.users)}\n`, stdio: ['pipe', 'ignore', 'pipe'] });
  const cache = readCcache(cc);
  assert.ok(aboutMinusAnHour(cache.credentials[0]!.kdcOffsetSeconds), String(cache.credentials[0]!.kdcOffsetSeconds));
  const client = new Krb5Client({ env: { KRB5_CONFIG: lab.mit.krb5Conf }, now: skewed });
  const svc = await client.serviceTicket(cache.credentials[0]!, await client.servicePrincipal('HTTP@localhost', lab.mit.realm));
  assert.equal(await acceptedOnTrueTime(svc), `alice@${lab.mit.realm}`);
  // Without the offset the same AP-REQ is an hour off: our acceptor refuses it.
  const i = new Krb5Initiator({ credential: { ...svc, kdcOffsetSeconds: 0 }, now: skewed });
  const a = new Krb5Acceptor({ keys: serviceKeysFromKeytab(readKeytab(lab.mit.httpKeytab)), replayCache: new MemoryReplayCache() });
  await assert.rejects(async () => a.step((await i.step())!), (e: unknown) => e instanceof SpnegoError && e.code === 'CLOCK_SKEW');
});
