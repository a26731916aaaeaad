// Inspect trees for the Kerberos messages seen inside GSS tokens (RFC 4120 5, RFC 4121 4.1).
// Ciphertexts are redacted by default: a ticket's enc-part is what offline cracking attacks.
import { SpnegoError } from '../errors.js';
import { apOptionName, enctypeName, errorCodeName, nameTypeName, paDataTypeName } from '../iana/krb5.js';
import type { PrincipalName } from '../codec/krb5/principal-name.js';
import type { EncryptedData } from '../codec/krb5/encrypted-data.js';
import { flagsToUInt32, type KerberosFlags } from '../codec/krb5/kerberos-flags.js';
import { ticketCodec, type Ticket } from '../codec/krb5/ticket.js';
import { apReqCodec, type ApReq } from '../codec/krb5/ap-req.js';
import { apRepCodec, type ApRep } from '../codec/krb5/ap-rep.js';
import { krbErrorCodec, type KrbError } from '../codec/krb5/krb-error.js';
import { methodDataCodec } from '../codec/krb5/method-data.js';
import { etypeInfo2Codec } from '../codec/krb5/etype-info2.js';
import { PaDataType } from '../iana/krb5.js';
import type { GssKrb5Token } from '../codec/krb5/gss-krb5-token.js';
import { bytes, enumOf, flags, node, opt, secret, type InspectNode, type InspectValue, type RenderOptions } from './tree.js';

const AP_OPTIONS = Array.from({ length: 32 }, (_, bit) => [(0x80000000 >>> bit) >>> 0, apOptionName(bit) ?? ''] as const).filter(([, n]) => n);

function principal(p: PrincipalName): InspectNode {
  return node('PrincipalName', { nameType: enumOf(p.nameType, nameTypeName), nameString: p.nameString.join('/') });
}

function encrypted(e: EncryptedData, o: RenderOptions): InspectNode {
  return node('EncryptedData', { etype: enumOf(e.etype, enctypeName), kvno: e.kvno ?? null, cipher: secret(e.cipher, o) });
}

function kerberosFlags(f: KerberosFlags, table: readonly (readonly [number, string])[]): InspectValue {
  return flags(flagsToUInt32(f), table);
}

function ticket(t: Ticket, o: RenderOptions): InspectNode {
  return node('Ticket', { tktVno: t.tktVno, realm: t.realm, sname: principal(t.sname), encPart: encrypted(t.encPart, o) });
}

function apReq(m: ApReq, o: RenderOptions): InspectNode {
  return node('AP-REQ', {
    pvno: m.pvno,
    msgType: m.msgType,
    apOptions: kerberosFlags(m.apOptions, AP_OPTIONS),
    ticket: ticket(m.ticket, o),
    authenticator: encrypted(m.authenticator, o),
  });
}

function apRep(m: ApRep, o: RenderOptions): InspectNode {
  return node('AP-REP', { pvno: m.pvno, msgType: m.msgType, encPart: encrypted(m.encPart, o) });
}

/** e-data: METHOD-DATA with ETYPE-INFO2 for preauth errors (RFC 4120 5.9.1, 5.2.7.5), else bytes. */
function eData(d: Uint8Array): InspectValue {
  try {
    return methodDataCodec.decode(d).map((pa) => {
      let value: InspectValue = bytes(pa.padataValue);
      if (pa.padataType === PaDataType['PA-ETYPE-INFO2'] && pa.padataValue.length > 0) {
        try {
          value = etypeInfo2Codec.decode(pa.padataValue).map((e) =>
            node('ETYPE-INFO2-ENTRY', { etype: enumOf(e.etype, enctypeName), salt: e.salt ?? null, s2kparams: opt(e.s2kparams, bytes) }),
          );
        } catch (e) {
          if (!(e instanceof SpnegoError)) throw e;
        }
      }
      return node('PA-DATA', { padataType: enumOf(pa.padataType, paDataTypeName), padataValue: value });
    });
  } catch (e) {
    if (!(e instanceof SpnegoError)) throw e;
    return bytes(d);
  }
}

function krbError(m: KrbError): InspectNode {
  return node('KRB-ERROR', {
    pvno: m.pvno,
    msgType: m.msgType,
    ctime: opt(m.ctime, (d) => d.toISOString()),
    cusec: m.cusec ?? null,
    stime: m.stime.toISOString(),
    susec: m.susec,
    errorCode: enumOf(m.errorCode, errorCodeName),
    crealm: m.crealm ?? null,
    cname: opt(m.cname, principal),
    realm: m.realm,
    sname: principal(m.sname),
    eText: m.eText ?? null,
    eData: opt(m.eData, eData),
  });
}

export function gssKrb5Tree(t: GssKrb5Token, o: RenderOptions): InspectNode {
  const message = t.tokId === 'AP-REQ' ? apReq(t.message, o) : t.tokId === 'AP-REP' ? apRep(t.message, o) : krbError(t.message);
  return node('KerberosGssToken', { tokId: t.tokId, message });
}

/** A bare Kerberos message, recognised by its APPLICATION tag (RFC 4120 5.10). */
export function inspectKrb5Message(b: Uint8Array, o: RenderOptions): InspectNode | undefined {
  switch (b[0]) {
    case 0x61:
      return ticket(ticketCodec.decode(b), o);
    case 0x6e:
      return apReq(apReqCodec.decode(b), o);
    case 0x6f:
      return apRep(apRepCodec.decode(b), o);
    case 0x7e:
      return krbError(krbErrorCodec.decode(b));
    default:
      return undefined;
  }
}
