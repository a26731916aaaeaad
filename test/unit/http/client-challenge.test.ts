// WWW-Authenticate / Proxy-Authenticate parsing for the client (src/http/challenge.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAuthenticate, pickChallenge, decodeBase64Token } from '../../../src/http/challenge.js';

const b64 = 'oRUwE6ADCgEBoQwGCisGAQQBgjcCAgo=';
const bytes = new Uint8Array(Buffer.from(b64, 'base64'));

test('bare Negotiate, Negotiate with a token, NTLM, Kerberos; case-insensitive schemes', () => {
  const c = parseAuthenticate(['Negotiate', `negotiate ${b64}`, 'NTLM', 'Kerberos']);
  assert.deepEqual(c.map((x) => [x.scheme, x.gss, x.token?.length]), [
    ['Negotiate', 'Negotiate', undefined],
    ['negotiate', 'Negotiate', bytes.length],
    ['NTLM', 'NTLM', undefined],
    ['Kerberos', 'Kerberos', undefined],
  ]);
  assert.deepEqual(c[1]!.token, bytes);
});

test('several challenges in one header, with Basic/Digest params holding quoted commas', () => {
  const c = parseAuthenticate(`Basic realm="a, b", charset="UTF-8", Negotiate ${b64}, Digest realm="x", nonce="y,z", qop="auth", NTLM`);
  assert.deepEqual(c.map((x) => x.scheme), ['Basic', 'Negotiate', 'Digest', 'NTLM']);
  assert.equal(c[0]!.params, 'realm="a, b", charset="UTF-8"');
  assert.equal(c[2]!.params, 'realm="x", nonce="y,z", qop="auth"');
  assert.deepEqual(c[1]!.token, bytes);
  assert.deepEqual(parseAuthenticate(' , Negotiate ,, NTLM , ').map((x) => x.scheme), ['Negotiate', 'NTLM']);
  assert.deepEqual(parseAuthenticate('Bearer abc==, Negotiate').map((x) => [x.scheme, x.params]), [['Bearer', 'abc=='], ['Negotiate', '']]);
});

test('pickChallenge prefers by the order given, ignores other schemes', () => {
  const c = parseAuthenticate('Basic realm="r", NTLM, Negotiate');
  assert.equal(pickChallenge(c, ['Negotiate', 'NTLM'])!.gss, 'Negotiate');
  assert.equal(pickChallenge(c, ['NTLM', 'Negotiate'])!.gss, 'NTLM');
  assert.equal(pickChallenge(parseAuthenticate('Basic realm="r"'), ['Negotiate', 'NTLM']), undefined);
  assert.equal(pickChallenge(parseAuthenticate('NTLM'), ['Negotiate']), undefined);
});

test('strict: bad base64, two tokens, params after a GSS scheme, junk: DEFECTIVE_TOKEN', () => {
  for (const bad of [
    'Negotiate oRUwE6ADCgEBoQwGCisGAQQBgjcCAgo', // unpadded
    'Negotiate oRUw*E6A',
    'Negotiate abc= def=',
    'Negotiate realm="x"',
    'NTLM TlRMTVNTUAABAAAAB4IIAAAAAAAAAAAAAAAAAAAAAAA===',
    'Basic realm="unterminated',
    '"quoted"',
    'Negotiate,=',
  ]) {
    assert.throws(() => parseAuthenticate(bad), { name: 'SpnegoError', code: 'DEFECTIVE_TOKEN' }, bad);
  }
  assert.throws(() => parseAuthenticate(`Negotiate ${'A'.repeat(70000)}`), { code: 'DEFECTIVE_TOKEN' });
  assert.throws(() => decodeBase64Token(''), { code: 'DEFECTIVE_TOKEN' });
});
