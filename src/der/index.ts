// Strict DER: see tlv.ts for the element rules, type.ts for the DerType contract.
export * from './tlv.js';
export * from './type.js';
export * from './primitives.js';
export * from './combinators.js';
export { derCodec } from './codec.js';
export { DerWriter } from './writer.js';
