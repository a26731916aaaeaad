// Cryptographic primitives for the mechanisms (layer: crypto). One export line per module so
// additions merge cleanly.
export { md4 } from './md4.js';
export { Rc4, rc4 } from './rc4.js';
