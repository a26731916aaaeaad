// KRB-ERROR to typed SpnegoError (issue 6 item 4): unknown principal, wrong password, clock skew
// with the KDC's time, expired password, policy; anything else KDC_ERROR with the code attached.
import { SpnegoError, type ErrorCode } from '../../errors.js';
import { ErrorCode as Krb, errorCodeName } from '../../iana/krb5.js';
import type { KrbError } from '../../codec/krb5/krb-error.js';

const MAP: Readonly<Record<number, ErrorCode>> = {
  [Krb.KDC_ERR_C_PRINCIPAL_UNKNOWN]: 'BAD_NAME',
  [Krb.KDC_ERR_S_PRINCIPAL_UNKNOWN]: 'BAD_NAME',
  [Krb.KDC_ERR_PREAUTH_FAILED]: 'UNAUTHORIZED',
  [Krb.KRB_AP_ERR_BAD_INTEGRITY]: 'UNAUTHORIZED',
  [Krb.KDC_ERR_CLIENT_REVOKED]: 'UNAUTHORIZED',
  [Krb.KDC_ERR_POLICY]: 'UNAUTHORIZED',
  [Krb.KDC_ERR_KEY_EXPIRED]: 'CREDENTIALS_EXPIRED',
  [Krb.KRB_AP_ERR_TKT_EXPIRED]: 'CREDENTIALS_EXPIRED',
  [Krb.KDC_ERR_TGT_REVOKED]: 'CREDENTIALS_EXPIRED',
  [Krb.KRB_AP_ERR_SKEW]: 'CLOCK_SKEW',
  [Krb.KDC_ERR_ETYPE_NOSUPP]: 'BAD_MECH',
  [Krb.KRB_AP_ERR_REPEAT]: 'DUPLICATE_TOKEN',
};

const TEXT: Readonly<Record<string, string>> = {
  BAD_NAME: 'principal unknown to the KDC',
  UNAUTHORIZED: 'the KDC refused the credentials (wrong password or key, or policy)',
  CREDENTIALS_EXPIRED: 'expired (password, key or ticket)',
  CLOCK_SKEW: 'clock skew too great between this host and the KDC',
  BAD_MECH: 'no encryption type in common with the KDC',
  DUPLICATE_TOKEN: 'the acceptor has seen this authenticator already (a replay, or a clock that repeats)',
};

export function krbErrorToSpnego(e: KrbError, context: string): SpnegoError {
  const name = errorCodeName(e.errorCode);
  const code = MAP[e.errorCode] ?? 'KDC_ERROR';
  const text = e.errorCode === Krb.KRB_AP_ERR_SKEW ? `${TEXT[code]!} (KDC time ${e.stime.toISOString()})` : (TEXT[code] ?? 'the KDC answered with an error');
  return new SpnegoError(code, `${context}: ${text} [${name ?? `KRB error ${e.errorCode}`}]${e.eText ? `: ${e.eText.slice(0, 200)}` : ''}`, {
    krbError: { code: e.errorCode, name, serverTime: e.stime },
  });
}
