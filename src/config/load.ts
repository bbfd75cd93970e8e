// Loading a config: YAML file + `--set` overrides + flags, schema-validated, with located error messages.
import { readFile } from 'node:fs/promises';
import {
  isMap,
  isScalar,
  LineCounter,
  parse as parseYaml,
  parseDocument,
  stringify,
  type Document,
} from 'yaml';
import type { z } from 'zod';
import { UserError } from '../errors.js';
import { excerpt } from '../util/excerpt.js';
import { configHash } from './hash.js';
import { configSchema, type Config } from './schema.js';
import { objectKeys, schemaAt, schemaAtValue, unionDiscriminator } from './schemaPath.js';

/** A validated configuration as the commands receive it. */
export interface LoadedConfig {
  /** The resolved config: defaults < YAML file < `--set` < flags (`--seed`, `--backend`). */
  config: Config;
  /** {@link configHash} of `config` (hex SHA-256); the run id is its first 12 characters. */
  hash: string;
  /** The YAML file it came from ('' when none was given). */
  path: string;
  /** The resolved config as YAML (what `config.resolved.yaml` holds). */
  yamlText: string;
}

/** One override applied on top of the YAML file. */
export interface ConfigOverride {
  /** Path in the config, e.g. `['pretrain', 'epochs']`. */
  path: string[];
  /** The value; `null` removes the key so that its default applies. */
  value: unknown;
  /** How the user wrote it, for error messages (e.g. `--set pretrain.epochs=5`, `--seed`). */
  label: string;
}

export interface LoadConfigArgs {
  /** YAML file; omitted: start from an empty document (only defaults and overrides). */
  path?: string;
  /** YAML text to use instead of reading `path` (tests, stdin); `path` then only labels messages. */
  text?: string;
  /** `key.path=value` strings from `--set`, applied in order. */
  sets?: readonly string[];
  /** Overrides applied after the `--set` ones (the CLI's `--seed`, `--backend`). */
  overrides?: readonly ConfigOverride[];
}

const SET_FORMAT = 'expected key.path=value, e.g. --set pretrain.epochs=5';

/**
 * Parses one `--set key.path=value` string. The value uses YAML scalar semantics: `5` is a number, `true` a
 * boolean, `[1, 2]` a list, `"5"` a string, `null` (or nothing) removes the key. The path must exist in the
 * config schema.
 */
export function parseSetOverride(text: string): ConfigOverride {
  const label = `--set ${text}`;
  const eq = text.indexOf('=');
  if (eq <= 0) throw new UserError(`parseSetOverride: bad --set "${text}": ${SET_FORMAT}`);
  const key = text.slice(0, eq).trim();
  const raw = text.slice(eq + 1);
  const path = key.split('.');
  if (path.some((p) => p.length === 0))
    throw new UserError(`parseSetOverride: bad --set key "${key}": ${SET_FORMAT}`);
  checkPathExists(path, label);
  let value: unknown;
  try {
    value = raw.trim() === '' ? null : (parseYaml(raw) as unknown);
  } catch (err) {
    throw new UserError(`${label}: value is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  return { path, value: value ?? null, label };
}

function checkPathExists(path: readonly string[], label: string): void {
  if (schemaAt(configSchema, path)) return;
  // Name the first segment that does not exist, and what would be valid there.
  for (let i = 0; i < path.length; i++) {
    if (!schemaAt(configSchema, path.slice(0, i + 1))) {
      const parent = schemaAt(configSchema, path.slice(0, i));
      const keys = parent ? objectKeys(parent) : undefined;
      const bad = path.slice(0, i + 1).join('.');
      const hint = keys ? suggestion(path[i] ?? '', keys) : '';
      const valid = keys ? ` (valid keys there: ${keys.join(', ')})` : '';
      throw new UserError(`${label}: unknown config key "${bad}"${hint || valid}`);
    }
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Applies one override to a raw (unvalidated) config object in place, creating intermediate objects/lists. */
export function applyOverride(raw: Record<string, unknown>, o: ConfigOverride): void {
  let node: Record<string, unknown> | unknown[] = raw;
  for (let i = 0; i < o.path.length - 1; i++) {
    const key = o.path[i] as string;
    const nextIsIndex = /^\d+$/.test(o.path[i + 1] ?? '');
    const container = node as Record<string, unknown>;
    let child = container[key];
    if (!isPlainObject(child) && !Array.isArray(child)) {
      if (child !== undefined && child !== null) {
        throw new UserError(`${o.label}: "${o.path.slice(0, i + 1).join('.')}" is not a mapping or list`);
      }
      child = nextIsIndex ? [] : {};
      container[key] = child;
    }
    node = child as Record<string, unknown> | unknown[];
  }
  const last = o.path[o.path.length - 1] as string;
  const container = node as Record<string, unknown>;
  if (o.value === null) {
    if (Array.isArray(node))
      throw new UserError(`${o.label}: cannot remove a list element; set the whole list`);
    delete container[last];
  } else {
    container[last] = o.value;
  }
}

function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j] as number;
      row[j] = Math.min(
        (row[j] as number) + 1,
        (row[j - 1] as number) + 1,
        prev + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      prev = tmp;
    }
  }
  return row[b.length] as number;
}

function suggestion(key: string, candidates: readonly string[]): string {
  let best = '';
  let bestD = Infinity;
  for (const c of candidates) {
    const d = levenshtein(key.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best && bestD <= Math.max(2, Math.floor(key.length / 3)) ? ` (did you mean "${best}"?)` : '';
}

/**
 * `unknown key "x"` with a "did you mean" among the keys valid there; inside `data` (a union on `kind`) the keys
 * are those of the given kind, listed when none is close.
 */
function unknownKeyMessage(key: string, path: readonly string[], raw: unknown): string {
  const allowed = objectKeys(schemaAtValue(configSchema, path, raw) ?? configSchema) ?? [];
  const hint = suggestion(key, allowed);
  const disc = unionDiscriminator(schemaAt(configSchema, path) ?? configSchema);
  if (hint || disc === undefined) return `unknown key "${key}"${hint}`;
  const kind = JSON.stringify(valueAt(raw, [...path, disc]));
  return `unknown key "${key}" (${[...path, disc].join('.')} ${kind} takes: ${allowed.join(', ')})`;
}

type Pos = { line: number; col: number };

/** Source position of the node at `path` (or of the key `key` inside it); nearest existing ancestor otherwise. */
function locate(doc: Document, lc: LineCounter, path: readonly PropertyKey[], key?: string): Pos | undefined {
  const p = path.map((s) => (typeof s === 'number' ? s : String(s)));
  for (let n = p.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(p.slice(0, n), true);
    if (!node || typeof node !== 'object' || !('range' in node)) continue;
    if (n === p.length && key !== undefined && isMap(node)) {
      const pair = node.items.find((it) => isScalar(it.key) && String(it.key.value) === key);
      const range = pair && isScalar(pair.key) ? pair.key.range : undefined;
      if (range) return lc.linePos(range[0]);
    }
    const range = (node as { range?: [number, number, number] | null }).range;
    if (range) return lc.linePos(range[0]);
  }
  return undefined;
}

function dotted(path: readonly PropertyKey[]): string {
  return path.length === 0 ? '(top level)' : path.map(String).join('.');
}

function startsWith(path: readonly string[], prefix: readonly string[]): boolean {
  return prefix.length <= path.length && prefix.every((p, i) => path[i] === p);
}

function valueAt(raw: unknown, path: readonly string[]): unknown {
  let v = raw;
  for (const p of path)
    v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[p] : undefined;
  return v;
}

function friendlyMessage(issue: z.core.$ZodIssue, raw: unknown): string {
  const options = (issue as { options?: unknown }).options;
  if (issue.code === 'invalid_union' && 'discriminator' in issue && Array.isArray(options)) {
    // A `data.kind` that names no reader: worded as the enum it replaces.
    const expected = options.map((o) => JSON.stringify(o)).join('|');
    return valueAt(raw, issue.path.map(String)) === undefined
      ? `required key is missing (expected one of ${expected})`
      : `Invalid option: expected one of ${expected}`;
  }
  const m = issue.message;
  const missing = /^Invalid input: expected (.+), received undefined$/.exec(m);
  if (missing) return `required key is missing (expected ${missing[1]})`;
  return m;
}

/**
 * Resolves a config from YAML text plus overrides, or throws a {@link UserError} whose details list every
 * problem as `file:line:col dotted.path: message` (overrides as `--set key=value dotted.path: message`).
 */
export function resolveConfig(
  text: string,
  fileLabel: string,
  overrides: readonly ConfigOverride[] = [],
): LoadedConfig {
  const label = fileLabel || '(no --config)';
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const lines = doc.errors.map((e) => {
      const pos = e.linePos?.[0] ?? lc.linePos(e.pos[0]);
      return `${label}:${pos.line}:${pos.col} YAML syntax: ${excerpt(e.message.split('\n')[0] ?? '', 200)}`;
    });
    throw new UserError(`config ${label} is not valid YAML`, lines);
  }
  let js: unknown;
  try {
    // Unresolved or excessive aliases (a "billion laughs" document) throw here.
    js = doc.toJS({ maxAliasCount: 1000 }) as unknown;
  } catch (err) {
    throw new UserError(`config ${label} is not valid YAML: ${excerpt((err as Error).message, 200)}`);
  }
  if (js !== null && js !== undefined && !isPlainObject(js)) {
    throw new UserError(
      `config ${label}:1:1 must be a mapping of keys (e.g. "data:", "pretrain:"), not a ${Array.isArray(js) ? 'list' : typeof js}`,
    );
  }
  const raw: Record<string, unknown> = isPlainObject(js) ? js : {};
  for (const o of overrides) applyOverride(raw, o);

  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const found: { order: number; text: string }[] = [];
    for (const issue of parsed.error.issues) {
      const path = issue.path.map((s) => String(s));
      const keys = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
      for (const key of keys) {
        const full = key === undefined ? path : [...path, key];
        let message = friendlyMessage(issue, raw);
        if (key !== undefined) message = unknownKeyMessage(key, path, raw);
        // An override whose value contains the bad field is to blame; otherwise the file.
        const blamed = [...overrides].reverse().find((o) => startsWith(full, o.path));
        let where: string;
        // File problems sort by position, override problems after them.
        let order = Number.MAX_SAFE_INTEGER;
        if (blamed) {
          where = blamed.label;
        } else if (!fileLabel) {
          where = label;
        } else {
          const pos = locate(doc, lc, path, key) ?? { line: 1, col: 1 };
          where = `${label}:${pos.line}:${pos.col}`;
          order = pos.line * 100000 + pos.col;
        }
        found.push({ order, text: excerpt(`${where} ${dotted(full)}: ${message}`, 300) });
      }
    }
    const details = found.sort((a, b) => a.order - b.order).map((f) => f.text);
    const n = details.length;
    throw new UserError(`config ${label} is invalid (${n} problem${n === 1 ? '' : 's'})`, details);
  }
  const config = parsed.data;
  return { config, hash: configHash(config), path: fileLabel, yamlText: resolvedYaml(config) };
}

/** The resolved config as YAML (with a header comment); parsing it back gives the same config. */
export function resolvedYaml(config: Config): string {
  return `# Resolved ecgssl configuration (all defaults filled in).\n${stringify(config, { lineWidth: 0 })}`;
}

/** Reads, parses, overrides and validates a config file (see {@link resolveConfig}). */
export async function loadConfig(args: LoadConfigArgs): Promise<LoadedConfig> {
  let text = args.text ?? '';
  const path = args.path ?? '';
  if (args.text === undefined && path) {
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why =
        code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder' : (err as Error).message;
      throw new UserError(`loadConfig: cannot read config "${path}": ${why}`);
    }
  }
  const overrides = [...(args.sets ?? []).map(parseSetOverride), ...(args.overrides ?? [])];
  return resolveConfig(text, path, overrides);
}
