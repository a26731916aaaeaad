// KRB_CRED (RFC 4120 5.8): forwarded credentials (GSS delegation carries one in the 0x8003 checksum).
//   KRB-CRED ::= [APPLICATION 22] SEQUENCE {
//     pvno [0] INTEGER (5), msg-type [1] INTEGER (22),
//     tickets [2] SEQUENCE OF Ticket, enc-part [3] EncryptedData -- EncKrbCredPart -- }
//   EncKrbCredPart ::= [APPLICATION 29] SEQUENCE {
//     ticket-info [0] SEQUENCE OF KrbCredInfo, nonce [1] UInt32 OPTIONAL,
//     timestamp [2] KerberosTime OPTIONAL, usec [3] Microseconds OPTIONAL,
//     s-address [4] HostAddress OPTIONAL, r-address [5] HostAddress OPTIONAL }
//   KrbCredInfo ::= SEQUENCE {
//     key [0] EncryptionKey, prealm [1] Realm OPTIONAL, pname [2] PrincipalName OPTIONAL,
//     flags [3] TicketFlags OPTIONAL, authtime [4] KerberosTime OPTIONAL,
//     starttime [5] KerberosTime OPTIONAL, endtime [6] KerberosTime OPTIONAL,
//     renew-till [7] KerberosTime OPTIONAL, srealm [8] Realm OPTIONAL,
//     sname [9] PrincipalName OPTIONAL, caddr [10] HostAddresses OPTIONAL }
// MIT and Windows encrypt enc-part under the AP-REQ session or subkey (key usage 14); MIT also
// sends it unencrypted (etype 0, cipher = the EncKrbCredPart DER) when no key is available.
import { application, derCodec, explicit, opt, req, sequence, sequenceOf, type DerType } from '../../der/index.js';
import { fixedInt, KerberosTime, Microseconds, Realm, UInt32Compat } from './basic.js';
import { encryptedDataType, type EncryptedData } from './encrypted-data.js';
import { encryptionKeyCodec, type EncryptionKey } from './encryption-key.js';
import { hostAddressCodec, hostAddressesCodec, type HostAddress, type HostAddresses } from './host-address.js';
import { kerberosFlagsType, type KerberosFlags } from './kerberos-flags.js';
import { principalNameCodec, type PrincipalName } from './principal-name.js';
import { ticketCodec, type Ticket } from './ticket.js';

export interface KrbCred {
  readonly pvno: 5;
  readonly msgType: 22;
  readonly tickets: readonly Ticket[];
  /** Encrypted EncKrbCredPart (key usage 14), or etype 0 holding it in the clear. */
  readonly encPart: EncryptedData;
}

export interface KrbCredInfo {
  /** The session key of the matching ticket (secret: wipe after use). */
  readonly key: EncryptionKey;
  readonly prealm?: string | undefined;
  readonly pname?: PrincipalName | undefined;
  /** TicketFlags: bit names in TicketFlag (src/iana/krb5.ts). */
  readonly flags?: KerberosFlags | undefined;
  readonly authtime?: Date | undefined;
  readonly starttime?: Date | undefined;
  readonly endtime?: Date | undefined;
  readonly renewTill?: Date | undefined;
  readonly srealm?: string | undefined;
  readonly sname?: PrincipalName | undefined;
  readonly caddr?: HostAddresses | undefined;
}

export interface EncKrbCredPart {
  /** One entry per ticket, in the order of KRB-CRED's tickets. */
  readonly ticketInfo: readonly KrbCredInfo[];
  /** UInt32, Windows-style negative values accepted (UInt32Compat). */
  readonly nonce?: number | undefined;
  readonly timestamp?: Date | undefined;
  readonly usec?: number | undefined;
  readonly sAddress?: HostAddress | undefined;
  readonly rAddress?: HostAddress | undefined;
}

export const krbCredCodec = derCodec<KrbCred>('KRB-CRED', application(22, sequence({
  pvno: req(explicit(0, fixedInt(5, 'pvno'))),
  msgType: req(explicit(1, fixedInt(22, 'KRB-CRED msg-type'))),
  tickets: req(explicit(2, sequenceOf(ticketCodec.type, { label: 'SEQUENCE OF Ticket' }))),
  encPart: req(explicit(3, encryptedDataType)),
}, 'KRB-CRED')));

export const krbCredInfoType: DerType<KrbCredInfo> = sequence({
  key: req(explicit(0, encryptionKeyCodec.type)),
  prealm: opt(explicit(1, Realm)),
  pname: opt(explicit(2, principalNameCodec.type)),
  flags: opt(explicit(3, kerberosFlagsType)),
  authtime: opt(explicit(4, KerberosTime)),
  starttime: opt(explicit(5, KerberosTime)),
  endtime: opt(explicit(6, KerberosTime)),
  renewTill: opt(explicit(7, KerberosTime)),
  srealm: opt(explicit(8, Realm)),
  sname: opt(explicit(9, principalNameCodec.type)),
  caddr: opt(explicit(10, hostAddressesCodec.type)),
}, 'KrbCredInfo');

export const krbCredInfoCodec = derCodec<KrbCredInfo>('KrbCredInfo', krbCredInfoType);

export const encKrbCredPartCodec = derCodec<EncKrbCredPart>('EncKrbCredPart', application(29, sequence({
  ticketInfo: req(explicit(0, sequenceOf(krbCredInfoType, { label: 'SEQUENCE OF KrbCredInfo' }))),
  nonce: opt(explicit(1, UInt32Compat)),
  timestamp: opt(explicit(2, KerberosTime)),
  usec: opt(explicit(3, Microseconds)),
  sAddress: opt(explicit(4, hostAddressCodec.type)),
  rAddress: opt(explicit(5, hostAddressCodec.type)),
}, 'EncKrbCredPart')));
