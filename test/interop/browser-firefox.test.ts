// Interop: a real browser against our server. Headless Firefox ESR (Debian's firefox-esr, MIT GSSAPI
// underneath) with a fresh profile whose user.js trusts localhost for Negotiate, KRB5CCNAME pointing
// at a ccache with alice's TGT from MIT kinit, loads a page from `spnego serve --keytab` and takes a
// screenshot. Checked two ways: the server's log line names alice@REALM with mech=kerberos, and the
// screenshot is pixel-identical to Firefox's own rendering of the JSON naming alice (served without
// authentication by a plain reference server), and differs from the same JSON naming bob (a control
// that shows the comparison can tell principals apart). With no ticket nobody is authenticated and
// the page is the 401's "Unauthorized". Needs the lab (LAB_STATE) and firefox-esr (scripts/lab/install.sh).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { inflateSync } from 'node:zlib';
import { readFileSync, mkdtempSync, mkdirSync, rmSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoPath } from '../helpers/paths.js';
import { identityJson } from '../../src/cli/serve.js';

interface Lab { env: Record<string, string>; mit: { realm: string; httpKeytab: string; users: { name: string; password: string }[] } }
let lab: Lab;
let dir: string;
let server: ChildProcess;
let port = 0;
let log = '';
let runs = 0;

const FIREFOX_TIMEOUT_MS = 60_000;

before(async () => {
  const s = process.env.LAB_STATE;
  if (!s) throw new Error('LAB_STATE is not set: run `npm test`, which starts the lab');
  lab = JSON.parse(readFileSync(join(s, 'lab.json'), 'utf8')) as Lab;
  dir = mkdtempSync(join(tmpdir(), 'browser-firefox-'));
  const env = { ...process.env, ...lab.env, KRB5CCNAME: `FILE:${join(dir, 'cc')}` };
  execFileSync('kinit', [`alice@${lab.mit.realm}`], { input: `${lab.mit.users.find((u) => u.name === 'alice')!.password}\n`, env });
  // Kerberos only: no NTLM user file, so an NTLM fallback could not authenticate anyone either.
  server = spawn(process.execPath, [repoPath('dist/src/cli/main.js'), 'serve', '--port', '0', '--keytab', lab.mit.httpKeytab], { env: { ...process.env, ...lab.env, NTLM_USER_FILE: '' } });
  server.stderr!.on('data', (d: Buffer) => { log += d.toString(); });
  for (let i = 0; i < 100 && !/listening on (\S+)/.test(log); i++) await new Promise((r) => setTimeout(r, 50));
  const url = /listening on (\S+)/.exec(log)?.[1] ?? '';
  assert.ok(url, `serve did not start: ${log}`);
  port = Number(new URL(url).port);
});
after(() => {
  server?.kill('SIGTERM');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** One headless Firefox run with a fresh profile and HOME; resolves with the screenshot path. */
async function screenshot(url: string, ccache: string, name: string): Promise<{ png: string; ms: number; attempts: number; output: string }> {
  let output = '';
  const t0 = Date.now();
  // A Firefox that exits without writing the screenshot is retried (seen once on a cold machine);
  // every attempt is reported in the failure message.
  for (let attempt = 1; attempt <= 3; attempt++) {
    const run = join(dir, `${name}-${++runs}`);
    const profile = join(run, 'profile');
    const home = join(run, 'home');
    mkdirSync(profile, { recursive: true });
    mkdirSync(home, { recursive: true });
    writeFileSync(
      join(profile, 'user.js'),
      [
        'user_pref("network.negotiate-auth.trusted-uris", "localhost");',
        'user_pref("network.negotiate-auth.allow-non-fqdn", true);',
        'user_pref("browser.shell.checkDefaultBrowser", false);',
        'user_pref("datareporting.policy.dataSubmissionEnabled", false);',
        'user_pref("toolkit.telemetry.reportingpolicy.firstRun", false);',
        'user_pref("app.update.enabled", false);',
        '',
      ].join('\n'),
    );
    const png = join(run, 'out.png');
    // A minimal environment: no DISPLAY, no NTLM_USER_FILE, no proxy settings from the caller.
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: home,
      TMPDIR: run,
      KRB5_CONFIG: lab.env.KRB5_CONFIG!,
      KRB5CCNAME: ccache,
    };
    const ff = spawn('firefox-esr', ['--headless', '--no-remote', '--profile', profile, '--screenshot', png, url], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    ff.stdout!.on('data', (d: Buffer) => { output += d.toString(); });
    ff.stderr!.on('data', (d: Buffer) => { output += d.toString(); });
    const code = await new Promise<number | string | null>((resolve) => {
      const timer = setTimeout(() => resolve('timeout'), FIREFOX_TIMEOUT_MS);
      ff.once('error', (e) => { clearTimeout(timer); resolve(`spawn error: ${e.message}`); });
      ff.once('exit', (c, sig) => { clearTimeout(timer); resolve(c ?? sig); });
    });
    // Firefox leaves content/socket processes behind when killed: end its whole process group.
    try { process.kill(-ff.pid!, 'SIGKILL'); } catch { /* already gone */ }
    output += `[attempt ${attempt}: exit ${String(code)} after ${Date.now() - t0} ms, screenshot ${existsSync(png) ? 'written' : 'missing'}]\n`;
    if (typeof code === 'string' && code.startsWith('spawn error')) assert.fail(`firefox-esr could not start (run scripts/lab/install.sh): ${output}`);
    if (existsSync(png) && statSync(png).size > 0) return { png, ms: Date.now() - t0, attempts: attempt, output };
  }
  assert.fail(`firefox-esr wrote no screenshot of ${url}:\n${output}`);
}

/** A PNG's size and its decompressed image data (the encoder is deterministic, so equal pixels give equal data). */
function pngImage(file: string): { width: number; height: number; data: Buffer } {
  const b = readFileSync(file);
  assert.ok(b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), `${file} is not a PNG`);
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  for (let i = 8; i + 8 <= b.length; ) {
    const n = b.readUInt32BE(i);
    const type = b.toString('latin1', i + 4, i + 8);
    const body = b.subarray(i + 8, i + 8 + n);
    if (type === 'IHDR') { width = body.readUInt32BE(0); height = body.readUInt32BE(4); }
    if (type === 'IDAT') idat.push(body);
    i += 12 + n;
  }
  return { width, height, data: inflateSync(Buffer.concat(idat)) };
}

/** Firefox's rendering of `body` served with no authentication at all (the page we expect to see). */
async function reference(body: string, contentType: string, name: string): Promise<Buffer> {
  const ref = http.createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  });
  await new Promise<void>((resolve) => ref.listen(0, '127.0.0.1', resolve));
  try {
    const { png } = await screenshot(`http://localhost:${(ref.address() as AddressInfo).port}/`, `FILE:${join(dir, 'none')}`, name);
    return pngImage(png).data;
  } finally {
    ref.closeAllConnections();
    ref.close();
  }
}

function expectedJson(principal: string, line: string): string {
  // The MIC fields as the server logged them for this very handshake.
  const noMic = / no mechListMIC/.test(line);
  const mic = { required: !noMic, sent: !noMic && / mechListMIC sent\//.test(line), received: !noMic && /\/received/.test(line) };
  const realm = lab.mit.realm;
  return `${JSON.stringify(identityJson({ principal, user: principal.split('@')[0]!, domain: realm, realm, mech: 'kerberos', scheme: 'Negotiate', mic, reused: false }))}\n`;
}

test('headless Firefox ESR with alice\'s TGT → spnego serve --keytab: server logs alice@REALM mech=kerberos, the page shows her JSON', { timeout: 300_000 }, async (t) => {
  const from = log.length;
  const shot = await screenshot(`http://localhost:${port}/`, `FILE:${join(dir, 'cc')}`, 'alice');
  t.diagnostic(`firefox: ${shot.ms} ms, ${shot.attempts} attempt(s)`);
  const who = `alice@${lab.mit.realm}`;
  const line = new RegExp(`authenticated ${who.replace(/\./g, '\\.')} mech=kerberos scheme=Negotiate [^\\n]*`);
  for (let i = 0; i < 40 && !line.test(log.slice(from)); i++) await new Promise((r) => setTimeout(r, 50));
  const served = log.slice(from);
  assert.match(served, line, `server log:\n${served}\nfirefox:\n${shot.output}`);
  assert.equal(served.match(/ authenticated /g)?.length, 1, `exactly one authentication expected:\n${served}`);

  const img = pngImage(shot.png);
  assert.ok(img.width >= 800 && img.height >= 600, `screenshot is ${img.width}x${img.height}`);
  assert.ok(statSync(shot.png).size > 10_000, `screenshot is only ${statSync(shot.png).size} bytes`);
  const alice = await reference(expectedJson(who, line.exec(served)![0]), 'application/json', 'ref-alice');
  const bob = await reference(expectedJson(`bob@${lab.mit.realm}`, line.exec(served)![0]), 'application/json', 'ref-bob');
  assert.ok(!alice.equals(bob), 'control: the renderings of alice\'s and bob\'s JSON should differ');
  assert.ok(img.data.equals(alice), `the screenshot ${shot.png} is not Firefox's rendering of ${expectedJson(who, line.exec(served)![0]).trim()}`);
});

test('headless Firefox ESR with no ticket: nobody is authenticated, the page is the 401', { timeout: 300_000 }, async (t) => {
  const from = log.length;
  const shot = await screenshot(`http://localhost:${port}/`, `FILE:${join(dir, 'none')}`, 'noticket');
  t.diagnostic(`firefox: ${shot.ms} ms, ${shot.attempts} attempt(s)`);
  await new Promise((r) => setTimeout(r, 300));
  const served = log.slice(from);
  assert.doesNotMatch(served, /authenticated/, `server log:\n${served}`);
  const img = pngImage(shot.png);
  const unauthorized = await reference('Unauthorized\n', 'text/plain; charset=utf-8', 'ref-401');
  const alice = await reference(expectedJson(`alice@${lab.mit.realm}`, ' no mechListMIC'), 'application/json', 'ref-alice2');
  assert.ok(!unauthorized.equals(alice), 'control: the 401 text and the JSON should render differently');
  assert.ok(img.data.equals(unauthorized), `the screenshot ${shot.png} is not the 401 page ("Unauthorized")`);
});
