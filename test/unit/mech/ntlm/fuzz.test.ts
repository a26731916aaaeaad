// Property tests: the NTLM acceptor given random or mutated AUTHENTICATE bytes (and the initiator
// given random or mutated CHALLENGE bytes) only ever throws SpnegoError, and no error message
// contains the password, the NT hash, NTOWFv2 or the session key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { toHex } from '../../../../src/bytes/encoding.js';
import { SpnegoError } from '../../../../src/errors.js';
import { NtlmAcceptor } from '../../../../src/mech/ntlm/acceptor.js';
import { NtlmInitiator, type NtlmInitiatorOptions } from '../../../../src/mech/ntlm/initiator.js';
import { MemoryNtHashStore } from '../../../../src/mech/ntlm/store.js';
import { NTOWFv1, NTOWFv2 } from '../../../../src/crypto/ntlm.js';

const PASSWORD = 'fuzz-Password-123';
const T0 = new Date(Date.UTC(2026, 5, 1));
const store = new MemoryNtHashStore({ 'EXAMPLE\\alice': PASSWORD });
const newAcceptor = () =>
  new NtlmAcceptor({ store, netbiosDomain: 'EXAMPLE', netbiosComputer: 'WEB', now: () => T0, random: (n) => new Uint8Array(n).fill(0x11) });
const initOpts: NtlmInitiatorOptions = {
  credential: { username: 'EXAMPLE\\alice', password: PASSWORD },
  random: (n) => new Uint8Array(n).fill(0x22),
  now: () => T0,
};

const SECRETS = [
  PASSWORD,
  toHex(NTOWFv1(PASSWORD)),
  toHex(NTOWFv2(PASSWORD, 'alice', 'EXAMPLE')),
  toHex(new Uint8Array(16).fill(0x22)), // the (injected) ExportedSessionKey
];

function checkError(e: unknown): void {
  if (!(e instanceof SpnegoError)) throw new Error(`untyped error: ${String(e)}`, { cause: e });
  const text = `${e.message} ${JSON.stringify(e.toJSON())} ${e.stack ?? ''}`.toLowerCase();
  for (const s of SECRETS) assert.ok(!text.includes(s.toLowerCase()), `secret in error: ${e.code}`);
}

// One valid exchange; deterministic, so every fresh acceptor sends the same CHALLENGE.
const i0 = new NtlmInitiator(initOpts);
const negotiate = (await i0.step())!;
const challenge = (await newAcceptor().step(negotiate))!;
const authenticate = (await i0.step(challenge))!;

async function acceptorOn(bytes: Uint8Array): Promise<'ok' | 'error'> {
  const a = newAcceptor();
  await a.step(negotiate);
  try {
    await a.step(bytes);
    return 'ok';
  } catch (e) {
    checkError(e);
    return 'error';
  }
}

test('the unmodified AUTHENTICATE verifies (the property below is not vacuous)', async () => {
  assert.equal(await acceptorOn(authenticate), 'ok');
});

const mutation = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 8 });

test('mutated AUTHENTICATE: only SpnegoError, no secrets; no modified message is accepted', async () => {
  await fc.assert(
    fc.asyncProperty(mutation, async (muts) => {
      const b = authenticate.slice();
      const touched = new Set<number>();
      for (const [pos, x] of muts) {
        const p = pos % b.length;
        b[p] = b[p]! ^ x;
        touched.add(p);
      }
      const r = await acceptorOn(b);
      // The MIC covers every byte of the message (with its own field zeroed), so any change fails.
      const changed = b.some((v, k) => v !== authenticate[k]);
      if (changed) assert.equal(r, 'error', `accepted a modified message (bytes ${[...touched].join(',')})`);
    }),
    { numRuns: 400 },
  );
});

test('truncated / extended AUTHENTICATE: only SpnegoError', async () => {
  await fc.assert(
    fc.asyncProperty(fc.nat({ max: authenticate.length - 1 }), fc.uint8Array({ maxLength: 16 }), async (cut, extra) => {
      const b = new Uint8Array([...authenticate.subarray(0, cut), ...extra]);
      await acceptorOn(b);
    }),
    { numRuns: 200 },
  );
});

test('random bytes (bare or behind an NTLMSSP AUTHENTICATE header): only SpnegoError', async () => {
  const header = authenticate.subarray(0, 12);
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 300 }), fc.boolean(), async (body, withHeader) => {
      const b = withHeader ? new Uint8Array([...header, ...body]) : body;
      assert.equal(await acceptorOn(b), 'error');
    }),
    { numRuns: 300 },
  );
});

test('initiator given mutated or random CHALLENGE bytes: only SpnegoError', async () => {
  const arb = fc.oneof(
    mutation.map((muts) => {
      const b = challenge.slice();
      for (const [pos, x] of muts) b[pos % b.length] = b[pos % b.length]! ^ x;
      return b;
    }),
    fc.uint8Array({ minLength: 1, maxLength: 200 }),
  );
  await fc.assert(
    fc.asyncProperty(arb, async (b) => {
      const i = new NtlmInitiator(initOpts);
      await i.step();
      try {
        await i.step(b);
      } catch (e) {
        checkError(e);
      }
    }),
    { numRuns: 300 },
  );
});
