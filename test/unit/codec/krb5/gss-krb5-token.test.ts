// The krb5 GSS token body (RFC 4121 4.1): TOK_ID + DER message, with real MIT tokens.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { concat, fromBase64, fromHex, toHex } from '../../../../src/bytes/index.js';
import { INTEGER, application, decodeDer, explicit, opt, rawElement, req, sequence, type DerType } from '../../../../src/der/index.js';
import {
  apReqCodec, encodeFramedGssKrb5Token, etypeInfo2Codec, flagNames, gssKrb5TokenCodec, krbErrorCodec, methodDataCodec, principalToString, type GssKrb5Token,
} from '../../../../src/codec/krb5/index.js';
import { apOptionName, enctypeName, errorCodeName, paDataTypeName } from '../../../../src/iana/krb5.js';
import { assertCode, onlyTypedErrors, DECODE_CODES } from '../../../helpers/errors.js';
import { readJson, repoPath } from '../../../helpers/paths.js';
import { InitialContextToken } from '../../../../src/codec/gss/initial-context-token.js';

interface Vector { name: string; kind: string; tokId?: string; base64: string }
const vectors = readJson<{ messages: Vector[] }>('test', 'vectors', 'krb5-messages.json').messages;
const vector = (name: string): Uint8Array => {
  const v = vectors.find((x) => x.name === name);
  assert.ok(v, name);
  return fromBase64(v.base64);
};

const KRB5_OIDS = ['06092a864886f712010202', '06092a864882f712010202'].map(fromHex);

/**
 * Finds a GSS InitialContextToken (0x60 len, krb5 OID, inner) starting at `at`, by hand
 * (the GSS framing codec is another module). Returns the inner token (TOK_ID onwards) or undefined.
 */
function innerAt(b: Uint8Array, at: number): Uint8Array | undefined {
  if (b[at] !== 0x60) return undefined;
  let p = at + 1;
  const l0 = b[p++];
  if (l0 === undefined) return undefined;
  let len = l0;
  if (l0 & 0x80) {
    const n = l0 & 0x7f;
    if (n < 1 || n > 3) return undefined;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (b[p++] ?? 0);
  }
  const end = p + len;
  if (end > b.length) return undefined;
  const oid = KRB5_OIDS.find((o) => toHex(b.subarray(p, p + o.length)) === toHex(o));
  return oid ? b.subarray(p + oid.length, end) : undefined;
}

function allInner(b: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < b.length; i++) {
    const x = innerAt(b, i);
    if (x && x.length >= 2 && x[1] === 0 && x[0]! >= 1 && x[0]! <= 3) out.push(x);
  }
  return out;
}

function roundTrip(inner: Uint8Array): GssKrb5Token {
  const t = gssKrb5TokenCodec.decode(inner);
  assert.equal(toHex(gssKrb5TokenCodec.encode(t)), toHex(inner), 'byte-exact');
  assert.deepEqual(gssKrb5TokenCodec.decode(gssKrb5TokenCodec.encode(t)), t);
  return t;
}

test('real MIT GSS AP-REQ (gss_init_sec_context, mutual)', () => {
  const inner = innerAt(vector('mit-gss-ap-req'), 0);
  assert.ok(inner);
  assert.equal(toHex(inner.subarray(0, 2)), '0100');
  const t = roundTrip(inner);
  assert.equal(t.tokId, 'AP-REQ');
  if (t.tokId !== 'AP-REQ') return;
  const m = t.message;
  assert.equal(m.pvno, 5);
  assert.equal(m.msgType, 14);
  assert.equal(toHex(m.apOptions.bytes), '20000000');
  assert.deepEqual(flagNames(m.apOptions, apOptionName), ['mutual-required']);
  assert.equal(m.ticket.realm, 'K5CAP.TEST');
  assert.equal(principalToString(m.ticket.sname, m.ticket.realm), 'HTTP/www.k5cap.test@K5CAP.TEST');
  assert.equal(m.ticket.sname.nameType, 3);
  assert.equal(enctypeName(m.ticket.encPart.etype), 'aes256-cts-hmac-sha1-96');
  assert.equal(m.ticket.encPart.kvno, 2);
  assert.equal(m.authenticator.etype, 18);
  assert.equal(m.authenticator.kvno, undefined);
  // The DER message alone is also a valid AP-REQ.
  assert.deepEqual(apReqCodec.decode(inner.subarray(2)), m);
});

test('encodeFramedGssKrb5Token: the one-pass framing gives MIT\'s AP-REQ bytes back, for both Kerberos OIDs', () => {
  const framed = vector('mit-gss-ap-req');
  const t = gssKrb5TokenCodec.decode(innerAt(framed, 0)!);
  assert.equal(toHex(encodeFramedGssKrb5Token('1.2.840.113554.1.2.2', t)), toHex(framed));
  const ms = encodeFramedGssKrb5Token('1.2.840.48018.1.2.2', t);
  assert.equal(toHex(ms), toHex(InitialContextToken.encode({ mech: '1.2.840.48018.1.2.2', innerToken: gssKrb5TokenCodec.encode(t) })));
});

test('real MIT GSS AP-REP and KRB-ERROR (KRB_AP_ERR_BADKEYVER)', () => {
  const rep = innerAt(vector('mit-gss-ap-rep'), 0);
  assert.ok(rep);
  const r = roundTrip(rep);
  assert.equal(r.tokId, 'AP-REP');
  if (r.tokId === 'AP-REP') assert.equal(r.message.encPart.etype, 18);
  const err = innerAt(vector('mit-gss-krb-error-badkeyver'), 0);
  assert.ok(err);
  const e = roundTrip(err);
  assert.equal(e.tokId, 'KRB-ERROR');
  if (e.tokId !== 'KRB-ERROR') return;
  assert.equal(errorCodeName(e.message.errorCode), 'KRB_AP_ERR_BADKEYVER');
  assert.equal(e.message.realm, 'K5CAP.TEST');
  assert.deepEqual(e.message.sname.nameString, ['HTTP', 'www.k5cap.test']);
  assert.equal(e.message.ctime, undefined);
  assert.ok(e.message.susec >= 0 && e.message.susec <= 999999);
});

test('real MIT KDC KRB-ERROR: PREAUTH_REQUIRED with METHOD-DATA and ETYPE-INFO2', () => {
  const b = vector('mit-kdc-krb-error-preauth-required');
  const e = krbErrorCodec.decode(b);
  assert.equal(toHex(krbErrorCodec.encode(e)), toHex(b));
  assert.equal(errorCodeName(e.errorCode), 'KDC_ERR_PREAUTH_REQUIRED');
  assert.equal(e.eText, 'NEEDED_PREAUTH');
  assert.equal(principalToString(e.sname, e.realm), 'krbtgt/K5CAP.TEST@K5CAP.TEST');
  assert.ok(e.eData);
  const md = methodDataCodec.decode(e.eData);
  assert.equal(toHex(methodDataCodec.encode(md)), toHex(e.eData));
  assert.deepEqual(md.map((p) => paDataTypeName(p.padataType)), ['PA-FX-FAST', 'PA-ETYPE-INFO2', 'PA-ENC-TIMESTAMP', 'PA-FX-COOKIE']);
  const info2 = md.find((p) => p.padataType === 19);
  assert.ok(info2);
  assert.deepEqual(etypeInfo2Codec.decode(info2.padataValue), [{ etype: 18, salt: 'K5CAP.TESTalice' }]);
});

test('real MIT TGS-REQ: the PA-TGS-REQ padata is an AP-REQ carrying the TGT', () => {
  // KDC-REQ (RFC 4120 5.4.1) is not one of our codecs yet; a local schema reads just enough of it.
  const tgsReq = application(12, sequence({
    pvno: req(explicit(1, INTEGER)),
    msgType: req(explicit(2, INTEGER)),
    padata: opt(explicit(3, methodDataCodec.type)),
    reqBody: req(explicit(4, rawElement())),
  }));
  const b = vector('mit-kdc-tgs-req');
  const r = decodeWith(tgsReq, b);
  assert.equal(r.pvno, 5);
  assert.equal(r.msgType, 12);
  const pa = r.padata?.find((p) => p.padataType === 1);
  assert.ok(pa);
  const ap = apReqCodec.decode(pa.padataValue);
  assert.equal(toHex(apReqCodec.encode(ap)), toHex(pa.padataValue));
  assert.equal(principalToString(ap.ticket.sname, ap.ticket.realm), 'krbtgt/K5CAP.TEST@K5CAP.TEST');
  assert.equal(ap.ticket.sname.nameType, 2);
  assert.equal(toHex(ap.apOptions.bytes), '00000000');
});

function decodeWith<T>(type: DerType<T>, b: Uint8Array): T {
  const v = decodeDer(type, b);
  assert.equal(toHex(type.encode(v)), toHex(b));
  return v;
}

test('TOK_ID handling: unknown id, short input, mismatched body, trailing bytes, absolute offsets', () => {
  const apRep = fromHex('6f1b3019a003020105a10302010fa20d300ba003020112a2040402cafe');
  const tok = concat(fromHex('0200'), apRep);
  assert.equal(roundTrip(tok).tokId, 'AP-REP');
  assert.equal(assertCode(() => gssKrb5TokenCodec.decode(concat(fromHex('0404'), apRep)), 'DECODE_BAD_VALUE').offset, 0);
  assert.equal(assertCode(() => gssKrb5TokenCodec.decode(concat(fromHex('0101'), apRep)), 'DECODE_BAD_VALUE').offset, 0);
  assertCode(() => gssKrb5TokenCodec.decode(fromHex('01')), 'DECODE_TRUNCATED');
  assertCode(() => gssKrb5TokenCodec.decode(fromHex('0100')), 'DECODE_TRUNCATED');
  assert.equal(assertCode(() => gssKrb5TokenCodec.decode(concat(fromHex('0100'), apRep)), 'DECODE_BAD_TAG').offset, 2);
  assert.equal(assertCode(() => gssKrb5TokenCodec.decode(concat(tok, fromHex('00'))), 'DECODE_TRAILING_BYTES').offset, tok.length);
  const badPvno = tok.slice();
  badPvno[2 + 8] = 4;
  assert.equal(assertCode(() => gssKrb5TokenCodec.decode(badPvno), 'DECODE_BAD_VALUE').offset, 10);
  assertCode(() => gssKrb5TokenCodec.decode(tok, { maxBytes: 10 }), 'DECODE_LIMIT');
  assertCode(() => gssKrb5TokenCodec.encode({ tokId: 'MIC' } as unknown as GssKrb5Token), 'ENCODE_BAD_VALUE');
});

const LAB = repoPath('test', 'vectors', 'lab-captures.json');
test('lab captures (Apache/Samba/squid SPNEGO tokens): every krb5 token inside decodes and round-trips', { skip: existsSync(LAB) ? false : 'test/vectors/lab-captures.json not present' }, () => {
  const lab = readJson<{ tokens: { name: string; base64: string; kind?: string }[] }>('test', 'vectors', 'lab-captures.json');
  const counts: Record<string, number> = {};
  for (const t of lab.tokens) {
    const expected = /krb5 (AP-REQ|AP-REP|KRB-ERROR)/.exec(t.kind ?? '')?.[1];
    const inners = allInner(fromBase64(t.base64));
    assert.equal(inners.length, expected ? 1 : 0, `${t.name}: krb5 tokens found`);
    for (const inner of inners) {
      const e = onlyTypedErrors(() => roundTrip(inner), DECODE_CODES);
      assert.equal(e, undefined, `${t.name}: ${e?.message}`);
      const tok = gssKrb5TokenCodec.decode(inner);
      assert.equal(tok.tokId, expected, t.name);
      if (tok.tokId === 'AP-REQ') {
        assert.equal(tok.message.ticket.tktVno, 5);
        assert.ok(tok.message.ticket.encPart.cipher.length > 0);
      }
      counts[tok.tokId] = (counts[tok.tokId] ?? 0) + 1;
    }
  }
  assert.ok((counts['AP-REQ'] ?? 0) > 0 && (counts['AP-REP'] ?? 0) > 0, JSON.stringify(counts));
});
