// The Kerberos client a user points at the realm they already have: krb5.conf (KRB5_CONFIG),
// KDCs from the config or DNS SRV, TGTs with a password or a keytab, service tickets for
// `service@host` names with an in-memory ticket cache in front of the TGS, and renewal.
import { promises as dns } from 'node:dns';
import { SpnegoError } from '../../errors.js';
import { loadKrb5Config, kdcsForRealm, realmForHost, type Krb5Config } from './config/index.js';
import { KdcTransport, locateKdcsByDns, type KdcAddress, type NetworkIO } from './transport.js';
import { asExchange } from './as.js';
import { tgsExchange } from './tgs.js';
import { hostBasedService, parsePrincipal, formatPrincipal, type Principal } from './principal.js';
import { isExpired, type Credential } from './credential.js';
import { readKeytab } from './ccache-store.js';
import { supportedEnctypes } from '../../crypto/krb5/registry.js';

const PRUNE_AT = 64;
const MAX_CACHED_TICKETS = 1024;

export interface Krb5ClientOptions {
  readonly config?: Krb5Config;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly network?: NetworkIO;
  readonly now?: () => Date;
  /** Per KDC attempt (UDP, then TCP), in ms; default 1000 (KdcTransport). */
  readonly timeoutMs?: number;
}

export interface TgtOptions {
  readonly lifetimeSeconds?: number;
  readonly renewLifetimeSeconds?: number;
  readonly forwardable?: boolean;
  readonly canonicalize?: boolean;
  readonly enterprise?: boolean;
}

export class Krb5Client {
  readonly config: Krb5Config;
  private readonly transport: KdcTransport;
  private readonly tickets = new Map<string, Credential>();
  private readonly now: () => Date;

  constructor(o: Krb5ClientOptions = {}) {
    this.config = o.config ?? loadKrb5Config(o.env ? { env: o.env } : {});
    this.now = o.now ?? (() => new Date());
    this.transport = new KdcTransport({
      locate: (realm) => this.locate(realm),
      udpPreferenceLimit: this.config.libdefaults.udpPreferenceLimit,
      ...(o.network ? { network: o.network } : {}),
      ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
    });
  }

  get defaultRealm(): string | undefined {
    return this.config.libdefaults.defaultRealm;
  }

  /** KDCs from [realms] (tcp/udp prefixes honoured), else DNS SRV when dns_lookup_kdc allows. */
  async locate(realm: string): Promise<KdcAddress[]> {
    const configured = kdcsForRealm(this.config, realm).filter((k) => k.transport !== 'https');
    if (configured.length > 0) return configured.map((k) => ({ host: k.host, port: k.port, ...(k.transport === 'udp' || k.transport === 'tcp' ? { protocol: k.transport } : {}) }));
    return this.config.libdefaults.dnsLookupKdc ? locateKdcsByDns(realm) : [];
  }

  /** krb5.conf's list, less what we refuse: rc4-hmac unless allow_weak_crypto (or the caller's allowWeakCrypto). */
  private enctypes(kind: 'tkt' | 'tgs', allowWeakCrypto = this.config.libdefaults.allowWeakCrypto): number[] {
    const ours = new Set(supportedEnctypes({ allowWeakCrypto }));
    const cfg = kind === 'tkt' ? this.config.libdefaults.defaultTktEnctypes : this.config.libdefaults.defaultTgsEnctypes;
    const list = cfg.filter((e) => ours.has(e));
    return list.length > 0 ? list : [...ours];
  }

  parsePrincipal(s: string): Principal {
    return parsePrincipal(s, this.defaultRealm);
  }

  private tgtOpts(o: TgtOptions) {
    const d = this.config.libdefaults;
    const renew = o.renewLifetimeSeconds ?? (d.renewable ? d.renewLifetime : 0);
    return {
      kdc: this.transport,
      enctypes: this.enctypes('tkt'),
      lifetimeSeconds: o.lifetimeSeconds ?? d.ticketLifetime,
      ...(renew > 0 ? { renewLifetimeSeconds: renew } : {}),
      forwardable: o.forwardable ?? d.forwardable,
      ...(o.canonicalize ? { canonicalize: true } : {}),
      ...(o.enterprise ? { enterprise: true } : {}),
      allowWeakCrypto: d.allowWeakCrypto,
      now: this.now,
      timeSync: d.kdcTimesync !== 0,
    };
  }

  /** A TGT with a password; a function is asked only once the KDC knows the client (as MIT's kinit prompts). */
  async tgtWithPassword(client: Principal, password: string | (() => Promise<string>), o: TgtOptions = {}): Promise<Credential> {
    return asExchange({ client, password, ...this.tgtOpts(o) });
  }

  /** A TGT with the client's keys from a keytab (kinit -k): the newest kvno of each enctype. */
  async tgtWithKeytab(client: Principal, keytabName: string, o: TgtOptions = {}): Promise<Credential> {
    const want = formatPrincipal(client);
    const entries = readKeytab(keytabName).filter((e) => `${e.principal.components.join('/')}@${e.principal.realm}` === want);
    if (entries.length === 0) throw new SpnegoError('NO_CRED', `no keys for ${want} in keytab ${keytabName}`);
    const newest = new Map<number, { kvno: number; key: { enctype: number; value: Uint8Array } }>();
    for (const e of entries) {
      const cur = newest.get(e.key.keytype);
      if (!cur || e.kvno > cur.kvno) newest.set(e.key.keytype, { kvno: e.kvno, key: { enctype: e.key.keytype, value: e.key.keyvalue } });
    }
    // As MIT (sort_enctypes in krb5_init_creds_set_keytab): the enctypes we hold keys for go first,
    // so that the KDC does not pick one the keytab lacks (the AS-REP would then not decrypt).
    const opts = this.tgtOpts(o);
    const enctypes = [...opts.enctypes.filter((e) => newest.has(e)), ...opts.enctypes.filter((e) => !newest.has(e))];
    return asExchange({ client, keys: [...newest.values()].map((v) => v.key), ...opts, enctypes });
  }

  /**
   * The service principal for `service@host`: the host is canonicalized as krb5.conf says
   * (dns_canonicalize_hostname: CNAME chain; false: as given), its realm from [domain_realm],
   * else the client's realm (the KDC may then refer us elsewhere).
   */
  async servicePrincipal(target: string, clientRealm: string): Promise<Principal> {
    const at = target.indexOf('@');
    let host = at < 0 ? 'localhost' : target.slice(at + 1).toLowerCase();
    if (this.config.libdefaults.dnsCanonicalizeHostname !== false && host.includes('.')) {
      try {
        const c = await dns.resolveCname(host);
        if (c[0]) host = c[0].toLowerCase();
      } catch {
        // No CNAME (or no DNS): keep the name, as MIT's fallback does.
      }
    }
    const realm = realmForHost(this.config, host) ?? clientRealm;
    return hostBasedService(`${at < 0 ? target : target.slice(0, at)}@${host}`, realm);
  }

  /** A service ticket from the in-memory cache, or a TGS exchange with `tgt`. */
  async serviceTicket(tgt: Credential, server: Principal, o: { forwardable?: boolean; allowWeakCrypto?: boolean } = {}): Promise<Credential> {
    const weak = this.config.libdefaults.allowWeakCrypto || o.allowWeakCrypto === true;
    const key = `${formatPrincipal(tgt.client)} ${formatPrincipal(server)}${weak ? ' weak' : ''}`;
    const cached = this.tickets.get(key);
    if (cached && !isExpired(cached, this.now(), 60)) return cached;
    const cred = await tgsExchange({ tgt, server, kdc: this.transport, enctypes: this.enctypes('tgs', weak), forwardable: o.forwardable ?? false, allowWeakCrypto: weak, now: this.now, config: this.config });
    this.tickets.delete(key);
    this.tickets.set(key, cred);
    this.pruneTickets();
    return cred;
  }

  private pruneTickets(): void {
    pruneTicketCache(this.tickets, this.now());
  }

  /** A forwarded TGT to delegate to a service (the TGT must be forwardable: kinit -f). */
  async forwardedTgt(tgt: Credential): Promise<Credential> {
    return tgsExchange({ tgt, server: tgt.server, kdc: this.transport, enctypes: this.enctypes('tgs'), forwarded: true, canonicalize: false, allowWeakCrypto: this.config.libdefaults.allowWeakCrypto, now: this.now });
  }

  /** kinit -R: a fresh TGT from a renewable one before its renew-till. */
  async renew(tgt: Credential): Promise<Credential> {
    if (!tgt.renewTill || tgt.renewTill.getTime() <= this.now().getTime()) throw new SpnegoError('CREDENTIALS_EXPIRED', 'the ticket is not renewable (or its renew-till has passed)');
    return tgsExchange({ tgt, server: tgt.server, kdc: this.transport, enctypes: this.enctypes('tgs'), renew: true, allowWeakCrypto: this.config.libdefaults.allowWeakCrypto, now: this.now });
  }
}

/**
 * Keeps an in-memory ticket cache bounded (a long-lived client used to keep every service ticket
 * it ever fetched): past `pruneAt` entries the expired ones go, and past `max` the least recently
 * fetched ones too (the map's insertion order: serviceTicket re-inserts what it fetches).
 */
export function pruneTicketCache(tickets: Map<string, Credential>, now: Date, pruneAt = PRUNE_AT, max = MAX_CACHED_TICKETS): void {
  if (tickets.size <= pruneAt) return;
  for (const [k, c] of tickets) if (isExpired(c, now)) tickets.delete(k);
  for (const k of tickets.keys()) {
    if (tickets.size <= max) break;
    tickets.delete(k);
  }
}
