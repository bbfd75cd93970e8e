// The fold x task x arm x label-fraction loop of the emotion study (calls fitFold per fit) and the difference arm.
import type * as tf from '@tensorflow/tfjs';
import type { Config } from '../config/schema.js';
import type { WindowStore } from '../datasets/types.js';
import { UserError } from '../errors.js';
import { createProgress } from '../util/progress.js';
import {
  armOf,
  computeEmbeddings,
  crossValidationData,
  fitFold,
  type ArmKind,
  type CrossValidationData,
  type Embeddings,
  type Fit,
  type FoldResult,
} from './fitFold.js';
import type { LabelFraction } from './labelFraction.js';
import type { Arm, FoldScore } from './summary.js';

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
   * Called when a fit of the fold needs it; returning the same model for every fold makes the embeddings be computed
   * only once.
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
  /** A fit's result computed before (e.g. persisted by an earlier run): taken instead of training it again. */
  reuse?: (fit: Fit, data: CrossValidationData) => FoldResult | undefined;
  /** Called with each new result as soon as its fit ends (e.g. to persist it), before the next fit starts. */
  onResult?: (fit: Fit, result: FoldResult, data: CrossValidationData) => Promise<void>;
}

/** The fits of a cross-validation in their order: fold, then task, label fraction, arm. */
export function planFits(
  data: Pick<CrossValidationData, 'tasks' | 'folds'>,
  args: Pick<CrossValidateArgs, 'arms' | 'fractions' | 'onlyFolds'>,
): Fit[] {
  const fits: Fit[] = [];
  for (let fold = 0; fold < data.folds.length; fold++) {
    if (args.onlyFolds && !args.onlyFolds.includes(fold)) continue;
    data.tasks.forEach((task, taskIndex) => {
      for (const fraction of args.fractions)
        for (const arm of args.arms) fits.push({ fold, task, taskIndex, arm, fraction });
    });
  }
  return fits;
}

/** Per-fold encoders and their embeddings, loaded and computed when a fit first needs them (one per encoder). */
function encoderInputs(
  args: CrossValidateArgs,
  data: CrossValidationData,
): (fold: number) => { encoder: () => Promise<tf.LayersModel>; embeddings: () => Promise<Embeddings> } {
  const cache = new Map<tf.LayersModel, Embeddings>();
  return (fold) => {
    const encoder = (): Promise<tf.LayersModel> => args.encoderFor!(fold);
    const embeddings = async (): Promise<Embeddings> => {
      const model = await encoder();
      let emb = cache.get(model);
      if (!emb) {
        emb = computeEmbeddings(model, data.windows, data.store.windowSamples, args.inferBatch ?? 64);
        cache.set(model, emb);
      }
      return emb;
    };
    return { encoder, embeddings };
  };
}

/**
 * The fold x task loop of the emotion recognition study (METHOD §4, §6). For each fold of `evaluation.split`
 * (seeded by `evaluation.splitSeed`, the same folds as pretraining with scope `fold`), each task of the store, each
 * label fraction and each arm, one {@link fitFold}: windows with an unknown (NaN) label for the task are left out;
 * below 100 % the training part keeps that stratified fraction (at least one window per class, the same windows for
 * every arm); `ssl` trains the dense head on the encoder's embeddings (computed once per encoder) in frozen mode, or
 * encoder + head from the pretrained weights in full mode; `baseline` trains the same network from random (seeded)
 * initialisation (`finetune.baselineEpochs`); `hrv` a logistic regression on the windows' HRV features (computed once
 * per store). Each is tested on the whole (labelled) test fold: accuracy, macro F1,
 * the authors' F1, macro precision and recall, confusion matrix. `reuse` / `onResult` let a caller skip fits done
 * before and persist each new one as it ends (see foldRunner).
 *
 * Documented rule for degenerate folds: when a fold's labelled training part has fewer than two classes, or its test
 * part has no labelled window, that fold is skipped for that task (every arm and fraction), recorded with the reason
 * and left out of the summary (`n` counts evaluated folds). A label fraction that keeps fewer windows than the
 * training part has classes (so a class would be empty) is a UserError.
 */
export async function crossValidate(args: CrossValidateArgs): Promise<FoldResult[]> {
  if (args.arms.includes('ssl') && !args.encoderFor)
    throw new UserError('crossValidate: the ssl arm needs a pretrained encoder');
  const data = crossValidationData(args.store, args.dataset, args.config);
  const fits = planFits(data, args);
  const prior = fits.map((fit) => args.reuse?.(fit, data));
  const todo = fits.filter((_, i) => prior[i] === undefined);
  const progress = createProgress({
    label: args.label ?? 'finetune',
    total: todo.length,
    unit: 'fits',
    stage: { startedMs: Date.now(), before: 0, total: todo.length },
  });
  const inputsOf = encoderInputs(args, data);
  const results: FoldResult[] = [];
  let done = 0;
  // The fields of the last network fit's last epoch (the hrv arm has neither epochs nor a loss).
  let lastNet: Record<string, string | number> | undefined;
  try {
    for (const [i, fit] of fits.entries()) {
      let result = prior[i];
      if (result === undefined) {
        const fields = {
          fold: `${fit.fold + 1}/${data.folds.length}`,
          task: fit.task,
          arm: armOf(fit.arm, fit.fraction.fraction, args.sslMode),
        };
        result = await fitFold({
          data,
          fit,
          sslMode: args.sslMode,
          inferBatch: args.inferBatch,
          ...inputsOf(fit.fold),
          onEpoch: (epoch, epochs, loss) => {
            lastNet = { ...fields, epoch: `${epoch + 1}/${epochs}`, loss };
            progress.update(done + (epoch + 1) / (epochs + 1), lastNet);
          },
        });
        await args.onResult?.(fit, result, data);
        // A plain line when the fold's last fit to compute ended.
        const foldEnded = todo[done + 1]?.fold !== fit.fold;
        const shown = lastNet?.fold === fields.fold ? lastNet : { ...fields, epoch: '-', loss: '-' };
        progress.update(++done, shown, { line: foldEnded });
      }
      results.push(result);
    }
  } finally {
    progress.stop();
  }
  return results;
}

/**
 * The paired difference arms: for each task / label fraction / fold evaluated in `ssl` (or `ssl-full`) and in the
 * reference arm, the metric differences ssl minus reference: `difference` / `difference-full` against `baseline`,
 * `difference-hrv` / `difference-full-hrv` against `hrv`.
 */
export function differenceScores(results: readonly FoldScore[]): FoldScore[] {
  return [
    ...pairedDifferences(results, 'baseline', { ssl: 'difference', 'ssl-full': 'difference-full' }),
    ...pairedDifferences(results, 'hrv', { ssl: 'difference-hrv', 'ssl-full': 'difference-full-hrv' }),
  ];
}

/** ssl / ssl-full minus `reference`, fold by fold, under the arm names of `names`. */
function pairedDifferences(
  results: readonly FoldScore[],
  reference: Arm,
  names: Partial<Record<Arm, Arm>>,
): FoldScore[] {
  const key = (s: FoldScore): string => JSON.stringify([s.dataset, s.task, s.labelFraction, s.fold]);
  const refs = new Map<string, FoldScore>();
  for (const s of results) if (s.arm === reference && s.metrics) refs.set(key(s), s);
  const out: FoldScore[] = [];
  for (const s of results) {
    const arm = names[s.arm];
    if (arm === undefined || !s.metrics) continue;
    const b = refs.get(key(s));
    if (!b?.metrics) continue;
    const metrics: Record<string, number> = {};
    for (const [m, v] of Object.entries(s.metrics)) {
      const bv = b.metrics[m];
      if (bv !== undefined) metrics[m] = v - bv;
    }
    out.push({
      dataset: s.dataset,
      task: s.task,
      arm,
      labelFraction: s.labelFraction,
      fold: s.fold,
      metrics,
    });
  }
  return out;
}
