// Channel bindings for NTLM's MsvAvChannelBindings (MS-NLMP 2.2.2.1): the MD5 of a flattened
// gss_channel_bindings_struct (RFC 2744 3.11; the same flattening MS-KILE and gss-ntlmssp use):
//   initiator_addrtype (u32 LE) || initiator_address length (u32 LE) || initiator_address ||
//   acceptor_addrtype  (u32 LE) || acceptor_address length  (u32 LE) || acceptor_address  ||
//   application_data length (u32 LE) || application_data
// For TLS (RFC 5929 tls-server-end-point) only application_data is set:
//   "tls-server-end-point:" || H(server certificate DER), H = SHA-256 unless the certificate is
//   signed with SHA-384/512 (RFC 5929 4.1). SHA-384/512 come from node:crypto directly: the crypto
//   provider offers only SHA-256.
import { createHash } from 'node:crypto';
import { concat, toHex, utf8 } from '../../bytes/encoding.js';
import { resolveLimits } from '../../codec/codec.js';
import { DerContext, readChildren, readTlv, tlvValue } from '../../der/tlv.js';
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

// signatureAlgorithm OIDs (DER value bytes, hex) whose hash is stronger than SHA-256.
const SHA384_SIGNATURES = new Set(['2a864886f70d01010c' /* sha384WithRSAEncryption */, '2a8648ce3d040303' /* ecdsa-with-SHA384 */]);
const SHA512_SIGNATURES = new Set(['2a864886f70d01010d' /* sha512WithRSAEncryption */, '2a8648ce3d040304' /* ecdsa-with-SHA512 */]);

const RSASSA_PSS = '2a864886f70d01010a'; // 1.2.840.113549.1.1.10: the hash is in the parameters
const SHA384 = '608648016503040202'; // 2.16.840.1.101.3.4.2.2
const SHA512 = '608648016503040203'; // 2.16.840.1.101.3.4.2.3

/**
 * The hash RFC 5929 4.1 picks for a certificate: its signature hash, but SHA-256 when that is
 * MD5, SHA-1 or weaker. For RSASSA-PSS the hash is RSASSA-PSS-params' hashAlgorithm ([0],
 * default SHA-1, so SHA-256), as Windows and pyspnego read it.
 */
export function tlsServerEndPointHash(certDer: Uint8Array): 'sha256' | 'sha384' | 'sha512' {
  let oidHex: string;
  let pssHashHex: string | undefined;
  try {
    const ctx = new DerContext(resolveLimits());
    const cert = readTlv(certDer, 0, certDer.length, ctx);
    if (cert.end !== certDer.length || !cert.constructed || cert.tag !== 16) throw new Error('not a SEQUENCE');
    const sigAlg = readChildren(cert, ctx)[1];
    if (sigAlg === undefined || !sigAlg.constructed || sigAlg.tag !== 16) throw new Error('no signatureAlgorithm');
    const [oid, params] = readChildren(sigAlg, ctx);
    if (oid === undefined || oid.tag !== 6) throw new Error('no algorithm OID');
    oidHex = toHex(tlvValue(oid));
    if (oidHex === RSASSA_PSS && params !== undefined && params.constructed && params.tag === 16) {
      const hashAlg = readChildren(params, ctx).find((c) => c.cls === 2 && c.tag === 0 && c.constructed);
      const algId = hashAlg ? readChildren(hashAlg, ctx)[0] : undefined;
      const hashOid = algId && algId.constructed ? readChildren(algId, ctx)[0] : undefined;
      if (hashOid && hashOid.tag === 6) pssHashHex = toHex(tlvValue(hashOid));
    }
  } catch (e) {
    throw new SpnegoError('BAD_ARGUMENT', 'not a DER X.509 certificate', { cause: e });
  }
  if (SHA384_SIGNATURES.has(oidHex) || pssHashHex === SHA384) return 'sha384';
  if (SHA512_SIGNATURES.has(oidHex) || pssHashHex === SHA512) return 'sha512';
  return 'sha256';
}

/**
 * RFC 5929 tls-server-end-point channel bindings for a server certificate (DER):
 * application data "tls-server-end-point:" || H(certificate), H per tlsServerEndPointHash.
 * EdDSA signatures (which name no hash) use SHA-256, as do MD5/SHA-1/SHA-256 and unknown algorithms.
 */
export function tlsServerEndPointBindings(certDer: Uint8Array): GssChannelBindings {
  if (!(certDer instanceof Uint8Array) || certDer.length === 0) throw new SpnegoError('BAD_ARGUMENT', 'certificate DER must be non-empty bytes');
  const alg = tlsServerEndPointHash(certDer);
  const h = alg === 'sha256' ? sha256(certDer) : new Uint8Array(createHash(alg).update(certDer).digest());
  return { applicationData: concat(TLS_SERVER_END_POINT, h) };
}
