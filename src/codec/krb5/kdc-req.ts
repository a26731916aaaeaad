// KRB_AS_REQ and KRB_TGS_REQ (RFC 4120 5.4.1).
//   AS-REQ  ::= [APPLICATION 10] KDC-REQ
//   TGS-REQ ::= [APPLICATION 12] KDC-REQ
//   KDC-REQ ::= SEQUENCE { -- NOTE: first tag is [1], not [0]
//     pvno [1] INTEGER (5), msg-type [2] INTEGER (10 -- AS -- | 12 -- TGS --),
//     padata [3] SEQUENCE OF PA-DATA OPTIONAL -- NOTE: not empty --, req-body [4] KDC-REQ-BODY }
// The PA-TGS-REQ authenticator checksum covers the exact DER of req-body (the KDC-REQ-BODY
// SEQUENCE, without the [4] wrapper), so decoding also returns those bytes as `reqBodyDer`, and
// encoding reuses `reqBodyDer` when given: encode the body once with kdcReqBodyCodec, checksum
// it, then encode the request with { reqBody, reqBodyDer }.
import type { Codec } from '../codec.js';
import { application, derCodec, encodeError, explicit, mapped, opt, req, sequence, tlvBytes, type DerType } from '../../der/index.js';
import { fixedInt } from './basic.js';
import { kdcReqBodyType, type KdcReqBody } from './kdc-req-body.js';
import { methodDataCodec } from './method-data.js';
import type { PaData } from './pa-data.js';

export type KdcReqMsgType = 10 | 12;

export interface KdcReq<M extends KdcReqMsgType = KdcReqMsgType> {
  readonly pvno: 5;
  /** 10 AS-REQ, 12 TGS-REQ (always the one the APPLICATION tag says). */
  readonly msgType: M;
  /** PA-ENC-TIMESTAMP, PA-PAC-REQUEST (AS); PA-TGS-REQ holding an AP-REQ (TGS). */
  readonly padata?: readonly PaData[] | undefined;
  readonly reqBody: KdcReqBody;
  /** The exact DER of req-body (the KDC-REQ-BODY SEQUENCE) as received: the PA-TGS-REQ checksum input. */
  readonly reqBodyDer: Uint8Array;
}
export type AsReq = KdcReq<10>;
export type TgsReq = KdcReq<12>;

/** What the encoder accepts: `reqBodyDer` may be left out and is then produced from `reqBody`. */
export type KdcReqInput<M extends KdcReqMsgType = KdcReqMsgType> = Omit<KdcReq<M>, 'reqBodyDer'> & { readonly reqBodyDer?: Uint8Array | undefined };
export type AsReqInput = KdcReqInput<10>;
export type TgsReqInput = KdcReqInput<12>;

export interface KdcReqCodec<M extends KdcReqMsgType> extends Codec<KdcReq<M>> {
  readonly type: DerType<KdcReq<M>>;
  encode(value: KdcReqInput<M>): Uint8Array;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * The req-body bytes to send: `reqBodyDer` when given (it must be exactly the DER of `reqBody`,
 * else ENCODE_BAD_VALUE), otherwise a fresh encoding of `reqBody`.
 */
export function reqBodyDerFor(v: { readonly reqBody: KdcReqBody; readonly reqBodyDer?: Uint8Array | undefined }): Uint8Array {
  if (v.reqBody === undefined) encodeError('KDC-REQ lacks req-body');
  const enc = kdcReqBodyType.encode(v.reqBody);
  if (v.reqBodyDer === undefined) return enc;
  if (!(v.reqBodyDer instanceof Uint8Array) || !sameBytes(enc, v.reqBodyDer)) encodeError('reqBodyDer does not match reqBody');
  return v.reqBodyDer;
}

interface BodyWithDer {
  readonly reqBody: KdcReqBody;
  readonly reqBodyDer?: Uint8Array | undefined;
}

/** KDC-REQ-BODY together with its exact bytes (a copy); encodes from the bytes when present. */
const reqBodyWithDerType: DerType<BodyWithDer> = {
  tagSpec: kdcReqBodyType.tagSpec,
  label: kdcReqBodyType.label,
  matches: (t) => kdcReqBodyType.matches(t),
  decodeTlv: (t, ctx) => ({ reqBody: kdcReqBodyType.decodeTlv(t, ctx), reqBodyDer: new Uint8Array(tlvBytes(t)) }),
  encode: (v) => reqBodyDerFor(v),
};

function kdcReqType<M extends KdcReqMsgType>(msgType: M, name: string): DerType<KdcReq<M>> {
  const fields = sequence({
    pvno: req(explicit(1, fixedInt(5, 'pvno'))),
    msgType: req(explicit(2, fixedInt(msgType, `${name} msg-type`))),
    padata: opt(explicit(3, methodDataCodec.type)),
    reqBody: req(explicit(4, reqBodyWithDerType)),
  }, name);
  return application(msgType, mapped(
    fields,
    (s): KdcReq<M> => {
      const out: Record<string, unknown> = { pvno: s.pvno, msgType: s.msgType };
      if (s.padata !== undefined) out.padata = s.padata;
      out.reqBody = s.reqBody.reqBody;
      out.reqBodyDer = s.reqBody.reqBodyDer;
      return out as unknown as KdcReq<M>;
    },
    // Typed as KdcReq, but a hand-built value may lack reqBodyDer (KdcReqInput).
    (v: KdcReq<M>) => ({ pvno: v.pvno, msgType: v.msgType, padata: v.padata, reqBody: { reqBody: v.reqBody, reqBodyDer: v.reqBodyDer } }),
    name,
  ));
}

/** AS-REQ ::= [APPLICATION 10] KDC-REQ. */
export const asReqCodec: KdcReqCodec<10> = derCodec<AsReq>('AS-REQ', kdcReqType(10, 'AS-REQ'));
/** TGS-REQ ::= [APPLICATION 12] KDC-REQ. */
export const tgsReqCodec: KdcReqCodec<12> = derCodec<TgsReq>('TGS-REQ', kdcReqType(12, 'TGS-REQ'));
