// krb5.conf as MIT krb5 (1.20) reads it: which files, how values are typed, and the compiled-in
// defaults used when a setting is absent (lib/krb5/krb/init_ctx.c, kinit, os/locate_kdc.c,
// krb/etype_list / init_ctx.c krb5int_parse_enctype_list, hostrealm_profile.c).
import { SpnegoError } from '../../../errors.js';
import { loadProfile, parseProfileText, profileNames, profileOf, profileString, profileValues } from './profile.js';
import type { Profile, ProfileFile, ProfileParseOptions } from './profile.js';

/** Where MIT looks when KRB5_CONFIG is unset (Debian/Ubuntu build). */
export const DEFAULT_KRB5_CONFIG_PATH = '/etc/krb5.conf';

/** A KDC or admin/kpasswd server address from [realms]. */
export interface KdcEndpoint {
  /** Host name or address, without brackets for IPv6. */
  readonly host: string;
  /** The port given, or the service default (88 kdc/master_kdc, 749 admin_server, 464 kpasswd_server). */
  readonly port: number;
  /** Whether the entry named the port. */
  readonly explicitPort: boolean;
  /** `tcp/` or `udp/` prefix, `https://` (MS-KKDCP proxy), or 'any'. */
  readonly transport: 'any' | 'udp' | 'tcp' | 'https';
  /** The full URL for an https entry. */
  readonly url?: string;
  /** The value as written. */
  readonly raw: string;
}

export interface Krb5RealmConfig {
  readonly kdc: readonly KdcEndpoint[];
  readonly masterKdc: readonly KdcEndpoint[];
  readonly adminServer: readonly KdcEndpoint[];
  /** kpasswd_server, or, as MIT does, the admin_server hosts on port 464 when absent. */
  readonly kpasswdServer: readonly KdcEndpoint[];
  readonly defaultDomain?: string;
}

export interface Krb5LibDefaults {
  readonly defaultRealm?: string;
  /** Default true. */
  readonly dnsLookupKdc: boolean;
  /** Default false. */
  readonly dnsLookupRealm: boolean;
  /** Bytes; messages larger than this go over TCP first. Default 1465. */
  readonly udpPreferenceLimit: number;
  /** Enctype numbers, in preference order. Default `DEFAULT`. */
  readonly permittedEnctypes: readonly number[];
  /** Default: the permitted_enctypes setting. */
  readonly defaultTktEnctypes: readonly number[];
  /** Default: the permitted_enctypes setting. */
  readonly defaultTgsEnctypes: readonly number[];
  /** Default false. */
  readonly allowWeakCrypto: boolean;
  /**
   * Seconds. Default 300. MIT 1.20 reads it as an integer (profile_get_integer): a duration such as
   * `5m` is not understood and leaves the default, so it does here too (with a warning).
   */
  readonly clockskew: number;
  /** Default false. */
  readonly forwardable: boolean;
  /** Default false. */
  readonly renewable: boolean;
  /** Default true. */
  readonly rdns: boolean;
  /** Default true. */
  readonly dnsCanonicalizeHostname: boolean | 'fallback';
  /** Seconds. Default 86400 (1 day). */
  readonly ticketLifetime: number;
  /** Seconds. Default 0 (no renewable tickets requested). */
  readonly renewLifetime: number;
  /** Default 1 (use the KDC time offset). */
  readonly kdcTimesync: number;
  /** Default 4. */
  readonly ccacheType: number;
  /** Default `FILE:/tmp/krb5cc_%{uid}` (unexpanded). */
  readonly defaultCcacheName: string;
  /** Default `FILE:/etc/krb5.keytab`. */
  readonly defaultKeytabName: string;
  /** Default `FILE:/etc/krb5/user/%{euid}/client.keytab` (the Debian/Ubuntu build's value). */
  readonly defaultClientKeytabName: string;
}

export interface Krb5Config {
  /** The files read, in precedence order. */
  readonly files: readonly string[];
  /** The raw profile, for settings without a typed view (see profileString / profileValues). */
  readonly profile: Profile;
  readonly libdefaults: Krb5LibDefaults;
  /** Every realm named under [realms] in any file. */
  readonly realms: Readonly<Record<string, Krb5RealmConfig>>;
  /** [domain_realm], first value per key. */
  readonly domainRealm: Readonly<Record<string, string>>;
  /** Ignored `module` lines, unreadable files in the path, settings with a bad value (the default was used). */
  readonly warnings: readonly string[];
}

export interface LoadKrb5ConfigOptions {
  /** Environment to read KRB5_CONFIG from (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Explicit files, in precedence order (overrides KRB5_CONFIG). */
  readonly files?: readonly string[];
  readonly parse?: ProfileParseOptions;
}

// ---- enctypes

/** MIT 1.20's names and aliases (lib/crypto/krb/etypes.c), lower case. */
const ENCTYPE_NAMES: Readonly<Record<string, number>> = {
  'des3-cbc-sha1': 16, 'des3-hmac-sha1': 16, 'des3-cbc-sha1-kd': 16,
  'aes128-cts-hmac-sha1-96': 17, 'aes128-cts': 17, 'aes128-sha1': 17,
  'aes256-cts-hmac-sha1-96': 18, 'aes256-cts': 18, 'aes256-sha1': 18,
  'aes128-cts-hmac-sha256-128': 19, 'aes128-sha2': 19,
  'aes256-cts-hmac-sha384-192': 20, 'aes256-sha2': 20,
  'arcfour-hmac': 23, 'rc4-hmac': 23, 'arcfour-hmac-md5': 23,
  'arcfour-hmac-exp': 24, 'rc4-hmac-exp': 24, 'arcfour-hmac-md5-exp': 24,
  'camellia128-cts-cmac': 25, 'camellia128-cts': 25,
  'camellia256-cts-cmac': 26, 'camellia256-cts': 26,
};
/** MIT's `DEFAULT` list. */
export const MIT_DEFAULT_ENCTYPES: readonly number[] = [18, 17, 20, 19, 16, 23, 25, 26];
/** Enctypes MIT 1.20 flags weak (single DES is gone from 1.18 on). */
const WEAK = new Set([24]);
const FAMILIES: Readonly<Record<string, readonly number[]>> = {
  des3: [16], aes: [18, 17, 20, 19], rc4: [23], camellia: [26, 25], des: [],
};

/** The enctype number of an MIT name or alias (case-insensitive), or undefined. */
export function enctypeFromName(name: string): number | undefined {
  return Object.prototype.hasOwnProperty.call(ENCTYPE_NAMES, name.toLowerCase()) ? ENCTYPE_NAMES[name.toLowerCase()] : undefined;
}

/**
 * An enctype list as krb5int_parse_enctype_list reads it: names separated by blanks or commas,
 * `DEFAULT`, families (aes, des3, rc4, camellia), `+name` to add, `-name` to remove; weak ones
 * dropped unless allowWeak; unknown names ignored; no duplicates. An empty result is returned as
 * [] (MIT reports it as KRB5_CONFIG_ETYPE_NOSUPP; the typed view adds a warning).
 */
export function parseEnctypeList(value: string, allowWeak = false, defaults: readonly number[] = MIT_DEFAULT_ENCTYPES): number[] {
  let list: number[] = [];
  for (let token of value.split(/[\s,]+/)) {
    if (token === '') continue;
    let remove = false;
    if (token.startsWith('+')) token = token.slice(1);
    else if (token.startsWith('-')) {
      remove = true;
      token = token.slice(1);
    }
    const lower = token.toLowerCase();
    let etypes: readonly number[];
    if (lower === 'default') etypes = defaults;
    else if (Object.prototype.hasOwnProperty.call(FAMILIES, lower)) etypes = FAMILIES[lower]!;
    else {
      const e = enctypeFromName(lower);
      etypes = e === undefined ? [] : [e];
    }
    for (const e of etypes) {
      if (remove) list = list.filter((x) => x !== e);
      else if (!(WEAK.has(e) && !allowWeak) && !list.includes(e)) list.push(e);
    }
  }
  return list;
}

// ---- scalar types

const TRUE = new Set(['y', 'yes', 'true', 't', '1', 'on']);
const FALSE = new Set(['n', 'no', 'false', 'nil', '0', 'off']);

/** MIT's profile boolean, or undefined when the string is none of its forms. */
export function parseProfileBoolean(s: string): boolean | undefined {
  const l = s.toLowerCase();
  if (TRUE.has(l)) return true;
  if (FALSE.has(l)) return false;
  return undefined;
}

/** MIT's profile integer (strtol base 0: decimal, 0x hex, 0 octal; trailing blanks allowed). */
export function parseProfileInteger(s: string): number | undefined {
  const t = s.trim();
  let m: RegExpExecArray | null;
  let n: number;
  if ((m = /^([+-]?)0[xX]([0-9a-fA-F]+)$/.exec(t))) n = parseInt(m[2]!, 16) * (m[1] === '-' ? -1 : 1);
  else if ((m = /^([+-]?)0([0-7]*)$/.exec(t))) n = (m[2] === '' ? 0 : parseInt(m[2]!, 8)) * (m[1] === '-' ? -1 : 1);
  else if (/^[+-]?[1-9][0-9]*$/.test(t)) n = parseInt(t, 10);
  else return undefined;
  return n >= -0x80000000 && n <= 0x7fffffff ? n : undefined;
}

/**
 * A duration as krb5_string_to_deltat (MIT 1.20) reads it, in seconds: a number (`86400`, `-5`),
 * `NdNhNmNs` units in that order, each optional, blanks allowed between them but not inside one
 * (`1d`, `5m`, `1h30m`, `1h 30m`, `1h-5m`), `h:m`, `h:m:s`, `d-h:m:s` (one or two digits after a colon,
 * not limited to 59, as MIT's). Leading blanks are skipped; anything else is undefined. (MIT itself
 * returns the leading number for some malformed strings such as `1.5h` or `1w`; those are refused here.)
 */
export function parseDuration(s: string): number | undefined {
  if (typeof s !== 'string' || s.length > 256) return undefined;
  const t = s.replace(/^[ \t]+/, '');
  let m: RegExpExecArray | null;
  let n: number | undefined;
  if (/^-?\d+$/.test(t)) n = Number(t);
  else if ((m = /^(?:(-?\d+)d)?[ \t]*(?:(-?\d+)h)?[ \t]*(?:(-?\d+)m)?[ \t]*(?:(-?\d+)s)?[ \t]*$/.exec(t)) && /[dhms]/.test(t)) {
    const [d, h, mi, se] = [m[1], m[2], m[3], m[4]].map((x) => Number(x ?? 0)) as [number, number, number, number];
    n = d * 86400 + h * 3600 + mi * 60 + se;
  } else if ((m = /^(?:(-?\d+)-)?(-?\d+):(\d{1,2})(?::(\d{1,2}))?[ \t]*$/.exec(t))) {
    if (m[1] !== undefined && m[4] === undefined) return undefined;
    n = Number(m[1] ?? 0) * 86400 + Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4] ?? 0);
  }
  return n !== undefined && n >= -0x80000000 && n <= 0x7fffffff ? n : undefined;
}

/** `host`, `host:port`, `[v6]`, `[v6]:port`, bare IPv6, with `tcp/` `udp/` prefixes or an `https://` URL. */
export function parseKdcEndpoint(raw: string, defaultPort = 88): KdcEndpoint | undefined {
  let s = raw.trim();
  if (/^https:\/\//i.test(s)) {
    let u: URL;
    try {
      u = new URL(s);
    } catch {
      return undefined;
    }
    const host = u.hostname.replace(/^\[|\]$/g, '');
    if (host === '') return undefined;
    return { host, port: u.port === '' ? 443 : Number(u.port), explicitPort: u.port !== '', transport: 'https', url: s, raw };
  }
  let transport: KdcEndpoint['transport'] = 'any';
  if (/^tcp\//i.test(s)) transport = 'tcp';
  else if (/^udp\//i.test(s)) transport = 'udp';
  if (transport !== 'any') s = s.slice(4);
  let host: string;
  let port: string | undefined;
  if (s.startsWith('[')) {
    const close = s.indexOf(']');
    if (close < 0) return undefined;
    host = s.slice(1, close);
    const after = s.slice(close + 1);
    if (after !== '') {
      if (!after.startsWith(':')) return undefined;
      port = after.slice(1);
    }
  } else {
    const first = s.indexOf(':');
    if (first >= 0 && first === s.lastIndexOf(':')) {
      host = s.slice(0, first);
      port = s.slice(first + 1);
    } else {
      host = s; // no colon, or several: an IPv6 address without a port
    }
  }
  if (host === '' || /\s/.test(host)) return undefined;
  let p = defaultPort;
  if (port !== undefined) {
    if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) return undefined;
    p = Number(port);
  }
  return { host, port: p, explicitPort: port !== undefined, transport, raw };
}

// ---- the typed view

const DEFAULTS = {
  udpPreferenceLimit: 1465,
  clockskew: 300,
  ticketLifetime: 86400,
  renewLifetime: 0,
  kdcTimesync: 1,
  ccacheType: 4,
  defaultCcacheName: 'FILE:/tmp/krb5cc_%{uid}',
  defaultKeytabName: 'FILE:/etc/krb5.keytab',
  defaultClientKeytabName: 'FILE:/etc/krb5/user/%{euid}/client.keytab',
} as const;

function libdefaults(p: Profile, warnings: string[]): Krb5LibDefaults {
  const get = (k: string): string | undefined => profileString(p, ['libdefaults', k]);
  const bool = (k: string, d: boolean): boolean => {
    const v = get(k);
    if (v === undefined) return d;
    const b = parseProfileBoolean(v);
    if (b === undefined) warnings.push(`libdefaults ${k} = ${v} is not a boolean; using ${d}`);
    return b ?? d;
  };
  const int = (k: string, d: number): number => {
    const v = get(k);
    if (v === undefined) return d;
    const n = parseProfileInteger(v);
    if (n === undefined) warnings.push(`libdefaults ${k} = ${v} is not an integer; using ${d}`);
    return n ?? d;
  };
  const dur = (k: string, d: number): number => {
    const v = get(k);
    if (v === undefined) return d;
    const n = parseDuration(v);
    if (n === undefined) warnings.push(`libdefaults ${k} = ${v} is not a duration; using ${d}`);
    return n ?? d;
  };
  const allowWeakCrypto = bool('allow_weak_crypto', false);
  const permittedStr = get('permitted_enctypes') ?? 'DEFAULT';
  const enc = (s: string): number[] => {
    const l = parseEnctypeList(s, allowWeakCrypto);
    if (l.length === 0) warnings.push(`enctype list "${s}" selects no supported enctype (MIT fails with KRB5_CONFIG_ETYPE_NOSUPP)`);
    return l;
  };
  let canon: boolean | 'fallback' = true;
  const cv = get('dns_canonicalize_hostname');
  if (cv !== undefined) {
    if (cv.toLowerCase() === 'fallback') canon = 'fallback';
    else {
      const b = parseProfileBoolean(cv);
      if (b === undefined) warnings.push(`libdefaults dns_canonicalize_hostname = ${cv} is not a boolean or fallback; using true`);
      canon = b ?? true;
    }
  }
  const defaultRealm = get('default_realm');
  const out: Krb5LibDefaults = {
    dnsLookupKdc: bool('dns_lookup_kdc', bool('dns_fallback', true)),
    dnsLookupRealm: bool('dns_lookup_realm', bool('dns_fallback', false)),
    udpPreferenceLimit: int('udp_preference_limit', DEFAULTS.udpPreferenceLimit),
    permittedEnctypes: enc(permittedStr),
    defaultTktEnctypes: enc(get('default_tkt_enctypes') ?? permittedStr),
    defaultTgsEnctypes: enc(get('default_tgs_enctypes') ?? permittedStr),
    allowWeakCrypto,
    clockskew: int('clockskew', DEFAULTS.clockskew),
    forwardable: bool('forwardable', false),
    renewable: bool('renewable', false),
    rdns: bool('rdns', true),
    dnsCanonicalizeHostname: canon,
    ticketLifetime: dur('ticket_lifetime', DEFAULTS.ticketLifetime),
    renewLifetime: dur('renew_lifetime', DEFAULTS.renewLifetime),
    kdcTimesync: int('kdc_timesync', DEFAULTS.kdcTimesync),
    ccacheType: int('ccache_type', DEFAULTS.ccacheType),
    defaultCcacheName: get('default_ccache_name') ?? DEFAULTS.defaultCcacheName,
    defaultKeytabName: get('default_keytab_name') ?? DEFAULTS.defaultKeytabName,
    defaultClientKeytabName: get('default_client_keytab_name') ?? DEFAULTS.defaultClientKeytabName,
  };
  return defaultRealm === undefined ? out : { ...out, defaultRealm };
}

function endpoints(p: Profile, realm: string, key: string, port: number, warnings: string[]): KdcEndpoint[] {
  const out: KdcEndpoint[] = [];
  for (const v of profileValues(p, ['realms', realm, key])) {
    // MIT cuts a value at the first blank or comma (locate_srv_conf_1) and ignores the rest.
    const part = v.trim().split(/[\s,]/)[0] ?? '';
    const e = parseKdcEndpoint(part, port);
    if (e) out.push(e);
    else warnings.push(`realms ${realm} ${key} = ${v} is not host[:port]; skipped`);
  }
  return out;
}

function realmConfig(p: Profile, realm: string, warnings: string[]): Krb5RealmConfig {
  const adminServer = endpoints(p, realm, 'admin_server', 749, warnings);
  let kpasswdServer = endpoints(p, realm, 'kpasswd_server', 464, warnings);
  if (kpasswdServer.length === 0) {
    kpasswdServer = adminServer.map((a) => ({ host: a.host, port: 464, explicitPort: false, transport: a.transport, raw: a.raw }));
  }
  const out: Krb5RealmConfig = {
    kdc: endpoints(p, realm, 'kdc', 88, warnings),
    masterKdc: endpoints(p, realm, 'master_kdc', 88, warnings),
    adminServer,
    kpasswdServer,
  };
  const defaultDomain = profileString(p, ['realms', realm, 'default_domain']);
  return defaultDomain === undefined ? out : { ...out, defaultDomain };
}

/** The typed view of an already-loaded profile. */
export function krb5ConfigFromProfile(profile: Profile): Krb5Config {
  const warnings = [...profile.warnings];
  const realms: Record<string, Krb5RealmConfig> = Object.create(null) as Record<string, Krb5RealmConfig>;
  for (const r of profileNames(profile, ['realms'], 'sections')) realms[r] = realmConfig(profile, r, warnings);
  const domainRealm: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const k of profileNames(profile, ['domain_realm'], 'relations')) {
    const v = profileString(profile, ['domain_realm', k]);
    if (v !== undefined) domainRealm[k] = v;
  }
  return {
    files: profile.files.map((f) => f.path),
    profile,
    libdefaults: libdefaults(profile, warnings),
    realms,
    domainRealm,
    warnings,
  };
}

/**
 * Reads krb5.conf the way MIT does: `files` if given, else KRB5_CONFIG (a colon-separated list,
 * earlier files take precedence), else /etc/krb5.conf. Missing files are skipped; a malformed
 * file is a SpnegoError (DECODE_BAD_VALUE / DECODE_LIMIT, with file:line).
 */
export function loadKrb5Config(options: LoadKrb5ConfigOptions = {}): Krb5Config {
  const env = options.env ?? process.env;
  let files = options.files;
  if (!files) {
    const v = env['KRB5_CONFIG'];
    files = v === undefined ? [DEFAULT_KRB5_CONFIG_PATH] : v.split(':').filter((s) => s !== '');
  }
  return krb5ConfigFromProfile(loadProfile(files, options.parse));
}

/** The typed view of config texts given in precedence order (name is used in messages and includes are followed). */
export function parseKrb5Config(texts: readonly (string | { readonly name: string; readonly text: string })[], parse?: ProfileParseOptions): Krb5Config {
  const warnings: string[] = [];
  const files: ProfileFile[] = texts.map((t, i) => typeof t === 'string'
    ? parseProfileText(t, `<config ${i}>`, parse, warnings)
    : parseProfileText(t.text, t.name, parse, warnings));
  return krb5ConfigFromProfile(profileOf(files, warnings));
}

function isNumericAddress(h: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(h) || (h.includes(':') && /^[0-9a-fA-F:.]+$/.test(h));
}

export interface RealmForHostOptions {
  /**
   * When nothing in [domain_realm] matches, return MIT's fallback realm (krb5_get_fallback_host_realm):
   * the host's parent domain in upper case, or default_realm for a single-label name. Default false:
   * undefined, for which MIT uses the referral (empty) realm and asks the client's KDC.
   */
  readonly fallback?: boolean;
}

/**
 * The [domain_realm] realm for a host as MIT's profile module finds it: the host (lower-cased, a
 * trailing dot removed) is tried, then `.parent`, `parent`, `.grandparent`, ... and the first key
 * present wins (so `.example.com` matches hosts below example.com but not example.com itself, and
 * `example.com` matches example.com and, failing a more specific entry, the hosts below it).
 * IP addresses are never mapped.
 */
export function realmForHost(cfg: Krb5Config, host: string, options: RealmForHostOptions = {}): string | undefined {
  if (typeof host !== 'string') throw new SpnegoError('BAD_ARGUMENT', 'host must be a string');
  let h = host.toLowerCase();
  if (h.endsWith('.')) h = h.slice(0, -1);
  if (h === '' || isNumericAddress(h)) return undefined;
  for (let p: string | undefined = h; p !== undefined && p !== ''; ) {
    const r = profileString(cfg.profile, ['domain_realm', p]);
    if (r !== undefined) return r;
    if (p.startsWith('.')) p = p.slice(1);
    else {
      const dot = p.indexOf('.');
      p = dot < 0 ? undefined : p.slice(dot);
    }
  }
  if (!options.fallback) return undefined;
  const dot = h.indexOf('.');
  if (dot < 0 || dot === h.length - 1) return cfg.libdefaults.defaultRealm;
  return h.slice(dot + 1).toUpperCase();
}

/** The [realms] kdc entries for a realm, in order (empty: MIT would try DNS SRV when dns_lookup_kdc). */
export function kdcsForRealm(cfg: Krb5Config, realm: string): readonly KdcEndpoint[] {
  return Object.prototype.hasOwnProperty.call(cfg.realms, realm) ? cfg.realms[realm]!.kdc : [];
}
