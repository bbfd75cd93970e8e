// A stage's fold results written to finetune/, evaluate/ and the run level: folds, summaries, figures.
import { existsSync, readFileSync } from 'node:fs';
import type { RunDir } from '../results/runDir.js';
import { UserError } from '../errors.js';
import { confusionSpec, foldAccuracySpec, labelFractionSpec, saveVegaLite } from '../plots/index.js';
import { log } from '../util/log.js';
import { differenceScores } from './crossValidate.js';
import { FOLD_METRICS, type FoldResult } from './fitFold.js';
import type { FoldUnitFile } from './foldUnits.js';
import {
  compareFractionLabels,
  fractionSlug,
  parseLabelFraction,
  type LabelFraction,
} from './labelFraction.js';
import { summarizeFolds, summaryToCsv, type Arm, type FoldScore, type SummaryRow } from './summary.js';

/** The stages that produce fold results. */
export type ResultStage = 'finetune' | 'evaluate';

/** `<stage>/folds.json`: everything a stage computed. */
export interface StageFolds {
  stage: ResultStage;
  dataset: string;
  tasks: string[];
  fractions: LabelFraction[];
  sslMode: 'frozen' | 'full';
  folds: FoldResult[];
}

/** One summary.json row: a summary.csv row plus the per-fold values as numbers. */
export interface SummaryJsonRow extends SummaryRow {
  foldValues: number[];
}

/** A fold left out by the degenerate-fold rule (see crossValidate). */
export interface SkippedFold {
  task: string;
  arm: Arm;
  labelFraction: string;
  fold: number;
  reason: string;
}

/** What summary.json holds. */
export interface RunSummary {
  rows: SummaryJsonRow[];
  skipped: SkippedFold[];
}

const ARM_ORDER: Arm[] = [
  'ssl',
  'ssl-full',
  'baseline',
  'hrv',
  'difference',
  'difference-full',
  'difference-hrv',
  'difference-full-hrv',
];

/** The arms of the label-fraction curve and their legend names. */
const CURVE_ARMS: Partial<Record<Arm, string>> = {
  ssl: 'with SSL',
  baseline: 'without SSL',
  hrv: 'heart rate (HRV)',
};

/** Sort: task, then label fraction (largest first), arm ({@link ARM_ORDER}), then fold. */
function sortScores<T extends FoldScore>(scores: readonly T[]): T[] {
  return [...scores].sort(
    (a, b) =>
      a.task.localeCompare(b.task) ||
      compareFractionLabels(a.labelFraction, b.labelFraction) ||
      ARM_ORDER.indexOf(a.arm) - ARM_ORDER.indexOf(b.arm) ||
      a.fold - b.fold,
  );
}

/** Summary rows (with the paired difference arms) and the skipped folds of fold results. */
export function summarize(folds: readonly FoldResult[]): RunSummary {
  const scores = sortScores([...folds, ...differenceScores(folds)]);
  const rows: SummaryJsonRow[] = summarizeFolds(scores).map((r) => ({
    ...r,
    foldValues: r.folds === '' ? [] : r.folds.split(';').map(Number),
  }));
  const skipped = sortScores(folds)
    .filter((f) => f.skipped !== undefined)
    .map((f) => ({
      task: f.task,
      arm: f.arm,
      labelFraction: f.labelFraction,
      fold: f.fold,
      reason: f.skipped!,
    }));
  return { rows, skipped };
}

/** folds.csv rows: one per fold / task / arm / fraction, metrics as columns, the confusion matrix as JSON. */
function foldRows(folds: readonly FoldResult[]): Record<string, unknown>[] {
  return sortScores(folds).map((f) => {
    const row: Record<string, unknown> = {
      dataset: f.dataset,
      task: f.task,
      arm: f.arm,
      labelFraction: f.labelFraction,
      fold: f.fold,
      status: f.skipped === undefined ? 'evaluated' : 'skipped',
      reason: f.skipped ?? '',
      trainWindows: f.trainWindows,
      testWindows: f.testWindows,
    };
    for (const m of FOLD_METRICS) row[m] = f.metrics?.[m] ?? '';
    row.finalLoss = f.finalLoss ?? '';
    row.seconds = f.seconds ?? '';
    row.confusion = f.confusion ? JSON.stringify(f.confusion) : '';
    return row;
  });
}

async function writeSummaryFiles(
  run: RunDir,
  prefix: string,
  folds: readonly FoldResult[],
  extra: Record<string, unknown>,
): Promise<RunSummary> {
  const summary = summarize(folds);
  await run.writeCsv(`${prefix}folds.csv`, foldRows(folds));
  await run.writeJson(`${prefix}folds.json`, { ...extra, folds: sortScores(folds) });
  await run.writeText(`${prefix}summary.csv`, summaryToCsv(summary.rows));
  await run.writeJson(`${prefix}summary.json`, { ...extra, ...summary });
  return summary;
}

async function figure(spec: object, path: string): Promise<void> {
  try {
    await saveVegaLite(spec, path);
  } catch (err) {
    log.warn(`could not render ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Per-fold accuracy bars and summed confusion matrices of one stage, under `figures/`. */
async function stageFigures(run: RunDir, data: StageFolds): Promise<void> {
  for (const frac of data.fractions) {
    const rows = data.folds.filter((f) => f.labelFraction === frac.label && f.metrics);
    if (rows.length === 0) continue;
    const slug = data.fractions.length === 1 && frac.fraction === 1 ? '' : `-${fractionSlug(frac.label)}`;
    await figure(
      foldAccuracySpec(
        rows.map((f) => ({ task: f.task, arm: f.arm, fold: f.fold, accuracy: f.metrics!.accuracy ?? 0 })),
        `${data.dataset}: per-fold test accuracy (${frac.label} labels)`,
      ),
      run.path('figures', `${data.stage}-folds-accuracy${slug}`),
    );
    const groups = new Map<string, FoldResult[]>();
    for (const f of rows) {
      const key = `${f.task}-${f.arm}`;
      groups.set(key, [...(groups.get(key) ?? []), f]);
    }
    for (const [key, list] of groups) {
      const first = list[0]!.confusion!;
      const sum = first.map((row) => row.map(() => 0));
      for (const f of list)
        f.confusion?.forEach((row, t) =>
          row.forEach((c, p) => {
            if (sum[t]) sum[t]![p] = (sum[t]![p] ?? 0) + c;
          }),
        );
      await figure(
        confusionSpec(
          sum,
          `${data.dataset} ${key.replace('-', ' ')} (${frac.label} labels, summed over folds)`,
        ),
        run.path('figures', `${data.stage}-confusion-${key}${slug}`),
      );
    }
  }
}

/**
 * A stage's fold results from its persisted fold units (every unit's fits; tasks: their union). The evaluate stage
 * lists `fractions` (largest first), the finetune stage 100 %.
 */
export function stageFoldsFromUnits(
  stage: ResultStage,
  fractions: readonly LabelFraction[],
  units: readonly FoldUnitFile[],
): StageFolds {
  return {
    stage,
    dataset: units[0]?.dataset ?? '',
    tasks: [...new Set(units.flatMap((u) => u.tasks))].sort(),
    fractions: [...fractions],
    sslMode: units[0]?.sslMode ?? 'frozen',
    folds: units.flatMap((u) => u.folds),
  };
}

/** Reads `<stage>/folds.json` of a run, or undefined when the stage has not written it. */
export function readStageFolds(run: RunDir, stage: ResultStage): StageFolds | undefined {
  const path = run.path(stage, 'folds.json');
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as StageFolds;
  } catch (err) {
    throw new UserError(
      `readStageFolds: ${path} is not valid JSON (${(err as Error).message}); rerun with --force`,
    );
  }
}

/**
 * Writes a stage's results: `<stage>/folds.{csv,json}`, `<stage>/summary.{csv,json}` and its figures, then merges
 * every stage's results into the run's `folds.{csv,json}`, `summary.{csv,json}` and the label-fraction curve.
 * Returns the stage's own summary.
 */
export async function writeStageResults(run: RunDir, data: StageFolds): Promise<RunSummary> {
  const summary = await writeSummaryFiles(run, `${data.stage}/`, data.folds, {
    stage: data.stage,
    dataset: data.dataset,
    tasks: data.tasks,
    fractions: data.fractions,
    sslMode: data.sslMode,
  });
  await stageFigures(run, data);
  await mergeRunResults(run);
  return summary;
}

/**
 * The run-level results: the fold results of `finetune` and `evaluate` together (a fold / task / arm / fraction
 * computed by both, e.g. evaluate --labels 100%, is taken from evaluate; with the same seeds it is the same fit),
 * summarised into `summary.csv` / `summary.json` (mean, sample std, n, per-fold values) and `folds.csv` /
 * `folds.json`, plus `figures/label-fraction-curve` (mean accuracy vs fraction, with and without SSL).
 */
export async function mergeRunResults(run: RunDir): Promise<RunSummary> {
  const stages = (['finetune', 'evaluate'] as const)
    .map((s) => readStageFolds(run, s))
    .filter((s): s is StageFolds => s !== undefined);
  const byKey = new Map<string, FoldResult>();
  for (const s of stages)
    for (const f of s.folds)
      byKey.set(JSON.stringify([f.dataset, f.task, f.arm, f.labelFraction, f.fold]), f);
  const folds = [...byKey.values()];
  const summary = await writeSummaryFiles(run, '', folds, {
    runDir: run.dir,
    stages: stages.map((s) => s.stage),
  });
  const curve = summary.rows
    .filter((r) => r.metric === 'accuracy' && r.arm in CURVE_ARMS)
    .map((r) => ({
      task: r.task,
      arm: CURVE_ARMS[r.arm]!,
      fraction: parseLabelFraction(r.labelFraction),
      mean: r.mean,
      std: r.std,
    }));
  if (new Set(curve.map((c) => c.fraction)).size > 1) {
    const dataset = folds[0]?.dataset ?? '';
    await figure(
      labelFractionSpec(curve, `${dataset}: test accuracy vs labelled fraction (mean +- std over folds)`),
      run.path('figures', 'label-fraction-curve'),
    );
  }
  return summary;
}
