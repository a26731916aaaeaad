// Where a Kerberos initiator's tickets come from, in the order a user of kinit/curl expects:
// the credential cache (KRB5CCNAME or `ccache`), else a keytab for the user, else the password
// (an AS exchange in memory, as pyspnego does). The service ticket comes from the cache when it
// holds a valid one, else from a TGS exchange, and is stored back in a FILE cache.
import { existsSync } from 'node:fs';
import { SpnegoError } from '../errors.js';
import { Krb5Client } from '../mech/krb5/client.js';
import { readCcache, appendToCcache, ccachePath, defaultCcacheName } from '../mech/krb5/ccache-store.js';
import { isExpired, type Credential } from '../mech/krb5/credential.js';
import { formatPrincipal, samePrincipal, tgsPrincipal } from '../mech/krb5/principal.js';
import { makeKrbCred } from '../mech/krb5/delegation.js';
import { cachedParse } from '../mech/file-cache.js';

export interface Krb5CredentialSource {
  readonly username?: string;
  readonly password?: string;
  /** A FILE credential cache name; default KRB5CCNAME, then MIT's default path. */
  readonly ccache?: string;
  /** A keytab holding the user's keys (kinit -k). */
  readonly keytab?: string;
}

function cacheName(src: Krb5CredentialSource, client?: Krb5Client): string {
  return src.ccache ?? defaultCcacheName(process.env, client?.config.libdefaults.defaultCcacheName);
}

/** Cheap, synchronous: might Kerberos work with these credentials? (Decides the mech list.) */
export function mayHaveKerberos(src: Krb5CredentialSource): boolean {
  if (src.keytab) return true;
  if (src.password !== undefined && src.username?.includes('@')) return true;
  try {
    return existsSync(ccachePath(src.ccache ?? defaultCcacheName()));
  } catch {
    return false;
  }
}

/** The service ticket for `target`, and with `delegate` a KRB-CRED of a forwarded TGT for it. */
export async function serviceTicketFor(client: Krb5Client, src: Krb5CredentialSource, target: string, now = new Date(), delegate = false, allowWeakCrypto = false): Promise<{ ticket: Credential; delegation?: Uint8Array }> {
  const r = await ticketAndTgt(client, src, target, now, allowWeakCrypto);
  if (!delegate) return { ticket: r.ticket };
  if (!r.tgt) throw new SpnegoError('NO_CRED', 'delegation needs a TGT, and the cache holds only a service ticket');
  const fwd = await client.forwardedTgt(r.tgt);
  return { ticket: r.ticket, delegation: makeKrbCred(fwd, r.ticket.sessionKey) };
}

async function ticketAndTgt(client: Krb5Client, src: Krb5CredentialSource, target: string, now: Date, allowWeakCrypto: boolean): Promise<{ ticket: Credential; tgt?: Credential }> {
  let tgt: Credential | undefined;
  let fromCache = false;
  const name = cacheName(src, client);
  if (!src.password && !src.keytab) {
    const cache = cachedParse('ccache', ccachePath(name), () => readCcache(name));
    fromCache = true;
    const server = await client.servicePrincipal(target, cache.defaultPrincipal.realm);
    tgt = cache.credentials.find((c) => samePrincipal(c.server.name, tgsPrincipal(cache.defaultPrincipal.realm).name) && c.server.realm === cache.defaultPrincipal.realm && !isExpired(c, now, 60));
    // MIT files a ticket got by referral under the referral (empty) realm: "HTTP/host@".
    const svc = cache.credentials.find((c) => samePrincipal(c.server.name, server.name) && (c.server.realm === server.realm || c.server.realm === '') && !isExpired(c, now, 60));
    if (svc) return { ticket: svc, ...(tgt ? { tgt } : {}) };
    if (!tgt) throw new SpnegoError('CREDENTIALS_EXPIRED', `no valid TGT for ${formatPrincipal(cache.defaultPrincipal)} in ${name} (run kinit)`);
  } else {
    if (!src.username) throw new SpnegoError('NO_CRED', 'a Kerberos password or keytab needs a user name');
    const principal = client.parsePrincipal(src.username);
    tgt = src.keytab ? await client.tgtWithKeytab(principal, src.keytab) : await client.tgtWithPassword(principal, src.password!);
  }
  const server = await client.servicePrincipal(target, tgt.client.realm);
  const svc = await client.serviceTicket(tgt, server, { allowWeakCrypto });
  if (fromCache) {
    try {
      // As MIT's gss_init_sec_context does; a ticket from another realm than asked (a referral)
      // under the referral realm, as MIT files it, so that MIT's tools find it too.
      appendToCcache(name, [svc.server.realm === server.realm ? svc : { ...svc, server: { ...server, realm: '' } }]);
    } catch {
      // A read-only cache is fine: the ticket is still used.
    }
  }
  return { ticket: svc, tgt };
}
