// RFC 4178 initiator over any mechanism: optimistic token for the first mech in a framed
// NegTokenInit, then every reply shape (accept-incomplete, request-mic, counter-proposal,
// accept-completed with or without a final token, reject), with the mechListMIC over the
// exact MechTypeList bytes we sent. State machine: SPNEGO-RULES section 8.
import { SpnegoError } from '../errors.js';
import { decodeSpnegoToken, encodeSpnegoToken } from '../codec/spnego/spnego-token.js';
import { encodeMechTypeList } from '../codec/spnego/mech-type-list.js';
import type { NegTokenResp } from '../codec/spnego/neg-token-resp.js';
import type { MechCandidate, MechContext } from './mech.js';
import { EstablishedContext } from './established.js';
import {
  emptyTokenAfterCompletion,
  isDuplicateResponseTokenMic,
  isLegacyNtlmCounterProposal,
  micExchangeNeeded,
  sameMech,
  supportedMechOrOptimistic,
} from './rules.js';

type State = 'start' | 'negotiating' | 'complete' | 'finished' | 'failed';

export interface SpnegoInitiatorOptions {
  /** Mechanisms in preference order; the first is sent optimistically. */
  readonly mechs: readonly MechCandidate[];
}

export class SpnegoInitiator extends EstablishedContext {
  private state: State = 'start';
  private mechList: MechCandidate[] = [];
  private mechTypesDer: Uint8Array = new Uint8Array(0);
  private selected: MechCandidate | undefined;
  private ctx: MechContext | undefined;
  private firstReply = true;
  private micRequired = false;
  private micSent = false;
  private micReceived = false;
  /** Mechanisms left out of the list because they could not make their first token, and why (e.g. no Kerberos ticket). */
  readonly skipped: { oid: string; error: SpnegoError }[] = [];

  constructor(private readonly opts: SpnegoInitiatorOptions) {
    super();
    if (opts.mechs.length === 0) throw new SpnegoError('NO_CRED', 'no mechanism to negotiate');
  }

  /** True once the negotiation and the selected mechanism are established on our side. */
  get complete(): boolean {
    return this.state === 'complete' || this.state === 'finished';
  }
  /** The OID of the mechanism in use (after the first reply), as the acceptor named it. */
  get mech(): string | undefined {
    return this.selected?.oid;
  }
  get mechContext(): MechContext | undefined {
    return this.ctx;
  }
  /** What the MIC exchange did: for tests, logs and `inspect --exchange`. */
  get mic(): { required: boolean; sent: boolean; received: boolean } {
    return { required: this.micRequired || (this.ctx?.requiresMechListMic ?? false), sent: this.micSent, received: this.micReceived };
  }
  /** The exact MechTypeList DER the mechListMIC covers. */
  get mechListBytes(): Uint8Array {
    return this.mechTypesDer;
  }

  async step(input?: Uint8Array): Promise<Uint8Array | undefined> {
    // Outside the try: a replayed or extra token must not tear down an established context.
    if (this.state === 'finished' || this.state === 'failed') {
      throw new SpnegoError('NO_CONTEXT', this.state === 'failed' ? 'the negotiation failed earlier' : 'the negotiation is finished');
    }
    try {
      switch (this.state) {
        case 'start':
          return await this.start(input);
        case 'negotiating':
          return await this.reply(this.need(input));
        case 'complete':
          return this.finalToken(this.need(input));
        default:
          throw new SpnegoError('NO_CONTEXT', this.state === 'failed' ? 'the negotiation failed earlier' : 'the negotiation is finished');
      }
    } catch (e) {
      this.state = 'failed';
      throw e;
    }
  }

  private need(input: Uint8Array | undefined): Uint8Array {
    if (!input || input.length === 0) throw new SpnegoError('DEFECTIVE_TOKEN', 'expected a token from the acceptor');
    return input;
  }

  /** First leg. A server that speaks first (NegTokenInit2 hint) gets our own list; its hint is ignored. */
  private async start(input: Uint8Array | undefined): Promise<Uint8Array> {
    if (input && input.length > 0) {
      const t = decodeSpnegoToken(input).token;
      if (t.type === 'negTokenResp') throw new SpnegoError('DEFECTIVE_TOKEN', 'a NegTokenResp cannot start a negotiation');
    }
    // Optimistic token for the first mech that can produce one; a mech that fails here is
    // dropped from the list we send (MIT init_ctx_call_init).
    const candidates = [...this.opts.mechs];
    let lastError: unknown;
    while (candidates.length > 0) {
      const m = candidates[0]!;
      const ctx = m.create();
      try {
        const token = await ctx.step();
        this.mechList = candidates;
        this.selected = m;
        this.ctx = ctx;
        this.mechTypesDer = encodeMechTypeList(candidates.map((c) => c.oid));
        this.state = 'negotiating';
        return encodeSpnegoToken({
          framed: true,
          token: { type: 'negTokenInit', value: { mechTypes: candidates.map((c) => c.oid), mechTypesDer: this.mechTypesDer, ...(token ? { mechToken: token } : {}) } },
        });
      } catch (e) {
        if (!(e instanceof SpnegoError)) throw e;
        lastError = e;
        this.skipped.push({ oid: m.oid, error: e });
        candidates.shift();
      }
    }
    throw lastError instanceof SpnegoError ? lastError : new SpnegoError('NO_CRED', 'no mechanism could start');
  }

  private decodeResp(input: Uint8Array): NegTokenResp {
    const t = decodeSpnegoToken(input).token;
    if (t.type !== 'negTokenResp') throw new SpnegoError('DEFECTIVE_TOKEN', `expected NegTokenResp from the acceptor, got ${t.type}`);
    return t.value;
  }

  private async reply(input: Uint8Array): Promise<Uint8Array | undefined> {
    const resp = this.decodeResp(input);
    const first = this.firstReply;
    this.firstReply = false;
    if (resp.negState === 'reject') return this.rejected(resp, first);
    if (!first && (resp.supportedMech !== undefined || resp.negState === 'request-mic')) {
      throw new SpnegoError('DEFECTIVE_TOKEN', 'supportedMech and request-mic belong only in the first reply (RFC 4178 4.2.2)');
    }
    if (first) {
      if (resp.negState === 'request-mic') this.micRequired = true;
      const chosen = supportedMechOrOptimistic(resp, this.selected!.oid);
      if (!sameMech(chosen, this.selected!.oid)) return this.counterProposal(resp, chosen);
      if (resp.supportedMech) this.selected = { ...this.selected!, oid: resp.supportedMech };
    }
    let out: Uint8Array | undefined;
    const ctx = this.ctx!;
    const token = emptyTokenAfterCompletion(resp.responseToken, ctx.complete) ? undefined : resp.responseToken;
    if (token !== undefined) {
      if (ctx.complete) throw new SpnegoError('DEFECTIVE_TOKEN', 'a mech token arrived after the mechanism completed');
      out = await ctx.step(token);
    }
    // Nothing to feed a mechanism that still needs a token: waiting would never end (MIT answers
    // GSS_S_DEFECTIVE_TOKEN to an accept-incomplete without a responseToken here too).
    if (token === undefined && !ctx.complete && resp.negState !== 'accept-completed') {
      throw new SpnegoError('DEFECTIVE_TOKEN', 'the acceptor sent no mech token while the mechanism still needs one');
    }
    if (!ctx.complete && resp.negState === 'accept-completed') {
      throw new SpnegoError('DEFECTIVE_TOKEN', 'the acceptor completed before the mechanism did');
    }
    const done = resp.negState === 'accept-completed';
    const mic = this.handleMics(resp, done);
    return this.emit(out, mic, done);
  }

  /** Verifies a received mechListMIC and makes ours when due (SPNEGO-RULES 8 steps 4-5). */
  private handleMics(resp: NegTokenResp, acceptorDone: boolean): Uint8Array | undefined {
    const ctx = this.ctx!;
    const peerMic = isDuplicateResponseTokenMic(resp) ? undefined : resp.mechListMIC;
    if (peerMic !== undefined) {
      if (!ctx.complete) throw new SpnegoError('DEFECTIVE_TOKEN', 'mechListMIC before the mechanism completed');
      if (this.micReceived) throw new SpnegoError('DEFECTIVE_TOKEN', 'a second mechListMIC (RFC 4178 5: one each way)');
      if (ctx.integrity) {
        ctx.verifyMic(this.mechTypesDer, peerMic);
        ctx.resetAfterMechListMic?.('incoming');
      }
      this.micReceived = true;
      this.micRequired = true; // a peer that sent a MIC expects ours (MIT process_mic)
    }
    // Once the acceptor said accept-completed there is no leg left to carry our MIC.
    if (micExchangeNeeded({ micRequired: this.micRequired, mech: ctx }) && !this.micSent && !acceptorDone) {
      const mine = ctx.getMic(this.mechTypesDer);
      ctx.resetAfterMechListMic?.('outgoing');
      this.micSent = true;
      return mine;
    }
    return undefined;
  }

  private emit(out: Uint8Array | undefined, mic: Uint8Array | undefined, acceptorDone: boolean): Uint8Array | undefined {
    const ctx = this.ctx!;
    if (ctx.complete) {
      const needed = micExchangeNeeded({ micRequired: this.micRequired, mech: ctx });
      if (!needed || (this.micSent && this.micReceived)) this.state = acceptorDone ? 'finished' : 'complete';
      else if (acceptorDone) {
        // RFC 4178 5 (b)(IV): required but absent: a rewritten mech list or a broken peer.
        if (!this.micReceived) throw new SpnegoError('DEFECTIVE_TOKEN', 'the acceptor completed without the required mechListMIC');
        this.state = 'finished'; // its MIC verified; it asked for none of ours
      }
    }
    if (out === undefined && mic === undefined) return undefined;
    return encodeSpnegoToken({
      framed: false,
      token: {
        type: 'negTokenResp',
        value: { negState: ctx.complete && this.micReceived ? 'accept-completed' : 'accept-incomplete', ...(out ? { responseToken: out } : {}), ...(mic ? { mechListMIC: mic } : {}) },
      },
    });
  }

  /** The acceptor picked another mech of our list: restart with it (RFC 4178 3.2; MIT init_ctx_reselect). */
  private async counterProposal(resp: NegTokenResp, chosen: string): Promise<Uint8Array | undefined> {
    const m = this.mechList.find((c) => sameMech(c.oid, chosen));
    if (!m) throw new SpnegoError('BAD_MECH', `the acceptor chose ${chosen}, which we did not offer`);
    if (resp.negState !== 'request-mic' && !isLegacyNtlmCounterProposal(resp)) {
      throw new SpnegoError('DEFECTIVE_TOKEN', 'a counter-proposal must carry request-mic (RFC 4178 3.2)');
    }
    if (resp.responseToken !== undefined || resp.mechListMIC !== undefined) {
      throw new SpnegoError('DEFECTIVE_TOKEN', 'a counter-proposal carries no mech token and no MIC');
    }
    this.selected = { ...m, oid: chosen };
    this.ctx = m.create();
    const out = await this.ctx.step();
    return this.emit(out, undefined, false);
  }

  /**
   * A reject as the first reply: no mechanism in common (or the optimistic token refused without a
   * reason): BAD_MECH. Later, the mechanism was agreed and our credentials were refused (a wrong
   * NTLM password): UNAUTHORIZED, so a caller can tell the two apart (MIT reports both as
   * GSS_S_FAILURE).
   */
  private async rejected(resp: NegTokenResp, first: boolean): Promise<never> {
    // A mech error token (e.g. a KRB-ERROR) says why; let the mech turn it into its error.
    if (resp.responseToken && resp.responseToken.length > 0 && this.ctx && !this.ctx.complete) await this.ctx.step(resp.responseToken);
    if (first) throw new SpnegoError('BAD_MECH', 'the acceptor rejected the negotiation (no mechanism in common, or it refused our first token)');
    throw new SpnegoError('UNAUTHORIZED', 'the acceptor rejected our credentials');
  }

  /**
   * After we completed, the acceptor's last token (HTTP's final 200) must agree: verify its MIC.
   * An acceptor that still wants our MIC (accept-incomplete + its MIC, as Windows does when
   * NTLM carried its own MIC) gets it in one more token.
   */
  private finalToken(input: Uint8Array): Uint8Array | undefined {
    const resp = this.decodeResp(input);
    const ctx = this.ctx!;
    if (resp.negState === 'reject') throw new SpnegoError('UNAUTHORIZED', 'the acceptor rejected the negotiation after our mechanism completed (our credentials or our mechListMIC)');
    if (resp.supportedMech !== undefined || resp.negState === 'request-mic') throw new SpnegoError('DEFECTIVE_TOKEN', 'supportedMech or request-mic after the first reply');
    if (resp.responseToken && resp.responseToken.length > 0) throw new SpnegoError('DEFECTIVE_TOKEN', 'a mech token arrived after the mechanism completed');
    const peerMic = isDuplicateResponseTokenMic(resp) ? undefined : resp.mechListMIC;
    let mine: Uint8Array | undefined;
    if (peerMic !== undefined) {
      if (this.micReceived) throw new SpnegoError('DEFECTIVE_TOKEN', 'a second mechListMIC (RFC 4178 5: one each way)');
      if (ctx.integrity) {
        ctx.verifyMic(this.mechTypesDer, peerMic);
        ctx.resetAfterMechListMic?.('incoming');
        if (!this.micSent && resp.negState !== 'accept-completed') {
          mine = ctx.getMic(this.mechTypesDer);
          ctx.resetAfterMechListMic?.('outgoing');
          this.micSent = true;
        }
      }
      this.micReceived = true;
    } else if (resp.negState !== 'accept-completed' && resp.negState !== undefined) {
      throw new SpnegoError('DEFECTIVE_TOKEN', `unexpected ${resp.negState} after the negotiation completed`);
    }
    // Having just sent our MIC, the acceptor's accept-completed may still follow.
    this.state = mine === undefined ? 'finished' : 'complete';
    return mine === undefined ? undefined : encodeSpnegoToken({ framed: false, token: { type: 'negTokenResp', value: { negState: 'accept-completed', mechListMIC: mine } } });
  }

  protected get current(): MechContext | undefined {
    return this.ctx;
  }
}
