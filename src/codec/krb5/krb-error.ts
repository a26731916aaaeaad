// KRB_ERROR (RFC 4120 5.9.1).
//   KRB-ERROR ::= [APPLICATION 30] SEQUENCE {
//     pvno [0] INTEGER (5), msg-type [1] INTEGER (30),
//     ctime [2] KerberosTime OPTIONAL, cusec [3] Microseconds OPTIONAL,
//     stime [4] KerberosTime, susec [5] Microseconds, error-code [6] Int32,
//     crealm [7] Realm OPTIONAL, cname [8] PrincipalName OPTIONAL,
//     realm [9] Realm -- service realm, sname [10] PrincipalName -- service name,
//     e-text [11] KerberosString OPTIONAL, e-data [12] OCTET STRING OPTIONAL }
import { OCTET_STRING, application, derCodec, explicit, opt, req, sequence } from '../../der/index.js';
import { fixedInt, Int32, KerberosString, KerberosTime, Microseconds, Realm } from './basic.js';
import { principalNameCodec, type PrincipalName } from './principal-name.js';

export interface KrbError {
  readonly pvno: 5;
  readonly msgType: 30;
  readonly ctime?: Date | undefined;
  readonly cusec?: number | undefined;
  readonly stime: Date;
  readonly susec: number;
  /** An ErrorCode number (src/iana/krb5.ts), e.g. 25 KDC_ERR_PREAUTH_REQUIRED, 37 KRB_AP_ERR_SKEW. */
  readonly errorCode: number;
  readonly crealm?: string | undefined;
  readonly cname?: PrincipalName | undefined;
  readonly realm: string;
  readonly sname: PrincipalName;
  readonly eText?: string | undefined;
  /**
   * Raw e-data: METHOD-DATA for KDC_ERR_PREAUTH_REQUIRED/FAILED (method-data.ts), TYPED-DATA or
   * Microsoft's KERB-ERROR-DATA otherwise (RFC 4120 5.9.1, MS-KILE 2.2.1). Kept as bytes.
   */
  readonly eData?: Uint8Array | undefined;
}

export const krbErrorCodec = derCodec<KrbError>('KRB-ERROR', application(30, sequence({
  pvno: req(explicit(0, fixedInt(5, 'pvno'))),
  msgType: req(explicit(1, fixedInt(30, 'KRB-ERROR msg-type'))),
  ctime: opt(explicit(2, KerberosTime)),
  cusec: opt(explicit(3, Microseconds)),
  stime: req(explicit(4, KerberosTime)),
  susec: req(explicit(5, Microseconds)),
  errorCode: req(explicit(6, Int32)),
  crealm: opt(explicit(7, Realm)),
  cname: opt(explicit(8, principalNameCodec.type)),
  realm: req(explicit(9, Realm)),
  sname: req(explicit(10, principalNameCodec.type)),
  eText: opt(explicit(11, KerberosString)),
  eData: opt(explicit(12, OCTET_STRING)),
}, 'KRB-ERROR')));
