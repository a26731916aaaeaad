// METHOD-DATA (RFC 4120 5.9.1): the e-data of KDC_ERR_PREAUTH_REQUIRED / KDC_ERR_PREAUTH_FAILED,
// and the padata list of KDC-REQ/KDC-REP.
//   METHOD-DATA ::= SEQUENCE OF PA-DATA
import { derCodec, sequenceOf } from '../../der/index.js';
import { paDataCodec, type PaData } from './pa-data.js';

export type MethodData = readonly PaData[];

export const methodDataCodec = derCodec<MethodData>('METHOD-DATA', sequenceOf(paDataCodec.type, { label: 'METHOD-DATA' }));
