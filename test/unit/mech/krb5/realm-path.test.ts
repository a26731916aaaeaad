// The realm path a client walks to reach a service in another realm (src/mech/krb5/realm-path.ts):
// [capaths] when krb5.conf has an entry, else the hierarchy of RFC 4120 3.3.3.2. The walk itself
// (farthest realm first, the KDC's alternate TGTs) is proven against MIT's KDC in
// test/interop/krb5-cross-realm.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { realmPath } from '../../../../src/mech/krb5/realm-path.js';
import { parseKrb5Config } from '../../../../src/mech/krb5/config/index.js';

test('hierarchical paths: up to the common suffix, then down (RFC 4120 3.3.3.2)', () => {
  assert.deepEqual(realmPath('A.EXAMPLE.COM', 'A.EXAMPLE.COM'), []);
  assert.deepEqual(realmPath('ENG.EXAMPLE.COM', 'EXAMPLE.COM'), ['EXAMPLE.COM']);
  assert.deepEqual(realmPath('EXAMPLE.COM', 'DEV.ENG.EXAMPLE.COM'), ['ENG.EXAMPLE.COM', 'DEV.ENG.EXAMPLE.COM']);
  assert.deepEqual(realmPath('A.B.C', 'D.B.C'), ['B.C', 'D.B.C']);
  assert.deepEqual(realmPath('X.A.B.C', 'Y.D.B.C'), ['A.B.C', 'B.C', 'D.B.C', 'Y.D.B.C']);
  assert.deepEqual(realmPath('SPNEGO.TEST', 'OTHER.TEST'), ['TEST', 'OTHER.TEST']);
  assert.deepEqual(realmPath('X.Y', 'Q.Z'), ['Y', 'Z', 'Q.Z'], 'no common suffix: up to the top, across, down');
});

test('[capaths]: the listed intermediate realms in order, "." meaning direct (MIT k5_client_realm_path)', () => {
  const cfg = parseKrb5Config([`
[capaths]
    ANL.GOV = {
        TEST.ANL.GOV = .
        PNL.GOV = ES.NET
        NERSC.GOV = ES.NET
        NERSC.GOV = NERSC2.GOV
    }
`]);
  assert.deepEqual(realmPath('ANL.GOV', 'TEST.ANL.GOV', cfg), ['TEST.ANL.GOV']);
  assert.deepEqual(realmPath('ANL.GOV', 'PNL.GOV', cfg), ['ES.NET', 'PNL.GOV']);
  assert.deepEqual(realmPath('ANL.GOV', 'NERSC.GOV', cfg), ['ES.NET', 'NERSC2.GOV', 'NERSC.GOV']);
  assert.deepEqual(realmPath('ANL.GOV', 'OTHER.GOV', cfg), ['GOV', 'OTHER.GOV'], 'no entry: the hierarchy');
});
