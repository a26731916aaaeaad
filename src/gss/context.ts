// The public context API (design guide "The public surface"): initiator({...}) / acceptor({...})
// return a SecurityContext with step(), complete, mech, peerName and per-message operations.
// Mechanisms: 'negotiate' (SPNEGO over the mechs the credentials allow: Kerberos first when
// Kerberos credentials exist, then NTLM), 'kerberos' (raw RFC 4121), 'ntlm' (raw NTLMSSP).
import { hostname } from 'node:os';
import { SpnegoError } from '../errors.js';
import { OID, oidName } from '../iana/oids.js';
import { NtlmInitiator } from '../mech/ntlm/initiator.js';
import { NtlmAcceptor, type NtlmAcceptorOptions } from '../mech/ntlm/acceptor.js';
import { MemoryNtHashStore, NtlmUserFileStore, type NtHashStore } from '../mech/ntlm/store.js';
import type { NtlmVerifier } from '../mech/ntlm/verifier.js';
import { gssChannelBindingsHash, type GssChannelBindings } from '../mech/ntlm/bindings.js';
import { SpnegoInitiator } from '../spnego/initiator.js';
import { SpnegoAcceptor } from '../spnego/acceptor.js';
import { ntlmAcceptorMech, ntlmContextOf, ntlmInitiatorMech } from '../spnego/ntlm.js';
import { krb5AcceptorMech, krb5ContextOf, krb5InitiatorMech } from '../spnego/krb5.js';
import { Krb5Initiator } from '../mech/krb5/gss-initiator.js';
import { Krb5Acceptor } from '../mech/krb5/gss-acceptor.js';
import { Krb5Client } from '../mech/krb5/client.js';
import { parsePrincipal } from '../mech/krb5/principal.js';
import type { ServiceKey } from '../mech/krb5/credential.js';
import type { ReplayCache } from '../mech/krb5/replay-cache.js';
import { keytabPath, readKeytab, serviceKeysFromKeytab, writeCcache } from '../mech/krb5/ccache-store.js';
import { cachedParse } from '../mech/file-cache.js';
import { keytabCodec, keytabEntries } from '../codec/krb5-files/keytab.js';
import { mayHaveKerberos, serviceTicketFor } from './krb5-credential.js';

export type MechName = 'negotiate' | 'ntlm' | 'kerberos';

export interface InitiatorCredential {
  /** `DOMAIN\\user`, `user@domain` (also a Kerberos principal) or `user`. */
  readonly username?: string;
  readonly password?: string;
  /** The NT hash (NTOWFv1) instead of a password (NTLM only). */
  readonly ntHash?: Uint8Array;
  /** Kerberos: a FILE credential cache (default KRB5CCNAME, then MIT's default). */
  readonly ccache?: string;
  /** Kerberos: a keytab with the user's keys. */
  readonly keytab?: string;
}

export interface InitiatorOptions {
  readonly mech?: MechName;
  /** Host-based service name, `service@host` (e.g. `HTTP@web.example.test`). */
  readonly target?: string;
  readonly credential: InitiatorCredential;
  /** Channel bindings (e.g. tlsServerEndPointBindings(cert)); NTLM puts their MD5 in MsvAvChannelBindings. */
  readonly channelBindings?: GssChannelBindings;
  /** Allow NTLMv1/LM and other weak crypto (off by default). */
  readonly allowWeakCrypto?: boolean;
  /** Forbid NTLM inside Negotiate (Kerberos only), as users ask for. */
  readonly forbidNtlm?: boolean;
  /** Mechanism order inside Negotiate (default Kerberos, then NTLM). */
  readonly order?: readonly ('kerberos' | 'ntlm')[];
  /** Kerberos mutual authentication (default true). */
  readonly mutual?: boolean;
  /** Delegate a forwarded TGT to the service (GSS_C_DELEG_FLAG; needs a forwardable TGT: kinit -f). */
  readonly delegate?: boolean;
  /** The Kerberos client (krb5.conf, KDCs); default one built from KRB5_CONFIG. */
  readonly krb5Client?: Krb5Client;
}

export interface AcceptorOptions {
  readonly mech?: MechName;
  readonly credential: {
    /** NTLM users: a gss-ntlmssp NTLM_USER_FILE path, a `{ 'DOMAIN\\user': password }` map, or a store. */
    readonly ntlmUsers?: string | Readonly<Record<string, string | { ntHash: Uint8Array }>> | NtHashStore;
    /**
     * NTLM users checked by someone who knows their passwords instead of a hash store: for a
     * Windows or Samba domain, `new NtlmAuthVerifier({ args: ['--configfile=/etc/samba/smb.conf'] })`
     * asks Samba's ntlm_auth (winbind) on each logon.
     */
    readonly ntlmVerifier?: NtlmVerifier;
    /** Kerberos service keys: a keytab path (`FILE:` allowed), its bytes, or keys. Default KRB5_KTNAME when set. */
    readonly keytab?: string | Uint8Array | readonly ServiceKey[];
    /** Accept tickets for this principal only (default: any principal in the keytab). */
    readonly principal?: string;
  };
  /** Kerberos replay cache (default: one in-memory cache per process). */
  readonly replayCache?: ReplayCache;
  readonly clockSkewSeconds?: number;
  /** Accept rc4-hmac Kerberos tickets and contexts (RFC 4757 keys, RFC 1964 tokens); off by default. */
  readonly allowWeakCrypto?: boolean;
  /** The names the NTLM CHALLENGE announces (default: WORKGROUP and this host). */
  readonly ntlm?: Partial<Pick<NtlmAcceptorOptions, 'netbiosDomain' | 'netbiosComputer' | 'dnsDomain' | 'dnsComputer' | 'clockSkewSeconds'>>;
  readonly channelBindings?: GssChannelBindings;
}

export interface PeerName {
  readonly user: string;
  /** NTLM domain, or the Kerberos realm. */
  readonly domain: string;
  /** `DOMAIN\\user` (NTLM) or `user@REALM` (Kerberos). */
  readonly principal?: string;
  readonly realm?: string;
  /** Active Directory group SIDs from the ticket's PAC (Kerberos from an AD KDC). */
  readonly groupSids?: readonly string[];
  /** The user's SID from the PAC. */
  readonly sid?: string;
  /** The UPN from the PAC. */
  readonly upn?: string;
}

export interface SecurityContext {
  step(input?: Uint8Array): Promise<Uint8Array | undefined>;
  readonly complete: boolean;
  /** The mechanism in use: `ntlm` (and later `kerberos`), once known. */
  readonly mech: string | undefined;
  /** The authenticated initiator (acceptor side). */
  readonly peerName: PeerName | undefined;
  wrap(message: Uint8Array, opts?: { encrypt?: boolean }): Uint8Array;
  unwrap(token: Uint8Array): Uint8Array;
  getMic(message: Uint8Array): Uint8Array;
  verifyMic(message: Uint8Array, mic: Uint8Array): void;
  /**
   * Negotiate initiator: the mechanisms left out of the offer because they could not start, and
   * why (Kerberos without a ticket or with a KDC error, before NTLM took over).
   */
  readonly skippedMechs?: readonly { readonly mech: string; readonly code: string; readonly message: string }[];
  /**
   * Acceptor: writes the credentials the initiator delegated (a forwarded TGT) to a FILE ccache
   * the application can use (KRB5CCNAME=FILE:path); returns its path, or undefined when none.
   */
  storeDelegated?(ccacheName: string): string | undefined;
}

/** `HTTP@host` (GSS host-based service) to the SPN form NTLM's MsvAvTargetName uses, `HTTP/host`. */
export function targetToSpn(target: string): string {
  const at = target.indexOf('@');
  return at < 0 ? target : `${target.slice(0, at)}/${target.slice(at + 1)}`;
}

function mechLabel(oid: string | undefined): string | undefined {
  if (oid === undefined) return undefined;
  return oid === OID.NTLMSSP ? 'ntlm' : oid === OID.KRB5 || oid === OID.MS_KRB5 ? 'kerberos' : (oidName(oid) ?? oid);
}

function store(u: AcceptorOptions['credential']['ntlmUsers']): NtHashStore {
  if (u === undefined) return new NtlmUserFileStore(); // NTLM_USER_FILE, as gss-ntlmssp
  if (typeof u === 'string') return new NtlmUserFileStore(u);
  if (typeof (u as NtHashStore).lookup === 'function') return u as NtHashStore;
  return new MemoryNtHashStore(u as Readonly<Record<string, string | { ntHash: Uint8Array }>>);
}

function storeDelegated(k: Krb5Initiator | Krb5Acceptor | undefined, name: string): string | undefined {
  if (!(k instanceof Krb5Acceptor)) return undefined;
  const creds = k.delegatedCredentials();
  if (!creds || creds.length === 0) return undefined;
  return writeCcache(name, creds[0]!.client, creds);
}

/** A byte argument from a caller who may not be using TypeScript: a string would be read as zeros. */
function bytesArg(v: unknown, what: string): Uint8Array {
  if (!(v instanceof Uint8Array)) throw new SpnegoError('BAD_ARGUMENT', `${what} must be a Uint8Array (or Buffer), not ${v === null ? 'null' : typeof v}`);
  return v;
}

function wrapSpnego(s: SpnegoInitiator | SpnegoAcceptor, peer: () => PeerName | undefined): SecurityContext {
  return {
    storeDelegated: (name) => storeDelegated(krb5ContextOf(s.mechContext), name),
    step: async (t) => s.step(t === undefined ? t : bytesArg(t, 'the input token')),
    get complete() { return s.complete; },
    get mech() { return mechLabel(s.mech); },
    get peerName() { return peer(); },
    get skippedMechs() { return s instanceof SpnegoInitiator ? s.skipped.map((x) => ({ mech: mechLabel(x.oid) ?? x.oid, code: x.error.code, message: x.error.message })) : []; },
    wrap: (m, o) => s.wrap(bytesArg(m, 'the message'), o),
    unwrap: (t) => s.unwrap(bytesArg(t, 'the token')),
    getMic: (m) => s.getMic(bytesArg(m, 'the message')),
    verifyMic: (m, mic) => s.verifyMic(bytesArg(m, 'the message'), bytesArg(mic, 'the MIC')),
  };
}

interface RawMech {
  step(t?: Uint8Array): Promise<Uint8Array | undefined>;
  readonly complete: boolean;
  wrap(m: Uint8Array, o?: { encrypt?: boolean }): Uint8Array;
  unwrap(t: Uint8Array): { message: Uint8Array };
  getMic(m: Uint8Array): Uint8Array;
  verifyMic(m: Uint8Array, s: Uint8Array): void;
}

function wrapRaw(n: RawMech, mech: string, peer: () => PeerName | undefined, store?: (ccacheName: string) => string | undefined): SecurityContext {
  return {
    ...(store ? { storeDelegated: store } : {}),
    step: async (t) => n.step(t === undefined ? t : bytesArg(t, 'the input token')),
    get complete() { return n.complete; },
    mech,
    get peerName() { return peer(); },
    wrap: (m, o) => n.wrap(bytesArg(m, 'the message'), o),
    unwrap: (t) => n.unwrap(bytesArg(t, 'the token')).message,
    getMic: (m) => n.getMic(bytesArg(m, 'the message')),
    verifyMic: (m, s) => n.verifyMic(bytesArg(m, 'the message'), bytesArg(s, 'the MIC')),
  };
}

function ntlmPeer(n: NtlmInitiator | NtlmAcceptor | undefined): PeerName | undefined {
  if (!(n instanceof NtlmAcceptor) || !n.peerName) return undefined;
  const p = n.peerName;
  return { ...p, principal: p.domain ? `${p.domain}\\${p.user}` : p.user };
}

function krb5Peer(k: Krb5Initiator | Krb5Acceptor | undefined): PeerName | undefined {
  if (!(k instanceof Krb5Acceptor) || !k.peerName) return undefined;
  const p = k.peerName;
  const user = p.name.nameString.join('/');
  const pac = k.pac();
  return {
    user,
    domain: p.realm,
    realm: p.realm,
    principal: `${user}@${p.realm}`,
    ...(pac ? { groupSids: pac.groupSids, sid: pac.userSid, ...(pac.upn ? { upn: pac.upn } : {}) } : {}),
  };
}

const MECHS: readonly string[] = ['negotiate', 'kerberos', 'ntlm'];

/** Options from callers who may not be using TypeScript: a wrong type is BAD_ARGUMENT, not a TypeError later. */
function checkOptions(opts: InitiatorOptions | AcceptorOptions): void {
  if (typeof opts !== 'object' || opts === null) throw new SpnegoError('BAD_ARGUMENT', 'options must be an object');
  if (opts.mech !== undefined && !MECHS.includes(opts.mech)) throw new SpnegoError('BAD_ARGUMENT', `mech must be one of ${MECHS.join(', ')}`);
  const c = (opts as { credential?: unknown }).credential;
  if (typeof c !== 'object' || c === null) throw new SpnegoError('BAD_ARGUMENT', 'credential must be an object ({} for the defaults)');
  for (const k of ['username', 'password', 'ccache', 'principal'] as const) {
    const v = (c as Record<string, unknown>)[k];
    if (v !== undefined && typeof v !== 'string') throw new SpnegoError('BAD_ARGUMENT', `credential.${k} must be a string`);
  }
  const h = (c as { ntHash?: unknown }).ntHash;
  if (h !== undefined && !(h instanceof Uint8Array && h.length === 16)) throw new SpnegoError('BAD_ARGUMENT', 'credential.ntHash must be 16 bytes');
  if ('target' in opts && opts.target !== undefined && typeof opts.target !== 'string') throw new SpnegoError('BAD_ARGUMENT', 'target must be a string (SERVICE@HOST)');
}

export function initiator(opts: InitiatorOptions): SecurityContext {
  checkOptions(opts);
  const mech = opts.mech ?? 'negotiate';
  const c = opts.credential;
  const hasNtlm = !opts.forbidNtlm && c.username !== undefined && (c.password !== undefined || c.ntHash !== undefined);
  const hasKrb5 = mech !== 'ntlm' && mayHaveKerberos(c);
  const target = opts.target ?? 'HOST@localhost';
  const ntlmOpts = () => ({
    credential: { username: c.username!, ...(c.password !== undefined ? { password: c.password } : {}), ...(c.ntHash ? { ntHash: c.ntHash } : {}) },
    target: targetToSpn(target),
    ...(opts.channelBindings ? { channelBindingsHash: gssChannelBindingsHash(opts.channelBindings) } : {}),
    ...(opts.allowWeakCrypto ? { allowWeakCrypto: true } : {}),
  });
  let client = opts.krb5Client;
  const krb5Opts = {
    credential: () => serviceTicketFor((client ??= new Krb5Client()), c, target, new Date(), opts.delegate ?? false, opts.allowWeakCrypto ?? false),
    mutual: opts.mutual ?? true,
    ...(opts.channelBindings ? { channelBindingsHash: gssChannelBindingsHash(opts.channelBindings) } : {}),
    ...(opts.allowWeakCrypto ? { allowWeakCrypto: true } : {}),
  };
  if (mech === 'ntlm') {
    if (!hasNtlm) throw new SpnegoError('NO_CRED', 'no user name with a password or NT hash for NTLM');
    return wrapRaw(new NtlmInitiator(ntlmOpts()), 'ntlm', () => undefined);
  }
  if (mech === 'kerberos') {
    let k: Krb5Initiator | undefined;
    const raw: RawMech = {
      step: async (t) => {
        if (!k) {
          const got = await krb5Opts.credential();
          k = new Krb5Initiator({ ...krb5Opts, credential: got.ticket, ...(got.delegation ? { delegation: got.delegation } : {}) });
        }
        return k.step(t);
      },
      get complete() { return k?.complete ?? false; },
      wrap: (m, o) => established().wrap(m, o),
      unwrap: (t) => established().unwrap(t),
      getMic: (m) => established().getMic(m),
      verifyMic: (m, s) => established().verifyMic(m, s),
    };
    const established = (): Krb5Initiator => {
      if (!k) throw new SpnegoError('NO_CONTEXT', 'the Kerberos context is not established yet');
      return k;
    };
    return wrapRaw(raw, 'kerberos', () => undefined);
  }
  const order = opts.order ?? ['kerberos', 'ntlm'];
  const mechs = order.flatMap((m) => (m === 'kerberos' ? (hasKrb5 ? [krb5InitiatorMech(krb5Opts)] : []) : hasNtlm ? [ntlmInitiatorMech(ntlmOpts())] : []));
  if (mechs.length === 0) throw new SpnegoError('NO_CRED', opts.forbidNtlm ? 'NTLM is forbidden and no Kerberos credential is available' : 'no credentials for Kerberos or NTLM');
  return wrapSpnego(new SpnegoInitiator({ mechs }), () => undefined);
}

function serviceKeys(k: AcceptorOptions['credential']['keytab']): ServiceKey[] | undefined {
  const name = k ?? process.env['KRB5_KTNAME'];
  if (name === undefined) return undefined;
  if (typeof name === 'string') return cachedParse('keytab', keytabPath(name), () => serviceKeysFromKeytab(readKeytab(name)));
  if (name instanceof Uint8Array) return serviceKeysFromKeytab(keytabEntries(keytabCodec.decode(name)));
  return [...name];
}

export function acceptor(opts: AcceptorOptions): SecurityContext {
  checkOptions(opts);
  const mech = opts.mech ?? 'negotiate';
  const keys = mech === 'ntlm' ? undefined : serviceKeys(opts.credential.keytab);
  const krb5Opts = keys
    ? {
        keys,
        ...(opts.credential.principal ? { principal: parsePrincipal(opts.credential.principal, keys[0]?.principal.realm) } : {}),
        ...(opts.replayCache ? { replayCache: opts.replayCache } : {}),
        ...(opts.clockSkewSeconds !== undefined ? { clockSkewSeconds: opts.clockSkewSeconds } : {}),
        ...(opts.channelBindings ? { channelBindingsHash: gssChannelBindingsHash(opts.channelBindings) } : {}),
        ...(opts.allowWeakCrypto ? { allowWeakCrypto: true } : {}),
      }
    : undefined;
  const verifier = opts.credential.ntlmVerifier;
  const wantNtlm = mech !== 'kerberos' && (opts.credential.ntlmUsers !== undefined || verifier !== undefined || !!process.env['NTLM_USER_FILE'] || !krb5Opts);
  const host = hostname().split('.')[0]!.toUpperCase().slice(0, 15);
  const ntlmOpts = (): NtlmAcceptorOptions => ({
    ...(verifier ? { verifier } : { store: store(opts.credential.ntlmUsers) }),
    netbiosDomain: opts.ntlm?.netbiosDomain ?? 'WORKGROUP',
    netbiosComputer: opts.ntlm?.netbiosComputer ?? host,
    ...(opts.ntlm?.dnsDomain ? { dnsDomain: opts.ntlm.dnsDomain } : {}),
    ...(opts.ntlm?.dnsComputer ? { dnsComputer: opts.ntlm.dnsComputer } : {}),
    ...(opts.ntlm?.clockSkewSeconds !== undefined ? { clockSkewSeconds: opts.ntlm.clockSkewSeconds } : {}),
    ...(opts.channelBindings ? { channelBindingsHash: gssChannelBindingsHash(opts.channelBindings) } : {}),
  });
  if (mech === 'ntlm') {
    const n = new NtlmAcceptor(ntlmOpts());
    return wrapRaw(n, 'ntlm', () => ntlmPeer(n));
  }
  if (mech === 'kerberos') {
    if (!krb5Opts) throw new SpnegoError('NO_CRED', 'no keytab for the Kerberos acceptor (credential.keytab or KRB5_KTNAME)');
    const k = new Krb5Acceptor(krb5Opts);
    return wrapRaw(k, 'kerberos', () => krb5Peer(k), (name) => storeDelegated(k, name));
  }
  const mechs = [...(krb5Opts ? [krb5AcceptorMech(krb5Opts)] : []), ...(wantNtlm ? [ntlmAcceptorMech(ntlmOpts())] : [])];
  const s = new SpnegoAcceptor({ mechs });
  // Only a completed negotiation names the peer: the mech may be established while SPNEGO then
  // fails (a mechListMIC that does not verify, i.e. a rewritten mech list), and that is no authentication.
  return wrapSpnego(s, () => (s.complete ? (ntlmPeer(ntlmContextOf(s.mechContext)) ?? krb5Peer(krb5ContextOf(s.mechContext))) : undefined));
}
