// The HTTP Negotiate client (RFC 4559): createFetch() and what it reports.
export { createFetch, authInfo, type CreateFetchOptions, type SpnegoFetch, type AuthInfo, type AuthHeaderEvent, type HandshakeInfo } from './fetch.js';
export { parseAuthenticate, pickChallenge, type Challenge, type GssScheme } from '../challenge.js';
export { createAgent, type NegotiateAgentOptions } from './agent.js';
export { createNegotiateDispatcher, type NegotiateDispatcher, type NegotiateDispatcherOptions } from './undici.js';
