// NTLM as a SPNEGO mechanism: adapts NtlmInitiator/NtlmAcceptor to MechContext. Integrity
// exists when signing was negotiated (SPNEGO-RULES 7: no NTLMSSP_NEGOTIATE_SIGN, no mechListMIC);
// NTLM's own MIC in AUTHENTICATE makes the mechListMIC exchange required (MS-SPNG, krb5 PR #113).
import { OID } from '../iana/oids.js';
import { NTLMSSP_NEGOTIATE_SIGN } from '../iana/ntlm.js';
import { NtlmInitiator, type NtlmInitiatorOptions } from '../mech/ntlm/initiator.js';
import { NtlmAcceptor, type NtlmAcceptorOptions } from '../mech/ntlm/acceptor.js';
import type { MechCandidate, MechContext } from './mech.js';

export interface SpnegoNtlmOptions {
  /**
   * Restart the sequence numbers too when the RC4 state is reset around the mechListMIC.
   * Default false: the mechListMIC consumes sequence number 0 in each direction and the first
   * application message uses 1 (pyspnego, sspi-rs; checked against gss-ntlmssp in test/interop).
   */
  readonly resetSeqNumAfterMechListMic?: boolean;
}

class NtlmMech implements MechContext {
  constructor(
    readonly inner: NtlmInitiator | NtlmAcceptor,
    private readonly o: SpnegoNtlmOptions,
  ) {}
  step(input?: Uint8Array): Promise<Uint8Array | undefined> {
    return this.inner.step(input);
  }
  get complete(): boolean {
    return this.inner.complete;
  }
  get integrity(): boolean {
    return this.inner.complete && (this.inner.negotiatedFlags & NTLMSSP_NEGOTIATE_SIGN) !== 0;
  }
  get requiresMechListMic(): boolean {
    return this.inner.complete && this.inner.micPresent;
  }
  getMic(m: Uint8Array): Uint8Array {
    return this.inner.getMic(m);
  }
  verifyMic(m: Uint8Array, mic: Uint8Array): void {
    this.inner.verifyMic(m, mic);
  }
  // MS-SPNG 3.3.5.1: the mechListMIC and the first application message see the same RC4 state.
  resetAfterMechListMic(direction: 'outgoing' | 'incoming'): void {
    this.inner.resetCryptoState(direction, { resetSeqNum: this.o.resetSeqNumAfterMechListMic ?? false });
  }
  wrap(m: Uint8Array, opts?: { encrypt?: boolean }): Uint8Array {
    return this.inner.wrap(m, opts);
  }
  unwrap(t: Uint8Array): Uint8Array {
    return this.inner.unwrap(t).message;
  }
}

export function ntlmInitiatorMech(opts: NtlmInitiatorOptions & SpnegoNtlmOptions): MechCandidate {
  return { oid: OID.NTLMSSP, create: () => new NtlmMech(new NtlmInitiator(opts), opts) };
}

export function ntlmAcceptorMech(opts: NtlmAcceptorOptions & SpnegoNtlmOptions): MechCandidate {
  return { oid: OID.NTLMSSP, create: () => new NtlmMech(new NtlmAcceptor(opts), opts) };
}

/** The NTLM context behind a SPNEGO context, e.g. for the peer name. */
export function ntlmContextOf(ctx: MechContext | undefined): NtlmInitiator | NtlmAcceptor | undefined {
  return ctx instanceof NtlmMech ? ctx.inner : undefined;
}
