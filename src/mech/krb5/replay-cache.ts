// Replay cache for AP-REQ authenticators (RFC 4120 3.2.3): an authenticator (client, server,
// ctime, cusec, and a digest of the ciphertext, as MIT 1.18+ keys it) is accepted once within
// the clock-skew window. Pluggable: a Redis-backed one lets several processes share it.
import { createHash } from 'node:crypto';

export interface ReplayCache {
  /** Records the entry; returns false if it was already present (a replay). */
  checkAndStore(entry: string, expiresAtMs: number): Promise<boolean> | boolean;
}

export function replayEntry(client: string, server: string, ctime: Date, cusec: number, authenticatorCipher: Uint8Array): string {
  const digest = createHash('sha256').update(authenticatorCipher).digest('hex').slice(0, 32);
  return `${client}|${server}|${ctime.getTime()}|${cusec}|${digest}`;
}

/** In-process cache with expiry; bounded so a flood cannot grow it without limit. */
export class MemoryReplayCache implements ReplayCache {
  private readonly entries = new Map<string, number>();
  constructor(private readonly maxEntries = 100_000, private readonly now: () => number = Date.now) {}

  checkAndStore(entry: string, expiresAtMs: number): boolean {
    const t = this.now();
    const seen = this.entries.get(entry);
    if (seen !== undefined && seen > t) return false;
    if (this.entries.size >= this.maxEntries) this.sweep(t);
    if (this.entries.size >= this.maxEntries) {
      // Still full of live entries: drop the oldest inserted (Map keeps insertion order).
      const first = this.entries.keys().next();
      if (!first.done) this.entries.delete(first.value);
    }
    this.entries.set(entry, expiresAtMs);
    return true;
  }

  private sweep(t: number): void {
    for (const [k, exp] of this.entries) if (exp <= t) this.entries.delete(k);
  }
}

/** No replay detection (replay caches off, as benchmarks and some deployments want). */
export const noReplayCache: ReplayCache = { checkAndStore: () => true };
