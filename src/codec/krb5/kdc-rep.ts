// KRB_AS_REP and KRB_TGS_REP (RFC 4120 5.4.2).
//   AS-REP  ::= [APPLICATION 11] KDC-REP
//   TGS-REP ::= [APPLICATION 13] KDC-REP
//   KDC-REP ::= SEQUENCE {
//     pvno [0] INTEGER (5), msg-type [1] INTEGER (11 -- AS -- | 13 -- TGS --),
//     padata [2] SEQUENCE OF PA-DATA OPTIONAL -- NOTE: not empty --,
//     crealm [3] Realm, cname [4] PrincipalName, ticket [5] Ticket,
//     enc-part [6] EncryptedData -- EncASRepPart or EncTGSRepPart, as appropriate -- }
import { application, derCodec, explicit, opt, req, sequence, type DerType } from '../../der/index.js';
import { fixedInt, Realm } from './basic.js';
import { encryptedDataType, type EncryptedData } from './encrypted-data.js';
import { methodDataCodec } from './method-data.js';
import type { PaData } from './pa-data.js';
import { principalNameCodec, type PrincipalName } from './principal-name.js';
import { ticketCodec, type Ticket } from './ticket.js';

export type KdcRepMsgType = 11 | 13;

export interface KdcRep<M extends KdcRepMsgType = KdcRepMsgType> {
  readonly pvno: 5;
  /** 11 AS-REP, 13 TGS-REP (always the one the APPLICATION tag says). */
  readonly msgType: M;
  /** AS-REP: PA-ETYPE-INFO2 and friends; the reply key's salt when not the default. */
  readonly padata?: readonly PaData[] | undefined;
  readonly crealm: string;
  readonly cname: PrincipalName;
  readonly ticket: Ticket;
  /**
   * Encrypted EncASRepPart (key usage 3, the client's long-term key) or EncTGSRepPart (usage 8
   * under the TGT session key, or 9 under the authenticator subkey); see enc-kdc-rep-part.ts.
   */
  readonly encPart: EncryptedData;
}
export type AsRep = KdcRep<11>;
export type TgsRep = KdcRep<13>;

function kdcRepType<M extends KdcRepMsgType>(msgType: M, name: string): DerType<KdcRep<M>> {
  return application(msgType, sequence({
    pvno: req(explicit(0, fixedInt(5, 'pvno'))),
    msgType: req(explicit(1, fixedInt(msgType, `${name} msg-type`))),
    padata: opt(explicit(2, methodDataCodec.type)),
    crealm: req(explicit(3, Realm)),
    cname: req(explicit(4, principalNameCodec.type)),
    ticket: req(explicit(5, ticketCodec.type)),
    encPart: req(explicit(6, encryptedDataType)),
  }, name));
}

/** AS-REP ::= [APPLICATION 11] KDC-REP. */
export const asRepCodec = derCodec<AsRep>('AS-REP', kdcRepType(11, 'AS-REP'));
/** TGS-REP ::= [APPLICATION 13] KDC-REP. */
export const tgsRepCodec = derCodec<TgsRep>('TGS-REP', kdcRepType(13, 'TGS-REP'));
