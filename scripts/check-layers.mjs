// Proves the design guide's rule that layers import downward only, by reading import lines.
// Order (low to high): errors/bytes, der+codec+iana, crypto, mech, spnego, gss, http/sasl/inspect, cli.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, dirname, resolve } from 'node:path';

const RANK = {
  'errors.ts': 0, bytes: 0,
  der: 1, codec: 1, iana: 1,
  crypto: 2,
  mech: 3,
  spnego: 4,
  gss: 5,
  http: 6, sasl: 6, inspect: 6,
  cli: 7,
  'index.ts': 8,
};
const src = resolve('src');
const files = [];
(function walk(d) {
  for (const f of readdirSync(d)) {
    const p = join(d, f);
    if (statSync(p).isDirectory()) walk(p);
    else if (p.endsWith('.ts')) files.push(p);
  }
})(src);

const layerOf = (p) => {
  const top = relative(src, p).split('/')[0];
  if (!(top in RANK)) throw new Error(`no layer for src/${top}: add it to scripts/check-layers.mjs`);
  return top;
};
let bad = 0;
for (const f of files) {
  const from = layerOf(f);
  const text = readFileSync(f, 'utf8');
  for (const m of text.matchAll(/(?:import|export)[^'"]*?from\s+['"](\.[^'"]+)['"]/g)) {
    const target = resolve(dirname(f), m[1].replace(/\.js$/, '.ts'));
    const to = layerOf(target);
    if (RANK[to] > RANK[from]) {
      console.error(`layer violation: ${relative('.', f)} (${from}) imports ${m[1]} (${to})`);
      bad++;
    }
  }
}
if (bad) process.exit(1);
console.log(`layers ok: ${files.length} files import downward only`);
