// `spnego inspect`: decode tokens from an argument or standard input.
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { SpnegoError } from '../errors.js';
import { inspectInput, renderReport, parseInput } from '../inspect/index.js';
import { explainExchange, renderExchange } from '../inspect/exchange.js';

const HELP = `usage: spnego inspect [--json] [--show-secrets] [--hex] [--raw] <token | header value | ->

Decodes a SPNEGO, Kerberos (AP-REQ, AP-REP, KRB-ERROR, ...) or NTLM token and prints its fields.
The input may be base64, a challenge or credentials value ('Negotiate <b64>', several challenges),
a whole header line ('WWW-Authenticate: Negotiate <b64>'), or '-' to read standard input
(e.g. 'curl -v ... 2>&1 | spnego inspect -', which picks out the authentication headers).

  --json           print the stable JSON tree (docs/inspect-json.md)
  --show-secrets   show values derived from keys or passwords (responses, MICs, ciphertexts);
                   by default only their lengths are shown
  --hex            the token is hex, not base64
  --raw            standard input holds the token's raw bytes
  --exchange       the input is a whole exchange (both directions, in order, e.g. curl -v
                   output): explain the negotiation: mechs offered, which was selected and why,
                   whether a mechListMIC was required and by which rule, and what went wrong.
                   Exit 0 only when the exchange completed without a problem.
  --ntlm-password P  with --exchange: the NTLM user's password (or SPNEGO_PASSWORD), to
                   re-derive the session key and verify both mechListMICs
`;

export async function runInspect(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      'show-secrets': { type: 'boolean', default: false },
      hex: { type: 'boolean', default: false },
      raw: { type: 'boolean', default: false },
      exchange: { type: 'boolean', default: false },
      'ntlm-password': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (positionals.length !== 1) {
    process.stderr.write(HELP);
    return 2;
  }
  const arg = positionals[0]!;
  if (values.exchange) {
    const text = arg === '-' ? readFileSync(0, 'utf8') : arg;
    const pw = values['ntlm-password'] ?? process.env['SPNEGO_PASSWORD'];
    const ex = explainExchange(parseInput(text, { hex: values.hex }), pw === undefined ? {} : { ntlmPassword: pw });
    process.stdout.write(values.json ? `${JSON.stringify(ex, null, 2)}\n` : `${renderExchange(ex)}\n`);
    return ex.outcome === 'complete' ? 0 : 1;
  }
  let report;
  if (arg === '-' && values.raw) {
    report = inspectInput({ bytes: new Uint8Array(readFileSync(0)) }, { showSecrets: values['show-secrets'] });
  } else {
    const text = arg === '-' ? readFileSync(0, 'utf8') : arg;
    report = inspectInput({ text, hex: values.hex }, { showSecrets: values['show-secrets'] });
  }
  process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : `${renderReport(report)}\n`);
  const failed = report.tokens.filter((t) => t.error !== null);
  if (failed.length > 0) {
    const first = failed[0]!.error!;
    throw new SpnegoError(first.code, `${failed.length} of ${report.tokens.length} token(s) could not be decoded: ${first.message}`);
  }
  return 0;
}
