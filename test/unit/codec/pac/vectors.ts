// The real PAC from the lab's Samba AD DC (test/vectors/ms-pac.json).
import { readJson } from '../../../helpers/paths.js';
import { fromHex } from '../../../../src/bytes/index.js';

export interface PacVector {
  name: string;
  pac: string;
  serviceKey: { enctype: number; kvno: number; value: string; principal: string };
  encTicketPart: string;
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
  };
}
export const pacVectors = readJson<{ vectors: PacVector[] }>('test/vectors/ms-pac.json').vectors;
export const samba = pacVectors[0]!;
export const sambaPac = (): Uint8Array => fromHex(samba.pac);
