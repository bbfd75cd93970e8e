import * as tf from '@tensorflow/tfjs';
import type { Config } from '../config/schema.js';
import type { WindowStore } from '../datasets/types.js';
import { UserError } from '../errors.js';
import { scoreClassification } from '../metrics/index.js';
import { buildEmotionHead, buildEmotionNetwork, predictRows } from '../models/index.js';
import { deriveRng, type Rng } from '../random/index.js';
import { createProgress } from '../util/progress.js';
import { evaluationFolds, type Fold } from './folds.js';
import { predictClasses, resolveHeadArgs, trainClassifier } from './finetune.js';
import { subsampleLabels } from './labelFraction.js';
import type { Arm, FoldScore } from './summary.js';

/**
 * Key offsets of the derived random streams of fine-tuning (apart from pretraining's, see batches.ts). Streams:
 * - `init`, `shuffle`: deriveRng(seed, key, fold, task, arm, fraction) (head init seed; per-epoch training order);
 * - `labels`: deriveRng(seed, key, fold, task, fraction) (the label-fraction subset, shared by both arms);
 * - `dropout`: deriveRng(seed, key, fold, task, arm, fraction, epoch, batch): the head's dropout masks of one
 *   training step (every arm and mode: frozen head on embeddings, full, baseline; see {@link dropoutStream}).
 *
 * fold: 0-based fold number; task: index in the sorted task names; arm: {@link ARM_KEY} (ssl 1, baseline 2);
 * fraction: label fraction in parts per million; epoch, batch: 0-based.
 */
export const FINETUNE_STREAM_KEYS = {
  init: 2_000_000_000,
  shuffle: 2_100_000_000,
  labels: 2_200_000_000,
  dropout: 2_300_000_000,
} as const;

/** The metrics recorded per fold (all from scoreClassification, METHOD §6). */
export const FOLD_METRICS = ['accuracy', 'f1Macro', 'f1Official', 'precisionMacro', 'recallMacro'] as const;

/** A label fraction of the label-scarce study: its text (`"1%"`) and value (0.01). */
export interface LabelFraction {
  label: string;
  fraction: number;
}

/** What {@link crossValidate} trains per fold and task. */
export type ArmKind = 'ssl' | 'baseline';

/** Arguments of {@link crossValidate}. */
export interface CrossValidateArgs {
  /** The labelled windows. */
  store: WindowStore;
  /** Dataset name of the summary rows (config data.kind). */
  dataset: string;
  config: Config;
  /** Which arms to train. */
  arms: readonly ArmKind[];
  /** Label fractions; `[{ label: '100%', fraction: 1 }]` for the plain cross-validation. */
  fractions: readonly LabelFraction[];
  /**
   * The pretrained encoder of a fold (scope `fold`) or of the run (scope `all`); required when `arms` has `ssl`.
   * Called once per fold; returning the same model for every fold makes the embeddings be computed only once.
   */
  encoderFor?: (fold: number) => Promise<tf.LayersModel>;
  /** SSL arm at 100 % labels: `frozen` (fc-tuning) or `full`; below 100 % the SSL arm is always frozen (METHOD §6). */
  sslMode: 'frozen' | 'full';
  /** Progress label. */
  label?: string;
  /** Windows per inference batch (default 64). */
  inferBatch?: number;
  /** Only these folds (e.g. one fold per job-array task, src/plan); default: every fold. */
  onlyFolds?: readonly number[];
}

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
}

/** Window count below which `fraction` of `n` labelled windows leaves a class empty (stratified, >= 1 per class). */
function fractionKeeps(fraction: number, n: number): number {
  return Math.round(fraction * n);
}

/** Batched encoder inference (`predictRows`, tf.tidy per batch): rows of `windows` -> embeddings, row-major [n, dims]. */
export function computeEmbeddings(
  encoder: tf.LayersModel,
  windows: Float32Array,
  windowSamples: number,
  batch = 64,
): { data: Float32Array; dims: number } {
  const n = windows.length / windowSamples;
  const dims = encoder.outputs[0]!.shape[1] as number;
  const data = new Float32Array(n * dims);
  for (let start = 0; start < n; start += batch) {
    const b = Math.min(batch, n - start);
    const out = tf.tidy(() => {
      const x = tf.tensor3d(windows.subarray(start * windowSamples, (start + b) * windowSamples), [
        b,
        windowSamples,
        1,
      ]);
      return (predictRows(encoder, x)[0] as tf.Tensor).dataSync() as Float32Array;
    });
    data.set(out, start * dims);
  }
  return { data, dims };
}

function gatherRows(data: Float32Array, rowSize: number, rows: readonly number[]): Float32Array {
  const out = new Float32Array(rows.length * rowSize);
  rows.forEach((r, k) => out.set(data.subarray(r * rowSize, (r + 1) * rowSize), k * rowSize));
  return out;
}

/** A stream key of a label fraction (parts per million, so 1% and 100% differ). */
function fractionKey(fraction: number): number {
  return Math.round(fraction * 1_000_000);
}

/** Stream key of an arm (the SSL arm has one key in frozen and full mode: a config trains only one of them). */
const ARM_KEY: Record<ArmKind, number> = { ssl: 1, baseline: 2 };

/** Keys of one classifier fit: fold, task index, arm and label fraction ({@link FINETUNE_STREAM_KEYS}). */
export interface FitKeys {
  fold: number;
  task: number;
  arm: ArmKind;
  fraction: number;
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

/**
 * The fold x task loop of the emotion recognition study (METHOD §4, §6). For each fold of `evaluation.split`
 * (seeded by `evaluation.splitSeed`, the same folds as pretraining with scope `fold`) and each task of the store:
 * windows with an unknown (NaN) label for the task are left out; for each label fraction the training part keeps
 * that stratified fraction (at least one window per class, the same windows for both arms); then
 * - `ssl`: frozen mode trains the dense head on the encoder's embeddings (computed once per encoder); full mode
 *   trains encoder + head end to end from the pretrained weights;
 * - `baseline`: the same network from random (seeded) initialisation, trained end to end (`finetune.baselineEpochs`).
 * Both are tested on the whole (labelled) test fold: accuracy, macro F1, the authors' F1, macro precision and recall,
 * confusion matrix.
 *
 * Documented rule for degenerate folds: when a fold's labelled training part has fewer than two classes, or its test
 * part has no labelled window, that fold is skipped for that task (every arm and fraction), recorded with the reason
 * and left out of the summary (`n` counts evaluated folds). A label fraction that keeps fewer windows than the
 * training part has classes (so a class would be empty) is a UserError.
 */
export async function crossValidate(args: CrossValidateArgs): Promise<FoldResult[]> {
  const { store, config, dataset } = args;
  const ft = config.finetune;
  const ws = store.windowSamples;
  const tasks = Object.keys(store.tasks).sort();
  if (tasks.length === 0)
    throw new UserError(`crossValidate: the data in ${store.dir || 'the store'} has no labelled task`);
  if (args.arms.includes('ssl') && !args.encoderFor)
    throw new UserError('crossValidate: the ssl arm needs a pretrained encoder');
  const folds: Fold[] = evaluationFolds(store.entries, store.tasks, config.evaluation);
  const n = store.entries.length;
  const all = store.read(Array.from({ length: n }, (_, i) => i));
  const labelsOf = (task: string): number[] =>
    store.entries.map((e) => {
      const y = e.labels[task];
      return y === undefined || !Number.isFinite(y) ? Number.NaN : y;
    });
  const labels = new Map(tasks.map((t) => [t, labelsOf(t)]));
  const sslArm: Arm = args.sslMode === 'full' ? 'ssl-full' : 'ssl';
  const results: FoldResult[] = [];
  const foldCount = args.onlyFolds
    ? folds.filter((_, k) => args.onlyFolds!.includes(k)).length
    : folds.length;
  const units = foldCount * tasks.length * args.fractions.length * args.arms.length;
  const progress = createProgress({ label: args.label ?? 'finetune', total: units, unit: 'fits' });
  let done = 0;
  const embeddingCache = new Map<tf.LayersModel, { data: Float32Array; dims: number }>();
  try {
    for (let k = 0; k < folds.length; k++) {
      if (args.onlyFolds && !args.onlyFolds.includes(k)) continue;
      const fold = folds[k]!;
      let encoder: tf.LayersModel | undefined;
      if (args.arms.includes('ssl')) encoder = await args.encoderFor!(k);
      const needsEmbeddings =
        encoder !== undefined && (args.sslMode === 'frozen' || args.fractions.some((f) => f.fraction < 1));
      let emb: { data: Float32Array; dims: number } | undefined;
      if (needsEmbeddings && encoder) {
        emb = embeddingCache.get(encoder);
        if (!emb) {
          emb = computeEmbeddings(encoder, all, ws, args.inferBatch ?? 64);
          embeddingCache.set(encoder, emb);
        }
      }
      for (let ti = 0; ti < tasks.length; ti++) {
        const task = tasks[ti]!;
        const y = labels.get(task)!;
        const numClasses = Math.max(2, store.tasks[task] ?? 2);
        const trainAll = fold.train.filter((i) => !Number.isNaN(y[i]!));
        const test = fold.test.filter((i) => !Number.isNaN(y[i]!));
        const present = [...new Set(trainAll.map((i) => y[i]!))].sort((a, b) => a - b);
        let skipped: string | undefined;
        if (present.length < 2)
          skipped =
            present.length === 0
              ? `fold ${k} has no labelled training window for task ${task}`
              : `the training part of fold ${k} has a single class (${present[0]}) for task ${task}`;
        else if (test.length === 0) skipped = `fold ${k} has no labelled test window for task ${task}`;
        for (const frac of args.fractions) {
          const base = { dataset, task, labelFraction: frac.label, fold: k };
          if (skipped !== undefined) {
            for (const kind of args.arms) {
              results.push({
                ...base,
                arm: kind === 'ssl' ? (frac.fraction < 1 ? 'ssl' : sslArm) : 'baseline',
                skipped,
                trainWindows: 0,
                testWindows: test.length,
              });
              progress.update(++done);
            }
            continue;
          }
          let train = trainAll;
          if (frac.fraction < 1) {
            const keeps = fractionKeeps(frac.fraction, trainAll.length);
            if (keeps < present.length)
              throw new UserError(
                `evaluate: label fraction ${frac.label} keeps ${keeps} of the ${trainAll.length} labelled training windows of fold ${k} for task ${task}, fewer than its ${present.length} classes (a class would be empty); use at least ${Math.ceil((present.length / trainAll.length) * 1000) / 10}%`,
              );
            const dense = trainAll.map((i) => present.indexOf(y[i]!));
            train = subsampleLabels(
              trainAll,
              dense,
              frac.fraction,
              present.length,
              deriveRng(config.seed, FINETUNE_STREAM_KEYS.labels, k, ti, fractionKey(frac.fraction)),
            );
          }
          const yTrain = train.map((i) => y[i]!);
          const yTest = test.map((i) => y[i]!);
          for (const kind of args.arms) {
            const arm: Arm = kind === 'ssl' ? (frac.fraction < 1 ? 'ssl' : sslArm) : 'baseline';
            const fit: FitKeys = { fold: k, task: ti, arm: kind, fraction: frac.fraction };
            const keys = fitStreamKeys(fit);
            const headSeed = deriveRng(config.seed, FINETUNE_STREAM_KEYS.init, ...keys).int(0, 2 ** 31 - 1);
            const rng = deriveRng(config.seed, FINETUNE_STREAM_KEYS.shuffle, ...keys);
            const started = Date.now();
            const frozen = kind === 'ssl' && arm === 'ssl';
            const headArgs = resolveHeadArgs(ft, dataset, numClasses, headSeed);
            let model: tf.LayersModel;
            let xTrain: tf.Tensor;
            let xTest: tf.Tensor;
            if (frozen) {
              const e = emb!;
              model = buildEmotionHead({ ...headArgs, inputUnits: e.dims });
              xTrain = tf.tensor2d(gatherRows(e.data, e.dims, train), [train.length, e.dims]);
              xTest = tf.tensor2d(gatherRows(e.data, e.dims, test), [test.length, e.dims]);
            } else {
              let trunk: tf.LayersModel | null = null;
              if (kind === 'ssl') {
                // A fresh copy of the pretrained trunk: full fine-tuning changes its weights.
                trunk = await cloneModel(encoder!);
              }
              const dims = trunk
                ? (trunk.outputs[0]!.shape[1] as number)
                : (config.model.filters[2] as number);
              model = buildEmotionNetwork({
                encoder: trunk,
                head: { ...headArgs, inputUnits: dims },
                trainableEncoder: true,
                modelConfig: config.model,
                windowSamples: ws,
              });
              xTrain = tf.tensor3d(gatherRows(all, ws, train), [train.length, ws, 1]);
              xTest = tf.tensor3d(gatherRows(all, ws, test), [test.length, ws, 1]);
            }
            try {
              const epochs = kind === 'baseline' ? (ft.baselineEpochs ?? ft.epochs) : ft.epochs;
              const losses = trainClassifier(model, xTrain, yTrain, {
                epochs,
                batchSize: ft.batchSize,
                learningRate: ft.learningRate,
                adam: ft.adam,
                rng,
                dropoutRng: (epoch, batch) => dropoutStream(config.seed, fit, epoch, batch),
              });
              const pred = predictClasses(model, xTest, frozen ? 1024 : (args.inferBatch ?? 64));
              const s = scoreClassification(yTest, pred, numClasses);
              const metrics: Record<string, number> = {};
              for (const m of FOLD_METRICS) metrics[m] = s[m];
              results.push({
                ...base,
                arm,
                metrics,
                confusion: s.confusion.map((row) => [...row]),
                trainWindows: train.length,
                testWindows: test.length,
                finalLoss: losses.at(-1),
                seconds: (Date.now() - started) / 1000,
              });
            } finally {
              xTrain.dispose();
              xTest.dispose();
              model.dispose();
            }
            progress.update(++done, { task, fold: k, arm });
          }
        }
      }
    }
  } finally {
    progress.stop();
  }
  return results;
}

/** A copy of a model with its own weights (same architecture, current weight values). */
async function cloneModel(model: tf.LayersModel): Promise<tf.LayersModel> {
  const copy = await tf.models.modelFromJSON({
    modelTopology: model.toJSON(undefined, false) as tf.io.ModelJSON['modelTopology'],
  } as tf.io.ModelJSON);
  copy.setWeights(model.getWeights());
  return copy;
}

/**
 * The paired difference arm: for each task / label fraction / fold evaluated in both `ssl` (or `ssl-full`) and
 * `baseline`, the metric differences ssl - baseline (arm `difference`, or `difference-full`).
 */
export function differenceScores(results: readonly FoldScore[]): FoldScore[] {
  const key = (s: FoldScore): string => JSON.stringify([s.dataset, s.task, s.labelFraction, s.fold]);
  const baseline = new Map<string, FoldScore>();
  for (const s of results) if (s.arm === 'baseline' && s.metrics) baseline.set(key(s), s);
  const out: FoldScore[] = [];
  for (const s of results) {
    if ((s.arm !== 'ssl' && s.arm !== 'ssl-full') || !s.metrics) continue;
    const b = baseline.get(key(s));
    if (!b?.metrics) continue;
    const metrics: Record<string, number> = {};
    for (const [m, v] of Object.entries(s.metrics)) {
      const bv = b.metrics[m];
      if (bv !== undefined) metrics[m] = v - bv;
    }
    out.push({
      dataset: s.dataset,
      task: s.task,
      arm: s.arm === 'ssl' ? 'difference' : 'difference-full',
      labelFraction: s.labelFraction,
      fold: s.fold,
      metrics,
    });
  }
  return out;
}
