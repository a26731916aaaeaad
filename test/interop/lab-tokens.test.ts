// Interop: tokens captured live from the lab's real peers (Apache mod_auth_gssapi, squid,
// Samba's SMB server and ntlm_auth helpers, gss-ntlmssp, python-gssapi over MIT) decode to the
// expected fields and round-trip byte for byte. The lab is started by scripts/test.sh; without
// it this test fails and says how to start it (it never skips).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromBase64 } from '../../src/bytes/encoding.js';
import { inspectBytes, inspectInput, type InspectNode } from '../../src/inspect/index.js';
import { repoPath } from '../helpers/paths.js';
import { assertRoundTrip, kindOf, type Capture } from '../helpers/tokens.js';

interface Lab {
  mit: { realm: string };
  samba: { realm: string; domain: string };
  ntlm: { domain: string };
}

let lab: Lab;
let caps: Capture[] = [];

before(() => {
  const state = process.env.LAB_STATE;
  if (!state) throw new Error('LAB_STATE is not set: run `npm test` (it starts the lab), or S=$(bash scripts/lab/up.sh | tail -n1) and LAB_STATE=$S');
  lab = JSON.parse(readFileSync(join(state, 'lab.json'), 'utf8')) as Lab;
  const out = execFileSync('bash', [repoPath('scripts/lab/capture.sh'), state], { encoding: 'utf8', timeout: 120_000 });
  caps = out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Capture);
});

const get = (name: string): InspectNode => {
  const c = caps.find((x) => x.name === name);
  assert.ok(c, `capture ${name} present`);
  return inspectBytes(fromBase64(c.base64));
};
// Walks a path of field names through the tree.
const at = (n: unknown, ...path: string[]): unknown => path.reduce((x, k) => (x as Record<string, unknown>)?.[k], n);

test('live captures: every token decodes as the independent decoder says and round-trips byte for byte', () => {
  assert.ok(caps.length >= 25, `${caps.length} tokens captured`);
  const peers = new Set(caps.map((c) => c.peer));
  for (const p of ['apache-krb5', 'apache-ntlm', 'squid', 'samba-smb', 'ntlm_auth', 'gss-spnego', 'python-gssapi']) assert.ok(peers.has(p), `tokens from ${p}`);
  for (const c of caps) {
    const b = fromBase64(c.base64);
    assert.equal(kindOf(inspectBytes(b)), c.kind, c.name);
    assertRoundTrip(b, c.name);
  }
});

test('Apache/curl Kerberos: AP-REQ for HTTP/localhost in the MIT realm, AP-REP in accept-completed', () => {
  const init = get('apache-krb5-authorization');
  const apReq = at(init, 'innerToken', 'mechToken', 'innerToken', 'message');
  assert.equal(at(apReq, 'ticket', 'realm'), lab.mit.realm);
  assert.equal(at(apReq, 'ticket', 'sname', 'nameString'), 'HTTP/localhost');
  assert.ok((at(apReq, 'apOptions', 'names') as string[]).includes('mutual-required'));
  const fin = get('apache-krb5-www-authenticate-final');
  assert.equal(at(fin, 'negState', 'name'), 'accept-completed');
  assert.equal(at(fin, 'responseToken', 'innerToken', 'tokId'), 'AP-REP');
});

test('Apache/gss-ntlmssp NTLM: CHALLENGE target info, AUTHENTICATE with MIC flag and mechListMIC', () => {
  const ch = get('apache-ntlm-challenge');
  assert.equal(at(ch, 'supportedMech', 'name'), 'NTLMSSP');
  const info = at(ch, 'responseToken', 'targetInfo') as { type: string }[];
  assert.ok(info.some((p) => p.type === 'MsvAvTimestamp'), 'timestamp in target info');
  const auth = get('apache-ntlm-authenticate');
  assert.equal(at(auth, 'responseToken', 'userName'), 'alice');
  assert.equal(at(auth, 'responseToken', 'domainName'), lab.ntlm.domain);
  const av = at(auth, 'responseToken', 'ntChallengeResponse', 'avPairs') as { type: string; value: unknown }[];
  const flags = av.find((p) => p.type === 'MsvAvFlags');
  assert.ok((at(flags, 'value', 'names') as string[]).includes('MIC_PRESENT'));
  assert.deepEqual(at(auth, 'mechListMIC'), { length: 16, redacted: true });
});

test('squid: Proxy-Authorization carries a krb5 AP-REQ; the header line decodes as such', () => {
  const c = caps.find((x) => x.name === 'squid-proxy-authorization')!;
  const r = inspectInput({ text: `Proxy-Authorization: Negotiate ${c.base64}` });
  assert.equal(r.tokens[0]!.header, 'Proxy-Authorization');
  assert.equal(at(r.tokens[0]!.token, 'innerToken', 'mechToken', 'innerToken', 'tokId'), 'AP-REQ');
});

test('Samba SMB: NegTokenInit2 with MS-KRB5, KRB5, NTLMSSP and the RFC 4178 hint; Kerberos answered with the MS OID', () => {
  const hint = get('samba-smb2-negotiate-response');
  const i2 = at(hint, 'innerToken') as InspectNode;
  assert.equal(i2.type, 'NegTokenInit2');
  assert.deepEqual((i2.mechTypes as { oid: string }[]).map((m) => m.oid), ['1.2.840.48018.1.2.2', '1.2.840.113554.1.2.2', '1.3.6.1.4.1.311.2.2.10']);
  assert.equal(at(i2, 'negHints', 'hintName'), 'not_defined_in_RFC4178@please_ignore');
  const rep = get('samba-smb2-krb5-session-setup-response-2');
  assert.equal(at(rep, 'supportedMech', 'oid'), '1.2.840.48018.1.2.2');
  const req = get('samba-smb2-krb5-session-setup-request-1');
  assert.equal(at(req, 'innerToken', 'mechToken', 'innerToken', 'message', 'ticket', 'realm'), lab.samba.realm);
});

test('Samba ntlm_auth: raw CHALLENGE names the AD domain; AUTHENTICATE is NTLMv2 for alice', () => {
  const ch = get('ntlm_auth-ntlmssp-2-server');
  assert.equal(ch.type, 'CHALLENGE_MESSAGE');
  const info = ch.targetInfo as { type: string; value: unknown }[];
  assert.equal(info.find((p) => p.type === 'MsvAvNbDomainName')?.value, lab.samba.domain);
  const au = get('ntlm_auth-ntlmssp-3-client');
  assert.equal(au.userName, 'alice');
  assert.equal(at(au, 'ntChallengeResponse', 'type'), 'NTLMv2_RESPONSE');
});

test('MIT via python-gssapi: a KRB-ERROR inside a SPNEGO reject decodes with its error name', () => {
  const e = get('python-gssapi-spnego-krb-error-bad-integrity');
  assert.equal(at(e, 'negState', 'name'), 'reject');
  assert.equal(at(e, 'responseToken', 'innerToken', 'message', 'errorCode', 'name'), 'KRB_AP_ERR_BAD_INTEGRITY');
});
