// Benchmark (not a test): memory per established security context and per cached Kerberos ticket.
// Issue 8: "memory per established context and per cached ticket: report the bytes".
//
// Each row: gc (several passes), process.memoryUsage(), then N items made and held in an array,
// gc again, memoryUsage() again; the deltas divided by N. heapUsed is the V8 heap; external is
// memory outside it owned by JS objects (ArrayBuffer backing stores, which arrayBuffers counts
// again, and node:crypto's native objects, e.g. a Cipher/Hmac kept in a context); the total is
// heapUsed + external. Memory that native code mallocs without telling V8 (OpenSSL's cipher
// contexts behind a cached node:crypto Cipher) is in neither: the RSS growth column is a coarse
// cross-check (pages, allocator slack). What the items share (the service ticket, the keytab's keys, the NTLM
// user store) exists before the first measurement and is not counted.
//   - contexts, each established by a full handshake in this process (both ends made, one kept):
//     raw Kerberos (Krb5Initiator / Krb5Acceptor, mutual, replay cache off so that only the
//     context is held), SPNEGO(krb5), raw NTLM (NTLMv2, key exchange) and SPNEGO(NTLM) with the
//     mechListMIC; Kerberos from the lab's ccache/keytab (bench/lab-krb5.ts), ticket in memory;
//   - one entry of MemoryReplayCache (the acceptor's default replay cache): N accepted AP-REQs;
//   - cached tickets: (a) Krb5Client's in-memory service-ticket cache (what a long-running client
//     keeps in front of the TGS), filled with --tickets real TGS replies from the lab's KDC (about
//     a second of KDC work per 2,000; each stored under its own key, as for N services), and
//     (b) credentials loaded by readCcache from a FILE ccache holding N service tickets.
// --breakdown adds, per row, the V8 heap snapshot diff (a smaller N, default 1,000): the
// constructors and types that grew, per item, largest first, to show where the bytes are.
//
// Needs --expose-gc (re-runs itself with it when missing).
//   npm run build && node --expose-gc dist/bench/memory.js [--n 10000] [--tickets 2000] [--lab /tmp/spnego-lab.X] [--breakdown [--breakdown-n 1000]]
import { spawnSync } from 'node:child_process';
import { cpus, tmpdir } from 'node:os';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getHeapSnapshot } from 'node:v8';
import { setImmediate as tick } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  const r = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

const { Krb5Client } = await import('../src/mech/krb5/client.js');
const { tgsExchange } = await import('../src/mech/krb5/tgs.js');
const { KdcTransport } = await import('../src/mech/krb5/transport.js');
const { EncType } = await import('../src/iana/krb5.js');
const { formatPrincipal } = await import('../src/mech/krb5/principal.js');
const { readCcache, writeCcache } = await import('../src/mech/krb5/ccache-store.js');
const { MemoryReplayCache, noReplayCache } = await import('../src/mech/krb5/replay-cache.js');
const { NtlmInitiator } = await import('../src/mech/ntlm/initiator.js');
const { NtlmAcceptor } = await import('../src/mech/ntlm/acceptor.js');
const { NtlmUserFileStore } = await import('../src/mech/ntlm/store.js');
const { SpnegoInitiator } = await import('../src/spnego/initiator.js');
const { SpnegoAcceptor } = await import('../src/spnego/acceptor.js');
const { ntlmAcceptorMech, ntlmInitiatorMech } = await import('../src/spnego/ntlm.js');
const { findLab, loadLabKrb5, krb5Handshake, spnegoKrb5Handshake } = await import('./lab-krb5.js');
type Credential = import('../src/mech/krb5/credential.js').Credential;

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const N = Number(arg('--n') ?? 10_000);
const TICKETS = Number(arg('--tickets') ?? 2_000);
const BREAKDOWN = process.argv.includes('--breakdown');
const BREAKDOWN_N = Number(arg('--breakdown-n') ?? 1_000);

const work = mkdtempSync(join(tmpdir(), 'memory-bench-'));
const userFile = join(work, 'users');
writeFileSync(userFile, 'BENCH:alice:Bench-Pass1\n');
const ntlmStore = new NtlmUserFileStore(userFile);

async function settle(): Promise<NodeJS.MemoryUsage> {
  for (let i = 0; i < 4; i++) {
    gc!();
    await tick();
  }
  return process.memoryUsage();
}

/** Aggregated self sizes of a heap snapshot by node type and name (constructor, string, closure...). */
async function heapByKind(): Promise<Map<string, { count: number; bytes: number }>> {
  await settle();
  const chunks: string[] = [];
  for await (const c of getHeapSnapshot()) chunks.push(typeof c === 'string' ? c : (c as Buffer).toString('utf8'));
  const snap = JSON.parse(chunks.join('')) as { snapshot: { meta: { node_fields: string[]; node_types: [string[]] } }; nodes: number[]; strings: string[] };
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const [iType, iName, iSize] = [fields.indexOf('type'), fields.indexOf('name'), fields.indexOf('self_size')];
  const out = new Map<string, { count: number; bytes: number }>();
  for (let i = 0; i < snap.nodes.length; i += fields.length) {
    const type = types[snap.nodes[i + iType]!]!;
    let name = snap.strings[snap.nodes[i + iName]!]!;
    if (type === 'string' || type === 'concatenated string' || type === 'sliced string') name = '';
    else if (type === 'number' || type === 'hidden' || type === 'code') name = name.replace(/\d+/g, '#').slice(0, 40);
    const key = name ? `${type} ${name.slice(0, 60)}` : type;
    const e = out.get(key) ?? { count: 0, bytes: 0 };
    e.count++;
    e.bytes += snap.nodes[i + iSize]!;
    out.set(key, e);
  }
  return out;
}

interface Row { what: string; n: number; heap: number; external: number; arrayBuffers: number; rss: number; note: string; top?: string }
const rows: Row[] = [];

/** Bytes per item: N items from make(i) held in an array, between two gc'd measurements. */
async function perItem(what: string, make: (i: number) => Promise<unknown> | unknown, note = '', n = N): Promise<void> {
  await make(-1); // first use (lazy code, JIT) before the baseline
  const held: unknown[] = [];
  const before = await settle();
  for (let i = 0; i < n; i++) held.push(await make(i));
  const after = await settle();
  const row: Row = {
    what,
    n,
    heap: (after.heapUsed - before.heapUsed) / n,
    external: (after.external - before.external) / n,
    arrayBuffers: (after.arrayBuffers - before.arrayBuffers) / n,
    rss: (after.rss - before.rss) / n,
    note,
  };
  held.length = 0;
  if (BREAKDOWN) {
    // Twice: the aggregate kept from a snapshot (thousands of strings and objects) is alive in the
    // next one; `before` is taken while the first is alive, `after` while `before` is.
    let first: Map<string, unknown> | undefined = await heapByKind();
    const b = await heapByKind();
    if (first.size > 0) first = undefined;
    for (let i = 0; i < BREAKDOWN_N; i++) held.push(await make(i));
    const a = await heapByKind();
    const grew = [...a]
      .map(([k, v]) => ({ k, count: (v.count - (b.get(k)?.count ?? 0)) / BREAKDOWN_N, bytes: (v.bytes - (b.get(k)?.bytes ?? 0)) / BREAKDOWN_N }))
      .filter((g) => g.bytes >= 8)
      .sort((x, y) => y.bytes - x.bytes)
      .slice(0, 8);
    row.top = grew.map((g) => `${g.k} ×${g.count.toFixed(1)} ${Math.round(g.bytes)} B`).join('; ');
    held.length = 0;
  }
  rows.push(row);
}

const notes: string[] = [];
try {
  // ---- NTLM ----
  const ntlmPair = async () => {
    const ini = new NtlmInitiator({ credential: { username: 'alice', domain: 'BENCH', password: 'Bench-Pass1' }, target: 'HTTP/localhost' });
    const acc = new NtlmAcceptor({ store: ntlmStore, netbiosDomain: 'BENCH', netbiosComputer: 'WEB' });
    let tok = await ini.step();
    for (let i = 0; i < 4 && !(ini.complete && acc.complete); i++) {
      tok = await acc.step(tok!);
      if (acc.complete) break;
      tok = await ini.step(tok);
    }
    if (!ini.complete || !acc.complete) throw new Error('our NTLM handshake did not complete');
    return { ini, acc };
  };
  const spnegoNtlmPair = async () => {
    const i = new SpnegoInitiator({ mechs: [ntlmInitiatorMech({ credential: { username: 'alice', domain: 'BENCH', password: 'Bench-Pass1' }, target: 'HTTP/localhost' })] });
    const a = new SpnegoAcceptor({ mechs: [ntlmAcceptorMech({ store: ntlmStore, netbiosDomain: 'BENCH', netbiosComputer: 'WEB' })] });
    let tok = await i.step();
    for (let legs = 1; tok && legs < 8; legs++) tok = legs % 2 === 1 ? await a.step(tok) : await i.step(tok);
    if (!i.complete || !a.complete) throw new Error('our SPNEGO(NTLM) handshake did not complete');
    return { i, a };
  };
  await perItem('context: NTLM initiator (NtlmInitiator)', async () => (await ntlmPair()).ini, 'NTLMv2, key exchange, established');
  await perItem('context: NTLM acceptor (NtlmAcceptor)', async () => (await ntlmPair()).acc, 'user file store shared');
  await perItem('context: SPNEGO(NTLM) initiator', async () => (await spnegoNtlmPair()).i, 'mechListMIC both ways');
  await perItem('context: SPNEGO(NTLM) acceptor', async () => (await spnegoNtlmPair()).a);

  // ---- Kerberos ----
  const lab = findLab(arg('--lab'));
  let labWhy = lab ? '' : 'no lab (start scripts/lab/up.sh)';
  let k: ReturnType<typeof loadLabKrb5> | undefined;
  if (lab) {
    try {
      k = loadLabKrb5(lab, join(work, 'cc'));
    } catch (e) {
      labWhy = (e as Error).message;
    }
  }
  if (k) {
    const kk = k;
    await perItem('context: Kerberos initiator (Krb5Initiator)', async () => (await krb5Handshake(kk.keys, kk.ticket, noReplayCache)).initiator, 'mutual, established; the service ticket shared');
    await perItem('context: Kerberos acceptor (Krb5Acceptor)', async () => (await krb5Handshake(kk.keys, kk.ticket, noReplayCache)).acceptor, 'replay cache off; keytab keys shared');
    await perItem('context: SPNEGO(krb5) initiator', async () => (await spnegoKrb5Handshake(kk.keys, kk.ticket, noReplayCache)).initiator);
    await perItem('context: SPNEGO(krb5) acceptor', async () => (await spnegoKrb5Handshake(kk.keys, kk.ticket, noReplayCache)).acceptor);
    const rc = new MemoryReplayCache();
    await perItem('replay cache: one MemoryReplayCache entry', async () => {
      await krb5Handshake(kk.keys, kk.ticket, rc);
      return undefined;
    }, 'one accepted AP-REQ; contexts dropped');

    // (a) Krb5Client's service-ticket cache, real TGS replies.
    const client = new Krb5Client({ env: { ...process.env, ...kk.env } });
    const map = (client as unknown as { tickets: Map<string, Credential> }).tickets;
    if (!(map instanceof Map)) throw new Error("Krb5Client has no private 'tickets' Map any more: update bench/memory.ts");
    const kdc = new KdcTransport({ locate: async () => [{ host: kk.lab.mit.kdc.host, port: kk.lab.mit.kdc.port }] });
    const enctypes = [EncType['aes256-cts-hmac-sha1-96'], EncType['aes128-cts-hmac-sha1-96']];
    const client0 = formatPrincipal(kk.tgt.client);
    let seq = 0;
    await perItem(
      "cached ticket: Krb5Client's in-memory ticket cache (from TGS replies)",
      async () => {
        const cred = await tgsExchange({ tgt: kk.tgt, server: kk.http, kdc, enctypes });
        map.set(`${client0} ${formatPrincipal(kk.http)}#${seq++}`, cred);
        return undefined;
      },
      `ticket DER ${kk.ticket.ticketDer.length} B; held by the map only`,
      TICKETS,
    );
    map.clear();

    // (b) a FILE ccache with N service tickets, loaded by readCcache.
    const many = join(work, 'many.cc');
    writeCcache(`FILE:${many}`, kk.tgt.client, Array.from({ length: N }, () => kk.ticket));
    const loaded: ReturnType<typeof readCcache>[] = [];
    const before = await settle();
    loaded.push(readCcache(`FILE:${many}`));
    const after = await settle();
    rows.push({
      what: 'cached ticket: credentials loaded by readCcache (FILE ccache)',
      n: loaded[0]!.credentials.length,
      heap: (after.heapUsed - before.heapUsed) / N,
      external: (after.external - before.external) / N,
      arrayBuffers: (after.arrayBuffers - before.arrayBuffers) / N,
      rss: (after.rss - before.rss) / N,
      note: 'one readCcache of a file with N entries',
    });
    loaded.length = 0;
  } else notes.push(`Kerberos rows skipped: ${labWhy}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}

const b = (x: number) => Math.round(x).toLocaleString('en-US');
console.log(`Memory per item: N items held, gc'd, (heapUsed, external) after - before, / N`);
console.log(`node ${process.version} ${process.arch}, ${cpus()[0]?.model ?? 'unknown cpu'} x${cpus().length}\n`);
console.log('| item | N | bytes/item: V8 heap | external | of which ArrayBuffers | total (heap + external) | RSS growth (cross-check) | note |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
for (const r of rows) console.log(`| ${r.what} | ${r.n.toLocaleString('en-US')} | ${b(r.heap)} | ${b(r.external)} | ${b(r.arrayBuffers)} | **${b(r.heap + r.external)}** | ${b(r.rss)} | ${r.note} |`);
if (BREAKDOWN) {
  console.log(`\nHeap snapshot diff per item (N = ${BREAKDOWN_N.toLocaleString('en-US')}; V8 heap only, self sizes; 'native' = node:crypto and other C++ wrappers):\n`);
  for (const r of rows) if (r.top) console.log(`- ${r.what}: ${r.top}`);
}
if (notes.length > 0) console.log(`\n${notes.map((n) => `- ${n}`).join('\n')}`);
