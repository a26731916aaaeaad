// NTLMSSP wire types (MS-NLMP 2.2).
export * from './version.js';
export * from './av-pairs.js';
export * from './negotiate.js';
export * from './challenge.js';
export * from './authenticate.js';
export * from './ntlmv2-response.js';
export * from './message.js';
