// One connection-bound authentication exchange (RFC 4559 4) with an origin (401 /
// WWW-Authenticate / Authorization) or a proxy (407 / Proxy-Authenticate / Proxy-Authorization).
// Error policy (README "HTTP client errors"), every one a SpnegoError:
//   UNAUTHORIZED  the peer refused: a SPNEGO reject, a 401/407 without a token (or without our
//                 scheme) after we sent one, a 401/407 after our context completed, more than
//                 maxLegs legs, or a 2xx without the final token when mutual auth is required.
//   BAD_MIC, DEFECTIVE_TOKEN, ...  from the context: a tampered or malformed server token,
//                 including the final one on a 2xx (the response is then discarded).
//   NO_CRED       no usable credential (e.g. noNtlmFallback while Kerberos is not available).
import type { Krb5Client } from '../../mech/krb5/client.js';
import { SpnegoError } from '../../errors.js';
import { initiator, type InitiatorCredential, type SecurityContext } from '../../gss/context.js';
import type { GssChannelBindings } from '../../mech/ntlm/bindings.js';
import { encodeBase64Token, pickChallenge, type Challenge, type GssScheme } from '../challenge.js';

export interface HandshakeConfig {
  readonly who: 'origin' | 'proxy';
  readonly credential: InitiatorCredential;
  /** 'negotiate': prefer the Negotiate scheme, fall back to NTLM; 'ntlm': prefer the NTLM scheme. */
  readonly mech: 'negotiate' | 'ntlm' | 'kerberos';
  /** GSS host-based service name, `HTTP@host`. */
  readonly target: string;
  readonly channelBindings?: GssChannelBindings | undefined;
  readonly noNtlmFallback: boolean;
  readonly maxLegs: number;
  readonly requireMutualAuth: boolean;
  /** The Kerberos client (krb5.conf, KDCs); default: initiator()'s, from KRB5_CONFIG. */
  readonly krb5Client?: Krb5Client | undefined;
  /** rc4-hmac Kerberos tickets (and NTLMv1) allowed: initiator()'s `allowWeakCrypto`. */
  readonly allowWeakCrypto?: boolean;
  /** Delegate a forwarded TGT (curl --delegation always): initiator()'s `delegate`. */
  readonly delegate?: boolean;
}

/** What a finished exchange did (see `authInfo()`). */
export interface HandshakeInfo {
  readonly scheme: GssScheme;
  /** The mechanism the context used, e.g. `ntlm`. */
  readonly mech: string | undefined;
  /** Requests that carried a token. */
  readonly legs: number;
  /** The server's final token (mutual authentication, mechListMIC) arrived and verified. */
  readonly mutual: boolean;
  readonly complete: boolean;
}

export class Handshake {
  private ctx: SecurityContext | undefined;

  /** Why a mechanism was not offered (Kerberos before an NTLM fallback that then failed), for the error. */
  private skippedNote(): string {
    const s = this.ctx?.skippedMechs ?? [];
    return s.length === 0 ? '' : `; ${s.map((x) => `${x.mech} could not start (${x.code}: ${x.message})`).join('; ')}`;
  }
  private scheme: GssScheme | undefined;
  private legs = 0;
  private mutual = false;

  constructor(private readonly cfg: HandshakeConfig) {}

  get started(): boolean {
    return this.ctx !== undefined;
  }

  get info(): HandshakeInfo | undefined {
    if (!this.ctx || !this.scheme) return undefined;
    return { scheme: this.scheme, mech: this.ctx.mech, legs: this.legs, mutual: this.mutual, complete: this.ctx.complete };
  }

  private get peer(): string {
    return this.cfg.who === 'origin' ? 'server' : 'proxy';
  }

  private allowed(): GssScheme[] {
    if (this.cfg.mech === 'ntlm') return ['NTLM', 'Negotiate'];
    if (this.cfg.mech === 'kerberos') return ['Negotiate', 'Kerberos'];
    return this.cfg.noNtlmFallback ? ['Negotiate'] : ['Negotiate', 'NTLM'];
  }

  /** Whether a first 401/407 with these challenges starts an exchange. */
  canAnswer(challenges: readonly Challenge[]): boolean {
    return pickChallenge(challenges, this.allowed()) !== undefined;
  }

  /**
   * A 401/407 arrived. Returns the credentials header value for the next leg, or undefined when
   * no exchange has started and the server offers no scheme we speak (the caller hands the
   * response back as it is). Throws per the policy above.
   */
  async challenge(challenges: readonly Challenge[], status: number): Promise<string | undefined> {
    if (!this.ctx) {
      const ch = pickChallenge(challenges, this.allowed());
      if (!ch || !ch.gss) return undefined;
      this.scheme = ch.gss;
      this.ctx = initiator({
        mech: ch.gss === 'NTLM' ? 'ntlm' : ch.gss === 'Kerberos' ? 'kerberos' : 'negotiate',
        target: this.cfg.target,
        credential: this.cfg.credential,
        ...(this.cfg.channelBindings ? { channelBindings: this.cfg.channelBindings } : {}),
        ...(this.cfg.allowWeakCrypto ? { allowWeakCrypto: true } : {}),
        ...(this.cfg.delegate ? { delegate: true } : {}),
        ...(this.cfg.noNtlmFallback || this.cfg.mech === 'kerberos' ? { forbidNtlm: true } : {}),
        ...(this.cfg.krb5Client ? { krb5Client: this.cfg.krb5Client } : {}),
      });
      // A server that speaks first (a NegTokenInit2 hint) gets our own list (SPNEGO ignores the hint).
      const out = await this.ctx.step(ch.gss === 'Negotiate' ? ch.token : undefined);
      return this.leg(out, status);
    }
    const ch = challenges.find((c) => c.gss === this.scheme);
    if (!ch || !ch.token) {
      throw new SpnegoError('UNAUTHORIZED', `the ${this.peer} refused the credentials: ${status} without a ${this.scheme} token after leg ${this.legs}${this.skippedNote()}`);
    }
    let out: Uint8Array | undefined;
    const wasComplete = this.ctx.complete;
    if (wasComplete && this.scheme === 'NTLM') {
      throw new SpnegoError('UNAUTHORIZED', `the ${this.peer} answered ${status} after the NTLM AUTHENTICATE: credentials refused${this.skippedNote()}`);
    }
    try {
      out = await this.ctx.step(ch.token);
    } catch (e) {
      if (e instanceof SpnegoError && (e.code === 'BAD_MECH' || e.code === 'UNAUTHORIZED')) {
        throw new SpnegoError('UNAUTHORIZED', `the ${this.peer} rejected the negotiation (${status}, SPNEGO reject)${this.skippedNote()}`, { cause: e });
      }
      throw e;
    }
    if (wasComplete || out === undefined) {
      throw new SpnegoError('UNAUTHORIZED', `the ${this.peer} answered ${status} after the context completed (leg ${this.legs}): credentials refused${this.skippedNote()}`);
    }
    return this.leg(out, status);
  }

  private leg(out: Uint8Array | undefined, status: number): string {
    if (out === undefined || out.length === 0) throw new SpnegoError('UNAUTHORIZED', `the ${this.peer} answered ${status} but the context has no token to send`);
    if (this.legs >= this.cfg.maxLegs) {
      throw new SpnegoError('UNAUTHORIZED', `the ${this.peer} still answered ${status} after ${this.legs} legs (maxLegs ${this.cfg.maxLegs})`);
    }
    this.legs++;
    return `${this.scheme} ${encodeBase64Token(out)}`;
  }

  /**
   * The response that ended the exchange (not 401/407): verify the server's final token, if it
   * sent one (mutual authentication and the acceptor's mechListMIC). Throws on a bad token.
   */
  async final(challenges: readonly Challenge[]): Promise<void> {
    if (!this.ctx) return;
    const ch = challenges.find((c) => c.gss === this.scheme && c.token !== undefined);
    if (ch) {
      try {
        // A token back means the acceptor still wants our MIC: HTTP has no leg left to carry
        // it, and its own MIC verified, so the exchange stands (as Windows clients do).
        await this.ctx.step(ch.token);
      } catch (e) {
        if (e instanceof SpnegoError && e.code === 'BAD_MECH') {
          throw new SpnegoError('UNAUTHORIZED', `the ${this.peer}'s final token is a SPNEGO reject`, { cause: e });
        }
        throw e;
      }
      this.mutual = true;
    } else if (this.cfg.requireMutualAuth) {
      throw new SpnegoError('UNAUTHORIZED', `the ${this.peer} ended the exchange without a final ${this.scheme} token (mutual authentication required)`);
    }
  }
}
