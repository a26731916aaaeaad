// The public context API (design guide "The public surface"): initiator({...}) / acceptor({...})
// return a SecurityContext with step(), complete, mech, peerName and per-message operations.
// Mechanisms: 'negotiate' (SPNEGO over the mechs the credentials allow), 'ntlm' (raw NTLMSSP).
// Kerberos joins with issues 6-7; until then asking for it is UNAVAILABLE.
import { hostname } from 'node:os';
import { SpnegoError } from '../errors.js';
import { OID, oidName } from '../iana/oids.js';
import { NtlmInitiator } from '../mech/ntlm/initiator.js';
import { NtlmAcceptor, type NtlmAcceptorOptions } from '../mech/ntlm/acceptor.js';
import { MemoryNtHashStore, NtlmUserFileStore, type NtHashStore } from '../mech/ntlm/store.js';
import { gssChannelBindingsHash, type GssChannelBindings } from '../mech/ntlm/bindings.js';
import { SpnegoInitiator } from '../spnego/initiator.js';
import { SpnegoAcceptor } from '../spnego/acceptor.js';
import { ntlmAcceptorMech, ntlmContextOf, ntlmInitiatorMech } from '../spnego/ntlm.js';

export type MechName = 'negotiate' | 'ntlm' | 'kerberos';

export interface InitiatorCredential {
  /** `DOMAIN\\user`, `user@domain` or `user`. */
  readonly username: string;
  readonly password?: string;
  /** The NT hash (NTOWFv1) instead of a password. */
  readonly ntHash?: Uint8Array;
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
}

export interface AcceptorOptions {
  readonly mech?: MechName;
  readonly credential: {
    /** NTLM users: a gss-ntlmssp NTLM_USER_FILE path, a `{ 'DOMAIN\\user': password }` map, or a store. */
    readonly ntlmUsers?: string | Readonly<Record<string, string | { ntHash: Uint8Array }>> | NtHashStore;
  };
  /** The names the NTLM CHALLENGE announces (default: WORKGROUP and this host). */
  readonly ntlm?: Partial<Pick<NtlmAcceptorOptions, 'netbiosDomain' | 'netbiosComputer' | 'dnsDomain' | 'dnsComputer' | 'clockSkewSeconds'>>;
  readonly channelBindings?: GssChannelBindings;
}

export interface PeerName {
  readonly user: string;
  readonly domain: string;
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

export function initiator(opts: InitiatorOptions): SecurityContext {
  const mech = opts.mech ?? 'negotiate';
  if (mech === 'kerberos') throw new SpnegoError('UNAVAILABLE', 'Kerberos is not available yet in this version');
  if (opts.credential.password === undefined && opts.credential.ntHash === undefined) throw new SpnegoError('NO_CRED', 'no password or NT hash for NTLM');
  const ntlmOpts = {
    credential: opts.credential,
    ...(opts.target ? { target: targetToSpn(opts.target) } : {}),
    ...(opts.channelBindings ? { channelBindingsHash: gssChannelBindingsHash(opts.channelBindings) } : {}),
    ...(opts.allowWeakCrypto ? { allowWeakCrypto: true } : {}),
  };
  if (mech === 'ntlm') {
    const n = new NtlmInitiator(ntlmOpts);
    return {
      step: (t) => n.step(t),
      get complete() { return n.complete; },
      mech: 'ntlm',
      peerName: undefined,
      wrap: (m, o) => n.wrap(m, o),
      unwrap: (t) => n.unwrap(t).message,
      getMic: (m) => n.getMic(m),
      verifyMic: (m, s) => n.verifyMic(m, s),
    };
  }
  if (opts.forbidNtlm) throw new SpnegoError('NO_CRED', 'NTLM is forbidden and no Kerberos credential is available');
  const s = new SpnegoInitiator({ mechs: [ntlmInitiatorMech(ntlmOpts)] });
  return {
    step: (t) => s.step(t),
    get complete() { return s.complete; },
    get mech() { return mechLabel(s.mech); },
    peerName: undefined,
    wrap: (m, o) => s.wrap(m, o),
    unwrap: (t) => s.unwrap(t),
    getMic: (m) => s.getMic(m),
    verifyMic: (m, mic) => s.verifyMic(m, mic),
  };
}

export function acceptor(opts: AcceptorOptions): SecurityContext {
  const mech = opts.mech ?? 'negotiate';
  if (mech === 'kerberos') throw new SpnegoError('UNAVAILABLE', 'Kerberos is not available yet in this version');
  const host = hostname().split('.')[0]!.toUpperCase().slice(0, 15);
  const ntlmOpts: NtlmAcceptorOptions = {
    store: store(opts.credential.ntlmUsers),
    netbiosDomain: opts.ntlm?.netbiosDomain ?? 'WORKGROUP',
    netbiosComputer: opts.ntlm?.netbiosComputer ?? host,
    ...(opts.ntlm?.dnsDomain ? { dnsDomain: opts.ntlm.dnsDomain } : {}),
    ...(opts.ntlm?.dnsComputer ? { dnsComputer: opts.ntlm.dnsComputer } : {}),
    ...(opts.ntlm?.clockSkewSeconds !== undefined ? { clockSkewSeconds: opts.ntlm.clockSkewSeconds } : {}),
    ...(opts.channelBindings ? { channelBindingsHash: gssChannelBindingsHash(opts.channelBindings) } : {}),
  };
  if (mech === 'ntlm') {
    const n = new NtlmAcceptor(ntlmOpts);
    return {
      step: (t) => n.step(t),
      get complete() { return n.complete; },
      mech: 'ntlm',
      get peerName() { return n.peerName; },
      wrap: (m, o) => n.wrap(m, o),
      unwrap: (t) => n.unwrap(t).message,
      getMic: (m) => n.getMic(m),
      verifyMic: (m, s) => n.verifyMic(m, s),
    };
  }
  const s = new SpnegoAcceptor({ mechs: [ntlmAcceptorMech(ntlmOpts)] });
  return {
    step: (t) => s.step(t),
    get complete() { return s.complete; },
    get mech() { return mechLabel(s.mech); },
    get peerName() {
      const n = ntlmContextOf(s.mechContext);
      return n instanceof NtlmAcceptor ? n.peerName : undefined;
    },
    wrap: (m, o) => s.wrap(m, o),
    unwrap: (t) => s.unwrap(t),
    getMic: (m) => s.getMic(m),
    verifyMic: (m, mic) => s.verifyMic(m, mic),
  };
}
