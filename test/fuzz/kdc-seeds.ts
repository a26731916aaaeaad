// The KDC exchanges recorded from the lab (test/vectors/lab-kdc-client.json, made by
// capture-kdc-seeds.ts), replayed in process: the user's keys from its known password, the TGT,
// service ticket and forwarded TGT they grant, and the decrypted enc-parts. Used by the
// krb5-client:* and krb5-delegation:* fuzz targets (targets.ts) and by regressions.test.ts.
import { fromHex } from '../../src/bytes/index.js';
import { KeyUsage, PaDataType } from '../../src/iana/krb5.js';
import { asRepCodec, etypeInfo2Codec, tgsRepCodec } from '../../src/codec/krb5/index.js';
import { getProfile } from '../../src/crypto/krb5/registry.js';
import type { Key } from '../../src/crypto/krb5/profile.js';
import { asExchange, defaultSalt, type KdcSender } from '../../src/mech/krb5/as.js';
import { tgsExchange } from '../../src/mech/krb5/tgs.js';
import { parsePrincipal, type Principal } from '../../src/mech/krb5/principal.js';
import type { Credential } from '../../src/mech/krb5/credential.js';
import { readJson } from '../helpers/paths.js';

interface Recorded {
  client: string;
  password: string;
  service: string;
  randomByte: number;
  exchanges: { enctype: number; capturedAt: string; messages: { name: string; direction: string; hex: string }[] }[];
}
const RECORDED = readJson<Recorded>('test/vectors/lab-kdc-client.json');

export const KDC_CLIENT = parsePrincipal(RECORDED.client);
export const KDC_SERVICE = parsePrincipal(RECORDED.service);
/** The `random` the requests were made with: the same nonce, so the replies pass the nonce check. */
export const kdcRandom = (n: number): Uint8Array => new Uint8Array(n).fill(RECORDED.randomByte);
/** The enctypes every replaying client offers (the enctype of the exchange is among them). */
export const KDC_ENCTYPES = [18, 17, 20, 19];

/** A KdcSender that answers the i-th request with replies[i] (the last one again after that). */
export function replaying(...replies: Uint8Array[]): KdcSender & { requests: Uint8Array[] } {
  const requests: Uint8Array[] = [];
  return {
    requests,
    send: (_realm: string, request: Uint8Array): Promise<Uint8Array> => {
      requests.push(request);
      return Promise.resolve(replies[Math.min(requests.length - 1, replies.length - 1)]!);
    },
  };
}

export interface KdcSeed {
  readonly enctype: number;
  readonly now: () => Date;
  readonly asRep: Uint8Array;
  readonly tgsRep: Uint8Array;
  readonly tgsRepForwarded: Uint8Array;
  /** The user's keys for every enctype we offer, from the password and the salt of the AS-REP's PA-ETYPE-INFO2. */
  readonly keys: Key[];
  readonly tgt: Credential;
  readonly service: Credential;
  readonly forwarded: Credential;
  /** Decrypted enc-parts: the EncASRepPart and the EncTGSRepParts. */
  readonly encAsRepPart: Uint8Array;
  readonly encTgsRepPart: Uint8Array;
  readonly encTgsRepPartForwarded: Uint8Array;
}

function userKeys(asRep: Uint8Array, client: Principal): Key[] {
  const rep = asRepCodec.decode(asRep);
  const pa = rep.padata?.find((p) => p.padataType === PaDataType['PA-ETYPE-INFO2']);
  const info = pa ? etypeInfo2Codec.decode(pa.padataValue) : [];
  return KDC_ENCTYPES.map((e) => {
    const entry = info.find((i) => i.etype === e);
    return getProfile(e).stringToKey(RECORDED.password, entry?.salt ?? defaultSalt(client), entry?.s2kparams);
  });
}

/** Replays each recorded exchange through asExchange/tgsExchange (any failure here is a broken seed file). */
export async function loadKdcSeeds(): Promise<KdcSeed[]> {
  const out: KdcSeed[] = [];
  for (const x of RECORDED.exchanges) {
    const reply = (name: string): Uint8Array => fromHex(x.messages.find((m) => m.direction === 'reply' && m.name === name)!.hex);
    const asRep = reply('as:as-rep');
    const tgsRep = reply('tgs:tgs-rep');
    const tgsRepForwarded = reply('tgs-forwarded:tgs-rep');
    const at = new Date(x.capturedAt);
    const now = (): Date => at;
    const keys = userKeys(asRep, KDC_CLIENT);
    const common = { enctypes: KDC_ENCTYPES, random: kdcRandom, now };
    const tgt = await asExchange({ client: KDC_CLIENT, keys, kdc: replaying(asRep), forwardable: true, ...common });
    const service = await tgsExchange({ tgt, server: KDC_SERVICE, kdc: replaying(tgsRep), ...common });
    const forwarded = await tgsExchange({ tgt, server: tgt.server, kdc: replaying(tgsRepForwarded), forwarded: true, ...common });
    const asKey = keys.find((k) => k.enctype === asRepCodec.decode(asRep).encPart.etype)!;
    const dec = (key: Key, usage: number, cipher: Uint8Array): Uint8Array => getProfile(key.enctype).decrypt(key, usage, cipher);
    out.push({
      enctype: x.enctype, now, asRep, tgsRep, tgsRepForwarded, keys, tgt, service, forwarded,
      encAsRepPart: dec(asKey, KeyUsage.AS_REP_ENCPART, asRepCodec.decode(asRep).encPart.cipher),
      encTgsRepPart: dec(tgt.sessionKey, KeyUsage.TGS_REP_ENCPART_SESSKEY, tgsRepCodec.decode(tgsRep).encPart.cipher),
      encTgsRepPartForwarded: dec(tgt.sessionKey, KeyUsage.TGS_REP_ENCPART_SESSKEY, tgsRepCodec.decode(tgsRepForwarded).encPart.cipher),
    });
  }
  return out;
}
