// NTLM key derivation, responses and message-signature arithmetic (MS-NLMP 3.3, 3.4), with the
// names MS-NLMP gives them. Everything here is pure: no state except the RC4 handle a caller passes
// to MAC/SEAL. The mechanism (src/mech/ntlm) decides which of these to use.
//
// Weak primitives (LMOWFv1, NTLMv1 and LM responses, non-ESS signatures) exist for the MS-NLMP 4.2
// vectors and for callers that opt in with allowWeakCrypto; the mechanism never uses them by default.
import { concat, utf16le } from '../bytes/encoding.js';
import { SpnegoError } from '../errors.js';
import {
  NTLMSSP_NEGOTIATE_128,
  NTLMSSP_NEGOTIATE_56,
  NTLMSSP_NEGOTIATE_DATAGRAM,
  NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY,
  NTLMSSP_NEGOTIATE_KEY_EXCH,
  NTLMSSP_NEGOTIATE_LM_KEY,
  NTLMSSP_REQUEST_NON_NT_SESSION_KEY,
} from '../iana/ntlm.js';
import { DESL, desEncryptBlock, desKeyFrom7 } from './des.js';
import { md4 } from './md4.js';
import { crc32, hmacMd5, md5 } from './provider.js';
import { Rc4 } from './rc4.js';

export type NtlmMode = 'Client' | 'Server';

const has = (flags: number, bit: number): boolean => ((flags >>> 0) & bit) !== 0;

// ---------------------------------------------------------------------------------------------
// One-way functions (MS-NLMP 3.3.1, 3.3.2)

/** NTOWFv1 = MD4(UNICODE(Passwd)) (MS-NLMP 3.3.1): the NT hash. */
export function NTOWFv1(password: string): Uint8Array {
  return md4(utf16le(password));
}

/** DES with a 7-byte key expanded to 8 (MS-NLMP 6: DES(K, D) takes a 7-byte key). */
const des7 = (key7: Uint8Array, block: Uint8Array): Uint8Array => desEncryptBlock(desKeyFrom7(key7), block);

const LM_MAGIC = new Uint8Array([0x4b, 0x47, 0x53, 0x21, 0x40, 0x23, 0x24, 0x25]); // "KGS!@#$%"

/**
 * LMOWFv1 = DES(UpperCase(Passwd)[0..6], "KGS!@#$%") || DES(UpperCase(Passwd)[7..13], ...) (MS-NLMP 3.3.1).
 * Weak. The password is taken as ASCII/Latin-1 (the OEM code page is not modelled), padded with
 * zeros to 14 bytes; longer passwords are truncated, as LM does.
 */
export function LMOWFv1(password: string): Uint8Array {
  const p = new Uint8Array(14);
  const up = password.toUpperCase();
  for (let i = 0; i < Math.min(14, up.length); i++) p[i] = up.charCodeAt(i) & 0xff;
  return concat(des7(p.subarray(0, 7), LM_MAGIC), des7(p.subarray(7, 14), LM_MAGIC));
}

/**
 * NTOWFv2 = HMAC_MD5(NTOWFv1(Passwd), UNICODE(ConcatenationOf(Uppercase(User), UserDom)))
 * (MS-NLMP 3.3.2). `base` is the password or, for NT-hash credentials, NTOWFv1 itself.
 */
export function NTOWFv2(base: string | Uint8Array, user: string, domain: string): Uint8Array {
  const nt = typeof base === 'string' ? NTOWFv1(base) : checkLen(base, 16, 'NT hash');
  return hmacMd5(nt, utf16le(user.toUpperCase() + domain));
}

/** LMOWFv2 is the same function as NTOWFv2 (MS-NLMP 3.3.2). */
export function LMOWFv2(base: string | Uint8Array, user: string, domain: string): Uint8Array {
  return NTOWFv2(base, user, domain);
}

// ---------------------------------------------------------------------------------------------
// NTLMv2 (MS-NLMP 3.3.2)

export interface Ntlmv2Input {
  /** ResponseKeyNT = NTOWFv2 (ResponseKeyLM is the same value). */
  readonly responseKeyNT: Uint8Array;
  readonly serverChallenge: Uint8Array;
  readonly clientChallenge: Uint8Array;
  /** FILETIME: 100 ns ticks since 1601-01-01 UTC. */
  readonly timeStamp: bigint;
  /** The AV_PAIR list of temp (ServerName in MS-NLMP 3.3.2), including MsvAvEOL. */
  readonly avPairsBytes: Uint8Array;
}

export interface Ntlmv2Result {
  readonly ntChallengeResponse: Uint8Array;
  readonly lmChallengeResponse: Uint8Array;
  readonly ntProofStr: Uint8Array;
  readonly sessionBaseKey: Uint8Array;
  /** temp: the NTLMv2_CLIENT_CHALLENGE bytes NTProofStr covers. */
  readonly temp: Uint8Array;
}

/**
 * temp = Responserversion || HiResponserversion || Z(6) || Time || ClientChallenge || Z(4) ||
 * ServerName || Z(4) (MS-NLMP 3.3.2).
 */
export function ntlmv2Temp(timeStamp: bigint, clientChallenge: Uint8Array, avPairsBytes: Uint8Array): Uint8Array {
  const head = new Uint8Array(28);
  head[0] = 1;
  head[1] = 1;
  const dv = new DataView(head.buffer);
  dv.setBigUint64(8, BigInt.asUintN(64, timeStamp), true);
  head.set(checkLen(clientChallenge, 8, 'ClientChallenge'), 16);
  return concat(head, avPairsBytes, new Uint8Array(4));
}

/** NTProofStr = HMAC_MD5(ResponseKeyNT, ServerChallenge || temp). */
export function ntProofStr(responseKeyNT: Uint8Array, serverChallenge: Uint8Array, temp: Uint8Array): Uint8Array {
  return hmacMd5(responseKeyNT, checkLen(serverChallenge, 8, 'ServerChallenge'), temp);
}

/** LMv2 = HMAC_MD5(ResponseKeyLM, ServerChallenge || ClientChallenge) || ClientChallenge. */
export function lmv2Response(responseKeyLM: Uint8Array, serverChallenge: Uint8Array, clientChallenge: Uint8Array): Uint8Array {
  return concat(hmacMd5(responseKeyLM, serverChallenge, clientChallenge), clientChallenge);
}

/** ComputeResponse for NTLMv2 (MS-NLMP 3.3.2). */
export function computeNtlmv2Response(i: Ntlmv2Input): Ntlmv2Result {
  const temp = ntlmv2Temp(i.timeStamp, i.clientChallenge, i.avPairsBytes);
  const proof = ntProofStr(i.responseKeyNT, i.serverChallenge, temp);
  return {
    ntChallengeResponse: concat(proof, temp),
    lmChallengeResponse: lmv2Response(i.responseKeyNT, i.serverChallenge, i.clientChallenge),
    ntProofStr: proof,
    sessionBaseKey: hmacMd5(i.responseKeyNT, proof),
    temp,
  };
}

// ---------------------------------------------------------------------------------------------
// NTLMv1 (MS-NLMP 3.3.1). Weak.

export interface Ntlmv1Result {
  readonly ntChallengeResponse: Uint8Array;
  readonly lmChallengeResponse: Uint8Array;
  /** SessionBaseKey = MD4(NTOWFv1). */
  readonly sessionBaseKey: Uint8Array;
}

/**
 * NTLMv1 ComputeResponse (MS-NLMP 3.3.1). With extended session security (flag P) the NT response
 * is DESL(NT, MD5(ServerChallenge || ClientChallenge)[0..7]) and the LM response
 * ClientChallenge || Z(16); otherwise both are DESL of the server challenge (LM with LMOWFv1).
 */
export function computeNtlmv1Response(opts: {
  readonly flags: number;
  readonly ntHash: Uint8Array;
  readonly lmHash?: Uint8Array;
  readonly serverChallenge: Uint8Array;
  readonly clientChallenge?: Uint8Array;
}): Ntlmv1Result {
  const nt = checkLen(opts.ntHash, 16, 'NT hash');
  const sc = checkLen(opts.serverChallenge, 8, 'ServerChallenge');
  let ntResp: Uint8Array;
  let lmResp: Uint8Array;
  if (has(opts.flags, NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY)) {
    const cc = checkLen(opts.clientChallenge ?? new Uint8Array(0), 8, 'ClientChallenge');
    ntResp = DESL(nt, md5(sc, cc).subarray(0, 8));
    lmResp = concat(cc, new Uint8Array(16));
  } else {
    ntResp = DESL(nt, sc);
    // NoLMResponseNTLMv1 (no LM hash given): LmChallengeResponse = NtChallengeResponse.
    lmResp = opts.lmHash === undefined ? ntResp.slice() : DESL(checkLen(opts.lmHash, 16, 'LM hash'), sc);
  }
  return { ntChallengeResponse: ntResp, lmChallengeResponse: lmResp, sessionBaseKey: md4(nt) };
}

// ---------------------------------------------------------------------------------------------
// Key derivation (MS-NLMP 3.4.5)

/**
 * KXKEY (MS-NLMP 3.4.5.1). For NTLMv2 (`ntlmv2: true`) KeyExchangeKey = SessionBaseKey. For NTLMv1:
 * HMAC_MD5(SessionBaseKey, ServerChallenge || LmChallengeResponse[0..7]) with extended session
 * security; with LM_KEY, DES(LMOWF[0..6], LM[0..7]) || DES(LMOWF[7] || 0xBDBDBDBDBDBDBD, LM[0..7]);
 * with REQUEST_NON_NT_SESSION_KEY, LMOWF[0..7] || Z(8); else SessionBaseKey.
 */
export function KXKEY(opts: {
  readonly flags: number;
  readonly ntlmv2: boolean;
  readonly sessionBaseKey: Uint8Array;
  readonly lmChallengeResponse?: Uint8Array;
  readonly serverChallenge?: Uint8Array;
  readonly lmowf?: Uint8Array;
}): Uint8Array {
  const sbk = checkLen(opts.sessionBaseKey, 16, 'SessionBaseKey');
  if (opts.ntlmv2) return sbk.slice();
  const lm8 = (): Uint8Array => {
    const lm = opts.lmChallengeResponse;
    if (lm === undefined || lm.length < 8) throw new SpnegoError('BAD_ARGUMENT', 'KXKEY needs the LmChallengeResponse');
    return lm.subarray(0, 8);
  };
  const lmowf = (): Uint8Array => checkLen(opts.lmowf ?? new Uint8Array(0), 16, 'LMOWF');
  if (has(opts.flags, NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY)) {
    return hmacMd5(sbk, checkLen(opts.serverChallenge ?? new Uint8Array(0), 8, 'ServerChallenge'), lm8());
  }
  if (has(opts.flags, NTLMSSP_NEGOTIATE_LM_KEY)) {
    const k = lmowf();
    const second = new Uint8Array([k[7]!, 0xbd, 0xbd, 0xbd, 0xbd, 0xbd, 0xbd]);
    return concat(des7(k.subarray(0, 7), lm8()), des7(second, lm8()));
  }
  if (has(opts.flags, NTLMSSP_REQUEST_NON_NT_SESSION_KEY)) return concat(lmowf().subarray(0, 8), new Uint8Array(8));
  return sbk.slice();
}

const enc = (s: string): Uint8Array => {
  const b = new Uint8Array(s.length + 1); // NUL-terminated ASCII, as MS-NLMP 3.4.5.2/3 specify
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
  return b;
};
const CLIENT_SIGN = enc('session key to client-to-server signing key magic constant');
const SERVER_SIGN = enc('session key to server-to-client signing key magic constant');
const CLIENT_SEAL = enc('session key to client-to-server sealing key magic constant');
const SERVER_SEAL = enc('session key to server-to-client sealing key magic constant');

/**
 * SIGNKEY (MS-NLMP 3.4.5.2): MD5(ExportedSessionKey || magic) with extended session security;
 * undefined without it (the non-ESS MAC has no signing key).
 * `mode` is whose messages the key signs: 'Client' = client-to-server.
 */
export function SIGNKEY(flags: number, exportedSessionKey: Uint8Array, mode: NtlmMode): Uint8Array | undefined {
  if (!has(flags, NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY)) return undefined;
  return md5(exportedSessionKey, mode === 'Client' ? CLIENT_SIGN : SERVER_SIGN);
}

/**
 * SEALKEY (MS-NLMP 3.4.5.3). With extended session security: MD5 of the first 16/7/5 bytes
 * (128/56/40-bit) and the magic constant. Without it: with LM_KEY or DATAGRAM, a weakened 8-byte
 * key (56-bit: key[0..6] || 0xA0; 40-bit: key[0..4] || 0xE5 0x38 0xB0); else the key itself.
 * (The DATAGRAM branch's NTLMRevisionCurrent >= W2K3 condition is assumed true.)
 */
export function SEALKEY(flags: number, exportedSessionKey: Uint8Array, mode: NtlmMode): Uint8Array {
  const k = checkLen(exportedSessionKey, 16, 'ExportedSessionKey');
  if (has(flags, NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY)) {
    const n = has(flags, NTLMSSP_NEGOTIATE_128) ? 16 : has(flags, NTLMSSP_NEGOTIATE_56) ? 7 : 5;
    return md5(k.subarray(0, n), mode === 'Client' ? CLIENT_SEAL : SERVER_SEAL);
  }
  if (has(flags, NTLMSSP_NEGOTIATE_LM_KEY) || has(flags, NTLMSSP_NEGOTIATE_DATAGRAM)) {
    if (has(flags, NTLMSSP_NEGOTIATE_56)) return concat(k.subarray(0, 7), new Uint8Array([0xa0]));
    return concat(k.subarray(0, 5), new Uint8Array([0xe5, 0x38, 0xb0]));
  }
  return k.slice();
}

// ---------------------------------------------------------------------------------------------
// Message signature (MS-NLMP 2.2.2.9, 3.4.4)

/** NTLMSSP_MESSAGE_SIGNATURE length (both variants). */
export const NTLM_SIGNATURE_LENGTH = 16;

/**
 * MAC (MS-NLMP 3.4.4) over `message` with sequence number `seqNum`, returning the 16-byte
 * NTLMSSP_MESSAGE_SIGNATURE. `handle` is the direction's RC4 state; it advances.
 *
 * With extended session security (2.2.2.9.2): Version (1) || Checksum || SeqNum, where
 * Checksum = HMAC_MD5(SigningKey, SeqNum || Message)[0..7], RC4-encrypted when KEY_EXCH was
 * negotiated. Without (2.2.2.9.1): Version || RandomPad (0) || RC4(CRC32(Message)) ||
 * RC4(0) XOR SeqNum; the RC4 handle consumes 12 bytes (pad, checksum, seqnum).
 */
export function MAC(opts: {
  readonly flags: number;
  readonly handle: Rc4;
  readonly signingKey: Uint8Array | undefined;
  readonly seqNum: number;
  readonly message: Uint8Array;
}): Uint8Array {
  const sig = new Uint8Array(NTLM_SIGNATURE_LENGTH);
  const dv = new DataView(sig.buffer);
  dv.setUint32(0, 1, true);
  const seq = new Uint8Array(4);
  new DataView(seq.buffer).setUint32(0, opts.seqNum >>> 0, true);
  if (has(opts.flags, NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY)) {
    if (opts.signingKey === undefined) throw new SpnegoError('BAD_ARGUMENT', 'extended session security needs a signing key');
    let checksum = hmacMd5(opts.signingKey, seq, opts.message).subarray(0, 8);
    if (has(opts.flags, NTLMSSP_NEGOTIATE_KEY_EXCH)) checksum = opts.handle.update(checksum);
    sig.set(checksum, 4);
    sig.set(seq, 12);
    return sig;
  }
  const crc = new Uint8Array(4);
  new DataView(crc.buffer).setUint32(0, crc32(opts.message) >>> 0, true);
  opts.handle.update(new Uint8Array(4)); // RandomPad, encrypted then reset to 0
  sig.set(opts.handle.update(crc), 8);
  const s = opts.handle.update(new Uint8Array(4));
  for (let i = 0; i < 4; i++) sig[12 + i] = s[i]! ^ seq[i]!;
  return sig;
}

/** SEAL (MS-NLMP 3.4.3): RC4 the message with the handle, then MAC the plaintext with the same handle. */
export function SEAL(opts: {
  readonly flags: number;
  readonly handle: Rc4;
  readonly signingKey: Uint8Array | undefined;
  readonly seqNum: number;
  readonly message: Uint8Array;
}): { sealed: Uint8Array; signature: Uint8Array } {
  const sealed = opts.handle.update(opts.message);
  return { sealed, signature: MAC(opts) };
}

// ---------------------------------------------------------------------------------------------
// Helpers

/** RC4(KeyExchangeKey, ExportedSessionKey): EncryptedRandomSessionKey (MS-NLMP 3.1.5.1.2). */
export function encryptSessionKey(keyExchangeKey: Uint8Array, exportedSessionKey: Uint8Array): Uint8Array {
  return new Rc4(keyExchangeKey).update(exportedSessionKey);
}

/** MIC = HMAC_MD5(ExportedSessionKey, NEGOTIATE || CHALLENGE || AUTHENTICATE-with-zero-MIC) (MS-NLMP 3.1.5.1.2). */
export function computeMic(exportedSessionKey: Uint8Array, negotiate: Uint8Array, challenge: Uint8Array, authenticate: Uint8Array): Uint8Array {
  return hmacMd5(exportedSessionKey, negotiate, challenge, authenticate);
}

const FILETIME_EPOCH_OFFSET_MS = 11_644_473_600_000n;

/** A Date as FILETIME (100 ns ticks since 1601-01-01 UTC). */
export function toFileTime(d: Date): bigint {
  return (BigInt(d.getTime()) + FILETIME_EPOCH_OFFSET_MS) * 10_000n;
}

/** FILETIME to milliseconds since the Unix epoch (may be negative or beyond Date's range). */
export function fileTimeToUnixMs(ft: bigint): number {
  return Number(ft / 10_000n - FILETIME_EPOCH_OFFSET_MS);
}

function checkLen(b: Uint8Array, n: number, what: string): Uint8Array {
  if (!(b instanceof Uint8Array) || b.length !== n) throw new SpnegoError('BAD_ARGUMENT', `${what} must be ${n} bytes`);
  return b;
}
