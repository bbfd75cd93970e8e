/** What a job-array element runs: `<ecgssl> task --config <file> [overrides] --task-index-from-env`. */
export interface TaskCommandArgs {
  /** How to start ecgssl, e.g. `['ecgssl']` or `[process.execPath, '/abs/bin/ecgssl.js']`. */
  ecgssl: readonly string[];
  /** The config file (absolute, so the job can run from any folder). */
  configPath: string;
  /** Overrides to repeat in every task (`--set k=v`, `--seed n`, `--backend b`), already split into words. */
  extraArgs?: readonly string[];
}

/** The argv of one task of a job array (see {@link TaskCommandArgs}). */
export function taskCommand(args: TaskCommandArgs): string[] {
  return [
    ...args.ecgssl,
    'task',
    '--config',
    args.configPath,
    ...(args.extraArgs ?? []),
    '--task-index-from-env',
  ];
}
