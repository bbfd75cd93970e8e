// The finetune and evaluate stages: the fold runner over their label fractions, then the stage's results.
import type { Config } from '../config/schema.js';
import type { LoadedConfig } from '../config/load.js';
import type { RunDir } from '../results/runDir.js';
import type { WindowStore } from '../datasets/types.js';
import { applyTransformation, TRANSFORMATIONS } from '../augmentation/index.js';
import { saveVegaLite, transformationGallerySpec } from '../plots/index.js';
import { UserError } from '../errors.js';
import { deriveRng } from '../random/index.js';
import { log } from '../util/log.js';
import { timePhaseAsync } from '../util/phaseTimer.js';
import { runFolds, type FoldRunResult } from './foldRunner.js';
import { ALL_LABELS, parseLabelFractions, type LabelFraction } from './labelFraction.js';
import { stageFoldsFromUnits, writeStageResults, type RunSummary } from './stageResults.js';

/** Stream key of the transformation gallery's draws. */
const GALLERY_STREAM = 2_300_000_000;

/** Result of a finetune or evaluate stage. */
export interface StageResult {
  runDir: string;
  stage: 'finetune' | 'evaluate';
  /** The stage's own summary (the run's merged one is in `<runDir>/summary.json`). */
  summary: RunSummary;
  /** Fits trained by this stage, and taken from fold units persisted before (see runFolds). */
  fits: FoldRunResult['fits'];
}

/** Options of the finetune and evaluate stages. */
export interface StageOptions {
  /** Fold units last written before this time (ms since the epoch) are recomputed (`--force`); default: none. */
  redoBefore?: number;
}

/**
 * Vega-lite gallery of one window and its transformations (METHOD §2), one panel per entry of the transformation
 * table under its `galleryLabel`, drawn with a seeded Rng.
 */
export async function saveTransformationGallery(
  config: Config,
  store: WindowStore,
  path: string,
): Promise<void> {
  if (store.entries.length === 0) return;
  const ws = store.windowSamples;
  const win = store.read([0]);
  const rng = deriveRng(config.seed, GALLERY_STREAM);
  const out = new Float32Array(ws);
  const rows: { transformation: string; seconds: number; value: number }[] = [];
  TRANSFORMATIONS.forEach(({ galleryLabel }, t) => {
    applyTransformation(t, win, config.transformations, rng, out);
    for (let i = 0; i < ws; i++)
      rows.push({ transformation: galleryLabel, seconds: i / store.samplingRateHz, value: out[i]! });
  });
  const e = store.entries[0]!;
  await saveVegaLite(
    transformationGallerySpec(
      rows,
      `window ${e.window} of ${e.subject}/${e.recording} and its ${TRANSFORMATIONS.length - 1} transformations`,
      TRANSFORMATIONS.map((t) => t.galleryLabel),
    ),
    path,
  );
}

async function runStage(
  loaded: LoadedConfig,
  run: RunDir,
  stage: 'finetune' | 'evaluate',
  fractions: LabelFraction[],
  opts: StageOptions,
): Promise<StageResult> {
  const config = loaded.config;
  const gallery = async (store: WindowStore): Promise<void> => {
    try {
      await saveTransformationGallery(config, store, run.path('figures', 'transformations'));
    } catch (err) {
      log.warn(`could not render the transformation gallery: ${(err as Error).message}`);
    }
  };
  const r = await runFolds({
    loaded,
    run,
    stage,
    fractions,
    redoBefore: opts.redoBefore,
    withStore: stage === 'finetune' ? gallery : undefined,
  });
  const summary = await timePhaseAsync('io', () =>
    writeStageResults(run, stageFoldsFromUnits(stage, fractions, r.units)),
  );
  return { runDir: run.dir, stage, summary, fits: r.fits };
}

/**
 * The finetune stage (`ecgssl finetune`, METHOD §4 + §6): 10-fold cross-validation of every task with the SSL arm
 * (finetune.mode frozen: dense head on the frozen encoder's embeddings; full: encoder + head trained) and the
 * baseline arm (same CNN from random initialisation, trained end to end), all labels. Fits persisted by an earlier
 * (e.g. killed) run are reused (see runFolds). Writes `finetune/` and updates the run's summary.
 */
export async function runFinetuneStage(
  loaded: LoadedConfig,
  run: RunDir,
  opts: StageOptions = {},
): Promise<StageResult> {
  return runStage(loaded, run, 'finetune', [ALL_LABELS], opts);
}

/**
 * The evaluate stage (`ecgssl evaluate --labels 1%`, METHOD §6 label-scarce study): per fold and task, the given
 * stratified fraction of the labelled training windows (at least one per class, seeded, the same for every arm)
 * trains the SSL arm (frozen encoder + head; at 100 % finetune.mode applies) and the baseline; both are tested on the
 * whole test fold. The 100 % fits are the finetune stage's (shared fold units). Writes `evaluate/` and updates the
 * run's summary (with the paired difference arm).
 */
export async function runEvaluateStage(
  loaded: LoadedConfig,
  run: RunDir,
  fractionLabels: readonly string[],
  opts: StageOptions = {},
): Promise<StageResult> {
  if (fractionLabels.length === 0)
    throw new UserError('evaluate: no label fraction given (e.g. --labels 1%,10%)');
  return runStage(loaded, run, 'evaluate', parseLabelFractions(fractionLabels), opts);
}
