// Drives scripts/lab/spnego_peer.py (a real SPNEGO peer with NTLM inside: MIT's SPNEGO over
// gss-ntlmssp through python-gssapi, or Samba's ntlm_auth gss-spnego / gss-spnego-client helpers)
// through the shared LabPeer of test/helpers/peer.ts. Also: describe a SPNEGO token for trace
// assertions.
import { authenticateMessageCodec, micFlagged } from '../../src/codec/ntlm/index.js';
import { decodeSpnegoToken } from '../../src/codec/spnego/spnego-token.js';
import { LabPeer, labPeerEnv, type NtlmLab, type PeerOptions, type PeerRole } from './peer.js';

export type SpnegoPeerRole = PeerRole;

/** scripts/lab/spnego_peer.py: MIT SPNEGO over gss-ntlmssp, and Samba's gss-spnego helpers. */
export class SpnegoPeer extends LabPeer {
  /** Spawns the peer with the lab's environment and waits for its {"ready": role} line. */
  static async startLab(lab: NtlmLab, role: SpnegoPeerRole, opts: PeerOptions = {}): Promise<SpnegoPeer> {
    return LabPeer.ready(new SpnegoPeer('spnego_peer.py', role, { python: lab.python, ...opts, env: { ...labPeerEnv(lab), ...opts.env } }));
  }
}

const NTLM_TYPES = ['', 'NEGOTIATE', 'CHALLENGE', 'AUTHENTICATE'] as const;

/** The NTLM message type of a mech token, 'other' for anything else. */
export function ntlmTypeOf(tok: Uint8Array): string {
  const isNtlm = tok.length > 12 && Buffer.from(tok.subarray(0, 8)).toString('latin1') === 'NTLMSSP\0';
  return isNtlm ? (NTLM_TYPES[tok[8]!] ?? `type${tok[8]}`) : 'other';
}

/** True when an NTLM AUTHENTICATE carries a MIC and announces it (MsvAvFlags bit 0x2). */
export function authenticateHasMic(tok: Uint8Array): boolean {
  const m = authenticateMessageCodec.decode(tok);
  return m.mic !== undefined && micFlagged(m);
}

/**
 * One line per SPNEGO token: type, negState, supportedMech, inner NTLM message (with "+MIC" when an
 * AUTHENTICATE announces its NTLM MIC) and "mechListMIC" when present, e.g.
 * `negTokenResp accept-incomplete AUTHENTICATE+MIC mechListMIC`.
 */
export function describeSpnego(b: Uint8Array): string {
  const t = decodeSpnegoToken(b);
  const v = t.token.value as { negState?: string; supportedMech?: string; mechToken?: Uint8Array; responseToken?: Uint8Array; mechListMIC?: Uint8Array; mechTypes?: readonly string[] };
  const tok = v.mechToken ?? v.responseToken;
  let inner: string | undefined;
  if (tok) {
    inner = ntlmTypeOf(tok);
    if (inner === 'AUTHENTICATE' && authenticateHasMic(tok)) inner += '+MIC';
  }
  return [
    t.token.type,
    v.mechTypes ? `mechs=${v.mechTypes.join(',')}` : undefined,
    v.negState,
    v.supportedMech ? `mech=${v.supportedMech}` : undefined,
    inner,
    v.mechListMIC ? 'mechListMIC' : undefined,
  ]
    .filter(Boolean)
    .join(' ');
}

/** The mechListMIC of a NegTokenResp, if any. */
export function mechListMicOf(b: Uint8Array): Uint8Array | undefined {
  const t = decodeSpnegoToken(b).token;
  return t.type === 'negTokenResp' ? t.value.mechListMIC : undefined;
}
