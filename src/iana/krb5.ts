// Kerberos 5 assigned numbers with their spec names: message types (RFC 4120 5.10 / 7.5.7),
// encryption and checksum types (RFC 3961 8, RFC 3962, RFC 4757, RFC 6803, RFC 8009, IANA registry),
// name types (RFC 4120 6.2 / 7.5.8, RFC 6806, MS-KILE), error codes (RFC 4120 7.5.9, RFC 4556, RFC 6113),
// pre-authentication data types (RFC 4120 7.5.2, IANA, MS-KILE/MS-SFU), authorization-data types
// (RFC 4120 7.5.4), address types (RFC 4120 7.5.3), KerberosFlags bit names (RFC 4120 5.3, 5.4.1, 5.5.1),
// key usages (RFC 4120 7.5.1) and GSS krb5 TOK_IDs (RFC 4121 4.1, 4.2.6; RFC 1964 1.2).
// Every *Name() lookup returns undefined for a number it does not know.

function reverse<K extends string>(o: Readonly<Record<K, number>>): ReadonlyMap<number, K> {
  const m = new Map<number, K>();
  for (const [k, v] of Object.entries(o) as [K, number][]) if (!m.has(v)) m.set(v, k);
  return m;
}

/** msg-type values (RFC 4120 7.5.7); each is also the message's APPLICATION tag. */
export const MessageType = {
  'AS-REQ': 10,
  'AS-REP': 11,
  'TGS-REQ': 12,
  'TGS-REP': 13,
  'AP-REQ': 14,
  'AP-REP': 15,
  'KRB-RESERVED16': 16,
  'KRB-RESERVED17': 17,
  'KRB-SAFE': 20,
  'KRB-PRIV': 21,
  'KRB-CRED': 22,
  'KRB-ERROR': 30,
} as const;
export type MessageTypeName = keyof typeof MessageType;
const MESSAGE_TYPE_NAMES = reverse(MessageType);
export function messageTypeName(n: number): MessageTypeName | undefined {
  return MESSAGE_TYPE_NAMES.get(n);
}

/** APPLICATION tags of the non-message structures (RFC 4120 Appendix A). */
export const ApplicationTag = {
  Ticket: 1,
  Authenticator: 2,
  EncTicketPart: 3,
  EncASRepPart: 25,
  EncTGSRepPart: 26,
  EncAPRepPart: 27,
  EncKrbPrivPart: 28,
  EncKrbCredPart: 29,
} as const;

/** etype numbers (RFC 3961 8, RFC 3962, RFC 4757, RFC 6803, RFC 8009; IANA "Kerberos Encryption Type Numbers"). */
export const EncType = {
  'des-cbc-crc': 1,
  'des-cbc-md4': 2,
  'des-cbc-md5': 3,
  'des3-cbc-md5': 5,
  'des3-cbc-sha1-old': 7,
  'dsaWithSHA1-CmsOID': 9,
  'md5WithRSAEncryption-CmsOID': 10,
  'sha1WithRSAEncryption-CmsOID': 11,
  'rc2CBC-EnvOID': 12,
  'rsaEncryption-EnvOID': 13,
  'rsaES-OAEP-ENV-OID': 14,
  'des-ede3-cbc-Env-OID': 15,
  /** RFC 3961 calls it des3-cbc-sha1-kd; MIT and most tools print des3-cbc-sha1. */
  'des3-cbc-sha1': 16,
  'aes128-cts-hmac-sha1-96': 17,
  'aes256-cts-hmac-sha1-96': 18,
  'aes128-cts-hmac-sha256-128': 19,
  'aes256-cts-hmac-sha384-192': 20,
  'rc4-hmac': 23,
  'rc4-hmac-exp': 24,
  'camellia128-cts-cmac': 25,
  'camellia256-cts-cmac': 26,
  'subkey-keymaterial': 65,
} as const;
export type EncTypeName = keyof typeof EncType;
const ENCTYPE_NAMES = reverse(EncType);
export function enctypeName(n: number): EncTypeName | undefined {
  return ENCTYPE_NAMES.get(n);
}

/** cksumtype numbers (RFC 3961 8, RFC 3962, RFC 4757, RFC 6803, RFC 8009, RFC 4121 4.1.1). */
export const ChecksumType = {
  CRC32: 1,
  'rsa-md4': 2,
  'rsa-md4-des': 3,
  'des-mac': 4,
  'des-mac-k': 5,
  'rsa-md4-des-k': 6,
  'rsa-md5': 7,
  'rsa-md5-des': 8,
  'rsa-md5-des3': 9,
  'sha1-unkeyed': 10,
  'hmac-sha1-des3-kd': 12,
  'hmac-sha1-des3': 13,
  sha1: 14,
  'hmac-sha1-96-aes128': 15,
  'hmac-sha1-96-aes256': 16,
  'cmac-camellia128': 17,
  'cmac-camellia256': 18,
  'hmac-sha256-128-aes128': 19,
  'hmac-sha384-192-aes256': 20,
  /** RFC 4121 4.1.1: the authenticator checksum that carries GSS channel bindings and flags. */
  'GSS-API': 0x8003,
  /** RFC 4757 (KERB_CHECKSUM_HMAC_MD5): negative on the wire. */
  'hmac-md5': -138,
} as const;
export type ChecksumTypeName = keyof typeof ChecksumType;
const CHECKSUM_NAMES = reverse(ChecksumType);
export function checksumTypeName(n: number): ChecksumTypeName | undefined {
  return CHECKSUM_NAMES.get(n);
}

/** name-type values (RFC 4120 6.2 and 7.5.8, RFC 6111, MS-KILE 2.1.1 for the negative ones). */
export const NameType = {
  KRB_NT_UNKNOWN: 0,
  KRB_NT_PRINCIPAL: 1,
  KRB_NT_SRV_INST: 2,
  KRB_NT_SRV_HST: 3,
  KRB_NT_SRV_XHST: 4,
  KRB_NT_UID: 5,
  KRB_NT_X500_PRINCIPAL: 6,
  KRB_NT_SMTP_NAME: 7,
  KRB_NT_ENTERPRISE: 10,
  KRB_NT_WELLKNOWN: 11,
  KRB_NT_MS_PRINCIPAL: -128,
  KRB_NT_MS_PRINCIPAL_AND_ID: -129,
  KRB_NT_ENT_PRINCIPAL_AND_ID: -130,
} as const;
export type NameTypeName = keyof typeof NameType;
const NAME_TYPE_NAMES = reverse(NameType);
export function nameTypeName(n: number): NameTypeName | undefined {
  return NAME_TYPE_NAMES.get(n);
}

/** error-code values (RFC 4120 7.5.9; 62-81 from RFC 4556, 90-93 from RFC 6113). */
export const ErrorCode = {
  KDC_ERR_NONE: 0,
  KDC_ERR_NAME_EXP: 1,
  KDC_ERR_SERVICE_EXP: 2,
  KDC_ERR_BAD_PVNO: 3,
  KDC_ERR_C_OLD_MAST_KVNO: 4,
  KDC_ERR_S_OLD_MAST_KVNO: 5,
  KDC_ERR_C_PRINCIPAL_UNKNOWN: 6,
  KDC_ERR_S_PRINCIPAL_UNKNOWN: 7,
  KDC_ERR_PRINCIPAL_NOT_UNIQUE: 8,
  KDC_ERR_NULL_KEY: 9,
  KDC_ERR_CANNOT_POSTDATE: 10,
  KDC_ERR_NEVER_VALID: 11,
  KDC_ERR_POLICY: 12,
  KDC_ERR_BADOPTION: 13,
  KDC_ERR_ETYPE_NOSUPP: 14,
  KDC_ERR_SUMTYPE_NOSUPP: 15,
  KDC_ERR_PADATA_TYPE_NOSUPP: 16,
  KDC_ERR_TRTYPE_NOSUPP: 17,
  KDC_ERR_CLIENT_REVOKED: 18,
  KDC_ERR_SERVICE_REVOKED: 19,
  KDC_ERR_TGT_REVOKED: 20,
  KDC_ERR_CLIENT_NOTYET: 21,
  KDC_ERR_SERVICE_NOTYET: 22,
  KDC_ERR_KEY_EXPIRED: 23,
  KDC_ERR_PREAUTH_FAILED: 24,
  KDC_ERR_PREAUTH_REQUIRED: 25,
  KDC_ERR_SERVER_NOMATCH: 26,
  KDC_ERR_MUST_USE_USER2USER: 27,
  KDC_ERR_PATH_NOT_ACCEPTED: 28,
  KDC_ERR_SVC_UNAVAILABLE: 29,
  KRB_AP_ERR_BAD_INTEGRITY: 31,
  KRB_AP_ERR_TKT_EXPIRED: 32,
  KRB_AP_ERR_TKT_NYV: 33,
  KRB_AP_ERR_REPEAT: 34,
  KRB_AP_ERR_NOT_US: 35,
  KRB_AP_ERR_BADMATCH: 36,
  KRB_AP_ERR_SKEW: 37,
  KRB_AP_ERR_BADADDR: 38,
  KRB_AP_ERR_BADVERSION: 39,
  KRB_AP_ERR_MSG_TYPE: 40,
  KRB_AP_ERR_MODIFIED: 41,
  KRB_AP_ERR_BADORDER: 42,
  KRB_AP_ERR_BADKEYVER: 44,
  KRB_AP_ERR_NOKEY: 45,
  KRB_AP_ERR_MUT_FAIL: 46,
  KRB_AP_ERR_BADDIRECTION: 47,
  KRB_AP_ERR_METHOD: 48,
  KRB_AP_ERR_BADSEQ: 49,
  KRB_AP_ERR_INAPP_CKSUM: 50,
  KRB_AP_PATH_NOT_ACCEPTED: 51,
  KRB_ERR_RESPONSE_TOO_BIG: 52,
  KRB_ERR_GENERIC: 60,
  KRB_ERR_FIELD_TOOLONG: 61,
  KDC_ERROR_CLIENT_NOT_TRUSTED: 62,
  KDC_ERROR_KDC_NOT_TRUSTED: 63,
  KDC_ERROR_INVALID_SIG: 64,
  KDC_ERR_KEY_TOO_WEAK: 65,
  KDC_ERR_CERTIFICATE_MISMATCH: 66,
  KRB_AP_ERR_NO_TGT: 67,
  KDC_ERR_WRONG_REALM: 68,
  KRB_AP_ERR_USER_TO_USER_REQUIRED: 69,
  KDC_ERR_CANT_VERIFY_CERTIFICATE: 70,
  KDC_ERR_INVALID_CERTIFICATE: 71,
  KDC_ERR_REVOKED_CERTIFICATE: 72,
  KDC_ERR_REVOCATION_STATUS_UNKNOWN: 73,
  KDC_ERR_REVOCATION_STATUS_UNAVAILABLE: 74,
  KDC_ERR_CLIENT_NAME_MISMATCH: 75,
  KDC_ERR_KDC_NAME_MISMATCH: 76,
  KDC_ERR_INCONSISTENT_KEY_PURPOSE: 77,
  KDC_ERR_DIGEST_IN_CERT_NOT_ACCEPTED: 78,
  KDC_ERR_PA_CHECKSUM_MUST_BE_INCLUDED: 79,
  KDC_ERR_DIGEST_IN_SIGNED_DATA_NOT_ACCEPTED: 80,
  KDC_ERR_PUBLIC_KEY_ENCRYPTION_NOT_SUPPORTED: 81,
  KDC_ERR_PREAUTH_EXPIRED: 90,
  KDC_ERR_MORE_PREAUTH_DATA_REQUIRED: 91,
  KDC_ERR_PREAUTH_BAD_AUTHENTICATION_SET: 92,
  KDC_ERR_UNKNOWN_CRITICAL_FAST_OPTIONS: 93,
} as const;
export type Krb5ErrorCodeName = keyof typeof ErrorCode;
const ERROR_CODE_NAMES = reverse(ErrorCode);
export function errorCodeName(n: number): Krb5ErrorCodeName | undefined {
  return ERROR_CODE_NAMES.get(n);
}

/** padata-type values (RFC 4120 7.5.2, RFC 4556, RFC 6113, RFC 6560, RFC 8070, MS-KILE, MS-SFU; IANA registry). */
export const PaDataType = {
  'PA-TGS-REQ': 1,
  'PA-ENC-TIMESTAMP': 2,
  'PA-PW-SALT': 3,
  'PA-ENC-UNIX-TIME': 5,
  'PA-SANDIA-SECUREID': 6,
  'PA-SESAME': 7,
  'PA-OSF-DCE': 8,
  'PA-CYBERSAFE-SECUREID': 9,
  'PA-AFS3-SALT': 10,
  'PA-ETYPE-INFO': 11,
  'PA-SAM-CHALLENGE': 12,
  'PA-SAM-RESPONSE': 13,
  'PA-PK-AS-REQ_OLD': 14,
  'PA-PK-AS-REP_OLD': 15,
  'PA-PK-AS-REQ': 16,
  'PA-PK-AS-REP': 17,
  'PA-ETYPE-INFO2': 19,
  /** Also PA-SVR-REFERRAL-INFO (same number). */
  'PA-USE-SPECIFIED-KVNO': 20,
  'PA-SAM-REDIRECT': 21,
  /** Also TD-PADATA in TYPED-DATA (same number). */
  'PA-GET-FROM-TYPED-DATA': 22,
  'PA-SAM-ETYPE-INFO': 23,
  'PA-ALT-PRINC': 24,
  'PA-SERVER-REFERRAL': 25,
  'PA-SAM-CHALLENGE2': 30,
  'PA-SAM-RESPONSE2': 31,
  'PA-EXTRA-TGT': 41,
  'TD-PKINIT-CMS-CERTIFICATES': 101,
  'TD-KRB-PRINCIPAL': 102,
  'TD-KRB-REALM': 103,
  'TD-TRUSTED-CERTIFIERS': 104,
  'TD-CERTIFICATE-INDEX': 105,
  'TD-APP-DEFINED-ERROR': 106,
  'TD-REQ-NONCE': 107,
  'TD-REQ-SEQ': 108,
  'PA-PAC-REQUEST': 128,
  'PA-FOR-USER': 129,
  'PA-FOR-X509-USER': 130,
  'PA-FX-COOKIE': 133,
  'PA-AUTHENTICATION-SET': 134,
  'PA-AUTH-SET-SELECTED': 135,
  'PA-FX-FAST': 136,
  'PA-FX-ERROR': 137,
  'PA-ENCRYPTED-CHALLENGE': 138,
  'PA-OTP-CHALLENGE': 141,
  'PA-OTP-REQUEST': 142,
  'PA-OTP-PIN-CHANGE': 144,
  'PA-EPAK-AS-REQ': 145,
  'PA-EPAK-AS-REP': 146,
  'PA-PKINIT-KX': 147,
  'PA-PKU2U-NAME': 148,
  'PA-REQ-ENC-PA-REP': 149,
  'PA-AS-FRESHNESS': 150,
  'PA-SPAKE': 151,
  'PA-SUPPORTED-ETYPES': 165,
  'PA-PAC-OPTIONS': 167,
} as const;
export type PaDataTypeName = keyof typeof PaDataType;
const PA_DATA_NAMES = reverse(PaDataType);
export function paDataTypeName(n: number): PaDataTypeName | undefined {
  return PA_DATA_NAMES.get(n);
}

/** ad-type values (RFC 4120 7.5.4, RFC 6113, MS-KILE/MS-PAC). */
export const AuthorizationDataType = {
  'AD-IF-RELEVANT': 1,
  'AD-INTENDED-FOR-SERVER': 2,
  'AD-INTENDED-FOR-APPLICATION-CLASS': 3,
  'AD-KDC-ISSUED': 4,
  'AD-AND-OR': 5,
  'AD-MANDATORY-TICKET-EXTENSIONS': 6,
  'AD-IN-TICKET-EXTENSIONS': 7,
  'AD-MANDATORY-FOR-KDC': 8,
  'OSF-DCE': 64,
  SESAME: 65,
  'AD-OSF-DCE-PKI-CERTID': 66,
  'AD-AUTHENTICATION-STRENGTH': 70,
  'AD-FX-FAST-ARMOR': 71,
  'AD-FX-FAST-USED': 72,
  'AD-WIN2K-PAC': 128,
  'AD-ETYPE-NEGOTIATION': 129,
  'KERB-AUTH-DATA-TOKEN-RESTRICTIONS': 141,
  'KERB-LOCAL': 142,
  'AD-AUTH-DATA-AP-OPTIONS': 143,
} as const;
export type AuthorizationDataTypeName = keyof typeof AuthorizationDataType;
const AD_NAMES = reverse(AuthorizationDataType);
export function authorizationDataTypeName(n: number): AuthorizationDataTypeName | undefined {
  return AD_NAMES.get(n);
}

/** addr-type values (RFC 4120 7.5.3). */
export const AddressType = {
  IPv4: 2,
  Directional: 3,
  ChaosNet: 5,
  XNS: 6,
  ISO: 7,
  DECNET: 12,
  AppleTalk: 16,
  NetBios: 20,
  IPv6: 24,
} as const;
export type AddressTypeName = keyof typeof AddressType;
const ADDRESS_NAMES = reverse(AddressType);
export function addressTypeName(n: number): AddressTypeName | undefined {
  return ADDRESS_NAMES.get(n);
}

// ---- KerberosFlags bit numbers: bit 0 is the most significant bit of the first byte (RFC 4120 5.2.8).

/** TicketFlags (RFC 4120 5.3; enc-pa-rep from RFC 6806, anonymous from RFC 8062). */
export const TicketFlag = {
  reserved: 0,
  forwardable: 1,
  forwarded: 2,
  proxiable: 3,
  proxy: 4,
  'may-postdate': 5,
  postdated: 6,
  invalid: 7,
  renewable: 8,
  initial: 9,
  'pre-authent': 10,
  'hw-authent': 11,
  'transited-policy-checked': 12,
  'ok-as-delegate': 13,
  'enc-pa-rep': 15,
  anonymous: 16,
} as const;
export type TicketFlagName = keyof typeof TicketFlag;
const TICKET_FLAG_NAMES = reverse(TicketFlag);
export function ticketFlagName(bit: number): TicketFlagName | undefined {
  return TICKET_FLAG_NAMES.get(bit);
}

/** APOptions (RFC 4120 5.5.1). */
export const ApOption = {
  reserved: 0,
  'use-session-key': 1,
  'mutual-required': 2,
} as const;
export type ApOptionName = keyof typeof ApOption;
const AP_OPTION_NAMES = reverse(ApOption);
export function apOptionName(bit: number): ApOptionName | undefined {
  return AP_OPTION_NAMES.get(bit);
}

/** KDCOptions (RFC 4120 5.4.1; canonicalize RFC 6806, request-anonymous RFC 8062, cname-in-addl-tkt MS-SFU). */
export const KdcOption = {
  reserved: 0,
  forwardable: 1,
  forwarded: 2,
  proxiable: 3,
  proxy: 4,
  'allow-postdate': 5,
  postdated: 6,
  renewable: 8,
  'opt-hardware-auth': 11,
  'cname-in-addl-tkt': 14,
  canonicalize: 15,
  'request-anonymous': 16,
  'disable-transited-check': 26,
  'renewable-ok': 27,
  'enc-tkt-in-skey': 28,
  renew: 30,
  validate: 31,
} as const;
export type KdcOptionName = keyof typeof KdcOption;
const KDC_OPTION_NAMES = reverse(KdcOption);
export function kdcOptionName(bit: number): KdcOptionName | undefined {
  return KDC_OPTION_NAMES.get(bit);
}

/** Key usage numbers (RFC 4120 7.5.1; 22-25 from RFC 4121 2). */
export const KeyUsage = {
  AS_REQ_PA_ENC_TIMESTAMP: 1,
  KDC_REP_TICKET: 2,
  AS_REP_ENCPART: 3,
  TGS_REQ_AD_SESSKEY: 4,
  TGS_REQ_AD_SUBKEY: 5,
  TGS_REQ_AUTH_CKSUM: 6,
  TGS_REQ_AUTH: 7,
  TGS_REP_ENCPART_SESSKEY: 8,
  TGS_REP_ENCPART_SUBKEY: 9,
  AP_REQ_AUTH_CKSUM: 10,
  AP_REQ_AUTH: 11,
  AP_REP_ENCPART: 12,
  KRB_PRIV_ENCPART: 13,
  KRB_CRED_ENCPART: 14,
  KRB_SAFE_CKSUM: 15,
  GSS_ACCEPTOR_SEAL: 22,
  GSS_ACCEPTOR_SIGN: 23,
  GSS_INITIATOR_SEAL: 24,
  GSS_INITIATOR_SIGN: 25,
} as const;

/** GSS-API krb5 TOK_ID values, as the 16-bit big-endian number of the two bytes (RFC 4121 4.1 and 4.2.6, RFC 1964 1.2). */
export const TokId = {
  'AP-REQ': 0x0100,
  'AP-REP': 0x0200,
  'KRB-ERROR': 0x0300,
  /** RFC 4121 4.2.6.1 MIC token. */
  MIC: 0x0404,
  /** RFC 4121 4.2.6.2 Wrap token. */
  Wrap: 0x0504,
  /** RFC 1964 1.2.1 MIC token (older format). */
  'MIC-RFC1964': 0x0101,
  /** RFC 1964 1.2.2 Wrap token (older format). */
  'Wrap-RFC1964': 0x0201,
  /** RFC 1964 1.2.3 context deletion token. */
  'Delete-RFC1964': 0x0102,
} as const;
export type TokIdName = keyof typeof TokId;
const TOK_ID_NAMES = reverse(TokId);
export function tokIdName(n: number): TokIdName | undefined {
  return TOK_ID_NAMES.get(n);
}
