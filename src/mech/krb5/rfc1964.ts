// rc4-hmac (enctype 23) per-message tokens: RFC 1964 token framing with the RFC 4757 section 7
// algorithms, as Windows and MIT make them. Weak crypto: only constructible with allowWeakCrypto.
//
// Every token is framed as an RFC 2743 InitialContextToken (60 len 06 09 <krb5 OID> ...), then:
//   MIC  (24 bytes): 01 01 | SGN_ALG 11 00 | FF FF FF FF         | SND_SEQ (8) | SGN_CKSUM (8)
//   Wrap (32 + n):   02 01 | SGN_ALG 11 00 | SEAL_ALG (2) | FF FF | SND_SEQ (8) | SGN_CKSUM (8) | confounder (8) | data
// SEAL_ALG 10 00 = RC4 (sealed), FF FF = none. data = message | padding (we send one byte 01, as
// MIT and Windows do; 1..8 bytes each equal to the pad length are accepted).
//   SGN_CKSUM = first 8 bytes of the hmac-md5 checksum (RFC 4757 4) with message type 15 (MIC)
//               or 13 (Wrap) over header(8) | [confounder | data]   (plaintext data for Wrap)
//   SND_SEQ   = RC4(HMAC-MD5(HMAC-MD5(key, 0 as LE32), SGN_CKSUM), seq as BE32 | direction x4),
//               direction 00 from the initiator, FF from the acceptor
//   sealing   = RC4(HMAC-MD5(HMAC-MD5(key XOR F0.., 0 as LE32), seq as BE32), confounder | data)
// SND_SEQ is not covered by the checksum (RFC 1964's design): in a MIC or an integrity-only Wrap
// token, changing its first four bytes changes the sequence number undetected, and only the
// replay window (sequence.ts) can notice. Sequence numbers are 32 bits and wrap.

import { SpnegoError } from '../../errors.js';
import { constantTimeEqual } from '../../bytes/index.js';
import { hmacMd5, randomBytes, rc4 } from '../../crypto/index.js';
import { getProfile, type EncryptionProfile, type Key } from '../../crypto/krb5/index.js';
import { InitialContextToken } from '../../codec/gss/initial-context-token.js';
import { EncType, TokId } from '../../iana/krb5.js';
import { OID } from '../../iana/oids.js';
import { SequenceWindow, toSeq } from './sequence.js';
import type { GssRole, UnwrapResult } from './cfx.js';

const SGN_ALG_HMAC_MD5 = 0x1100;
const SEAL_ALG_RC4 = 0x1000;
const SEAL_ALG_NONE = 0xffff;
/** RFC 4757 7.2/7.3 message types for the checksum. */
const T_MIC = 15;
const T_WRAP = 13;
const SEQ_MASK = 0xffffffffn;
const ZERO_LE32 = new Uint8Array(4);

export interface Rfc1964SecurityOptions {
  /** The context key (rc4-hmac): the acceptor's subkey if it sent one, else the initiator's subkey, else the session key. */
  readonly key: Key;
  readonly role: GssRole;
  /** Our first sequence number. */
  readonly sendSeq: number | bigint;
  /** The peer's first sequence number. */
  readonly recvSeq: number | bigint;
  /** Must be true: rc4-hmac is weak. */
  readonly allowWeakCrypto: boolean;
  /** Reject replayed and too-old tokens (default true). See sequence.ts. */
  readonly replayDetection?: boolean;
  /** Also reject out-of-order tokens and gaps (default false). See sequence.ts. */
  readonly sequenceDetection?: boolean;
}

export interface Rfc1964WrapOptions {
  /** Seal (RC4) the message as well as protecting its integrity. Default true. */
  readonly encrypt?: boolean;
  /** The 8-byte confounder, for tests (random by default). */
  readonly confounder?: Uint8Array;
}

function be32(n: bigint): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, Number(n), false);
  return b;
}

function be16(b: Uint8Array, at: number): number {
  return ((b[at] ?? 0) << 8) | (b[at + 1] ?? 0);
}

function cat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Per-message protection of an rc4-hmac Kerberos context (RFC 4757 7). */
export class Rfc1964Security {
  readonly role: GssRole;
  private readonly key: Key;
  private readonly profile: EncryptionProfile;
  private readonly kseqBase: Uint8Array;
  private readonly kcryptBase: Uint8Array;
  private sendSeq: bigint;
  private readonly window: SequenceWindow;

  constructor(opts: Rfc1964SecurityOptions) {
    if (opts.role !== 'initiator' && opts.role !== 'acceptor') {
      throw new SpnegoError('BAD_ARGUMENT', `role must be 'initiator' or 'acceptor'`);
    }
    if (opts.key.enctype !== EncType['rc4-hmac']) {
      throw new SpnegoError('BAD_ARGUMENT', `RFC 1964/4757 tokens need an rc4-hmac key, got enctype ${opts.key.enctype}`);
    }
    this.profile = getProfile(opts.key.enctype, { allowWeakCrypto: opts.allowWeakCrypto === true });
    if (opts.key.value.length !== this.profile.keySize) throw new SpnegoError('BAD_ARGUMENT', 'rc4-hmac key must be 16 bytes');
    this.key = opts.key;
    this.role = opts.role;
    this.kseqBase = hmacMd5(opts.key.value, ZERO_LE32);
    this.kcryptBase = hmacMd5(
      opts.key.value.map((b) => b ^ 0xf0),
      ZERO_LE32,
    );
    this.sendSeq = toSeq(opts.sendSeq, SEQ_MASK, 'sendSeq');
    this.window = new SequenceWindow({
      initial: toSeq(opts.recvSeq, SEQ_MASK, 'recvSeq'),
      bits: 32,
      replayDetection: opts.replayDetection ?? true,
      sequenceDetection: opts.sequenceDetection ?? false,
    });
  }

  /** The sequence number our next token will carry. */
  get nextSendSeq(): bigint {
    return this.sendSeq;
  }

  getMic(message: Uint8Array): Uint8Array {
    const hdr = Uint8Array.of(0x01, 0x01, 0x11, 0x00, 0xff, 0xff, 0xff, 0xff);
    const cksum = this.cksum(T_MIC, hdr, message);
    const inner = cat(hdr, this.sealSeq(cksum, this.sendSeq), cksum);
    this.advance();
    return frame(inner);
  }

  verifyMic(message: Uint8Array, token: Uint8Array): void {
    const inner = unframe(token);
    if (inner.length !== 24) throw new SpnegoError('DEFECTIVE_TOKEN', `RFC 1964 MIC token is ${inner.length} bytes, expected 24`);
    checkHeader(inner, TokId['MIC-RFC1964']);
    if (be16(inner, 4) !== 0xffff || be16(inner, 6) !== 0xffff) throw new SpnegoError('DEFECTIVE_TOKEN', 'MIC token filler is not FF');
    const cksum = inner.subarray(16, 24);
    if (!constantTimeEqual(this.cksum(T_MIC, inner.subarray(0, 8), message), cksum)) {
      throw new SpnegoError('BAD_MIC', 'rc4-hmac MIC token checksum mismatch');
    }
    this.window.check(this.openSeq(cksum, inner.subarray(8, 16)));
  }

  wrap(message: Uint8Array, opts: Rfc1964WrapOptions = {}): Uint8Array {
    const encrypt = opts.encrypt ?? true;
    const conf = opts.confounder ?? randomBytes(8);
    if (conf.length !== 8) throw new SpnegoError('BAD_ARGUMENT', 'confounder must be 8 bytes');
    const hdr = Uint8Array.of(0x02, 0x01, 0x11, 0x00, encrypt ? 0x10 : 0xff, encrypt ? 0x00 : 0xff, 0xff, 0xff);
    const body = cat(conf, message, Uint8Array.of(1));
    const cksum = this.cksum(T_WRAP, hdr, body);
    const seq = this.sealSeq(cksum, this.sendSeq);
    const data = encrypt ? rc4(this.kcrypt(this.sendSeq), body) : body;
    this.advance();
    return frame(cat(hdr, seq, cksum, data));
  }

  unwrap(token: Uint8Array): UnwrapResult {
    const inner = unframe(token);
    if (inner.length < 33) throw new SpnegoError('DEFECTIVE_TOKEN', `RFC 1964 Wrap token of ${inner.length} bytes is too short`);
    checkHeader(inner, TokId['Wrap-RFC1964']);
    const sealAlg = be16(inner, 4);
    if (sealAlg !== SEAL_ALG_RC4 && sealAlg !== SEAL_ALG_NONE) {
      throw new SpnegoError('DEFECTIVE_TOKEN', `unsupported SEAL_ALG ${sealAlg.toString(16)}`, { offset: 4 });
    }
    if (be16(inner, 6) !== 0xffff) throw new SpnegoError('DEFECTIVE_TOKEN', 'Wrap token filler is not FF', { offset: 6 });
    const cksum = inner.subarray(16, 24);
    const encrypted = sealAlg === SEAL_ALG_RC4;
    // The sequence number is needed first: it keys the sealing.
    const plainSeq = rc4(hmacMd5(this.kseqBase, cksum), inner.subarray(8, 16));
    const seq = BigInt(new DataView(plainSeq.buffer).getUint32(0, false));
    const body = encrypted ? rc4(this.kcrypt(seq), inner.subarray(24)) : inner.slice(24);
    if (!constantTimeEqual(this.cksum(T_WRAP, inner.subarray(0, 8), body), cksum)) {
      body.fill(0);
      throw new SpnegoError('BAD_MIC', 'rc4-hmac Wrap token checksum mismatch');
    }
    this.checkDirection(plainSeq);
    const pad = body[body.length - 1] ?? 0;
    if (pad < 1 || pad > 8 || body.length - 8 < pad || body.subarray(body.length - pad).some((b) => b !== pad)) {
      body.fill(0);
      throw new SpnegoError('DEFECTIVE_TOKEN', 'Wrap token padding is malformed');
    }
    const message = body.slice(8, body.length - pad);
    body.fill(0);
    this.window.check(seq);
    return { message, encrypted };
  }

  private cksum(t: number, hdr: Uint8Array, data: Uint8Array): Uint8Array {
    return this.profile.checksum(this.key, t, cat(hdr, data)).subarray(0, 8);
  }

  private direction(): number {
    return this.role === 'initiator' ? 0x00 : 0xff;
  }

  private sealSeq(cksum: Uint8Array, seq: bigint): Uint8Array {
    const d = this.direction();
    return rc4(hmacMd5(this.kseqBase, cksum), cat(be32(seq), Uint8Array.of(d, d, d, d)));
  }

  /** Decrypts SND_SEQ (after the checksum was verified), checks the direction bytes, returns the number. */
  private openSeq(cksum: Uint8Array, sndSeq: Uint8Array): bigint {
    const p = rc4(hmacMd5(this.kseqBase, cksum), sndSeq);
    this.checkDirection(p);
    return BigInt(new DataView(p.buffer).getUint32(0, false));
  }

  private checkDirection(plainSeq: Uint8Array): void {
    const peer = this.direction() ^ 0xff;
    const d = plainSeq.subarray(4, 8);
    if (d.every((b) => b === peer)) return;
    if (d.every((b) => b === (peer ^ 0xff))) {
      throw new SpnegoError('DEFECTIVE_TOKEN', 'token carries our own direction: reflected');
    }
    throw new SpnegoError('BAD_MIC', 'token sequence number is corrupt (bad direction bytes)');
  }

  private kcrypt(seq: bigint): Uint8Array {
    return hmacMd5(this.kcryptBase, be32(seq));
  }

  private advance(): void {
    this.sendSeq = (this.sendSeq + 1n) & SEQ_MASK;
  }
}

function frame(inner: Uint8Array): Uint8Array {
  return InitialContextToken.encode({ mech: OID.KRB5, innerToken: inner });
}

function unframe(token: Uint8Array): Uint8Array {
  if (!(token instanceof Uint8Array)) throw new SpnegoError('BAD_ARGUMENT', 'token must be a Uint8Array');
  const t = InitialContextToken.decode(token);
  if (t.mech !== OID.KRB5 && t.mech !== OID.MS_KRB5) throw new SpnegoError('DEFECTIVE_TOKEN', `token is for mechanism ${t.mech}, not Kerberos`);
  return t.innerToken;
}

function checkHeader(inner: Uint8Array, tokId: number): void {
  const id = be16(inner, 0);
  if (id !== tokId) throw new SpnegoError('DEFECTIVE_TOKEN', `TOK_ID ${id.toString(16).padStart(4, '0')}, expected ${tokId.toString(16).padStart(4, '0')}`);
  const sgn = be16(inner, 2);
  if (sgn !== SGN_ALG_HMAC_MD5) throw new SpnegoError('DEFECTIVE_TOKEN', `unsupported SGN_ALG ${sgn.toString(16).padStart(4, '0')}`);
}
