// NTLM acceptor (server) context: NEGOTIATE -> CHALLENGE, AUTHENTICATE -> verified (MS-NLMP 3.2.5).
//
// The CHALLENGE carries target info: MsvAvNbDomainName, MsvAvNbComputerName, MsvAvDnsDomainName
// and MsvAvDnsComputerName (when configured) and MsvAvTimestamp, so a conforming client sends a MIC.
// Only NTLMv2 responses are verified (against the NT hash the NtHashStore returns); NTLMv1 and
// anonymous AUTHENTICATE messages are refused.
//
// Checks, in order, and their stable error codes (with `verifier` instead of `store`, checks 2-3
// are the verifier's: NtlmAuthVerifier refuses with UNAUTHORIZED, cannot run with UNAVAILABLE):
//  1. AUTHENTICATE decodes (codec DECODE_* codes, major DEFECTIVE_TOKEN); empty NtChallengeResponse
//     (anonymous) -> UNAUTHORIZED; NTLMv1 response (24 bytes) -> UNAVAILABLE.
//  2. The user is in the store -> else NO_CRED. (`user@domain` with an empty domain is looked up as
//     user + domain.) An HTTP layer should answer NO_CRED and UNAUTHORIZED identically (401) so a
//     peer cannot probe for user names.
//  3. NTProofStr = HMAC_MD5(NTOWFv2, ServerChallenge || temp), compared in constant time -> else
//     UNAUTHORIZED (wrong password, or a response to another challenge).
//  4. The client's TimeStamp is within `clockSkewSeconds` of now (default 300 s, the Kerberos
//     default clock skew that MIT krb5 and Windows use; the client normally echoes our own
//     MsvAvTimestamp, so this bounds how long a CHALLENGE stays answerable) -> else
//     CREDENTIALS_EXPIRED (the response is outside its validity window). Checked after
//     NTProofStr because the timestamp is only trustworthy once the proof covers it.
//  5. Channel bindings, when `channelBindingsHash` is configured: MsvAvChannelBindings must be
//     present, not Z(16), and equal -> else BAD_BINDINGS. (Z(16) is what clients send when they
//     have no bindings, so it cannot satisfy a server that requires them.) Without the option the
//     client's value is ignored.
//  6. MIC: verified when MsvAvFlags has 0x2 (the field must then exist -> else BAD_MIC), and also
//     when the layout has a MIC field that is not all zero even without the flag (Samba fills the
//     MIC without setting the flag; see codec/ntlm/authenticate.ts). Mismatch -> BAD_MIC.
// Messages never carry a password, hash, key or response.
import { constantTimeEqual, wipe } from '../../bytes/secret.js';
import { SpnegoError } from '../../errors.js';
import { authenticateMessageCodec, micFlagged, withZeroMic, type AuthenticateMessage } from '../../codec/ntlm/authenticate.js';
import type { AvPair } from '../../codec/ntlm/av-pairs.js';
import { challengeMessageCodec } from '../../codec/ntlm/challenge.js';
import { negotiateMessageCodec } from '../../codec/ntlm/negotiate.js';
import { hasNtlmSignature, ntlmMessageType } from '../../codec/ntlm/message.js';
import { ntlmv2ResponseCodec, type Ntlmv2Response } from '../../codec/ntlm/ntlmv2-response.js';
import type { Version } from '../../codec/ntlm/version.js';
import { NTOWFv2, computeMic, fileTimeToUnixMs, ntProofStr, toFileTime } from '../../crypto/ntlm.js';
import { hmacMd5, randomBytes } from '../../crypto/provider.js';
import { Rc4 } from '../../crypto/rc4.js';
import {
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
  NTLMSSP_TARGET_TYPE_DOMAIN,
  NTLM_NEGOTIATE_OEM,
} from '../../iana/ntlm.js';
import { DEFAULT_NTLM_VERSION } from './initiator.js';
import { NtlmSecurity, type NtlmDirection, type NtlmMessageSecurity, type ResetOptions, type UnwrapOptions, type WrapOptions } from './security.js';
import type { NtHashStore } from './store.js';
import type { NtlmVerifier } from './verifier.js';

export interface NtlmAcceptorOptions {
  /** Where NT hashes come from; give this or `verifier`. */
  readonly store?: NtHashStore;
  /** Delegated verification (e.g. NtlmAuthVerifier for winbind); replaces checks 2-3. */
  readonly verifier?: NtlmVerifier;
  readonly netbiosDomain: string;
  readonly netbiosComputer: string;
  readonly dnsDomain?: string;
  readonly dnsComputer?: string;
  /** Required bindings (MD5 of gss_channel_bindings_struct, 16 bytes); see check 5. */
  readonly channelBindingsHash?: Uint8Array;
  /** Allowed distance between the client's TimeStamp and now, in seconds; default 300. */
  readonly clockSkewSeconds?: number;
  readonly now?: () => Date;
  readonly random?: (n: number) => Uint8Array;
  readonly version?: Version;
}

export const DEFAULT_NTLM_CLOCK_SKEW_SECONDS = 300;

/** Flags the acceptor can grant (ANDed with what the client asks for). */
const SUPPORTED =
  NTLMSSP_NEGOTIATE_UNICODE |
  NTLMSSP_NEGOTIATE_SIGN |
  NTLMSSP_NEGOTIATE_SEAL |
  NTLMSSP_NEGOTIATE_ALWAYS_SIGN |
  NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY |
  NTLMSSP_NEGOTIATE_VERSION |
  NTLMSSP_NEGOTIATE_128 |
  NTLMSSP_NEGOTIATE_KEY_EXCH |
  NTLMSSP_NEGOTIATE_56 |
  NTLMSSP_REQUEST_TARGET;

export interface NtlmPeerName {
  readonly user: string;
  readonly domain: string;
}

type State = 'initial' | 'challenged' | 'complete' | 'failed';

export class NtlmAcceptor implements NtlmMessageSecurity {
  private state: State = 'initial';
  private negotiateBytes: Uint8Array | undefined;
  private challengeBytes: Uint8Array | undefined;
  private serverChallenge: Uint8Array | undefined;
  private challengeFlags = 0;
  private flags = 0;
  private mic = false;
  private peer: NtlmPeerName | undefined;
  private exportedSessionKey: Uint8Array | undefined;
  private security: NtlmSecurity | undefined;

  constructor(private readonly opts: NtlmAcceptorOptions) {
    const hasStore = opts.store !== undefined && typeof opts.store.lookup === 'function';
    const hasVerifier = opts.verifier !== undefined && typeof opts.verifier.verify === 'function';
    if (hasStore === hasVerifier) throw new SpnegoError('BAD_ARGUMENT', 'NtlmAcceptor needs exactly one of store and verifier');
    if (!opts.netbiosDomain || !opts.netbiosComputer) throw new SpnegoError('BAD_ARGUMENT', 'NtlmAcceptor needs netbiosDomain and netbiosComputer');
    if (opts.channelBindingsHash !== undefined && opts.channelBindingsHash.length !== 16) {
      throw new SpnegoError('BAD_ARGUMENT', 'channelBindingsHash must be 16 bytes');
    }
    const skew = opts.clockSkewSeconds ?? DEFAULT_NTLM_CLOCK_SKEW_SECONDS;
    if (!(skew >= 0)) throw new SpnegoError('BAD_ARGUMENT', 'clockSkewSeconds must be >= 0');
  }

  get complete(): boolean {
    return this.state === 'complete';
  }
  get peerName(): NtlmPeerName | undefined {
    return this.state === 'complete' ? this.peer : undefined;
  }
  get micPresent(): boolean {
    return this.mic;
  }
  get negotiatedFlags(): number {
    return this.flags;
  }
  get sessionKey(): Uint8Array | undefined {
    return this.state === 'complete' ? this.exportedSessionKey?.slice() : undefined;
  }

  async step(input?: Uint8Array): Promise<Uint8Array | undefined> {
    if (input === undefined || !(input instanceof Uint8Array) || input.length === 0) {
      throw new SpnegoError('DEFECTIVE_TOKEN', 'the NTLM acceptor needs an input token');
    }
    switch (this.state) {
      case 'initial':
        return this.challenge(input);
      case 'challenged':
        // A failed AUTHENTICATE ends the context: a second guess against the same challenge is refused.
        this.state = 'failed';
        await this.verify(input);
        this.state = 'complete';
        return undefined;
      default:
        // A replayed or extra token is hostile input, not a caller mistake: NO_CONTEXT, as Krb5Acceptor and SpnegoAcceptor.
        throw new SpnegoError('NO_CONTEXT', `NTLM acceptor context is ${this.state === 'complete' ? 'already complete' : 'failed'}`);
    }
  }

  private challenge(negotiateBytes: Uint8Array): Uint8Array {
    // A well-formed NTLMSSP message of another type (an AUTHENTICATE replayed, or sent on a new
    // connection after the first one closed) is an authentication failure, not garbage: over
    // HTTP that is 401 and a new challenge, as IIS answers, not 400.
    const type = knownMessageType(negotiateBytes);
    if (type !== undefined && type !== 'NEGOTIATE_MESSAGE') throw new SpnegoError('DEFECTIVE_TOKEN', `expected an NTLM NEGOTIATE_MESSAGE first, got ${type}`);
    const neg = negotiateMessageCodec.decode(negotiateBytes);
    const asked = neg.negotiateFlags >>> 0;
    let flags = (asked & SUPPORTED) | NTLMSSP_NEGOTIATE_NTLM | NTLMSSP_NEGOTIATE_TARGET_INFO | NTLMSSP_TARGET_TYPE_DOMAIN;
    if ((asked & NTLMSSP_NEGOTIATE_UNICODE) === 0) flags |= NTLM_NEGOTIATE_OEM;
    flags >>>= 0;
    const random = this.opts.random ?? randomBytes;
    const serverChallenge = random(8).slice();
    if (serverChallenge.length !== 8) throw new SpnegoError('BAD_ARGUMENT', 'random(8) must return 8 bytes');
    const now = (this.opts.now ?? (() => new Date()))();
    const targetInfo: AvPair[] = [
      { avId: 'MsvAvNbDomainName', value: this.opts.netbiosDomain },
      { avId: 'MsvAvNbComputerName', value: this.opts.netbiosComputer },
    ];
    if (this.opts.dnsDomain) targetInfo.push({ avId: 'MsvAvDnsDomainName', value: this.opts.dnsDomain });
    if (this.opts.dnsComputer) targetInfo.push({ avId: 'MsvAvDnsComputerName', value: this.opts.dnsComputer });
    targetInfo.push({ avId: 'MsvAvTimestamp', value: toFileTime(now) });
    const bytes = challengeMessageCodec.encode({
      targetName: this.opts.netbiosDomain,
      negotiateFlags: flags,
      serverChallenge,
      targetInfo,
      version: this.opts.version ?? DEFAULT_NTLM_VERSION,
    });
    this.negotiateBytes = negotiateBytes.slice();
    this.challengeBytes = bytes;
    this.serverChallenge = serverChallenge;
    this.challengeFlags = flags;
    this.state = 'challenged';
    return bytes.slice();
  }

  private async verify(authBytes: Uint8Array): Promise<void> {
    // 1. shape
    const auth: AuthenticateMessage = authenticateMessageCodec.decode(authBytes);
    if (auth.ntChallengeResponse.length === 0) throw new SpnegoError('UNAUTHORIZED', 'anonymous NTLM authentication is not accepted');
    if (auth.ntChallengeResponse.length <= 24) {
      throw new SpnegoError('UNAVAILABLE', 'NTLMv1 responses are not accepted');
    }
    const v2: Ntlmv2Response = ntlmv2ResponseCodec.decode(auth.ntChallengeResponse);

    // 2-3. the response proves knowledge of the password: SessionBaseKey
    const sessionBaseKey = this.opts.verifier !== undefined ? await this.delegate(auth) : await this.checkWithStore(auth, v2);

    // 4. timestamp
    const skewMs = (this.opts.clockSkewSeconds ?? DEFAULT_NTLM_CLOCK_SKEW_SECONDS) * 1000;
    const nowMs = (this.opts.now ?? (() => new Date()))().getTime();
    const clientMs = fileTimeToUnixMs(v2.clientChallenge.timeStamp);
    if (!(Math.abs(nowMs - clientMs) <= skewMs)) {
      wipe(sessionBaseKey);
      throw new SpnegoError('CREDENTIALS_EXPIRED', 'NTLMv2 response timestamp is outside the allowed clock skew');
    }

    // 5. channel bindings
    const pairs = v2.clientChallenge.avPairs;
    if (this.opts.channelBindingsHash !== undefined) {
      const cb = pairs.find((p) => p.avId === 'MsvAvChannelBindings');
      const value = cb === undefined ? undefined : (cb.value as Uint8Array);
      if (value === undefined || value.every((b) => b === 0)) throw new SpnegoError('BAD_BINDINGS', 'channel bindings are required but the client sent none');
      if (!constantTimeEqual(value, this.opts.channelBindingsHash)) throw new SpnegoError('BAD_BINDINGS', 'channel bindings do not match');
    }

    // Session key
    const flags = (this.challengeFlags & auth.negotiateFlags) >>> 0;
    let exported: Uint8Array;
    if ((flags & NTLMSSP_NEGOTIATE_KEY_EXCH) !== 0) {
      if (auth.encryptedRandomSessionKey.length !== 16) {
        throw new SpnegoError('DEFECTIVE_TOKEN', 'key exchange negotiated but EncryptedRandomSessionKey is not 16 bytes');
      }
      exported = new Rc4(sessionBaseKey).update(auth.encryptedRandomSessionKey);
      wipe(sessionBaseKey);
    } else exported = sessionBaseKey; // NTLMv2: KeyExchangeKey = SessionBaseKey

    // 6. MIC
    const flagged = micFlagged(auth);
    const fieldSet = auth.mic !== undefined && auth.mic.some((b) => b !== 0);
    if (flagged || fieldSet) {
      if (auth.mic === undefined) throw new SpnegoError('BAD_MIC', 'MsvAvFlags announces a MIC but the message has no MIC field');
      const expected = computeMic(exported, this.negotiateBytes!, this.challengeBytes!, withZeroMic(authBytes));
      if (!constantTimeEqual(expected, auth.mic)) throw new SpnegoError('BAD_MIC', 'AUTHENTICATE MIC does not verify');
    }

    this.flags = flags;
    this.mic = flagged || fieldSet;
    this.peer = { user: auth.userName, domain: auth.domainName };
    this.exportedSessionKey = exported;
    this.security = new NtlmSecurity(flags, exported, 'acceptor');
  }

  /** Checks 2-3 against the NT-hash store; returns SessionBaseKey. */
  private async checkWithStore(auth: AuthenticateMessage, v2: Ntlmv2Response): Promise<Uint8Array> {
    let lookupUser = auth.userName;
    let lookupDomain = auth.domainName;
    const at = lookupUser.lastIndexOf('@');
    if (lookupDomain === '' && at > 0) {
      lookupDomain = lookupUser.slice(at + 1);
      lookupUser = lookupUser.slice(0, at);
    }
    const ntHash = await this.opts.store!.lookup(lookupUser, lookupDomain);
    if (ntHash === undefined) throw new SpnegoError('NO_CRED', 'unknown NTLM user');
    if (!(ntHash instanceof Uint8Array) || ntHash.length !== 16) throw new SpnegoError('DEFECTIVE_CREDENTIAL', 'the store returned a malformed NT hash');

    const responseKeyNT = NTOWFv2(ntHash, auth.userName, auth.domainName);
    wipe(ntHash);
    const temp = auth.ntChallengeResponse.subarray(16);
    const proof = ntProofStr(responseKeyNT, this.serverChallenge!, temp);
    if (!constantTimeEqual(proof, v2.response)) {
      wipe(responseKeyNT);
      throw new SpnegoError('UNAUTHORIZED', 'NTLMv2 response does not verify (wrong password or challenge)');
    }
    const sessionBaseKey = hmacMd5(responseKeyNT, proof);
    wipe(responseKeyNT);
    return sessionBaseKey;
  }

  /** Checks 2-3 by the verifier; its SpnegoErrors pass through, anything else is FAILURE. */
  private async delegate(auth: AuthenticateMessage): Promise<Uint8Array> {
    let key: Uint8Array;
    try {
      key = await this.opts.verifier!.verify({
        user: auth.userName,
        domain: auth.domainName,
        workstation: auth.workstation,
        serverChallenge: this.serverChallenge!.slice(),
        ntChallengeResponse: auth.ntChallengeResponse.slice(),
        lmChallengeResponse: auth.lmChallengeResponse.slice(),
      });
    } catch (e) {
      if (e instanceof SpnegoError) throw e;
      throw new SpnegoError('FAILURE', 'the NTLM verifier failed', { cause: e });
    }
    if (!(key instanceof Uint8Array) || key.length !== 16) throw new SpnegoError('FAILURE', 'the NTLM verifier returned no 16-byte SessionBaseKey');
    return key.slice();
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

/** The NTLM message type of a well-formed 12-byte header, else undefined (left to the codec). */
function knownMessageType(b: Uint8Array): string | undefined {
  if (!hasNtlmSignature(b)) return undefined;
  try {
    return ntlmMessageType(b);
  } catch {
    return undefined;
  }
}
