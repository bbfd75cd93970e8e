// Run directories <output.root>/<experiment>/<run id>/: run.json, the resolved config, contained writes.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import Papa from 'papaparse';
import { UserError } from '../errors.js';
import { RUN_ID_LENGTH } from '../config/hash.js';
import type { LoadedConfig } from '../config/load.js';
import { writeFileAtomic } from './atomic.js';
import { gitState, softwareVersions } from './provenance.js';

/**
 * One run's output folder, `<output.root>/<experiment>/<run-id>/`, with run-id = the first 12 hex characters
 * of the config hash: the stages of one config (`pretrain`, then `finetune`, ...) share it, and `ecgssl run`
 * can skip stages whose outputs exist. All writes are atomic.
 */
export interface RunDir {
  /** Absolute path of the folder. */
  dir: string;
  /** The run id (first 12 hex characters of the config hash). */
  id: string;
  /** Absolute path of a file or folder inside the run directory. */
  path(...parts: string[]): string;
  /** Writes pretty JSON (creating parent folders). */
  writeJson(rel: string, obj: unknown): Promise<void>;
  /** Writes text or bytes (creating parent folders). */
  writeText(rel: string, text: string | Uint8Array): Promise<void>;
  /** Writes rows as CSV (header = union of the rows' keys, in first-seen order). */
  writeCsv(rel: string, rows: Record<string, unknown>[]): Promise<void>;
  /** Whether a file or folder exists inside the run directory. */
  exists(rel: string): boolean;
  /** Deep-merges `patch` into run.json (objects merge, everything else replaces) and rewrites it. */
  updateRunJson(patch: Record<string, unknown>): Promise<void>;
}

/** The file name of the run's metadata. */
export const RUN_JSON = 'run.json';
/** The file name of the resolved config. */
export const RESOLVED_CONFIG = 'config.resolved.yaml';

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Recursive merge: plain objects merge key by key; arrays and scalars replace; `undefined` values are skipped. */
export function deepMerge(base: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) continue;
    const prev = out[k];
    out[k] = isPlainObject(prev) && isPlainObject(v) ? deepMerge(prev, v) : v;
  }
  return out;
}

/** Rows to CSV text through papaparse; the header is the union of the rows' keys in first-seen order. */
export function toCsv(rows: readonly Record<string, unknown>[]): string {
  const fields: string[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    for (const k of Object.keys(row)) {
      if (!seen.has(k)) {
        seen.add(k);
        fields.push(k);
      }
    }
  }
  const data = rows.map((row) =>
    fields.map((f) => {
      const v = row[f];
      if (v === undefined || v === null) return '';
      if (typeof v === 'object') return JSON.stringify(v);
      return v;
    }),
  );
  return Papa.unparse({ fields, data }, { newline: '\n' }) + '\n';
}

/** The object in run.json at `file` ({} when missing or not an object); invalid JSON is a UserError. */
export function readRunJson(file: string): Record<string, unknown> {
  if (!existsSync(file)) return {};
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return isPlainObject(parsed) ? parsed : {};
  } catch (err) {
    throw new UserError(`openRunDir: ${file} is not valid JSON (${(err as Error).message}); delete it to start over`);
  }
}

// run.json updates of one process are serialised, so concurrent stage writes never lose a patch.
const runJsonQueues = new Map<string, Promise<void>>();

/**
 * Creates (or reopens) the run directory of a loaded config and writes `config.resolved.yaml` and `run.json`
 * (config hash, seed, experiment, software versions, node version, git commit, creation time; stages and the
 * backend report are added as the run goes).
 */
export async function openRunDir(loaded: LoadedConfig): Promise<RunDir> {
  const { config, hash } = loaded;
  const id = hash.slice(0, RUN_ID_LENGTH);
  const dir = resolve(config.output.root, config.experiment, id);
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw new UserError(`openRunDir: cannot create run directory "${dir}": ${(err as Error).message}`);
  }
  const runJsonPath = join(dir, RUN_JSON);

  const inside = (rel: string): string => {
    const p = resolve(dir, rel);
    const r = relative(dir, p);
    if (r.startsWith('..') || isAbsolute(r)) throw new UserError(`RunDir: path "${rel}" leaves the run directory`);
    return p;
  };
  const write = async (rel: string, data: string | Uint8Array): Promise<void> => {
    const p = inside(rel);
    await mkdir(dirname(p), { recursive: true });
    await writeFileAtomic(p, data);
  };
  const updateRunJson = (patch: Record<string, unknown>): Promise<void> => {
    const prev = runJsonQueues.get(runJsonPath) ?? Promise.resolve();
    const next = prev
      .catch(() => undefined)
      .then(async () => {
        const merged = deepMerge(readRunJson(runJsonPath), { ...patch, updatedAt: new Date().toISOString() });
        await writeFileAtomic(runJsonPath, JSON.stringify(merged, null, 2) + '\n');
      });
    runJsonQueues.set(runJsonPath, next);
    return next;
  };

  const run: RunDir = {
    dir,
    id,
    path: (...parts) => inside(join(...parts)),
    writeJson: (rel, obj) => write(rel, JSON.stringify(obj, null, 2) + '\n'),
    writeText: write,
    writeCsv: (rel, rows) => write(rel, toCsv(rows)),
    exists: (rel) => existsSync(inside(rel)),
    updateRunJson,
  };

  await write(RESOLVED_CONFIG, loaded.yamlText);
  const existing = readRunJson(runJsonPath);
  const git = gitState();
  await updateRunJson({
    runId: id,
    configHash: hash,
    experiment: config.experiment,
    seed: config.seed,
    configFile: loaded.path || null,
    createdAt: typeof existing.createdAt === 'string' ? existing.createdAt : new Date().toISOString(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    versions: softwareVersions(),
    git: git ?? null,
    engine: { preference: config.engine.backend, threads: config.engine.threads ?? null, dnnl: config.engine.dnnl, fftConv: config.engine.fftConv, precision: config.engine.precision },
  });
  return run;
}
