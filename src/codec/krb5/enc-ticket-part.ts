// EncTicketPart (RFC 4120 5.3): the plaintext of a Ticket's enc-part.
//   EncTicketPart ::= [APPLICATION 3] SEQUENCE {
//     flags [0] TicketFlags, key [1] EncryptionKey, crealm [2] Realm, cname [3] PrincipalName,
//     transited [4] TransitedEncoding, authtime [5] KerberosTime, starttime [6] KerberosTime OPTIONAL,
//     endtime [7] KerberosTime, renew-till [8] KerberosTime OPTIONAL,
//     caddr [9] HostAddresses OPTIONAL, authorization-data [10] AuthorizationData OPTIONAL }
import { application, derCodec, explicit, opt, req, sequence } from '../../der/index.js';
import { authorizationDataCodec, type AuthorizationData } from './authorization-data.js';
import { KerberosTime, Realm } from './basic.js';
import { encryptionKeyCodec, type EncryptionKey } from './encryption-key.js';
import { hostAddressesCodec, type HostAddresses } from './host-address.js';
import { kerberosFlagsType, type KerberosFlags } from './kerberos-flags.js';
import { principalNameCodec, type PrincipalName } from './principal-name.js';
import { transitedEncodingCodec, type TransitedEncoding } from './transited-encoding.js';

export interface EncTicketPart {
  /** TicketFlags: bit names in TicketFlag (src/iana/krb5.ts). */
  readonly flags: KerberosFlags;
  readonly key: EncryptionKey;
  readonly crealm: string;
  readonly cname: PrincipalName;
  readonly transited: TransitedEncoding;
  readonly authtime: Date;
  readonly starttime?: Date | undefined;
  readonly endtime: Date;
  readonly renewTill?: Date | undefined;
  readonly caddr?: HostAddresses | undefined;
  /** Usually AD-IF-RELEVANT holding AD-WIN2K-PAC. */
  readonly authorizationData?: AuthorizationData | undefined;
}

export const encTicketPartCodec = derCodec<EncTicketPart>('EncTicketPart', application(3, sequence({
  flags: req(explicit(0, kerberosFlagsType)),
  key: req(explicit(1, encryptionKeyCodec.type)),
  crealm: req(explicit(2, Realm)),
  cname: req(explicit(3, principalNameCodec.type)),
  transited: req(explicit(4, transitedEncodingCodec.type)),
  authtime: req(explicit(5, KerberosTime)),
  starttime: opt(explicit(6, KerberosTime)),
  endtime: req(explicit(7, KerberosTime)),
  renewTill: opt(explicit(8, KerberosTime)),
  caddr: opt(explicit(9, hostAddressesCodec.type)),
  authorizationData: opt(explicit(10, authorizationDataCodec.type)),
}, 'EncTicketPart')));
