#!/usr/bin/env node
// The `spnego` command. Every failure ends with a one-line message and a non-zero exit,
// never a stack trace: SpnegoError prints its code, anything else is reported as internal.
import { SpnegoError } from '../errors.js';
import { runInspect } from './inspect.js';
import { runServe } from './serve.js';
import { runDemo } from './demo.js';
import { runFetch } from './fetch.js';
import { runKinit } from './kinit.js';
import { runKlist } from './klist.js';
import { runKdestroy } from './kdestroy.js';
import { readFileSync } from 'node:fs';

const USAGE = `usage: spnego <command> [options]

commands:
  fetch URL                           an HTTP request answering Negotiate/NTLM challenges,
                                      like curl --negotiate (Kerberos from the ticket cache,
                                      or -u user with a password)
  serve                               a protected echo server (--keytab, --ntlm-users)
  demo                                serve + fetch on loopback, printing the exchange
  kinit [principal]                   get a TGT (password, or -k keytab) into the ccache
  klist                               list the ccache (-k: a keytab), like MIT's klist
  kdestroy                            destroy the ccache
  inspect <token | header value | ->   decode a SPNEGO, Kerberos or NTLM token;
                                      --exchange explains a whole negotiation
  help                                this text
  version                             the package version

'spnego <command> --help' describes each command's options.
`;

export class UsageError extends Error {}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'inspect':
      return runInspect(rest);
    case 'serve': return runServe(rest);
    case 'demo': return runDemo(rest);
    case 'fetch':
      return runFetch(rest);
    case 'kinit':
      return runKinit(rest);
    case 'klist':
      return runKlist(rest);
    case 'kdestroy':
      return runKdestroy(rest);
    case 'version':
    case '--version':
      process.stdout.write(`spnego ${version()}\n`);
      return 0;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return cmd === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown command '${cmd}'`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof SpnegoError) {
      process.stderr.write(`spnego: ${e.code}: ${e.message}\n`);
      process.exitCode = 1;
    } else if (e instanceof UsageError || (e instanceof Error && (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS'))) {
      process.stderr.write(`spnego: ${e.message}\n${USAGE}`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`spnego: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 70;
    }
  },
);
