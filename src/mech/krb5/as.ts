// The AS exchange (RFC 4120 3.1): a TGT (or an initial ticket for another service) with a
// password or keytab keys. The first request goes without pre-authentication; on
// KDC_ERR_PREAUTH_REQUIRED the salt and s2kparams come from PA-ETYPE-INFO2 and the request is
// resent with PA-ENC-TIMESTAMP (RFC 4120 5.2.7.2, 7.5.1 usage 1). The reply's enc-part (usage 3)
// must carry our nonce and name the server we asked for.
import { SpnegoError } from '../../errors.js';
import { ErrorCode as Krb, KdcOption, KeyUsage, PaDataType, NameType } from '../../iana/krb5.js';
import { asReqCodec } from '../../codec/krb5/kdc-req.js';
import { asRepCodec, type AsRep } from '../../codec/krb5/kdc-rep.js';
import { encAsRepPartCodec } from '../../codec/krb5/enc-kdc-rep-part.js';
import { krbErrorCodec, type KrbError } from '../../codec/krb5/krb-error.js';
import { methodDataCodec } from '../../codec/krb5/method-data.js';
import { etypeInfo2Codec, type EtypeInfo2Entry } from '../../codec/krb5/etype-info2.js';
import { paEncTsEncCodec } from '../../codec/krb5/pa-enc-ts-enc.js';
import { encryptedDataCodec } from '../../codec/krb5/encrypted-data.js';
import { kerbPaPacRequestCodec } from '../../codec/krb5/pa-pac-request.js';
import { flagsFromNames } from '../../codec/krb5/kerberos-flags.js';
import type { PaData } from '../../codec/krb5/pa-data.js';
import { findProfile, getProfile } from '../../crypto/krb5/registry.js';
import type { Key } from '../../crypto/krb5/profile.js';
import { randomBytes } from '../../crypto/provider.js';
import { krbErrorToSpnego } from './kdc-error.js';
import { samePrincipal, tgsPrincipal, type Principal } from './principal.js';
import { credentialFromReply, type Credential } from './credential.js';
import { decryptFromPeer } from './peer-encrypted.js';

export interface KdcSender {
  send(realm: string, request: Uint8Array): Promise<Uint8Array>;
}

export interface AsRequestOptions {
  readonly client: Principal;
  /** Default: the TGS of the client's realm. */
  readonly server?: Principal;
  /**
   * A password (string-to-key with the KDC's salt), or keys (from a keytab) by enctype. A
   * function is asked only once the KDC has answered that it knows the client (MIT's kinit
   * prompts then, not before: an unknown or disabled principal fails without a prompt).
   */
  readonly password?: string | (() => Promise<string>);
  readonly keys?: readonly Key[];
  readonly kdc: KdcSender;
  /** Enctypes to offer, preferred first. */
  readonly enctypes: readonly number[];
  readonly lifetimeSeconds?: number;
  readonly renewLifetimeSeconds?: number;
  readonly forwardable?: boolean;
  readonly proxiable?: boolean;
  /** Ask for name canonicalization (RFC 6806); the reply may then name the client differently. */
  readonly canonicalize?: boolean;
  /** Enterprise name (user@domain as one component, KRB_NT_ENTERPRISE, RFC 6806). */
  readonly enterprise?: boolean;
  readonly allowWeakCrypto?: boolean;
  readonly now?: () => Date;
  readonly random?: (n: number) => Uint8Array;
  /**
   * MIT's kdc_timesync (on by default): a KRB_AP_ERR_SKEW answer to our encrypted timestamp is
   * retried once with the KDC's time from the error, and the credential records the KDC's
   * offset (kdcOffsetSeconds, from the reply's authtime) for the authenticators made with it.
   */
  readonly timeSync?: boolean;
}

/** MIT's default salt: the realm followed by the name components (RFC 4120 4). */
export function defaultSalt(p: Principal): string {
  return p.realm + p.name.nameString.join('');
}

function isKrbError(b: Uint8Array): boolean {
  return b[0] === 0x7e;
}

function etypeInfo(padata: readonly PaData[] | undefined): EtypeInfo2Entry[] {
  for (const pa of padata ?? []) {
    if (pa.padataType === PaDataType['PA-ETYPE-INFO2']) return [...etypeInfo2Codec.decode(pa.padataValue)];
  }
  return [];
}

export async function asExchange(o: AsRequestOptions): Promise<Credential> {
  const now = o.now ?? (() => new Date());
  const random = o.random ?? randomBytes;
  const server = o.server ?? tgsPrincipal(o.client.realm);
  const cname = o.enterprise ? { nameType: NameType.KRB_NT_ENTERPRISE, nameString: [o.client.name.nameString.join('/')] } : o.client.name;
  const weak = { allowWeakCrypto: o.allowWeakCrypto ?? false };
  const enctypes = o.enctypes.filter((e) => findProfile(e, weak) !== undefined);
  if (enctypes.length === 0) throw new SpnegoError('BAD_MECH', 'no supported enctype to request');
  if (o.password === undefined && (o.keys ?? []).length === 0) throw new SpnegoError('NO_CRED', 'no password and no keys for the AS exchange');

  const options: string[] = [];
  if (o.forwardable) options.push('forwardable');
  if (o.proxiable) options.push('proxiable');
  // As MIT's kinit: renewable-ok always (a lifetime beyond the KDC's maximum comes back as a
  // renewable ticket, renew-till = the requested end), renewable when a renewable life is asked.
  options.push('renewable-ok');
  if (o.renewLifetimeSeconds) options.push('renewable');
  if (o.canonicalize || o.enterprise) options.push('canonicalize');
  const start = now();
  const till = new Date(Math.floor(start.getTime() / 1000) * 1000 + (o.lifetimeSeconds ?? 86400) * 1000);
  const nonce = new DataView(random(4).buffer).getUint32(0) & 0x7fffffff;
  const body = {
    kdcOptions: flagsFromNames(options, KdcOption),
    cname,
    realm: o.client.realm,
    sname: server.name,
    till,
    // A renewable life shorter than the lifetime is raised to it, as MIT's kinit does.
    ...(o.renewLifetimeSeconds ? { rtime: new Date(Math.floor(start.getTime() / 1000) * 1000 + Math.max(o.renewLifetimeSeconds, o.lifetimeSeconds ?? 86400) * 1000) } : {}),
    nonce,
    etype: enctypes,
  };
  // Ask for a PAC, as Windows clients do; MIT ignores it.
  const pacRequest: PaData = { padataType: PaDataType['PA-PAC-REQUEST'], padataValue: kerbPaPacRequestCodec.encode({ includePac: true }) };
  const send = async (padata: PaData[]): Promise<AsRep | KrbError> => {
    const req = asReqCodec.encode({ pvno: 5, msgType: 10, padata, reqBody: body });
    const reply = await o.kdc.send(o.client.realm, req);
    return isKrbError(reply) ? krbErrorCodec.decode(reply) : asRepCodec.decode(reply);
  };

  let key: Key | undefined;
  let password = typeof o.password === 'string' ? o.password : undefined;
  const withPassword = async (): Promise<KeySource> => {
    if (password === undefined && typeof o.password === 'function') password = await o.password();
    return { client: o.client, ...(password !== undefined ? { password } : {}), ...(o.keys ? { keys: o.keys } : {}) };
  };
  const timeSync = o.timeSync ?? true;
  let offsetMs = 0;
  let rep = await send([pacRequest]);
  if ('errorCode' in rep && rep.errorCode === Krb.KDC_ERR_PREAUTH_REQUIRED) {
    const info = rep.eData ? etypeInfo(methodDataCodec.decode(rep.eData)) : [];
    const k = chooseKey(await withPassword(), info, enctypes, weak);
    key = k;
    const encTimestamp = async (): Promise<AsRep | KrbError> => {
      const ts = new Date(now().getTime() + offsetMs);
      const tsEnc = paEncTsEncCodec.encode({ patimestamp: new Date(Math.floor(ts.getTime() / 1000) * 1000), pausec: (ts.getTime() % 1000) * 1000 });
      const encTs = encryptedDataCodec.encode({ etype: k.enctype, cipher: getProfile(k.enctype, weak).encrypt(k, KeyUsage.AS_REQ_PA_ENC_TIMESTAMP, tsEnc) });
      return send([{ padataType: PaDataType['PA-ENC-TIMESTAMP'], padataValue: encTs }, pacRequest]);
    };
    rep = await encTimestamp();
    // MIT get_in_tkt.c: with kdc_timesync, a skew error is retried once at the KDC's time.
    if (timeSync && 'errorCode' in rep && rep.errorCode === Krb.KRB_AP_ERR_SKEW) {
      offsetMs = rep.stime.getTime() + Math.floor(rep.susec / 1000) - now().getTime();
      rep = await encTimestamp();
    }
  }
  if ('errorCode' in rep) throw krbErrorToSpnego(rep, `AS exchange for ${o.client.name.nameString.join('/')}@${o.client.realm}`);

  // No pre-authentication was needed, or the reply's own PA-ETYPE-INFO2 gives the salt.
  if (!key || key.enctype !== rep.encPart.etype) key = chooseKey(await withPassword(), etypeInfo(rep.padata), [rep.encPart.etype], weak, rep.encPart.etype);
  let plain: Uint8Array;
  try {
    plain = decryptFromPeer(key, rep.encPart, KeyUsage.AS_REP_ENCPART, weak, 'the AS-REP');
  } catch (e) {
    if (e instanceof SpnegoError && e.code === 'BAD_MIC') throw new SpnegoError('UNAUTHORIZED', 'the AS-REP does not decrypt with our key: wrong password or key');
    throw e;
  }
  const part = encAsRepPartCodec.decode(plain);
  if (part.nonce !== nonce && (part.nonce >>> 0) !== nonce) throw new SpnegoError('DEFECTIVE_TOKEN', 'the AS-REP nonce does not match our request (a replayed or forged reply)');
  if (!o.canonicalize && !o.enterprise && (!samePrincipal(part.sname, server.name) || part.srealm !== server.realm)) {
    throw new SpnegoError('DEFECTIVE_TOKEN', 'the AS-REP names another server than the one we asked for');
  }
  const cred = credentialFromReply(rep, part);
  if (!timeSync) return cred;
  // MIT: the KDC's offset from the reply's authtime (whole seconds), kept with the ticket cache.
  // A second either way is the authtime's truncation and the round trip, not skew: kept as 0.
  const offset = Math.floor(part.authtime.getTime() / 1000) - Math.floor(now().getTime() / 1000);
  return Math.abs(offset) <= 1 ? cred : { ...cred, kdcOffsetSeconds: offset };
}

/** The key for the KDC's preferred enctype among ours: from the password with its salt, or from the keys. */
/** What chooseKey draws on: the password (once asked for) or the keys. */
interface KeySource {
  readonly client: Principal;
  readonly password?: string;
  readonly keys?: readonly Key[];
}

function chooseKey(o: KeySource, info: readonly EtypeInfo2Entry[], ours: readonly number[], weak: { allowWeakCrypto: boolean }, must?: number): Key {
  const candidates = must !== undefined ? [must] : info.length > 0 ? info.map((i) => i.etype).filter((e) => ours.includes(e)) : [...ours];
  for (const etype of candidates) {
    const profile = findProfile(etype, weak);
    if (!profile) continue;
    if (o.password !== undefined) {
      const entry = info.find((i) => i.etype === etype);
      const salt = entry?.salt ?? defaultSalt(o.client);
      try {
        return profile.stringToKey(o.password, salt, entry?.s2kparams);
      } catch (e) {
        // The s2kparams came from the KDC (PA-ETYPE-INFO2): a bad length or iteration count is its defect, not ours (MIT: KRB5_ERR_BAD_S2K_PARAMS).
        if (e instanceof SpnegoError && e.code === 'BAD_ARGUMENT' && entry?.s2kparams !== undefined) {
          throw new SpnegoError('DEFECTIVE_TOKEN', `the KDC's PA-ETYPE-INFO2 s2kparams for enctype ${etype} are not usable (${e.message})`);
        }
        throw e;
      }
    }
    const k = o.keys?.find((x) => x.enctype === etype);
    if (k) return k;
  }
  // Keys need no salt: when the KDC's ETYPE-INFO2 names only its preferred enctype (Samba does),
  // any key of an enctype we requested can still pre-authenticate.
  if (o.password === undefined && must === undefined) {
    const k = o.keys?.find((x) => ours.includes(x.enctype));
    if (k) return k;
  }
  throw new SpnegoError('BAD_MECH', 'no key for any enctype the KDC offers');
}
