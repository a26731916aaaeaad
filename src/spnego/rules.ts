// The MIC decision and each legacy-peer exception, one small named function each, with its
// source. Tests in test/unit/spnego/ are named after these functions.
import { OID, isKerberosOid } from '../iana/oids.js';
import { bytesEqual } from '../bytes/encoding.js';
import type { NegTokenResp } from '../codec/spnego/neg-token-resp.js';
import type { MechContext } from './mech.js';

/** Both Kerberos OIDs name one mechanism (RFC 4178 Appendix C; MIT init_ctx_nego treats them alike). */
export function sameMech(a: string, b: string): boolean {
  return a === b || (isKerberosOid(a) && isKerberosOid(b));
}

/**
 * RFC 4178 section 5: the MIC exchange is needed when the selected mech was not the initiator's
 * first choice (request-mic), when the peer sent one, or when the mech demands it (NTLM with
 * its own MIC), and is skipped altogether when the mech has no integrity (rule 1).
 */
export function micExchangeNeeded(state: { micRequired: boolean; mech: MechContext }): boolean {
  return state.mech.complete && state.mech.integrity && (state.micRequired || state.mech.requiresMechListMic);
}

/**
 * Windows Server 2003 answers a Kerberos optimistic token with a counter-proposal of NTLMSSP
 * and accept-incomplete instead of request-mic, and never sends a MIC; tolerated only for
 * NTLMSSP, and then no MIC is required (MIT krb5 PR #187; SPNEGO-RULES 6).
 */
export function isLegacyNtlmCounterProposal(resp: NegTokenResp): boolean {
  return resp.supportedMech === OID.NTLMSSP && resp.negState === 'accept-incomplete' && resp.responseToken === undefined;
}

/**
 * Windows 2000 sends a mechListMIC that is a copy of the responseToken: treat it as absent
 * (MIT get_negTokenResp "Handle Windows 2000 duplicate response token"; pyspnego PR #17).
 */
export function isDuplicateResponseTokenMic(resp: NegTokenResp): boolean {
  return resp.mechListMIC !== undefined && resp.responseToken !== undefined && bytesEqual(resp.mechListMIC, resp.responseToken);
}

/** Some Java acceptors omit supportedMech in the first reply: it means the optimistic mech (MIT init_ctx_nego). */
export function supportedMechOrOptimistic(resp: NegTokenResp, optimistic: string): string {
  return resp.supportedMech ?? optimistic;
}

/** Old IIS sends an empty responseToken once the mech is complete: no token (MIT init_ctx_nego). */
export function emptyTokenAfterCompletion(token: Uint8Array | undefined, mechComplete: boolean): boolean {
  return token !== undefined && token.length === 0 && mechComplete;
}

/**
 * NegoEx listed first (Windows 8+ with Microsoft accounts): we do not speak NegoEx, so the mech
 * we pick is never the initiator's first and the reply carries request-mic (go-krb5 PR #154).
 */
export function isNegoEx(oid: string): boolean {
  return oid === OID.NEGOEX;
}
