// VERSION (MS-NLMP 2.2.2.10): 8 bytes of operating-system version, for debugging only.
import { ByteReader } from '../../bytes/reader.js';
import { ByteWriter } from '../../bytes/writer.js';
import { SpnegoError } from '../../errors.js';
import type { Codec, DecodeLimits } from '../codec.js';
import { checkU8, checkU16, isAllZero, plainBytes } from './util.js';

export const VERSION_LENGTH = 8;

export interface Version {
  readonly productMajorVersion: number;
  readonly productMinorVersion: number;
  readonly productBuild: number;
  /** The 3 Reserved bytes; omitted when zero (as MS-NLMP requires), kept when a sender set them. */
  readonly reserved?: Uint8Array;
  /** NTLMRevisionCurrent, 0x0F (NTLMSSP_REVISION_W2K3) in practice. */
  readonly ntlmRevisionCurrent: number;
}

export function readVersion(r: ByteReader): Version {
  const productMajorVersion = r.u8();
  const productMinorVersion = r.u8();
  const productBuild = r.u16le();
  const reserved = r.take(3, 'VERSION Reserved');
  const ntlmRevisionCurrent = r.u8();
  const v: Version = { productMajorVersion, productMinorVersion, productBuild, ntlmRevisionCurrent };
  return isAllZero(reserved) ? v : { ...v, reserved };
}

export function writeVersion(w: ByteWriter, v: Version): void {
  w.u8(checkU8(v.productMajorVersion, 'ProductMajorVersion'));
  w.u8(checkU8(v.productMinorVersion, 'ProductMinorVersion'));
  w.u16le(checkU16(v.productBuild, 'ProductBuild'));
  if (v.reserved === undefined) w.zeros(3);
  else {
    if (v.reserved.length !== 3) throw new SpnegoError('ENCODE_BAD_VALUE', 'VERSION Reserved must be 3 bytes');
    w.bytes(v.reserved);
  }
  w.u8(checkU8(v.ntlmRevisionCurrent, 'NTLMRevisionCurrent'));
}

export const versionCodec: Codec<Version> = {
  name: 'VERSION',
  decode(bytes: Uint8Array, _limits?: Partial<DecodeLimits>): Version {
    const r = new ByteReader(plainBytes(bytes));
    const v = readVersion(r);
    r.expectEnd('VERSION');
    return v;
  },
  encode(value: Version): Uint8Array {
    const w = new ByteWriter(VERSION_LENGTH);
    writeVersion(w, value);
    return w.finish();
  },
};
