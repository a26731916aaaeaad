import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explainExchange } from '../../../src/inspect/exchange.js';
import { parseInput } from '../../../src/inspect/input.js';
import { encodeSpnegoToken } from '../../../src/codec/spnego/spnego-token.js';
import { fromBase64 as fromB64, toBase64 } from '../../../src/bytes/encoding.js';
import { OID } from '../../../src/iana/oids.js';
import { readJson } from '../../helpers/paths.js';
import type { Capture } from '../../helpers/tokens.js';
import { NtlmInitiator } from '../../../src/mech/ntlm/initiator.js';
import { NtlmAcceptor } from '../../../src/mech/ntlm/acceptor.js';
import { MemoryNtHashStore } from '../../../src/mech/ntlm/store.js';
import { Krb5Initiator } from '../../../src/mech/krb5/gss-initiator.js';
import { Krb5Acceptor } from '../../../src/mech/krb5/gss-acceptor.js';
import { MemoryReplayCache } from '../../../src/mech/krb5/replay-cache.js';
import { issueTicket } from '../../helpers/krb5-ticket.js';

const caps = readJson<{ tokens: Capture[] }>('test/vectors/lab-captures.json').tokens;
const lines = (prefix: string) => caps.filter((c) => c.name.startsWith(prefix)).map((c) => (c.header ? `${c.header}: Negotiate ${c.base64}` : c.base64)).join('\n');
const b64 = (t: Parameters<typeof encodeSpnegoToken>[0]) => toBase64(encodeSpnegoToken(t));

test('Apache/gss-ntlmssp NTLM exchange: optimistic NTLMSSP, MIC required by the NTLM MIC rule, both sent, complete', () => {
  const r = explainExchange(parseInput(lines('apache-ntlm')));
  assert.equal(r.selected, OID.NTLMSSP);
  assert.equal(r.selectedBy, 'optimistic');
  assert.equal(r.micRequired, true);
  assert.match(r.micRules[0]!, /NTLM put a MIC in AUTHENTICATE/);
  assert.deepEqual(r.mic, { initiator: true, acceptor: true });
  assert.equal(r.outcome, 'complete');
  assert.deepEqual(r.problems, []);
});

test('Kerberos exchange with Samba over SMB: MS Kerberos OID answered, no MIC needed', () => {
  const r = explainExchange(parseInput(lines('samba-smb2-krb5')));
  assert.equal(r.selected, OID.MS_KRB5);
  assert.equal(r.micRequired, false);
  assert.equal(r.outcome, 'complete');
});

test('Server 2003 counter-proposal: the brief token after a Kerberos optimistic token is explained as the tolerated legacy case', () => {
  const init = b64({ framed: true, token: { type: 'negTokenInit', value: { mechTypes: [OID.KRB5, OID.NTLMSSP], mechToken: new Uint8Array([0x60, 0]) } } });
  const done = b64({ framed: false, token: { type: 'negTokenResp', value: { negState: 'accept-completed' } } });
  const r = explainExchange(parseInput([`Authorization: Negotiate ${init}`, 'WWW-Authenticate: Negotiate oRUwE6ADCgEBoQwGCisGAQQBgjcCAgo=', `WWW-Authenticate: Negotiate ${done}`].join('\n')));
  assert.equal(r.selectedBy, 'legacy-counter-proposal');
  assert.equal(r.micRequired, false);
  assert.equal(r.outcome, 'complete');
});

test('a required MIC the acceptor never sent is reported as the problem', () => {
  const ntlm = caps.filter((c) => c.name.startsWith('apache-ntlm'));
  const final = b64({ framed: false, token: { type: 'negTokenResp', value: { negState: 'accept-completed' } } });
  const text = ntlm.slice(0, 3).map((c) => `${c.header}: Negotiate ${c.base64}`).concat(`WWW-Authenticate: Negotiate ${final}`).join('\n');
  const r = explainExchange(parseInput(text));
  assert.equal(r.outcome, 'broken');
  assert.match(r.problems.join('\n'), /required .* but the acceptor did not send one/);
});

test('request-mic, a reject, and tokens that do not decode are named', () => {
  const init = b64({ framed: true, token: { type: 'negTokenInit', value: { mechTypes: [OID.NEGOEX, OID.NTLMSSP] } } });
  const rm = b64({ framed: false, token: { type: 'negTokenResp', value: { negState: 'request-mic', supportedMech: OID.NTLMSSP } } });
  const r = explainExchange(parseInput(`${init}\n${rm}`));
  assert.equal(r.selectedBy, 'request-mic');
  assert.match(r.micRules[0]!, /NegoEx listed first/);
  const rej = b64({ framed: false, token: { type: 'negTokenResp', value: { negState: 'reject' } } });
  assert.equal(explainExchange(parseInput(`${init}\n${rej}`)).outcome, 'rejected');
  const bad = explainExchange(parseInput(`${init}\nAAAA`));
  assert.equal(bad.outcome, 'broken');
  assert.match(bad.problems[0]!, /does not decode/);
});

test('--ntlm-password: both mechListMICs of real exchanges verify (Apache/gss-ntlmssp, Samba SMB); a rewritten list does not', async () => {
  const { encodeSpnegoToken: enc, decodeSpnegoToken: dec } = await import('../../../src/codec/spnego/spnego-token.js');
  const apache = explainExchange(parseInput(lines('apache-ntlm')), { ntlmPassword: 'Alice-Pass1' });
  assert.deepEqual(apache.micVerification, { password: 'matches', initiatorMic: 'valid', acceptorMic: 'valid' });
  assert.equal(apache.outcome, 'complete');
  const smb = explainExchange(parseInput(lines('samba-smb2-ntlm')), { ntlmPassword: 'Alice-Samba1!' });
  assert.deepEqual(smb.micVerification, { password: 'matches', initiatorMic: 'valid', acceptorMic: 'valid' });
  // A man in the middle adds NegoEx to the list the acceptor sees: both MICs fail over it.
  const tokens = caps.filter((c) => c.name.startsWith('apache-ntlm'));
  const init = dec(fromB64(tokens[0]!.base64)).token.value as { mechTypes: string[]; mechToken: Uint8Array };
  const forged = toBase64(enc({ framed: true, token: { type: 'negTokenInit', value: { mechTypes: [...init.mechTypes, OID.NEGOEX], mechToken: init.mechToken } } }));
  const text = [`Authorization: Negotiate ${forged}`, ...tokens.slice(1).map((c) => `${c.header}: Negotiate ${c.base64}`)].join('\n');
  const mitm = explainExchange(parseInput(text), { ntlmPassword: 'Alice-Pass1' });
  assert.deepEqual(mitm.micVerification, { password: 'matches', initiatorMic: 'invalid', acceptorMic: 'invalid' });
  assert.equal(mitm.outcome, 'broken');
  assert.equal(explainExchange(parseInput(lines('apache-ntlm')), { ntlmPassword: 'nope' }).micVerification?.password, 'does not match');
});

test('raw mechanism exchanges (the NTLM scheme, or raw Kerberos/NTLMSSP under Negotiate, as browsers and old clients send them) are explained as raw, not as undecodable SPNEGO', async () => {
  const i = new NtlmInitiator({ credential: { username: 'EXAMPLE\\alice', password: 'pw' }, target: 'HTTP/web' });
  const a = new NtlmAcceptor({ store: new MemoryNtHashStore({ 'EXAMPLE\\alice': 'pw' }), netbiosDomain: 'EXAMPLE', netbiosComputer: 'WEB' });
  const n = (await i.step())!;
  const c = (await a.step(n))!;
  const au = (await i.step(c))!;
  const ntlm = [`Authorization: NTLM ${toBase64(n)}`, `WWW-Authenticate: NTLM ${toBase64(c)}`, `Authorization: NTLM ${toBase64(au)}`].join('\n');
  const r = explainExchange(parseInput(ntlm));
  assert.equal(r.selected, OID.NTLMSSP);
  assert.equal(r.selectedBy, 'raw');
  assert.equal(r.micRequired, false);
  assert.equal(r.outcome, 'complete');
  assert.deepEqual(r.problems, []);
  const { cred, keys } = issueTicket(18);
  for (const mutual of [true, false]) {
    const ki = new Krb5Initiator({ credential: cred, mutual });
    const req = (await ki.step())!;
    const rep = await new Krb5Acceptor({ keys, replayCache: new MemoryReplayCache() }).step(req);
    const headers = [`Authorization: Negotiate ${toBase64(req)}`, ...(rep ? [`WWW-Authenticate: Negotiate ${toBase64(rep)}`] : [])];
    const k = explainExchange(parseInput(headers.join('\n')));
    assert.equal(k.selected, OID.KRB5);
    assert.equal(k.selectedBy, 'raw');
    assert.equal(k.outcome, 'complete', JSON.stringify(k));
    // A mutual AP-REQ whose AP-REP is missing is not complete.
    if (mutual) assert.equal(explainExchange(parseInput(headers[0]!)).outcome, 'incomplete');
  }
});
