// `ecgssl run`'s pipeline: prepare -> pretrain -> finetune -> evaluate in one run directory, skipping what exists.
import { existsSync, readFileSync } from 'node:fs';
import type { LoadedConfig } from '../config/load.js';
import { checkSourceRoots, prepareData } from '../datasets/index.js';
import { openRunDir, readRunJson, RUN_JSON, type RunDir } from '../results/runDir.js';
import { writeRunReportOrWarn } from '../report/index.js';
import { log } from '../util/log.js';
import { timePhaseAsync } from '../util/phaseTimer.js';
import { runEvaluateStage, runFinetuneStage } from './finetuneStage.js';
import { parseLabelFractions } from './labelFraction.js';
import { encoderDirFor, runPretrainStage } from './pretrainStage.js';
import { mergeRunResults, type RunSummary } from './stageResults.js';
import { withRunDir } from './withRunDir.js';

/** The stages of `ecgssl run`, in order. */
export const PIPELINE_STAGES = ['prepare', 'pretrain', 'finetune', 'evaluate'] as const;
export type PipelineStage = (typeof PIPELINE_STAGES)[number];

/** What happened to a stage in `ecgssl run`. */
export interface StageOutcome {
  stage: PipelineStage;
  status: 'done' | 'skipped';
  /** Why it was skipped, or a one-line result. */
  note: string;
  seconds: number;
}

/** The pipeline's result. */
export interface PipelineResult {
  runDir: string;
  stages: StageOutcome[];
  summary: RunSummary;
  /** The run's report.html (undefined when it could not be written; a warning says why). */
  reportPath?: string;
}

/** Whether every pretraining unit of the config has its encoder in the run directory. */
export function pretrainDone(loaded: LoadedConfig, run: RunDir): boolean {
  const { config } = loaded;
  const dirs =
    config.pretrain.scope === 'all'
      ? [encoderDirFor(run, 'all')]
      : Array.from({ length: config.evaluation.folds }, (_, k) => encoderDirFor(run, 'fold', k));
  return dirs.every((d) => existsSync(`${d}/model.json`));
}

/** Whether `<stage>/summary.json` exists (for evaluate: with the same label fractions). */
export function resultStageDone(
  run: RunDir,
  stage: 'finetune' | 'evaluate',
  fractions?: readonly string[],
): boolean {
  const path = run.path(stage, 'summary.json');
  if (!existsSync(path)) return false;
  if (!fractions) return true;
  try {
    const saved = JSON.parse(readFileSync(path, 'utf8')) as { fractions?: { fraction: number }[] };
    const want = parseLabelFractions(fractions).map((f) => f.fraction);
    const have = (saved.fractions ?? []).map((f) => f.fraction);
    return want.length === have.length && want.every((v, i) => Math.abs(v - have[i]!) < 1e-12);
  } catch {
    return false;
  }
}

/**
 * The engine recorded in run.json for a finished stage (`stages.<stage>.engine`, written by the CLI when the stage
 * ran), or null for runs made before it was recorded. Shown when `ecgssl run` skips the stage.
 */
export function stageEngine(run: RunDir, stage: PipelineStage): string | null {
  return recordedStageEngines(run)(stage);
}

/**
 * {@link stageEngine} for several stages with one read of run.json: reads it now and returns the lookup (null for
 * every stage when run.json is missing or unreadable).
 */
export function recordedStageEngines(run: RunDir): (stage: PipelineStage) => string | null {
  let stages: Record<string, { engine?: unknown } | undefined> | undefined;
  try {
    stages = readRunJson(run.path(RUN_JSON)).stages as typeof stages;
  } catch {
    stages = undefined;
  }
  return (stage) => {
    const e = stages?.[stage]?.engine;
    return typeof e === 'string' ? e : null;
  };
}

/** Options of {@link runPipeline}. */
export interface RunPipelineOptions {
  /** Redo every stage even when its outputs exist (pretraining from scratch, every fit again). */
  force?: boolean;
  /** Progress bars on stderr. */
  progress?: boolean;
  /** Called once the prepare stage is done (the `run` command prints the time estimate then). */
  onPrepared?: () => Promise<void>;
}

/** `, 12 of 32 fits reused` when a stage took fits from fold units persisted before; '' otherwise. */
function reusedNote(fits: { computed: number; reused: number }): string {
  return fits.reused > 0 ? `, ${fits.reused} of ${fits.computed + fits.reused} fits reused` : '';
}

/** Runs `fn` as stage `stage` unless `skip` says why not, and records the outcome. */
async function timedStage(
  stages: StageOutcome[],
  stage: PipelineStage,
  skip: string | false,
  fn: () => Promise<string>,
): Promise<void> {
  const t0 = Date.now();
  if (skip !== false) {
    log.info(`${stage}: skipped (${skip})`);
    stages.push({ stage, status: 'skipped', note: skip, seconds: 0 });
    return;
  }
  log.info(`${stage}: running`);
  const note = await fn();
  stages.push({ stage, status: 'done', note, seconds: (Date.now() - t0) / 1000 });
}

/**
 * `ecgssl run` for one resolved config (no sweep): prepare -> pretrain -> finetune -> evaluate
 * (evaluation.labelFractions) in its run directory, then its report.html, each stage recorded in run.json (withRunDir). A stage whose
 * outputs exist is skipped unless `force`; a finetune or evaluate stage that runs reuses the fits already persisted
 * in fold units (a killed run redoes only unfinished fits; evaluate at 100 % reuses finetune's). `force` redoes
 * every fit persisted before this call, once. Returns the stage outcomes and the run's merged summary.
 */
export async function runPipeline(
  loaded: LoadedConfig,
  opts: RunPipelineOptions = {},
): Promise<PipelineResult> {
  const { config } = loaded;
  const force = opts.force === true;
  const started = Date.now();
  await checkSourceRoots(config); // a missing data folder fails before the run directory is made
  const run = await openRunDir(loaded);
  const stages: StageOutcome[] = [];
  /** `, made on <engine>; --force redoes it` when run.json names the engine that produced a stage's outputs. */
  let engineOf: ((stage: PipelineStage) => string | null) | undefined;
  const madeBy = (stage: PipelineStage): string => {
    // run.json read once, at the first skipped stage (a stage that runs records only its own engine).
    engineOf ??= recordedStageEngines(run);
    const e = engineOf(stage);
    return e ? `, made on ${e}; --force redoes it` : '';
  };
  const stageOpts = { redoBefore: force ? started : undefined };
  await timedStage(stages, 'prepare', false, async () => {
    const out = await withRunDir(loaded, 'prepare', () =>
      timePhaseAsync('prepare', () => prepareData(config, { progress: opts.progress })),
    );
    const cached = out.every((s) => s.cached);
    return `${out.reduce((a, s) => a + s.windows, 0)} windows${cached ? ' (cached store)' : ''}`;
  });
  await opts.onPrepared?.();
  const pretrainSkip = !force && pretrainDone(loaded, run) ? `encoders exist${madeBy('pretrain')}` : false;
  await timedStage(stages, 'pretrain', pretrainSkip, async () => {
    const r = await withRunDir(loaded, 'pretrain', (rd) => runPretrainStage(loaded, rd, { resume: !force }));
    return `${r.units.length} encoder${r.units.length === 1 ? '' : 's'}`;
  });
  const finetuneSkip =
    !force && resultStageDone(run, 'finetune') ? `finetune/summary.json exists${madeBy('finetune')}` : false;
  await timedStage(stages, 'finetune', finetuneSkip, async () => {
    const r = await withRunDir(loaded, 'finetune', (rd) => runFinetuneStage(loaded, rd, stageOpts));
    return `finetune/summary.json${reusedNote(r.fits)}`;
  });
  const fractions = config.evaluation.labelFractions;
  const evaluateSkip =
    !force && resultStageDone(run, 'evaluate', fractions)
      ? `evaluate/summary.json exists for ${fractions.join(',')}${madeBy('evaluate')}`
      : false;
  await timedStage(stages, 'evaluate', evaluateSkip, async () => {
    const r = await withRunDir(loaded, 'evaluate', (rd) =>
      runEvaluateStage(loaded, rd, fractions, stageOpts),
    );
    return `labels ${fractions.join(',')}${reusedNote(r.fits)}`;
  });
  const summary = await timePhaseAsync('io', () => mergeRunResults(run));
  const reportPath = await timePhaseAsync('figures', () => writeRunReportOrWarn(run.dir));
  return { runDir: run.dir, stages, summary, reportPath };
}
