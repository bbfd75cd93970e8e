// One classifier fit of the emotion study (one fold x task x arm x label fraction -> FoldResult) and its streams.
import * as tf from '@tensorflow/tfjs';
import type { Config } from '../config/schema.js';
import type { WindowStore } from '../datasets/types.js';
import { UserError } from '../errors.js';
import { scoreClassification } from '../metrics/index.js';
import { buildEmotionHead, buildEmotionNetwork, embeddingUnits, predictRows } from '../models/index.js';
import { deriveRng, type Rng } from '../random/index.js';
import { evaluationFolds, type Fold } from './folds.js';
import { predictClasses, resolveHeadArgs, trainClassifier } from './finetune.js';
import { fitHrvArm, hrvInputsOf, type HrvFitInfo } from './hrvArm.js';
import { timePhase, timePhaseAsync } from '../util/phaseTimer.js';
import { fractionKeeps, fractionKey, subsampleLabels, type LabelFraction } from './labelFraction.js';
import type { Arm, FoldScore } from './summary.js';

/**
 * Key offsets of the derived random streams of fine-tuning (apart from pretraining's, see batches.ts). Streams:
 * - `init`, `shuffle`: deriveRng(seed, key, fold, task, arm, fraction) (head init seed; per-epoch training order);
 * - `labels`: deriveRng(seed, key, fold, task, fraction) (the label-fraction subset, shared by every arm);
 * - `dropout`: deriveRng(seed, key, fold, task, arm, fraction, epoch, batch): the head's dropout masks of one
 *   training step (every arm and mode: frozen head on embeddings, full, baseline; see {@link dropoutStream}).
 *
 * fold: 0-based fold number; task: index in the sorted task names; arm: {@link ARM_KEY} (ssl 1, baseline 2, hrv 3);
 * fraction: label fraction in parts per million ({@link fractionKey}); epoch, batch: 0-based.
 */
export const FINETUNE_STREAM_KEYS = {
  init: 2_000_000_000,
  shuffle: 2_100_000_000,
  labels: 2_200_000_000,
  dropout: 2_300_000_000,
} as const;

/** The metrics recorded per fold (all from scoreClassification, METHOD §6). */
export const FOLD_METRICS = ['accuracy', 'f1Macro', 'f1Official', 'precisionMacro', 'recallMacro'] as const;

/** What the cross-validation trains per fold and task. */
export type ArmKind = 'ssl' | 'baseline' | 'hrv';

/** One fold's result for one task / arm / label fraction. */
export interface FoldResult extends FoldScore {
  /** Confusion matrix on the test fold (rows: true class, columns: predicted). */
  confusion?: number[][];
  /** Labelled windows the classifier was trained on, and tested on. */
  trainWindows: number;
  testWindows: number;
  /** Mean training loss of the final epoch. */
  finalLoss?: number;
  seconds?: number;
  /** The hrv arm: windows without HRV features (too few beats) and why. */
  hrv?: HrvFitInfo;
}

/** Stream key of an arm (the SSL arm has one key in frozen and full mode: a config trains only one of them). */
const ARM_KEY: Record<ArmKind, number> = { ssl: 1, baseline: 2, hrv: 3 };

/** Keys of one classifier fit: fold, task index, arm and label fraction ({@link FINETUNE_STREAM_KEYS}). */
export interface FitKeys {
  fold: number;
  task: number;
  arm: ArmKind;
  fraction: number;
}

/** One classifier fit: fold, task (name and index in the sorted task names), arm and label fraction. */
export interface Fit {
  fold: number;
  task: string;
  taskIndex: number;
  arm: ArmKind;
  fraction: LabelFraction;
}

/** The stream keys of one fit after the stream's own key: fold, task, arm key, fraction (ppm). */
function fitStreamKeys(fit: FitKeys): [number, number, number, number] {
  return [fit.fold, fit.task, ARM_KEY[fit.arm], fractionKey(fit.fraction)];
}

/**
 * The dropout-mask stream of one training step of one fit:
 * deriveRng(seed, FINETUNE_STREAM_KEYS.dropout, fold, task, arm, fraction (ppm), epoch, batch).
 */
export function dropoutStream(seed: number, fit: FitKeys, epoch: number, batch: number): Rng {
  return deriveRng(seed, FINETUNE_STREAM_KEYS.dropout, ...fitStreamKeys(fit), epoch, batch);
}

/** The summary arm of a fit: the SSL arm is `ssl-full` only at 100 % labels in finetune.mode full (METHOD §6). */
export function armOf(arm: ArmKind, fraction: number, sslMode: 'frozen' | 'full'): Arm {
  if (arm === 'baseline' || arm === 'hrv') return arm;
  return fraction < 1 || sslMode === 'frozen' ? 'ssl' : 'ssl-full';
}

/** The fit arm of a result's summary arm (the inverse of {@link armOf}: `ssl` and `ssl-full` are `ssl`). */
export function armKindOf(arm: Arm): ArmKind {
  return arm === 'baseline' || arm === 'hrv' ? arm : 'ssl';
}

/** The labelled data of a cross-validation: every window, the folds, each task's labels (NaN: unknown). */
export interface CrossValidationData {
  store: WindowStore;
  /** Dataset name of the summary rows (config data.kind). */
  dataset: string;
  config: Config;
  /** The store's task names, sorted (a fit's task index is its position here). */
  tasks: string[];
  folds: Fold[];
  /** Every window of the store, row-major [n, windowSamples]. */
  windows: Float32Array;
  labels: Map<string, number[]>;
}

/** The fold split and labels of a cross-validation without the windows (what {@link fitSplit} needs). */
export type CrossValidationLabels = Pick<CrossValidationData, 'config' | 'tasks' | 'folds' | 'labels'>;

/** A store's tasks, its `evaluation.split` folds (seeded by evaluation.splitSeed) and each task's labels (NaN: unknown). */
export function crossValidationLabels(store: WindowStore, config: Config): CrossValidationLabels {
  const tasks = Object.keys(store.tasks).sort();
  if (tasks.length === 0)
    throw new UserError(`crossValidate: the data in ${store.dir || 'the store'} has no labelled task`);
  const folds = evaluationFolds(store.entries, store.tasks, config.evaluation);
  const labelsOf = (task: string): number[] =>
    store.entries.map((e) => {
      const y = e.labels[task];
      return y === undefined || !Number.isFinite(y) ? Number.NaN : y;
    });
  return { config, tasks, folds, labels: new Map(tasks.map((t) => [t, labelsOf(t)])) };
}

/** Reads a store's windows and labels and splits it into `evaluation.split` folds (seeded by evaluation.splitSeed). */
export function crossValidationData(
  store: WindowStore,
  dataset: string,
  config: Config,
): CrossValidationData {
  const { tasks, folds, labels } = crossValidationLabels(store, config);
  const windows = store.read(Array.from({ length: store.entries.length }, (_, i) => i));
  return {
    store,
    dataset,
    config,
    tasks,
    folds,
    windows,
    labels,
  };
}

/**
 * The training and test windows of a fit (labelled windows only), or the reason the fit is skipped (degenerate-fold
 * rule, see crossValidate). Below 100 % the training part keeps the stratified fraction (the same windows for every
 * arm); a fraction that keeps fewer windows than the training part has classes is a UserError.
 */
export function fitSplit(
  data: CrossValidationLabels,
  fit: Fit,
): { train: number[]; test: number[]; skipped?: undefined } | { skipped: string; test: number[] } {
  const { fold: k, task } = fit;
  const y = data.labels.get(task)!;
  const fold = data.folds[k]!;
  const trainAll = fold.train.filter((i) => !Number.isNaN(y[i]!));
  const test = fold.test.filter((i) => !Number.isNaN(y[i]!));
  const present = [...new Set(trainAll.map((i) => y[i]!))].sort((a, b) => a - b);
  if (present.length === 0)
    return { skipped: `fold ${k} has no labelled training window for task ${task}`, test };
  if (present.length === 1)
    return {
      skipped: `the training part of fold ${k} has a single class (${present[0]}) for task ${task}`,
      test,
    };
  if (test.length === 0) return { skipped: `fold ${k} has no labelled test window for task ${task}`, test };
  const frac = fit.fraction;
  if (frac.fraction >= 1) return { train: trainAll, test };
  const keeps = fractionKeeps(frac.fraction, trainAll.length);
  if (keeps < present.length)
    throw new UserError(
      `evaluate: label fraction ${frac.label} keeps ${keeps} of the ${trainAll.length} labelled training windows of fold ${k} for task ${task}, fewer than its ${present.length} classes (a class would be empty); use at least ${Math.ceil((present.length / trainAll.length) * 1000) / 10}%`,
    );
  const dense = trainAll.map((i) => present.indexOf(y[i]!));
  const rng = deriveRng(
    data.config.seed,
    FINETUNE_STREAM_KEYS.labels,
    k,
    fit.taskIndex,
    fractionKey(frac.fraction),
  );
  return { train: subsampleLabels(trainAll, dense, frac.fraction, present.length, rng), test };
}

/** Embeddings of every window of the store by one encoder, row-major [n, dims]. */
export interface Embeddings {
  data: Float32Array;
  dims: number;
}

/** Batched encoder inference (`predictRows`, tf.tidy per batch): rows of `windows` -> embeddings, row-major [n, dims]. */
export function computeEmbeddings(
  encoder: tf.LayersModel,
  windows: Float32Array,
  windowSamples: number,
  batch = 64,
): Embeddings {
  const n = windows.length / windowSamples;
  const dims = encoder.outputs[0]!.shape[1] as number;
  const data = new Float32Array(n * dims);
  for (let start = 0; start < n; start += batch) {
    const b = Math.min(batch, n - start);
    const out = timePhase('engine.inference', () =>
      tf.tidy(() => {
        const x = tf.tensor3d(windows.subarray(start * windowSamples, (start + b) * windowSamples), [
          b,
          windowSamples,
          1,
        ]);
        return (predictRows(encoder, x)[0] as tf.Tensor).dataSync() as Float32Array;
      }),
    );
    data.set(out, start * dims);
  }
  return { data, dims };
}

function gatherRows(data: Float32Array, rowSize: number, rows: readonly number[]): Float32Array {
  const out = new Float32Array(rows.length * rowSize);
  rows.forEach((r, k) => out.set(data.subarray(r * rowSize, (r + 1) * rowSize), k * rowSize));
  return out;
}

/** A copy of a model with its own weights (same architecture, current weight values). */
async function cloneModel(model: tf.LayersModel): Promise<tf.LayersModel> {
  const copy = await tf.models.modelFromJSON({
    modelTopology: model.toJSON(undefined, false) as tf.io.ModelJSON['modelTopology'],
  } as tf.io.ModelJSON);
  copy.setWeights(model.getWeights());
  return copy;
}

/** The scores of predictions on a fit's test windows, as a FoldResult's fields. */
function scored(
  truth: readonly number[],
  pred: readonly number[],
  numClasses: number,
): Pick<FoldResult, 'metrics' | 'confusion'> {
  const s = scoreClassification(truth, pred, numClasses);
  const metrics: Record<string, number> = {};
  for (const m of FOLD_METRICS) metrics[m] = s[m];
  return { metrics, confusion: s.confusion.map((row) => [...row]) };
}

/** One fit of the hrv arm (a logistic regression on the windows' HRV features, see hrvArm.ts). */
function fitHrvFold(
  data: CrossValidationData,
  fit: Fit,
  base: Pick<FoldResult, 'dataset' | 'task' | 'labelFraction' | 'fold'>,
  train: readonly number[],
  test: readonly number[],
  numClasses: number,
  started: number,
): FoldResult {
  const y = data.labels.get(fit.task)!;
  const out = timePhase('hrv', () =>
    fitHrvArm(hrvInputsOf(data.store, data.windows), y, train, test, numClasses),
  );
  if ('skipped' in out)
    return { ...base, arm: 'hrv', skipped: out.skipped, trainWindows: 0, testWindows: test.length };
  return {
    ...base,
    arm: 'hrv',
    ...scored(
      test.map((i) => y[i]!),
      out.pred,
      numClasses,
    ),
    trainWindows: train.length - out.info.trainWithoutFeatures,
    testWindows: test.length,
    seconds: (Date.now() - started) / 1000,
    hrv: out.info,
  };
}

/** Arguments of {@link fitFold}. */
export interface FitFoldArgs {
  data: CrossValidationData;
  fit: Fit;
  /** SSL arm at 100 % labels: `frozen` (fc-tuning) or `full`; below 100 % the SSL arm is always frozen (METHOD §6). */
  sslMode: 'frozen' | 'full';
  /** The fit's fold's pretrained encoder (ssl arm in full mode at 100 %). */
  encoder?: () => Promise<tf.LayersModel>;
  /** That encoder's embeddings of every window (frozen ssl arm). */
  embeddings?: () => Promise<Embeddings>;
  /** Windows per inference batch (default 64). */
  inferBatch?: number;
  /** Called after each training epoch of a network arm (ssl, baseline) with the epoch (0-based), their count and the mean loss. */
  onEpoch?: (epoch: number, epochs: number, loss: number) => void;
}

/** The classifier of a fit and its training and test inputs (tensors the caller disposes). */
async function buildFit(
  args: FitFoldArgs,
  train: readonly number[],
  test: readonly number[],
  frozen: boolean,
  numClasses: number,
): Promise<{ model: tf.LayersModel; xTrain: tf.Tensor; xTest: tf.Tensor }> {
  const { data, fit } = args;
  const config = data.config;
  const ws = data.store.windowSamples;
  const headSeed = deriveRng(config.seed, FINETUNE_STREAM_KEYS.init, ...fitStreamKeys(fitKeys(fit))).int(
    0,
    2 ** 31 - 1,
  );
  const headArgs = resolveHeadArgs(config.finetune, data.dataset, numClasses, headSeed);
  if (frozen) {
    const e = await args.embeddings!();
    return {
      model: buildEmotionHead({ ...headArgs, inputUnits: e.dims }),
      xTrain: tf.tensor2d(gatherRows(e.data, e.dims, train), [train.length, e.dims]),
      xTest: tf.tensor2d(gatherRows(e.data, e.dims, test), [test.length, e.dims]),
    };
  }
  // A fresh copy of the pretrained trunk: full fine-tuning changes its weights.
  const trunk = fit.arm === 'ssl' ? await cloneModel(await args.encoder!()) : null;
  const dims = trunk ? (trunk.outputs[0]!.shape[1] as number) : embeddingUnits(config.model.filters[2] as number, config.model.globalPool);
  return {
    model: buildEmotionNetwork({
      encoder: trunk,
      head: { ...headArgs, inputUnits: dims },
      trainableEncoder: true,
      modelConfig: config.model,
      windowSamples: ws,
    }),
    xTrain: tf.tensor3d(gatherRows(data.windows, ws, train), [train.length, ws, 1]),
    xTest: tf.tensor3d(gatherRows(data.windows, ws, test), [test.length, ws, 1]),
  };
}

/** The stream keys of a fit. */
export function fitKeys(fit: Fit): FitKeys {
  return { fold: fit.fold, task: fit.taskIndex, arm: fit.arm, fraction: fit.fraction.fraction };
}

/**
 * One classifier fit (METHOD §4, §6): fold `fit.fold`'s training windows for task `fit.task` (the label fraction's
 * stratified subset below 100 %) train the arm's classifier — `ssl` frozen: the dense head on the encoder's
 * embeddings; `ssl` full (100 % only): encoder + head from the pretrained weights; `baseline`: the same network from
 * random (seeded) initialisation (`finetune.baselineEpochs`); `hrv`: a logistic regression on the windows' HRV
 * features (hrvArm.ts) — which is tested on the fold's labelled test windows.
 * Every random stream is keyed by fold, task, arm and fraction, so a fit's result does not depend on which other fits
 * ran before it. A degenerate fold gives a result with `skipped` set.
 */
export async function fitFold(args: FitFoldArgs): Promise<FoldResult> {
  const { data, fit } = args;
  const ft = data.config.finetune;
  const base = { dataset: data.dataset, task: fit.task, labelFraction: fit.fraction.label, fold: fit.fold };
  const arm = armOf(fit.arm, fit.fraction.fraction, args.sslMode);
  const split = fitSplit(data, fit);
  if (split.skipped !== undefined)
    return { ...base, arm, skipped: split.skipped, trainWindows: 0, testWindows: split.test.length };
  const { train, test } = split;
  const y = data.labels.get(fit.task)!;
  const numClasses = Math.max(2, data.store.tasks[fit.task] ?? 2);
  const started = Date.now();
  if (fit.arm === 'hrv') return fitHrvFold(data, fit, base, train, test, numClasses, started);
  const frozen = fit.arm === 'ssl' && arm === 'ssl';
  const { model, xTrain, xTest } = await timePhaseAsync('fit-setup', () =>
    buildFit(args, train, test, frozen, numClasses),
  );
  try {
    const keys = fitKeys(fit);
    const epochs = fit.arm === 'baseline' ? (ft.baselineEpochs ?? ft.epochs) : ft.epochs;
    const onEpoch = args.onEpoch;
    const losses = trainClassifier(
      model,
      xTrain,
      train.map((i) => y[i]!),
      {
        epochs,
        batchSize: ft.batchSize,
        learningRate: ft.learningRate,
        adam: ft.adam,
        rng: deriveRng(data.config.seed, FINETUNE_STREAM_KEYS.shuffle, ...fitStreamKeys(keys)),
        dropoutRng: (epoch, batch) => dropoutStream(data.config.seed, keys, epoch, batch),
        ...(onEpoch ? { onEpoch: (epoch: number, loss: number) => onEpoch(epoch, epochs, loss) } : {}),
      },
    );
    const pred = predictClasses(model, xTest, frozen ? 1024 : (args.inferBatch ?? 64));
    return {
      ...base,
      arm,
      ...scored(
        test.map((i) => y[i]!),
        pred,
        numClasses,
      ),
      trainWindows: train.length,
      testWindows: test.length,
      finalLoss: losses.at(-1),
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    xTrain.dispose();
    xTest.dispose();
    model.dispose();
  }
}
