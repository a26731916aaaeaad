// Replay cache for AP-REQ authenticators (RFC 4120 3.2.3): an authenticator (client, server,
// ctime, cusec, and the ciphertext, as MIT 1.18+ keys it) is accepted once within the clock-skew
// window. Pluggable: a Redis-backed one lets several processes share it.
import { createHash } from 'node:crypto';
import { SpnegoError } from '../../errors.js';

export interface ReplayCache {
  /** Records the entry; returns false if it was already present (a replay). */
  checkAndStore(entry: string, expiresAtMs: number): Promise<boolean> | boolean;
}

/**
 * The cache key of an authenticator: SHA-256 over the client, the server, ctime, cusec and the
 * authenticator ciphertext, as a 32-character latin1 string (one byte per character). Fixed size
 * (a 48-byte string in V8, where the readable form with its parts cost hundreds of bytes per
 * entry), made straight from the digest with no Buffer in between, and what the Redis cache stores
 * too (binary-safe there). SHA-256 keeps anyone from making two authenticators share a key.
 */
export function replayEntry(client: string, server: string, ctime: Date, cusec: number, authenticatorCipher: Uint8Array): string {
  // Length-prefixed names, so no two (client, server) pairs hash the same input.
  return createHash('sha256')
    .update(`${client.length}:${client}|${server.length}:${server}|${ctime.getTime()}|${cusec}|`)
    .update(authenticatorCipher)
    .digest('binary'); // latin1
}

/** MemoryReplayCache's default capacity: about 85 MB when full, at the ~85 bytes per entry measured on Node 20 x64 (key, expiry and map slot). */
export const DEFAULT_REPLAY_CACHE_ENTRIES = 1_000_000;

/**
 * In-process cache. Entries are kept until their expiry and dropped from the front of the
 * insertion-ordered map, which is nearly expiry order (the acceptor stores the authenticator time
 * + the skew, and clients' clocks agree to the second or so), so a check is O(1) and allocates
 * nothing but the map slot; an entry behind a later-expiring one waits for it, or for a full sweep.
 * Bounded: when `maxEntries` live entries are held (a flood, or more handshakes per skew window
 * than the cap allows), a new authenticator is refused with UNAVAILABLE rather than by evicting a
 * live entry, which would let that one be replayed. Size the cap for handshakes/s x skew.
 */
export class MemoryReplayCache implements ReplayCache {
  /** key -> expiry in whole seconds after `base`, rounded up: a small integer (no boxed double per entry). */
  private readonly entries = new Map<string, number>();
  private readonly base: number;
  /** Expiry of the first entry in insertion order (-Infinity: unknown, look; Infinity: empty). */
  private front = Infinity;
  /** Largest expiry inserted; entries inserted below it are out of expiry order. */
  private tail = -Infinity;
  /** Entries inserted out of expiry order since the last full sweep (other windows, a clock step). */
  private disordered = 0;
  /** The earliest expiry among out-of-order entries (seconds after `base`): a full sweep before it frees nothing. */
  private nextFullSweep = Infinity;

  constructor(
    private readonly maxEntries = DEFAULT_REPLAY_CACHE_ENTRIES,
    private readonly now: () => number = Date.now,
  ) {
    this.base = now();
  }

  /** Live entries plus expired ones not yet dropped. */
  get size(): number {
    return this.entries.size;
  }

  checkAndStore(entry: string, expiresAtMs: number): boolean {
    const t = (this.now() - this.base) / 1000;
    const m = this.entries;
    const seen = m.get(entry);
    if (seen !== undefined) {
      if (seen > t) return false;
      m.delete(entry); // expired: stored again below, at the tail (were it the front, front <= t already)
    }
    if (this.front <= t) this.sweepFront(t);
    if (m.size >= this.maxEntries) {
      if (this.disordered > 0 && this.nextFullSweep <= t) this.sweepAll(t);
      if (m.size >= this.maxEntries) {
        throw new SpnegoError('UNAVAILABLE', `the replay cache holds ${m.size} live authenticators (its limit): refusing rather than forgetting one`);
      }
    }
    const exp = Math.ceil((expiresAtMs - this.base) / 1000) + 0; // + 0: never -0, which V8 would box
    if (exp < this.tail) {
      this.disordered++;
      if (exp < this.nextFullSweep) this.nextFullSweep = exp;
    } else {
      this.tail = exp;
    }
    if (m.size === 0) this.front = exp;
    m.set(entry, exp);
    return true;
  }

  /** Drops expired entries from the front, up to the first live one. */
  private sweepFront(t: number): void {
    const m = this.entries;
    for (const [k, exp] of m) {
      if (exp > t) {
        this.front = exp;
        return;
      }
      m.delete(k);
    }
    this.front = Infinity;
    this.tail = -Infinity;
    this.disordered = 0;
    this.nextFullSweep = Infinity;
  }

  /** Drops every expired entry (only when full with entries out of order), and re-learns the order. */
  private sweepAll(t: number): void {
    const m = this.entries;
    let tail = -Infinity;
    let disordered = 0;
    let next = Infinity;
    for (const [k, exp] of m) {
      if (exp <= t) {
        m.delete(k);
        continue;
      }
      if (exp < tail) {
        disordered++;
        if (exp < next) next = exp;
      } else {
        tail = exp;
      }
    }
    this.tail = tail;
    this.disordered = disordered;
    this.nextFullSweep = next;
    this.front = m.size === 0 ? Infinity : -Infinity;
  }
}

/** No replay detection (replay caches off, as benchmarks and some deployments want). */
export const noReplayCache: ReplayCache = { checkAndStore: () => true };
