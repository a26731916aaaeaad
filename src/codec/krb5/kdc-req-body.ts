// KDC-REQ-BODY (RFC 4120 5.4.1): the body of AS-REQ and TGS-REQ. In a TGS-REQ the PA-TGS-REQ
// authenticator's checksum covers the exact DER of this SEQUENCE (RFC 4120 7.2.2 / 5.4.1), which is
// why kdc-req.ts keeps those bytes (reqBodyDer).
//   KDC-REQ-BODY ::= SEQUENCE {
//     kdc-options [0] KDCOptions, cname [1] PrincipalName OPTIONAL -- Used only in AS-REQ --,
//     realm [2] Realm -- Server's realm, also client's in AS-REQ --,
//     sname [3] PrincipalName OPTIONAL, from [4] KerberosTime OPTIONAL, till [5] KerberosTime,
//     rtime [6] KerberosTime OPTIONAL, nonce [7] UInt32,
//     etype [8] SEQUENCE OF Int32 -- EncryptionType -- in preference order --,
//     addresses [9] HostAddresses OPTIONAL,
//     enc-authorization-data [10] EncryptedData OPTIONAL -- AuthorizationData --,
//     additional-tickets [11] SEQUENCE OF Ticket OPTIONAL }
//   KDCOptions ::= KerberosFlags
import { derCodec, explicit, opt, req, sequence, sequenceOf, type DerType } from '../../der/index.js';
import { Int32, KerberosTime, Realm, UInt32Compat } from './basic.js';
import { encryptedDataType, type EncryptedData } from './encrypted-data.js';
import { hostAddressesCodec, type HostAddresses } from './host-address.js';
import { kerberosFlagsType, type KerberosFlags } from './kerberos-flags.js';
import { principalNameCodec, type PrincipalName } from './principal-name.js';
import { ticketCodec, type Ticket } from './ticket.js';

export interface KdcReqBody {
  /** KDCOptions: bit names in KdcOption (src/iana/krb5.ts); see kerberos-flags.ts. */
  readonly kdcOptions: KerberosFlags;
  /** The client; AS-REQ only (and S4U/user-to-user TGS-REQs in MS-SFU). */
  readonly cname?: PrincipalName | undefined;
  /** The server's realm (also the client's in an AS-REQ). */
  readonly realm: string;
  /** The requested service; absent only with the enc-tkt-in-skey user-to-user form. */
  readonly sname?: PrincipalName | undefined;
  readonly from?: Date | undefined;
  /** Requested end time. MIT sends the configured lifetime; Windows 20370913024805Z. */
  readonly till: Date;
  readonly rtime?: Date | undefined;
  /** UInt32 in RFC 4120; Windows sends values >= 2^31 as negative Int32 (see UInt32Compat). */
  readonly nonce: number;
  /** EncType numbers (src/iana/krb5.ts) in preference order. */
  readonly etype: readonly number[];
  readonly addresses?: HostAddresses | undefined;
  /** Encrypted AuthorizationData (key usage 4 or 5), TGS-REQ only. */
  readonly encAuthorizationData?: EncryptedData | undefined;
  /** For user-to-user (enc-tkt-in-skey) and S4U2Proxy (cname-in-addl-tkt). */
  readonly additionalTickets?: readonly Ticket[] | undefined;
}

export const kdcReqBodyType: DerType<KdcReqBody> = sequence({
  kdcOptions: req(explicit(0, kerberosFlagsType)),
  cname: opt(explicit(1, principalNameCodec.type)),
  realm: req(explicit(2, Realm)),
  sname: opt(explicit(3, principalNameCodec.type)),
  from: opt(explicit(4, KerberosTime)),
  till: req(explicit(5, KerberosTime)),
  rtime: opt(explicit(6, KerberosTime)),
  nonce: req(explicit(7, UInt32Compat)),
  etype: req(explicit(8, sequenceOf(Int32, { label: 'SEQUENCE OF EncryptionType' }))),
  addresses: opt(explicit(9, hostAddressesCodec.type)),
  encAuthorizationData: opt(explicit(10, encryptedDataType)),
  additionalTickets: opt(explicit(11, sequenceOf(ticketCodec.type, { label: 'SEQUENCE OF Ticket' }))),
}, 'KDC-REQ-BODY');

export const kdcReqBodyCodec = derCodec<KdcReqBody>('KDC-REQ-BODY', kdcReqBodyType);
