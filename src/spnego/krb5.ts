// Kerberos as a SPNEGO mechanism (SPNEGO-RULES 6): both Kerberos OIDs are one mech; the
// acceptor answers with the OID the initiator listed. Kerberos always has integrity and never
// demands the mechListMIC on its own; with mutual authentication it makes an even number of
// tokens (AP-REQ, AP-REP). The initiator gets its service ticket lazily, in its first step.
import { OID } from '../iana/oids.js';
import { Krb5Initiator, type Krb5InitiatorOptions } from '../mech/krb5/gss-initiator.js';
import { Krb5Acceptor, type Krb5AcceptorOptions } from '../mech/krb5/gss-acceptor.js';
import type { Credential } from '../mech/krb5/credential.js';
import type { MechCandidate, MechContext } from './mech.js';

class Krb5Mech implements MechContext {
  inner: Krb5Initiator | Krb5Acceptor | undefined;
  constructor(private readonly make: () => Promise<Krb5Initiator | Krb5Acceptor> | Krb5Initiator | Krb5Acceptor) {}
  async step(input?: Uint8Array): Promise<Uint8Array | undefined> {
    this.inner ??= await this.make();
    return this.inner.step(input);
  }
  get complete(): boolean {
    return this.inner?.complete ?? false;
  }
  get integrity(): boolean {
    return this.complete;
  }
  readonly requiresMechListMic = false;
  private ctx(): Krb5Initiator | Krb5Acceptor {
    return this.inner!;
  }
  getMic(m: Uint8Array): Uint8Array {
    return this.ctx().getMic(m);
  }
  verifyMic(m: Uint8Array, mic: Uint8Array): void {
    this.ctx().verifyMic(m, mic);
  }
  wrap(m: Uint8Array, opts?: { encrypt?: boolean }): Uint8Array {
    return this.ctx().wrap(m, opts);
  }
  unwrap(t: Uint8Array): Uint8Array {
    return this.ctx().unwrap(t).message;
  }
}

export interface SpnegoKrb5InitiatorOptions extends Omit<Krb5InitiatorOptions, 'credential'> {
  /** The service ticket, or how to get one (and a delegation KRB-CRED) when the negotiation starts. */
  readonly credential: Credential | (() => Promise<{ ticket: Credential; delegation?: Uint8Array }>);
}

export function krb5InitiatorMech(o: SpnegoKrb5InitiatorOptions): MechCandidate {
  return {
    oid: OID.KRB5,
    create: () =>
      new Krb5Mech(async () => {
        const got = typeof o.credential === 'function' ? await o.credential() : { ticket: o.credential };
        return new Krb5Initiator({ ...o, credential: got.ticket, ...(got.delegation ? { delegation: got.delegation } : {}) });
      }),
  };
}

export function krb5AcceptorMech(o: Krb5AcceptorOptions): MechCandidate {
  return { oid: OID.KRB5, aliases: [OID.MS_KRB5], create: () => new Krb5Mech(() => new Krb5Acceptor(o)) };
}

/** The Kerberos context behind a SPNEGO context (peer name, delegation, PAC). */
export function krb5ContextOf(ctx: MechContext | undefined): Krb5Initiator | Krb5Acceptor | undefined {
  return ctx instanceof Krb5Mech ? ctx.inner : undefined;
}
