// Benchmark (not a test): decode and encode throughput of real captured tokens, per codec family.
// Prints tokens/s. Later issues add the handshake paths and run MIT's native library in the
// same process run to report ratios.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { cpus } from 'node:os';
import { fromBase64 } from '../src/bytes/encoding.js';
import { SpnegoToken } from '../src/codec/spnego/spnego-token.js';
import { ntlmMessageCodec, hasNtlmSignature } from '../src/codec/ntlm/message.js';
import { InitialContextToken } from '../src/codec/gss/initial-context-token.js';
import { gssKrb5TokenCodec } from '../src/codec/krb5/gss-krb5-token.js';
import { inspectBytes } from '../src/inspect/index.js';
import { OID } from '../src/iana/oids.js';

interface Capture { name: string; base64: string }
const caps = (JSON.parse(readFileSync(new URL('../../test/vectors/lab-captures.json', import.meta.url), 'utf8')) as { tokens: Capture[] }).tokens;
const tokens = caps.map((c) => fromBase64(c.base64));

const spnego = tokens.filter((b) => b[0] === 0xa1 || (b[0] === 0x60 && InitialContextToken.decode(b).mech === OID.SPNEGO));
const ntlm = tokens.filter(hasNtlmSignature);
const krb5 = tokens.filter((b) => b[0] === 0x60 && InitialContextToken.decode(b).mech !== OID.SPNEGO).map((b) => InitialContextToken.decode(b).innerToken);

/** Runs fn over the inputs round-robin for ~`ms` milliseconds after a warm-up; returns operations per second. */
function rate<T>(inputs: readonly T[], fn: (x: T) => unknown, ms = 700): number {
  for (let i = 0; i < 2000; i++) fn(inputs[i % inputs.length]!);
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < 256; i++) fn(inputs[(n + i) % inputs.length]!);
    n += 256;
    now = performance.now();
  }
  return (n * 1000) / (now - start);
}

const rows: [string, number, number][] = [];
const decodedSpnego = spnego.map((b) => SpnegoToken.decode(b));
rows.push(['SPNEGO token (framing + NegotiationToken)', rate(spnego, (b) => SpnegoToken.decode(b)), rate(decodedSpnego, (t) => SpnegoToken.encode(t))]);
const decodedNtlm = ntlm.map((b) => ntlmMessageCodec.decode(b));
rows.push(['raw NTLM message', rate(ntlm, (b) => ntlmMessageCodec.decode(b)), rate(decodedNtlm, (m) => ntlmMessageCodec.encode(m))]);
const decodedKrb5 = krb5.map((b) => gssKrb5TokenCodec.decode(b));
rows.push(['krb5 GSS token (AP-REQ/AP-REP/KRB-ERROR)', rate(krb5, (b) => gssKrb5TokenCodec.decode(b)), rate(decodedKrb5, (t) => gssKrb5TokenCodec.encode(t))]);
rows.push(['inspect tree (any token, nested)', rate(tokens, (b) => inspectBytes(b)), NaN]);

const fmt = (x: number) => (Number.isNaN(x) ? '-' : Math.round(x).toLocaleString('en-US'));
console.log(`spnego codec benchmark: ${tokens.length} real tokens from test/vectors/lab-captures.json`);
console.log(`node ${process.version}, ${cpus()[0]?.model ?? 'unknown cpu'} x${cpus().length}\n`);
console.log(`| path | inputs | decode tokens/s | encode tokens/s |`);
console.log(`| --- | ---: | ---: | ---: |`);
const counts = [spnego.length, ntlm.length, krb5.length, tokens.length];
rows.forEach(([name, d, e], i) => console.log(`| ${name} | ${counts[i]} | ${fmt(d)} | ${fmt(e)} |`));
