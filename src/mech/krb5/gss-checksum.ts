// The GSS authenticator checksum, type 0x8003 (RFC 4121 4.1.1): Lgth(4, LE) = 16, Bnd (MD5 of the
// channel bindings, or zeros), Flags (4, LE), then optionally DlgOpt(2) = 1, Dlgth(2), Deleg (a
// KRB-CRED). Not DER: a fixed little-endian layout, parsed with bounds like any wire type.
import { ByteReader } from '../../bytes/reader.js';
import { ByteWriter } from '../../bytes/writer.js';
import { decodeError } from '../../errors.js';

export const GSS_CHECKSUM_TYPE = 0x8003;

/** GSS context flags as they appear in the checksum (RFC 2744 values). */
export const GssFlag = {
  DELEG: 1,
  MUTUAL: 2,
  REPLAY: 4,
  SEQUENCE: 8,
  CONF: 16,
  INTEG: 32,
  /** RFC 4757 7.1: DCE style. */
  DCE_STYLE: 0x1000,
} as const;

export interface GssChecksum {
  /** MD5 of the gss_channel_bindings_struct, or 16 zeros for none. */
  readonly bindings: Uint8Array;
  readonly flags: number;
  /** A KRB-CRED with a forwarded TGT, when GSS_C_DELEG_FLAG is set. */
  readonly delegation?: Uint8Array;
  /** Bytes after the known fields (some implementations add extensions): kept, not interpreted. */
  readonly extensions?: Uint8Array;
}

export function encodeGssChecksum(c: GssChecksum): Uint8Array {
  const w = new ByteWriter(40);
  w.u32le(16).bytes(c.bindings).u32le(c.flags);
  if (c.delegation) w.u16le(1).u16le(c.delegation.length).bytes(c.delegation);
  if (c.extensions) w.bytes(c.extensions);
  return w.finish();
}

export function decodeGssChecksum(b: Uint8Array): GssChecksum {
  const r = new ByteReader(b);
  const lgth = r.u32le();
  if (lgth !== 16) decodeError('DECODE_BAD_VALUE', `GSS checksum Lgth ${lgth}, expected 16`, 0);
  const bindings = r.take(16, 'Bnd');
  const flags = r.u32le();
  let delegation: Uint8Array | undefined;
  if ((flags & GssFlag.DELEG) !== 0 && r.remaining >= 4) {
    const at = r.absolute;
    const opt = r.u16le();
    if (opt !== 1) decodeError('DECODE_BAD_VALUE', `DlgOpt ${opt}, expected 1`, at);
    delegation = r.take(r.u16le(), 'Deleg');
  }
  const extensions = r.remaining > 0 ? r.take(r.remaining) : undefined;
  return { bindings, flags, ...(delegation ? { delegation } : {}), ...(extensions ? { extensions } : {}) };
}
