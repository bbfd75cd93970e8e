// countWork(): what a config trains and infers in each stage, counted on its prepared stores (for time estimates).
import type { Config } from '../config/schema.js';
import { TRANSFORMATIONS } from '../augmentation/index.js';
import type { WindowStore } from '../datasets/index.js';
import { planFits } from './crossValidate.js';
import { armOf, crossValidationLabels, fitSplit } from './fitFold.js';
import { stageArms } from './foldRunner.js';
import { ALL_LABELS, parseLabelFractions, type LabelFraction } from './labelFraction.js';
import { evaluationFolds } from './folds.js';

/** The work of one stage, in the units the engine's speeds are measured in (see speedBenchmark.ts). */
export interface StageWork {
  /** Samples of the network trained (pretraining: windows x transformations; fine-tuning: windows), epochs included. */
  trainSamples: number;
  /** Samples per training step. */
  trainBatch: number;
  /** Samples through the network in inference (held-out pretext evaluation, embeddings, test windows). */
  inferSamples: number;
  /** Optimizer steps of the dense head on embeddings (the frozen ssl arm). */
  headSteps: number;
  /** Rows of those steps in all (a step's cost grows with its rows: 1 % of the labels makes tiny batches). */
  headRows: number;
  /** Classifier fits (every arm, the hrv arm's included). */
  fits: number;
}

/** The work of the pretrain, finetune and evaluate stages of a config, and the windows it counted. */
export interface WorkCounts {
  windows: number;
  labelledWindows: number;
  pretrain: StageWork;
  finetune: StageWork;
  evaluate: StageWork;
}

const none = (trainBatch: number): StageWork => ({
  trainSamples: 0,
  trainBatch,
  inferSamples: 0,
  headSteps: 0,
  headRows: 0,
  fits: 0,
});

/** Pretraining: per unit (one, or one per fold) the epochs x training windows x transformations, and the held-out. */
function pretrainWork(config: Config, labelled: WindowStore, extraWindows: number): StageWork {
  const cfg = config.pretrain;
  const heads = TRANSFORMATIONS.length;
  const units =
    cfg.scope === 'all'
      ? [labelled.entries.length + extraWindows]
      : evaluationFolds(labelled.entries, labelled.tasks, config.evaluation).map(
          (f) => f.train.length + extraWindows,
        );
  const w = none(cfg.batchWindows * heads);
  for (const n of units) {
    const held = Math.floor(n * cfg.heldOutFraction); // as splitHeldOut
    w.trainSamples += cfg.epochs * (n - held) * heads;
    w.inferSamples += cfg.epochs * held * heads;
  }
  return w;
}

/** A finetune or evaluate stage: every fit of `fractions`, counted with the real fold split and label subsets. */
function foldsWork(config: Config, labelled: WindowStore, fractions: readonly LabelFraction[]): StageWork {
  const ft = config.finetune;
  const w = none(ft.batchSize);
  if (fractions.length === 0) return w;
  const data = crossValidationLabels(labelled, config);
  const encoders = new Set<number>();
  for (const fit of planFits(data, { arms: stageArms(config), fractions })) {
    w.fits++;
    const split = fitSplit(data, fit);
    if (split.skipped !== undefined || fit.arm === 'hrv') continue;
    const n = split.train.length;
    if (armOf(fit.arm, fit.fraction.fraction, ft.mode) === 'ssl' && fit.arm === 'ssl') {
      w.headSteps += ft.epochs * Math.ceil(n / ft.batchSize);
      w.headRows += ft.epochs * n;
      encoders.add(config.pretrain.scope === 'all' ? -1 : fit.fold);
    } else {
      w.trainSamples += (fit.arm === 'baseline' ? (ft.baselineEpochs ?? ft.epochs) : ft.epochs) * n;
      w.inferSamples += split.test.length;
    }
  }
  // The frozen ssl arm's embeddings: every window once per encoder.
  w.inferSamples += encoders.size * labelled.entries.length;
  return w;
}

/**
 * Counts the work of each stage of `config` on its opened stores: pretraining (scope all or per fold, with
 * `pretrain.extraData`), the finetune stage (every fit at 100 % labels) and the evaluate stage (its label fractions
 * below 100 %; at 100 % it reuses the finetune fits), with the same fold split and label subsets as the run.
 */
export function countWork(
  config: Config,
  stores: { labelled: WindowStore; extra: WindowStore[] },
): WorkCounts {
  const extraWindows = stores.extra.reduce((a, s) => a + s.entries.length, 0);
  const fractions = parseLabelFractions(config.evaluation.labelFractions).filter((f) => f.fraction < 1);
  return {
    windows: stores.labelled.entries.length + extraWindows,
    labelledWindows: stores.labelled.entries.length,
    pretrain: pretrainWork(config, stores.labelled, extraWindows),
    finetune: foldsWork(config, stores.labelled, [ALL_LABELS]),
    evaluate: foldsWork(config, stores.labelled, fractions),
  };
}
