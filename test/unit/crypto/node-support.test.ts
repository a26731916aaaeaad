// Records which legacy algorithms node:crypto offers without flags on this Node. md4, rc4 and
// des-ecb are pure TypeScript here only because OpenSSL 3 moved them to the legacy provider.
// If this test fails on a newer Node, the facts changed: revisit src/crypto/{md4,rc4,des}.ts
// (switch to node:crypto if it now offers them) or src/crypto/provider.ts (if md5 went away).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';

// Probed in a child with no flags and no NODE_OPTIONS, so a test runner started with
// --openssl-legacy-provider does not hide the default behaviour.
const probe = `
const c = require('node:crypto');
const k = (n) => Buffer.alloc(n, 1);
const checks = {
  md4: () => c.createHash('md4').update('a').digest(),
  md5: () => c.createHash('md5').update('a').digest(),
  'hmac-md5': () => c.createHmac('md5', k(16)).update('a').digest(),
  rc4: () => c.createCipheriv('rc4', k(16), null).update('a'),
  'des-ecb': () => c.createCipheriv('des-ecb', k(8), null).update(k(8)),
};
const out = {};
for (const [name, f] of Object.entries(checks)) {
  try { f(); out[name] = 'offered'; } catch (e) { out[name] = e.code || String(e.message); }
}
process.stdout.write(JSON.stringify(out));
`;

test(`node:crypto without flags (Node ${process.version}, OpenSSL ${process.versions.openssl}): md4/rc4/des-ecb refused, md5/hmac-md5 offered`, () => {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const facts = JSON.parse(execFileSync(process.execPath, ['-e', probe], { env, encoding: 'utf8' })) as Record<string, string>;
  const advice = (name: string): string =>
    `node:crypto support for ${name} changed (${JSON.stringify(facts)}): ` +
    (facts[name] === 'offered'
      ? `Node now offers ${name} without flags; consider using node:crypto instead of the pure-TS implementation in src/crypto/`
      : `Node no longer offers ${name}; src/crypto/provider.ts needs a pure-TS fallback`);
  assert.equal(facts['md4'], 'ERR_OSSL_EVP_UNSUPPORTED', advice('md4'));
  assert.equal(facts['rc4'], 'ERR_OSSL_EVP_UNSUPPORTED', advice('rc4'));
  assert.equal(facts['des-ecb'], 'ERR_OSSL_EVP_UNSUPPORTED', advice('des-ecb'));
  assert.equal(facts['md5'], 'offered', advice('md5'));
  assert.equal(facts['hmac-md5'], 'offered', advice('hmac-md5'));
});
