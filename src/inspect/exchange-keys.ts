// With the user's password, `inspect --exchange` can check an NTLM-in-SPNEGO exchange's
// mechListMICs: it re-derives the ExportedSessionKey from the CHALLENGE and AUTHENTICATE
// (MS-NLMP 3.3.2 NTOWFv2/NTProofStr, 3.4.5.1 KXKEY, key exchange) and verifies each side's MIC
// over the MechTypeList bytes as a fresh context would (SeqNum 0, fresh RC4 handle).
import { SpnegoError } from '../errors.js';
import { NTOWFv2, ntProofStr, KXKEY } from '../crypto/ntlm.js';
import { hmacMd5 } from '../crypto/provider.js';
import { rc4 } from '../crypto/rc4.js';
import { constantTimeEqual } from '../bytes/secret.js';
import { NTLMSSP_NEGOTIATE_KEY_EXCH } from '../iana/ntlm.js';
import type { ChallengeMessage } from '../codec/ntlm/challenge.js';
import type { AuthenticateMessage } from '../codec/ntlm/authenticate.js';
import { NtlmSecurity } from '../mech/ntlm/security.js';

export type MicCheck = 'valid' | 'invalid' | 'absent' | 'unchecked';

export interface NtlmMicVerification {
  readonly password: 'matches' | 'does not match';
  readonly initiatorMic: MicCheck;
  readonly acceptorMic: MicCheck;
}

export function verifyNtlmExchangeMics(m: {
  readonly password: string;
  readonly challenge: ChallengeMessage;
  readonly authenticate: AuthenticateMessage;
  readonly mechTypesDer: Uint8Array;
  readonly initiatorMic?: Uint8Array;
  readonly acceptorMic?: Uint8Array;
}): NtlmMicVerification {
  const a = m.authenticate;
  const nt = a.ntChallengeResponse;
  if (nt.length <= 24) throw new SpnegoError('UNAVAILABLE', 'only NTLMv2 exchanges can be checked with a password');
  const responseKeyNT = NTOWFv2(m.password, a.userName, a.domainName);
  const proof = nt.subarray(0, 16);
  const matches = constantTimeEqual(ntProofStr(responseKeyNT, m.challenge.serverChallenge, nt.subarray(16)), proof);
  if (!matches) return { password: 'does not match', initiatorMic: m.initiatorMic ? 'unchecked' : 'absent', acceptorMic: m.acceptorMic ? 'unchecked' : 'absent' };
  const sessionBaseKey = hmacMd5(responseKeyNT, proof);
  const kxkey = KXKEY({ flags: a.negotiateFlags, ntlmv2: true, sessionBaseKey });
  const exported = (a.negotiateFlags & NTLMSSP_NEGOTIATE_KEY_EXCH) !== 0 && a.encryptedRandomSessionKey.length === 16 ? rc4(kxkey, a.encryptedRandomSessionKey) : kxkey;
  const check = (mic: Uint8Array | undefined, verifierRole: 'initiator' | 'acceptor'): MicCheck => {
    if (!mic) return 'absent';
    try {
      new NtlmSecurity(a.negotiateFlags, exported, verifierRole).verifyMic(m.mechTypesDer, mic);
      return 'valid';
    } catch (e) {
      if (e instanceof SpnegoError) return 'invalid';
      throw e;
    }
  };
  // The acceptor verifies the initiator's MIC and vice versa.
  return { password: 'matches', initiatorMic: check(m.initiatorMic, 'acceptor'), acceptorMic: check(m.acceptorMic, 'initiator') };
}
