// HTTP Negotiate (RFC 4559) on the server side: the framework-agnostic authenticator and thin
// adapters for node:http, Express/Connect, Fastify and Passport.
export {
  createNegotiateAuthenticator,
  DEFAULT_MAX_HEADER_BYTES,
  type NegotiateAuthenticator,
  type NegotiateAuthenticatorOptions,
  type NegotiateEvent,
  type NegotiateIdentity,
  type NegotiateRequest,
  type NegotiateResult,
  type MicState,
} from './authenticator.js';
export {
  negotiateHandler,
  negotiateMiddleware,
  negotiateFastify,
  NegotiateStrategy,
  type AuthenticatorOrOptions,
  type NegotiateIncomingMessage,
  type NegotiateStrategyOptions,
  type NegotiateVerify,
  type FastifyNegotiatePlugin,
} from './adapters.js';
