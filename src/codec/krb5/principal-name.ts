// PrincipalName (RFC 4120 5.2.2).
//   PrincipalName ::= SEQUENCE { name-type [0] Int32, name-string [1] SEQUENCE OF KerberosString }
import { derCodec, explicit, req, sequence, sequenceOf } from '../../der/index.js';
import { Int32, KerberosString } from './basic.js';

export interface PrincipalName {
  /** A NameType number (src/iana/krb5.ts), e.g. 1 KRB_NT_PRINCIPAL, 2 KRB_NT_SRV_INST. */
  readonly nameType: number;
  /** The components, e.g. ['HTTP', 'www.example.com']. */
  readonly nameString: readonly string[];
}

export const principalNameCodec = derCodec<PrincipalName>('PrincipalName', sequence({
  nameType: req(explicit(0, Int32)),
  nameString: req(explicit(1, sequenceOf(KerberosString, { label: 'SEQUENCE OF KerberosString' }))),
}, 'PrincipalName'));

/** `a/b@REALM` display form (no escaping of '/' or '@' inside components). */
export function principalToString(p: PrincipalName, realm?: string): string {
  return p.nameString.join('/') + (realm === undefined ? '' : `@${realm}`);
}
