// `spnego inspect --exchange`: explains a whole negotiation from its ordered tokens: which
// mechs were offered, which was selected and why, whether a mechListMIC was required and by
// which rule (RFC 4178 section 5, the Windows NTLM rule), whether each side sent one, and
// where the exchange went wrong. Keys are not involved: MICs are reported present or absent.
import { SpnegoError } from '../errors.js';
import { OID, oidName } from '../iana/oids.js';
import { InitialContextToken, hasInitialContextTokenHeader } from '../codec/gss/initial-context-token.js';
import { gssKrb5TokenCodec } from '../codec/krb5/gss-krb5-token.js';
import { hasFlag } from '../codec/krb5/kerberos-flags.js';
import { ApOption } from '../iana/krb5.js';
import { decodeSpnegoToken, type SpnegoToken } from '../codec/spnego/spnego-token.js';
import type { NegTokenResp } from '../codec/spnego/neg-token-resp.js';
import { hasNtlmSignature, decodeNtlmMessage } from '../codec/ntlm/message.js';
import { micFlagged } from '../codec/ntlm/authenticate.js';
import { isDuplicateResponseTokenMic, isLegacyNtlmCounterProposal, isNegoEx, sameMech } from '../spnego/rules.js';
import type { InputToken } from './input.js';
import type { ChallengeMessage } from '../codec/ntlm/challenge.js';
import type { AuthenticateMessage } from '../codec/ntlm/authenticate.js';
import { verifyNtlmExchangeMics, type NtlmMicVerification } from './exchange-keys.js';

export interface ExchangeKeys {
  /** The NTLM user's password: re-derives the session key and verifies both mechListMICs. */
  readonly ntlmPassword?: string;
}

export type Side = 'initiator' | 'acceptor';

export interface ExchangeStep {
  readonly from: Side;
  readonly summary: string;
}

export interface ExchangeReport {
  readonly format: 'spnego-exchange/1';
  readonly steps: readonly ExchangeStep[];
  readonly offered: readonly string[];
  readonly selected: string | null;
  /**
   * Why that mech: `optimistic` (initiator's first), `request-mic` (a later one),
   * `legacy-counter-proposal`, or `raw`: the mechanism's own tokens without SPNEGO (raw NTLMSSP
   * or Kerberos under `Negotiate`, or the `NTLM` scheme), where no mechListMIC applies.
   */
  readonly selectedBy: 'optimistic' | 'request-mic' | 'legacy-counter-proposal' | 'raw' | null;
  readonly micRequired: boolean;
  /** The rules that required the MIC exchange, each naming its source. */
  readonly micRules: readonly string[];
  readonly mic: { readonly initiator: boolean; readonly acceptor: boolean };
  readonly outcome: 'complete' | 'incomplete' | 'rejected' | 'broken';
  readonly problems: readonly string[];
  /** Present when a key was supplied: whether each MIC verified. */
  readonly micVerification?: NtlmMicVerification;
}

const name = (oid: string): string => `${oidName(oid) ?? oid} (${oid})`;

/** Which side sent a token: from its header when known, else alternating from the initiator. */
function sideOf(t: InputToken, index: number): Side {
  if (t.header === 'Authorization' || t.header === 'Proxy-Authorization') return 'initiator';
  if (t.header === 'WWW-Authenticate' || t.header === 'Proxy-Authenticate') return 'acceptor';
  return index % 2 === 0 ? 'initiator' : 'acceptor';
}

function innerSummary(b: Uint8Array | undefined): string {
  if (!b || b.length === 0) return '';
  if (hasNtlmSignature(b)) {
    try {
      const m = decodeNtlmMessage(b);
      if (m.messageType === 'AUTHENTICATE_MESSAGE') return ` with NTLM AUTHENTICATE${micFlagged(m.message) ? ' (NTLM MIC present)' : ''}`;
      return ` with NTLM ${m.messageType.replace('_MESSAGE', '')}`;
    } catch {
      return ' with an undecodable NTLM token';
    }
  }
  if (b[0] === 0x60) return ' with a Kerberos token';
  return ` with a ${b.length}-byte mech token`;
}

/** A mechanism token sent without SPNEGO (browsers and old clients do): its mech OID and Kerberos token kind, or undefined. */
function rawMech(b: Uint8Array): { oid: string; kind?: string; mutual?: boolean } | undefined {
  if (hasNtlmSignature(b)) return { oid: OID.NTLMSSP };
  if (b[0] !== 0x60 || !hasInitialContextTokenHeader(b)) return undefined;
  try {
    const framed = InitialContextToken.decode(b);
    if (framed.mech !== OID.KRB5 && framed.mech !== OID.MS_KRB5) return undefined;
    try {
      const t = gssKrb5TokenCodec.decode(framed.innerToken);
      return { oid: framed.mech, kind: t.tokId, ...(t.tokId === 'AP-REQ' ? { mutual: hasFlag(t.message.apOptions, ApOption['mutual-required']) } : {}) };
    } catch {
      return { oid: framed.mech };
    }
  } catch {
    return undefined;
  }
}

export function explainExchange(tokens: readonly InputToken[], keys: ExchangeKeys = {}): ExchangeReport {
  const steps: ExchangeStep[] = [];
  const problems: string[] = [];
  const micRules: string[] = [];
  let offered: string[] = [];
  let selected: string | null = null;
  let selectedBy: ExchangeReport['selectedBy'] = null;
  let firstReply = true;
  let micI = false;
  let micA = false;
  let lastState: NegTokenResp['negState'] | undefined;
  let rejected = false;
  let mechTypesDer: Uint8Array | undefined;
  let challenge: ChallengeMessage | undefined;
  let authenticate: AuthenticateMessage | undefined;
  let initiatorMic: Uint8Array | undefined;
  let acceptorMic: Uint8Array | undefined;
  let rawDone = false;
  const collectNtlm = (b: Uint8Array | undefined): void => {
    if (!b || !hasNtlmSignature(b)) return;
    try {
      const m = decodeNtlmMessage(b);
      if (m.messageType === 'CHALLENGE_MESSAGE') challenge = m.message;
      if (m.messageType === 'AUTHENTICATE_MESSAGE') authenticate = m.message;
    } catch {
      // Reported by innerSummary.
    }
  };
  const rule = (r: string) => { if (!micRules.includes(r)) micRules.push(r); };

  tokens.forEach((t, i) => {
    const from = sideOf(t, i);
    if (!t.bytes) {
      steps.push({ from, summary: `${t.scheme ?? 'challenge'} without a token` });
      return;
    }
    const raw = rawMech(t.bytes);
    if (raw) {
      collectNtlm(t.bytes);
      const what = raw.oid === OID.NTLMSSP ? innerSummary(t.bytes).replace(/^ with /, '') : `Kerberos ${raw.kind ?? 'token'}`;
      steps.push({ from, summary: `${what}, raw (no SPNEGO)` });
      if (selected && !sameMech(selected, raw.oid)) problems.push(`token ${i + 1}: a raw ${name(raw.oid)} token in a ${name(selected)} exchange`);
      selected ??= raw.oid;
      selectedBy ??= 'raw';
      if (raw.kind === 'KRB-ERROR') rejected = true;
      if (raw.kind === 'AP-REP' || (raw.oid === OID.NTLMSSP && /AUTHENTICATE/.test(what))) rawDone = true;
      // A raw Kerberos AP-REQ without mutual authentication is complete on its own.
      if (raw.kind === 'AP-REQ' && raw.mutual === false) rawDone = true;
      return;
    }
    let s: SpnegoToken;
    try {
      s = decodeSpnegoToken(t.bytes);
    } catch (e) {
      const msg = e instanceof SpnegoError ? `${e.code}: ${e.message}` : String(e);
      steps.push({ from, summary: `undecodable token (${msg})` });
      problems.push(`token ${i + 1} (${from}) does not decode as SPNEGO: ${msg}`);
      return;
    }
    const tok = s.token;
    if (tok.type === 'negTokenInit2') {
      steps.push({ from, summary: `NegTokenInit2 hint listing ${(tok.value.mechTypes ?? []).map(name).join(', ')}` });
      return;
    }
    if (tok.type === 'negTokenInit') {
      if (from !== 'initiator') problems.push(`token ${i + 1}: a NegTokenInit from the acceptor`);
      if (offered.length > 0) problems.push(`token ${i + 1}: a second NegTokenInit restarts the negotiation`);
      offered = [...tok.value.mechTypes];
      mechTypesDer = tok.value.mechTypesDer;
      collectNtlm(tok.value.mechToken);
      steps.push({ from, summary: `NegTokenInit offering ${offered.map(name).join(', ')}${tok.value.mechToken ? `, optimistic token for ${name(offered[0]!)}${innerSummary(tok.value.mechToken)}` : ', no optimistic token'}` });
      if (tok.value.mechListMIC) micI = true;
      return;
    }
    const r = tok.value;
    const mic = isDuplicateResponseTokenMic(r) ? undefined : r.mechListMIC;
    collectNtlm(r.responseToken);
    if (mic && from === 'initiator') initiatorMic ??= mic;
    if (mic && from === 'acceptor') acceptorMic ??= mic;
    const parts = [`NegTokenResp ${r.negState ?? '(no negState)'}`];
    if (r.supportedMech) parts.push(`supportedMech ${name(r.supportedMech)}`);
    const inner = innerSummary(r.responseToken);
    if (inner) parts.push(inner.replace(/^ with /, 'carrying '));
    if (mic) parts.push('mechListMIC');
    if (isDuplicateResponseTokenMic(r)) parts.push('(mechListMIC equal to responseToken: ignored, Windows 2000 quirk)');
    steps.push({ from, summary: parts.join(', ') });
    if (from === 'acceptor') {
      if (r.negState) lastState = r.negState;
      if (r.negState === 'reject') rejected = true;
      if (firstReply) {
        firstReply = false;
        const optimistic = offered[0];
        const chosen = r.supportedMech ?? optimistic ?? null;
        selected = chosen;
        if (chosen && optimistic && sameMech(chosen, optimistic)) selectedBy = 'optimistic';
        else if (r.negState === 'request-mic') {
          selectedBy = 'request-mic';
          rule(isNegoEx(optimistic ?? '') ? 'request-mic: NegoEx listed first is skipped, so the selected mech is not the initiator\'s first (RFC 4178 3.2)' : 'request-mic: the acceptor selected a mech other than the initiator\'s first (RFC 4178 3.2, 5)');
        } else if (isLegacyNtlmCounterProposal(r)) {
          selectedBy = 'legacy-counter-proposal';
          steps.push({ from, summary: 'Server 2003-style counter-proposal of NTLMSSP with accept-incomplete: tolerated, no MIC required by it (MIT krb5 PR #187)' });
        } else if (chosen) problems.push(`token ${i + 1}: the acceptor chose ${name(chosen)} without request-mic`);
        if (chosen && offered.length > 0 && !offered.some((o) => sameMech(o, chosen))) problems.push(`token ${i + 1}: supportedMech ${name(chosen)} was not offered`);
        if (r.negState === 'request-mic') rule('request-mic in the first reply');
      } else if (r.supportedMech || r.negState === 'request-mic') {
        problems.push(`token ${i + 1}: supportedMech/request-mic are allowed only in the first reply (RFC 4178 4.2.2)`);
      }
      if (mic) {
        if (micA) problems.push(`token ${i + 1}: a second acceptor mechListMIC`);
        micA = true;
      }
    } else {
      if (r.supportedMech) problems.push(`token ${i + 1}: supportedMech in an initiator token`);
      if (mic) {
        if (micI) problems.push(`token ${i + 1}: a second initiator mechListMIC`);
        micI = true;
      }
      if (r.responseToken && hasNtlmSignature(r.responseToken) && inner.includes('NTLM MIC present')) {
        rule('NTLM put a MIC in AUTHENTICATE (MsvAvFlags 0x2): Windows requires the mechListMIC exchange (MS-SPNG; krb5 PR #113)');
      }
    }
  });
  if (micI && !micA) rule('the initiator sent a mechListMIC, so the acceptor must answer with one (RFC 4178 5)');
  if (micA && !micI) rule('the acceptor sent a mechListMIC, so the initiator must answer with one (RFC 4178 5)');
  const micRequired = micRules.length > 0;
  if (micRequired && !(micI && micA) && !rejected) {
    problems.push(`the mechListMIC exchange was required (${micRules[0]}) but ${!micI && !micA ? 'neither side' : micI ? 'the acceptor' : 'the initiator'} ${!micI && !micA ? 'sent one' : 'did not send one'}`);
  }
  if (offered.length > 0 && selected && offered.indexOf(selected) > 0 && selectedBy === 'optimistic') {
    problems.push('the acceptor selected a later mech but answered as if it were the optimistic one');
  }
  let micVerification: NtlmMicVerification | undefined;
  if (keys.ntlmPassword !== undefined) {
    if (!challenge || !authenticate || !mechTypesDer) problems.push('a password was given, but the exchange lacks the NTLM CHALLENGE, AUTHENTICATE or NegTokenInit to check');
    else {
      try {
        micVerification = verifyNtlmExchangeMics({ password: keys.ntlmPassword, challenge, authenticate, mechTypesDer, ...(initiatorMic ? { initiatorMic } : {}), ...(acceptorMic ? { acceptorMic } : {}) });
        if (micVerification.password !== 'matches') problems.push('the password given does not match the AUTHENTICATE (NTProofStr differs): MICs not checked');
        if (micVerification.initiatorMic === 'invalid') problems.push('the initiator mechListMIC does not verify over the MechTypeList sent: a rewritten mech list, or a broken initiator');
        if (micVerification.acceptorMic === 'invalid') problems.push('the acceptor mechListMIC does not verify over the MechTypeList: a rewritten mech list, or a broken acceptor');
      } catch (e) {
        if (!(e instanceof SpnegoError)) throw e;
        problems.push(`MICs not checked: ${e.message}`);
      }
    }
  }
  const done = selectedBy === 'raw' ? rawDone : lastState === 'accept-completed';
  const outcome: ExchangeReport['outcome'] = rejected ? 'rejected' : problems.length > 0 ? 'broken' : done ? 'complete' : 'incomplete';
  if (outcome === 'incomplete') {
    problems.push(selectedBy === 'raw' ? 'the raw exchange ends before the mechanism finished (no NTLM AUTHENTICATE or Kerberos AP-REQ/AP-REP seen)' : 'the exchange ends without accept-completed from the acceptor (a missing final token, or more legs to come)');
  }
  return { format: 'spnego-exchange/1', steps, offered, selected, selectedBy, micRequired, micRules, mic: { initiator: micI, acceptor: micA }, outcome, problems, ...(micVerification ? { micVerification } : {}) };
}

export function renderExchange(r: ExchangeReport): string {
  const out: string[] = [];
  r.steps.forEach((s) => out.push(`${s.from === 'initiator' ? 'initiator -> acceptor' : 'acceptor -> initiator'}: ${s.summary}`));
  out.push('');
  out.push(`offered:   ${r.offered.length ? r.offered.map(name).join(', ') : '(no NegTokenInit seen)'}`);
  out.push(`selected:  ${r.selected ? `${name(r.selected)}${r.selectedBy ? ` (${r.selectedBy})` : ''}` : '(no reply seen)'}`);
  out.push(`mechListMIC: ${r.micRequired ? 'required' : 'not required'}${r.micRules.length ? `\n  - ${r.micRules.join('\n  - ')}` : ''}`);
  out.push(`  initiator sent one: ${r.mic.initiator ? 'yes' : 'no'}; acceptor sent one: ${r.mic.acceptor ? 'yes' : 'no'}`);
  if (r.micVerification) {
    const v = r.micVerification;
    out.push(`  with the password (${v.password}): initiator MIC ${v.initiatorMic}, acceptor MIC ${v.acceptorMic}`);
  }
  out.push(`outcome:   ${r.outcome}`);
  for (const p of r.problems) out.push(`problem:   ${p}`);
  return out.join('\n');
}
