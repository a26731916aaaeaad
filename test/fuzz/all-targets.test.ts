// The short fuzz run inside `npm test`: every target of test/fuzz/targets.ts gets FUZZ_SHORT_RUNS
// (default 2,000) seeded, mutated and random inputs through the same engine as `npm run fuzz`;
// only SpnegoError may come out (never with the caller-mistake code BAD_ARGUMENT), no input may
// take over 100 ms, the heap stays bounded.
// Also checks that the deep seeds really are deep (they complete the handshake), and that the
// engine reports the failures it exists to find.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SpnegoError } from '../../src/errors.js';
import { describeFinding, fuzzTarget, inputToHex, mutateBytes, mutateText, Rng } from './fuzz.js';
import { TARGETS, targetNamed, type BytesTarget, type FuzzTarget } from './targets.js';

const RUNS = Number(process.env.FUZZ_SHORT_RUNS ?? 2000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261126);

test('every target has seeds and a unique name', () => {
  assert.ok(TARGETS.length >= 60, `${TARGETS.length} targets`);
  assert.equal(new Set(TARGETS.map((t) => t.name)).size, TARGETS.length);
  for (const t of TARGETS) assert.ok(t.seeds.length > 0, `${t.name} has no seeds`);
  for (const name of ['spnego:token', 'gss:initial-context-token', 'ntlm:message', 'krb5:apReq', 'krb5:asRep', 'krb5-files:ccache', 'krb5-files:keytab', 'krb5-conf:parse',
    'pac:decode-pac', 'http:parse-authenticate', 'inspect:text', 'spnego-acceptor:first-token', 'spnego-initiator:reply', 'ntlm-acceptor:authenticate',
    'krb5-acceptor:ap-req', 'http:authenticator', 'krb5-client:as-rep', 'krb5-client:tgs-rep', 'krb5-client:enc-as-rep-part', 'krb5-client:enc-tgs-rep-part',
    'krb5-delegation:krb-cred', 'krb5-delegation:enc-krb-cred-part']) {
    assert.ok(targetNamed(name), `missing target ${name}`);
  }
});

test('the in-process seeds of the state machines complete their handshakes (mutations start deep)', async () => {
  for (const name of ['ntlm-acceptor:authenticate', 'spnego-acceptor:second-token', 'krb5-acceptor:ap-req', 'spnego-acceptor:first-token',
    'krb5-client:as-rep', 'krb5-client:tgs-rep', 'krb5-client:enc-as-rep-part', 'krb5-client:enc-tgs-rep-part', 'krb5-delegation:krb-cred', 'krb5-delegation:enc-krb-cred-part']) {
    const t = targetNamed(name) as BytesTarget;
    // The first seed of these targets is the valid in-process token (see targets.ts).
    await assert.doesNotReject(async () => t.run(t.seeds[0]!), name);
  }
});

for (const t of TARGETS) {
  const runs = Math.min(RUNS, (t.kind === 'bytes' ? t.shortRuns : undefined) ?? RUNS);
  test(`fuzz ${t.name}: ${runs} inputs, only SpnegoError (not BAD_ARGUMENT), each under 100 ms`, { timeout: 60_000 }, async () => {
    const s = await fuzzTarget(t, { runs, seed: SEED });
    if (s.finding) assert.fail(`${describeFinding(s.finding)}\ninput hex: ${inputToHex(s.finding.input)}`);
    assert.equal(s.executions, runs);
  });
}

test('the engine reports an untyped exception, a BAD_ARGUMENT, a slow input, and counts SpnegoError codes', async () => {
  const base = { kind: 'bytes' as const, covers: 'engine self-test', seeds: [new Uint8Array([1, 2, 3])] };
  const untyped: FuzzTarget = { ...base, name: 'self:untyped', run: (b: Uint8Array) => { if (b.length !== 3) throw new TypeError('boom'); } };
  const u = await fuzzTarget(untyped, { runs: 500, seed: 1 });
  assert.equal(u.finding?.reason, 'exception');
  assert.ok(u.finding.error instanceof TypeError);

  const slow: FuzzTarget = { ...base, name: 'self:slow', run: (b: Uint8Array) => { if (b.length === 0) { const end = Date.now() + 150; while (Date.now() < end); } } };
  const s = await fuzzTarget(slow, { runs: 5000, seed: 1 });
  assert.equal(s.finding?.reason, 'slow');
  assert.equal(s.finding.input.length, 0);

  const caller: FuzzTarget = { ...base, name: 'self:caller', run: (b: Uint8Array) => { if (b.length > 3) throw new SpnegoError('BAD_ARGUMENT', 'x'); } };
  const c = await fuzzTarget(caller, { runs: 500, seed: 1 });
  assert.equal(c.finding?.reason, 'caller-code');

  const typedOnly: FuzzTarget = { ...base, name: 'self:typed', run: () => { throw new SpnegoError('DECODE_TRUNCATED', 'x'); } };
  const k = await fuzzTarget(typedOnly, { runs: 100, seed: 1 });
  assert.equal(k.finding, undefined);
  assert.deepEqual([...k.codes], ['DECODE_TRUNCATED']);
});

test('mutations are deterministic for a seed and cover truncation, growth and huge length fields', () => {
  const seed = Uint8Array.from([0x30, 0x06, 0x02, 0x01, 0x05, 0x04, 0x01, 0x00]);
  const a = new Rng(9);
  const b = new Rng(9);
  const outA = Array.from({ length: 2000 }, () => mutateBytes(a, [seed]));
  const outB = Array.from({ length: 2000 }, () => mutateBytes(b, [seed]));
  assert.deepEqual(outA, outB);
  assert.ok(outA.some((x) => x.length < seed.length));
  assert.ok(outA.some((x) => x.length > seed.length));
  assert.ok(outA.some((x) => Buffer.from(x).includes(Buffer.from([0x84, 0xff, 0xff, 0xff, 0xff]))));
  assert.ok(outA.some((x) => x.length > 0 && !Buffer.from(x).includes(0x30))); // pure random inputs too
  const texts = Array.from({ length: 500 }, () => mutateText(a, ['Negotiate YII=']));
  assert.ok(texts.some((x) => x.includes('\n')) && texts.some((x) => x.length > 1000));
});
