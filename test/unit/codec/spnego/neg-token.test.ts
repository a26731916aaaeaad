// NegTokenInit (RFC 4178 4.2.1), NegTokenInit2 (MS-SPNG 2.2.1), NegTokenResp (RFC 4178 4.2.2)
// and the NegotiationToken CHOICE with its [3] negHints-vs-mechListMIC rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromHex, toHex } from '../../../../src/bytes/index.js';
import { OID } from '../../../../src/iana/oids.js';
import { NegTokenInit, contextFlagsBitString, contextFlagsOf } from '../../../../src/codec/spnego/neg-token-init.js';
import { NEG_HINTS_IGNORE_NAME, NegHints, NegTokenInit2 } from '../../../../src/codec/spnego/neg-token-init2.js';
import { NEG_STATES, NegTokenResp } from '../../../../src/codec/spnego/neg-token-resp.js';
import { NegotiationToken } from '../../../../src/codec/spnego/negotiation-token.js';
import { encodeMechTypeList } from '../../../../src/codec/spnego/mech-type-list.js';
import { assertCode } from '../../../helpers/errors.js';
import { vectors } from './vectors.js';

const [respVector, hintsVector] = vectors.given;

test('NegTokenResp: the given accept-incomplete / NTLMSSP reply (oRUwE6...)', () => {
  const b = Buffer.from(respVector.base64, 'base64');
  assert.equal(toHex(b), respVector.hex);
  const t = NegotiationToken.decode(b);
  assert.deepEqual(t, { type: 'negTokenResp', value: { negState: 'accept-incomplete', supportedMech: OID.NTLMSSP } });
  assert.equal(t.type === 'negTokenResp' && t.value.responseToken, undefined);
  assert.equal(t.type === 'negTokenResp' && 'mechListMIC' in t.value, false);
  assert.equal(toHex(NegotiationToken.encode(t)), respVector.hex);
  // The SEQUENCE alone through the NegTokenResp codec.
  const inner = NegTokenResp.decode(b.subarray(2));
  assert.deepEqual(inner, t.value);
  assert.equal(toHex(NegTokenResp.encode(inner)), respVector.hex.slice(4));
});

test('NegTokenResp: every negState value, both ways', () => {
  NEG_STATES.forEach((negState, i) => {
    const enc = NegTokenResp.encode({ negState });
    assert.equal(toHex(enc), `3005a0030a010${i}`);
    assert.deepEqual(NegTokenResp.decode(enc), { negState });
  });
  assert.deepEqual(NegTokenResp.decode(fromHex('3000')), {});
  const e = assertCode(() => NegTokenResp.decode(fromHex('3005a0030a0104')), 'DECODE_BAD_VALUE');
  assert.equal(e.offset, 6);
  assertCode(() => NegTokenResp.decode(fromHex('3005a0030a01ff')), 'DECODE_BAD_VALUE'); // -1
  assertCode(() => NegTokenResp.encode({ negState: 'maybe' as never }), 'ENCODE_BAD_VALUE');
});

test('NegTokenResp: duplicated, unknown and out-of-order fields', () => {
  let e = assertCode(() => NegTokenResp.decode(fromHex('300aa0030a0101a0030a0101')), 'DECODE_BAD_TAG');
  assert.equal(e.offset, 7);
  e = assertCode(() => NegTokenResp.decode(fromHex('3009a0030a0101a4020500')), 'DECODE_BAD_TAG'); // [4] extension
  assert.equal(e.offset, 7);
  e = assertCode(() => NegTokenResp.decode(fromHex('3009a2020400a0030a0101')), 'DECODE_BAD_TAG'); // [2] before [0]
  assert.equal(e.offset, 6);
  e = assertCode(() => NegTokenResp.decode(fromHex('3005a0030a0201')), 'DECODE_TRUNCATED');
  e = assertCode(() => NegTokenResp.decode(fromHex('3006a0040a010100')), 'DECODE_TRAILING_BYTES'); // junk inside [0]
  assert.equal(e.offset, 7);
  assertCode(() => NegTokenResp.decode(fromHex('3004a0020a00')), 'DECODE_BAD_VALUE'); // empty ENUMERATED
});

test('NegTokenInit: krb5 + NTLM with optimistic token; mechTypesDer is the exact list element', () => {
  const v = { mechTypes: [OID.KRB5, OID.NTLMSSP], mechToken: fromHex('0102') };
  const enc = NegTokenInit.encode(v);
  const d = NegTokenInit.decode(enc);
  assert.deepEqual(d.mechTypes, v.mechTypes);
  assert.equal(toHex(d.mechTypesDer), toHex(encodeMechTypeList(v.mechTypes)));
  assert.ok(toHex(d.mechTypesDer).startsWith('3017'));
  assert.ok(toHex(enc).includes(`a019${toHex(d.mechTypesDer)}`));
  assert.deepEqual(d.mechToken, v.mechToken);
  assert.equal('reqFlags' in d || 'mechListMIC' in d, false);
  assert.deepEqual(NegTokenInit.encode(d), enc);
  assertCode(() => NegTokenInit.encode({ ...d, mechTypes: [OID.NTLMSSP] }), 'ENCODE_BAD_VALUE'); // stale DER
  assertCode(() => NegTokenInit.encode({ mechTypes: [] }), 'ENCODE_BAD_VALUE');
  assertCode(() => NegTokenInit.decode(fromHex('3004a0023000')), 'DECODE_BAD_VALUE'); // empty mechTypes
  const e = assertCode(() => NegTokenInit.decode(fromHex('3004a2020400')), 'DECODE_BAD_TAG'); // no mechTypes
  assert.equal(e.offset, 2);
});

test('ContextFlags helpers: named bits, DER-minimal', () => {
  const bs = contextFlagsBitString(['mutualFlag', 'integFlag']);
  assert.deepEqual(bs, { bytes: fromHex('42'), unusedBits: 1 });
  assert.deepEqual(contextFlagsOf(bs), ['mutualFlag', 'integFlag']);
  assert.deepEqual(contextFlagsOf({ bytes: fromHex('f0000000'), unusedBits: 0 }), ['delegFlag', 'mutualFlag', 'replayFlag', 'sequenceFlag']);
  assert.deepEqual(contextFlagsBitString([]), { bytes: new Uint8Array(0), unusedBits: 0 });
  assert.deepEqual(contextFlagsOf({ bytes: new Uint8Array(0), unusedBits: 0 }), []);
  assertCode(() => contextFlagsBitString(['bogus' as never]), 'ENCODE_BAD_VALUE');
});

test('NegHints: the MS-SPNG fragment from the shared vectors', () => {
  const frag = fromHex(hintsVector.hex); // a3 2a 30 28 ...
  const hints = NegHints.decode(frag.subarray(2));
  assert.deepEqual(hints, { hintName: NEG_HINTS_IGNORE_NAME });
  assert.equal(hintsVector.hintName, NEG_HINTS_IGNORE_NAME);
  const init2 = NegTokenInit2.encode({ negHints: { hintName: NEG_HINTS_IGNORE_NAME } });
  assert.equal(toHex(init2), `302c${hintsVector.hex}`);
  assert.deepEqual(NegHints.decode(fromHex('3000')), {});
  assert.deepEqual(NegHints.decode(fromHex('3004a1020400')), { hintAddress: new Uint8Array(0) });
  assertCode(() => NegHints.decode(fromHex('3005a0031b01ff')), 'DECODE_BAD_VALUE'); // not UTF-8
  // A leading BOM survives (byte-exact round trip).
  const bom = fromHex('3007a0051b03efbbbf');
  assert.equal(toHex(NegHints.encode(NegHints.decode(bom))), toHex(bom));
});

test('NegotiationToken [0]: [3] OCTET STRING is NegTokenInit mechListMIC, [3] SEQUENCE is NegTokenInit2 negHints', () => {
  const list = toHex(encodeMechTypeList([OID.KRB5]));
  const asInit = NegotiationToken.decode(fromHex(`a0153013a00d${list}a3020400`));
  assert.equal(asInit.type, 'negTokenInit');
  assert.deepEqual(asInit.type === 'negTokenInit' && asInit.value.mechListMIC, new Uint8Array(0));
  const asInit2 = NegotiationToken.decode(fromHex(`a0153013a00d${list}a3023000`));
  assert.equal(asInit2.type, 'negTokenInit2');
  assert.deepEqual(asInit2.type === 'negTokenInit2' && asInit2.value.negHints, {});
  // [4] alone means NegTokenInit2; so does a missing mechTypes.
  const withMic4 = NegotiationToken.decode(fromHex(`a0153013a00d${list}a4020400`));
  assert.equal(withMic4.type, 'negTokenInit2');
  assert.deepEqual(NegotiationToken.decode(fromHex('a0023000')), { type: 'negTokenInit2', value: {} });
  // Both: [3] SEQUENCE and [4] OCTET STRING.
  const both = NegotiationToken.decode(fromHex('a00a3008a3023000a4020401'.replace('a4020401', 'a40304015a').replace('a00a3008', 'a00b3009')));
  assert.deepEqual(both, { type: 'negTokenInit2', value: { negHints: {}, mechListMIC: fromHex('5a') } });
  // [3] OCTET STRING with a [4]: NegTokenInit2 whose [3] is not NegHints.
  let e = assertCode(() => NegotiationToken.decode(fromHex(`a0193017a00d${list}a3020400a4020400`)), 'DECODE_BAD_TAG');
  assert.equal(e.offset, 21);
  // [3] OCTET STRING without mechTypes: neither form.
  e = assertCode(() => NegotiationToken.decode(fromHex('a0063004a3020400')), 'DECODE_BAD_TAG');
  assert.equal(e.offset, 6);
  // Unknown [5], duplicated [0].
  assertCode(() => NegotiationToken.decode(fromHex(`a0153013a00d${list}a5020400`)), 'DECODE_BAD_TAG');
  e = assertCode(() => NegotiationToken.decode(fromHex(`a020301ea00d${list}a00d${list}`)), 'DECODE_BAD_TAG');
  assert.equal(e.offset, 19);
  // Choice tags other than [0] / [1], and a primitive [1].
  assertCode(() => NegotiationToken.decode(fromHex('a2023000')), 'DECODE_BAD_TAG');
  assertCode(() => NegotiationToken.decode(fromHex('8100')), 'DECODE_BAD_TAG');
  // Junk after the SEQUENCE inside [1].
  e = assertCode(() => NegotiationToken.decode(fromHex('a103300000')), 'DECODE_TRAILING_BYTES');
  assert.equal(e.offset, 4);
  // Something other than a SEQUENCE inside [0].
  e = assertCode(() => NegotiationToken.decode(fromHex('a0020400')), 'DECODE_BAD_TAG');
  assert.equal(e.offset, 2);
  assertCode(() => NegotiationToken.encode({ type: 'negTokenFoo' } as never), 'ENCODE_BAD_VALUE');
});
