// What SPNEGO needs from a mechanism context (RFC 4178 is mechanism-agnostic): stepping,
// completion, and integrity for the mechListMIC. NTLM and Kerberos contexts are adapted to it.

export interface MechContext {
  /** One leg: consume the peer's token (none on an initiator's first call), maybe produce one. */
  step(input?: Uint8Array): Promise<Uint8Array | undefined>;
  readonly complete: boolean;
  /** The established context can make MICs (RFC 4178 section 5 rule 1: no integrity, no mechListMIC). */
  readonly integrity: boolean;
  /**
   * The mechanism itself demands the mechListMIC exchange: NTLM put a MIC in AUTHENTICATE
   * (MsvAvFlags 0x2), which Windows treats as requiring it (MS-SPNG, krb5 PR #113).
   */
  readonly requiresMechListMic: boolean;
  getMic(message: Uint8Array): Uint8Array;
  /** Throws SpnegoError BAD_MIC when the MIC does not verify. */
  verifyMic(message: Uint8Array, mic: Uint8Array): void;
  /**
   * Called after the mechListMIC is made ('outgoing') or verified ('incoming'), so the first
   * application message sees the state a fresh context would (MS-SPNG 3.3.5.1, NTLM RC4).
   */
  resetAfterMechListMic?(direction: 'outgoing' | 'incoming'): void;
  wrap?(message: Uint8Array, opts?: { encrypt?: boolean }): Uint8Array;
  unwrap?(token: Uint8Array): Uint8Array;
}

/** A mechanism SPNEGO may negotiate: its OID and how to start a context for one negotiation. */
export interface MechCandidate {
  readonly oid: string;
  /** Other OIDs naming the same mechanism (the MS Kerberos OID for Kerberos). */
  readonly aliases?: readonly string[];
  create(): MechContext;
}
