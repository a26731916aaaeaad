// Replay and sequence checking of received per-message tokens (RFC 2743 1.2.3, RFC 4121 4.2.3,
// RFC 1964 1.2.1.2), a sliding window like MIT's g_seqstate (lib/gssapi/generic/util_seqstate.c):
// `next` is the next expected sequence number relative to the peer's initial one, and a 64-bit map
// remembers which of the 64 numbers below `next` were seen.
//
// Outcomes and what we do with them (MIT returns all but errors as supplementary status bits
// with GSS_S_COMPLETE; this package only throws, so a caller never sees a message it must distrust):
//   in order                         -> accepted
//   a number already seen            -> DUPLICATE_TOKEN, thrown whenever replay or sequence detection is on
//   older than the 64-number window  -> OLD_TOKEN, thrown whenever replay or sequence detection is on
//                                       (a replay can no longer be ruled out)
//   later than expected (a gap)      -> GAP_TOKEN, thrown only with sequence detection
//   earlier than expected, not seen  -> UNSEQ_TOKEN, thrown only with sequence detection
// With neither option on, nothing is checked. A token that produced GAP_TOKEN or UNSEQ_TOKEN is
// still recorded as received (as MIT does), so the window resynchronises after a lost message and
// the same token presented again is a DUPLICATE_TOKEN. DUPLICATE and OLD tokens change nothing.
// Callers check a token's integrity before calling check(): an unauthenticated sequence number
// must never move the window.

import { SpnegoError } from '../../errors.js';

const WINDOW = 64n;

export interface SequenceWindowOptions {
  /** The peer's first sequence number (from the authenticator or the AP-REP). */
  readonly initial: number | bigint;
  /** Width of the wire sequence number in bits: 64 for RFC 4121 tokens, 32 for RFC 1964 ones. */
  readonly bits: 32 | 64;
  /** Reject replayed and too-old tokens. */
  readonly replayDetection: boolean;
  /** Also reject out-of-order tokens and gaps (implies the replay checks). */
  readonly sequenceDetection: boolean;
}

export type SequenceStatus = 'ok' | 'duplicate' | 'old' | 'gap' | 'unseq';

export class SequenceWindow {
  private readonly mask: bigint;
  private readonly base: bigint;
  private readonly replay: boolean;
  private readonly sequence: boolean;
  /** Next expected number, relative to base. */
  private next = 0n;
  /** Bit i set: number next-1-i was received. */
  private map = 0n;
  /** Whether next has gone round the number space (then every number behind it is a real one). */
  private wrapped = false;

  constructor(opts: SequenceWindowOptions) {
    this.mask = (1n << BigInt(opts.bits)) - 1n;
    this.base = toSeq(opts.initial, this.mask, 'initial sequence number');
    this.replay = opts.replayDetection || opts.sequenceDetection;
    this.sequence = opts.sequenceDetection;
  }

  /** Classifies `seq` and records it when it is new; does not throw. */
  classify(seq: bigint): SequenceStatus {
    const rel = (seq - this.base) & this.mask;
    if (rel === this.next) {
      this.map = ((this.map << 1n) | 1n) & ((1n << WINDOW) - 1n);
      this.advanceTo(rel);
      return 'ok';
    }
    // Is rel ahead of next (a gap) or behind it? Half the number space each way, as MIT does.
    const ahead = (rel - this.next) & this.mask;
    if (ahead < (this.mask >> 1n) + 1n) {
      const shift = ahead + 1n;
      this.map = shift >= WINDOW ? 1n : ((this.map << shift) | 1n) & ((1n << WINDOW) - 1n);
      this.advanceTo(rel);
      return 'gap';
    }
    const behind = (this.next - rel) & this.mask; // >= 1
    // Too old to tell, or before the peer's first number (never sent, so never accepted).
    if (behind > WINDOW || (!this.wrapped && behind > this.next)) return 'old';
    const bit = 1n << (behind - 1n);
    if ((this.map & bit) !== 0n) return 'duplicate';
    this.map |= bit;
    return 'unseq';
  }

  private advanceTo(rel: bigint): void {
    this.next = (rel + 1n) & this.mask;
    if (this.next === 0n) this.wrapped = true;
  }

  /** Records `seq` and throws the SpnegoError the options call for (see the file comment). */
  check(seq: bigint): void {
    if (!this.replay) return;
    const s = this.classify(seq);
    switch (s) {
      case 'ok':
        return;
      case 'duplicate':
        throw new SpnegoError('DUPLICATE_TOKEN', `token with sequence number ${seq} was already received`);
      case 'old':
        throw new SpnegoError('OLD_TOKEN', `token with sequence number ${seq} is too old to check for replay`);
      case 'gap':
        if (this.sequence) throw new SpnegoError('GAP_TOKEN', `token with sequence number ${seq} skips earlier tokens`);
        return;
      case 'unseq':
        if (this.sequence) throw new SpnegoError('UNSEQ_TOKEN', `token with sequence number ${seq} arrived out of order`);
        return;
    }
  }
}

/** A sequence number given as number or bigint, checked to be a non-negative integer that fits `mask`. */
export function toSeq(n: number | bigint, mask: bigint, what: string): bigint {
  if (typeof n === 'number' && !Number.isSafeInteger(n)) throw new SpnegoError('BAD_ARGUMENT', `${what} must be an integer`);
  const b = BigInt(n);
  if (b < 0n || b > mask) throw new SpnegoError('BAD_ARGUMENT', `${what} ${b} is out of range`);
  return b;
}
