// NEGOTIATE_MESSAGE (MS-NLMP 2.2.1.1): the client's first message.
// Fixed part (32 bytes): Signature, MessageType = 1, NegotiateFlags, DomainNameFields,
// WorkstationFields; then VERSION (optional, see payload.ts) and the payload.
// DomainName and Workstation are OEM strings (MS-NLMP 2.2.1.1), whatever the Unicode flag says.
// Canonical (Windows) layout: empty fields have BufferOffset 0; DomainName then Workstation.
import type { Codec, DecodeLimits } from '../codec.js';
import { NtlmMessageType } from '../../iana/ntlm.js';
import {
  decodeFrame,
  encodeFrame,
  encodeHonouringLayout,
  fixedWriter,
  omitCanonicalLayout,
  type FrameSpec,
  type PayloadLayout,
} from './payload.js';
import { checkU32, decodeNtlmString, encodeNtlmString, ntlmLimits, plainBytes } from './util.js';
import type { Version } from './version.js';

export type NegotiatePayloadField = 'DomainName' | 'Workstation';

export interface NegotiateMessage {
  readonly negotiateFlags: number;
  /** DomainName (OEM); '' when the field is empty. */
  readonly domainName: string;
  /** Workstation (OEM); '' when the field is empty. */
  readonly workstation: string;
  /** VERSION, when the message has room for it (see payload.ts). */
  readonly version?: Version;
  /** The sender's layout, present only when it differs from the canonical one. */
  readonly layout?: PayloadLayout<NegotiatePayloadField>;
}

export const NEGOTIATE_FRAME: FrameSpec<NegotiatePayloadField> = {
  name: 'NEGOTIATE_MESSAGE',
  messageType: NtlmMessageType.NEGOTIATE_MESSAGE,
  fixedLength: 32,
  fields: [
    ['DomainName', 16],
    ['Workstation', 24],
  ],
  canonicalOrder: ['DomainName', 'Workstation'],
  canonicalEmptyOffset: 'zero',
  mic: false,
};

function decodeRaw(bytes: Uint8Array, limits: DecodeLimits): NegotiateMessage {
  const f = decodeFrame(NEGOTIATE_FRAME, bytes, limits);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const m: NegotiateMessage = {
    negotiateFlags: view.getUint32(12, true),
    domainName: decodeNtlmString(f.payload.DomainName.bytes, false, f.payload.DomainName.offset),
    workstation: decodeNtlmString(f.payload.Workstation.bytes, false, f.payload.Workstation.offset),
    layout: f.layout,
  };
  return f.version ? { ...m, version: f.version } : m;
}

function encodeWith(v: NegotiateMessage, layout: PayloadLayout<NegotiatePayloadField> | undefined): Uint8Array {
  const fixed = fixedWriter(NtlmMessageType.NEGOTIATE_MESSAGE)
    .u32le(checkU32(v.negotiateFlags, 'NegotiateFlags'))
    .zeros(16)
    .finish();
  return encodeFrame(NEGOTIATE_FRAME, fixed, v.version, undefined, {
    DomainName: encodeNtlmString(v.domainName, false, 'DomainName'),
    Workstation: encodeNtlmString(v.workstation, false, 'Workstation'),
  }, layout);
}

const canonical = (v: NegotiateMessage): Uint8Array => encodeWith(v, undefined);

export const negotiateMessageCodec: Codec<NegotiateMessage> = {
  name: 'NEGOTIATE_MESSAGE',
  decode(bytes: Uint8Array, limits?: Partial<DecodeLimits>): NegotiateMessage {
    const b = plainBytes(bytes);
    return omitCanonicalLayout(decodeRaw(b, ntlmLimits(limits)), b, canonical);
  },
  encode(value: NegotiateMessage): Uint8Array {
    return encodeHonouringLayout(value, canonical, (v) => encodeWith(v, v.layout), (b) => decodeRaw(b, ntlmLimits()));
  },
};
