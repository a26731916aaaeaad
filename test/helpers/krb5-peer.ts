// scripts/lab/krb5_gss_peer.py (MIT krb5 through python-gssapi: raw krb5 or SPNEGO, initiator or
// acceptor), driven like the other lab peers (peer.ts), and the exchanges the Kerberos interop
// tests run with it: a handshake either way, then wrap/unwrap and MIC both ways.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { LabPeer } from './peer.js';
import { SpnegoError } from '../../src/errors.js';
import type { SecurityContext } from '../../src/gss/context.js';

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);
const nonce = () => randomBytes(4).toString('hex');

/** scripts/lab/krb5_gss_peer.py through the shared line-protocol driver (LabPeer). */
export class MitPeer extends LabPeer {
  /**
   * `args`: `--mech krb5|spnego`, `--target SERVICE@HOST`; `env`: KRB5_CONFIG, KRB5_KTNAME,
   * KRB5CCNAME...; `python`: the lab's (lab.json `python`), which has python-gssapi.
   */
  static async start(role: 'init' | 'accept', args: string[], env: Record<string, string>, python = '/usr/bin/python3'): Promise<MitPeer> {
    return LabPeer.ready(new MitPeer('krb5_gss_peer.py', role, { args, env, python, timeoutMs: 20_000 }));
  }
}

/** Wrap/unwrap with and without confidentiality and MIC, each way, between our context and MIT's. */
export async function perMessage(ours: SecurityContext, mit: MitPeer, label: string): Promise<void> {
  for (const conf of [true, false]) {
    const m1 = enc(`ours->MIT ${label} conf=${conf} ${nonce()}`);
    const u = await mit.unwrap(ours.wrap(m1, { encrypt: conf }));
    assert.equal(dec(u.data), dec(m1));
    assert.equal(u.encrypted, conf, 'MIT sees the confidentiality we asked for');
    const m2 = enc(`MIT->ours ${label} conf=${conf} ${nonce()}`);
    const w = await mit.wrap(m2, conf);
    assert.equal(w.encrypted, conf);
    assert.equal(dec(ours.unwrap(w.token)), dec(m2));
  }
  const m3 = enc(`our MIC ${label} ${nonce()}`);
  const good = await mit.verifyMic(m3, ours.getMic(m3));
  assert.equal(good.ok, true, good.error);
  const m4 = enc(`MIT MIC ${label} ${nonce()}`);
  const mic = await mit.getMic(m4);
  ours.verifyMic(m4, mic);
  // The checks can fail: a MIC over other bytes is refused by each side.
  const bad = await mit.verifyMic(enc('other bytes'), ours.getMic(m3));
  assert.equal(bad.ok, false, 'MIT refused a MIC over different bytes');
  assert.throws(() => ours.verifyMic(enc('other bytes'), mic), (e: unknown) => e instanceof SpnegoError && e.code === 'BAD_MIC');
}

/** Our initiator against MIT's acceptor until both are done; the trace (base64, `>` ours) for messages. */
export async function handshakeToMit(ctx: SecurityContext, peer: MitPeer): Promise<string[]> {
  let out = await ctx.step();
  const trace: string[] = [];
  for (let i = 0; i < 4 && !ctx.complete; i++) {
    assert.ok(out, `our initiator has nothing to send but is not complete\n${trace.join('\n')}`);
    trace.push(`> ${b64(out)}`);
    const r = await peer.step(out);
    if (!r.token) break;
    trace.push(`< ${b64(r.token)}`);
    out = await ctx.step(r.token);
  }
  assert.ok(ctx.complete, `our initiator complete\n${trace.join('\n')}`);
  assert.equal(out, undefined);
  return trace;
}

/** MIT's initiator against our acceptor until both are done. */
export async function handshakeFromMit(acc: SecurityContext, peer: MitPeer): Promise<void> {
  let r = await peer.step();
  for (let i = 0; i < 4 && !(acc.complete && r.complete); i++) {
    assert.ok(r.token, 'MIT initiator has a token to send');
    const out = await acc.step(r.token);
    if (!out) break;
    r = await peer.step(out);
  }
  assert.ok(acc.complete, 'our acceptor complete');
  assert.ok(r.complete, 'MIT initiator complete (verified our AP-REP)');
}
