// A test-only mechanism with Kerberos-like shape (one token, or two with mutual auth) and
// HMAC MICs keyed per direction, for SPNEGO rules that need behaviour our NTLM does not have.
// Unit tests only: the proof against real peers is in test/interop.
import { createHmac } from 'node:crypto';
import { SpnegoError } from '../../src/errors.js';
import type { MechCandidate, MechContext } from '../../src/spnego/mech.js';

export interface FakeMechOptions {
  readonly oid: string;
  readonly mutual?: boolean;
  readonly integrity?: boolean;
  readonly requiresMechListMic?: boolean;
  /** Shared secret; a different one on each side makes every MIC fail. */
  readonly key?: string;
}

class FakeContext implements MechContext {
  complete = false;
  legs = 0;
  resets: string[] = [];
  constructor(private readonly o: FakeMechOptions, private readonly side: 'initiator' | 'acceptor') {}
  get integrity(): boolean {
    return this.o.integrity ?? true;
  }
  get requiresMechListMic(): boolean {
    return this.complete && (this.o.requiresMechListMic ?? false);
  }
  async step(input?: Uint8Array): Promise<Uint8Array | undefined> {
    this.legs++;
    const enc = (s: string) => new TextEncoder().encode(s);
    const dec = (b?: Uint8Array) => (b ? new TextDecoder().decode(b) : '');
    if (this.side === 'initiator') {
      if (this.legs === 1) {
        if (!this.o.mutual) this.complete = true;
        return enc(`REQ:${this.o.oid}`);
      }
      if (dec(input) !== `REP:${this.o.oid}`) throw new SpnegoError('DEFECTIVE_TOKEN', `fake mech: bad reply ${dec(input)}`);
      this.complete = true;
      return undefined;
    }
    if (dec(input) !== `REQ:${this.o.oid}`) throw new SpnegoError('DEFECTIVE_TOKEN', `fake mech: bad request ${dec(input)}`);
    this.complete = true;
    return this.o.mutual ? enc(`REP:${this.o.oid}`) : undefined;
  }
  private mac(dir: string, m: Uint8Array): Uint8Array {
    return new Uint8Array(createHmac('sha256', this.o.key ?? 'k').update(dir).update(m).digest().subarray(0, 16));
  }
  getMic(m: Uint8Array): Uint8Array {
    return this.mac(this.side, m);
  }
  verifyMic(m: Uint8Array, mic: Uint8Array): void {
    const peer = this.side === 'initiator' ? 'acceptor' : 'initiator';
    if (Buffer.compare(this.mac(peer, m), mic) !== 0) throw new SpnegoError('BAD_MIC', 'fake mech: MIC does not verify');
  }
  resetAfterMechListMic(direction: 'outgoing' | 'incoming'): void {
    this.resets.push(direction);
  }
}

export function fakeMech(o: FakeMechOptions, side: 'initiator' | 'acceptor', created: FakeContext[] = []): MechCandidate {
  return {
    oid: o.oid,
    create: () => {
      const c = new FakeContext(o, side);
      created.push(c);
      return c;
    },
  };
}
export type { FakeContext };
