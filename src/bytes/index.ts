export { ByteReader } from './reader.js';
export { ByteWriter } from './writer.js';
export * from './encoding.js';
export { constantTimeEqual, wipe } from './secret.js';
