// RFC 4178 acceptor over any mechanism. The first mech in the initiator's list that we support
// wins; a non-first choice answers request-mic and ignores the optimistic token; both Kerberos
// OIDs are one mech, answered with the OID the initiator listed. Empty input yields a
// NegTokenInit2 hint (MS-SPNG 3.2.5.2); raw NTLMSSP or Kerberos tokens bypass SPNEGO.
import { SpnegoError } from '../errors.js';
import { OID } from '../iana/oids.js';
import { decodeSpnegoToken, encodeSpnegoToken } from '../codec/spnego/spnego-token.js';
import { hasNtlmSignature } from '../codec/ntlm/message.js';
import { InitialContextToken, hasInitialContextTokenHeader } from '../codec/gss/initial-context-token.js';
import { NEG_HINTS_IGNORE_NAME } from '../codec/spnego/neg-token-init2.js';
import type { NegTokenResp } from '../codec/spnego/neg-token-resp.js';
import type { NegTokenInit } from '../codec/spnego/neg-token-init.js';
import type { MechCandidate, MechContext } from './mech.js';
import { EstablishedContext } from './established.js';
import { isDuplicateResponseTokenMic, isNegoEx, micExchangeNeeded, sameMech } from './rules.js';

type State = 'start' | 'hinted' | 'negotiating' | 'complete' | 'failed';

export interface SpnegoAcceptorOptions {
  /** Mechanisms we accept, in our preference order (used for the NegTokenInit2 hint). */
  readonly mechs: readonly MechCandidate[];
}

export class SpnegoAcceptor extends EstablishedContext {
  private state: State = 'start';
  private mechTypesDer: Uint8Array = new Uint8Array(0);
  private selectedOid: string | undefined;
  private ctx: MechContext | undefined;
  private raw = false;
  private micRequired = false;
  private micSent = false;
  private micReceived = false;

  constructor(private readonly opts: SpnegoAcceptorOptions) {
    super();
    if (opts.mechs.length === 0) throw new SpnegoError('NO_CRED', 'no mechanism to accept');
  }

  get complete(): boolean {
    return this.state === 'complete';
  }
  /** The selected mechanism's OID, as the initiator listed it. */
  get mech(): string | undefined {
    return this.selectedOid;
  }
  get mechContext(): MechContext | undefined {
    return this.ctx;
  }
  /** The initiator sent a bare mech token (no SPNEGO): replies are bare mech tokens too. */
  get rawMech(): boolean {
    return this.raw;
  }
  get mic(): { required: boolean; sent: boolean; received: boolean } {
    return { required: this.micRequired || (this.ctx?.requiresMechListMic ?? false), sent: this.micSent, received: this.micReceived };
  }

  async step(input?: Uint8Array): Promise<Uint8Array | undefined> {
    // Outside the try: a replayed or extra token must not tear down an established context.
    if (this.state === 'failed') throw new SpnegoError('NO_CONTEXT', 'the negotiation failed earlier');
    if (this.state === 'complete') throw new SpnegoError('NO_CONTEXT', 'the negotiation is finished');
    try {
      if (!input || input.length === 0) {
        if (this.state !== 'start') throw new SpnegoError('DEFECTIVE_TOKEN', 'expected a token from the initiator');
        this.state = 'hinted';
        return this.hint();
      }
      if (this.state === 'negotiating') return this.raw ? await this.rawStep(input) : await this.cont(input);
      return await this.first(input);
    } catch (e) {
      const wasNegotiating = this.state === 'negotiating' && !this.raw;
      this.state = 'failed';
      // As MIT, Windows and Samba do: tell the initiator with a reject (RFC 4178 4.2.2).
      // A mech's own error token (a Kerberos KRB-ERROR, e.g. for clock skew) rides inside it.
      if (wasNegotiating && e instanceof SpnegoError && e.code !== 'NO_CONTEXT') {
        const reject = this.resp({ negState: 'reject', ...(e.outputToken ? { responseToken: e.outputToken } : {}) });
        throw new SpnegoError(e.code, e.message, { outputToken: reject, ...(e.krbError ? { krbError: e.krbError } : {}), cause: e });
      }
      throw e;
    }
  }

  /** NegTokenInit2 with our mechs and the RFC 4178 placeholder hint (MS-SPNG 2.2.1). */
  private hint(): Uint8Array {
    const mechTypes = this.opts.mechs.flatMap((m) => [m.oid, ...(m.aliases ?? [])]);
    return encodeSpnegoToken({ framed: true, token: { type: 'negTokenInit2', value: { mechTypes, negHints: { hintName: NEG_HINTS_IGNORE_NAME } } } });
  }

  private find(oid: string): MechCandidate | undefined {
    return this.opts.mechs.find((m) => sameMech(m.oid, oid) || (m.aliases ?? []).some((a) => sameMech(a, oid)));
  }

  private async first(input: Uint8Array): Promise<Uint8Array | undefined> {
    // Browsers and old clients send the mech token without SPNEGO (SPNEGO-RULES 6).
    const rawOid = hasNtlmSignature(input) ? OID.NTLMSSP : hasInitialContextTokenHeader(input) ? InitialContextToken.decode(input).mech : undefined;
    if (rawOid !== undefined && rawOid !== OID.SPNEGO) {
      const m = this.find(rawOid);
      if (!m) throw new SpnegoError('BAD_MECH', `a bare ${rawOid} token, and we do not accept that mechanism`);
      this.raw = true;
      this.selectedOid = rawOid;
      this.ctx = m.create();
      this.state = 'negotiating';
      return this.rawStep(input);
    }
    const t = decodeSpnegoToken(input).token;
    if (t.type !== 'negTokenInit') throw new SpnegoError('DEFECTIVE_TOKEN', `the first SPNEGO token must be a NegTokenInit, got ${t.type}`);
    return this.init(t.value);
  }

  private async rawStep(input: Uint8Array): Promise<Uint8Array | undefined> {
    const out = await this.ctx!.step(input);
    if (this.ctx!.complete) this.state = 'complete';
    return out;
  }

  private async init(init: NegTokenInit): Promise<Uint8Array | undefined> {
    this.mechTypesDer = init.mechTypesDer;
    const index = init.mechTypes.findIndex((oid) => !isNegoEx(oid) && this.find(oid) !== undefined);
    if (index < 0) {
      const reject = encodeSpnegoToken({ framed: false, token: { type: 'negTokenResp', value: { negState: 'reject' } } });
      throw new SpnegoError('BAD_MECH', 'none of the offered mechanisms is supported', { outputToken: reject });
    }
    const oid = init.mechTypes[index]!;
    this.selectedOid = oid; // answered with the OID the initiator used (MIT negotiate_mech)
    this.ctx = this.find(oid)!.create();
    this.state = 'negotiating';
    if (index !== 0) {
      // RFC 4178 3.2 c-II: not the optimistic mech: ignore its token and ask for the MIC.
      this.micRequired = true;
      return this.resp({ negState: 'request-mic', supportedMech: oid });
    }
    const out = init.mechToken && init.mechToken.length > 0 ? await this.ctx.step(init.mechToken) : undefined;
    // A MIC in the init token itself would precede any established context: refuse it.
    if (init.mechListMIC !== undefined && !this.ctx.complete) throw new SpnegoError('DEFECTIVE_TOKEN', 'mechListMIC before the mechanism completed');
    return this.after(out, init.mechListMIC, true);
  }

  private async cont(input: Uint8Array): Promise<Uint8Array | undefined> {
    const t = decodeSpnegoToken(input).token;
    if (t.type !== 'negTokenResp') throw new SpnegoError('DEFECTIVE_TOKEN', `expected NegTokenResp from the initiator, got ${t.type}`);
    const r = t.value;
    // MIT acc_ctx_cont: continuations carry no supportedMech and carry something.
    if (r.supportedMech !== undefined) throw new SpnegoError('DEFECTIVE_TOKEN', 'supportedMech in a continuation token');
    if (r.responseToken === undefined && r.mechListMIC === undefined) throw new SpnegoError('DEFECTIVE_TOKEN', 'a continuation token with neither mech token nor MIC');
    if (r.negState === 'reject') throw new SpnegoError('BAD_MECH', 'the initiator rejected the negotiation');
    let out: Uint8Array | undefined;
    if (r.responseToken !== undefined && r.responseToken.length > 0) {
      if (this.ctx!.complete) throw new SpnegoError('DEFECTIVE_TOKEN', 'a mech token arrived after the mechanism completed');
      out = await this.ctx!.step(r.responseToken);
    }
    const mic = isDuplicateResponseTokenMic(r) ? undefined : r.mechListMIC;
    return this.after(out, mic, false);
  }

  /** MIC handling and the reply, once a mech token (if any) has been consumed (SPNEGO-RULES 8, acceptor 5). */
  private after(out: Uint8Array | undefined, peerMic: Uint8Array | undefined, first: boolean): Uint8Array {
    const ctx = this.ctx!;
    if (peerMic !== undefined) {
      if (!ctx.complete) throw new SpnegoError('DEFECTIVE_TOKEN', 'mechListMIC before the mechanism completed');
      if (this.micReceived) throw new SpnegoError('DEFECTIVE_TOKEN', 'a second mechListMIC (RFC 4178 5: one each way)');
      if (ctx.integrity) {
        ctx.verifyMic(this.mechTypesDer, peerMic);
        ctx.resetAfterMechListMic?.('incoming');
      }
      this.micReceived = true;
      this.micRequired = true;
    }
    const base = first ? { supportedMech: this.selectedOid! } : {};
    if (!ctx.complete) return this.resp({ negState: 'accept-incomplete', ...base, ...(out ? { responseToken: out } : {}) });
    let mine: Uint8Array | undefined;
    if (micExchangeNeeded({ micRequired: this.micRequired, mech: ctx })) {
      if (!this.micSent) {
        mine = ctx.getMic(this.mechTypesDer);
        ctx.resetAfterMechListMic?.('outgoing');
        this.micSent = true;
      }
      if (!this.micReceived) {
        // The initiator has not sent its MIC yet: send ours and wait for it (RFC 4178 5 (b)(IV);
        // Windows does this when NTLM carried its own MIC). A second omission is fatal (5 (b)(V)).
        if (mine === undefined) throw new SpnegoError('DEFECTIVE_TOKEN', 'the initiator did not send the required mechListMIC');
        return this.resp({ negState: 'accept-incomplete', ...base, ...(out ? { responseToken: out } : {}), mechListMIC: mine });
      }
    }
    this.state = 'complete';
    return this.resp({ negState: 'accept-completed', ...base, ...(out ? { responseToken: out } : {}), ...(mine ? { mechListMIC: mine } : {}) });
  }

  private resp(value: NegTokenResp): Uint8Array {
    return encodeSpnegoToken({ framed: false, token: { type: 'negTokenResp', value } });
  }

  protected get current(): MechContext | undefined {
    return this.ctx;
  }
}

