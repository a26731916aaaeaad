// EncASRepPart and EncTGSRepPart (RFC 4120 5.4.2, RFC 6806 11): the plaintext of a KDC-REP's enc-part.
//   EncASRepPart  ::= [APPLICATION 25] EncKDCRepPart
//   EncTGSRepPart ::= [APPLICATION 26] EncKDCRepPart
//   EncKDCRepPart ::= SEQUENCE {
//     key [0] EncryptionKey, last-req [1] LastReq, nonce [2] UInt32,
//     key-expiration [3] KerberosTime OPTIONAL, flags [4] TicketFlags, authtime [5] KerberosTime,
//     starttime [6] KerberosTime OPTIONAL, endtime [7] KerberosTime, renew-till [8] KerberosTime OPTIONAL,
//     srealm [9] Realm, sname [10] PrincipalName, caddr [11] HostAddresses OPTIONAL,
//     encrypted-pa-data [12] METHOD-DATA OPTIONAL -- RFC 6806 -- }
// RFC 4120 5.4.2 lets a client relax the tag check, as some KDCs send one tag for both replies:
// MIT 1.20 tags the AS-REP's part [APPLICATION 26] too (test/vectors/krb5-kdc-messages.json), and
// [APPLICATION 25] inside TGS-REPs has been reported from other KDCs. Both codecs accept either tag;
// a decoded value records the tag in `applicationTag` only when it is not the usual one, and
// encoding uses `applicationTag` when present, so such parts round-trip byte for byte.
import { decodeError } from '../../errors.js';
import {
  CLASS_APPLICATION, derCodec, encodeConstructed, encodeError, expectTag, explicit, opt, readTlv, req, sequence,
  type DerType, type TagSpec,
} from '../../der/index.js';
import { KerberosTime, Realm, UInt32Compat } from './basic.js';
import { encryptionKeyCodec, type EncryptionKey } from './encryption-key.js';
import { hostAddressesCodec, type HostAddresses } from './host-address.js';
import { kerberosFlagsType, type KerberosFlags } from './kerberos-flags.js';
import { lastReqCodec, type LastReq } from './last-req.js';
import { methodDataCodec } from './method-data.js';
import type { PaData } from './pa-data.js';
import { principalNameCodec, type PrincipalName } from './principal-name.js';

/** The two APPLICATION tags an EncKDCRepPart may carry: 25 EncASRepPart, 26 EncTGSRepPart. */
export type EncKdcRepPartTag = 25 | 26;

export interface EncKdcRepPart {
  /** The new session key (secret: wipe after use). */
  readonly key: EncryptionKey;
  readonly lastReq: LastReq;
  /** Must equal the request's nonce. UInt32, Windows-style negative values accepted (UInt32Compat). */
  readonly nonce: number;
  readonly keyExpiration?: Date | undefined;
  /** TicketFlags: bit names in TicketFlag (src/iana/krb5.ts). */
  readonly flags: KerberosFlags;
  readonly authtime: Date;
  readonly starttime?: Date | undefined;
  readonly endtime: Date;
  readonly renewTill?: Date | undefined;
  readonly srealm: string;
  readonly sname: PrincipalName;
  readonly caddr?: HostAddresses | undefined;
  /** RFC 6806 encrypted-pa-data (e.g. PA-REQ-ENC-PA-REP's checksum of the AS-REQ). */
  readonly encryptedPaData?: readonly PaData[] | undefined;
  /**
   * The APPLICATION tag as received, present only when it is not the usual one for the codec
   * (26 read by encAsRepPartCodec, 25 read by encTgsRepPartCodec). Encoding uses it when present.
   */
  readonly applicationTag?: EncKdcRepPartTag | undefined;
}
export type EncAsRepPart = EncKdcRepPart;
export type EncTgsRepPart = EncKdcRepPart;

const encKdcRepPartFields: DerType<EncKdcRepPart> = sequence({
  key: req(explicit(0, encryptionKeyCodec.type)),
  lastReq: req(explicit(1, lastReqCodec.type)),
  nonce: req(explicit(2, UInt32Compat)),
  keyExpiration: opt(explicit(3, KerberosTime)),
  flags: req(explicit(4, kerberosFlagsType)),
  authtime: req(explicit(5, KerberosTime)),
  starttime: opt(explicit(6, KerberosTime)),
  endtime: req(explicit(7, KerberosTime)),
  renewTill: opt(explicit(8, KerberosTime)),
  srealm: req(explicit(9, Realm)),
  sname: req(explicit(10, principalNameCodec.type)),
  caddr: opt(explicit(11, hostAddressesCodec.type)),
  encryptedPaData: opt(explicit(12, methodDataCodec.type)),
}, 'EncKDCRepPart');

function encKdcRepPartType(usual: EncKdcRepPartTag, name: string): DerType<EncKdcRepPart> {
  const spec: TagSpec = { cls: CLASS_APPLICATION, tag: usual, constructed: true };
  const label = `${name} [APPLICATION 25 or 26]`;
  const ok = (t: { cls: number; tag: number; constructed: boolean }): boolean =>
    t.cls === CLASS_APPLICATION && t.constructed && (t.tag === 25 || t.tag === 26);
  return {
    tagSpec: spec,
    label,
    matches: ok,
    decodeTlv(t, ctx) {
      if (!ok(t)) expectTag(spec, t, name);
      ctx.enter(t.start);
      const c = readTlv(t.input, t.valueStart, t.end, ctx);
      if (c.end !== t.end) decodeError('DECODE_TRAILING_BYTES', `extra content inside ${name}`, c.end);
      if (!encKdcRepPartFields.matches(c)) expectTag(encKdcRepPartFields.tagSpec!, c, 'EncKDCRepPart');
      const v: EncKdcRepPart = encKdcRepPartFields.decodeTlv(c, ctx);
      ctx.leave();
      return t.tag === usual ? v : { ...v, applicationTag: t.tag as EncKdcRepPartTag };
    },
    encode(v) {
      const tag = v.applicationTag ?? usual;
      if (tag !== 25 && tag !== 26) encodeError(`${name} applicationTag must be 25 or 26, got ${String(tag)}`);
      return encodeConstructed(CLASS_APPLICATION, tag, [encKdcRepPartFields.encode(v)]);
    },
  };
}

/** EncASRepPart ::= [APPLICATION 25] EncKDCRepPart (also reads [APPLICATION 26], as MIT sends). */
export const encAsRepPartCodec = derCodec<EncAsRepPart>('EncASRepPart', encKdcRepPartType(25, 'EncASRepPart'));
/** EncTGSRepPart ::= [APPLICATION 26] EncKDCRepPart (also reads [APPLICATION 25]). */
export const encTgsRepPartCodec = derCodec<EncTgsRepPart>('EncTGSRepPart', encKdcRepPartType(26, 'EncTGSRepPart'));
