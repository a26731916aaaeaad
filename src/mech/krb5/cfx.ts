// RFC 4121 section 4.2 per-message tokens (the "CFX" tokens used with every enctype that is not
// one of RFC 1964's): MIC tokens (TOK_ID 04 04) and Wrap tokens (05 04), with or without
// confidentiality, over a context key from the AP exchange.
//
// Token header, 16 bytes:
//   MIC:  04 04 | Flags | FF FF FF FF FF        | SND_SEQ (8, big-endian) | SGN_CKSUM
//   Wrap: 05 04 | Flags | FF | EC (2) | RRC (2) | SND_SEQ (8, big-endian) | Data
// Flags: 0x01 SentByAcceptor, 0x02 Sealed, 0x04 AcceptorSubkey; other bits are ignored on receipt
// (RFC 4121 4.2.2) but are covered by the checksum or the encrypted header copy.
// Key usages (RFC 4121 2): MIC tokens 25 (initiator) / 23 (acceptor); Wrap tokens, sealed or not,
// 24 (initiator) / 22 (acceptor).
// Sealed Wrap: Data = E(plaintext | EC filler bytes | the header with RRC 0); we send EC 0.
// Integrity-only Wrap: Data = plaintext | checksum(plaintext | header with EC 0 and RRC 0), and
// the sent header's EC is the checksum length. Either way Data is then rotated right by RRC
// (we send 0; any RRC is accepted on receipt).

import { SpnegoError } from '../../errors.js';
import { constantTimeEqual } from '../../bytes/index.js';
import { getProfile, type EncryptionProfile, type Key } from '../../crypto/krb5/index.js';
import { KeyUsage, TokId } from '../../iana/krb5.js';
import { SequenceWindow, toSeq } from './sequence.js';

export const CfxFlag = {
  SentByAcceptor: 0x01,
  Sealed: 0x02,
  AcceptorSubkey: 0x04,
} as const;

const HEADER = 16;
const SEQ_MASK = (1n << 64n) - 1n;

export type GssRole = 'initiator' | 'acceptor';

export interface Rfc4121SecurityOptions {
  /** The context key: the acceptor's subkey if it sent one, else the initiator's subkey, else the ticket session key. */
  readonly key: Key;
  /** Our side of the context. */
  readonly role: GssRole;
  /** True when `key` is the acceptor's subkey: sets and expects the AcceptorSubkey flag. */
  readonly acceptorSubkey: boolean;
  /** Our first sequence number (the authenticator's for the initiator, the AP-REP's for the acceptor). */
  readonly sendSeq: number | bigint;
  /** The peer's first sequence number. */
  readonly recvSeq: number | bigint;
  /** Must be true to use a weak enctype key (none of them uses these tokens in practice). */
  readonly allowWeakCrypto?: boolean;
  /** Reject replayed and too-old tokens (default true). See sequence.ts. */
  readonly replayDetection?: boolean;
  /** Also reject out-of-order tokens and gaps (default false). See sequence.ts. */
  readonly sequenceDetection?: boolean;
}

export interface WrapOptions {
  /** Encrypt the message (confidentiality) as well as protecting its integrity. Default true. */
  readonly encrypt?: boolean;
  /** Right rotation count to put in the token (default 0, as MIT sends). For tests and peers that want it. */
  readonly rrc?: number;
}

export interface UnwrapResult {
  readonly message: Uint8Array;
  /** Whether the token was sealed (confidentiality was applied). */
  readonly encrypted: boolean;
}

/** The fields of a parsed token header. */
interface Header {
  readonly flags: number;
  readonly ec: number;
  readonly rrc: number;
  readonly seq: bigint;
}

function be16(b: Uint8Array, at: number): number {
  return ((b[at] ?? 0) << 8) | (b[at + 1] ?? 0);
}

function put16(b: Uint8Array, at: number, v: number): void {
  b[at] = (v >>> 8) & 0xff;
  b[at + 1] = v & 0xff;
}

function putSeq(b: Uint8Array, at: number, seq: bigint): void {
  new DataView(b.buffer, b.byteOffset, b.byteLength).setBigUint64(at, seq, false);
}

function getSeq(b: Uint8Array, at: number): bigint {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getBigUint64(at, false);
}

/** Rotates `data` left by `n` (undoes a right rotation by `n`), into a new array. */
function rotateLeft(data: Uint8Array, n: number): Uint8Array {
  const out = new Uint8Array(data.length);
  if (data.length === 0) return out;
  const r = n % data.length;
  out.set(data.subarray(r), 0);
  out.set(data.subarray(0, r), data.length - r);
  return out;
}

/** Rotates `data` right by `n`, in place. */
function rotateRightInPlace(data: Uint8Array, n: number): void {
  if (data.length === 0) return;
  const r = n % data.length;
  if (r === 0) return;
  const copy = data.slice();
  data.set(copy.subarray(data.length - r), 0);
  data.set(copy.subarray(0, data.length - r), r);
}

/**
 * Per-message protection of an established Kerberos context with RFC 4121 tokens. One instance
 * per context; not safe to share between contexts. Sequence numbers count up from `sendSeq`
 * modulo 2^64; received tokens go through a replay window (sequence.ts) after their integrity
 * has been checked.
 */
export class Rfc4121Security {
  readonly role: GssRole;
  readonly acceptorSubkey: boolean;
  private readonly key: Key;
  private readonly profile: EncryptionProfile;
  private sendSeq: bigint;
  private readonly window: SequenceWindow;

  constructor(opts: Rfc4121SecurityOptions) {
    if (opts.role !== 'initiator' && opts.role !== 'acceptor') {
      throw new SpnegoError('BAD_ARGUMENT', `role must be 'initiator' or 'acceptor'`);
    }
    this.profile = getProfile(opts.key.enctype, { allowWeakCrypto: opts.allowWeakCrypto === true });
    if (opts.key.value.length !== this.profile.keySize) {
      throw new SpnegoError('BAD_ARGUMENT', `${this.profile.name} key must be ${this.profile.keySize} bytes`);
    }
    this.key = opts.key;
    this.role = opts.role;
    this.acceptorSubkey = opts.acceptorSubkey === true;
    this.sendSeq = toSeq(opts.sendSeq, SEQ_MASK, 'sendSeq');
    this.window = new SequenceWindow({
      initial: toSeq(opts.recvSeq, SEQ_MASK, 'recvSeq'),
      bits: 64,
      replayDetection: opts.replayDetection ?? true,
      sequenceDetection: opts.sequenceDetection ?? false,
    });
  }

  /** The sequence number our next token will carry. */
  get nextSendSeq(): bigint {
    return this.sendSeq;
  }

  /** GSS_GetMIC: a MIC token over `message`. */
  getMic(message: Uint8Array): Uint8Array {
    const header = this.header(TokId.MIC, 0);
    header.fill(0xff, 3, 8);
    const usage = this.role === 'initiator' ? KeyUsage.GSS_INITIATOR_SIGN : KeyUsage.GSS_ACCEPTOR_SIGN;
    const cksum = this.profile.checksum(this.key, usage, concat2(message, header));
    this.advance();
    return concat2(header, cksum);
  }

  /** GSS_VerifyMIC: throws BAD_MIC, DEFECTIVE_TOKEN or a sequence error (sequence.ts) unless `token` is a valid MIC of `message`. */
  verifyMic(message: Uint8Array, token: Uint8Array): void {
    const h = this.parseHeader(token, TokId.MIC);
    for (let i = 3; i < 8; i++) {
      if (token[i] !== 0xff) throw new SpnegoError('DEFECTIVE_TOKEN', 'MIC token filler is not FF', { offset: i });
    }
    const cksum = token.subarray(HEADER);
    if (cksum.length !== this.profile.checksumSize) {
      throw new SpnegoError('DEFECTIVE_TOKEN', `MIC token checksum is ${cksum.length} bytes, expected ${this.profile.checksumSize}`, {
        offset: HEADER,
      });
    }
    const usage = this.role === 'initiator' ? KeyUsage.GSS_ACCEPTOR_SIGN : KeyUsage.GSS_INITIATOR_SIGN;
    this.profile.verifyChecksum(this.key, usage, concat2(message, token.subarray(0, HEADER)), cksum);
    this.window.check(h.seq);
  }

  /** GSS_Wrap: a Wrap token carrying `message`, sealed unless `opts.encrypt` is false. */
  wrap(message: Uint8Array, opts: WrapOptions = {}): Uint8Array {
    const rrc = opts.rrc ?? 0;
    if (!Number.isInteger(rrc) || rrc < 0 || rrc > 0xffff) throw new SpnegoError('BAD_ARGUMENT', 'rrc must be 0..65535');
    const usage = this.role === 'initiator' ? KeyUsage.GSS_INITIATOR_SEAL : KeyUsage.GSS_ACCEPTOR_SEAL;
    let token: Uint8Array;
    if (opts.encrypt ?? true) {
      const header = this.header(TokId.Wrap, CfxFlag.Sealed);
      header[3] = 0xff; // EC 0, RRC 0 in the encrypted copy
      const ct = this.profile.encrypt(this.key, usage, concat2(message, header));
      put16(header, 6, rrc);
      token = concat2(header, ct);
    } else {
      const header = this.header(TokId.Wrap, 0);
      header[3] = 0xff; // EC and RRC 0 while checksumming
      const cksum = this.profile.checksum(this.key, usage, concat2(message, header));
      put16(header, 4, cksum.length);
      put16(header, 6, rrc);
      token = new Uint8Array(HEADER + message.length + cksum.length);
      token.set(header, 0);
      token.set(message, HEADER);
      token.set(cksum, HEADER + message.length);
    }
    rotateRightInPlace(token.subarray(HEADER), rrc);
    this.advance();
    return token;
  }

  /** GSS_Unwrap: the message in a Wrap token; throws BAD_MIC, DEFECTIVE_TOKEN or a sequence error (sequence.ts). */
  unwrap(token: Uint8Array): UnwrapResult {
    const h = this.parseHeader(token, TokId.Wrap);
    if (token[3] !== 0xff) throw new SpnegoError('DEFECTIVE_TOKEN', 'Wrap token filler is not FF', { offset: 3 });
    const data = rotateLeft(token.subarray(HEADER), h.rrc);
    const usage = this.role === 'initiator' ? KeyUsage.GSS_ACCEPTOR_SEAL : KeyUsage.GSS_INITIATOR_SEAL;
    let message: Uint8Array;
    const encrypted = (h.flags & CfxFlag.Sealed) !== 0;
    if (encrypted) {
      if (data.length < this.profile.overhead) {
        throw new SpnegoError('DEFECTIVE_TOKEN', 'sealed Wrap token is too short', { offset: HEADER });
      }
      const plain = this.profile.decrypt(this.key, usage, data);
      if (plain.length < h.ec + HEADER) {
        plain.fill(0);
        throw new SpnegoError('DEFECTIVE_TOKEN', `sealed Wrap token holds less than EC ${h.ec} + 16 bytes`, { offset: 4 });
      }
      // The encrypted header copy must match the sent header, except RRC (not protected).
      const copy = plain.subarray(plain.length - HEADER);
      const outer = token.subarray(0, HEADER);
      if (!constantTimeEqual(copy.subarray(0, 6), outer.subarray(0, 6)) || !constantTimeEqual(copy.subarray(8), outer.subarray(8))) {
        plain.fill(0);
        throw new SpnegoError('BAD_MIC', 'sealed Wrap token header does not match its encrypted copy');
      }
      message = plain.slice(0, plain.length - HEADER - h.ec);
      plain.fill(0);
    } else {
      const n = this.profile.checksumSize;
      if (h.ec !== n) {
        throw new SpnegoError('DEFECTIVE_TOKEN', `integrity-only Wrap token EC is ${h.ec}, expected the checksum length ${n}`, {
          offset: 4,
        });
      }
      if (data.length < n) throw new SpnegoError('DEFECTIVE_TOKEN', 'Wrap token is shorter than its checksum', { offset: HEADER });
      const body = data.subarray(0, data.length - n);
      const header = token.slice(0, HEADER);
      header.fill(0, 4, 8);
      this.profile.verifyChecksum(this.key, usage, concat2(body, header), data.subarray(data.length - n));
      message = body.slice();
    }
    this.window.check(h.seq);
    return { message, encrypted };
  }

  /** A header with TOK_ID, our flags plus `extra`, and the next sequence number; bytes 3..7 zero. */
  private header(tokId: number, extra: number): Uint8Array {
    const h = new Uint8Array(HEADER);
    put16(h, 0, tokId);
    h[2] =
      extra | (this.role === 'acceptor' ? CfxFlag.SentByAcceptor : 0) | (this.acceptorSubkey ? CfxFlag.AcceptorSubkey : 0);
    putSeq(h, 8, this.sendSeq);
    return h;
  }

  private advance(): void {
    this.sendSeq = (this.sendSeq + 1n) & SEQ_MASK;
  }

  /** TOK_ID, length, direction and subkey flags; the filler is checked by the caller. */
  private parseHeader(token: Uint8Array, tokId: number): Header {
    if (!(token instanceof Uint8Array)) throw new SpnegoError('BAD_ARGUMENT', 'token must be a Uint8Array');
    if (token.length < HEADER) throw new SpnegoError('DEFECTIVE_TOKEN', `token of ${token.length} bytes is shorter than 16`, { offset: 0 });
    const id = be16(token, 0);
    if (id !== tokId) {
      throw new SpnegoError('DEFECTIVE_TOKEN', `TOK_ID ${id.toString(16).padStart(4, '0')}, expected ${tokId.toString(16).padStart(4, '0')}`, {
        offset: 0,
      });
    }
    const flags = token[2] ?? 0;
    const fromAcceptor = (flags & CfxFlag.SentByAcceptor) !== 0;
    if (fromAcceptor !== (this.role === 'initiator')) {
      throw new SpnegoError('DEFECTIVE_TOKEN', 'token has our own direction (SentByAcceptor) flag: reflected', { offset: 2 });
    }
    if (((flags & CfxFlag.AcceptorSubkey) !== 0) !== this.acceptorSubkey) {
      throw new SpnegoError(
        'DEFECTIVE_TOKEN',
        this.acceptorSubkey ? 'token lacks the AcceptorSubkey flag but the acceptor sent a subkey' : 'token has the AcceptorSubkey flag but the acceptor sent no subkey',
        { offset: 2 },
      );
    }
    if (tokId === TokId.MIC && (flags & CfxFlag.Sealed) !== 0) {
      throw new SpnegoError('DEFECTIVE_TOKEN', 'MIC token has the Sealed flag', { offset: 2 });
    }
    return { flags, ec: be16(token, 4), rrc: be16(token, 6), seq: getSeq(token, 8) };
  }
}

function concat2(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
