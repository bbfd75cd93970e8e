import { existsSync, readFileSync } from 'node:fs';
import type { LoadedConfig } from '../config/load.js';
import { readRunJson, RUN_JSON, type RunDir } from '../results/runDir.js';
import { encoderDirFor } from './pretrainStage.js';
import { parseFractions } from './finetuneStage.js';
import type { RunSummary } from './stageResults.js';

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
    const want = parseFractions(fractions).map((f) => f.fraction);
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
