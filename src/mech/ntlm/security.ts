// NTLM per-message security once the context is established (MS-NLMP 3.4): GSS_GetMIC /
// GSS_VerifyMIC (3.4.2 MAC), GSS_Wrap / GSS_Unwrap (3.4.3 SEAL) and the RC4 reset SPNEGO needs
// around the mechListMIC (MS-SPNG 3.3.5.1).
//
// State per direction: SigningKey (SIGNKEY, undefined without extended session security),
// SealingKey (SEALKEY), an RC4 handle keyed with the SealingKey, and a sequence number starting at
// 0. The initiator's outgoing direction uses the 'Client' keys and its incoming one the 'Server'
// keys; the acceptor the opposite. (Without extended session security MS-NLMP derives the same key
// for both directions; we still keep two handles, as MS-NLMP's ClientHandle/ServerHandle do.)
//
// Token formats:
//  - getMic: the 16-byte NTLMSSP_MESSAGE_SIGNATURE.
//  - wrap: signature (16) || data sealed with RC4 (the GSS_WrapEx output of MS-NLMP 4.2.x.4).
//    Current gss-ntlmssp (gss_signseal.c with crypto_state) writes the same order; its early
//    versions wrote sealed data || signature. The token does not say whether the data is sealed,
//    so wrap always seals, `encrypt: false` included, as gss-ntlmssp does (it ignores
//    conf_req_flag): a clear token could only be read by a peer told so out of band, and GSS_Unwrap
//    must recover what GSS_Wrap made (RFC 2743 2.3.3). unwrap takes `{ encrypted: false }` for
//    such signed-only tokens from SSPI peers (SECQOP_WRAP_NO_ENCRYPT). Without NEGOTIATE_SEAL
//    there is no wrap at all (UNAVAILABLE), as in gss-ntlmssp.
//
// Errors: a signature that does not verify is BAD_MIC. With extended session security the
// SeqNum is in clear and checked before any RC4 state is used: a SeqNum below the expected one is
// DUPLICATE_TOKEN (a replay), above it UNSEQ_TOKEN; the handle is untouched, so the next in-order
// token still verifies. Without ESS the SeqNum is RC4-encrypted: a mismatch there is UNSEQ_TOKEN.
// After a BAD_MIC the RC4 keystream has advanced past the bad token, as in every NTLM
// implementation: later tokens in that direction fail too (the context should be discarded).
import { constantTimeEqual } from '../../bytes/secret.js';
import { SpnegoError } from '../../errors.js';
import { MAC, NTLM_SIGNATURE_LENGTH, SEALKEY, SIGNKEY } from '../../crypto/ntlm.js';
import { Rc4 } from '../../crypto/rc4.js';
import { NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY, NTLMSSP_NEGOTIATE_SEAL } from '../../iana/ntlm.js';

export type NtlmDirection = 'outgoing' | 'incoming';

interface DirectionState {
  readonly signKey: Uint8Array | undefined;
  readonly sealKey: Uint8Array;
  handle: Rc4;
  seqNum: number;
}

export interface WrapOptions {
  /** Ignored: NTLM wrap tokens are always sealed (see above). */
  readonly encrypt?: boolean;
}

export interface UnwrapOptions {
  /** Whether the peer sealed the data; default true. */
  readonly encrypted?: boolean;
}

export interface ResetOptions {
  /** Also restart the direction's sequence number at 0; default false (see SPNEGO-RULES 7). */
  readonly resetSeqNum?: boolean;
}

/** The per-message operations of an established NTLM context. */
export interface NtlmMessageSecurity {
  getMic(message: Uint8Array): Uint8Array;
  verifyMic(message: Uint8Array, signature: Uint8Array): void;
  wrap(message: Uint8Array, opts?: WrapOptions): Uint8Array;
  unwrap(token: Uint8Array, opts?: UnwrapOptions): { message: Uint8Array; encrypted: boolean };
  resetCryptoState(direction: NtlmDirection, opts?: ResetOptions): void;
}

export class NtlmSecurity implements NtlmMessageSecurity {
  private readonly out: DirectionState;
  private readonly in: DirectionState;
  private readonly ess: boolean;

  /** `role` is this side: the initiator signs with the 'Client' keys, the acceptor with the 'Server' keys. */
  constructor(
    private readonly flags: number,
    exportedSessionKey: Uint8Array,
    role: 'initiator' | 'acceptor',
  ) {
    const mine = role === 'initiator' ? 'Client' : 'Server';
    const theirs = role === 'initiator' ? 'Server' : 'Client';
    const mk = (mode: 'Client' | 'Server'): DirectionState => {
      const sealKey = SEALKEY(flags, exportedSessionKey, mode);
      return { signKey: SIGNKEY(flags, exportedSessionKey, mode), sealKey, handle: new Rc4(sealKey), seqNum: 0 };
    };
    this.out = mk(mine);
    this.in = mk(theirs);
    this.ess = (flags & NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY) !== 0;
  }

  /** Sequence numbers the next outgoing / expected incoming token carries (for tests and SPNEGO). */
  get sequence(): { outgoing: number; incoming: number } {
    return { outgoing: this.out.seqNum, incoming: this.in.seqNum };
  }

  getMic(message: Uint8Array): Uint8Array {
    const s = this.out;
    const sig = MAC({ flags: this.flags, handle: s.handle, signingKey: s.signKey, seqNum: s.seqNum, message });
    s.seqNum = (s.seqNum + 1) >>> 0;
    return sig;
  }

  verifyMic(message: Uint8Array, signature: Uint8Array): void {
    this.checkSignatureShape(signature);
    this.verifyWith(message, signature);
  }

  wrap(message: Uint8Array, _opts: WrapOptions = {}): Uint8Array {
    this.checkSealing();
    const s = this.out;
    // SEAL (3.4.3): RC4 the data first, then MAC the plaintext with the same handle.
    const data = s.handle.update(message);
    const sig = this.getMic(message);
    const token = new Uint8Array(NTLM_SIGNATURE_LENGTH + data.length);
    token.set(sig, 0);
    token.set(data, NTLM_SIGNATURE_LENGTH);
    return token;
  }

  unwrap(token: Uint8Array, opts: UnwrapOptions = {}): { message: Uint8Array; encrypted: boolean } {
    if (!(token instanceof Uint8Array) || token.length < NTLM_SIGNATURE_LENGTH) {
      throw new SpnegoError('DEFECTIVE_TOKEN', `NTLM wrap token shorter than ${NTLM_SIGNATURE_LENGTH} bytes`);
    }
    this.checkSealing();
    const encrypted = opts.encrypted ?? true;
    const signature = token.subarray(0, NTLM_SIGNATURE_LENGTH);
    const data = token.subarray(NTLM_SIGNATURE_LENGTH);
    this.checkSignatureShape(signature);
    const message = encrypted ? this.in.handle.update(data) : data.slice();
    this.verifyWith(message, signature);
    return { message, encrypted };
  }

  private checkSealing(): void {
    if ((this.flags & NTLMSSP_NEGOTIATE_SEAL) === 0) throw new SpnegoError('UNAVAILABLE', 'NTLM sealing was not negotiated: no wrap/unwrap on this context (getMic/verifyMic only)');
  }

  resetCryptoState(direction: NtlmDirection, opts: ResetOptions = {}): void {
    const s = direction === 'outgoing' ? this.out : this.in;
    s.handle = new Rc4(s.sealKey);
    if (opts.resetSeqNum === true) s.seqNum = 0;
  }

  /** Version must be 1; with ESS, the clear SeqNum must be the expected one (checked before RC4 is used). */
  private checkSignatureShape(signature: Uint8Array): void {
    if (!(signature instanceof Uint8Array) || signature.length !== NTLM_SIGNATURE_LENGTH) {
      throw new SpnegoError('DEFECTIVE_TOKEN', `NTLM signature must be ${NTLM_SIGNATURE_LENGTH} bytes`);
    }
    const dv = new DataView(signature.buffer, signature.byteOffset, signature.byteLength);
    if (dv.getUint32(0, true) !== 1) throw new SpnegoError('DEFECTIVE_TOKEN', 'NTLM signature Version is not 1');
    if (this.ess) {
      const seq = dv.getUint32(12, true);
      const want = this.in.seqNum;
      if (seq < want) throw new SpnegoError('DUPLICATE_TOKEN', `NTLM signature SeqNum ${seq} already used (expected ${want})`);
      if (seq > want) throw new SpnegoError('UNSEQ_TOKEN', `NTLM signature SeqNum ${seq} is ahead of the expected ${want}`);
    }
  }

  private verifyWith(message: Uint8Array, signature: Uint8Array): void {
    const s = this.in;
    const expected = MAC({ flags: this.flags, handle: s.handle, signingKey: s.signKey, seqNum: s.seqNum, message });
    if (!this.ess) {
      // RandomPad is not checked (MS-NLMP: set to 0 but ignored); checksum, then SeqNum.
      if (!constantTimeEqual(expected.subarray(8, 12), signature.subarray(8, 12))) {
        throw new SpnegoError('BAD_MIC', 'NTLM signature checksum does not match');
      }
      if (!constantTimeEqual(expected.subarray(12, 16), signature.subarray(12, 16))) {
        throw new SpnegoError('UNSEQ_TOKEN', 'NTLM signature SeqNum is not the expected one');
      }
    } else if (!constantTimeEqual(expected, signature)) {
      throw new SpnegoError('BAD_MIC', 'NTLM signature does not match');
    }
    s.seqNum = (s.seqNum + 1) >>> 0;
  }
}
