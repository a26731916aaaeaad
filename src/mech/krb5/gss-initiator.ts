// Kerberos 5 GSS initiator (RFC 4121 4.1): AP-REQ in the GSS framing with the 0x8003
// authenticator checksum (flags, channel bindings, delegation), a fresh subkey and sequence
// number; with mutual authentication the AP-REP is verified (ctime/cusec echoed, acceptor
// subkey and sequence number taken). Per-message tokens follow RFC 4121 4.2 (cfx.ts).
import { SpnegoError } from '../../errors.js';
import { OID } from '../../iana/oids.js';
import { KeyUsage, ApOption } from '../../iana/krb5.js';
import { unframeInitialContextToken } from '../../codec/gss/initial-context-token.js';
import { encodeFramedGssKrb5Token, gssKrb5TokenCodec } from '../../codec/krb5/gss-krb5-token.js';
import { authenticatorCodec } from '../../codec/krb5/authenticator.js';
import { encApRepPartCodec } from '../../codec/krb5/enc-ap-rep-part.js';
import { flagsFromNames } from '../../codec/krb5/kerberos-flags.js';
import { getProfile } from '../../crypto/krb5/registry.js';
import type { Key } from '../../crypto/krb5/profile.js';
import { randomBytes } from '../../crypto/provider.js';
import { krbErrorToSpnego } from './kdc-error.js';
import { decryptFromPeer } from './peer-encrypted.js';
import { encodeGssChecksum, GssFlag, GSS_CHECKSUM_TYPE } from './gss-checksum.js';
import { perMessageSecurity, takesAcceptorSubkey, type PerMessage } from './per-message.js';
import { kdcTime, type Credential } from './credential.js';
import type { Principal } from './principal.js';

export interface Krb5InitiatorOptions {
  /** A service ticket for the target (from the cache or a TGS exchange). */
  readonly credential: Credential;
  readonly mutual?: boolean;
  readonly replayDetection?: boolean;
  readonly sequence?: boolean;
  readonly confidentiality?: boolean;
  readonly integrity?: boolean;
  /** MD5 of the gss_channel_bindings_struct (mech/ntlm/bindings.ts gssChannelBindingsHash). */
  readonly channelBindingsHash?: Uint8Array;
  /** A KRB-CRED carrying a forwardable TGT, to delegate (GSS_C_DELEG_FLAG). */
  readonly delegation?: Uint8Array;
  /** The OID to frame tokens with (the MS Kerberos OID when SPNEGO negotiated that one). */
  readonly mechOid?: string;
  readonly allowWeakCrypto?: boolean;
  readonly now?: () => Date;
  readonly random?: (n: number) => Uint8Array;
}

type State = 'initial' | 'waiting' | 'complete' | 'failed';

export class Krb5Initiator {
  private state: State = 'initial';
  private ctime = new Date(0);
  private cusec = 0;
  private subkey: Key | undefined;
  private seq = 0;
  private security: PerMessage | undefined;
  readonly flags: number;

  constructor(private readonly o: Krb5InitiatorOptions) {
    this.flags =
      (o.mutual ?? true ? GssFlag.MUTUAL : 0) |
      (o.replayDetection ?? true ? GssFlag.REPLAY : 0) |
      (o.sequence ?? true ? GssFlag.SEQUENCE : 0) |
      (o.confidentiality ?? true ? GssFlag.CONF : 0) |
      (o.integrity ?? true ? GssFlag.INTEG : 0) |
      (o.delegation ? GssFlag.DELEG : 0);
  }

  get complete(): boolean {
    return this.state === 'complete';
  }
  /** The target the ticket is for. */
  get target(): Principal {
    return this.o.credential.server;
  }
  /** The key per-message tokens use (acceptor subkey, else our subkey), for SPNEGO/tests. */
  get contextKey(): Key | undefined {
    return this.security ? this.securityKey : undefined;
  }
  private securityKey: Key | undefined;

  async step(input?: Uint8Array): Promise<Uint8Array | undefined> {
    try {
      if (this.state === 'initial') {
        if (input && input.length > 0) throw new SpnegoError('DEFECTIVE_TOKEN', 'the Kerberos initiator speaks first');
        return this.apReq();
      }
      if (this.state === 'waiting') {
        if (!input || input.length === 0) throw new SpnegoError('DEFECTIVE_TOKEN', 'expected the AP-REP');
        this.apRep(input);
        return undefined;
      }
      throw new SpnegoError('NO_CONTEXT', this.state === 'failed' ? 'the context failed earlier' : 'the context is established');
    } catch (e) {
      this.state = 'failed';
      throw e;
    }
  }

  private apReq(): Uint8Array {
    const cred = this.o.credential;
    const weak = { allowWeakCrypto: this.o.allowWeakCrypto ?? false };
    const profile = getProfile(cred.sessionKey.enctype, weak);
    const random = this.o.random ?? randomBytes;
    const now = kdcTime(this.o.credential, (this.o.now ?? (() => new Date()))());
    this.ctime = new Date(Math.floor(now.getTime() / 1000) * 1000);
    this.cusec = (now.getTime() % 1000) * 1000;
    this.subkey = profile.randomToKey(random(profile.keyBytes));
    // MIT draws the initial sequence number at random, keeping it under 2^30.
    this.seq = new DataView(random(4).buffer).getUint32(0) & 0x3fffffff;
    const checksum = encodeGssChecksum({
      bindings: this.o.channelBindingsHash ?? new Uint8Array(16),
      flags: this.flags,
      ...(this.o.delegation ? { delegation: this.o.delegation } : {}),
    });
    const authenticator = authenticatorCodec.encode({
      authenticatorVno: 5,
      crealm: cred.client.realm,
      cname: cred.client.name,
      cksum: { cksumtype: GSS_CHECKSUM_TYPE, checksum },
      cusec: this.cusec,
      ctime: this.ctime,
      subkey: { keytype: this.subkey.enctype, keyvalue: this.subkey.value },
      seqNumber: this.seq,
    });
    const mutual = (this.flags & GssFlag.MUTUAL) !== 0;
    const message = {
      pvno: 5 as const,
      msgType: 14 as const,
      apOptions: flagsFromNames(mutual ? ['mutual-required'] : [], ApOption),
      ticket: cred.ticket,
      authenticator: { etype: cred.sessionKey.enctype, cipher: profile.encrypt(cred.sessionKey, KeyUsage.AP_REQ_AUTH, authenticator) },
    };

    if (mutual) this.state = 'waiting';
    else this.establish(this.subkey, false, this.seq);
    return encodeFramedGssKrb5Token(this.o.mechOid ?? OID.KRB5, { tokId: 'AP-REQ', message });
  }

  private apRep(token: Uint8Array): void {
    const framed = unframeInitialContextToken(token);
    if (framed.mech !== OID.KRB5 && framed.mech !== OID.MS_KRB5) throw new SpnegoError('BAD_MECH', `not a Kerberos token (${framed.mech})`);
    const t = gssKrb5TokenCodec.decode(framed.innerToken);
    if (t.tokId === 'KRB-ERROR') throw krbErrorToSpnego(t.message, 'the acceptor refused the AP-REQ');
    if (t.tokId !== 'AP-REP') throw new SpnegoError('DEFECTIVE_TOKEN', `expected AP-REP, got ${t.tokId}`);
    const cred = this.o.credential;
    const weak = { allowWeakCrypto: this.o.allowWeakCrypto ?? false };
    let plain: Uint8Array;
    try {
      plain = decryptFromPeer(cred.sessionKey, t.message.encPart, KeyUsage.AP_REP_ENCPART, weak, 'the AP-REP');
    } catch (e) {
      if (e instanceof SpnegoError && e.code === 'BAD_MIC') throw new SpnegoError('BAD_MIC', 'the AP-REP does not decrypt with the session key: mutual authentication failed');
      throw e;
    }
    const part = encApRepPartCodec.decode(plain);
    // RFC 4120 3.2.5: the acceptor proves knowledge of the session key by echoing our time.
    if (part.ctime.getTime() !== this.ctime.getTime() || part.cusec !== this.cusec) {
      throw new SpnegoError('BAD_MIC', 'the AP-REP does not echo our authenticator time: mutual authentication failed');
    }
    const acceptorSubkey = part.subkey ? { enctype: part.subkey.keytype, value: part.subkey.keyvalue } : undefined;
    if (takesAcceptorSubkey(this.subkey!, acceptorSubkey)) this.establish(acceptorSubkey, true, part.seqNumber ?? this.seq);
    else this.establish(this.subkey!, false, part.seqNumber ?? this.seq);
  }

  private establish(key: Key, acceptorSubkey: boolean, recvSeq: number): void {
    this.securityKey = key;
    this.security = perMessageSecurity({ key, role: 'initiator', acceptorSubkey, sendSeq: this.seq, recvSeq: recvSeq >>> 0, allowWeakCrypto: this.o.allowWeakCrypto ?? false, flags: this.flags });
    this.state = 'complete';
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
