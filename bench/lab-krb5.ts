// Shared by the Kerberos benches (krb5.ts, addon.ts, startup.ts, memory.ts): find the lab, put
// alice's TGT and a service ticket for HTTP/localhost into a temporary FILE ccache (kinit + kvno,
// once: the handshake loops never reach the KDC), load both that ccache and the lab's HTTP keytab
// into memory, and run one handshake of ours (raw krb5, or SPNEGO over krb5) from them.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Krb5Initiator } from '../src/mech/krb5/gss-initiator.js';
import { Krb5Acceptor } from '../src/mech/krb5/gss-acceptor.js';
import type { ReplayCache } from '../src/mech/krb5/replay-cache.js';
import { readCcache, readKeytab, serviceKeysFromKeytab } from '../src/mech/krb5/ccache-store.js';
import { parsePrincipal, formatPrincipal, type Principal } from '../src/mech/krb5/principal.js';
import type { Credential, ServiceKey } from '../src/mech/krb5/credential.js';
import { SpnegoInitiator } from '../src/spnego/initiator.js';
import { SpnegoAcceptor } from '../src/spnego/acceptor.js';
import { krb5AcceptorMech, krb5InitiatorMech } from '../src/spnego/krb5.js';

export interface LabJson {
  stateDir: string;
  env: Record<string, string>;
  mit: { realm: string; krb5Conf: string; kdc: { host: string; port: number }; users: { name: string; principal: string; password: string }[]; httpKeytab: string };
  ntlm?: { domain: string; userFile: string; users: { name: string; password: string }[] };
}

const running = (d: string) => {
  try {
    return readFileSync(join(d, 'pids'), 'utf8').trim() !== '';
  } catch {
    return false;
  }
};

/**
 * The lab: `given` (a --lab argument), else LAB_STATE / LAB_STATE_DIR, else a /tmp/spnego-lab.*
 * with lab.json (a running one, by its pids file, first). Undefined when there is none.
 */
export function findLab(given?: string): LabJson | undefined {
  const env = process.env['LAB_STATE'] ?? process.env['LAB_STATE_DIR'];
  const dirs = given ? [given] : env ? [env] : readdirSync('/tmp').filter((d) => d.startsWith('spnego-lab.')).map((d) => join('/tmp', d)).filter((d) => existsSync(join(d, 'lab.json')));
  dirs.sort((a, b) => Number(running(b)) - Number(running(a)));
  for (const d of dirs) if (existsSync(join(d, 'lab.json'))) return JSON.parse(readFileSync(join(d, 'lab.json'), 'utf8')) as LabJson;
  return undefined;
}

export interface LabKrb5 {
  lab: LabJson;
  /** FILE:... ccache holding alice's TGT and the HTTP/localhost ticket. */
  ccacheName: string;
  /** KRB5_CONFIG, KRB5CCNAME (that ccache), KRB5_KTNAME (the lab's HTTP keytab): for MIT tools and libraries. */
  env: Record<string, string>;
  alice: { principal: string; password: string };
  http: Principal;
  ticket: Credential;
  tgt: Credential;
  keys: ServiceKey[];
}

/**
 * kinit alice + kvno HTTP/localhost into `ccacheFile` (a path in the caller's temporary
 * directory), then both read back with our readCcache / readKeytab. Throws with the tool's last
 * line of stderr when the lab does not answer.
 */
export function loadLabKrb5(lab: LabJson, ccacheFile: string): LabKrb5 {
  const PATH = process.env['PATH'] ?? '/usr/bin:/bin';
  const alice = lab.mit.users[0]!;
  const http = parsePrincipal(`HTTP/localhost@${lab.mit.realm}`);
  const ccacheName = `FILE:${ccacheFile}`;
  const env = { KRB5_CONFIG: lab.mit.krb5Conf, KRB5CCNAME: ccacheName, KRB5_KTNAME: lab.mit.httpKeytab };
  try {
    execFileSync('kinit', [alice.principal], { input: `${alice.password}\n`, env: { PATH, ...env }, stdio: ['pipe', 'ignore', 'pipe'], timeout: 10_000 });
    execFileSync('kvno', [formatPrincipal(http)], { env: { PATH, ...env }, stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 });
  } catch (e) {
    throw new Error(`lab at ${lab.stateDir} not usable (${((e as { stderr?: Buffer }).stderr?.toString() || String(e)).trim().split('\n').pop()})`);
  }
  const cc = readCcache(ccacheName);
  const ticket = cc.credentials.find((c) => formatPrincipal(c.server) === formatPrincipal(http));
  const tgt = cc.credentials.find((c) => c.server.name.nameString[0] === 'krbtgt');
  if (!ticket || !tgt) throw new Error(`lab at ${lab.stateDir}: kinit/kvno left no TGT or no service ticket in the ccache`);
  return { lab, ccacheName, env, alice, http, ticket, tgt, keys: serviceKeysFromKeytab(readKeytab(lab.mit.httpKeytab)) };
}

/** One raw Kerberos handshake (AP-REQ, AP-REP, mutual), initiator and acceptor in this process. */
export async function krb5Handshake(keys: readonly ServiceKey[], cred: Credential, replayCache?: ReplayCache, ticketCache = true): Promise<{ initiator: Krb5Initiator; acceptor: Krb5Acceptor }> {
  const ini = new Krb5Initiator({ credential: cred });
  const acc = new Krb5Acceptor({ keys, ...(replayCache ? { replayCache } : {}), ...(ticketCache ? {} : { ticketCache: false }) });
  const rep = await acc.step((await ini.step())!);
  await ini.step(rep);
  if (!ini.complete || !acc.complete) throw new Error('our krb5 handshake did not complete');
  return { initiator: ini, acceptor: acc };
}

/**
 * One SPNEGO(krb5) handshake (NegTokenInit with the AP-REQ, accept-completed with the AP-REP,
 * verified by the initiator), both ends in this process; returns the ends and the token count.
 */
export async function spnegoKrb5Handshake(keys: readonly ServiceKey[], cred: Credential, replayCache?: ReplayCache): Promise<{ initiator: SpnegoInitiator; acceptor: SpnegoAcceptor; legs: number }> {
  const i = new SpnegoInitiator({ mechs: [krb5InitiatorMech({ credential: cred })] });
  const a = new SpnegoAcceptor({ mechs: [krb5AcceptorMech({ keys, ...(replayCache ? { replayCache } : {}) })] });
  let tok = await i.step();
  let legs = 1;
  while (tok && legs < 6) {
    tok = legs % 2 === 1 ? await a.step(tok) : await i.step(tok);
    if (tok) legs++;
  }
  if (!i.complete || !a.complete) throw new Error('our SPNEGO/krb5 handshake did not complete');
  return { initiator: i, acceptor: a, legs };
}
