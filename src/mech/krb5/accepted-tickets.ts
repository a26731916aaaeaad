// Decrypted service tickets, shared by the acceptors that use one service key. A client reuses
// its service ticket for every new connection (curl, browsers and MIT's gss_init_sec_context all
// take it from the ccache), so an HTTP server meets the same ticket again and again. The
// ticket's ciphertext is integrity-protected under the service key (RFC 3961: a changed byte
// fails the checksum), so the same bytes always decrypt to the same EncTicketPart; keeping it
// saves the decryption, the decode and, since the session key is then the same object, the key
// derivations for the authenticator and the AP-REP. Every per-AP-REQ check (ticket times,
// authenticator, replay cache) still runs on each use. Bounded per key, least recently used
// first out; an entry goes when its ticket has ended.
import { bytesEqual } from '../../bytes/encoding.js';
import type { EncTicketPart } from '../../codec/krb5/enc-ticket-part.js';

const MAX_TICKETS_PER_KEY = 1024;

interface Entry {
  readonly cipher: Uint8Array;
  readonly part: EncTicketPart;
}

const byServiceKey = new WeakMap<Uint8Array, Map<string, Entry>>();

/** The ticket's EncTicketPart: from the cache when this exact ciphertext was decrypted before. */
export function acceptedTicket(serviceKey: Uint8Array, cipher: Uint8Array, now: Date, decrypt: () => EncTicketPart): EncTicketPart {
  let cache = byServiceKey.get(serviceKey);
  if (cache === undefined) {
    cache = new Map();
    byServiceKey.set(serviceKey, cache);
  }
  // The trailing 16 bytes hold the checksum (12 for aes-sha1, 16 or 24 for aes-sha2): a
  // well-spread lookup key; the whole ciphertext is compared before an entry is used.
  const id = `${cipher.length}:${Buffer.from(cipher.buffer, cipher.byteOffset + Math.max(0, cipher.length - 16), Math.min(16, cipher.length)).toString('latin1')}`;
  const hit = cache.get(id);
  if (hit !== undefined && bytesEqual(hit.cipher, cipher)) {
    cache.delete(id);
    if (hit.part.endtime.getTime() > now.getTime()) {
      cache.set(id, hit);
      return hit.part;
    }
  }
  const part = decrypt();
  if (part.endtime.getTime() > now.getTime()) {
    cache.set(id, { cipher: cipher.slice(), part });
    if (cache.size > MAX_TICKETS_PER_KEY) cache.delete(cache.keys().next().value!);
  }
  return part;
}
