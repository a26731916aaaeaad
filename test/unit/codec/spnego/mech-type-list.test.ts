// MechTypeList (RFC 4178 4.1) and the exact bytes the mechListMIC is computed over (section 5).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromHex, toHex } from '../../../../src/bytes/index.js';
import { OID } from '../../../../src/iana/oids.js';
import { OBJECT_IDENTIFIER, decodeDer, encodeConstructed } from '../../../../src/der/index.js';
import {
  MAX_MECH_TYPES, MechTypeList, MechTypeListWithDerType, encodeMechTypeList, mechTypesDerFor,
} from '../../../../src/codec/spnego/mech-type-list.js';
import { assertCode } from '../../../helpers/errors.js';

const MS_FIRST = '301606092a864882f71201020206092a864886f712010202'; // MS-KRB5, KRB5 (RFC 4178 App. C order)

test('MechTypeList: MS Kerberos OID first, bytes and order kept', () => {
  assert.deepEqual(MechTypeList.decode(fromHex(MS_FIRST)), [OID.MS_KRB5, OID.KRB5]);
  assert.equal(toHex(encodeMechTypeList([OID.MS_KRB5, OID.KRB5])), MS_FIRST);
  const w = decodeDer(MechTypeListWithDerType, fromHex(MS_FIRST));
  assert.equal(toHex(w.mechTypesDer), MS_FIRST);
  assert.deepEqual(w.mechTypes, [OID.MS_KRB5, OID.KRB5]);
});

test('MechTypeList: empty, too long, non-OID entries rejected', () => {
  let e = assertCode(() => MechTypeList.decode(fromHex('3000')), 'DECODE_BAD_VALUE');
  assert.equal(e.offset, 0);
  const many = encodeMechTypeList(Array.from({ length: MAX_MECH_TYPES }, (_, i) => `1.2.${i}`));
  assert.equal(MechTypeList.decode(many).length, MAX_MECH_TYPES);
  const oids = Array.from({ length: MAX_MECH_TYPES + 1 }, (_, i) => OBJECT_IDENTIFIER.encode(`1.2.${i}`));
  const tooMany = encodeConstructed(0, 16, oids);
  assertCode(() => MechTypeList.decode(tooMany), 'DECODE_BAD_VALUE');
  e = assertCode(() => MechTypeList.decode(fromHex('30050601290201')), 'DECODE_TRUNCATED');
  e = assertCode(() => MechTypeList.decode(fromHex('300606012902010a')), 'DECODE_BAD_TAG'); // INTEGER entry
  assert.equal(e.offset, 5);
  assertCode(() => encodeMechTypeList([]), 'ENCODE_BAD_VALUE');
  assertCode(() => encodeMechTypeList(['not.an.oid']), 'ENCODE_BAD_VALUE');
});

test('mechTypesDerFor: uses the given bytes, checks that they match', () => {
  const der = fromHex(MS_FIRST);
  assert.equal(mechTypesDerFor({ mechTypes: [OID.MS_KRB5, OID.KRB5], mechTypesDer: der }), der);
  assert.equal(toHex(mechTypesDerFor({ mechTypes: [OID.KRB5] })), '300b06092a864886f712010202');
  assertCode(() => mechTypesDerFor({ mechTypes: [OID.KRB5, OID.MS_KRB5], mechTypesDer: der }), 'ENCODE_BAD_VALUE');
  assertCode(() => mechTypesDerFor({ mechTypes: [OID.KRB5], mechTypesDer: fromHex('3080') }), 'ENCODE_BAD_VALUE');
});
