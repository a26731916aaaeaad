export { initiator, acceptor, targetToSpn, type SecurityContext, type InitiatorOptions, type AcceptorOptions, type PeerName, type MechName } from './context.js';
export { tlsServerEndPointBindings, gssChannelBindingsHash, type GssChannelBindings } from '../mech/ntlm/bindings.js';
