// Captures the KDC-reply fuzz seeds (test/vectors/lab-kdc-client.json) from the lab's MIT KDC:
//   npm run build && LAB_STATE=/tmp/spnego-lab.XXXX node dist/test/fuzz/capture-kdc-seeds.js
// Our own client (asExchange, tgsExchange) runs against the KDC through a recording KdcSender
// (plain TCP, RFC 4120 7.2.2 length prefix), with a fixed `random` so the nonce is the same when
// the fuzz targets replay the replies (test/fuzz/targets.ts): the replies then decrypt with keys
// from the lab user's known password and pass the nonce check, so mutations start deep.
import { readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { asExchange } from '../../src/mech/krb5/as.js';
import { tgsExchange } from '../../src/mech/krb5/tgs.js';
import { parsePrincipal } from '../../src/mech/krb5/principal.js';
import { repoPath } from '../helpers/paths.js';

/** The fixed `random` of the capture and of the replay: nonce 0x11111111. */
export const SEED_RANDOM_BYTE = 0x11;

function tcpSend(host: string, port: number, request: Uint8Array): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const s = connect({ host, port });
    const chunks: Buffer[] = [];
    s.setTimeout(5000, () => s.destroy(new Error('KDC timeout')));
    s.on('connect', () => {
      const len = Buffer.alloc(4);
      len.writeUInt32BE(request.length);
      s.write(Buffer.concat([len, request]));
    });
    s.on('data', (d) => {
      chunks.push(d);
      const all = Buffer.concat(chunks);
      if (all.length >= 4 && all.length >= 4 + all.readUInt32BE(0)) {
        s.end();
        resolve(new Uint8Array(all.subarray(4, 4 + all.readUInt32BE(0))));
      }
    });
    s.on('error', reject);
  });
}

interface Message { /** exchange:message kind */ name: string; direction: 'request' | 'reply'; hex: string }

async function main(): Promise<void> {
  const state = process.env.LAB_STATE;
  if (!state) throw new Error('set LAB_STATE to the lab folder (scripts/lab/up.sh prints it)');
  const lab = JSON.parse(readFileSync(join(state, 'lab.json'), 'utf8')) as {
    mit: { realm: string; kdc: { host: string; port: number }; users: { principal: string; password: string }[]; httpPrincipals: string[] };
  };
  const user = lab.mit.users[0]!;
  const client = parsePrincipal(user.principal);
  const service = parsePrincipal(lab.mit.httpPrincipals[0]!);
  const random = (n: number): Uint8Array => new Uint8Array(n).fill(SEED_RANDOM_BYTE);
  const exchanges = [];
  for (const enctype of [18, 20]) {
    const messages: Message[] = [];
    const KIND: Record<number, string> = { 0x6a: 'as-req', 0x6b: 'as-rep', 0x6c: 'tgs-req', 0x6d: 'tgs-rep', 0x7e: 'krb-error' };
    const kdc = (label: string) => ({
      send: async (_realm: string, request: Uint8Array): Promise<Uint8Array> => {
        messages.push({ name: `${label}:${KIND[request[0]!] ?? 'unknown'}`, direction: 'request', hex: Buffer.from(request).toString('hex') });
        const reply = await tcpSend(lab.mit.kdc.host, lab.mit.kdc.port, request);
        messages.push({ name: `${label}:${KIND[reply[0]!] ?? 'unknown'}`, direction: 'reply', hex: Buffer.from(reply).toString('hex') });
        return reply;
      },
    });
    const capturedAt = new Date();
    const tgt = await asExchange({ client, password: user.password, kdc: kdc('as'), enctypes: [enctype], forwardable: true, random });
    await tgsExchange({ tgt, server: service, kdc: kdc('tgs'), enctypes: [enctype], random });
    await tgsExchange({ tgt, server: tgt.server, kdc: kdc('tgs-forwarded'), enctypes: [enctype], forwarded: true, random });
    exchanges.push({ enctype, capturedAt: capturedAt.toISOString(), messages });
  }
  const out = {
    description:
      'KDC exchanges of our own client (src/mech/krb5/as.ts, tgs.ts) with the lab MIT KDC, recorded by test/fuzz/capture-kdc-seeds.ts for the krb5-client:* and ' +
      'krb5-delegation:* fuzz targets. Per enctype: the AS exchange for the user with its password (the lab user needs no pre-authentication: one AS-REQ ' +
      'and an AS-REP with a forwardable TGT and PA-ETYPE-INFO2), a TGS exchange for the HTTP service with that TGT, and one for a forwarded TGT (KDC option forwarded, ' +
      'as delegation asks). Every request was made with random bytes all 0x11 (nonce 0x11111111), so replaying the replies to a client with the same ' +
      '`random` passes the nonce checks; the AS-REP decrypts with a key from the password below (salt from its PA-ETYPE-INFO2), the TGS-REPs with the TGT session key.',
    source: `MIT krb5-kdc 1.20.1 (Debian 12) from scripts/lab/up.sh, realm ${lab.mit.realm}, KDC ${lab.mit.kdc.host}:${lab.mit.kdc.port} over TCP. Captured ${new Date().toISOString()}.`,
    client: user.principal,
    password: user.password,
    service: lab.mit.httpPrincipals[0],
    randomByte: SEED_RANDOM_BYTE,
    exchanges,
  };
  const file = repoPath('test', 'vectors', 'lab-kdc-client.json');
  writeFileSync(file, JSON.stringify(out, null, 2) + '\n');
  console.log(`wrote ${file}: ${exchanges.map((e) => `enctype ${e.enctype}: ${e.messages.length} messages`).join(', ')}`);
}

await main();
