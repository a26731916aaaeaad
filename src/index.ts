// Public entry point: the GSS-style context API (initiator/acceptor over SPNEGO, Kerberos and
// NTLM), HTTP Negotiate client and server helpers, the error model, the wire codecs and inspection.
export { SpnegoError, GssMajor, ERROR_CODES, isSpnegoError, type ErrorCode } from './errors.js';
export { DEFAULT_LIMITS, type Codec, type DecodeLimits } from './codec/codec.js';
export { OID, oidName, isKerberosOid } from './iana/oids.js';
export * as spnegoCodec from './codec/spnego/index.js';
export * as ntlmCodec from './codec/ntlm/index.js';
export * as krb5Codec from './codec/krb5/index.js';
export { InitialContextToken, hasInitialContextTokenHeader } from './codec/gss/initial-context-token.js';
export { inspectInput, inspectBytes, renderReport, type InspectReport, type InspectedToken, type InspectNode } from './inspect/index.js';
export { initiator, acceptor, tlsServerEndPointBindings, type SecurityContext, type InitiatorOptions, type AcceptorOptions } from './gss/index.js';
export { NtlmAuthVerifier, type NtlmVerifier, type NtlmVerifyRequest, type NtlmAuthVerifierOptions } from './mech/ntlm/verifier.js';
export { MemoryNtHashStore, NtlmUserFileStore, type NtHashStore } from './mech/ntlm/store.js';
export { createFetch, createAgent, authInfo, createNegotiateDispatcher, type CreateFetchOptions, type SpnegoFetch, type AuthInfo, type NegotiateDispatcher, type NegotiateDispatcherOptions } from './http/client/index.js';
export {
  createNegotiateAuthenticator,
  negotiateHandler,
  negotiateMiddleware,
  negotiateFastify,
  NegotiateStrategy,
} from './http/server/index.js';
