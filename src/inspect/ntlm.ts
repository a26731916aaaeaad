// Inspect trees for NTLMSSP messages (MS-NLMP 2.2), responses redacted unless asked.
import { NTLM_NEGOTIATE_FLAG_NAMES, MSV_AV_FLAG_NAMES } from '../iana/ntlm.js';
import type { AvPairs } from '../codec/ntlm/av-pairs.js';
import type { Version } from '../codec/ntlm/version.js';
import { decodeNtlmMessage, type NtlmMessage } from '../codec/ntlm/message.js';
import { isNtlmv2Response, ntlmv2ResponseCodec } from '../codec/ntlm/ntlmv2-response.js';
import { bytes, flags, node, opt, secret, type InspectNode, type InspectValue, type RenderOptions } from './tree.js';

const NEGOTIATE_FLAGS = [...NTLM_NEGOTIATE_FLAG_NAMES.entries()];
const AV_FLAGS = [...MSV_AV_FLAG_NAMES.entries()];

/** FILETIME (100 ns ticks since 1601) as ISO 8601; out-of-range values as the raw number. */
export function filetime(ft: bigint): string {
  const ms = (ft - 116444736000000000n) / 10000n;
  const d = new Date(Number(ms));
  return Number.isNaN(d.getTime()) || ms > 8640000000000000n || ms < -8640000000000000n ? ft.toString() : d.toISOString();
}

function version(v: Version | undefined): InspectValue {
  return opt(v, (x) => `${x.productMajorVersion}.${x.productMinorVersion}.${x.productBuild} (NTLM revision ${x.ntlmRevisionCurrent})`);
}

export function avPairsTree(pairs: AvPairs): InspectValue {
  return pairs.map((p): InspectValue => {
    const id = typeof p.avId === 'number' ? `AvId ${p.avId}` : p.avId;
    switch (p.avId) {
      case 'MsvAvFlags':
        return node(id, { value: flags(p.value as number, AV_FLAGS) });
      case 'MsvAvTimestamp':
        return node(id, { value: filetime(p.value as bigint) });
      case 'MsvAvChannelBindings':
        return node(id, { value: bytes(p.value as Uint8Array) });
      case 'MsvAvSingleHost': {
        const s = p.value as { customData: Uint8Array; machineId: Uint8Array };
        return node(id, { customData: bytes(s.customData), machineId: bytes(s.machineId) });
      }
      default:
        return node(id, { value: typeof p.value === 'string' ? p.value : bytes(p.value as Uint8Array) });
    }
  });
}

function ntResponse(nt: Uint8Array, o: RenderOptions): InspectValue {
  if (nt.length === 0) return bytes(nt);
  if (!isNtlmv2Response(nt)) return node('NTLMv1_RESPONSE', { response: secret(nt, o) });
  const r = ntlmv2ResponseCodec.decode(nt);
  const c = r.clientChallenge;
  return node('NTLMv2_RESPONSE', {
    NTProofStr: secret(r.response, o),
    respType: c.respType,
    hiRespType: c.hiRespType,
    timeStamp: filetime(c.timeStamp),
    challengeFromClient: bytes(c.challengeFromClient),
    avPairs: avPairsTree(c.avPairs),
  });
}

export function ntlmTree(m: NtlmMessage, o: RenderOptions): InspectNode {
  switch (m.messageType) {
    case 'NEGOTIATE_MESSAGE': {
      const n = m.message;
      return node('NEGOTIATE_MESSAGE', {
        negotiateFlags: flags(n.negotiateFlags, NEGOTIATE_FLAGS),
        domainName: n.domainName,
        workstation: n.workstation,
        version: version(n.version),
      });
    }
    case 'CHALLENGE_MESSAGE': {
      const c = m.message;
      return node('CHALLENGE_MESSAGE', {
        targetName: c.targetName,
        negotiateFlags: flags(c.negotiateFlags, NEGOTIATE_FLAGS),
        serverChallenge: bytes(c.serverChallenge),
        targetInfo: opt(c.targetInfo, avPairsTree),
        version: version(c.version),
      });
    }
    case 'AUTHENTICATE_MESSAGE': {
      const a = m.message;
      return node('AUTHENTICATE_MESSAGE', {
        negotiateFlags: flags(a.negotiateFlags, NEGOTIATE_FLAGS),
        domainName: a.domainName,
        userName: a.userName,
        workstation: a.workstation,
        lmChallengeResponse: secret(a.lmChallengeResponse, o),
        ntChallengeResponse: ntResponse(a.ntChallengeResponse, o),
        encryptedRandomSessionKey: secret(a.encryptedRandomSessionKey, o),
        version: version(a.version),
        mic: opt(a.mic, (x) => secret(x, o)),
      });
    }
  }
}

export function inspectNtlm(b: Uint8Array, o: RenderOptions): InspectNode {
  return ntlmTree(decodeNtlmMessage(b), o);
}
