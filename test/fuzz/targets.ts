// The fuzz targets: every decoder and every state-machine entry point that takes bytes or text
// from the network or from disk, each with seeds taken from real captured tokens
// (test/vectors/lab-captures.json) and the other vectors. A target's run() may return or throw a
// SpnegoError; anything else (another exception, a hang, a huge allocation) is a finding.
// Used by test/fuzz/fuzz.ts (the long run) and test/fuzz/all-targets.test.ts (the short run).
import { fromBase64, fromHex } from '../../src/bytes/index.js';
import { SpnegoError } from '../../src/errors.js';
import { DEFAULT_LIMITS } from '../../src/codec/codec.js';
import {
  BIT_STRING, BOOLEAN, DerContext, ENUMERATED, GeneralString, IA5String, INTEGER, KerberosTime, NULL, OBJECT_IDENTIFIER, OCTET_STRING, UTF8String,
  decodeDer, readChildren, readTlv, tlvBytes, type DerType, type Tlv,
} from '../../src/der/index.js';
import { decodeSpnegoToken } from '../../src/codec/spnego/spnego-token.js';
import { MechTypeList, NegotiationToken } from '../../src/codec/spnego/index.js';
import { InitialContextToken } from '../../src/codec/gss/initial-context-token.js';
import { decodeNtlmMessage } from '../../src/codec/ntlm/message.js';
import { avPairsCodec } from '../../src/codec/ntlm/av-pairs.js';
import { ntlmv2ResponseCodec } from '../../src/codec/ntlm/ntlmv2-response.js';
import { versionCodec } from '../../src/codec/ntlm/version.js';
import * as krb5 from '../../src/codec/krb5/index.js';
import { ccacheCodec, keytabCodec } from '../../src/codec/krb5-files/index.js';
import { parseDuration, parseEnctypeList, parseKdcEndpoint, parseKrb5Config } from '../../src/mech/krb5/config/index.js';
import {
  PacBufferType, decodeKerbValidationInfo, decodeSid, pacBuffer, pacClientInfoCodec, pacSignatureDataCodec, pacTypeCodec, upnDnsInfoCodec,
} from '../../src/codec/pac/index.js';
import { decodePac } from '../../src/mech/krb5/pac.js';
import { parseAuthenticate } from '../../src/http/challenge.js';
import { inspectInput } from '../../src/inspect/index.js';
import { SpnegoInitiator } from '../../src/spnego/initiator.js';
import { SpnegoAcceptor } from '../../src/spnego/acceptor.js';
import { krb5AcceptorMech, krb5InitiatorMech } from '../../src/spnego/krb5.js';
import { ntlmAcceptorMech, ntlmInitiatorMech } from '../../src/spnego/ntlm.js';
import { NtlmAcceptor, type NtlmAcceptorOptions } from '../../src/mech/ntlm/acceptor.js';
import { NtlmInitiator } from '../../src/mech/ntlm/initiator.js';
import { MemoryNtHashStore } from '../../src/mech/ntlm/store.js';
import { Krb5Acceptor } from '../../src/mech/krb5/gss-acceptor.js';
import { Krb5Initiator } from '../../src/mech/krb5/gss-initiator.js';
import { MemoryReplayCache } from '../../src/mech/krb5/replay-cache.js';
import { acceptor as gssAcceptor, type SecurityContext } from '../../src/gss/context.js';
import { createNegotiateAuthenticator } from '../../src/http/server/authenticator.js';
import { asExchange } from '../../src/mech/krb5/as.js';
import { tgsExchange } from '../../src/mech/krb5/tgs.js';
import { makeKrbCred, readKrbCred } from '../../src/mech/krb5/delegation.js';
import type { Credential } from '../../src/mech/krb5/credential.js';
import { getProfile } from '../../src/crypto/krb5/registry.js';
import { KeyUsage } from '../../src/iana/krb5.js';
import { issueTicket } from '../helpers/krb5-ticket.js';
import { readJson } from '../helpers/paths.js';
import { KDC_CLIENT, KDC_ENCTYPES, KDC_SERVICE, kdcRandom, loadKdcSeeds, replaying } from './kdc-seeds.js';

export interface BytesTarget {
  readonly name: string;
  readonly kind: 'bytes';
  /** What the target reaches, for README and reports. */
  readonly covers: string;
  readonly seeds: Uint8Array[];
  /** Inputs in the short run of `npm test` when fewer than FUZZ_SHORT_RUNS (slow targets; the long run is unaffected). */
  readonly shortRuns?: number;
  run(input: Uint8Array): void | Promise<void>;
}
export interface TextTarget {
  readonly name: string;
  readonly kind: 'text';
  readonly covers: string;
  readonly seeds: string[];
  run(input: string): void | Promise<void>;
}
export type FuzzTarget = BytesTarget | TextTarget;

/**
 * Runs every f (so one input reaches all of them); an untyped exception escapes at once, and the
 * first SpnegoError is rethrown at the end so the driver can count its code.
 */
async function several(...fs: (() => unknown)[]): Promise<void> {
  let first: SpnegoError | undefined;
  for (const f of fs) {
    try {
      await f();
    } catch (e) {
      if (!(e instanceof SpnegoError)) throw e;
      first ??= e;
    }
  }
  if (first) throw first;
}

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
function dedupe(list: Uint8Array[]): Uint8Array[] {
  const seen = new Set<string>();
  return list.filter((b) => b.length > 0 && !seen.has(hex(b)) && (seen.add(hex(b)), true));
}

// ---------------------------------------------------------------- seeds

interface Capture { name: string; direction: string; header: string; base64: string; kind: string }
const CAPTURES = readJson<{ tokens: Capture[] }>('test/vectors/lab-captures.json').tokens.map((t) => ({ ...t, bytes: fromBase64(t.base64) }));
const fromInitiator = CAPTURES.filter((c) => c.direction === 'initiator->acceptor').map((c) => c.bytes);
const fromAcceptor = CAPTURES.filter((c) => c.direction === 'acceptor->initiator').map((c) => c.bytes);
const allCaptured = CAPTURES.map((c) => c.bytes);

/** Every DER element (at any depth, also inside OCTET STRINGs that hold DER) of the given tokens. */
function derElements(tokens: readonly Uint8Array[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  const ctx = () => new DerContext({ ...DEFAULT_LIMITS, maxElements: 1_000_000 });
  const walk = (bytes: Uint8Array, depth: number): void => {
    if (depth > 24) return;
    try {
      const c = ctx();
      let pos = 0;
      while (pos < bytes.length) {
        const t = readTlv(bytes, pos, bytes.length, c);
        visit(t, c, depth);
        pos = t.end;
      }
    } catch {
      // not DER: fine, a seed pool is best effort
    }
  };
  const visit = (t: Tlv, c: DerContext, depth: number): void => {
    out.push(tlvBytes(t).slice());
    if (t.constructed) for (const ch of readChildren(t, c)) visit(ch, c, depth + 1);
    else if (t.end - t.valueStart > 1) walk(t.input.subarray(t.valueStart, t.end), depth + 1);
  };
  for (const b of tokens) walk(b, 0);
  return dedupe(out);
}

/** NTLMSSP messages found anywhere inside the captures (raw, or inside SPNEGO). */
function ntlmMessages(tokens: readonly Uint8Array[]): Uint8Array[] {
  const sig = Buffer.from('NTLMSSP\0', 'latin1');
  const out: Uint8Array[] = [];
  for (const t of tokens) {
    const at = Buffer.from(t.buffer, t.byteOffset, t.byteLength).indexOf(sig);
    if (at >= 0) out.push(t.slice(at));
  }
  // Inside SPNEGO the NTLM message is the rest of an OCTET STRING: cut it exactly where possible.
  for (const e of derElements(tokens)) if (e.length > 8 && e[0] === 0x04) {
    const v = e.subarray(e.length - (e.length - 2));
    const at = Buffer.from(v).indexOf(sig);
    if (at >= 0 && at < 4) out.push(v.slice(at));
  }
  return dedupe(out);
}

const KDC_MESSAGES_NAMED = readJson<{ messages: { name: string; hex: string }[] }>('test/vectors/krb5-kdc-messages.json').messages;
const mitKdc = (name: string): Uint8Array => fromHex(KDC_MESSAGES_NAMED.find((m) => m.name === name)!.hex);
const KRB5_MESSAGES = readJson<{ messages: { base64: string }[] }>('test/vectors/krb5-messages.json').messages.map((m) => fromBase64(m.base64));
const KDC_MESSAGES = readJson<{ messages: { hex: string }[] }>('test/vectors/krb5-kdc-messages.json').messages.map((m) => fromHex(m.hex));
const PAC_VECTORS = readJson<{ vectors: { pac: string; encTicketPart?: string }[] }>('test/vectors/ms-pac.json').vectors;
const PACS = PAC_VECTORS.map((v) => fromHex(v.pac));
const ENC_TICKET_PARTS = PAC_VECTORS.flatMap((v) => (v.encTicketPart ? [fromHex(v.encTicketPart)] : []));
const FILES = readJson<Record<'ccache' | 'keytab' | 'keytabHole', { hex: string }>>('test/vectors/krb5-files/mit-1.20.json');
const NLMP = readJson<{ messages: { hex: string }[]; ntlmv2: { NtChallengeResponse_hex: string; AV_pairs_hex: string } }>('test/vectors/ms-nlmp-messages.json');

const DER_POOL = derElements([...allCaptured, ...KRB5_MESSAGES, ...KDC_MESSAGES, ...ENC_TICKET_PARTS]);
const NTLM_SEEDS = dedupe([...ntlmMessages(allCaptured), ...NLMP.messages.map((m) => fromHex(m.hex))]);

// ---------------------------------------------------------------- in-process peers (valid, deep seeds)

const FIXED_NOW = new Date('2026-01-01T00:00:00Z');
const USERS = { 'EXAMPLE\\alice': 'Alice-Pass-1' };
const store = new MemoryNtHashStore(USERS);
const fixedRandom = (n: number): Uint8Array => new Uint8Array(n).fill(0x5a);
const ntlmAcceptorOptions: NtlmAcceptorOptions = { store, netbiosDomain: 'EXAMPLE', netbiosComputer: 'WEB', dnsDomain: 'example.test', random: fixedRandom, now: () => FIXED_NOW };
const ntlmInitiatorOptions = { credential: { username: 'EXAMPLE\\alice', password: 'Alice-Pass-1' }, target: 'HTTP/web.example.test', random: fixedRandom, now: () => FIXED_NOW };

/** A raw NTLM NEGOTIATE and the AUTHENTICATE that completes against an acceptor with the fixed challenge. */
async function ntlmExchange(): Promise<{ negotiate: Uint8Array; authenticate: Uint8Array; acceptor: NtlmAcceptor; wrap: Uint8Array[]; mic: Uint8Array[] }> {
  const i = new NtlmInitiator(ntlmInitiatorOptions);
  const a = new NtlmAcceptor(ntlmAcceptorOptions);
  const negotiate = (await i.step())!;
  const authenticate = (await i.step((await a.step(negotiate))!))!;
  await a.step(authenticate);
  if (!a.complete) throw new Error('fuzz setup: the NTLM exchange did not complete');
  const msg = new TextEncoder().encode('hello, fuzz');
  // Sealed, signed-only and a MIC, from the initiator's side of the established context.
  const wrap = [i.wrap(msg), i.wrap(msg, { encrypt: false }), i.wrap(new Uint8Array(0))];
  const mic = [i.getMic(msg)];
  return { negotiate, authenticate, acceptor: a, wrap, mic };
}

/** SPNEGO/NTLM: the initiator's first token and its second, valid against an acceptor with the fixed challenge. */
async function spnegoNtlmExchange(): Promise<{ first: Uint8Array; second: Uint8Array }> {
  const i = new SpnegoInitiator({ mechs: [ntlmInitiatorMech(ntlmInitiatorOptions)] });
  const a = new SpnegoAcceptor({ mechs: [ntlmAcceptorMech(ntlmAcceptorOptions)] });
  const first = (await i.step())!;
  const second = (await i.step((await a.step(first))!))!;
  const last = await a.step(second);
  if (last) await i.step(last);
  if (!a.complete) throw new Error('fuzz setup: the SPNEGO/NTLM exchange did not complete');
  return { first, second };
}

const TICKET = issueTicket(18, { service: 'HTTP/web.example.test@EXAMPLE.TEST' });
/** The acceptors' clock stays at the setup time, so seeded AP-REQs stay fresh through hours of fuzzing. */
const SETUP_TIME = new Date();
const krb5Now = (): Date => SETUP_TIME;

async function krb5Exchange(): Promise<{ apReq: Uint8Array; spnegoInit: Uint8Array; wrap: Uint8Array[]; mic: Uint8Array[]; acceptor: Krb5Acceptor; spnegoReplies: Uint8Array[] }> {
  const i = new Krb5Initiator({ credential: TICKET.cred, mutual: true });
  const apReq = (await i.step())!;
  const a = new Krb5Acceptor({ keys: TICKET.keys, replayCache: new MemoryReplayCache(), now: krb5Now });
  const apRep = await a.step(apReq);
  if (apRep) await i.step(apRep);
  if (!a.complete || !i.complete) throw new Error('fuzz setup: the Kerberos exchange did not complete');
  const msg = new TextEncoder().encode('hello, fuzz');
  const wrap = [i.wrap(msg, { encrypt: true }), i.wrap(msg, { encrypt: false }), i.wrap(new Uint8Array(0), { encrypt: true })];
  const mic = [i.getMic(msg), i.getMic(new Uint8Array(0))];
  const si = new SpnegoInitiator({ mechs: [krb5InitiatorMech({ credential: TICKET.cred }), ntlmInitiatorMech(ntlmInitiatorOptions)] });
  const spnegoInit = (await si.step())!;
  const sa = new SpnegoAcceptor({ mechs: [krb5AcceptorMech({ keys: TICKET.keys, replayCache: new MemoryReplayCache(), now: krb5Now })] });
  const reply = await sa.step(spnegoInit);
  return { apReq, spnegoInit, wrap, mic, acceptor: a, spnegoReplies: reply ? [reply] : [] };
}

// The client side of the KDC exchanges and delegation: replies recorded from the lab KDC
// (test/vectors/lab-kdc-client.json), replayed with the same nonce and the user's keys from its
// password (kdc-seeds.ts), so the seeds complete and mutations reach decryption, the nonce and
// name checks and the granted key. Each target then uses what it got, as the initiator would.
const KDC = await loadKdcSeeds();
const KDC0 = KDC[0]!;
const kdcCommon = { enctypes: KDC_ENCTYPES, random: kdcRandom, now: KDC0.now };
const ZERO_CONFOUNDER = new Uint8Array(16); // deterministic ciphertexts, so a finding replays
const AS_REP0 = krb5.asRepCodec.decode(KDC0.asRep);
const TGS_REP0 = krb5.tgsRepCodec.decode(KDC0.tgsRep);
const AS_KEY0 = KDC0.keys.find((k) => k.enctype === AS_REP0.encPart.etype)!;
const DELEG_KEY0 = KDC0.service.sessionKey;
/** The seed exchange whose key has this enctype (a mutated etype falls back to the first). */
const kdcSeedFor = (etype: number | undefined) => KDC.find((x) => x.tgt.sessionKey.enctype === etype) ?? KDC0;
const etypeOf = (decode: (b: Uint8Array) => { encPart: { etype: number } }, b: Uint8Array): number | undefined => {
  try {
    return decode(b).encPart.etype;
  } catch {
    return undefined;
  }
};
/** Uses a credential as the initiator does: an AP-REQ with its ticket and session key. */
async function useCredentials(creds: readonly Credential[]): Promise<void> {
  for (const credential of creds.slice(0, 2)) await new Krb5Initiator({ credential, now: KDC0.now, random: kdcRandom }).step();
}
const encKrbCredParts = KDC.map((x) => {
  const c = krb5.krbCredCodec.decode(makeKrbCred(x.forwarded, x.service.sessionKey));
  return getProfile(x.service.sessionKey.enctype).decrypt(x.service.sessionKey, KeyUsage.KRB_CRED_ENCPART, c.encPart.cipher);
});
const KRB_CRED_SEEDS = [
  ...KDC.map((x) => makeKrbCred(x.forwarded, x.service.sessionKey)),
  // enc-part etype 0 (unencrypted, as some Heimdal builds send): the plaintext is read directly
  krb5.krbCredCodec.encode({ pvno: 5, msgType: 22, tickets: [KDC0.forwarded.ticket], encPart: { etype: 0, cipher: encKrbCredParts[0]! } }),
];

const NTLM = await ntlmExchange();
const SPNEGO_NTLM = await spnegoNtlmExchange();
const KRB5 = await krb5Exchange();
const krb5Msg = new TextEncoder().encode('hello, fuzz');

// ---------------------------------------------------------------- targets

const bytes = (name: string, covers: string, seeds: Uint8Array[], run: (b: Uint8Array) => void | Promise<void>, shortRuns?: number): BytesTarget => ({
  name, kind: 'bytes', covers, seeds: dedupe(seeds), run, ...(shortRuns !== undefined ? { shortRuns } : {}),
});
/** The KDC-reply and delegation targets run 3,000-13,000 inputs/s: 500 each keeps npm test's short run near 5 s. */
const KDC_SHORT_RUNS = 500;
const text = (name: string, covers: string, seeds: string[], run: (s: string) => void | Promise<void>): TextTarget => ({
  name, kind: 'text', covers, seeds, run,
});
const decoder = (name: string, covers: string, seeds: Uint8Array[], decode: (b: Uint8Array) => unknown): BytesTarget =>
  bytes(name, covers, seeds, (b) => void decode(b));

/** Seeds for one DER codec: the pool elements it decodes (all of the pool when it decodes none). */
function seedsFor(decode: (b: Uint8Array) => unknown, extra: Uint8Array[] = []): Uint8Array[] {
  const ok = DER_POOL.filter((b) => {
    try {
      decode(b);
      return true;
    } catch {
      return false;
    }
  });
  return [...extra, ...(ok.length > 0 ? ok : DER_POOL)];
}

const DER_PRIMITIVES: [string, DerType<unknown>][] = [
  ['INTEGER', INTEGER], ['ENUMERATED', ENUMERATED], ['BOOLEAN', BOOLEAN], ['NULL', NULL], ['OCTET STRING', OCTET_STRING], ['BIT STRING', BIT_STRING],
  ['OBJECT IDENTIFIER', OBJECT_IDENTIFIER], ['GeneralString', GeneralString], ['UTF8String', UTF8String], ['IA5String', IA5String], ['KerberosTime', KerberosTime],
];

function derTree(b: Uint8Array): void {
  const ctx = new DerContext(DEFAULT_LIMITS);
  const visit = (t: Tlv): void => {
    if (t.constructed) for (const c of readChildren(t, ctx)) visit(c);
  };
  let pos = 0;
  while (pos < b.length) {
    const t = readTlv(b, pos, b.length, ctx);
    visit(t);
    pos = t.end;
  }
}

/** Every `xxxCodec` exported by src/codec/krb5 (RFC 4120 messages, their parts, the RFC 4121 token). */
const KRB5_CODECS = (Object.entries(krb5) as [string, unknown][])
  .filter((e): e is [string, { decode: (b: Uint8Array) => unknown }] => e[0].endsWith('Codec') && typeof (e[1] as { decode?: unknown }).decode === 'function')
  .sort(([a], [b]) => a.localeCompare(b));

const pacParts = (type: number): Uint8Array[] => PACS.flatMap((p) => {
  try {
    const d = pacBuffer(pacTypeCodec.decode(p), type)?.data;
    return d ? [d] : [];
  } catch {
    return [];
  }
});

/** SecurityContext whose step() records any untyped exception (the authenticator turns those into a 401). */
function watched(ctx: SecurityContext, escaped: unknown[]): SecurityContext {
  return new Proxy(ctx, {
    get(t, p) {
      if (p === 'step') {
        return async (input?: Uint8Array) => {
          try {
            return await t.step(input);
          } catch (e) {
            if (!(e instanceof SpnegoError)) escaped.push(e);
            throw e;
          }
        };
      }
      const v: unknown = Reflect.get(t, p, t);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
    },
  });
}

const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');
const HTTP_SEEDS = [
  ...CAPTURES.filter((c) => c.header === 'Authorization' || c.header === 'Proxy-Authorization').map((c) => `Negotiate ${c.base64}`),
  `Negotiate ${b64(SPNEGO_NTLM.first)}\nNegotiate ${b64(SPNEGO_NTLM.second)}`,
  `NTLM ${b64(NTLM.negotiate)}\nNTLM ${b64(NTLM.authenticate)}`,
  `Negotiate ${b64(KRB5.spnegoInit)}`,
  `Negotiate ${b64(KRB5.apReq)}`,
  'Basic YWxpY2U6QWxpY2UtUGFzcy0x',
];
const CHALLENGE_SEEDS = [
  ...CAPTURES.filter((c) => c.header === 'WWW-Authenticate').map((c) => `Negotiate ${c.base64}`),
  'Negotiate', 'NTLM, Negotiate, Basic realm="intranet", Digest realm="x", nonce="abc", qop="auth,auth-int"',
  `Negotiate ${CAPTURES[1]!.base64}, Basic realm="a\\"b"`,
];
const INSPECT_SEEDS = [
  ...CAPTURES.filter((c) => c.header !== 'None').map((c) => `${c.header}: Negotiate ${c.base64}`),
  ...CAPTURES.filter((c) => c.header === 'None').map((c) => c.base64),
  `< WWW-Authenticate: Negotiate ${CAPTURES[1]!.base64}\n> Authorization: NTLM ${b64(NTLM.negotiate)}`,
  hex(CAPTURES[4]!.bytes),
];
const KRB5_CONF_SEEDS = [
  `[libdefaults]\n  default_realm = EXAMPLE.TEST\n  dns_lookup_kdc = false\n  ticket_lifetime = 10h 30m\n  clockskew = 300\n  default_tkt_enctypes = aes256-cts-hmac-sha1-96 aes128-cts +des -rc4-hmac\n  forwardable = true\n\n` +
    `[realms]\n  EXAMPLE.TEST = {\n    kdc = kdc.example.test:88\n    kdc = [2001:db8::1]:750\n    admin_server = tcp/kdc.example.test\n    auth_to_local = RULE:[1:$1@$0](.*@EXAMPLE\\.TEST)s/@.*//\n  }\n\n` +
    `[domain_realm]\n  .example.test = EXAMPLE.TEST\n  example.test = EXAMPLE.TEST\n[capaths]\n  A.TEST = {\n    B.TEST = .\n  }\n# comment\n; other comment\n[appdefaults]\n  pam = {\n    debug = false\n  }*\n`,
  'include /nonexistent\nincludedir /nonexistent.d\n[libdefaults]\n default_realm=A\n',
];

export const TARGETS: readonly FuzzTarget[] = [
  // --- DER layer
  decoder('der:tlv-tree', 'src/der tlv.ts: readTlv/readChildren over a whole (nested) DER tree, with the default limits', DER_POOL, derTree),
  decoder('der:primitives', 'src/der primitives.ts: every universal primitive type (INTEGER ... KerberosTime) via decodeDer', DER_POOL.filter((b) => (b[0]! & 0xe0) === 0), (b) => {
    let first: unknown;
    for (const [, t] of DER_PRIMITIVES) {
      try {
        decodeDer(t, b);
      } catch (e) {
        if (!(e instanceof SpnegoError)) throw e;
        first ??= e;
      }
    }
    if (first) throw first;
  }),
  // --- GSS / SPNEGO
  decoder('gss:initial-context-token', 'src/codec/gss/initial-context-token.ts: the RFC 2743 3.1 framing', allCaptured, (b) => InitialContextToken.decode(b)),
  decoder('spnego:token', 'src/codec/spnego/spnego-token.ts decodeSpnegoToken: framed NegTokenInit/Init2 and NegTokenResp', allCaptured, (b) => decodeSpnegoToken(b)),
  decoder('spnego:negotiation-token', 'src/codec/spnego NegotiationToken (the unframed CHOICE)', seedsFor((b) => NegotiationToken.decode(b)), (b) => NegotiationToken.decode(b)),
  decoder('spnego:mech-type-list', 'src/codec/spnego MechTypeList', seedsFor((b) => MechTypeList.decode(b)), (b) => MechTypeList.decode(b)),
  // --- NTLM
  decoder('ntlm:message', 'src/codec/ntlm/message.ts decodeNtlmMessage: NEGOTIATE, CHALLENGE, AUTHENTICATE', [...NTLM_SEEDS, NTLM.negotiate, NTLM.authenticate], (b) => decodeNtlmMessage(b)),
  decoder('ntlm:av-pairs', 'src/codec/ntlm/av-pairs.ts', [fromHex(NLMP.ntlmv2.AV_pairs_hex)], (b) => avPairsCodec.decode(b)),
  decoder('ntlm:ntlmv2-response', 'src/codec/ntlm/ntlmv2-response.ts', [fromHex(NLMP.ntlmv2.NtChallengeResponse_hex)], (b) => ntlmv2ResponseCodec.decode(b)),
  decoder('ntlm:version', 'src/codec/ntlm/version.ts', [fromHex('0a00614a0000000f')], (b) => versionCodec.decode(b)),
  // --- Kerberos: one target per codec of src/codec/krb5
  ...KRB5_CODECS.map(([name, codec]) => {
    const extra = name === 'encTicketPartCodec' ? ENC_TICKET_PARTS : name === 'gssKrb5TokenCodec' ? [...KRB5.wrap, ...KRB5.mic] : [];
    return decoder(`krb5:${name.replace(/Codec$/, '')}`, `src/codec/krb5 ${name}`, seedsFor((b) => codec.decode(b), extra), (b) => codec.decode(b));
  }),
  // --- MIT files and krb5.conf
  decoder('krb5-files:ccache', 'src/codec/krb5-files/ccache.ts (FILE: credential cache v3/v4)', [fromHex(FILES.ccache.hex)], (b) => ccacheCodec.decode(b)),
  decoder('krb5-files:keytab', 'src/codec/krb5-files/keytab.ts (v1/v2, with holes)', [fromHex(FILES.keytab.hex), fromHex(FILES.keytabHole.hex)], (b) => keytabCodec.decode(b)),
  text('krb5-conf:parse', 'src/mech/krb5/config parseKrb5Config (profile syntax, includes off) and the value parsers', KRB5_CONF_SEEDS, (s) => {
    const line = s.slice(0, 200);
    return several(() => parseKrb5Config([s], { includes: false }), () => parseDuration(line), () => parseEnctypeList(line), () => parseKdcEndpoint(line));
  }),
  // --- PAC
  decoder('pac:pactype', 'src/codec/pac/pactype.ts (PACTYPE and its buffer table)', PACS, (b) => pacTypeCodec.decode(b)),
  decoder('pac:decode-pac', 'src/mech/krb5/pac.ts decodePac (every buffer the acceptor reads)', PACS, (b) => decodePac(b)),
  decoder('pac:logon-info', 'src/codec/pac/logon-info.ts decodeKerbValidationInfo (NDR)', pacParts(PacBufferType.LOGON_INFO), (b) => decodeKerbValidationInfo(b)),
  decoder('pac:client-info', 'src/codec/pac/client-info.ts', pacParts(PacBufferType.CLIENT_INFO), (b) => pacClientInfoCodec.decode(b)),
  decoder('pac:signature-data', 'src/codec/pac/signature-data.ts', [...pacParts(PacBufferType.SERVER_CHECKSUM), ...pacParts(PacBufferType.PRIVSVR_CHECKSUM)], (b) => pacSignatureDataCodec.decode(b)),
  decoder('pac:upn-dns-info', 'src/codec/pac/upn-dns-info.ts', pacParts(PacBufferType.UPN_DNS_INFO), (b) => upnDnsInfoCodec.decode(b)),
  decoder('pac:sid', 'src/codec/pac/sid.ts decodeSid', [fromHex('010400000000000515000000a1b2c3d4e5f60718293a4b5c')], (b) => decodeSid(b)),
  // --- HTTP and inspect
  text('http:parse-authenticate', 'src/http/challenge.ts parseAuthenticate (WWW-Authenticate values, comma separated)', CHALLENGE_SEEDS, (s) => void parseAuthenticate(s.split('\n'))),
  text('inspect:text', 'src/inspect inspectInput on pasted text (headers, curl -v lines, base64, hex)', INSPECT_SEEDS, (s) => void inspectInput({ text: s })),
  decoder('inspect:bytes', 'src/inspect inspectInput on raw bytes (token detection and every inspector)', [...allCaptured, ...NTLM_SEEDS, ...KDC_MESSAGES, ...KRB5_MESSAGES], (b) => inspectInput({ bytes: b })),
  // --- state machines
  bytes('spnego-acceptor:first-token', 'src/spnego/acceptor.ts SpnegoAcceptor.step on the first token (krb5 + NTLM mechs; raw krb5/NTLM too)',
    [KRB5.spnegoInit, ...fromInitiator, SPNEGO_NTLM.first, KRB5.apReq, NTLM.negotiate],
    async (b) => void (await new SpnegoAcceptor({ mechs: [krb5AcceptorMech({ keys: TICKET.keys, replayCache: new MemoryReplayCache(), now: krb5Now }), ntlmAcceptorMech(ntlmAcceptorOptions)] }).step(b))),
  bytes('spnego-acceptor:second-token', 'SpnegoAcceptor.step on the token after a valid SPNEGO/NTLM NEGOTIATE (the AUTHENTICATE leg)',
    [SPNEGO_NTLM.second, ...fromInitiator.filter((b) => b[0] === 0xa1)],
    async (b) => {
      const a = new SpnegoAcceptor({ mechs: [ntlmAcceptorMech(ntlmAcceptorOptions)] });
      await a.step(SPNEGO_NTLM.first);
      await a.step(b);
    }),
  bytes('spnego-initiator:reply', 'src/spnego/initiator.ts SpnegoInitiator.step on the acceptor reply (krb5 AP-REP / NTLM CHALLENGE / MIC legs)',
    [...fromAcceptor, ...KRB5.spnegoReplies],
    async (b) => {
      const i = new SpnegoInitiator({ mechs: [krb5InitiatorMech({ credential: TICKET.cred }), ntlmInitiatorMech(ntlmInitiatorOptions)] });
      await i.step();
      await i.step(b);
    }),
  bytes('ntlm-acceptor:negotiate', 'src/mech/ntlm/acceptor.ts NtlmAcceptor.step on the first token', [...NTLM_SEEDS.filter((b) => b[8] === 1), NTLM.negotiate],
    async (b) => void (await new NtlmAcceptor(ntlmAcceptorOptions).step(b))),
  bytes('ntlm-acceptor:authenticate', 'NtlmAcceptor.step on the AUTHENTICATE after a valid NEGOTIATE (fixed challenge: the seed completes)',
    [NTLM.authenticate, ...NTLM_SEEDS.filter((b) => b[8] === 3)],
    async (b) => {
      const a = new NtlmAcceptor(ntlmAcceptorOptions);
      await a.step(NTLM.negotiate);
      await a.step(b);
    }),
  bytes('krb5-acceptor:ap-req', 'src/mech/krb5/gss-acceptor.ts Krb5Acceptor.step (AP-REQ with a ticket for our key: decrypt, authenticator, checksum, AP-REP)',
    [KRB5.apReq, ...fromInitiator.filter((b) => b[0] === 0x60 && b.length > 12 && b[4] === 0x06 && b[5] === 0x09)],
    async (b) => void (await new Krb5Acceptor({ keys: TICKET.keys, replayCache: new MemoryReplayCache(), now: krb5Now }).step(b))),
  bytes('krb5-acceptor:unwrap', 'Krb5Acceptor.unwrap/verifyMic on an established context (RFC 4121 wrap and MIC tokens)', [...KRB5.wrap, ...KRB5.mic], (b) =>
    several(() => KRB5.acceptor.unwrap(b), () => KRB5.acceptor.verifyMic(krb5Msg, b))),
  bytes('ntlm-acceptor:unwrap', 'NtlmAcceptor.unwrap/verifyMic on an established context (MS-NLMP 3.4 sealed and signed messages)', [...NTLM.wrap, ...NTLM.mic], (b) =>
    several(() => NTLM.acceptor.unwrap(b), () => NTLM.acceptor.verifyMic(krb5Msg, b))),
  // --- Kerberos client: KDC replies and delegation (seeds: our lab exchanges, kdc-seeds.ts)
  bytes('krb5-client:as-rep', 'src/mech/krb5/as.ts asExchange on a KDC reply (AS-REP, or a KRB-ERROR then the recorded AS-REP): etype and key choice, decryption, nonce, names, the granted key in use',
    [...KDC.map((x) => x.asRep), mitKdc('mit-as-rep'), mitKdc('mit-krb-error-preauth-required')],
    async (b) => {
      const kdc = b[0] === 0x7e ? replaying(b, KDC0.asRep) : replaying(b);
      await useCredentials([await asExchange({ client: KDC_CLIENT, keys: KDC0.keys, kdc, forwardable: true, ...kdcCommon })]);
    }, KDC_SHORT_RUNS),
  bytes('krb5-client:enc-as-rep-part', 'asExchange on the decrypted EncASRepPart (the input, encrypted with the user key into the recorded AS-REP): decode, nonce, names, the granted key in use',
    [...KDC.map((x) => x.encAsRepPart), mitKdc('mit-enc-as-rep-part')],
    async (p) => {
      const rep = krb5.asRepCodec.encode({ ...AS_REP0, encPart: { ...AS_REP0.encPart, cipher: getProfile(AS_KEY0.enctype).encrypt(AS_KEY0, KeyUsage.AS_REP_ENCPART, p, ZERO_CONFOUNDER) } });
      await useCredentials([await asExchange({ client: KDC_CLIENT, keys: KDC0.keys, kdc: replaying(rep), forwardable: true, ...kdcCommon })]);
    }, KDC_SHORT_RUNS),
  bytes('krb5-client:tgs-rep', 'src/mech/krb5/tgs.ts tgsExchange on a KDC reply (TGS-REP or KRB-ERROR) to a request with the recorded TGT: decryption, nonce, referrals, the granted key in use',
    [...KDC.flatMap((x) => [x.tgsRep, x.tgsRepForwarded]), mitKdc('mit-tgs-rep')],
    async (b) => {
      const tgt = kdcSeedFor(etypeOf((x) => krb5.tgsRepCodec.decode(x), b)).tgt;
      await useCredentials([await tgsExchange({ tgt, server: KDC_SERVICE, kdc: replaying(b), ...kdcCommon })]);
    }, KDC_SHORT_RUNS),
  bytes('krb5-client:enc-tgs-rep-part', 'tgsExchange on the decrypted EncTGSRepPart (the input, encrypted with the TGT session key into the recorded TGS-REP): decode, nonce, names, referrals, the granted key in use',
    [...KDC.flatMap((x) => [x.encTgsRepPart, x.encTgsRepPartForwarded]), mitKdc('mit-enc-tgs-rep-part')],
    async (p) => {
      const key = KDC0.tgt.sessionKey;
      const rep = krb5.tgsRepCodec.encode({ ...TGS_REP0, encPart: { ...TGS_REP0.encPart, cipher: getProfile(key.enctype).encrypt(key, KeyUsage.TGS_REP_ENCPART_SESSKEY, p, ZERO_CONFOUNDER) } });
      await useCredentials([await tgsExchange({ tgt: KDC0.tgt, server: KDC_SERVICE, kdc: replaying(rep), ...kdcCommon })]);
    }, KDC_SHORT_RUNS),
  bytes('krb5-delegation:krb-cred', 'src/mech/krb5/delegation.ts readKrbCred on a KRB-CRED (encrypted with the service session key, or etype 0), then the delegated TGT in use',
    KRB_CRED_SEEDS,
    async (b) => {
      const key = kdcSeedFor(etypeOf((x) => krb5.krbCredCodec.decode(x), b)).service.sessionKey;
      await useCredentials(readKrbCred(b, key));
    }, KDC_SHORT_RUNS),
  bytes('krb5-delegation:enc-krb-cred-part', 'readKrbCred on the decrypted EncKrbCredPart (the input, encrypted with the session key into a KRB-CRED with the forwarded TGT), then the delegated TGT in use',
    encKrbCredParts,
    async (p) => {
      const cred = krb5.krbCredCodec.encode({ pvno: 5, msgType: 22, tickets: [KDC0.forwarded.ticket], encPart: { etype: DELEG_KEY0.enctype, cipher: getProfile(DELEG_KEY0.enctype).encrypt(DELEG_KEY0, KeyUsage.KRB_CRED_ENCPART, p, ZERO_CONFOUNDER) } });
      await useCredentials(readKrbCred(cred, DELEG_KEY0));
    }, KDC_SHORT_RUNS),
  text('http:authenticator', 'src/http/server/authenticator.ts createNegotiateAuthenticator().authenticate: one Authorization value per line, one connection',
    HTTP_SEEDS,
    async (s) => {
      const escaped: unknown[] = [];
      const auth = createNegotiateAuthenticator({
        createContext: () => watched(gssAcceptor({ credential: { ntlmUsers: USERS, keytab: TICKET.keys }, ntlm: { netbiosDomain: 'EXAMPLE', netbiosComputer: 'WEB' } }), escaped),
        ntlmScheme: true,
        basic: { verify: () => Promise.resolve(false) },
      });
      const socket = {};
      for (const line of s.split('\n').slice(0, 4)) {
        const r = await auth.authenticate({ headers: { authorization: line }, socket });
        if (escaped.length > 0) throw escaped[0];
        if (typeof r.status !== 'number') throw new Error('authenticate gave no status');
      }
    }),
];

export function targetNamed(name: string): FuzzTarget | undefined {
  return TARGETS.find((t) => t.name === name);
}
