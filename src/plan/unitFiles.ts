import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Config } from '../config/schema.js';
import { storeKey } from '../datasets/store.js';
import { syntheticIsCurrent, syntheticSettings } from '../datasets/readers/synthetic/index.js';
import type { FoldResult, LabelFraction } from '../training/crossValidate.js';
import { prepareKey } from './prepareKey.js';
import type { Plan, PlanTask, SweepPoint } from './types.js';

/** A finetune or evaluate unit's result file, `<run dir>/units/<stage>-f<k>[-<fraction>].json`. */
export interface UnitResultFile {
  /** The task id without its point prefix, e.g. `finetune-f3`. */
  unit: string;
  stage: 'finetune' | 'evaluate';
  /** Full config hash of the point: a file of another config is never taken as done. */
  configHash: string;
  fold: number;
  fractions: LabelFraction[];
  dataset: string;
  tasks: string[];
  sslMode: 'frozen' | 'full';
  /** crossValidate's results of this fold (every task and arm). */
  folds: FoldResult[];
  finishedAt: string;
  seconds: number;
}

/** The task id without its sweep-point prefix (`p2-finetune-f3` -> `finetune-f3`): the unit's name inside its run dir. */
export function unitName(task: PlanTask): string {
  return task.id.replace(/^p\d+-/, '');
}

/** The run directory of a sweep point under `root` (default: the point's output.root). */
export function pointRunDir(point: SweepPoint, root?: string): string {
  const c = point.loaded.config;
  return resolve(root ?? c.output.root, c.experiment, point.runId);
}

/** Relative path (inside the run dir) of a finetune/evaluate unit's result file. */
export function unitResultRel(task: PlanTask): string {
  return join('units', `${unitName(task)}.json`);
}

/** Relative folder of a pretrain unit: `pretrain/all` or `pretrain/fold-<k>` (as the pretrain stage writes it). */
export function pretrainRel(task: PlanTask): string {
  return task.fold === null ? join('pretrain', 'all') : join('pretrain', `fold-${task.fold}`);
}

/** The lock file of a unit: prepare locks live in the cache folder (shared across runs), the others in the run dir. */
export function unitLockPath(plan: Plan, task: PlanTask, root?: string): string {
  const point = plan.points[task.point]!;
  if (task.stage === 'prepare') {
    const c = point.loaded.config;
    return resolve(c.output.cacheDir, '.locks', `prepare-${prepareKey(c).slice(0, 16)}.lock`);
  }
  return join(pointRunDir(point, root), 'locks', `${unitName(task)}.lock`);
}

/** Whether every window store of a config is prepared and current (synthetic data generated with its settings). */
export function storesPrepared(config: Config): boolean {
  for (const source of [config.data, ...config.pretrain.extraData]) {
    if (source.kind === 'synthetic' && !syntheticIsCurrent(source.root, syntheticSettings(source)))
      return false;
    if (!existsSync(source.root)) return false;
    const dir = join(config.output.cacheDir, storeKey(source, config.preprocessing));
    if (!existsSync(join(dir, 'index.json'))) return false;
  }
  return true;
}

/** Reads a unit result file; undefined when it is missing, unreadable or of another config hash. */
export function readUnitResult(path: string, configHash: string): UnitResultFile | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const v = JSON.parse(readFileSync(path, 'utf8')) as UnitResultFile;
    return v.configHash === configHash && Array.isArray(v.folds) ? v : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether a unit's output exists for its point's config: prepare — every window store prepared; pretrain — the
 * unit's `metrics.json` and `encoder/model.json` (written last, atomically) in the run dir; finetune / evaluate — the
 * unit's result file with the point's config hash. `root` relocates the run dirs (a results folder moved elsewhere).
 */
export function isTaskDone(plan: Plan, task: PlanTask, root?: string): boolean {
  const point = plan.points[task.point]!;
  const dir = pointRunDir(point, root);
  switch (task.stage) {
    case 'prepare':
      return storesPrepared(point.loaded.config);
    case 'pretrain': {
      const rel = pretrainRel(task);
      return (
        existsSync(join(dir, rel, 'metrics.json')) && existsSync(join(dir, rel, 'encoder', 'model.json'))
      );
    }
    case 'finetune':
    case 'evaluate':
      return readUnitResult(join(dir, unitResultRel(task)), point.loaded.hash) !== undefined;
  }
}
