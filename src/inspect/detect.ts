// Recognises a token by its first bytes and decodes it with the right codec:
// NTLMSSP signature, RFC 2743 framing (by mech OID), a bare NegotiationToken, a bare Kerberos message.
import { SpnegoError } from '../errors.js';
import { OID, isKerberosOid } from '../iana/oids.js';
import { hasNtlmSignature } from '../codec/ntlm/message.js';
import { InitialContextToken } from '../codec/gss/initial-context-token.js';
import { decodeSpnegoToken } from '../codec/spnego/spnego-token.js';
import { gssKrb5TokenCodec } from '../codec/krb5/gss-krb5-token.js';
import { inspectNtlm } from './ntlm.js';
import { gssKrb5Tree, inspectKrb5Message } from './krb5.js';
import { spnegoTree } from './spnego.js';
import { node, oid, secret, type InspectNode, type InspectValue, type RenderOptions } from './tree.js';

/** Decodes any supported token; throws SpnegoError (UNKNOWN_TOKEN when nothing recognises it). */
export function decodeAnyToken(b: Uint8Array, o: RenderOptions): InspectNode {
  if (b.length === 0) throw new SpnegoError('UNKNOWN_TOKEN', 'empty token', { offset: 0 });
  if (hasNtlmSignature(b)) return inspectNtlm(b, o);
  const first = b[0];
  if (first === 0x60) {
    const framed = InitialContextToken.decode(b);
    if (framed.mech === OID.SPNEGO) return spnegoTree(decodeSpnegoToken(b), o, innerToken);
    let inner: InspectValue;
    if (isKerberosOid(framed.mech)) inner = gssKrb5Tree(gssKrb5TokenCodec.decode(framed.innerToken), o);
    else if (framed.mech === OID.NTLMSSP && hasNtlmSignature(framed.innerToken)) inner = inspectNtlm(framed.innerToken, o);
    else inner = unknown(framed.innerToken, o);
    return node('InitialContextToken', { thisMech: oid(framed.mech), innerToken: inner });
  }
  if (first === 0xa0 || first === 0xa1) return spnegoTree(decodeSpnegoToken(b), o, innerToken);
  const krb = inspectKrb5Message(b, o);
  if (krb) return krb;
  throw new SpnegoError('UNKNOWN_TOKEN', `not a SPNEGO, Kerberos or NTLM token (first byte 0x${first!.toString(16).padStart(2, '0')})`, { offset: 0 });
}

/** Bytes no decoder recognised may still hold secrets: only their length unless asked. */
function unknown(b: Uint8Array, o: RenderOptions): InspectNode {
  return node('Unknown', { bytes: secret(b, o) });
}

/**
 * A mech token inside SPNEGO. A token we cannot decode is shown with its error rather than
 * failing the outer token, which did decode: the tree says which layer is broken.
 */
function innerToken(b: Uint8Array, o: RenderOptions): InspectValue {
  if (b.length === 0) return node('Empty', {});
  try {
    return decodeAnyToken(b, o);
  } catch (e) {
    if (!(e instanceof SpnegoError)) throw e;
    return node('Undecodable', { error: node('Error', { code: e.code, message: e.message, offset: e.offset ?? null }), bytes: secret(b, o) });
  }
}
