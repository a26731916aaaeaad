// Cryptographic primitives for the mechanisms (layer: crypto). One export line per module so
// additions merge cleanly.
export { md4 } from './md4.js';
export { Rc4, rc4 } from './rc4.js';
export { desEncryptBlock, desKeyFrom7, DESL } from './des.js';
export { md5, hmacMd5, sha256, randomBytes, crc32 } from './provider.js';
