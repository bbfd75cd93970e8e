// emitSlurm: an sbatch job-array script running one `ecgssl task` per unit of a plan.
import { InternalError, UserError } from '../errors.js';
import { shellQuote } from './shellQuote.js';
import { taskCommand, type TaskCommandArgs } from './taskCommand.js';

/** Arguments of {@link emitSlurm}. */
export interface EmitSlurmArgs extends TaskCommandArgs {
  /** Number of tasks of the plan (the array is 0..count-1). */
  count: number;
  /** Most array elements running at once (`%P`). */
  parallel: number;
  /** `#SBATCH --job-name`. */
  jobName: string;
  /** Folder for the per-element stdout/stderr files (must exist when the job starts). */
  logDir: string;
  /** Folder the job runs in (relative paths of the config resolve against it). */
  workDir: string;
  /** CPUs per array element (default 2). */
  cpusPerTask?: number;
  /** The task ids, listed in a comment (index: id). */
  ids?: readonly string[];
  /** Add `--set engine.threads=$SLURM_CPUS_PER_TASK` (when the config leaves engine.threads unset). */
  setThreads?: boolean;
}

/**
 * A ready `sbatch` job-array script: `#SBATCH --array=0-<count-1>%<parallel>`, one element per unit of the plan, each
 * running `ecgssl task --config <file> --task-index-from-env` (Slurm sets SLURM_ARRAY_TASK_ID). An element whose
 * dependencies are not done yet does them itself under file locks, so no Slurm dependency is needed; output files
 * are `<logDir>/<job name>-<job id>_<index>.{out,err}`.
 */
export function emitSlurm(args: EmitSlurmArgs): string {
  if (!Number.isInteger(args.count) || args.count < 1)
    throw new InternalError(`emitSlurm: the plan has no task (count ${args.count})`);
  if (!Number.isInteger(args.parallel) || args.parallel < 1)
    throw new UserError(`emitSlurm: --parallel must be a positive integer, got ${args.parallel}`);
  const cpus = args.cpusPerTask ?? 2;
  const words = taskCommand(args).map(shellQuote);
  if (args.setThreads)
    words.splice(words.length - 1, 0, '--set', `"engine.threads=\${SLURM_CPUS_PER_TASK:-${cpus}}"`);
  const cmd = words.join(' ');
  const lines = [
    '#!/bin/bash',
    `#SBATCH --job-name=${args.jobName}`,
    `#SBATCH --array=0-${args.count - 1}%${args.parallel}`,
    `#SBATCH --cpus-per-task=${cpus}`,
    '#SBATCH --ntasks=1',
    `#SBATCH --output=${args.logDir}/%x-%A_%a.out`,
    `#SBATCH --error=${args.logDir}/%x-%A_%a.err`,
    `#SBATCH --chdir=${args.workDir}`,
    '#',
    `# ecgssl job array: ${args.count} unit${args.count === 1 ? '' : 's'} of work (ecgssl plan). A unit whose`,
    '# dependencies are missing runs them itself under file locks (shared work is done once); finished units',
    '# are skipped when resubmitted. Afterwards: ecgssl merge <output.root>/<experiment>',
    ...(args.ids ?? []).map((id, i) => `#   ${i}: ${id}`),
    'set -euo pipefail',
    `cd ${shellQuote(args.workDir)}`,
    `exec ${cmd}`,
    '',
  ];
  return lines.join('\n');
}
