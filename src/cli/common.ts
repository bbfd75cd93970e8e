// Shared by the config-driven commands: common options, logging, config loading, a stage in its run dir.
import { Option, type Command } from 'commander';
import { z } from 'zod';
import { UserError } from '../errors.js';
import { loadConfig, type ConfigOverride, type LoadedConfig } from '../config/load.js';
import type { BackendPreference } from '../engine/types.js';
import { log, setLogLevel } from '../util/log.js';
import { setProgressJsonMode } from '../util/progress.js';

export type { LoadedConfig } from '../config/load.js';
export type { RunDir } from '../results/runDir.js';

/** Options every config-driven command accepts (see {@link addCommonOptions}). */
export interface CommonOptions {
  /** YAML config file. */
  config?: string;
  /** `key.path=value` overrides, in order. */
  set: string[];
  /** Overrides `seed`. */
  seed?: number;
  /** Results as JSON on stdout. */
  json: boolean;
  /** No info logs or progress on stderr (warnings and errors still show). */
  quiet: boolean;
  /** Debug logs and stack traces. */
  verbose: boolean;
  /** Overrides `engine.backend`. */
  backend?: BackendPreference;
  /** Recompute stages whose outputs exist (commands that add a `--force` flag). */
  force?: boolean;
}

const BACKENDS = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;

const commonOptionsSchema = z.object({
  config: z.string().min(1).optional(),
  set: z.array(z.string()).default([]),
  seed: z.number().int().optional(),
  json: z.boolean().default(false),
  quiet: z.boolean().default(false),
  verbose: z.boolean().default(false),
  backend: z.enum(BACKENDS).optional(),
  force: z.boolean().optional(),
});

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function parseSeed(value: string): number {
  const n = Number(value);
  if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) {
    throw new UserError(`--seed: expected an integer, got "${value}"`);
  }
  return n;
}

/**
 * Adds the options shared by config-driven commands: `--config <file>`, `--set <key=value>` (repeatable),
 * `--seed <n>`, `--json`, `--quiet`, `--verbose`, `--backend <auto|tensorflow|wasm|cpu>`.
 */
export function addCommonOptions(cmd: Command): Command {
  return cmd
    .option('-c, --config <file>', 'YAML experiment config')
    .option(
      '--set <key=value>',
      'override a config key (YAML value; repeatable), e.g. --set pretrain.epochs=5',
      collect,
      [],
    )
    .option('--seed <n>', 'override the master seed', parseSeed)
    .option('--json', 'print the result as JSON on stdout', false)
    .option('-q, --quiet', 'no progress or info logs on stderr', false)
    .option('-v, --verbose', 'debug logs and stack traces', false)
    .addOption(new Option('--backend <name>', 'override engine.backend').choices([...BACKENDS]));
}

/** Validates commander's option object into {@link CommonOptions}. */
export function parseCommonOptions(raw: unknown): CommonOptions {
  const r = commonOptionsSchema.safeParse(raw ?? {});
  if (!r.success) {
    const lines = r.error.issues.map((i) => `--${i.path.map(String).join('.')}: ${i.message}`);
    throw new UserError('parseCommonOptions: invalid options', lines);
  }
  if (r.data.quiet && r.data.verbose) throw new UserError('--quiet and --verbose cannot be used together');
  return r.data;
}

/** Sets the stderr log level (`--quiet` / `--verbose`) and plain-line progress under `--json`. */
export function setupLogging(opts: Pick<CommonOptions, 'quiet' | 'verbose' | 'json'>): void {
  setLogLevel(opts.quiet ? 'quiet' : opts.verbose ? 'verbose' : 'normal');
  setProgressJsonMode(opts.json);
}

/**
 * Loads and validates the run's config: schema defaults < YAML file (`--config`) < `--set` (in order) <
 * `--seed` / `--backend`. Throws a UserError listing each bad field as `file:line:col path: message`.
 */
export async function loadRunConfig(opts: CommonOptions): Promise<LoadedConfig> {
  const overrides: ConfigOverride[] = [];
  if (opts.seed !== undefined) overrides.push({ path: ['seed'], value: opts.seed, label: '--seed' });
  if (opts.backend !== undefined) {
    overrides.push({ path: ['engine', 'backend'], value: opts.backend, label: '--backend' });
  }
  if (opts.config === undefined && opts.set.length === 0) {
    throw new UserError('no config given: pass --config <file.yaml> (e.g. --config configs/quickstart.yaml)');
  }
  const loaded = await loadConfig({ path: opts.config, sets: opts.set, overrides });
  log.debug(`config ${loaded.path || '(none)'} hash ${loaded.hash}`);
  return loaded;
}

// Stage recording lives with the pipeline (training); re-exported for the commands.
export { loadedTfEngine, withRunDir } from '../training/withRunDir.js';
