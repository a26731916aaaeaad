// The PAC (MS-PAC) in a service ticket: found inside AD-IF-RELEVANT as AD-WIN2K-PAC (MS-KILE 3.3.5.6.4,
// RFC 4120 5.2.6.1), its server signature verified with the service's long-term key (MS-PAC 2.8.1:
// a keyed checksum, key usage 17 KERB_NON_KERB_CKSUM_SALT, over the whole PAC with the Signature
// fields of the server and KDC signatures zeroed; the ticket's session key plays no part), its
// client info checked against the ticket (2.7: ClientId is the authtime, Name the client name),
// and the logon info and UPN/DNS info turned into a plain object with SIDs as strings.
// The KDC signature needs the krbtgt key, which a service does not have: ticketPac does not check it;
// verifyPacKdcSignature does, for a caller that has the key (a KDC, a test).
import { adIfRelevantCodec } from '../../codec/krb5/ad-if-relevant.js';
import type { AuthorizationData } from '../../codec/krb5/authorization-data.js';
import type { EncTicketPart } from '../../codec/krb5/enc-ticket-part.js';
import {
  PacBufferType, decodeKerbValidationInfo, filetimeToDate, pacBuffer, pacClientInfoCodec, pacSignatureDataCodec, pacTypeCodec,
  sidToString, sidWithRid, upnDnsInfoCodec, dateToFiletime,
  type KerbValidationInfo, type PacClientInfo, type PacType, type UpnDnsInfo,
} from '../../codec/pac/index.js';
import type { DecodeLimits } from '../../codec/codec.js';
import { findProfile } from '../../crypto/krb5/index.js';
import type { Key } from '../../crypto/krb5/profile.js';
import { AuthorizationDataType } from '../../iana/krb5.js';
import { SpnegoError } from '../../errors.js';

/** KERB_NON_KERB_CKSUM_SALT (MS-PAC 2.8). */
export const PAC_CHECKSUM_KEY_USAGE = 17;

/** What an application needs from a verified PAC. */
export interface PacIdentity {
  /** EffectiveName: the account (SAM) name, e.g. 'alice'. */
  readonly user: string;
  readonly fullName: string;
  /** LogonDomainName: the NetBIOS domain, e.g. 'SAMBA'. */
  readonly domain: string;
  readonly logonServer: string;
  /** LogonDomainId as S-1-5-21-...; '' when the PAC has none. */
  readonly domainSid: string;
  /** LogonDomainId plus UserId. */
  readonly userSid: string;
  /** LogonDomainId plus PrimaryGroupId. */
  readonly primaryGroupSid: string;
  /** GroupIds under the domain SID, then ExtraSids, then resource groups; no duplicates, in that order. */
  readonly groupSids: readonly string[];
  readonly upn?: string | undefined;
  readonly dnsDomain?: string | undefined;
  /** UPN_DNS_INFO's S-flag SAM name and SID, when present. */
  readonly samName?: string | undefined;
  readonly upnDnsSid?: string | undefined;
  /** PAC_CLIENT_INFO: the client name and the authtime it was issued for. */
  readonly clientName: string;
  readonly clientTime: Date | undefined;
  readonly logonTime: Date | undefined;
  readonly userFlags: number;
  readonly userAccountControl: number;
  /** The checksum type of the server signature that was verified. */
  readonly serverSignatureType: number;
  /** ulType of every buffer, in order. */
  readonly bufferTypes: readonly number[];
}

/** The decoded pieces, for callers that want more than PacIdentity. */
export interface DecodedPac {
  readonly pac: PacType;
  readonly logonInfo: KerbValidationInfo;
  readonly clientInfo: PacClientInfo;
  readonly upnDnsInfo?: UpnDnsInfo | undefined;
}

/**
 * The AD-WIN2K-PAC bytes in a ticket's authorization data (inside AD-IF-RELEVANT, at any depth of
 * nesting up to 4), or undefined when there is none; DEFECTIVE_CREDENTIAL when there are several.
 */
export function findPac(authorizationData: AuthorizationData | undefined, limits?: Partial<DecodeLimits>): Uint8Array | undefined {
  const found: Uint8Array[] = [];
  const walk = (ad: AuthorizationData, depth: number): void => {
    for (const e of ad) {
      if (e.adType === AuthorizationDataType['AD-WIN2K-PAC']) found.push(e.adData);
      else if (e.adType === AuthorizationDataType['AD-IF-RELEVANT'] && depth < 4) walk(adIfRelevantCodec.decode(e.adData, limits), depth + 1);
    }
  };
  // A PAC outside AD-IF-RELEVANT is not where KDCs put it; it is looked for only inside.
  for (const e of authorizationData ?? []) {
    if (e.adType === AuthorizationDataType['AD-IF-RELEVANT']) walk(adIfRelevantCodec.decode(e.adData, limits), 1);
  }
  if (found.length > 1) throw new SpnegoError('DEFECTIVE_CREDENTIAL', `the ticket carries ${found.length} PACs`);
  return found[0];
}

function signatureBuffer(pac: PacType, type: number, what: string): { offset: number; sigType: number; signature: Uint8Array } {
  const b = pacBuffer(pac, type);
  if (b === undefined) throw new SpnegoError('DEFECTIVE_CREDENTIAL', `the PAC has no ${what} signature`);
  const s = pacSignatureDataCodec.decode(b.data);
  return { offset: b.offset!, sigType: s.signatureType, signature: s.signature };
}

/**
 * Verifies the PAC's server signature with the service key that decrypted the ticket (or any of
 * `keys` whose enctype's checksum is the signature's type). BAD_MIC when it does not verify,
 * DEFECTIVE_CREDENTIAL when the PAC has no signatures or no key fits the signature type.
 * rc4-hmac keys (HMAC-MD5 signatures) are used only with allowWeakCrypto.
 */
export function verifyPacServerSignature(pacBytes: Uint8Array, keys: Key | readonly Key[], opts: { allowWeakCrypto?: boolean; limits?: Partial<DecodeLimits> } = {}): number {
  const pac = pacTypeCodec.decode(pacBytes, opts.limits);
  const server = signatureBuffer(pac, PacBufferType.SERVER_CHECKSUM, 'server');
  const kdc = signatureBuffer(pac, PacBufferType.PRIVSVR_CHECKSUM, 'KDC');
  const list = Array.isArray(keys) ? (keys as readonly Key[]) : [keys as Key];
  const weak = { allowWeakCrypto: opts.allowWeakCrypto === true };
  const key = list.find((k) => findProfile(k.enctype, weak)?.checksumType === server.sigType);
  if (key === undefined) throw new SpnegoError('DEFECTIVE_CREDENTIAL', `no service key for a PAC server signature of checksum type ${server.sigType}`);
  const zeroed = new Uint8Array(pacBytes);
  for (const s of [server, kdc]) zeroed.fill(0, s.offset + 4, s.offset + 4 + s.signature.length);
  findProfile(key.enctype, weak)!.verifyChecksum(key, PAC_CHECKSUM_KEY_USAGE, zeroed, server.signature);
  return server.sigType;
}

/**
 * Verifies the KDC (privsvr) signature: a keyed checksum with the krbtgt key, usage 17, over the
 * server signature's Signature bytes (MS-PAC 2.8.2). BAD_MIC when it does not verify.
 */
export function verifyPacKdcSignature(pacBytes: Uint8Array, krbtgtKey: Key, opts: { allowWeakCrypto?: boolean; limits?: Partial<DecodeLimits> } = {}): number {
  const pac = pacTypeCodec.decode(pacBytes, opts.limits);
  const server = signatureBuffer(pac, PacBufferType.SERVER_CHECKSUM, 'server');
  const kdc = signatureBuffer(pac, PacBufferType.PRIVSVR_CHECKSUM, 'KDC');
  const profile = findProfile(krbtgtKey.enctype, { allowWeakCrypto: opts.allowWeakCrypto === true });
  if (profile === undefined || profile.checksumType !== kdc.sigType) throw new SpnegoError('DEFECTIVE_CREDENTIAL', `the key does not fit a KDC signature of checksum type ${kdc.sigType}`);
  profile.verifyChecksum(krbtgtKey, PAC_CHECKSUM_KEY_USAGE, server.signature, kdc.signature);
  return kdc.sigType;
}

/** Decodes the PAC's buffers (no signature check): LOGON_INFO and CLIENT_INFO are required. */
export function decodePac(pacBytes: Uint8Array, limits?: Partial<DecodeLimits>): DecodedPac {
  const pac = pacTypeCodec.decode(pacBytes, limits);
  const logon = pacBuffer(pac, PacBufferType.LOGON_INFO);
  const client = pacBuffer(pac, PacBufferType.CLIENT_INFO);
  if (logon === undefined) throw new SpnegoError('DEFECTIVE_CREDENTIAL', 'the PAC has no logon info');
  if (client === undefined) throw new SpnegoError('DEFECTIVE_CREDENTIAL', 'the PAC has no client info');
  const upn = pacBuffer(pac, PacBufferType.UPN_DNS_INFO);
  return {
    pac,
    logonInfo: decodeKerbValidationInfo(logon.data, limits),
    clientInfo: pacClientInfoCodec.decode(client.data, limits),
    upnDnsInfo: upn === undefined ? undefined : upnDnsInfoCodec.decode(upn.data, limits),
  };
}

/** The plain identity of a decoded PAC. */
export function pacIdentity(d: DecodedPac, serverSignatureType: number): PacIdentity {
  const li = d.logonInfo;
  const dom = li.logonDomainId;
  const rid = (r: number): string => (dom === undefined ? '' : sidToString(sidWithRid(dom, r)));
  const groups: string[] = [];
  const add = (s: string): void => {
    if (s !== '' && !groups.includes(s)) groups.push(s);
  };
  for (const g of li.groupIds) add(rid(g.relativeId));
  for (const e of li.extraSids) add(sidToString(e.sid));
  if (li.resourceGroupDomainSid !== undefined) for (const g of li.resourceGroupIds) add(sidToString(sidWithRid(li.resourceGroupDomainSid, g.relativeId)));
  const u = d.upnDnsInfo;
  return {
    user: li.effectiveName,
    fullName: li.fullName,
    domain: li.logonDomainName,
    logonServer: li.logonServer,
    domainSid: dom === undefined ? '' : sidToString(dom),
    userSid: rid(li.userId),
    primaryGroupSid: rid(li.primaryGroupId),
    groupSids: groups,
    upn: u?.upn,
    dnsDomain: u?.dnsDomainName,
    samName: u?.samName,
    upnDnsSid: u?.sid === undefined ? undefined : sidToString(u.sid),
    clientName: d.clientInfo.name,
    clientTime: filetimeToDate(d.clientInfo.clientId),
    logonTime: filetimeToDate(li.logonTime),
    userFlags: li.userFlags,
    userAccountControl: li.userAccountControl,
    serverSignatureType,
    bufferTypes: d.pac.buffers.map((b) => b.type),
  };
}

export interface TicketPacOptions {
  /** Accept rc4-hmac keys and HMAC-MD5 signatures. */
  readonly allowWeakCrypto?: boolean;
  readonly limits?: Partial<DecodeLimits>;
}

/**
 * The verified PAC of a decrypted ticket, or undefined when the ticket has none (MIT tickets).
 * `serviceKeys`: the key that decrypted the ticket (others of the same principal are fine too).
 * Throws BAD_MIC when the server signature fails, DEFECTIVE_CREDENTIAL when the client info does
 * not name the ticket's client and authtime, DECODE_* when a buffer is malformed.
 */
export function ticketPac(ticket: EncTicketPart, serviceKeys: Key | readonly Key[], opts: TicketPacOptions = {}): PacIdentity | undefined {
  const bytes = findPac(ticket.authorizationData, opts.limits);
  if (bytes === undefined) return undefined;
  const sigType = verifyPacServerSignature(bytes, serviceKeys, opts);
  // MIT 1.20+ KDCs add a PAC with only client info and signatures (for ticket signing): no AD identity.
  if (pacBuffer(pacTypeCodec.decode(bytes, opts.limits), PacBufferType.LOGON_INFO) === undefined) return undefined;
  const d = decodePac(bytes, opts.limits);
  // MS-PAC 2.7: ClientId is the ticket's authtime (KerberosTime: whole seconds), Name its cname (no realm).
  if (d.clientInfo.clientId !== dateToFiletime(ticket.authtime)) throw new SpnegoError('DEFECTIVE_CREDENTIAL', 'the PAC client info is for another authtime than the ticket');
  const cname = ticket.cname.nameString.join('/');
  if (d.clientInfo.name !== cname && d.clientInfo.name !== `${cname}@${ticket.crealm}`) {
    throw new SpnegoError('DEFECTIVE_CREDENTIAL', 'the PAC client info names another client than the ticket');
  }
  return pacIdentity(d, sigType);
}
