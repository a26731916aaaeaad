// Text rendering of an inspect tree: one field per line, nested structures indented.
import type { InspectValue } from './tree.js';

const MAX_HEX = 64;

type Obj = { readonly [k: string]: InspectValue };
function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A one-line form for leaf values, or undefined when the value needs its own block. */
function leaf(v: InspectValue): string | undefined {
  if (v === null) return 'absent';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.length === 0 ? '(empty list)' : undefined;
  if (!isObj(v)) return undefined;
  return leafObj(v);
}

function leafObj(v: Obj): string | undefined {
  if ('type' in v) {
    // A node whose only field is `value` (an AV pair, say) reads best on one line.
    const keys = Object.keys(v);
    const inner = v.value;
    if (keys.length === 2 && inner !== undefined) {
      const l = leaf(inner);
      if (l !== undefined) return `${v.type as string}: ${l}`;
    }
    return undefined;
  }
  if ('oid' in v) return v.name ? `${v.name as string} (${v.oid as string})` : String(v.oid);
  if ('names' in v && 'hex' in v) {
    const names = v.names as string[];
    return `${v.hex as string}${names.length ? ` ${names.join(' | ')}` : ''}`;
  }
  if ('length' in v && ('hex' in v || 'redacted' in v)) {
    if (v.redacted) return `${v.length as number} bytes (redacted; --show-secrets shows it)`;
    const hex = v.hex as string;
    const shown = hex.length > MAX_HEX * 2 ? `${hex.slice(0, MAX_HEX * 2)}...` : hex;
    return `${v.length as number} bytes${hex.length ? `: ${shown}` : ''}`;
  }
  if ('value' in v && 'name' in v) return v.name === null ? `unknown (${v.value as number})` : `${v.name as string} (${v.value as number})`;
  return undefined;
}

function block(v: InspectValue, indent: string, out: string[]): void {
  if (Array.isArray(v)) {
    for (const item of v as readonly InspectValue[]) {
      const l = leaf(item);
      if (l !== undefined) out.push(`${indent}- ${l}`);
      else if (isObj(item) && typeof item.type === 'string') {
        const sub: string[] = [];
        block(item, '', sub);
        out.push(`${indent}- ${sub[0] ?? ''}`, ...sub.slice(1).map((x) => `${indent}  ${x}`));
      } else {
        out.push(`${indent}-`);
        block(item, indent + '  ', out);
      }
    }
    return;
  }
  if (!isObj(v)) return;
  if (typeof v.type === 'string') out.push(`${indent}${v.type}`);
  const inner = typeof v.type === 'string' ? indent + '  ' : indent;
  for (const [k, x] of Object.entries(v)) {
    if (k === 'type') continue;
    const l = leaf(x);
    if (l !== undefined) out.push(`${inner}${k}: ${l}`);
    else {
      out.push(`${inner}${k}:`);
      block(x, inner + '  ', out);
    }
  }
}

export function renderText(v: InspectValue): string {
  const out: string[] = [];
  const l = leaf(v);
  if (l !== undefined) out.push(l);
  else block(v, '', out);
  return out.join('\n');
}
