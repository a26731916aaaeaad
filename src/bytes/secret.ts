// Comparison and erasure for secret material (keys, responses, MICs).
import { timingSafeEqual } from 'node:crypto';

/** Compares in time independent of where the inputs differ; different lengths are simply unequal. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  return timingSafeEqual(a, b);
}

/** Overwrites a buffer that held a secret. */
export function wipe(b: Uint8Array | undefined): void {
  if (b) b.fill(0);
}
