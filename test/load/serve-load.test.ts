// Issue 8, "spnego serve under 200 concurrent clients ... zero failed authentications": a short
// run of bench/load.ts (the 60 s figures are `npm run load`) against `spnego serve` with the lab's
// keytab and NTLM users, Kerberos and NTLM mixed, keep-alive and fresh connections. Asserted: every
// kind authenticated requests, none failed, the server stayed up and logged no refusal. Latency
// and memory are reported by the script, never asserted (no timed assertions in tests). Run on its
// own after the other tests (scripts/test.sh), so its load cannot slow their timeouts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { repoPath } from '../helpers/paths.js';

test('spnego serve, 200 concurrent clients for 15 s (Kerberos and NTLM, keep-alive and fresh): zero failed authentications, the server stays up', () => {
  const lab = process.env['LAB_STATE'];
  assert.ok(lab, 'LAB_STATE must name the running lab (scripts/test.sh starts it)');
  const r = spawnSync(process.execPath, [repoPath('dist', 'bench', 'load.js'), '--lab', lab, '--seconds', '15', '--clients', '200', '--warmup', '3'], { encoding: 'utf8', timeout: 120_000 });
  const out = `${r.stdout}\n${r.stderr}`;
  process.stdout.write(r.stdout.split('\n').filter((l) => l.startsWith('|') || l.startsWith('RSS') || l.includes('failed authentications')).join('\n') + '\n');
  assert.equal(r.status, 0, out);
  for (const kind of ['krb5-keepalive', 'krb5-fresh', 'ntlm-keepalive', 'ntlm-fresh']) {
    const row = new RegExp(`^\\| ${kind} \\| (\\d+) \\| (\\d+) \\| (\\d+) \\|`, 'm').exec(r.stdout);
    assert.ok(row, `a row for ${kind}:\n${out}`);
    assert.ok(Number(row[2]) > 0, `${kind} authenticated requests`);
    assert.equal(Number(row[3]), 0, `${kind}: failed authentications`);
  }
  assert.match(r.stdout, /failed authentications: 0 \(none\)/);
  assert.match(r.stdout, /server log: \d+ authenticated, 0 refused/);
  assert.doesNotMatch(r.stdout, /THE SERVER EXITED/);
});
