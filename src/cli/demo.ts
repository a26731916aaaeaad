// `spnego demo`: a live Negotiate exchange on loopback (issue 5 item 10). Starts the echo server
// of `spnego serve` on 127.0.0.1 (a free port) with an embedded demo user, then runs a client
// with the public initiator() over node:http, every leg on one keep-alive socket, and prints
// each header line with its token decoded as `spnego inspect` renders it, then the final JSON.
// Exit 0 only when the server authenticated the user and the client verified the server's final
// token (the mechListMIC).
import http from 'node:http';
import { parseArgs } from 'node:util';
import { SpnegoError } from '../errors.js';
import { initiator } from '../gss/context.js';
import { inspectInput, renderReport } from '../inspect/index.js';
import { startServe } from './serve.js';

/** Test credentials, embedded on purpose: the demo's server and client both live in this process. */
export const DEMO_DOMAIN = 'DEMO';
export const DEMO_USER = 'alice';
export const DEMO_PASSWORD = 'Demo-Pass-1';

const HELP = `usage: spnego demo [--quiet]

A live Negotiate demo: starts 'spnego serve' on 127.0.0.1 with an embedded test user
(${DEMO_DOMAIN}\\${DEMO_USER}), runs a client against it (NTLM inside SPNEGO, RFC 4559), and prints
every leg: the header line and its token decoded (as 'spnego inspect'), then the server's JSON.
Exit 0 only when authenticated and the server's final token verified.

  --quiet   print the header lines and the outcome only, not the decoded tokens
`;

interface Leg {
  status: number;
  wwwAuthenticate: string | undefined;
  body: string;
}

function request(url: string, agent: http.Agent, authorization?: string): Promise<Leg> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent, headers: authorization ? { Authorization: authorization } : {} }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        const w = res.headers['www-authenticate'];
        resolve({ status: res.statusCode ?? 0, wwwAuthenticate: Array.isArray(w) ? w.join(', ') : w, body });
      });
    });
    req.on('error', reject);
  });
}

function tokenOf(header: string | undefined): Uint8Array | undefined {
  const m = /^Negotiate\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  return m ? new Uint8Array(Buffer.from(m[1]!, 'base64')) : undefined;
}

export async function runDemo(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { quiet: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } } });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const out = (s = '') => process.stdout.write(`${s}\n`);
  const show = (line: string) => {
    out(line);
    if (!values.quiet && /^[\w-]+: \S+ [A-Za-z0-9+/=]+$/.test(line)) out(renderReport(inspectInput({ text: line })).replace(/^/gm, '    '));
  };

  const running = await startServe({
    host: '127.0.0.1',
    port: 0,
    credential: { ntlmUsers: { [`${DEMO_DOMAIN}\\${DEMO_USER}`]: DEMO_PASSWORD } },
    ntlm: { netbiosDomain: DEMO_DOMAIN, netbiosComputer: 'DEMOSERVER' },
    log: (l) => out(`  [server] ${l}`),
  });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 }); // every leg on one connection
  try {
    out(`== spnego demo: a live Negotiate exchange (NTLM inside SPNEGO) with ${running.url}`);
    out(`   server: spnego serve, user ${DEMO_DOMAIN}\\${DEMO_USER}; client: initiator({ mech: 'negotiate', target: 'HTTP@localhost' })`);
    const ctx = initiator({ mech: 'negotiate', target: 'HTTP@localhost', credential: { username: `${DEMO_DOMAIN}\\${DEMO_USER}`, password: DEMO_PASSWORD } });

    out(`\n-> GET ${running.url} (no Authorization)`);
    let leg = await request(running.url, agent);
    out(`<- ${leg.status}`);
    show(`WWW-Authenticate: ${leg.wwwAuthenticate ?? '(none)'}`);
    if (leg.status !== 401 || !/^Negotiate\b/i.test(leg.wwwAuthenticate ?? '')) throw new SpnegoError('FAILURE', `expected 401 with a Negotiate challenge, got ${leg.status}`);

    let token = await ctx.step();
    for (let n = 1; token; n++) {
      if (n > 6) throw new SpnegoError('FAILURE', 'too many legs');
      const authorization = `Negotiate ${Buffer.from(token).toString('base64')}`;
      out(`\n-> GET ${running.url} (leg ${n})`);
      show(`Authorization: ${authorization}`);
      leg = await request(running.url, agent, authorization);
      out(`<- ${leg.status}`);
      if (leg.wwwAuthenticate) show(`WWW-Authenticate: ${leg.wwwAuthenticate}`);
      const back = tokenOf(leg.wwwAuthenticate);
      if (leg.status === 200) {
        if (back) await ctx.step(back); // verifies the server's mechListMIC; throws BAD_MIC if wrong
        break;
      }
      if (leg.status !== 401 || !back) throw new SpnegoError('UNAUTHORIZED', `the server refused: ${leg.status} ${leg.body.trim()}`);
      token = await ctx.step(back);
    }
    if (leg.status !== 200) throw new SpnegoError('UNAUTHORIZED', `no 200 from the server (last status ${leg.status})`);
    if (!ctx.complete) throw new SpnegoError('DEFECTIVE_TOKEN', 'the server answered 200 but the client context is not complete (no final token verified)');
    out(`\n<- body ${leg.body.trim()}`);
    const id = JSON.parse(leg.body) as { principal?: string; mech?: string; mic?: { sent?: boolean; received?: boolean } };
    if (id.principal !== `${DEMO_DOMAIN}\\${DEMO_USER}`) throw new SpnegoError('FAILURE', `the server named ${String(id.principal)}`);
    const second = await request(running.url, agent);
    out(`\n-> GET ${running.url} again on the same keep-alive connection, no Authorization`);
    out(`<- ${second.status} ${second.body.trim()}`);
    out(
      `\ndemo ok: ${id.principal} authenticated with ${ctx.mech ?? id.mech} in Negotiate; the server's final token verified` +
        (id.mic?.sent && id.mic.received ? ' (mechListMIC both ways)' : ''),
    );
    return 0;
  } finally {
    agent.destroy();
    await running.close();
  }
}
