// A job-array task index, from --index or SLURM_ARRAY_TASK_ID / JOB_COMPLETION_INDEX / ECGSSL_TASK_INDEX.
import { UserError } from '../errors.js';

/** Environment variables holding a job-array index, in the order they are read: Slurm, Kubernetes Indexed Job, own. */
export const TASK_INDEX_ENV_VARS = [
  'SLURM_ARRAY_TASK_ID',
  'JOB_COMPLETION_INDEX',
  'ECGSSL_TASK_INDEX',
] as const;

/**
 * Parses a task index (`--index` text or an environment value) and checks it against the plan's `count` units.
 * `source` names where it came from in the error.
 */
export function parseTaskIndex(text: string, count: number, source: string): number {
  const t = text.trim();
  if (!/^\d+$/.test(t) || !Number.isSafeInteger(Number(t)))
    throw new UserError(`parseTaskIndex: ${source} must be a non-negative integer, got "${text}"`);
  const index = Number(t);
  if (index >= count)
    throw new UserError(
      `parseTaskIndex: ${source}=${index} is out of range: the plan has ${count} task${count === 1 ? '' : 's'} (indices 0..${count - 1})`,
    );
  return index;
}

/**
 * The task index of a job-array element from the environment: the first set (non-empty) of SLURM_ARRAY_TASK_ID,
 * JOB_COMPLETION_INDEX, ECGSSL_TASK_INDEX, validated against `count`. A UserError names the variable and value
 * when it is not an integer or out of range, and lists the variables when none is set.
 */
export function taskIndexFromEnv(
  env: Record<string, string | undefined>,
  count: number,
): { index: number; variable: string } {
  for (const variable of TASK_INDEX_ENV_VARS) {
    const v = env[variable];
    if (v === undefined || v.trim() === '') continue;
    return { index: parseTaskIndex(v, count, variable), variable };
  }
  throw new UserError(
    `taskIndexFromEnv: --task-index-from-env needs one of ${TASK_INDEX_ENV_VARS.join(', ')} in the environment (none is set); outside a job array use --index <i>`,
  );
}
