// Channel bindings for NTLM's MsvAvChannelBindings (MS-NLMP 2.2.2.1): the MD5 of a flattened
// gss_channel_bindings_struct (RFC 2744 3.11; the same flattening MS-KILE and gss-ntlmssp use):
//   initiator_addrtype (u32 LE) || initiator_address length (u32 LE) || initiator_address ||
//   acceptor_addrtype  (u32 LE) || acceptor_address length  (u32 LE) || acceptor_address  ||
//   application_data length (u32 LE) || application_data
// For TLS (RFC 5929 tls-server-end-point) only application_data is set:
//   "tls-server-end-point:" || H(server certificate DER).
import { concat, utf8 } from '../../bytes/encoding.js';
import { SpnegoError } from '../../errors.js';
import { md5, sha256 } from '../../crypto/provider.js';

export interface GssChannelBindings {
  readonly initiatorAddrType?: number;
  readonly initiatorAddress?: Uint8Array;
  readonly acceptorAddrType?: number;
  readonly acceptorAddress?: Uint8Array;
  readonly applicationData: Uint8Array;
}

function u32le(n: number): Uint8Array {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new SpnegoError('BAD_ARGUMENT', 'channel-binding address type must be a u32');
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
}

/** The flattened gss_channel_bindings_struct (exported for tests and for other mechanisms). */
export function encodeGssChannelBindings(cb: GssChannelBindings): Uint8Array {
  const ia = cb.initiatorAddress ?? new Uint8Array(0);
  const aa = cb.acceptorAddress ?? new Uint8Array(0);
  if (!(cb.applicationData instanceof Uint8Array)) throw new SpnegoError('BAD_ARGUMENT', 'applicationData must be a Uint8Array');
  return concat(
    u32le(cb.initiatorAddrType ?? 0), u32le(ia.length), ia,
    u32le(cb.acceptorAddrType ?? 0), u32le(aa.length), aa,
    u32le(cb.applicationData.length), cb.applicationData,
  );
}

/** MD5 of the flattened bindings: the 16-byte value of MsvAvChannelBindings. */
export function gssChannelBindingsHash(cb: GssChannelBindings): Uint8Array {
  return md5(encodeGssChannelBindings(cb));
}

const TLS_SERVER_END_POINT = utf8('tls-server-end-point:');

/**
 * RFC 5929 tls-server-end-point application data for a server certificate (DER).
 * Simplification, documented: the hash is always SHA-256. RFC 5929 4.1 says to use the
 * certificate's signature hash when it is stronger than SHA-256 (SHA-384/512 signed certificates);
 * for those, compute `concat("tls-server-end-point:", H(cert))` yourself and pass it as
 * `applicationData` to gssChannelBindingsHash.
 */
export function tlsServerEndPointBindings(certDer: Uint8Array): GssChannelBindings {
  if (!(certDer instanceof Uint8Array) || certDer.length === 0) throw new SpnegoError('BAD_ARGUMENT', 'certificate DER must be non-empty bytes');
  return { applicationData: concat(TLS_SERVER_END_POINT, sha256(certDer)) };
}
