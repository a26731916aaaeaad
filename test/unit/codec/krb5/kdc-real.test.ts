// The KDC exchange of MIT Kerberos 1.20 (kinit with encrypted-timestamp preauth, then kvno), captured on
// loopback (test/vectors/krb5-kdc-messages.json): each message decodes to the expected fields and
// re-encodes byte for byte (the nonce sits at body offset 106..109, after a706 0204); the decrypted
// EncASRepPart, TGS-REQ authenticator and EncTGSRepPart decode too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromHex, toHex } from '../../../../src/bytes/index.js';
import type { Codec } from '../../../../src/codec/codec.js';
import {
  apReqCodec, asRepCodec, asReqCodec, authenticatorCodec, encAsRepPartCodec, encTgsRepPartCodec, encryptedDataCodec, etypeInfo2Codec, flagNames,
  kdcReqBodyCodec, krbErrorCodec, methodDataCodec, principalToString, tgsRepCodec, tgsReqCodec, type AsReq, type TgsReq,
} from '../../../../src/codec/krb5/index.js';
import { ErrorCode, kdcOptionName, PaDataType, ticketFlagName } from '../../../../src/iana/krb5.js';
import { readJson } from '../../../helpers/paths.js';

interface Vector { name: string; kind: string; hex: string; note: string }
const vectors = readJson<{ messages: Vector[]; reqBodyChecksum: { message: string; cksumtype: number; checksum: string } }>('test', 'vectors', 'krb5-kdc-messages.json');
const hex = (name: string): Uint8Array => {
  const v = vectors.messages.find((m) => m.name === name);
  assert.ok(v, name);
  return fromHex(v.hex);
};

function exact<T>(codec: Codec<T>, b: Uint8Array): T {
  const v = codec.decode(b);
  assert.equal(toHex(codec.encode(v)), toHex(b), `${codec.name} re-encodes byte for byte`);
  return v;
}

const ETYPES = [18, 17, 20, 19, 16, 23, 25, 26];
const asReq1 = exact<AsReq>(asReqCodec, hex('mit-as-req-1'));
const asReq2 = exact<AsReq>(asReqCodec, hex('mit-as-req-2'));
const asRep = exact(asRepCodec, hex('mit-as-rep'));
const tgsReq = exact<TgsReq>(tgsReqCodec, hex('mit-tgs-req'));
const tgsRep = exact(tgsRepCodec, hex('mit-tgs-rep'));
const padataTypes = (p: readonly { padataType: number }[] | undefined): number[] => (p ?? []).map((x) => x.padataType);

test('first AS-REQ: alice@EXAMPLE.TEST for krbtgt, eight etypes, no preauth yet', () => {
  const b = asReq1.reqBody;
  assert.equal(asReq1.msgType, 10);
  assert.equal(principalToString(b.cname!, b.realm), 'alice@EXAMPLE.TEST');
  assert.equal(principalToString(b.sname!), 'krbtgt/EXAMPLE.TEST');
  assert.deepEqual(b.etype, ETYPES);
  assert.deepEqual(flagNames(b.kdcOptions, kdcOptionName), ['renewable-ok']);
  assert.deepEqual(padataTypes(asReq1.padata), [PaDataType['PA-AS-FRESHNESS'], PaDataType['PA-REQ-ENC-PA-REP']]);
  assert.equal(padataTypes(asReq1.padata).includes(PaDataType['PA-ENC-TIMESTAMP']), false);
  for (const k of ['from', 'rtime', 'addresses', 'encAuthorizationData', 'additionalTickets']) assert.equal(k in b, false, k);
});

test('the KDC asks for preauth: KRB-ERROR 25 with METHOD-DATA offering ETYPE-INFO2', () => {
  const e = exact(krbErrorCodec, hex('mit-krb-error-preauth-required'));
  assert.equal(e.errorCode, ErrorCode.KDC_ERR_PREAUTH_REQUIRED);
  const md = exact(methodDataCodec, e.eData!);
  const info = md.find((p) => p.padataType === PaDataType['PA-ETYPE-INFO2']);
  assert.ok(info);
  assert.deepEqual(exact(etypeInfo2Codec, info.padataValue)[0], { etype: 18, salt: 'EXAMPLE.TESTalice' });
});

test('second AS-REQ carries PA-ENC-TIMESTAMP (an aes256 EncryptedData) and the same body but a new nonce', () => {
  const types = padataTypes(asReq2.padata);
  assert.ok(types.includes(PaDataType['PA-ENC-TIMESTAMP']));
  assert.ok(types.includes(PaDataType['PA-FX-COOKIE']));
  const ts = asReq2.padata!.find((p) => p.padataType === PaDataType['PA-ENC-TIMESTAMP'])!;
  const ed = exact(encryptedDataCodec, ts.padataValue);
  assert.equal(ed.etype, 18);
  assert.equal(ed.cipher.length, 16 + 28 + 12); // confounder, a 28-byte PA-ENC-TS-ENC (with pausec), HMAC-SHA1-96
  assert.deepEqual({ ...asReq2.reqBody, nonce: 0 }, { ...asReq1.reqBody, nonce: 0 });
  assert.notEqual(asReq2.reqBody.nonce, asReq1.reqBody.nonce);
});

test('AS-REP: alice gets a TGT; the decrypted EncASRepPart has the request nonce and MIT\'s [APPLICATION 26] tag', () => {
  assert.equal(principalToString(asRep.cname, asRep.crealm), 'alice@EXAMPLE.TEST');
  assert.equal(principalToString(asRep.ticket.sname, asRep.ticket.realm), 'krbtgt/EXAMPLE.TEST@EXAMPLE.TEST');
  assert.deepEqual(padataTypes(asRep.padata), [PaDataType['PA-ETYPE-INFO2']]);
  assert.equal(asRep.encPart.etype, 18);
  const plain = hex('mit-enc-as-rep-part');
  assert.equal(plain[0], 0x7a); // EncTGSRepPart's tag, inside an AS-REP
  const part = exact(encAsRepPartCodec, plain);
  assert.equal(part.applicationTag, 26);
  assert.equal(part.nonce, asReq2.reqBody.nonce);
  assert.equal(principalToString(part.sname, part.srealm), 'krbtgt/EXAMPLE.TEST@EXAMPLE.TEST');
  assert.deepEqual(flagNames(part.flags, ticketFlagName), ['initial', 'pre-authent', 'enc-pa-rep']);
  assert.deepEqual(part.lastReq, [{ lrType: 0, lrValue: new Date(0) }]);
  assert.deepEqual(part.endtime, asReq2.reqBody.till);
  assert.equal(part.key.keytype, 18);
  assert.deepEqual(padataTypes(part.encryptedPaData), [PaDataType['PA-REQ-ENC-PA-REP'], PaDataType['PA-FX-FAST']]);
  // Read as an EncTGSRepPart, the tag is the usual one and is not recorded.
  assert.equal('applicationTag' in exact(encTgsRepPartCodec, plain), false);
});

test('TGS-REQ: PA-TGS-REQ holds an AP-REQ with the TGT; reqBodyDer is exactly the body inside the message', () => {
  const b = tgsReq.reqBody;
  assert.equal(principalToString(b.sname!, b.realm), 'host/h.example.test@EXAMPLE.TEST');
  assert.equal('cname' in b, false);
  assert.deepEqual(b.etype, ETYPES);
  assert.deepEqual(flagNames(b.kdcOptions, kdcOptionName), ['canonicalize']);
  assert.deepEqual(padataTypes(tgsReq.padata), [PaDataType['PA-TGS-REQ'], PaDataType['PA-FX-FAST']]);
  const ap = exact(apReqCodec, tgsReq.padata![0]!.padataValue);
  assert.deepEqual(ap.ticket, asRep.ticket);
  // The body is the last element of the message: its bytes are the message's tail.
  const msg = hex('mit-tgs-req');
  assert.equal(toHex(msg.subarray(msg.length - tgsReq.reqBodyDer.length)), toHex(tgsReq.reqBodyDer));
  assert.equal(toHex(kdcReqBodyCodec.encode(b)), toHex(tgsReq.reqBodyDer));
  // The decrypted authenticator: its checksum (verified at capture time over reqBodyDer) is as recorded.
  const auth = exact(authenticatorCodec, hex('mit-tgs-req-authenticator'));
  assert.equal(auth.crealm, 'EXAMPLE.TEST');
  assert.deepEqual(auth.cksum, { cksumtype: vectors.reqBodyChecksum.cksumtype, checksum: fromHex(vectors.reqBodyChecksum.checksum) });
  assert.equal(auth.subkey?.keytype, 18);
});

test('TGS-REP: the ticket is for host/h.example.test, the client is alice', () => {
  assert.equal(tgsRep.msgType, 13);
  assert.equal(principalToString(tgsRep.cname, tgsRep.crealm), 'alice@EXAMPLE.TEST');
  assert.equal(principalToString(tgsRep.ticket.sname, tgsRep.ticket.realm), 'host/h.example.test@EXAMPLE.TEST');
  assert.equal(tgsRep.ticket.encPart.kvno, 1);
  assert.deepEqual(padataTypes(tgsRep.padata), [PaDataType['PA-FX-FAST']]);
});

test('decrypted EncTGSRepPart: [APPLICATION 26] as RFC 4120 says, the TGS-REQ nonce, the service ticket\'s name', () => {
  const plain = hex('mit-enc-tgs-rep-part');
  assert.equal(plain[0], 0x7a);
  const part = exact(encTgsRepPartCodec, plain);
  assert.equal('applicationTag' in part, false);
  assert.equal(part.nonce, tgsReq.reqBody.nonce);
  assert.equal(principalToString(part.sname, part.srealm), 'host/h.example.test@EXAMPLE.TEST');
  assert.deepEqual(part.sname, tgsRep.ticket.sname);
  assert.deepEqual(flagNames(part.flags, ticketFlagName), ['pre-authent', 'transited-policy-checked', 'enc-pa-rep']);
  assert.equal('encryptedPaData' in part, false);
  // Read by the AS codec, the same bytes record the tag (MIT sends 26 for both replies).
  assert.equal(exact(encAsRepPartCodec, plain).applicationTag, 26);
});

test('an earlier MIT capture (test/vectors/krb5-messages.json, realm K5CAP.TEST) decodes as a TGS-REQ and re-encodes exactly', () => {
  const v = readJson<{ messages: { name: string; base64: string }[] }>('test', 'vectors', 'krb5-messages.json').messages.find((m) => m.name === 'mit-kdc-tgs-req');
  assert.ok(v);
  const r = exact<TgsReq>(tgsReqCodec, Uint8Array.from(Buffer.from(v.base64, 'base64')));
  assert.equal(principalToString(r.reqBody.sname!, r.reqBody.realm), 'HTTP/www.k5cap.test@K5CAP.TEST');
  assert.equal(r.padata![0]!.padataType, PaDataType['PA-TGS-REQ']);
  assert.equal(exact(apReqCodec, r.padata![0]!.padataValue).ticket.sname.nameString[0], 'krbtgt');
});

test('AS-REQ reqBodyDer is the tail of each AS-REQ too, and both AS bodies differ only in the nonce bytes', () => {
  for (const [name, r] of [['mit-as-req-1', asReq1], ['mit-as-req-2', asReq2]] as const) {
    const msg = hex(name);
    assert.equal(toHex(msg.subarray(msg.length - r.reqBodyDer.length)), toHex(r.reqBodyDer), name);
  }
  const diff = [...asReq1.reqBodyDer].flatMap((x, i) => (x === asReq2.reqBodyDer[i] ? [] : [i]));
  assert.equal(asReq1.reqBodyDer.length, asReq2.reqBodyDer.length);
  assert.ok(diff.length > 0 && diff.length <= 4 && diff.every((i) => i >= 106 && i < 110), `nonce bytes only: ${diff.join(',')}`);
});

test('every captured message is refused by the codecs of the other KDC message types (APPLICATION tag)', () => {
  const all: [string, Codec<unknown>][] = [['mit-as-req-1', asReqCodec], ['mit-as-rep', asRepCodec], ['mit-tgs-req', tgsReqCodec], ['mit-tgs-rep', tgsRepCodec]];
  for (const [name] of all) {
    for (const [other, codec] of all) {
      if (other === name) continue;
      assert.throws(() => codec.decode(hex(name)), (e: Error & { code?: string; offset?: number }) => e.code === 'DECODE_BAD_TAG' && e.offset === 0, `${name} as ${codec.name}`);
    }
  }
});
