// The JSON tree `spnego inspect --json` prints. Its shape is documented in docs/inspect-json.md
// and is a stable interface: add fields, never rename or retype them.
import { toHex } from '../bytes/encoding.js';
import { oidName } from '../iana/oids.js';

/** A decoded structure: `type` is its spec name, the other keys its fields in wire order. */
export interface InspectNode {
  readonly type: string;
  readonly [field: string]: InspectValue;
}
export interface OidValue { readonly oid: string; readonly name: string | null }
export interface EnumValue { readonly value: number; readonly name: string | null }
export interface FlagsValue { readonly value: number; readonly hex: string; readonly names: readonly string[] }
export interface BytesValue { readonly length: number; readonly hex?: string; readonly redacted?: true; readonly secret?: true }
export type InspectValue =
  | string | number | boolean | null
  | InspectNode | OidValue | EnumValue | FlagsValue | BytesValue
  | readonly InspectValue[];

export interface RenderOptions {
  /** Show values derived from keys or passwords (responses, MICs, ciphertexts). */
  readonly showSecrets: boolean;
}

export function oid(o: string): OidValue {
  return { oid: o, name: oidName(o) ?? null };
}

export function enumOf(value: number, names: (n: number) => string | undefined): EnumValue {
  return { value, name: names(value) ?? null };
}

export function flags(value: number, table: readonly (readonly [number, string])[]): FlagsValue {
  const names: string[] = [];
  let rest = value >>> 0;
  for (const [bit, name] of table) {
    if ((value & bit) >>> 0 === bit >>> 0 && bit !== 0) {
      names.push(name);
      rest = (rest & ~bit) >>> 0;
    }
  }
  if (rest) names.push(`0x${rest.toString(16).padStart(8, '0')}`);
  return { value: value >>> 0, hex: `0x${(value >>> 0).toString(16).padStart(8, '0')}`, names };
}

/** Public bytes: nonces, names, checksums of public data. */
export function bytes(b: Uint8Array): BytesValue {
  return { length: b.length, hex: toHex(b) };
}

/** Bytes derived from a key or password: shown only as a length unless asked. */
export function secret(b: Uint8Array, o: RenderOptions): BytesValue {
  return o.showSecrets ? { length: b.length, hex: toHex(b), secret: true } : { length: b.length, redacted: true };
}

export function opt<T>(v: T | undefined, f: (x: T) => InspectValue): InspectValue {
  return v === undefined ? null : f(v);
}

export function node(type: string, fields: Record<string, InspectValue>): InspectNode {
  return { type, ...fields };
}
