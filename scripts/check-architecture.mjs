#!/usr/bin/env node
// Architecture checker for src/**/*.ts (plain Node, no dependencies): (a) imports that go up or sideways between
// the floors below, (b) files whose first line is not a comment, (c) functions longer than MAX_FUNCTION_LINES.
// Usage: node scripts/check-architecture.mjs [--json] [--only=imports,header,length] [--no-allowlist] [root]
// Prints one line per violation (`kind file:line message`) and exits 1 if there is any; --json prints
// { violations: [{ kind, file, line, message }], counts: { imports, header, length } } instead. --no-allowlist
// ignores both allowlists (every debt shown; for trees other than this one).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The floors, top to bottom. A file may import from its own folder and from any folder on a LOWER floor; an
 * import of a higher floor ("upward") or of another folder on the same floor ("sideways") is a violation. The
 * key is a folder under src/ or a top-level file of src/. A folder that is missing here is reported too: give a
 * new folder its floor.
 */
export const FLOORS = [
  ['index.ts', 'cli'], // the library entry (re-exports every concern) and the command-line program
  ['plan', 'bench', 'fuzz', 'reference'], // work units, cluster jobs; engine benchmarks; reader fuzzer; PyTorch reference
  ['training'], // pretraining, fine-tuning, cross-validation, the stages and their result files
  ['datasets', 'models', 'metrics', 'plots', 'hrv', 'report'], // data, networks, scores, figures, R peaks and HRV features, the run report
  ['engine', 'preprocessing'], // tfjs backends and kernels; signal filters, resampling, windows
  ['results'], // run directories, atomic writes, provenance (uses config's run-id length)
  ['config'], // the config schema (assembled from the transformation table and the reader declarations), loading, hash
  ['augmentation'], // the transformation table: pure functions (x, params, rng) and their zod parameter schemas
  ['random'], // the seeded random streams
  ['util', 'errors.ts'], // canonical JSON, logging, progress, excerpts, stop signals; the error classes
];

/**
 * Imports allowed to break the floors for now: `file:specifier` (file relative to src/) -> the reason. An entry
 * that no longer matches an import is itself reported, so the list only shrinks.
 */
export const IMPORT_ALLOWLIST = {};

/**
 * Registry declarations: the files of a higher floor that the config schema is assembled from, so that adding a
 * reader is its folder plus one registry line and the schema picks it up. `config/` may import them. Each must be a
 * leaf at load time: its static, non-type imports reach only other declarations, packages (zod) and floors at or
 * below config's; type-only imports are erased and dynamic `import()`s (a registry's lazy reader loaders) run only
 * when a reader is used, so neither can form a load-time cycle. Patterns are relative to src/ (`*` = one segment).
 */
export const DECLARATIONS = [
  'datasets/readers/registry.ts',
  'datasets/readers/sourceFields.ts',
  'datasets/readers/*/options.ts',
];

/** Whether a path relative to src/ is one of {@link DECLARATIONS}. */
function isDeclaration(rel) {
  return DECLARATIONS.some((pat) =>
    new RegExp(`^${pat.replace(/[.]/g, '\\.').replace(/\*/g, '[^/]+')}$`).test(rel),
  );
}

/** The floor of config/: a declaration's load-time imports stay at or below it. */
const CONFIG_FLOOR = FLOORS.findIndex((keys) => keys.includes('config'));

/** Longest function body allowed, in lines (the house style's "under ~80 lines"). */
export const MAX_FUNCTION_LINES = 80;

/**
 * Functions allowed to be longer than MAX_FUNCTION_LINES: `file:function` (file relative to src/) -> the reason.
 * Each entry needs a reason a reviewer accepts; the list starts empty. A stale entry is reported too.
 */
export const ALLOWLIST = {};

const KINDS = ['imports', 'header', 'length'];

/** All .ts files under `dir`, sorted, as absolute paths. */
function listTs(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listTs(p));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** The floor-table key of a path relative to src/ (its first segment), and that key's floor index (-1: none). */
function floorOf(relPath) {
  const key = relPath.split('/')[0];
  return { key, floor: FLOORS.findIndex((keys) => keys.includes(key)) };
}

const REGEX_BEFORE = new Set([...'(,=:[!&|?{};+-*%<>~^']);
const REGEX_AFTER_WORDS = new Set([
  'return',
  'typeof',
  'case',
  'do',
  'else',
  'in',
  'of',
  'new',
  'delete',
  'void',
  'throw',
  'await',
  'yield',
]);

/**
 * The source with comments blanked and string, template and regex contents replaced by spaces (quotes and
 * newlines kept), so that offsets and line numbers match the original. Template `${...}` parts stay code.
 */
export function maskSource(src) {
  const out = src.split('');
  const blank = (from, to) => {
    for (let i = from; i < to; i++) if (out[i] !== '\n') out[i] = ' ';
  };
  const stack = []; // open template-expression brace depths
  let depth = 0;
  let i = 0;
  let lastSignificant = '';
  let lastWord = '';
  const n = src.length;
  const scanTemplate = () => {
    // at src[i] inside a template (after ` or }); returns after the closing ` or after `${`
    const start = i;
    while (i < n) {
      const c = src[i];
      if (c === '\\') i += 2;
      else if (c === '`') {
        blank(start, i);
        i++;
        return;
      } else if (c === '$' && src[i + 1] === '{') {
        blank(start, i);
        i += 2;
        stack.push(depth);
        depth++;
        return;
      } else i++;
    }
    blank(start, n);
  };
  while (i < n) {
    const c = src[i];
    const d = src[i + 1];
    if (c === '/' && d === '/') {
      const end = src.indexOf('\n', i);
      const stop = end < 0 ? n : end;
      blank(i, stop);
      i = stop;
      continue;
    }
    if (c === '/' && d === '*') {
      const end = src.indexOf('*/', i + 2);
      const stop = end < 0 ? n : end + 2;
      blank(i, stop);
      i = stop;
      continue;
    }
    if (c === "'" || c === '"') {
      const start = ++i;
      while (i < n && src[i] !== c && src[i] !== '\n') i += src[i] === '\\' ? 2 : 1;
      blank(start, i);
      i++;
      lastSignificant = c;
      lastWord = '';
      continue;
    }
    if (c === '`') {
      i++;
      scanTemplate();
      lastSignificant = '`';
      lastWord = '';
      continue;
    }
    if (
      c === '/' &&
      (lastSignificant === '' || REGEX_BEFORE.has(lastSignificant) || REGEX_AFTER_WORDS.has(lastWord))
    ) {
      const start = ++i;
      let inClass = false;
      while (i < n && src[i] !== '\n') {
        const r = src[i];
        if (r === '\\') i += 2;
        else if (r === '/' && !inClass) break;
        else {
          if (r === '[') inClass = true;
          else if (r === ']') inClass = false;
          i++;
        }
      }
      blank(start, i);
      i++;
      lastSignificant = '/';
      lastWord = '';
      continue;
    }
    if (c === '{') depth++;
    if (c === '}') {
      depth--;
      if (stack.length > 0 && stack[stack.length - 1] === depth) {
        stack.pop();
        i++;
        scanTemplate();
        lastSignificant = '`';
        lastWord = '';
        continue;
      }
    }
    if (/[A-Za-z0-9_$]/.test(c)) {
      let j = i;
      while (j < n && /[A-Za-z0-9_$]/.test(src[j])) j++;
      lastWord = src.slice(i, j);
      lastSignificant = 'a';
      i = j;
      continue;
    }
    if (!/\s/.test(c)) {
      lastSignificant = c;
      lastWord = '';
    }
    i++;
  }
  return out.join('');
}

/** 1-based line number of offset `at`. */
function lineAt(src, at) {
  let line = 1;
  for (let i = 0; i < at; i++) if (src.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * The module specifiers a file imports, with their lines: static imports and re-exports (type-only ones too),
 * `import('...')` and `typeof import('...')`, `require('...')`, and `import(name)` where `name` is a const
 * string declared in the same file (an import "through a variable").
 */
export function importsOf(src, masked = maskSource(src)) {
  const found = [];
  const literalAt = (quoteAt) => {
    const q = src[quoteAt];
    const end = src.indexOf(q, quoteAt + 1);
    return end < 0 ? null : src.slice(quoteAt + 1, end);
  };
  const patterns = [
    /\bfrom\s*(['"])/g, // import ... from '...', export ... from '...'
    /\bimport\s*(['"])/g, // import '...'
    /\bimport\s*\(\s*(['"])/g, // import('...')
    /\brequire\s*\(\s*(['"])/g, // require('...')
  ];
  for (const re of patterns) {
    for (const m of masked.matchAll(re)) {
      const quoteAt = m.index + m[0].length - 1;
      const spec = literalAt(quoteAt);
      if (spec !== null)
        found.push({
          spec,
          line: lineAt(src, m.index),
          via: null,
          dynamic: re.source.includes('\\('),
          typeOnly: re === patterns[0] && isTypeOnly(masked, m.index),
        });
    }
  }
  // Declarations `const name = ...`: the nearest one before `import(name)` decides (a string literal or not).
  const decls = [];
  for (const m of masked.matchAll(/\b(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::\s*string\s*)?=\s*(\S)/g)) {
    const q = m[2];
    const spec = q === "'" || q === '"' ? literalAt(m.index + m[0].length - 1) : null;
    decls.push({ name: m[1], at: m.index, spec });
  }
  for (const m of masked.matchAll(/\b(?:import|require)\s*\(\s*([A-Za-z_$][\w$]*)\s*\)/g)) {
    const decl = decls.filter((d) => d.name === m[1] && d.at < m.index).pop();
    if (decl?.spec != null)
      found.push({ spec: decl.spec, line: lineAt(src, m.index), via: m[1], dynamic: true, typeOnly: false });
  }
  return found.sort((a, b) => a.line - b.line);
}

/**
 * Whether the statement whose `from` is at `at` is type-only (`import type ... from`, `export type ... from`): the
 * statement runs from the last `import`/`export` keyword before `at` (semicolons or not).
 */
function isTypeOnly(masked, at) {
  const head = masked.slice(0, at);
  const keyword = [...head.matchAll(/\b(?:import|export)\b/g)].pop();
  return keyword !== undefined && /^(?:import|export)\s+type\b[^;]*$/.test(head.slice(keyword.index));
}

/** (a) Upward, sideways and unplaced imports of one file. */
function checkImports(srcDir, file, src, masked, allow, used) {
  const rel = relative(srcDir, file).split(sep).join('/');
  const from = floorOf(rel);
  const out = [];
  if (from.floor < 0)
    out.push({ kind: 'imports', file: rel, line: 1, message: `"${from.key}" has no floor in FLOORS` });
  for (const imp of importsOf(src, masked)) {
    if (!imp.spec.startsWith('.')) continue; // packages and node: builtins
    const target = relative(srcDir, resolve(dirname(file), imp.spec))
      .split(sep)
      .join('/');
    if (target.startsWith('..')) continue; // outside src/ (e.g. package.json)
    if (from.floor < 0) continue;
    const toRel = target.replace(/\.js$/, '.ts');
    const to = floorOf(toRel);
    if (isDeclaration(rel) && !imp.typeOnly && !imp.dynamic && !isDeclaration(toRel) && to.floor < CONFIG_FLOOR) {
      out.push({
        kind: 'imports',
        file: rel,
        line: imp.line,
        message: `declaration not a leaf: imports ${toRel} at load time (see DECLARATIONS): '${imp.spec}'`,
      });
      continue;
    }
    if (to.key === from.key) continue;
    if (from.key === 'config' && isDeclaration(toRel)) continue; // the schema is assembled from the declarations
    const how = imp.via ? ` through the variable ${imp.via}` : '';
    let problem = null;
    if (to.floor < 0) problem = `"${to.key}" has no floor in FLOORS`;
    else if (to.floor < from.floor)
      problem = `upward: ${from.key} (floor ${from.floor}) imports ${to.key} (floor ${to.floor})`;
    else if (to.floor === from.floor)
      problem = `sideways: ${from.key} and ${to.key} share floor ${from.floor}`;
    if (!problem) continue;
    const key = `${rel}:${imp.spec}`;
    if (allow.imports[key]) used.add(key);
    else out.push({ kind: 'imports', file: rel, line: imp.line, message: `${problem}: '${imp.spec}'${how}` });
  }
  return out;
}

/** (b) The first line must be a comment saying what the file holds. */
function checkHeader(rel, src) {
  const first = src.split('\n', 1)[0].trim();
  if (first.startsWith('//') || first.startsWith('/*')) return [];
  return [
    {
      kind: 'header',
      file: rel,
      line: 1,
      message: 'the first line is not a comment saying what the file holds',
    },
  ];
}

const NOT_METHODS = new Set([
  'if',
  'for',
  'while',
  'switch',
  'catch',
  'with',
  'return',
  'function',
  'await',
  'new',
  'typeof',
  'do',
  'else',
  'super',
  'this',
  'import',
  'export',
  'void',
  'delete',
  'throw',
  'yield',
  'case',
  'in',
  'of',
]);

/** Index of the bracket closing the one at `open` in masked code (or -1). */
function matchBracket(masked, open) {
  const pairs = { '(': ')', '[': ']', '{': '}' };
  const close = pairs[masked[open]];
  let depth = 0;
  for (let i = open; i < masked.length; i++) {
    const c = masked[i];
    if (c === masked[open]) depth++;
    else if (c === close && --depth === 0) return i;
  }
  return -1;
}

/**
 * Offset of the `{` opening the body after a parameter list ending at `close` (skipping a return type such as
 * `: Promise<{ a: number }>`), or -1 when no body follows (a call, an overload, an expression).
 */
function bodyAfter(masked, close, allowArrow) {
  let i = close + 1;
  while (/\s/.test(masked[i] ?? '')) i++;
  if (masked[i] === '{') return i;
  if (allowArrow && masked.startsWith('=>', i)) return arrowBody(masked, i + 2);
  if (masked[i] !== ':') return -1;
  // a return type: skip balanced (), [], <> and type-literal {} until a { that follows a complete type
  let angle = 0;
  let prev = ':';
  for (i++; i < masked.length; i++) {
    const c = masked[i];
    if (/\s/.test(c)) continue;
    if (c === '(' || c === '[') {
      prev = c === '(' ? ')' : ']'; // after `(...)` a `=>` belongs to a function type, after `T[]` to the arrow
      i = matchBracket(masked, i);
      if (i < 0) return -1;
      continue;
    }
    if (c === '<') angle++;
    else if (c === '>' && masked[i - 1] !== '=') angle--;
    else if (c === '{') {
      if (angle > 0 || /[:|&,<(=]/.test(prev) || masked.startsWith('=>', i - 2)) {
        i = matchBracket(masked, i);
        if (i < 0) return -1;
        prev = '}';
        continue;
      }
      return i;
    } else if (c === ';' || c === '}' || c === ')') return -1;
    else if (
      allowArrow &&
      c === '=' &&
      masked[i + 1] === '>' &&
      angle === 0 &&
      prev !== '(' &&
      prev !== ')'
    ) {
      return arrowBody(masked, i + 2);
    }
    prev = c;
  }
  return -1;
}

/** The body start of an arrow function whose `=>` ends at `at`: its `{`, or the expression start (negative-coded). */
function arrowBody(masked, at) {
  let i = at;
  while (/\s/.test(masked[i] ?? '')) i++;
  return masked[i] === '{' ? i : -(i + 2); // -(i+2): an expression body starting at i
}

/** End offset (exclusive) of an expression body starting at `at`: the first `;`, `,` or closing bracket at depth 0. */
function expressionEnd(masked, at) {
  let depth = 0;
  for (let i = at; i < masked.length; i++) {
    const c = masked[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      if (depth === 0) return i;
      depth--;
    } else if ((c === ';' || c === ',') && depth === 0) return i;
  }
  return masked.length;
}

/**
 * The functions of a file with their line spans: function declarations and expressions, class and object
 * methods (getters, setters, constructors), and arrow functions or function expressions assigned to a const/let.
 */
export function functionsOf(src, masked = maskSource(src)) {
  const found = new Map(); // body offset -> { name, line, body }
  const add = (name, headAt, body) => {
    if (body === -1 || found.has(body)) return;
    let endLine;
    if (body >= 0) {
      const close = matchBracket(masked, body);
      if (close < 0) return;
      endLine = lineAt(src, close);
    } else {
      endLine = lineAt(src, Math.max(-body - 2, expressionEnd(masked, -body - 2) - 1));
    }
    const line = lineAt(src, headAt);
    found.set(body, { name, line, lines: endLine - line + 1 });
  };
  // function declarations / expressions: function name<T>(...) ... {
  for (const m of masked.matchAll(/\bfunction\b\s*\*?\s*([A-Za-z_$][\w$]*)?\s*(<[^(]*>)?\s*\(/g)) {
    const open = m.index + m[0].length - 1;
    const close = matchBracket(masked, open);
    if (close < 0) continue;
    const before = masked.slice(0, m.index);
    const assigned = /\b(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=]*)?=\s*(?:async\s+)?$/.exec(before);
    add(m[1] ?? assigned?.[1] ?? '<anonymous function>', m.index, bodyAfter(masked, close, false));
  }
  // arrow functions assigned to a const/let/var: const name = async <T>(...) => ... / const name = x => ...
  const arrowRe =
    /\b(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=;]*)?=\s*(?:async\s+)?(?:<[^(=]*>\s*)?(\(|[A-Za-z_$][\w$]*\s*=>)/g;
  for (const m of masked.matchAll(arrowRe)) {
    if (m[2] === '(') {
      const open = m.index + m[0].length - 1;
      const close = matchBracket(masked, open);
      if (close < 0) continue;
      const body = bodyAfter(masked, close, true);
      // `const x = (a + b) * c` is not a function: only accept when `=>` was found
      if (body === -1) continue;
      const between = masked.slice(close + 1, body >= 0 ? body : -body - 2);
      if (!between.includes('=>')) continue;
      add(m[1], m.index, body);
    } else {
      add(m[1], m.index, arrowBody(masked, m.index + m[0].length));
    }
  }
  // methods at the start of a line: [modifiers] name<T>(...) [: type] {
  const methodRe =
    /^[ \t]*(?:(?:public|private|protected|static|async|override|readonly|abstract|get|set)\s+)*\*?\s*([A-Za-z_$][\w$]*|\[[^\]\n]+\])\s*(?:<[^(\n]*>)?\s*\(/gm;
  for (const m of masked.matchAll(methodRe)) {
    if (NOT_METHODS.has(m[1])) continue;
    const open = m.index + m[0].length - 1;
    const close = matchBracket(masked, open);
    if (close < 0) continue;
    const body = bodyAfter(masked, close, false);
    if (body < 0) continue;
    add(m[1], m.index + m[0].search(/\S/), body);
  }
  return [...found.values()].sort((a, b) => a.line - b.line);
}

/** (c) Functions longer than MAX_FUNCTION_LINES that are not in the ALLOWLIST. */
function checkLengths(rel, src, masked, allow, used) {
  const out = [];
  for (const f of functionsOf(src, masked)) {
    if (f.lines <= MAX_FUNCTION_LINES) continue;
    if (allow.length[`${rel}:${f.name}`]) {
      used.add(`${rel}:${f.name}`);
      continue;
    }
    out.push({
      kind: 'length',
      file: rel,
      line: f.line,
      message: `${f.name} is ${f.lines} lines (max ${MAX_FUNCTION_LINES})`,
    });
  }
  return out;
}

/**
 * Every violation under `srcDir` of the kinds in `only` (default: all three), less those in the allowlists
 * `allow` (default: IMPORT_ALLOWLIST and ALLOWLIST); allowlist entries that match nothing are violations.
 */
export function checkArchitecture(
  srcDir,
  only = KINDS,
  allow = { imports: IMPORT_ALLOWLIST, length: ALLOWLIST },
) {
  const violations = [];
  const used = new Set();
  for (const file of listTs(srcDir)) {
    const rel = relative(srcDir, file).split(sep).join('/');
    const src = readFileSync(file, 'utf8');
    const masked = maskSource(src);
    if (only.includes('imports')) violations.push(...checkImports(srcDir, file, src, masked, allow, used));
    if (only.includes('header')) violations.push(...checkHeader(rel, src));
    if (only.includes('length')) violations.push(...checkLengths(rel, src, masked, allow, used));
  }
  for (const kind of ['imports', 'length']) {
    if (!only.includes(kind)) continue;
    for (const key of Object.keys(allow[kind])) {
      if (used.has(key)) continue;
      const file = key.slice(0, key.indexOf(':'));
      const message = `stale allowlist entry "${key}": nothing to allow any more; remove it from scripts/check-architecture.mjs`;
      violations.push({ kind, file, line: 1, message });
    }
  }
  return violations;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const onlyArg = args.find((a) => a.startsWith('--only='));
  const only = onlyArg ? onlyArg.slice('--only='.length).split(',') : KINDS;
  const bad = only.filter((k) => !KINDS.includes(k));
  if (bad.length > 0) {
    console.error(`check-architecture: unknown kind(s) ${bad.join(', ')} (known: ${KINDS.join(', ')})`);
    process.exit(2);
  }
  const root = args.find((a) => !a.startsWith('--')) ?? join(dirname(fileURLToPath(import.meta.url)), '..');
  const allow = args.includes('--no-allowlist') ? { imports: {}, length: {} } : undefined;
  const violations = checkArchitecture(join(root, 'src'), only, allow);
  const counts = Object.fromEntries(only.map((k) => [k, violations.filter((v) => v.kind === k).length]));
  if (json) process.stdout.write(`${JSON.stringify({ violations, counts }, null, 2)}\n`);
  else {
    for (const v of violations) process.stdout.write(`${v.kind} src/${v.file}:${v.line} ${v.message}\n`);
    const total = Object.entries(counts)
      .map(([k, c]) => `${c} ${k}`)
      .join(', ');
    process.stderr.write(`check-architecture: ${violations.length === 0 ? 'ok' : total}\n`);
  }
  process.exit(violations.length > 0 ? 1 : 0);
}
