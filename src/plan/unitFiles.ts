// Where a plan's units keep their outputs and locks, and whether a unit is done (read from the run directory).
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Config } from '../config/schema.js';
import { storeKey } from '../datasets/store.js';
import { syntheticIsCurrent, syntheticSettings } from '../datasets/readers/synthetic/index.js';
import {
  encoderFingerprint,
  foldUnitName,
  foldUnitRel,
  readFoldUnit,
  type FoldUnitFile,
} from '../training/foldUnits.js';
import { ALL_LABELS } from '../training/labelFraction.js';
import { prepareKey } from './prepareKey.js';
import type { Plan, PlanTask, SweepPoint } from './types.js';

/** The task id without its sweep-point prefix (`p2-finetune-f3` -> `finetune-f3`): the unit's name inside its run dir. */
export function unitName(task: PlanTask): string {
  return task.id.replace(/^p\d+-/, '');
}

/** The run directory of a sweep point under `root` (default: the point's output.root). */
export function pointRunDir(point: SweepPoint, root?: string): string {
  const c = point.loaded.config;
  return resolve(root ?? c.output.root, c.experiment, point.runId);
}

/** The label fraction of a finetune (100 %) or evaluate unit. */
function unitFraction(task: PlanTask): string {
  return task.stage === 'finetune' ? ALL_LABELS.label : (task.labelFraction ?? ALL_LABELS.label);
}

/**
 * Relative path (inside the run dir) of a finetune/evaluate unit's fold unit file, `units/f<k>-<fraction>.json`
 * (training/foldUnits): `finetune-f3` and `evaluate-f3-100pct` share `units/f3-100pct.json`.
 */
export function unitResultRel(task: PlanTask): string {
  return foldUnitRel(task.fold ?? 0, unitFraction(task));
}

/**
 * The complete fold unit of a finetune/evaluate task made with the point's config hash and its current encoder,
 * or undefined. `root` relocates the run dirs.
 */
export function readTaskUnit(plan: Plan, task: PlanTask, root?: string): FoldUnitFile | undefined {
  const point = plan.points[task.point]!;
  const dir = pointRunDir(point, root);
  const scope = point.loaded.config.pretrain.scope;
  // The fold's encoder folder, as the pretrain stage writes it (pretrainRel of its pretrain unit).
  const encoder = join(dir, 'pretrain', scope === 'fold' ? `fold-${task.fold ?? 0}` : 'all', 'encoder');
  const unit = readFoldUnit(join(dir, unitResultRel(task)), point.loaded.hash, encoderFingerprint(encoder));
  return unit?.complete ? unit : undefined;
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
  // finetune-f3 and evaluate-f3-100pct write one fold unit: one lock.
  const name =
    task.stage === 'finetune' || task.stage === 'evaluate'
      ? foldUnitName(task.fold ?? 0, unitFraction(task))
      : unitName(task);
  return join(pointRunDir(point, root), 'locks', `${name}.lock`);
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

/**
 * Whether a unit's output exists for its point's config: prepare — every window store prepared; pretrain — the
 * unit's `metrics.json` and `encoder/model.json` (written last, atomically) in the run dir; finetune / evaluate — the
 * unit's complete fold unit file with the point's config hash and encoder ({@link readTaskUnit}). `root` relocates
 * the run dirs (a results folder moved elsewhere).
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
      return readTaskUnit(plan, task, root) !== undefined;
  }
}
