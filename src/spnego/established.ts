// Per-message operations of an established SPNEGO context: they are the negotiated mechanism's
// (RFC 4178 has none of its own). Shared by the initiator and the acceptor.
import { SpnegoError } from '../errors.js';
import type { MechContext } from './mech.js';

export abstract class EstablishedContext {
  abstract get complete(): boolean;
  protected abstract get current(): MechContext | undefined;

  private established(): MechContext {
    const c = this.current;
    if (!this.complete || !c) throw new SpnegoError('NO_CONTEXT', 'the context is not established');
    return c;
  }
  getMic(m: Uint8Array): Uint8Array {
    return this.established().getMic(m);
  }
  verifyMic(m: Uint8Array, mic: Uint8Array): void {
    this.established().verifyMic(m, mic);
  }
  wrap(m: Uint8Array, o?: { encrypt?: boolean }): Uint8Array {
    const c = this.established();
    if (!c.wrap) throw new SpnegoError('UNAVAILABLE', 'the mechanism has no wrap');
    return c.wrap(m, o);
  }
  unwrap(t: Uint8Array): Uint8Array {
    const c = this.established();
    if (!c.unwrap) throw new SpnegoError('UNAVAILABLE', 'the mechanism has no unwrap');
    return c.unwrap(t);
  }
}
