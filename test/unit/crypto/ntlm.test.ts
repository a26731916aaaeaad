// MS-NLMP 4.2 vectors (test/vectors/ms-nlmp.json): every intermediate value is checked on its own,
// not only the final message, so a failure names the step that is wrong.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromHex, toHex, utf16le } from '../../../src/bytes/encoding.js';
import {
  KXKEY,
  LMOWFv1,
  LMOWFv2,
  MAC,
  NTOWFv1,
  NTOWFv2,
  SEAL,
  SEALKEY,
  SIGNKEY,
  computeNtlmv1Response,
  computeNtlmv2Response,
  encryptSessionKey,
  fileTimeToUnixMs,
  lmv2Response,
  ntProofStr,
  ntlmv2Temp,
  toFileTime,
} from '../../../src/crypto/ntlm.js';
import { Rc4 } from '../../../src/crypto/rc4.js';
import { readJson } from '../../helpers/paths.js';
import { assertCode } from '../../helpers/errors.js';
import {
  NTLMSSP_NEGOTIATE_128,
  NTLMSSP_NEGOTIATE_56,
  NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY,
  NTLMSSP_NEGOTIATE_KEY_EXCH,
  NTLMSSP_NEGOTIATE_LM_KEY,
  NTLMSSP_NEGOTIATE_SEAL,
  NTLMSSP_NEGOTIATE_SIGN,
  NTLMSSP_REQUEST_NON_NT_SESSION_KEY,
} from '../../../src/iana/ntlm.js';
import { authenticateMessageCodec } from '../../../src/codec/ntlm/authenticate.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
const V = readJson<any>('test', 'vectors', 'ms-nlmp.json');
const c = V.common_values;
const v1 = V.ntlmv1;
const v1e = V.ntlmv1_with_client_challenge;
const v2 = V.ntlmv2;
const h = (s: string): Uint8Array => fromHex(s);
const eqHex = (actual: Uint8Array | undefined, expected: string, what: string): void => {
  assert.ok(actual, `${what}: undefined`);
  assert.equal(toHex(actual), expected.toLowerCase(), what);
};

const password: string = c.Passwd;
const user: string = c.User;
const domain: string = c.UserDom;
const serverChallenge = h(c.ServerChallenge_hex);
const clientChallenge = h(c.ClientChallenge_hex);
const randomSessionKey = h(c.RandomSessionKey_hex);
const plaintext = h(v2.gss_wrapex.plaintext_hex);

test('common values are what 4.2.1 states', () => {
  eqHex(utf16le(password), c.Passwd_unicode_hex, 'Passwd');
  eqHex(utf16le(user), c.User_unicode_hex, 'User');
  eqHex(utf16le(domain), c.UserDom_unicode_hex, 'UserDom');
});

test('4.2.2.1 NTOWFv1 and LMOWFv1', () => {
  eqHex(NTOWFv1(password), v1.NTOWFv1_hex, 'NTOWFv1');
  eqHex(LMOWFv1(password), v1.LMOWFv1_hex, 'LMOWFv1');
});

test('4.2.2 NTLMv1: responses, SessionBaseKey, KeyExchangeKey variants, EncryptedSessionKey', () => {
  const flags = 0xe2028233;
  const r = computeNtlmv1Response({ flags, ntHash: NTOWFv1(password), lmHash: LMOWFv1(password), serverChallenge });
  eqHex(r.ntChallengeResponse, v1.NTLMv1Response_hex, 'NTLMv1 response');
  eqHex(r.lmChallengeResponse, v1.LMv1Response_hex, 'LMv1 response');
  eqHex(r.sessionBaseKey, v1.SessionBaseKey_hex, 'SessionBaseKey');
  const base = { ntlmv2: false, sessionBaseKey: r.sessionBaseKey, lmChallengeResponse: r.lmChallengeResponse, serverChallenge, lmowf: LMOWFv1(password) };
  const kxDefault = KXKEY({ ...base, flags });
  eqHex(kxDefault, v1.KeyExchangeKey_default_hex, 'KeyExchangeKey default');
  const kxLm = KXKEY({ ...base, flags: flags | NTLMSSP_NEGOTIATE_LM_KEY });
  eqHex(kxLm, v1.KeyExchangeKey_with_NEGOTIATE_LM_KEY_hex, 'KeyExchangeKey LM_KEY');
  const kxNonNt = KXKEY({ ...base, flags: flags | NTLMSSP_REQUEST_NON_NT_SESSION_KEY });
  eqHex(encryptSessionKey(kxDefault, randomSessionKey), v1.EncryptedSessionKey_hex, 'EncryptedSessionKey');
  eqHex(encryptSessionKey(kxLm, randomSessionKey), v1.EncryptedSessionKey_with_NEGOTIATE_LM_KEY_hex, 'EncryptedSessionKey LM_KEY');
  eqHex(encryptSessionKey(kxNonNt, randomSessionKey), v1.EncryptedSessionKey_with_REQUEST_NON_NT_SESSION_KEY_hex, 'EncryptedSessionKey NON_NT');
  // Without an LM hash (NoLMResponseNTLMv1), the LM response is a copy of the NT response.
  const noLm = computeNtlmv1Response({ flags, ntHash: NTOWFv1(password), serverChallenge });
  eqHex(noLm.lmChallengeResponse, v1.NTLMv1Response_hex, 'LM = NT without LM hash');
});

test('4.2.2 the AUTHENTICATE_MESSAGE carries exactly these responses and key', () => {
  const m = authenticateMessageCodec.decode(h(v1.AUTHENTICATE_MESSAGE_hex));
  eqHex(m.lmChallengeResponse, v1.LMv1Response_hex, 'LM');
  eqHex(m.ntChallengeResponse, v1.NTLMv1Response_hex, 'NT');
  eqHex(m.encryptedRandomSessionKey, v1.EncryptedSessionKey_hex, 'key');
});

test('4.2.2.4 GSS_WrapEx without extended session security', () => {
  const w = v1.gss_wrapex;
  const flags = NTLMSSP_NEGOTIATE_56 | NTLMSSP_NEGOTIATE_SIGN | NTLMSSP_NEGOTIATE_SEAL | NTLMSSP_NEGOTIATE_KEY_EXCH;
  const sealKey = SEALKEY(flags, h(w.ExportedSessionKey_hex), 'Client');
  eqHex(sealKey, w.SealKey_hex, 'SealKey');
  assert.equal(SIGNKEY(flags, h(w.ExportedSessionKey_hex), 'Client'), undefined, 'no SignKey without ESS');
  const out = SEAL({ flags, handle: new Rc4(sealKey), signingKey: undefined, seqNum: w.SeqNum, message: h(w.plaintext_hex) });
  eqHex(out.sealed, w.sealed_data_hex, 'sealed data');
  eqHex(out.signature, w.signature_hex, 'signature');
});

test('4.2.3 NTLMv1 with client challenge (ESS): responses, keys, wrap', () => {
  const flags = 0x820a8233;
  eqHex(NTOWFv1(password), v1e.NTOWFv1_hex, 'NTOWFv1');
  const r = computeNtlmv1Response({ flags, ntHash: NTOWFv1(password), serverChallenge, clientChallenge });
  eqHex(r.lmChallengeResponse, v1e.LMv1Response_hex, 'LM response');
  eqHex(r.ntChallengeResponse, v1e.NTLMv1Response_hex, 'NT response');
  eqHex(r.sessionBaseKey, v1e.SessionBaseKey_hex, 'SessionBaseKey');
  const kx = KXKEY({ flags, ntlmv2: false, sessionBaseKey: r.sessionBaseKey, lmChallengeResponse: r.lmChallengeResponse, serverChallenge });
  eqHex(kx, v1e.KeyExchangeKey_hex, 'KeyExchangeKey');
  const m = authenticateMessageCodec.decode(h(v1e.AUTHENTICATE_MESSAGE_hex));
  eqHex(m.ntChallengeResponse, v1e.NTLMv1Response_hex, 'NT in message');
  const w = v1e.gss_wrapex;
  eqHex(kx, w.ExportedSessionKey_hex, 'ExportedSessionKey = KXKEY');
  const sealKey = SEALKEY(flags, kx, 'Client');
  const signKey = SIGNKEY(flags, kx, 'Client');
  eqHex(sealKey, w.SealKey_hex, 'SealKey');
  eqHex(signKey, w.SignKey_hex, 'SignKey');
  const out = SEAL({ flags, handle: new Rc4(sealKey), signingKey: signKey, seqNum: w.SeqNum, message: h(w.plaintext_hex) });
  eqHex(out.sealed, w.sealed_data_hex, 'sealed data');
  eqHex(out.signature, w.signature_hex, 'signature');
});

test('4.2.4.1 NTOWFv2 / LMOWFv2, from the password and from the NT hash', () => {
  eqHex(NTOWFv2(password, user, domain), v2.NTOWFv2_hex, 'NTOWFv2(password)');
  eqHex(NTOWFv2(NTOWFv1(password), user, domain), v2.NTOWFv2_hex, 'NTOWFv2(ntHash)');
  eqHex(LMOWFv2(password, user, domain), v2.LMOWFv2_hex, 'LMOWFv2');
  // The user name is upper-cased, the domain is not.
  eqHex(NTOWFv2(password, 'USER', domain), v2.NTOWFv2_hex, 'user case ignored');
  assert.notEqual(toHex(NTOWFv2(password, user, 'DOMAIN')), v2.NTOWFv2_hex, 'domain case matters');
});

test('4.2.4.2 NTLMv2: temp, NTProofStr, LMv2, SessionBaseKey, KeyExchangeKey, EncryptedSessionKey', () => {
  const key = NTOWFv2(password, user, domain);
  const av = h(v2.AV_pairs_hex);
  const temp = ntlmv2Temp(0n, clientChallenge, av);
  eqHex(temp, v2.temp_hex, 'temp');
  eqHex(ntProofStr(key, serverChallenge, temp), v2.NTProofStr_hex, 'NTProofStr');
  eqHex(lmv2Response(key, serverChallenge, clientChallenge), v2.LMv2Response_hex, 'LMv2');
  const r = computeNtlmv2Response({ responseKeyNT: key, serverChallenge, clientChallenge, timeStamp: 0n, avPairsBytes: av });
  eqHex(r.temp, v2.temp_hex, 'temp (computeNtlmv2Response)');
  eqHex(r.ntProofStr, v2.NTProofStr_hex, 'NTProofStr (computeNtlmv2Response)');
  eqHex(r.lmChallengeResponse, v2.LMv2Response_hex, 'LMv2 (computeNtlmv2Response)');
  eqHex(r.ntChallengeResponse, v2.NtChallengeResponse_hex, 'NtChallengeResponse');
  eqHex(r.sessionBaseKey, v2.SessionBaseKey_hex, 'SessionBaseKey');
  const kx = KXKEY({ flags: 0xe28a8233, ntlmv2: true, sessionBaseKey: r.sessionBaseKey });
  eqHex(kx, v2.KeyExchangeKey_hex, 'KeyExchangeKey');
  eqHex(encryptSessionKey(kx, randomSessionKey), v2.EncryptedSessionKey_hex, 'EncryptedSessionKey');
  // And the message carries the same bytes.
  const m = authenticateMessageCodec.decode(h(v2.AUTHENTICATE_MESSAGE_hex));
  eqHex(m.ntChallengeResponse, v2.NtChallengeResponse_hex, 'NT in message');
  eqHex(m.lmChallengeResponse, v2.LMv2Response_hex, 'LM in message');
  eqHex(m.encryptedRandomSessionKey, v2.EncryptedSessionKey_hex, 'key in message');
});

test('4.2.4.4 GSS_WrapEx NTLMv2: seal/sign keys, sealed data, signature', () => {
  const w = v2.gss_wrapex;
  const flags = 0xe2888235;
  const esk = h(w.ExportedSessionKey_hex);
  const sealKey = SEALKEY(flags, esk, 'Client');
  const signKey = SIGNKEY(flags, esk, 'Client');
  eqHex(sealKey, w.SealKey_hex, 'SealKey');
  eqHex(signKey, w.SignKey_hex, 'SignKey');
  const out = SEAL({ flags, handle: new Rc4(sealKey), signingKey: signKey, seqNum: w.SeqNum, message: plaintext });
  eqHex(out.sealed, w.sealed_data_hex, 'sealed data');
  eqHex(out.signature, w.signature_hex, 'signature');
  // The server-direction keys differ from the client ones.
  assert.notEqual(toHex(SEALKEY(flags, esk, 'Server')), w.SealKey_hex);
  assert.notEqual(toHex(SIGNKEY(flags, esk, 'Server')!), w.SignKey_hex);
});

test('MAC with ESS: checksum is not RC4-encrypted without KEY_EXCH, and SeqNum is in the clear', () => {
  const flags = NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY | NTLMSSP_NEGOTIATE_128;
  const signKey = SIGNKEY(flags, randomSessionKey, 'Client')!;
  const handle = new Rc4(SEALKEY(flags, randomSessionKey, 'Client'));
  const a = MAC({ flags, handle, signingKey: signKey, seqNum: 7, message: plaintext });
  const b = MAC({ flags: flags | NTLMSSP_NEGOTIATE_KEY_EXCH, handle: new Rc4(SEALKEY(flags, randomSessionKey, 'Client')), signingKey: signKey, seqNum: 7, message: plaintext });
  assert.equal(toHex(a.subarray(0, 4)), '01000000');
  assert.equal(toHex(a.subarray(12)), '07000000');
  assert.notEqual(toHex(a.subarray(4, 12)), toHex(b.subarray(4, 12)));
  assert.equal(toHex(a.subarray(12)), toHex(b.subarray(12)));
});

test('SEALKEY key lengths: 56- and 40-bit variants', () => {
  const ess = NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY;
  const k = h('000102030405060708090a0b0c0d0e0f');
  assert.notEqual(toHex(SEALKEY(ess | NTLMSSP_NEGOTIATE_56, k, 'Client')), toHex(SEALKEY(ess, k, 'Client')));
  assert.equal(toHex(SEALKEY(NTLMSSP_NEGOTIATE_LM_KEY | NTLMSSP_NEGOTIATE_56, k, 'Client')), '000102030405' + '06a0');
  assert.equal(toHex(SEALKEY(NTLMSSP_NEGOTIATE_LM_KEY, k, 'Client')), '0001020304e538b0');
  assert.equal(toHex(SEALKEY(0, k, 'Server')), toHex(k));
});

test('FILETIME conversion', () => {
  assert.equal(toFileTime(new Date(0)), 116444736000000000n);
  const d = new Date('2026-01-02T03:04:05.678Z');
  assert.equal(fileTimeToUnixMs(toFileTime(d)), d.getTime());
});

test('wrong key lengths are BAD_ARGUMENT', () => {
  assertCode(() => NTOWFv2(new Uint8Array(15), 'u', 'd'), 'BAD_ARGUMENT');
  assertCode(() => SEALKEY(0, new Uint8Array(8), 'Client'), 'BAD_ARGUMENT');
  assertCode(() => ntlmv2Temp(0n, new Uint8Array(7), new Uint8Array(4)), 'BAD_ARGUMENT');
});
