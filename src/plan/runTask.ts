// runTask: runs one unit of a plan (dependencies first), each under its own lock, skipping finished units.
import { log } from '../util/log.js';
import type { AcquireLockOptions } from '../results/fileLock.js';
import { withLock } from '../results/fileLock.js';
import { writePlanFile } from './planFile.js';
import { dependencyClosure } from './planTasks.js';
import { runUnit } from './runUnit.js';
import type { Plan, PlanTask, TaskStage } from './types.js';
import { isTaskDone, unitLockPath } from './unitFiles.js';

/** What happened to one unit while running a task. */
export interface UnitOutcome {
  id: string;
  stage: TaskStage;
  /** `done`: run by this process; `skipped`: its output existed (possibly made by a concurrent task meanwhile). */
  status: 'done' | 'skipped';
  /** `dependency` when it ran because the requested task needs it. */
  role: 'task' | 'dependency';
  note: string;
  seconds: number;
}

/** Options of {@link runTask}. */
export interface RunTaskOptions {
  /** Redo the requested unit even when its output exists (its dependencies are only run when missing). */
  force?: boolean;
  /** Progress bars on stderr. */
  progress?: boolean;
  /** Lock behaviour (stale detection, polling); see acquireLock. */
  lock?: AcquireLockOptions;
}

/**
 * Runs unit `index` of `plan`, first running whichever of its dependencies have no output (in plan order). Each unit
 * runs under its own lock file (O_EXCL, stale-lock detection by pid/host/age) and is checked again once the lock is
 * held, so concurrent tasks (a job array, two shells) never run the same unit twice or write the same files at once:
 * a task that needs work another task is doing waits for it and then skips it. A unit whose output exists for the
 * same resolved-config hash is skipped unless `force` (which applies to the requested unit only).
 */
export async function runTask(plan: Plan, index: number, opts: RunTaskOptions = {}): Promise<UnitOutcome[]> {
  const target = plan.tasks[index]!;
  await writePlanFile(plan);
  const outcomes: UnitOutcome[] = [];
  for (const t of dependencyClosure(plan, target)) {
    const role = t.id === target.id ? 'task' : 'dependency';
    const force = opts.force === true && role === 'task';
    outcomes.push(await runOne(plan, t, role, force, opts));
  }
  return outcomes;
}

async function runOne(
  plan: Plan,
  t: PlanTask,
  role: 'task' | 'dependency',
  force: boolean,
  opts: RunTaskOptions,
): Promise<UnitOutcome> {
  const base = { id: t.id, stage: t.stage, role } as const;
  if (!force && isTaskDone(plan, t)) return { ...base, status: 'skipped', note: 'output exists', seconds: 0 };
  const lockPath = unitLockPath(plan, t);
  return withLock(
    lockPath,
    async () => {
      if (!force && isTaskDone(plan, t))
        return { ...base, status: 'skipped', note: 'done by a concurrent task', seconds: 0 };
      const t0 = Date.now();
      log.info(`${t.id}: running${role === 'dependency' ? ' (dependency)' : ''}`);
      const note = await runUnit(plan, t, { force, progress: opts.progress });
      const seconds = (Date.now() - t0) / 1000;
      log.info(`${t.id}: done in ${seconds.toFixed(1)} s (${note})`);
      return { ...base, status: 'done', note, seconds };
    },
    {
      ...opts.lock,
      onWait: (holder) =>
        log.info(
          `${t.id}: waiting for ${holder ? `pid ${holder.pid} on ${holder.host}` : 'another task'} (lock ${lockPath})`,
        ),
    },
  );
}
