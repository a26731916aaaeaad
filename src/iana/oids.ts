// Object identifiers of the mechanisms and name types this package speaks, with display names.

export const OID = {
  /** RFC 4178: the SPNEGO pseudo-mechanism. */
  SPNEGO: '1.3.6.1.5.5.2',
  /** RFC 1964 / RFC 4121: Kerberos 5 GSS mechanism. */
  KRB5: '1.2.840.113554.1.2.2',
  /** The "wrong" Kerberos OID of early Windows (RFC 4178 Appendix C); same mechanism as KRB5. */
  MS_KRB5: '1.2.840.48018.1.2.2',
  /** Kerberos user-to-user (RFC 4121 has no OID for it; MIT uses this one). */
  KRB5_U2U: '1.2.840.113554.1.2.2.3',
  /** MS-NLMP: NTLM Security Support Provider. */
  NTLMSSP: '1.3.6.1.4.1.311.2.2.10',
  /** MS-NEGOEX: the extended negotiation mechanism. */
  NEGOEX: '1.3.6.1.4.1.311.2.2.30',
  /** RFC 2743 / RFC 1964 name types. */
  NT_HOSTBASED_SERVICE: '1.2.840.113554.1.2.1.4',
  NT_USER_NAME: '1.2.840.113554.1.2.1.1',
  NT_KRB5_PRINCIPAL: '1.2.840.113554.1.2.2.1',
} as const;

const NAMES: Record<string, string> = {
  [OID.SPNEGO]: 'SPNEGO',
  [OID.KRB5]: 'Kerberos 5',
  [OID.MS_KRB5]: 'MS Kerberos 5 (legacy OID)',
  [OID.KRB5_U2U]: 'Kerberos 5 user-to-user',
  [OID.NTLMSSP]: 'NTLMSSP',
  [OID.NEGOEX]: 'NegoEx',
  [OID.NT_HOSTBASED_SERVICE]: 'GSS_C_NT_HOSTBASED_SERVICE',
  [OID.NT_USER_NAME]: 'GSS_C_NT_USER_NAME',
  [OID.NT_KRB5_PRINCIPAL]: 'GSS_KRB5_NT_PRINCIPAL_NAME',
};

/** A display name for an OID, or undefined when we do not know it. */
export function oidName(oid: string): string | undefined {
  return NAMES[oid];
}

/** Both Kerberos OIDs name one mechanism (MS-SPNG, RFC 4178 Appendix C). */
export function isKerberosOid(oid: string): boolean {
  return oid === OID.KRB5 || oid === OID.MS_KRB5;
}
