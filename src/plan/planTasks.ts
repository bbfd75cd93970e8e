// The units of work of a config (prepare, pretrain, finetune, evaluate per point and fold) in dependency order.
import type { Config } from '../config/schema.js';
import { fractionSlug, parseLabelFractions } from '../training/labelFraction.js';
import { expandSweep } from './expandSweep.js';
import { prepareKey as defaultPrepareKey } from './prepareKey.js';
import type { Plan, PlanTask, SweepPoint } from './types.js';

/** Options of {@link planTasks}. */
export interface PlanTasksOptions {
  /** The config file (recorded in the plan; '' when none). */
  configPath?: string;
  /** Key of a point's prepare work: points with equal keys share one prepare unit (default {@link defaultPrepareKey}). */
  prepareKey?: (config: Config) => string;
}

/**
 * Enumerates the units of work of a config deterministically, dependencies first (stage-major, so that a job array
 * started in index order runs the shared work early): prepare (one per distinct data + preprocessing key, named
 * after the first point using it), pretrain (per point and fold when pretrain.scope is `fold`, else one per point),
 * finetune (per point and fold), evaluate (per point, fold and label fraction). The number of folds is
 * `evaluation.folds`; no data is read.
 */
export function planTasks(config: Config, opts: PlanTasksOptions = {}): Plan {
  const points: SweepPoint[] = expandSweep(config, opts.configPath ?? '');
  const keyOf = opts.prepareKey ?? defaultPrepareKey;
  const tasks: Omit<PlanTask, 'index'>[] = [];
  const prepareOf = new Map<number, string>();
  const byKey = new Map<string, string>();
  for (const p of points) {
    const key = keyOf(p.loaded.config);
    let id = byKey.get(key);
    if (id === undefined) {
      id = `${p.id}-prepare`;
      byKey.set(key, id);
      tasks.push({ id, stage: 'prepare', point: p.index, fold: null, labelFraction: null, dependsOn: [] });
    }
    prepareOf.set(p.index, id);
  }
  const pretrainOf = (p: SweepPoint, fold: number): string =>
    p.loaded.config.pretrain.scope === 'fold' ? `${p.id}-pretrain-f${fold}` : `${p.id}-pretrain`;
  for (const p of points) {
    const { config: c } = p.loaded;
    const folds = c.pretrain.scope === 'fold' ? c.evaluation.folds : 1;
    for (let k = 0; k < folds; k++) {
      tasks.push({
        id: pretrainOf(p, k),
        stage: 'pretrain',
        point: p.index,
        fold: c.pretrain.scope === 'fold' ? k : null,
        labelFraction: null,
        dependsOn: [prepareOf.get(p.index)!],
      });
    }
  }
  for (const p of points) {
    for (let k = 0; k < p.loaded.config.evaluation.folds; k++) {
      tasks.push({
        id: `${p.id}-finetune-f${k}`,
        stage: 'finetune',
        point: p.index,
        fold: k,
        labelFraction: null,
        dependsOn: [pretrainOf(p, k)],
      });
    }
  }
  for (const p of points) {
    const fractions = parseLabelFractions(p.loaded.config.evaluation.labelFractions, 'given');
    for (let k = 0; k < p.loaded.config.evaluation.folds; k++) {
      for (const f of fractions) {
        tasks.push({
          id: `${p.id}-evaluate-f${k}-${fractionSlug(f.label)}`,
          stage: 'evaluate',
          point: p.index,
          fold: k,
          labelFraction: f.label,
          dependsOn: [pretrainOf(p, k)],
        });
      }
    }
  }
  return {
    configPath: opts.configPath ?? '',
    points,
    tasks: tasks.map((t, index) => ({ index, ...t })),
  };
}

/** The units `task` needs, dependencies before dependants, ending with `task` itself (a plan's order is topological). */
export function dependencyClosure(plan: Plan, task: PlanTask): PlanTask[] {
  const byId = new Map(plan.tasks.map((t) => [t.id, t]));
  const need = new Set<string>();
  const visit = (t: PlanTask): void => {
    if (need.has(t.id)) return;
    need.add(t.id);
    for (const d of t.dependsOn) visit(byId.get(d)!);
  };
  visit(task);
  return plan.tasks.filter((t) => need.has(t.id));
}
