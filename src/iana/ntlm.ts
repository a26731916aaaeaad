// NTLMSSP numbers with names (MS-NLMP 2.2): message signature and types, NEGOTIATE flags (2.2.2.5),
// AV_PAIR ids (2.2.2.1) and MsvAvFlags bits.

/**
 * The 8-byte Signature every NTLM message starts with: ASCII "NTLMSSP" and a NUL (MS-NLMP 2.2.1).
 * Typed arrays cannot be frozen: treat it as read-only.
 */
export const NTLMSSP_SIGNATURE: Uint8Array = new Uint8Array([0x4e, 0x54, 0x4c, 0x4d, 0x53, 0x53, 0x50, 0x00]);

/** MessageType values (MS-NLMP 2.2.1.1-2.2.1.3). */
export const NtlmMessageType = {
  NEGOTIATE_MESSAGE: 0x00000001,
  CHALLENGE_MESSAGE: 0x00000002,
  AUTHENTICATE_MESSAGE: 0x00000003,
} as const;
export type NtlmMessageTypeName = keyof typeof NtlmMessageType;
export type NtlmMessageTypeNumber = (typeof NtlmMessageType)[NtlmMessageTypeName];

// NEGOTIATE flags (MS-NLMP 2.2.2.5); the letter is the bit's name in the spec's diagram.
/** A */ export const NTLMSSP_NEGOTIATE_UNICODE = 0x00000001;
/** B */ export const NTLM_NEGOTIATE_OEM = 0x00000002;
/** C */ export const NTLMSSP_REQUEST_TARGET = 0x00000004;
/** D */ export const NTLMSSP_NEGOTIATE_SIGN = 0x00000010;
/** E */ export const NTLMSSP_NEGOTIATE_SEAL = 0x00000020;
/** F */ export const NTLMSSP_NEGOTIATE_DATAGRAM = 0x00000040;
/** G */ export const NTLMSSP_NEGOTIATE_LM_KEY = 0x00000080;
/** H */ export const NTLMSSP_NEGOTIATE_NTLM = 0x00000200;
/** J: "the connection SHOULD be anonymous"; the spec gives only the letter, this name is the customary one. */
export const NTLMSSP_NEGOTIATE_ANONYMOUS = 0x00000800;
/** K */ export const NTLMSSP_NEGOTIATE_OEM_DOMAIN_SUPPLIED = 0x00001000;
/** L */ export const NTLMSSP_NEGOTIATE_OEM_WORKSTATION_SUPPLIED = 0x00002000;
/** M */ export const NTLMSSP_NEGOTIATE_ALWAYS_SIGN = 0x00008000;
/** N */ export const NTLMSSP_TARGET_TYPE_DOMAIN = 0x00010000;
/** O */ export const NTLMSSP_TARGET_TYPE_SERVER = 0x00020000;
/** P */ export const NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY = 0x00080000;
/** Q */ export const NTLMSSP_NEGOTIATE_IDENTIFY = 0x00100000;
/** R */ export const NTLMSSP_REQUEST_NON_NT_SESSION_KEY = 0x00400000;
/** S */ export const NTLMSSP_NEGOTIATE_TARGET_INFO = 0x00800000;
/** T */ export const NTLMSSP_NEGOTIATE_VERSION = 0x02000000;
/** U */ export const NTLMSSP_NEGOTIATE_128 = 0x20000000;
/** V */ export const NTLMSSP_NEGOTIATE_KEY_EXCH = 0x40000000;
/** W */ export const NTLMSSP_NEGOTIATE_56 = 0x80000000;

/** Bit -> spec name, for display. Reserved bits (r1-r10) are absent. */
export const NTLM_NEGOTIATE_FLAG_NAMES: ReadonlyMap<number, string> = new Map<number, string>([
  [NTLMSSP_NEGOTIATE_UNICODE, 'NTLMSSP_NEGOTIATE_UNICODE'],
  [NTLM_NEGOTIATE_OEM, 'NTLM_NEGOTIATE_OEM'],
  [NTLMSSP_REQUEST_TARGET, 'NTLMSSP_REQUEST_TARGET'],
  [NTLMSSP_NEGOTIATE_SIGN, 'NTLMSSP_NEGOTIATE_SIGN'],
  [NTLMSSP_NEGOTIATE_SEAL, 'NTLMSSP_NEGOTIATE_SEAL'],
  [NTLMSSP_NEGOTIATE_DATAGRAM, 'NTLMSSP_NEGOTIATE_DATAGRAM'],
  [NTLMSSP_NEGOTIATE_LM_KEY, 'NTLMSSP_NEGOTIATE_LM_KEY'],
  [NTLMSSP_NEGOTIATE_NTLM, 'NTLMSSP_NEGOTIATE_NTLM'],
  [NTLMSSP_NEGOTIATE_ANONYMOUS, 'NTLMSSP_NEGOTIATE_ANONYMOUS'],
  [NTLMSSP_NEGOTIATE_OEM_DOMAIN_SUPPLIED, 'NTLMSSP_NEGOTIATE_OEM_DOMAIN_SUPPLIED'],
  [NTLMSSP_NEGOTIATE_OEM_WORKSTATION_SUPPLIED, 'NTLMSSP_NEGOTIATE_OEM_WORKSTATION_SUPPLIED'],
  [NTLMSSP_NEGOTIATE_ALWAYS_SIGN, 'NTLMSSP_NEGOTIATE_ALWAYS_SIGN'],
  [NTLMSSP_TARGET_TYPE_DOMAIN, 'NTLMSSP_TARGET_TYPE_DOMAIN'],
  [NTLMSSP_TARGET_TYPE_SERVER, 'NTLMSSP_TARGET_TYPE_SERVER'],
  [NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY, 'NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY'],
  [NTLMSSP_NEGOTIATE_IDENTIFY, 'NTLMSSP_NEGOTIATE_IDENTIFY'],
  [NTLMSSP_REQUEST_NON_NT_SESSION_KEY, 'NTLMSSP_REQUEST_NON_NT_SESSION_KEY'],
  [NTLMSSP_NEGOTIATE_TARGET_INFO, 'NTLMSSP_NEGOTIATE_TARGET_INFO'],
  [NTLMSSP_NEGOTIATE_VERSION, 'NTLMSSP_NEGOTIATE_VERSION'],
  [NTLMSSP_NEGOTIATE_128, 'NTLMSSP_NEGOTIATE_128'],
  [NTLMSSP_NEGOTIATE_KEY_EXCH, 'NTLMSSP_NEGOTIATE_KEY_EXCH'],
  [NTLMSSP_NEGOTIATE_56, 'NTLMSSP_NEGOTIATE_56'],
]);

/** Names of the set bits, lowest first; reserved bits show as `r(0x...)`. */
export function negotiateFlagNames(flags: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < 32; i++) {
    const bit = (1 << i) >>> 0;
    if (((flags >>> 0) & bit) === 0) continue;
    out.push(NTLM_NEGOTIATE_FLAG_NAMES.get(bit) ?? `r(0x${bit.toString(16).padStart(8, '0')})`);
  }
  return out;
}

/** AV_PAIR AvId values (MS-NLMP 2.2.2.1). */
export const MsvAvEOL = 0x0000;
export const MsvAvNbComputerName = 0x0001;
export const MsvAvNbDomainName = 0x0002;
export const MsvAvDnsComputerName = 0x0003;
export const MsvAvDnsDomainName = 0x0004;
export const MsvAvDnsTreeName = 0x0005;
export const MsvAvFlags = 0x0006;
export const MsvAvTimestamp = 0x0007;
export const MsvAvSingleHost = 0x0008;
export const MsvAvTargetName = 0x0009;
export const MsvAvChannelBindings = 0x000a;

export const AV_ID_NAMES = {
  [MsvAvEOL]: 'MsvAvEOL',
  [MsvAvNbComputerName]: 'MsvAvNbComputerName',
  [MsvAvNbDomainName]: 'MsvAvNbDomainName',
  [MsvAvDnsComputerName]: 'MsvAvDnsComputerName',
  [MsvAvDnsDomainName]: 'MsvAvDnsDomainName',
  [MsvAvDnsTreeName]: 'MsvAvDnsTreeName',
  [MsvAvFlags]: 'MsvAvFlags',
  [MsvAvTimestamp]: 'MsvAvTimestamp',
  [MsvAvSingleHost]: 'MsvAvSingleHost',
  [MsvAvTargetName]: 'MsvAvTargetName',
  [MsvAvChannelBindings]: 'MsvAvChannelBindings',
} as const;
export type AvIdName = (typeof AV_ID_NAMES)[keyof typeof AV_ID_NAMES];

/** AvId -> spec name, or undefined for ids MS-NLMP does not define. */
export function avIdName(avId: number): AvIdName | undefined {
  return Object.prototype.hasOwnProperty.call(AV_ID_NAMES, avId)
    ? AV_ID_NAMES[avId as keyof typeof AV_ID_NAMES]
    : undefined;
}

/** Spec name -> AvId. */
export const AV_ID_BY_NAME: Readonly<Record<AvIdName, number>> = Object.freeze(
  Object.fromEntries(Object.entries(AV_ID_NAMES).map(([k, v]) => [v, Number(k)])) as Record<AvIdName, number>,
);

// MsvAvFlags value bits (MS-NLMP 2.2.2.1, AvId 0x0006).
/** The server's or client's account authentication is constrained. */
export const MSV_AV_FLAG_CONSTRAINED_AUTH = 0x00000001;
/** The client is providing message integrity in the MIC field of the AUTHENTICATE_MESSAGE. */
export const MSV_AV_FLAG_MIC_PRESENT = 0x00000002;
/** The client is providing a target SPN generated from an untrusted source. */
export const MSV_AV_FLAG_UNTRUSTED_SPN_SOURCE = 0x00000004;

export const MSV_AV_FLAG_NAMES: ReadonlyMap<number, string> = new Map<number, string>([
  [MSV_AV_FLAG_CONSTRAINED_AUTH, 'CONSTRAINED_AUTHENTICATION'],
  [MSV_AV_FLAG_MIC_PRESENT, 'MIC_PRESENT'],
  [MSV_AV_FLAG_UNTRUSTED_SPN_SOURCE, 'UNTRUSTED_SPN_SOURCE'],
]);

/** NTLMRevisionCurrent value of the VERSION structure (MS-NLMP 2.2.2.10). */
export const NTLMSSP_REVISION_W2K3 = 0x0f;
