// The TGS exchange (RFC 4120 3.3): a service ticket from a TGT. The PA-TGS-REQ carries an
// AP-REQ whose authenticator checksums the exact DER of req-body (usage 6) and is encrypted
// with the TGT session key (usage 7); the reply's enc-part decrypts with that key (usage 8).
// Referrals: a returned krbtgt/OTHER ticket is a cross-realm TGT, followed to OTHER (RFC 6806).
// A server in a known other realm (from [domain_realm]) is reached as MIT does without referrals:
// cross-realm TGTs along the realm path first (RFC 4120 3.3.3.2), then the server's own KDC.
import { SpnegoError } from '../../errors.js';
import { KdcOption, KeyUsage, PaDataType, TicketFlag } from '../../iana/krb5.js';
import { tgsReqCodec, reqBodyDerFor } from '../../codec/krb5/kdc-req.js';
import { tgsRepCodec } from '../../codec/krb5/kdc-rep.js';
import { encTgsRepPartCodec } from '../../codec/krb5/enc-kdc-rep-part.js';
import { krbErrorCodec } from '../../codec/krb5/krb-error.js';
import { authenticatorCodec } from '../../codec/krb5/authenticator.js';
import { apReqCodec } from '../../codec/krb5/ap-req.js';
import { flagsFromNames, flagsFromBits, hasFlag } from '../../codec/krb5/kerberos-flags.js';
import type { KdcReqBody } from '../../codec/krb5/kdc-req-body.js';
import { getProfile } from '../../crypto/krb5/registry.js';
import { randomBytes } from '../../crypto/provider.js';
import { krbErrorToSpnego } from './kdc-error.js';
import { samePrincipal, tgsPrincipal, type Principal } from './principal.js';
import type { KdcSender } from './as.js';
import { decryptFromPeer } from './peer-encrypted.js';
import { credentialFromReply, kdcTime, type Credential } from './credential.js';
import { realmPath } from './realm-path.js';
import type { Krb5Config } from './config/index.js';

export interface TgsRequestOptions {
  readonly tgt: Credential;
  readonly server: Principal;
  readonly kdc: KdcSender;
  readonly enctypes: readonly number[];
  readonly forwardable?: boolean;
  /** Ask the KDC to canonicalize the name and send referrals (RFC 6806); on by default, as MIT does. */
  readonly canonicalize?: boolean;
  readonly allowWeakCrypto?: boolean;
  readonly now?: () => Date;
  readonly random?: (n: number) => Uint8Array;
  /** Referral hops allowed before giving up (MIT: 10). */
  readonly maxReferrals?: number;
  /** For [capaths] when `server` is in another realm than the TGT's. */
  readonly config?: Krb5Config;
  /** Renew the TGT itself (KDC option renew, RFC 4120 3.3.1): `server` must be the TGT's server. */
  readonly renew?: boolean;
  /** A forwarded TGT for delegation (KDC option forwarded, RFC 4120 2.6): `server` is the TGT's server. */
  readonly forwarded?: boolean;
}

function isTgs(p: Principal): boolean {
  return p.name.nameString.length === 2 && p.name.nameString[0] === 'krbtgt';
}

/** One TGS-REQ to the KDC of the TGT's realm. */
async function tgsOnce(o: TgsRequestOptions, tgt: Credential, server: Principal, realmAsked: string): Promise<Credential> {
  const now = kdcTime(tgt, (o.now ?? (() => new Date()))());
  const random = o.random ?? randomBytes;
  const weak = { allowWeakCrypto: o.allowWeakCrypto ?? false };
  const options: string[] = [];
  if (o.forwardable) options.push('forwardable');
  if (o.canonicalize ?? true) options.push('canonicalize');
  if (o.renew) options.push('renew');
  if (o.forwarded) options.push('forwarded', 'forwardable');
  // Renewal asks again for the TGT's own flags, as MIT does (FLAGS2OPTS(ticket_flags) | RENEW, rtime =
  // renew-till): MIT's KDC (kdc_get_ticket_renewtime) drops RENEWABLE and renew-till otherwise.
  const renewable = o.renew === true && hasFlag(tgt.flags, TicketFlag.renewable) && tgt.renewTill !== undefined;
  if (o.renew) {
    for (const f of ['forwardable', 'proxiable'] as const) if (hasFlag(tgt.flags, TicketFlag[f]) && !options.includes(f)) options.push(f);
    if (hasFlag(tgt.flags, TicketFlag['may-postdate'])) options.push('allow-postdate');
    if (renewable) options.push('renewable');
  }
  const body: KdcReqBody = {
    kdcOptions: flagsFromNames(options, KdcOption),
    realm: realmAsked,
    sname: server.name,
    till: o.renew && tgt.renewTill ? tgt.renewTill : tgt.endtime,
    ...(renewable ? { rtime: tgt.renewTill } : {}),
    nonce: new DataView(random(4).buffer).getUint32(0) & 0x7fffffff,
    etype: [...o.enctypes],
  };
  const bodyDer = reqBodyDerFor({ reqBody: body });
  const profile = getProfile(tgt.sessionKey.enctype, weak);
  const cksum = { cksumtype: profile.checksumType, checksum: profile.checksum(tgt.sessionKey, KeyUsage.TGS_REQ_AUTH_CKSUM, bodyDer) };
  const ms = now.getTime();
  const authenticator = authenticatorCodec.encode({
    authenticatorVno: 5,
    crealm: tgt.client.realm,
    cname: tgt.client.name,
    cksum,
    cusec: (ms % 1000) * 1000,
    ctime: new Date(Math.floor(ms / 1000) * 1000),
  });
  const apReq = apReqCodec.encode({
    pvno: 5,
    msgType: 14,
    apOptions: flagsFromBits([]),
    ticket: tgt.ticket,
    authenticator: { etype: tgt.sessionKey.enctype, cipher: profile.encrypt(tgt.sessionKey, KeyUsage.TGS_REQ_AUTH, authenticator) },
  });
  const req = tgsReqCodec.encode({ pvno: 5, msgType: 12, padata: [{ padataType: PaDataType['PA-TGS-REQ'], padataValue: apReq }], reqBody: body, reqBodyDer: bodyDer });
  const reply = await o.kdc.send(tgsRealm(tgt), req);
  if (reply[0] === 0x7e) throw krbErrorToSpnego(krbErrorCodec.decode(reply), `TGS exchange for ${server.name.nameString.join('/')}@${realmAsked}`);
  const rep = tgsRepCodec.decode(reply);
  let plain: Uint8Array;
  try {
    plain = decryptFromPeer(tgt.sessionKey, rep.encPart, KeyUsage.TGS_REP_ENCPART_SESSKEY, weak, 'the TGS-REP');
  } catch (e) {
    if (e instanceof SpnegoError && e.code === 'BAD_MIC') throw new SpnegoError('DEFECTIVE_TOKEN', 'the TGS-REP does not decrypt with the TGT session key');
    throw e;
  }
  const part = encTgsRepPartCodec.decode(plain);
  if (part.nonce !== body.nonce && (part.nonce >>> 0) !== body.nonce) throw new SpnegoError('DEFECTIVE_TOKEN', 'the TGS-REP nonce does not match our request');
  const cred = credentialFromReply(rep, part);
  return tgt.kdcOffsetSeconds ? { ...cred, kdcOffsetSeconds: tgt.kdcOffsetSeconds } : cred;
}

/** A service ticket for `server`, following referrals across realms. */
export async function tgsExchange(o: TgsRequestOptions): Promise<Credential> {
  if (o.renew || o.forwarded) return tgsOnce(o, o.tgt, o.tgt.server, o.tgt.server.realm);
  let tgt = o.tgt;
  let realm = tgsRealm(o.tgt);
  if (!isTgs(o.server) && o.server.realm !== '' && o.server.realm !== realm) {
    tgt = await crossRealmTgt(o, tgt, o.server.realm);
    realm = o.server.realm;
  }
  for (let hop = 0; hop <= (o.maxReferrals ?? 10); hop++) {
    const cred = await tgsOnce(o, tgt, { ...o.server, realm }, realm);
    // A krbtgt/OTHER@realm ticket when we did not ask for a TGS: a referral to OTHER.
    if (isTgs(cred.server) && !isTgs(o.server) && !samePrincipal(cred.server.name, tgsPrincipal(realm).name)) {
      tgt = cred;
      realm = cred.server.name.nameString[1]!;
      continue;
    }
    if (!isTgs(o.server) && !samePrincipal(cred.server.name, o.server.name) && !(o.canonicalize ?? true)) {
      throw new SpnegoError('DEFECTIVE_TOKEN', 'the TGS-REP names another server than the one we asked for');
    }
    return cred;
  }
  throw new SpnegoError('KDC_ERROR', 'too many referrals');
}

/** The realm whose KDC issued `tgt` for use: krbtgt/REALM@ISSUER is used at REALM's KDC. */
function tgsRealm(tgt: Credential): string {
  return isTgs(tgt.server) ? tgt.server.name.nameString[1]! : tgt.server.realm;
}

/**
 * A TGT for `target`'s KDC (MIT get_creds.c, non-referral): from each realm reached, ask for
 * krbtgt/R@current for the farthest realm R of the path first, then nearer ones when the KDC does
 * not know it; a KDC may also answer with a TGT for another realm of the path (its own capaths).
 */
async function crossRealmTgt(o: TgsRequestOptions, start: Credential, target: string): Promise<Credential> {
  let tgt = start;
  let current = tgsRealm(start);
  const path = realmPath(current, target, o.config);
  const plain = { ...o, canonicalize: false };
  for (let hop = 0; current !== target; hop++) {
    if (hop > (o.maxReferrals ?? 10)) throw new SpnegoError('KDC_ERROR', `too many realms on the way to ${target}`);
    const ahead = path.slice(path.indexOf(current) + 1);
    let next: Credential | undefined;
    let lastError: unknown;
    for (let i = ahead.length - 1; i >= 0 && !next; i--) {
      try {
        next = await tgsOnce(plain, tgt, tgsPrincipal(ahead[i]!, current), current);
      } catch (e) {
        if (!(e instanceof SpnegoError && e.code === 'BAD_NAME')) throw e;
        lastError = e;
      }
    }
    if (!next) throw lastError instanceof SpnegoError ? lastError : new SpnegoError('BAD_NAME', `no path of cross-realm TGTs to ${target}`);
    const reached = isTgs(next.server) ? next.server.name.nameString[1]! : '';
    if (!ahead.includes(reached)) throw new SpnegoError('DEFECTIVE_TOKEN', `the KDC of ${current} answered a TGT request with a ticket for ${reached || 'a non-TGS principal'}, off the path to ${target}`);
    tgt = next;
    current = reached;
  }
  return tgt;
}
