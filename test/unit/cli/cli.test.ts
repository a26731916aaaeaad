// The command line as a user meets it: exit codes, output, and no stack trace on bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { repoPath } from '../../helpers/paths.js';

const BIN = repoPath('dist/src/cli/main.js');
function run(args: string[], input?: string | Buffer) {
  const r = spawnSync(process.execPath, [BIN, ...args], { input, encoding: 'utf8', timeout: 20_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const noStack = (s: string) => assert.ok(!/\n\s+at /.test(s), `no stack trace in: ${s}`);

test('spnego inspect names every field of the brief token', () => {
  const r = run(['inspect', 'oRUwE6ADCgEBoQwGCisGAQQBgjcCAgo=']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /NegTokenResp\n\s+negState: accept-incomplete \(1\)\n\s+supportedMech: NTLMSSP \(1\.3\.6\.1\.4\.1\.311\.2\.2\.10\)\n\s+responseToken: absent\n\s+mechListMIC: absent/);
});

test('--json prints the documented shape; a header on stdin works', () => {
  const r = run(['inspect', '--json', '-'], 'Proxy-Authenticate: Negotiate oRUwE6ADCgEBoQwGCisGAQQBgjcCAgo=\n');
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.equal(j.format, 'spnego-inspect/1');
  assert.equal(j.tokens[0].header, 'Proxy-Authenticate');
  assert.equal(j.tokens[0].token.negState.name, 'accept-incomplete');
});

test('bad input: typed error, non-zero exit, no stack trace', () => {
  for (const bad of ['oRUwE6ADCgEBoQwGCisGAQQBgjcCAg', 'AAAA', '%%%', 'YIIBAAYGKwYBBQUC']) {
    const r = run(['inspect', bad]);
    assert.equal(r.code, 1, `${bad}: ${r.out} ${r.err}`);
    assert.match(r.err, /^spnego: [A-Z_]+: /);
    noStack(r.err);
    noStack(r.out);
  }
  const raw = run(['inspect', '--raw', '-'], Buffer.from([0x60, 0x80, 0, 0]));
  assert.equal(raw.code, 1);
  noStack(raw.err);
});

test('usage errors exit 2', () => {
  assert.equal(run([]).code, 2);
  assert.equal(run(['nonsense']).code, 2);
  assert.equal(run(['inspect']).code, 2);
  const r = run(['inspect', '--bogus', 'x']);
  assert.equal(r.code, 2);
  noStack(r.err);
});
