// HostAddress and HostAddresses (RFC 4120 5.2.5).
//   HostAddress ::= SEQUENCE { addr-type [0] Int32, address [1] OCTET STRING }
//   HostAddresses ::= SEQUENCE OF HostAddress
import { OCTET_STRING, derCodec, explicit, req, sequence, sequenceOf } from '../../der/index.js';
import { Int32 } from './basic.js';

export interface HostAddress {
  /** An AddressType number (src/iana/krb5.ts), e.g. 2 IPv4, 24 IPv6, 20 NetBios. */
  readonly addrType: number;
  readonly address: Uint8Array;
}
export type HostAddresses = readonly HostAddress[];

export const hostAddressCodec = derCodec<HostAddress>('HostAddress', sequence({
  addrType: req(explicit(0, Int32)),
  address: req(explicit(1, OCTET_STRING)),
}, 'HostAddress'));

export const hostAddressesCodec = derCodec<HostAddresses>(
  'HostAddresses',
  sequenceOf(hostAddressCodec.type, { label: 'HostAddresses' }),
);
