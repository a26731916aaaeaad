// MIT's profile syntax (krb5.conf, kdc.conf), parsed as MIT's util/profile/prof_parse.c does:
//   - lines before the first `[section]` are ignored (except `module`, which is reported and ignored);
//   - `#` and `;` start a comment only as the first non-blank character (a value keeps a trailing `# x`);
//   - `[name]` starts a top-level section (`[name]*` marks it final); a repeated section merges;
//   - `tag = value` adds a relation (repeats accumulate); `tag = {` (or `tag =` then `{` alone on the
//     next line) opens a subsection, closed by `}` (`}*` final); `tag* = v` marks the relation final;
//   - a value in double quotes may use \n \t \b \\ escapes; otherwise trailing blanks are dropped;
//   - `include FILE` and `includedir DIR` at the start of a line splice files into the same tree
//     (includedir: names of only alphanumerics, '-' and '_', or ending in `.conf` and not starting with '.', sorted).
// Several files (KRB5_CONFIG=a:b) stay separate trees: a lookup reads them in order and stops
// after the first file in which a final (`*`) section on the path was seen. (MIT 1.20 strips the `*`
// of `tag* = value` but does not stop at such a relation: checked against libkrb5's profile_get_values.)
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SpnegoError } from '../../../errors.js';

export interface ProfileRelation {
  readonly name: string;
  readonly value: string;
  readonly final: boolean;
}

export interface ProfileSection {
  readonly name: string;
  final: boolean;
  /** Relations and subsections in file order. */
  readonly children: (ProfileRelation | ProfileSection)[];
}

export function isSection(n: ProfileRelation | ProfileSection): n is ProfileSection {
  return 'children' in n;
}

/** One parsed file (with its includes), as a root section whose children are the top-level sections. */
export interface ProfileFile {
  readonly path: string;
  readonly root: ProfileSection;
}

export interface Profile {
  readonly files: readonly ProfileFile[];
  /** Non-fatal findings: ignored `module` lines, missing files in the path, unclosed groups. */
  readonly warnings: string[];
}

export interface ProfileParseOptions {
  /** Follow include/includedir (default true). When false, they are ignored with a warning. */
  readonly includes?: boolean;
  /** Largest file accepted (default 1 MiB). */
  readonly maxBytes?: number;
  /** Most relations and sections in one tree (default 100000). */
  readonly maxNodes?: number;
  /** Deepest include nesting (default 8) and subsection nesting (default 32). */
  readonly maxIncludeDepth?: number;
  readonly maxGroupDepth?: number;
}

interface Limits {
  includes: boolean;
  maxBytes: number;
  maxNodes: number;
  maxIncludeDepth: number;
  maxGroupDepth: number;
}

interface Tree {
  root: ProfileSection;
  nodes: number;
  warnings: string[];
  limits: Limits;
}

function fail(where: string, message: string, code: 'DECODE_BAD_VALUE' | 'DECODE_LIMIT' | 'UNAVAILABLE' = 'DECODE_BAD_VALUE'): never {
  throw new SpnegoError(code, `${where}: ${message}`);
}

function newSection(name: string): ProfileSection {
  return { name, final: false, children: [] };
}

function addNode(t: Tree, where: string): void {
  if (++t.nodes > t.limits.maxNodes) fail(where, `more than ${t.limits.maxNodes} profile entries`, 'DECODE_LIMIT');
}

/** Finds or adds a subsection (MIT merges a repeated subsection into the first). */
function subsection(t: Tree, parent: ProfileSection, name: string, where: string): ProfileSection {
  for (const c of parent.children) if (isSection(c) && c.name === name) return c;
  addNode(t, where);
  const s = newSection(name);
  parent.children.push(s);
  return s;
}

const isBlank = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';

function unquote(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '"') break;
    if (c === '\\' && i + 1 < s.length) {
      const n = s[++i]!;
      out += n === 'n' ? '\n' : n === 't' ? '\t' : n === 'b' ? '\b' : n;
    } else {
      out += c;
    }
  }
  return out;
}

/** includedir's file-name rule (MIT valid_name). */
export function validIncludedirName(name: string): boolean {
  if (/^[A-Za-z0-9_-]+$/.test(name)) return true;
  return name.endsWith('.conf') && !name.startsWith('.');
}

function parseInto(t: Tree, text: string, path: string, depth: number): void {
  if (text.length > t.limits.maxBytes) fail(path, `file is larger than ${t.limits.maxBytes} bytes`, 'DECODE_LIMIT');
  type State = 'init' | 'std' | 'obrace';
  let state: State = 'init';
  let current: ProfileSection | undefined;
  const stack: ProfileSection[] = [];
  const lines = text.split('\n');
  for (let ln = 0; ln < lines.length; ln++) {
    const where = `${path}:${ln + 1}`;
    let line = lines[ln]!;
    while (line.length > 0 && (line.endsWith('\r') || line.endsWith('\n'))) line = line.slice(0, -1);
    // include/includedir are recognised at column 0 in any state.
    const m = /^(includedir|include)[ \t\f\v](.*)$/.exec(line);
    if (m) {
      const arg = m[2]!.trim();
      if (!t.limits.includes) {
        t.warnings.push(`${where}: ${m[1]} ignored`);
        continue;
      }
      if (depth + 1 > t.limits.maxIncludeDepth) fail(where, `includes nested deeper than ${t.limits.maxIncludeDepth}`, 'DECODE_LIMIT');
      if (m[1] === 'include') {
        parseInto(t, readText(arg, where), arg, depth + 1);
      } else {
        let names: string[];
        try {
          names = readdirSync(arg);
        } catch {
          return fail(where, `cannot read include directory ${arg}`, 'UNAVAILABLE');
        }
        for (const n of names.filter(validIncludedirName).sort()) {
          const p = join(arg, n);
          let isFile = false;
          try {
            isFile = statSync(p).isFile();
          } catch {
            isFile = false;
          }
          if (isFile) parseInto(t, readText(p, where), p, depth + 1);
        }
      }
      continue;
    }
    if (state === 'init') {
      if (/^module[ \t\f\v]/.test(line)) {
        t.warnings.push(`${where}: profile module ignored`);
        continue;
      }
      if (!line.startsWith('[')) continue;
      state = 'std';
    }
    let i = 0;
    while (isBlank(line[i])) i++;
    if (state === 'obrace') {
      if (line[i] !== '{') fail(where, 'missing "{" after "tag ="');
      state = 'std';
      continue;
    }
    const c = line[i];
    if (c === undefined || c === '#' || c === ';') continue;
    const rest = line.slice(i).replace(/[ \t\r\n\f\v]+$/, '');
    if (c === '[') {
      if (stack.length > 0) fail(where, 'section header inside a { } group');
      const close = rest.indexOf(']');
      if (close < 0) fail(where, 'section header without "]"');
      const name = rest.slice(1, close);
      current = subsection(t, t.root, name, where);
      let after = rest.slice(close + 1);
      if (after.startsWith('*')) {
        current.final = true;
        after = after.slice(1);
      }
      after = after.trimStart();
      if (after !== '' && !after.startsWith('#') && !after.startsWith(';')) fail(where, 'text after a section header');
      continue;
    }
    if (c === '}') {
      const parent = stack.pop();
      if (!parent || !current) fail(where, 'extra "}"');
      if (rest[1] === '*') current.final = true;
      current = parent;
      continue;
    }
    if (!current) fail(where, 'relation outside a section');
    // tag ends at a blank or '='.
    let j = 0;
    while (j < rest.length && !isBlank(rest[j]) && rest[j] !== '=') j++;
    let tag = rest.slice(0, j);
    while (isBlank(rest[j])) j++;
    if (rest[j] !== '=' || tag === '') fail(where, 'expected "tag = value"');
    j++;
    while (isBlank(rest[j])) j++;
    let value = rest.slice(j);
    const star = tag.indexOf('*');
    const final = star >= 0;
    if (final) tag = tag.slice(0, star);
    let group = false;
    if (value.startsWith('"')) {
      value = unquote(value.slice(1));
    } else if (value === '') {
      group = true;
      state = 'obrace';
    } else if (value.startsWith('{') && value.slice(1).trim() === '') {
      group = true;
    }
    if (group) {
      if (stack.length >= t.limits.maxGroupDepth) fail(where, `groups nested deeper than ${t.limits.maxGroupDepth}`, 'DECODE_LIMIT');
      const s = subsection(t, current, tag, where);
      if (final) s.final = true;
      stack.push(current);
      current = s;
      continue;
    }
    addNode(t, where);
    current.children.push({ name: tag, value, final });
  }
  if (state === 'obrace') fail(`${path}:${lines.length}`, 'missing "{" at end of file');
  if (stack.length > 0) t.warnings.push(`${path}: ${stack.length} unclosed "{" at end of file`);
}

function readText(path: string, where: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return fail(where, `cannot read included file ${path}`, 'UNAVAILABLE');
  }
}

function limitsOf(o: ProfileParseOptions = {}): Limits {
  return {
    includes: o.includes ?? true,
    maxBytes: o.maxBytes ?? 1024 * 1024,
    maxNodes: o.maxNodes ?? 100_000,
    maxIncludeDepth: o.maxIncludeDepth ?? 8,
    maxGroupDepth: o.maxGroupDepth ?? 32,
  };
}

/** Parses one file's text (following its includes) into a tree. */
export function parseProfileText(text: string, path = '<string>', options?: ProfileParseOptions, warnings: string[] = []): ProfileFile {
  if (typeof text !== 'string') throw new SpnegoError('BAD_ARGUMENT', 'profile text must be a string');
  const t: Tree = { root: newSection(''), nodes: 0, warnings, limits: limitsOf(options) };
  parseInto(t, text, path, 0);
  return { path, root: t.root };
}

/** Reads files in order, skipping missing ones as MIT does (a present but malformed file is an error). */
export function loadProfile(paths: readonly string[], options?: ProfileParseOptions): Profile {
  const warnings: string[] = [];
  const files: ProfileFile[] = [];
  for (const p of paths) {
    let text: string;
    try {
      text = readFileSync(p, 'utf8');
    } catch {
      warnings.push(`${p}: not readable, skipped`);
      continue;
    }
    files.push(parseProfileText(text, p, options, warnings));
  }
  return { files, warnings };
}

/** The profile of already-parsed texts, in precedence order. */
export function profileOf(files: readonly ProfileFile[], warnings: string[] = []): Profile {
  return { files, warnings };
}

/**
 * All values of the relation at `path` (e.g. ['realms', 'EXAMPLE.COM', 'kdc']), file by file in
 * order, stopping after a file where a final section on the path was seen (MIT's
 * profile_get_values). Single-valued settings use the first value.
 */
export function profileValues(p: Profile, path: readonly string[]): string[] {
  const out: string[] = [];
  const name = path[path.length - 1];
  if (name === undefined) return out;
  for (const f of p.files) {
    let finalSeen = false;
    let sec: ProfileSection | undefined = f.root;
    for (const part of path.slice(0, -1)) {
      sec = sec.children.find((c): c is ProfileSection => isSection(c) && c.name === part);
      if (!sec) break;
      if (sec.final) finalSeen = true;
    }
    if (sec) {
      for (const c of sec.children) {
        if (isSection(c) || c.name !== name) continue;
        out.push(c.value); // a relation's own final mark does not stop the search (MIT 1.20, checked with libkrb5)
      }
    }
    if (finalSeen) break;
  }
  return out;
}

/** The first value of the relation at `path`, or undefined. */
export function profileString(p: Profile, path: readonly string[]): string | undefined {
  return profileValues(p, path)[0];
}

/** Names of the relations and subsections directly under `path`, across files, first seen first. */
export function profileNames(p: Profile, path: readonly string[], kind: 'relations' | 'sections' | 'all' = 'all'): string[] {
  const seen = new Set<string>();
  for (const f of p.files) {
    let sec: ProfileSection | undefined = f.root;
    let finalSeen = false;
    for (const part of path) {
      sec = sec.children.find((c): c is ProfileSection => isSection(c) && c.name === part);
      if (!sec) break;
      if (sec.final) finalSeen = true;
    }
    if (sec) {
      for (const c of sec.children) {
        if (kind === 'relations' && isSection(c)) continue;
        if (kind === 'sections' && !isSection(c)) continue;
        seen.add(c.name);
      }
    }
    if (finalSeen) break;
  }
  return [...seen];
}
