// `spnego demo`: a live Negotiate exchange on loopback (issue 5 item 10). Starts the echo server
// of `spnego serve` on 127.0.0.1 (a free port) with an embedded demo user, then runs our
// createFetch() client against it (every leg on one keep-alive socket) and prints each
// authentication header line with its token decoded as `spnego inspect` renders it, then the JSON.
// Exit 0 only when the server authenticated the user and the client verified the server's final
// token (the mechListMIC).
import { parseArgs } from 'node:util';
import { SpnegoError } from '../errors.js';
import { createFetch, authInfo } from '../http/client/fetch.js';
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
  // The client: createFetch() (src/http/client), which pins every leg of a handshake to one
  // socket, verifies the server's final token and pools the authenticated connection.
  const fetch = createFetch({
    credential: { username: `${DEMO_DOMAIN}\\${DEMO_USER}`, password: DEMO_PASSWORD },
    spn: 'HTTP@localhost',
    requireMutualAuth: true,
    onAuthHeader: (e) => {
      out(e.direction === 'sent' ? `\n-> GET ${running.url}` : `<- ${e.status ?? ''}`);
      show(`${e.header}: ${e.value}`);
    },
  });
  try {
    out(`== spnego demo: a live Negotiate exchange (NTLM inside SPNEGO) with ${running.url}`);
    out(`   server: spnego serve, user ${DEMO_DOMAIN}\\${DEMO_USER}; client: createFetch({ credential, spn: 'HTTP@localhost' })`);
    out(`\n-> GET ${running.url} (no Authorization)`);
    const res = await fetch(running.url);
    const body = (await res.text()).trim();
    out(`\n== response: ${res.status}`);
    const info = authInfo(res)?.origin;
    if (res.status !== 200) throw new SpnegoError('UNAUTHORIZED', `the server refused: ${res.status} ${body}`);
    if (!info?.complete || !info.mutual) throw new SpnegoError('DEFECTIVE_TOKEN', 'the server answered 200 but its final token was not verified');
    out(`\n<- body ${body}`);
    const id = JSON.parse(body) as { principal?: string; mech?: string; mic?: { sent?: boolean; received?: boolean } };
    if (id.principal !== `${DEMO_DOMAIN}\\${DEMO_USER}`) throw new SpnegoError('FAILURE', `the server named ${String(id.principal)}`);
    out(`\n-> GET ${running.url} again (the pooled, authenticated keep-alive connection)`);
    const again = await fetch(running.url);
    const againBody = (await again.text()).trim();
    out(`<- ${again.status} ${againBody}${authInfo(again)?.reusedConnection ? ' (same connection, no new handshake)' : ''}`);
    out(
      `\ndemo ok: ${id.principal} authenticated with ${info.mech ?? id.mech} in ${info.scheme} (${info.legs} token legs); the server's final token verified` +
        (id.mic?.sent && id.mic.received ? ' (mechListMIC both ways)' : ''),
    );
    return 0;
  } finally {
    fetch.close();
    await running.close();
  }
}
