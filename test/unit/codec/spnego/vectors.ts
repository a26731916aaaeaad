// Shape of test/vectors/spnego.json, shared by the SPNEGO tests (not a test file itself).
import { readJson } from '../../../helpers/paths.js';

export interface TokenVector {
  readonly name: string;
  readonly origin: string;
  readonly hex: string;
  readonly base64: string;
  readonly framed: boolean;
  readonly type: 'negTokenInit' | 'negTokenInit2' | 'negTokenResp';
  readonly mechTypes?: string[];
  readonly mechTypesDer?: string;
  readonly reqFlags?: { unusedBits: number; bytes: string };
  readonly mechToken?: string;
  readonly mechTokenInner?: { mech: string; innerToken: string };
  readonly mechListMIC?: string;
  readonly negHints?: { hintName?: string };
  readonly negState?: string;
  readonly supportedMech?: string;
  readonly responseToken?: string;
}

export interface SpnegoVectors {
  readonly source: string;
  readonly given: [TokenVector, { name: string; hex: string; hintName: string }];
  readonly tokens: TokenVector[];
}

export const vectors = readJson<SpnegoVectors>('test/vectors/spnego.json');
