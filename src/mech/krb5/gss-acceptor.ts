// Kerberos 5 GSS acceptor (RFC 4121 4.1, RFC 4120 3.2.3): the AP-REQ's ticket decrypts with a
// keytab key (matching principal, kvno, enctype), the authenticator with the ticket's session
// key; client names agree; times lie within the clock skew; the authenticator is not a replay;
// the 0x8003 checksum's channel bindings match when we have them; with mutual authentication the
// AP-REP echoes ctime/cusec and carries our subkey and sequence number. Addresses are ignored,
// as MIT does by default. Failures the initiator can use (skew) come with a KRB-ERROR token.
import { SpnegoError } from '../../errors.js';
import { OID } from '../../iana/oids.js';
import { KeyUsage, ErrorCode as Krb, ApOption, errorCodeName } from '../../iana/krb5.js';
import { unframeInitialContextToken } from '../../codec/gss/initial-context-token.js';
import { encodeFramedGssKrb5Token, gssKrb5TokenCodec } from '../../codec/krb5/gss-krb5-token.js';
import { authenticatorCodec, type Authenticator } from '../../codec/krb5/authenticator.js';
import { encTicketPartCodec, type EncTicketPart } from '../../codec/krb5/enc-ticket-part.js';
import { encApRepPartCodec } from '../../codec/krb5/enc-ap-rep-part.js';
import { hasFlag } from '../../codec/krb5/kerberos-flags.js';
import type { ApReq } from '../../codec/krb5/ap-req.js';
import type { PrincipalName } from '../../codec/krb5/principal-name.js';
import { getProfile } from '../../crypto/krb5/registry.js';
import type { Key } from '../../crypto/krb5/profile.js';
import { randomBytes } from '../../crypto/provider.js';
import { constantTimeEqual } from '../../bytes/secret.js';
import { decodeGssChecksum, GssFlag, GSS_CHECKSUM_TYPE, type GssChecksum } from './gss-checksum.js';
import { MemoryReplayCache, replayEntry, type ReplayCache } from './replay-cache.js';
import { samePrincipal, type Principal } from './principal.js';
import { perMessageSecurity, usesRfc1964Tokens, type PerMessage } from './per-message.js';
import { readKrbCred } from './delegation.js';
import { acceptedTicket } from './accepted-tickets.js';
import { decryptFromPeer } from './peer-encrypted.js';
import { ticketPac, type PacIdentity } from './pac.js';
import type { Credential } from './credential.js';

export type { ServiceKey } from './credential.js';
import type { ServiceKey } from './credential.js';

export interface Krb5AcceptorOptions {
  readonly keys: readonly ServiceKey[];
  /** Accept tickets for this principal only (default: any principal in `keys`). */
  readonly principal?: Principal;
  readonly clockSkewSeconds?: number;
  readonly replayCache?: ReplayCache;
  /** MD5 of the gss_channel_bindings_struct we expect (mech/ntlm/bindings.ts gssChannelBindingsHash). */
  readonly channelBindingsHash?: Uint8Array;
  readonly allowWeakCrypto?: boolean;
  readonly now?: () => Date;
  readonly random?: (n: number) => Uint8Array;
  /**
   * Reuse the decrypted ticket when a client presents the same service ticket again (each new
   * connection of a client with a cached ticket; accepted-tickets.ts). Default true; false
   * decrypts every ticket, as MIT's acceptor does.
   */
  readonly ticketCache?: boolean;
}

export const DEFAULT_KRB5_CLOCK_SKEW_SECONDS = 300;

/** One replay cache for acceptors that do not bring their own, as MIT's per-process default. */
const sharedReplayCache = new MemoryReplayCache();

type State = 'initial' | 'complete' | 'failed';

export class Krb5Acceptor {
  private state: State = 'initial';
  private security: PerMessage | undefined;
  private client: Principal | undefined;
  private ticketPart: EncTicketPart | undefined;
  private checksum: GssChecksum | undefined;
  private mechOid: string = OID.KRB5;
  private sessionKey: Key | undefined;
  private serviceKeys: Key[] = [];
  private pacCache: PacIdentity | null | undefined;

  constructor(private readonly o: Krb5AcceptorOptions) {
    if (o.keys.length === 0) throw new SpnegoError('NO_CRED', 'no service keys (empty keytab)');
  }

  get complete(): boolean {
    return this.state === 'complete';
  }
  /** The authenticated client. */
  get peerName(): Principal | undefined {
    return this.client;
  }
  /** GSS flags the initiator asked for (0x8003 checksum). */
  get flags(): number {
    return this.checksum?.flags ?? 0;
  }
  /** The forwarded TGT (KRB-CRED bytes), when the initiator delegated. */
  get delegation(): Uint8Array | undefined {
    return this.checksum?.delegation;
  }
  /** The delegated TGT (and any other forwarded tickets), decrypted from the KRB-CRED. */
  delegatedCredentials(): Credential[] | undefined {
    if (!this.checksum?.delegation || !this.sessionKey) return undefined;
    return readKrbCred(this.checksum.delegation, this.sessionKey, { allowWeakCrypto: this.o.allowWeakCrypto ?? false });
  }
  /**
   * The PAC (MS-PAC) of an Active Directory ticket: user and group SIDs, names, UPN; its server
   * signature verified with our key. Undefined for tickets without one (MIT KDCs).
   */
  pac(): PacIdentity | undefined {
    if (this.pacCache === undefined) {
      try {
        this.pacCache = this.ticketPart ? (ticketPac(this.ticketPart, this.serviceKeys, { allowWeakCrypto: this.o.allowWeakCrypto ?? false }) ?? null) : null;
      } catch (e) {
        // The ticket itself decrypted with our key, so the client is authenticated; a PAC we cannot
        // verify or decode only means no group information (as MIT, which checks PACs on request).
        if (!(e instanceof SpnegoError)) throw e;
        this.pacCache = null;
        this.pacErrorCode = e.code;
      }
    }
    return this.pacCache ?? undefined;
  }
  /** Why pac() found no identity although the ticket had a PAC (a stable error code), if so. */
  pacErrorCode: string | undefined;
  /** The decrypted ticket, e.g. for its authorization data (PAC). Shared with other contexts that accepted the same ticket: read only. */
  get ticket(): EncTicketPart | undefined {
    return this.ticketPart;
  }
  /** The token OID the initiator used (SPNEGO echoes it). */
  get oid(): string {
    return this.mechOid;
  }

  async step(input?: Uint8Array): Promise<Uint8Array | undefined> {
    if (this.state !== 'initial') throw new SpnegoError('NO_CONTEXT', this.state === 'failed' ? 'the context failed earlier' : 'the context is established');
    try {
      if (!input || input.length === 0) throw new SpnegoError('DEFECTIVE_TOKEN', 'expected an AP-REQ');
      const framed = unframeInitialContextToken(input);
      if (framed.mech !== OID.KRB5 && framed.mech !== OID.MS_KRB5) throw new SpnegoError('BAD_MECH', `not a Kerberos token (${framed.mech})`);
      this.mechOid = framed.mech;
      const t = gssKrb5TokenCodec.decode(framed.innerToken);
      if (t.tokId !== 'AP-REQ') throw new SpnegoError('DEFECTIVE_TOKEN', `expected AP-REQ, got ${t.tokId}`);
      return await this.accept(t.message);
    } catch (e) {
      this.state = 'failed';
      throw e;
    }
  }

  /**
   * The keys to try on the ticket, best first, as MIT's acceptor without an acceptor name tries
   * its keytab: the ticket's principal with its kvno, then that principal with any kvno (a keytab
   * written with another kvno, e.g. ktpass /kvno 0), then, unless `principal` restricts us, every
   * key of the ticket's enctype (another SPN of the same account: an AD alias). Only a key that
   * decrypts the ticket is used, so a wrong guess costs a failed decryption, nothing more.
   */
  private candidateKeys(apReq: ApReq): ServiceKey[] {
    const t = apReq.ticket;
    const wanted = this.o.principal;
    if (wanted && (!samePrincipal(wanted.name, t.sname) || wanted.realm !== t.realm)) {
      throw new SpnegoError('BAD_NAME', `the ticket is for ${t.sname.nameString.join('/')}@${t.realm}, not for us`);
    }
    const etype = t.encPart.etype;
    const kvno = t.encPart.kvno;
    const ofType = this.o.keys.filter((k) => k.key.enctype === etype);
    const named = ofType.filter((k) => samePrincipal(k.principal.name, t.sname) && k.principal.realm === t.realm);
    const newest = (a: ServiceKey, b: ServiceKey) => b.kvno - a.kvno;
    const exact = named.filter((k) => kvno === undefined || (k.kvno & 0xff) === (kvno & 0xff) || k.kvno === kvno).sort(newest);
    const out = [...exact, ...named.filter((k) => !exact.includes(k)).sort(newest)];
    if (!wanted) out.push(...ofType.filter((k) => !out.includes(k)).sort(newest));
    if (out.length === 0) {
      const why = this.o.keys.some((k) => samePrincipal(k.principal.name, t.sname) && k.principal.realm === t.realm) ? `no key of enctype ${etype}` : 'no key';
      throw new SpnegoError('NO_CRED', `${why} for ${t.sname.nameString.join('/')}@${t.realm} (kvno ${kvno ?? '?'}) in the keytab`);
    }
    return out;
  }

  private async accept(apReq: ApReq): Promise<Uint8Array | undefined> {
    const weak = { allowWeakCrypto: this.o.allowWeakCrypto ?? false };
    const now = (this.o.now ?? (() => new Date()))();
    const skewMs = (this.o.clockSkewSeconds ?? DEFAULT_KRB5_CLOCK_SKEW_SECONDS) * 1000;
    const ticketEnc = apReq.ticket.encPart;
    let tkt: EncTicketPart | undefined;
    let sk: ServiceKey | undefined;
    for (const candidate of this.candidateKeys(apReq)) {
      try {
        const decrypt = (): EncTicketPart => encTicketPartCodec.decode(decryptFromPeer(candidate.key, ticketEnc, KeyUsage.KDC_REP_TICKET, weak, 'the ticket'));
        tkt = this.o.ticketCache === false ? decrypt() : acceptedTicket(candidate.key.value, ticketEnc.cipher, now, decrypt);
        sk = candidate;
        break;
      } catch (e) {
        if (!(e instanceof SpnegoError && e.code === 'BAD_MIC')) throw e;
      }
    }
    if (!tkt || !sk) {
      const t = apReq.ticket;
      const name = `${t.sname.nameString.join('/')}@${t.realm}`;
      // As MIT's explained errors: a principal we hold no key for is not us (NO_CRED); one we do is a stale key.
      if (!this.o.keys.some((k) => samePrincipal(k.principal.name, t.sname) && k.principal.realm === t.realm)) {
        throw new SpnegoError('NO_CRED', `no key for ${name} in the keytab (and no other key of ours decrypts its ticket)`);
      }
      throw new SpnegoError('DEFECTIVE_CREDENTIAL', `the ticket for ${name} (kvno ${ticketEnc.kvno ?? '?'}) does not decrypt with any key we have for it (a stale keytab?)`);
    }
    const key = sk;
    // All keys of the principal: Samba signs the PAC with the account's strongest key, whatever the ticket's enctype.
    this.serviceKeys = this.o.keys.filter((k) => samePrincipal(k.principal.name, key.principal.name) && k.principal.realm === key.principal.realm).map((k) => k.key);
    const sessionKey: Key = { enctype: tkt.key.keytype, value: tkt.key.keyvalue };
    this.sessionKey = sessionKey;
    let auth: Authenticator;
    try {
      auth = authenticatorCodec.decode(decryptFromPeer(sessionKey, apReq.authenticator, KeyUsage.AP_REQ_AUTH, weak, 'the authenticator'));
    } catch (e) {
      if (e instanceof SpnegoError && e.code === 'BAD_MIC') throw new SpnegoError('DEFECTIVE_TOKEN', 'the authenticator does not decrypt with the ticket session key');
      throw e;
    }
    if (!samePrincipal(auth.cname, tkt.cname) || auth.crealm !== tkt.crealm) throw new SpnegoError('DEFECTIVE_TOKEN', 'the authenticator names another client than the ticket (KRB_AP_ERR_BADMATCH)');
    const start = (tkt.starttime ?? tkt.authtime).getTime();
    if (start - skewMs > now.getTime()) throw this.krbFailure('CREDENTIALS_EXPIRED', Krb.KRB_AP_ERR_TKT_NYV, 'the ticket is not yet valid', now, apReq, tkt.cname);
    if (tkt.endtime.getTime() + skewMs < now.getTime()) throw this.krbFailure('CREDENTIALS_EXPIRED', Krb.KRB_AP_ERR_TKT_EXPIRED, 'the ticket has expired', now, apReq, tkt.cname);
    const ctime = auth.ctime.getTime() + Math.floor(auth.cusec / 1000);
    if (Math.abs(ctime - now.getTime()) > skewMs) throw this.krbFailure('CLOCK_SKEW', Krb.KRB_AP_ERR_SKEW, 'clock skew too great between the client and this server', now, apReq, tkt.cname);
    const clientName = `${tkt.cname.nameString.join('/')}@${tkt.crealm}`;
    const cache = this.o.replayCache ?? sharedReplayCache;
    const fresh = await cache.checkAndStore(replayEntry(clientName, `${apReq.ticket.sname.nameString.join('/')}@${apReq.ticket.realm}`, auth.ctime, auth.cusec, apReq.authenticator.cipher), replayExpiry(ctime, skewMs));
    // With the KRB-ERROR as MIT's acceptor sends it, so the initiator (and its user) learn why.
    if (!fresh) throw this.krbFailure('DUPLICATE_TOKEN', Krb.KRB_AP_ERR_REPEAT, 'this AP-REQ was already accepted (KRB_AP_ERR_REPEAT)', now, apReq, tkt.cname);
    if (!auth.cksum || auth.cksum.cksumtype !== GSS_CHECKSUM_TYPE) throw new SpnegoError('DEFECTIVE_TOKEN', 'the authenticator lacks the GSS checksum (type 0x8003)');
    const checksum = decodeGssChecksum(auth.cksum.checksum);
    if (this.o.channelBindingsHash) {
      // RFC 4121 4.1.1.2: with bindings configured, the initiator's must match (zeros do not).
      if (!constantTimeEqual(checksum.bindings, this.o.channelBindingsHash)) throw new SpnegoError('BAD_BINDINGS', 'channel bindings do not match');
    }
    this.checksum = checksum;
    this.ticketPart = tkt;
    this.client = { name: tkt.cname, realm: tkt.crealm };

    const initiatorSubkey = auth.subkey ? { enctype: auth.subkey.keytype, value: auth.subkey.keyvalue } : undefined;
    const peerSeq = (auth.seqNumber ?? 0) >>> 0;
    const mutual = hasFlag(apReq.apOptions, ApOption['mutual-required']) || (checksum.flags & GssFlag.MUTUAL) !== 0;
    if (!mutual) {
      // RFC 4121 4.1: without an AP-REP both directions start from the initiator's number.
      this.establish(initiatorSubkey ?? sessionKey, false, peerSeq, peerSeq);
      return undefined;
    }
    const random = this.o.random ?? randomBytes;
    const profile = getProfile(sessionKey.enctype, weak);
    // Like MIT's accept_sec_context: an acceptor subkey of the initiator subkey's type for RFC 4121
    // enctypes; none in an RFC 1964 (rc4-hmac) context, which keeps the initiator's key (MIT's
    // initiator would ignore one of the same enctype and go on with its own).
    const contextKey = initiatorSubkey ?? sessionKey;
    const subProfile = getProfile(contextKey.enctype, weak);
    const acceptorSubkey = usesRfc1964Tokens(contextKey.enctype) ? undefined : subProfile.randomToKey(random(subProfile.keyBytes));
    const mySeq = new DataView(random(4).buffer).getUint32(0) & 0x3fffffff;
    const encPart = encApRepPartCodec.encode({ ctime: auth.ctime, cusec: auth.cusec, ...(acceptorSubkey ? { subkey: { keytype: acceptorSubkey.enctype, keyvalue: acceptorSubkey.value } } : {}), seqNumber: mySeq });
    const apRep = { pvno: 5 as const, msgType: 15 as const, encPart: { etype: sessionKey.enctype, cipher: profile.encrypt(sessionKey, KeyUsage.AP_REP_ENCPART, encPart) } };
    this.establish(acceptorSubkey ?? contextKey, acceptorSubkey !== undefined, mySeq, peerSeq);
    return encodeFramedGssKrb5Token(this.mechOid, { tokId: 'AP-REP', message: apRep });
  }

  private establish(key: Key, acceptorSubkey: boolean, sendSeq: number, recvSeq: number): void {
    this.security = perMessageSecurity({ key, role: 'acceptor', acceptorSubkey, sendSeq, recvSeq, allowWeakCrypto: this.o.allowWeakCrypto ?? false, flags: this.checksum?.flags ?? 0 });
    this.state = 'complete';
  }

  /** A failure with the KRB-ERROR the initiator can act on (RFC 4121 4.1: error token 03 00). */
  private krbFailure(code: 'CLOCK_SKEW' | 'CREDENTIALS_EXPIRED' | 'DUPLICATE_TOKEN', krbCode: number, text: string, now: Date, apReq: ApReq, cname: PrincipalName): SpnegoError {
    const ms = now.getTime();
    const err = {
      pvno: 5 as const,
      msgType: 30 as const,
      stime: new Date(Math.floor(ms / 1000) * 1000),
      susec: (ms % 1000) * 1000,
      errorCode: krbCode,
      crealm: apReq.ticket.realm,
      cname,
      realm: apReq.ticket.realm,
      sname: apReq.ticket.sname,
    };
    const token = encodeFramedGssKrb5Token(this.mechOid, { tokId: 'KRB-ERROR', message: err });
    return new SpnegoError(code, text, { outputToken: token, krbError: { code: krbCode, name: errorCodeName(krbCode), serverTime: err.stime } });
  }

  private sec(): PerMessage {
    if (!this.security || this.state !== 'complete') throw new SpnegoError('NO_CONTEXT', 'the Kerberos context is not established');
    return this.security;
  }
  getMic(m: Uint8Array): Uint8Array {
    return this.sec().getMic(m);
  }
  verifyMic(m: Uint8Array, token: Uint8Array): void {
    this.sec().verifyMic(m, token);
  }
  wrap(m: Uint8Array, opts?: { encrypt?: boolean }): Uint8Array {
    return this.sec().wrap(m, { encrypt: opts?.encrypt ?? true });
  }
  unwrap(token: Uint8Array): { message: Uint8Array; encrypted: boolean } {
    return this.sec().unwrap(token);
  }
}

/**
 * How long a replay-cache entry must live (RFC 4120 3.2.3): an authenticator stamped `ctime` is
 * accepted only while the clock is within the skew of it, so until ctime + skew (plus a second for
 * the sub-second part), as MIT's rcache expunges entries older than now - skew. Entries used to
 * live until now + 2 x skew, twice as many live entries for nothing.
 */
function replayExpiry(ctimeMs: number, skewMs: number): number {
  return ctimeMs + skewMs + 1000;
}
