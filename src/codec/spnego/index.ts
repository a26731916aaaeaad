// SPNEGO wire types (RFC 4178 4.2, MS-SPNG 2.2.1).
export * from './mech-type-list.js';
export * from './neg-token-init.js';
export * from './neg-token-init2.js';
export * from './neg-token-resp.js';
export * from './negotiation-token.js';
export * from './spnego-token.js';
