// `ecgssl merge`: the run summaries of a results folder from whatever fold units its plans' tasks have written.
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { resolveConfig } from '../config/load.js';
import { UserError } from '../errors.js';
import { openRunDir } from '../results/runDir.js';
import type { FoldUnitFile } from '../training/foldUnits.js';
import { ALL_LABELS, parseLabelFractions } from '../training/labelFraction.js';
import type { RunSummary } from '../training/stageResults.js';
import { writeRunReportOrWarn } from '../report/index.js';
import { log } from '../util/log.js';
import { findPlanFiles, readPlanFile } from './planFile.js';
import { planTasks } from './planTasks.js';
import type { Plan } from './types.js';
import { isTaskDone, pointRunDir, readTaskUnit } from './unitFiles.js';

/** One sweep point's merge. */
export interface PointMerge {
  /** Plan point id (`p0`, ...). */
  point: string;
  runId: string;
  runDir: string;
  assignments: Record<string, unknown>;
  /** Finetune / evaluate unit result files found, of those planned. */
  unitsFound: number;
  unitsPlanned: number;
  /** The merged run summary (undefined when no unit result exists yet). */
  summary?: RunSummary;
  /** The run's report.html, rewritten after the merge (undefined when no unit result exists or it failed). */
  reportPath?: string;
}

/** What {@link mergeResults} found and wrote. */
export interface MergeResult {
  /** Plan files used (or the run dir's config.resolved.yaml). */
  plans: string[];
  points: PointMerge[];
  /** Task ids per status, in plan order (over all plans). */
  done: string[];
  missing: string[];
}

interface Located {
  source: string;
  plan: Plan;
  /** The output root the plan's run dirs live under. */
  root: string;
}

function locatePlans(dir: string): Located[] {
  const files = findPlanFiles(dir);
  if (files.length > 0)
    return files.map((f) => ({ source: f, plan: readPlanFile(f), root: dirname(dirname(dirname(f))) }));
  const resolvedPath = join(dir, 'config.resolved.yaml');
  if (existsSync(resolvedPath)) {
    const loaded = resolveConfig(readFileSync(resolvedPath, 'utf8'), resolvedPath);
    const plan = planTasks(loaded.config, { configPath: '' });
    if (plan.points.length !== 1 || plan.points[0]!.runId !== basename(dir))
      throw new UserError(
        `mergeResults: ${resolvedPath} resolves to run id ${plan.points[0]?.runId}, but the folder is ${basename(dir)}`,
      );
    return [{ source: resolvedPath, plan, root: dirname(dirname(dir)) }];
  }
  throw new UserError(
    `mergeResults: no plan under ${dir} (looked for plans/*.json, */plans/*.json and config.resolved.yaml); ` +
      'run "ecgssl plan --config <file>" or "ecgssl task" first, or pass the experiment folder <output.root>/<experiment>',
  );
}

/**
 * `ecgssl merge`: finds the plans under a results folder (an output root, an experiment folder, or one run dir),
 * and for each sweep point aggregates whatever finetune / evaluate unit results exist into the run's summary and
 * figures (the same files `ecgssl run` writes: `<stage>/folds|summary.{csv,json}`, `summary.{csv,json}`,
 * `folds.{csv,json}`, `figures/`, `report.html`). A unit counts as done when its output exists or a unit that depends on it is done.
 * Returns the merged points and the done / missing task ids.
 */
export async function mergeResults(dir: string): Promise<MergeResult> {
  const abs = resolve(dir);
  if (!existsSync(abs)) throw new UserError(`mergeResults: results folder ${dir} does not exist`);
  const located = locatePlans(abs);
  const { writeStageResults, mergeRunResults, stageFoldsFromUnits } =
    await import('../training/stageResults.js');
  const { saveTransformationGallery } = await import('../training/finetuneStage.js');
  const result: MergeResult = { plans: located.map((l) => l.source), points: [], done: [], missing: [] };
  const merged = new Set<string>();
  for (const { plan, root } of located) {
    const direct = plan.tasks.map((t) => isTaskDone(plan, t, root));
    const done = [...direct];
    // Reverse plan order visits dependants before their dependencies.
    const indexOf = new Map(plan.tasks.map((t) => [t.id, t.index]));
    for (let i = plan.tasks.length - 1; i >= 0; i--) {
      if (!done[i]) continue;
      for (const d of plan.tasks[i]!.dependsOn) done[indexOf.get(d)!] = true;
    }
    plan.tasks.forEach((t, i) => (done[i] ? result.done : result.missing).push(t.id));

    for (const point of plan.points) {
      const runDir = pointRunDir(point, root);
      if (merged.has(runDir)) continue;
      merged.add(runDir);
      const planned = plan.tasks.filter(
        (t) => t.point === point.index && (t.stage === 'finetune' || t.stage === 'evaluate'),
      );
      const found = planned
        .map((t) => ({ stage: t.stage, unit: readTaskUnit(plan, t, root) }))
        .filter((u): u is { stage: typeof u.stage; unit: FoldUnitFile } => u.unit !== undefined);
      const entry: PointMerge = {
        point: point.id,
        runId: point.runId,
        runDir,
        assignments: point.assignments,
        unitsFound: found.length,
        unitsPlanned: planned.length,
      };
      result.points.push(entry);
      if (found.length === 0) continue;
      const c = point.loaded.config;
      const loaded = { ...point.loaded, config: { ...c, output: { ...c.output, root } } };
      const run = await openRunDir(loaded);
      for (const stage of ['finetune', 'evaluate'] as const) {
        const mine = found.filter((u) => u.stage === stage).map((u) => u.unit);
        if (mine.length === 0) continue;
        const fractions =
          stage === 'finetune' ? [ALL_LABELS] : parseLabelFractions(c.evaluation.labelFractions);
        await writeStageResults(run, stageFoldsFromUnits(stage, fractions, mine));
        if (stage === 'finetune') {
          try {
            const { loadStores } = await import('../datasets/index.js');
            const stores = await loadStores(c, { progress: false });
            try {
              await saveTransformationGallery(c, stores.labelled, run.path('figures', 'transformations'));
            } finally {
              for (const s of [stores.labelled, ...stores.extra]) s.close();
            }
          } catch (err) {
            log.warn(`merge: no transformation gallery for ${point.id}: ${(err as Error).message}`);
          }
        }
      }
      entry.summary = await mergeRunResults(run);
      entry.reportPath = await writeRunReportOrWarn(run.dir);
    }
  }
  return result;
}
