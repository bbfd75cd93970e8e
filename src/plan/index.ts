// The plan of a config's units of work (sweeps, job arrays, locks, task runs, merges): the public names.
export type { Plan, PlanTask, SweepPoint, TaskStage } from './types.js';
export { TASK_STAGES } from './types.js';
export { expandSweep } from './expandSweep.js';
export { formatAssignments } from './formatAssignments.js';
export { planTasks, dependencyClosure } from './planTasks.js';
export type { PlanTasksOptions } from './planTasks.js';
export { prepareKey } from './prepareKey.js';
export { taskIndexFromEnv, parseTaskIndex, TASK_INDEX_ENV_VARS } from './taskIndexFromEnv.js';
export { emitSlurm } from './emitSlurm.js';
export type { EmitSlurmArgs } from './emitSlurm.js';
export { emitK8s, dnsLabel } from './emitK8s.js';
export type { EmitK8sArgs } from './emitK8s.js';
export { taskCommand } from './taskCommand.js';
export type { TaskCommandArgs } from './taskCommand.js';
export { shellQuote } from './shellQuote.js';
export { acquireLock, withLock, isLockStale, pidAlive } from '../results/fileLock.js';
export type { FileLock, LockInfo, AcquireLockOptions } from '../results/fileLock.js';
export {
  isTaskDone,
  unitName,
  unitResultRel,
  pointRunDir,
  unitLockPath,
  readTaskUnit,
  storesPrepared,
} from './unitFiles.js';
export {
  writePlanFile,
  readPlanFile,
  findPlanFiles,
  planId,
  planFileContents,
  experimentDir,
} from './planFile.js';
export type { PlanFile } from './planFile.js';
export { runTask } from './runTask.js';
export type { RunTaskOptions, UnitOutcome } from './runTask.js';
export { runUnit } from './runUnit.js';
export type { RunUnitOptions } from './runUnit.js';
export { mergeResults } from './mergeResults.js';
export type { MergeResult, PointMerge } from './mergeResults.js';
