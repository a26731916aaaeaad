// Kerberos 5 encryption profiles (RFC 3961/3962/4757/8009). Callers go through the registry.
export type { EncryptionProfile, Key } from './profile.js';
export { getProfile, findProfile, supportedEnctypes, type ProfileOptions } from './registry.js';
export { nfold, deriveRandom, deriveKey, usageConstant, KC, KE, KI } from './rfc3961.js';
export { aesCtsEncrypt, aesCtsDecrypt } from './aes-cts.js';
export { kdfHmacSha2 } from './aes-sha2.js';
export { rc4MessageType } from './rc4-hmac.js';
