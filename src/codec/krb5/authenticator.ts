// Authenticator (RFC 4120 5.5.1): the plaintext of AP-REQ's authenticator field.
//   Authenticator ::= [APPLICATION 2] SEQUENCE {
//     authenticator-vno [0] INTEGER (5), crealm [1] Realm, cname [2] PrincipalName,
//     cksum [3] Checksum OPTIONAL, cusec [4] Microseconds, ctime [5] KerberosTime,
//     subkey [6] EncryptionKey OPTIONAL, seq-number [7] UInt32 OPTIONAL,
//     authorization-data [8] AuthorizationData OPTIONAL }
import { application, derCodec, explicit, opt, req, sequence } from '../../der/index.js';
import { authorizationDataCodec, type AuthorizationData } from './authorization-data.js';
import { fixedInt, KerberosTime, Microseconds, Realm, UInt32Compat } from './basic.js';
import { checksumCodec, type Checksum } from './checksum.js';
import { encryptionKeyCodec, type EncryptionKey } from './encryption-key.js';
import { principalNameCodec, type PrincipalName } from './principal-name.js';

export interface Authenticator {
  readonly authenticatorVno: 5;
  readonly crealm: string;
  readonly cname: PrincipalName;
  /** In GSS-API, cksumtype 0x8003 carrying channel bindings and context flags (RFC 4121 4.1.1). */
  readonly cksum?: Checksum | undefined;
  readonly cusec: number;
  readonly ctime: Date;
  readonly subkey?: EncryptionKey | undefined;
  /** UInt32 in RFC 4120; Windows sends values >= 2^31 as negative Int32 (see UInt32Compat). */
  readonly seqNumber?: number | undefined;
  readonly authorizationData?: AuthorizationData | undefined;
}

export const authenticatorCodec = derCodec<Authenticator>('Authenticator', application(2, sequence({
  authenticatorVno: req(explicit(0, fixedInt(5, 'authenticator-vno'))),
  crealm: req(explicit(1, Realm)),
  cname: req(explicit(2, principalNameCodec.type)),
  cksum: opt(explicit(3, checksumCodec.type)),
  cusec: req(explicit(4, Microseconds)),
  ctime: req(explicit(5, KerberosTime)),
  subkey: opt(explicit(6, encryptionKeyCodec.type)),
  seqNumber: opt(explicit(7, UInt32Compat)),
  authorizationData: opt(explicit(8, authorizationDataCodec.type)),
}, 'Authenticator')));
