// Shared checks for real captured tokens: a byte-exact round trip through our codecs (inner
// mech tokens included) and a one-line description of our decode in the format of
// scripts/lab/describe_token.py, an independent decoder, so the two can be compared.
import assert from 'node:assert/strict';
import { OID, isKerberosOid } from '../../src/iana/oids.js';
import { hasNtlmSignature, ntlmMessageCodec } from '../../src/codec/ntlm/message.js';
import { InitialContextToken } from '../../src/codec/gss/initial-context-token.js';
import { SpnegoToken } from '../../src/codec/spnego/spnego-token.js';
import { gssKrb5TokenCodec } from '../../src/codec/krb5/gss-krb5-token.js';
import type { InspectNode, InspectValue } from '../../src/inspect/index.js';

export interface Capture {
  readonly name: string;
  readonly peer: string;
  readonly direction: string;
  readonly header: string | null;
  readonly base64: string;
  readonly kind: string;
}

/** Asserts encode(decode(b)) = b for the token and every mech token inside it; returns how many were checked. */
export function assertRoundTrip(b: Uint8Array, where: string): number {
  if (hasNtlmSignature(b)) {
    assert.deepEqual(ntlmMessageCodec.encode(ntlmMessageCodec.decode(b)), b, `${where}: NTLM round trip`);
    return 1;
  }
  if (b[0] === 0x60) {
    const f = InitialContextToken.decode(b);
    assert.deepEqual(InitialContextToken.encode(f), b, `${where}: framing round trip`);
    if (f.mech !== OID.SPNEGO) {
      if (isKerberosOid(f.mech)) {
        assert.deepEqual(gssKrb5TokenCodec.encode(gssKrb5TokenCodec.decode(f.innerToken)), f.innerToken, `${where}: krb5 round trip`);
      } else if (hasNtlmSignature(f.innerToken)) return 1 + assertRoundTrip(f.innerToken, where);
      return 2;
    }
  }
  const s = SpnegoToken.decode(b);
  assert.deepEqual(SpnegoToken.encode(s), b, `${where}: SPNEGO round trip`);
  const v = s.token.value as { mechToken?: Uint8Array; responseToken?: Uint8Array };
  const inner = v.mechToken ?? v.responseToken;
  return 1 + (inner && inner.length > 0 ? assertRoundTrip(inner, `${where} (inner)`) : 0);
}

const SHORT: Record<string, string> = { [OID.KRB5]: 'krb5', [OID.MS_KRB5]: 'MS-KRB5', [OID.NTLMSSP]: 'NTLMSSP', [OID.NEGOEX]: 'NEGOEX' };
const oidShort = (v: InspectValue): string => {
  const o = (v as { oid: string }).oid;
  return SHORT[o] ?? o;
};
const field = (n: InspectValue, k: string): InspectValue => (n as InspectNode)[k] ?? null;
const typeOf = (n: InspectValue): string => (n as InspectNode).type;

function mechToken(n: InspectValue): string {
  const t = typeOf(n);
  if (t.endsWith('_MESSAGE')) return `NTLM ${t.replace('_MESSAGE', '')}`;
  if (t === 'InitialContextToken') {
    const inner = field(n, 'innerToken');
    return `${oidShort(field(n, 'thisMech'))} ${typeOf(inner) === 'KerberosGssToken' ? (field(inner, 'tokId') as string) : typeOf(inner)}`;
  }
  return `unknown inner token ${t}`;
}

/** Our decode, described the way describe_token.py describes the same bytes. */
export function kindOf(tree: InspectNode): string {
  if (tree.type.endsWith('_MESSAGE')) return `raw NTLMSSP ${tree.type.replace('_MESSAGE', '')}`;
  let n: InspectValue = tree;
  if (tree.type === 'InitialContextToken') {
    if ((field(tree, 'thisMech') as { oid: string }).oid !== OID.SPNEGO) return `raw GSS ${mechToken(tree)}`;
    n = field(tree, 'innerToken');
  }
  const t = typeOf(n);
  const parts: string[] = [];
  if (t === 'NegTokenInit' || t === 'NegTokenInit2') {
    const mechs = ((field(n, 'mechTypes') ?? []) as InspectValue[]).map(oidShort);
    const mt = field(n, 'mechToken');
    if (mt !== null) parts.push(`mechToken ${mechToken(mt)}`);
    const hints = field(n, 'negHints');
    if (hints !== null) {
      const h = field(hints, 'hintName');
      parts.push(h ? `negHints(hintName='${h as string}')` : 'negHints');
    }
    if (field(n, 'mechListMIC') !== null) parts.push('mechListMIC');
    return `SPNEGO ${t} mechTypes=[${mechs.join(',')}]${parts.map((p) => ` with ${p}`).join('')}`;
  }
  const st = field(n, 'negState');
  const sm = field(n, 'supportedMech');
  if (sm !== null) parts.push(`supportedMech ${oidShort(sm)}`);
  const rt = field(n, 'responseToken');
  if (rt !== null) parts.push(`responseToken ${mechToken(rt)}`);
  if (field(n, 'mechListMIC') !== null) parts.push('mechListMIC');
  return `SPNEGO NegTokenResp ${st === null ? 'no negState' : ((st as { name: string }).name)}${parts.map((p) => ` with ${p}`).join('')}`;
}
