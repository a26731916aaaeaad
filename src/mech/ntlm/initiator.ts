// NTLM initiator (client) context: NEGOTIATE -> (CHALLENGE) -> AUTHENTICATE (MS-NLMP 3.1.5.1).
//
// Defaults: NTLMv2 with extended session security, key exchange (a random ExportedSessionKey sent
// RC4-encrypted under KXKEY), 128- and 56-bit, SIGN, SEAL, VERSION, UNICODE. The session's flags
// are the CHALLENGE's flags ANDed with what we asked for.
//
// NTLMv2 needs the server's target info. A CHALLENGE without one comes from a server that can only
// do NTLMv1: that is refused with UNAVAILABLE unless `allowWeakCrypto` is set, in which case NTLMv1
// (with the client challenge when ESS was granted) is used.
//
// When the CHALLENGE's target info has MsvAvTimestamp (MS-NLMP 3.1.5.1.2): that timestamp goes into
// the NTLMv2 response, MsvAvFlags gets 0x2, the AUTHENTICATE carries a MIC =
// HMAC_MD5(ExportedSessionKey, NEGOTIATE || CHALLENGE || AUTHENTICATE-with-zero-MIC), and the
// LmChallengeResponse is Z(24). The client's copy of the target info also gets MsvAvChannelBindings
// (Z(16) without bindings, as Windows sends) and MsvAvTargetName when `target` is given.
//
// User names: `DOMAIN\user` splits into domain and user; `user@domain` (UPN) is sent whole as the
// user name with an empty domain, as Windows and pyspnego do; a bare `user` uses
// `credential.domain` (or ''). An explicit `credential.domain` always wins over a `DOMAIN\` prefix.
//
// Errors: NO_CRED (no password nor NT hash), UNAVAILABLE (NTLMv1-only server without
// allowWeakCrypto), DEFECTIVE_TOKEN family (undecodable CHALLENGE), BAD_ARGUMENT (wrong call
// order), NO_CONTEXT (per-message calls before completion). Messages never contain secrets.
import { wipe } from '../../bytes/secret.js';
import { SpnegoError } from '../../errors.js';
import { AUTHENTICATE_MIC_OFFSET, authenticateMessageCodec } from '../../codec/ntlm/authenticate.js';
import { avPairsCodec, type AvPair } from '../../codec/ntlm/av-pairs.js';
import { challengeMessageCodec, type ChallengeMessage } from '../../codec/ntlm/challenge.js';
import { negotiateMessageCodec } from '../../codec/ntlm/negotiate.js';
import type { Version } from '../../codec/ntlm/version.js';
import {
  KXKEY,
  LMOWFv1,
  NTOWFv1,
  NTOWFv2,
  computeMic,
  computeNtlmv1Response,
  computeNtlmv2Response,
  encryptSessionKey,
  toFileTime,
} from '../../crypto/ntlm.js';
import { randomBytes } from '../../crypto/provider.js';
import {
  MSV_AV_FLAG_MIC_PRESENT,
  NTLMSSP_NEGOTIATE_128,
  NTLMSSP_NEGOTIATE_56,
  NTLMSSP_NEGOTIATE_ALWAYS_SIGN,
  NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY,
  NTLMSSP_NEGOTIATE_KEY_EXCH,
  NTLMSSP_NEGOTIATE_NTLM,
  NTLMSSP_NEGOTIATE_SEAL,
  NTLMSSP_NEGOTIATE_SIGN,
  NTLMSSP_NEGOTIATE_TARGET_INFO,
  NTLMSSP_NEGOTIATE_UNICODE,
  NTLMSSP_NEGOTIATE_VERSION,
  NTLMSSP_REQUEST_TARGET,
  NTLMSSP_REVISION_W2K3,
} from '../../iana/ntlm.js';
import { NtlmSecurity, type NtlmDirection, type NtlmMessageSecurity, type ResetOptions, type UnwrapOptions, type WrapOptions } from './security.js';

export interface NtlmCredential {
  /** `DOMAIN\user`, `user@domain` or `user`. */
  readonly username: string;
  readonly domain?: string;
  readonly password?: string;
  /** NTOWFv1 (the NT hash), 16 bytes; used when no password is given. */
  readonly ntHash?: Uint8Array;
}

export interface NtlmInitiatorOptions {
  readonly credential: NtlmCredential;
  /** SPN for MsvAvTargetName, e.g. `HTTP/web.example.test`. */
  readonly target?: string;
  /** MD5 of gss_channel_bindings_struct (see bindings.ts), 16 bytes. */
  readonly channelBindingsHash?: Uint8Array;
  readonly workstation?: string;
  /** Allow NTLMv1/LM against servers that offer nothing better. Default false. */
  readonly allowWeakCrypto?: boolean;
  readonly random?: (n: number) => Uint8Array;
  readonly now?: () => Date;
  /** VERSION sent in NEGOTIATE and AUTHENTICATE (debugging only). */
  readonly version?: Version;
  /**
   * Add MsvAvFlags/MsvAvChannelBindings/MsvAvTargetName to the client's copy of the target info.
   * Default true; false sends the server's pairs unchanged (as the MS-NLMP 4.2.4 example does).
   */
  readonly addClientAvPairs?: boolean;
}

/** What we ask for in NEGOTIATE. */
export const NTLM_INITIATOR_FLAGS =
  (NTLMSSP_NEGOTIATE_UNICODE |
    NTLMSSP_REQUEST_TARGET |
    NTLMSSP_NEGOTIATE_SIGN |
    NTLMSSP_NEGOTIATE_SEAL |
    NTLMSSP_NEGOTIATE_NTLM |
    NTLMSSP_NEGOTIATE_ALWAYS_SIGN |
    NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY |
    NTLMSSP_NEGOTIATE_TARGET_INFO |
    NTLMSSP_NEGOTIATE_VERSION |
    NTLMSSP_NEGOTIATE_128 |
    NTLMSSP_NEGOTIATE_KEY_EXCH |
    NTLMSSP_NEGOTIATE_56) >>>
  0;

export const DEFAULT_NTLM_VERSION: Version = Object.freeze({
  productMajorVersion: 10,
  productMinorVersion: 0,
  productBuild: 0,
  ntlmRevisionCurrent: NTLMSSP_REVISION_W2K3,
});

/** Splits the user forms; see the file header. */
export function splitNtlmUser(username: string, domain?: string): { user: string; domain: string } {
  const i = username.indexOf('\\');
  if (i >= 0) return { user: username.slice(i + 1), domain: domain ?? username.slice(0, i) };
  return { user: username, domain: domain ?? '' };
}

type State = 'initial' | 'negotiated' | 'complete';

export class NtlmInitiator implements NtlmMessageSecurity {
  private state: State = 'initial';
  private negotiateBytes: Uint8Array | undefined;
  private flags = 0;
  private mic = false;
  private exportedSessionKey: Uint8Array | undefined;
  private security: NtlmSecurity | undefined;
  private readonly user: string;
  private readonly domain: string;

  constructor(private readonly opts: NtlmInitiatorOptions) {
    const c = opts.credential;
    if (c === undefined || typeof c.username !== 'string' || c.username === '') {
      throw new SpnegoError('NO_CRED', 'NTLM credential needs a user name');
    }
    if (c.password === undefined && c.ntHash === undefined) throw new SpnegoError('NO_CRED', 'NTLM credential needs a password or an NT hash');
    if (c.password === undefined && !(c.ntHash instanceof Uint8Array && c.ntHash.length === 16)) {
      throw new SpnegoError('NO_CRED', 'NTLM ntHash must be 16 bytes');
    }
    if (opts.channelBindingsHash !== undefined && opts.channelBindingsHash.length !== 16) {
      throw new SpnegoError('BAD_ARGUMENT', 'channelBindingsHash must be 16 bytes');
    }
    const u = splitNtlmUser(c.username, c.domain);
    this.user = u.user;
    this.domain = u.domain;
  }

  get complete(): boolean {
    return this.state === 'complete';
  }
  /** Whether the AUTHENTICATE carried a MIC (SPNEGO must then exchange mechListMICs). */
  get micPresent(): boolean {
    return this.mic;
  }
  get negotiatedFlags(): number {
    return this.flags;
  }
  /** ExportedSessionKey, once complete (for SPNEGO and tests). */
  get sessionKey(): Uint8Array | undefined {
    return this.state === 'complete' ? this.exportedSessionKey?.slice() : undefined;
  }

  async step(input?: Uint8Array): Promise<Uint8Array | undefined> {
    await Promise.resolve();
    switch (this.state) {
      case 'initial': {
        if (input !== undefined && input.length > 0) throw new SpnegoError('BAD_ARGUMENT', 'the first NTLM initiator step takes no input');
        this.negotiateBytes = negotiateMessageCodec.encode({
          negotiateFlags: NTLM_INITIATOR_FLAGS,
          domainName: '',
          workstation: '',
          version: this.opts.version ?? DEFAULT_NTLM_VERSION,
        });
        this.state = 'negotiated';
        return this.negotiateBytes.slice();
      }
      case 'negotiated': {
        if (input === undefined || input.length === 0) throw new SpnegoError('DEFECTIVE_TOKEN', 'expected an NTLM CHALLENGE_MESSAGE');
        const out = this.authenticate(input);
        this.state = 'complete';
        return out;
      }
      default:
        throw new SpnegoError('NO_CONTEXT', 'NTLM initiator context is already complete'); // as the acceptor and Kerberos: a token after completion is the peer's doing, not the caller's
    }
  }

  private authenticate(challengeBytes: Uint8Array): Uint8Array {
    const challenge: ChallengeMessage = challengeMessageCodec.decode(challengeBytes);
    const flags = (challenge.negotiateFlags & NTLM_INITIATOR_FLAGS) >>> 0;
    const c = this.opts.credential;
    const random = this.opts.random ?? randomBytes;
    const ntHash = c.password !== undefined ? NTOWFv1(c.password) : c.ntHash!.slice();
    const negotiate = this.negotiateBytes!;
    let lm: Uint8Array;
    let nt: Uint8Array;
    let keyExchangeKey: Uint8Array;
    let mic = false;
    try {
      if (challenge.targetInfo === undefined) {
        if (this.opts.allowWeakCrypto !== true) {
          throw new SpnegoError('UNAVAILABLE', 'the server offers only NTLMv1 (no target info); set allowWeakCrypto to permit it');
        }
        const ess = (flags & NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY) !== 0;
        const lmHash = c.password !== undefined ? LMOWFv1(c.password) : undefined;
        const r = computeNtlmv1Response({
          flags,
          ntHash,
          serverChallenge: challenge.serverChallenge,
          ...(lmHash ? { lmHash } : {}),
          ...(ess ? { clientChallenge: random(8) } : {}),
        });
        lm = r.lmChallengeResponse;
        nt = r.ntChallengeResponse;
        keyExchangeKey = KXKEY({
          flags,
          ntlmv2: false,
          sessionBaseKey: r.sessionBaseKey,
          lmChallengeResponse: lm,
          serverChallenge: challenge.serverChallenge,
          ...(lmHash ? { lmowf: lmHash } : {}),
        });
        wipe(lmHash);
      } else {
        const serverPairs = challenge.targetInfo;
        const ts = serverPairs.find((p) => p.avId === 'MsvAvTimestamp');
        mic = ts !== undefined;
        const timeStamp = ts !== undefined ? (ts.value as bigint) : toFileTime((this.opts.now ?? (() => new Date()))());
        const pairs = this.clientPairs(serverPairs, mic);
        const responseKeyNT = NTOWFv2(ntHash, this.user, this.domain);
        const r = computeNtlmv2Response({
          responseKeyNT,
          serverChallenge: challenge.serverChallenge,
          clientChallenge: random(8),
          timeStamp,
          avPairsBytes: avPairsCodec.encode(pairs),
        });
        wipe(responseKeyNT);
        nt = r.ntChallengeResponse;
        lm = mic ? new Uint8Array(24) : r.lmChallengeResponse;
        keyExchangeKey = KXKEY({ flags, ntlmv2: true, sessionBaseKey: r.sessionBaseKey });
      }
    } finally {
      wipe(ntHash);
    }

    let exported: Uint8Array;
    let encryptedKey: Uint8Array;
    if ((flags & NTLMSSP_NEGOTIATE_KEY_EXCH) !== 0) {
      exported = random(16);
      if (!(exported instanceof Uint8Array) || exported.length !== 16) throw new SpnegoError('BAD_ARGUMENT', 'random(16) must return 16 bytes');
      exported = exported.slice();
      encryptedKey = encryptSessionKey(keyExchangeKey, exported);
      wipe(keyExchangeKey);
    } else {
      exported = keyExchangeKey;
      encryptedKey = new Uint8Array(0);
    }

    const authFlags = (flags | NTLMSSP_REQUEST_TARGET) >>> 0;
    const auth = authenticateMessageCodec.encode({
      lmChallengeResponse: lm,
      ntChallengeResponse: nt,
      domainName: this.domain,
      userName: this.user,
      workstation: this.opts.workstation ?? '',
      encryptedRandomSessionKey: encryptedKey,
      negotiateFlags: authFlags,
      version: this.opts.version ?? DEFAULT_NTLM_VERSION,
      ...(mic ? { mic: new Uint8Array(16) } : {}),
    });
    if (mic) {
      const value = computeMic(exported, negotiate, challengeBytes, auth);
      auth.set(value, AUTHENTICATE_MIC_OFFSET);
    }
    this.flags = flags;
    this.mic = mic;
    this.exportedSessionKey = exported;
    this.security = new NtlmSecurity(flags, exported, 'initiator');
    return auth;
  }

  /** The server's pairs with MsvAvFlags (MIC bit), MsvAvChannelBindings and MsvAvTargetName added. */
  private clientPairs(serverPairs: readonly AvPair[], mic: boolean): AvPair[] {
    if (this.opts.addClientAvPairs === false && !mic) return [...serverPairs];
    const out: AvPair[] = [];
    let sawFlags = false;
    for (const p of serverPairs) {
      if (p.avId === 'MsvAvFlags') {
        sawFlags = true;
        out.push({ avId: 'MsvAvFlags', value: mic ? ((p.value | MSV_AV_FLAG_MIC_PRESENT) >>> 0) : p.value });
      } else if (p.avId === 'MsvAvChannelBindings' || p.avId === 'MsvAvTargetName') {
        continue; // the client's own values replace any the server sent
      } else out.push(p);
    }
    if (!sawFlags && mic) out.push({ avId: 'MsvAvFlags', value: MSV_AV_FLAG_MIC_PRESENT });
    if (this.opts.addClientAvPairs !== false) {
      out.push({ avId: 'MsvAvChannelBindings', value: this.opts.channelBindingsHash?.slice() ?? new Uint8Array(16) });
      if (this.opts.target !== undefined) out.push({ avId: 'MsvAvTargetName', value: this.opts.target });
    }
    return out;
  }

  private sec(): NtlmSecurity {
    if (this.security === undefined || this.state !== 'complete') throw new SpnegoError('NO_CONTEXT', 'NTLM context is not established');
    return this.security;
  }
  getMic(message: Uint8Array): Uint8Array {
    return this.sec().getMic(message);
  }
  verifyMic(message: Uint8Array, signature: Uint8Array): void {
    this.sec().verifyMic(message, signature);
  }
  wrap(message: Uint8Array, opts?: WrapOptions): Uint8Array {
    return this.sec().wrap(message, opts);
  }
  unwrap(token: Uint8Array, opts?: UnwrapOptions): { message: Uint8Array; encrypted: boolean } {
    return this.sec().unwrap(token, opts);
  }
  resetCryptoState(direction: NtlmDirection, opts?: ResetOptions): void {
    this.sec().resetCryptoState(direction, opts);
  }
}

