// The real PAC from the lab's Samba AD DC (test/vectors/ms-pac.json).
import { readJson } from '../../../helpers/paths.js';
import { fromHex } from '../../../../src/bytes/index.js';

export interface PacVector {
  name: string;
  pac: string;
  serviceKey: { enctype: number; kvno?: number; value: string; principal: string };
  kdcKey?: { enctype: number; value: string };
  encTicketPart?: string;
  authtime: string;
  cname: string;
  crealm: string;
  expected: {
    bufferTypes: number[];
    user: string; domain: string; fullName: string; logonServer: string;
    domainSid: string; userSid: string; primaryGroupSid: string; groupSids: string[];
    upn: string; dnsDomain: string; samName: string; upnFlags: number;
    upnLayout: { upnOffset: number; dnsDomainNameOffset: number; samNameOffset: number; sidOffset: number; size: number };
    clientName: string; userFlags: number; userAccountControl: number; serverSignatureType: number; serverSignature: string;
    offsets: number[]; sizes: number[]; logonCount: number;
  };
}
export const pacVectors = readJson<{ vectors: PacVector[] }>('test/vectors/ms-pac.json').vectors;
export const samba = pacVectors[0]!;
/** A Windows Server 2003 PAC with rc4-hmac keys, from MIT krb5's t_pac.c. */
export const win2003 = pacVectors[1]!;
export const win2003Pac = (): Uint8Array => fromHex(win2003.pac);
export const sambaPac = (): Uint8Array => fromHex(samba.pac);
