// The heart-rate reference arm `hrv`: R peaks -> per-window HRV features (+ subject-relative) -> logistic regression.
import type { WindowStore } from '../datasets/types.js';
import {
  detectRPeaks,
  hrvFeatures,
  hrvRelativeFeatureVector,
  subjectRelativeFeatures,
  type HrvRelativeWindowFeatures,
} from '../hrv/index.js';
import { fitLogisticRegression, predictLogisticRegression } from '../models/logisticRegression.js';

/** Per window of a store: its 8 classifier inputs (HRV_RELATIVE_FEATURE_NAMES), or why it has none. */
export type HrvInputs = ({ ok: true; x: number[] } | { ok: false; reason: string })[];

/** What the hrv arm records per fit besides the scores: windows without features and why. */
export interface HrvFitInfo {
  /** Labelled training windows left out of the fit (too few beats), and test windows scored without features. */
  trainWithoutFeatures: number;
  testWithoutFeatures: number;
  /** Reason -> window count, over the fit's training and test windows. */
  reasons: Record<string, number>;
}

const cache = new WeakMap<WindowStore, HrvInputs>();

/**
 * The hrv arm's inputs of every window of `store` (computed once per store): R peaks by {@link detectRPeaks} on the
 * preprocessed window at the store's rate, mean heart rate, SDNN, RMSSD and pNN50, and each of them minus the mean of
 * its subject's windows (unlabelled statistics, like the per-subject z-score). A window with too few beats gets the
 * reason instead.
 */
export function hrvInputsOf(store: WindowStore, windows: Float32Array): HrvInputs {
  const hit = cache.get(store);
  if (hit) return hit;
  const ws = store.windowSamples;
  const perWindow = store.entries.map((_, i) =>
    hrvFeatures(
      detectRPeaks(windows.subarray(i * ws, (i + 1) * ws), store.samplingRateHz),
      store.samplingRateHz,
    ),
  );
  const relative: HrvRelativeWindowFeatures[] = subjectRelativeFeatures(
    perWindow,
    store.entries.map((e) => e.subject),
  );
  const inputs: HrvInputs = relative.map((w) =>
    w.ok ? { ok: true, x: hrvRelativeFeatureVector(w) } : { ok: false, reason: w.reason },
  );
  cache.set(store, inputs);
  return inputs;
}

/**
 * Trains the hrv arm's L2 logistic regression (lambda 1, features standardised on the training windows) on the
 * training windows that have features and predicts every test window; a test window without features gets the
 * training mean as its features (so the prediction is the intercept's class). Returns the predicted classes, or the
 * reason the fit cannot be made (its training windows with features cover fewer than two classes).
 */
export function fitHrvArm(
  inputs: HrvInputs,
  labels: readonly number[],
  train: readonly number[],
  test: readonly number[],
  numClasses: number,
): { pred: number[]; info: HrvFitInfo } | { skipped: string } {
  const reasons: Record<string, number> = {};
  const note = (i: number): void => {
    const w = inputs[i]!;
    if (!w.ok) reasons[w.reason] = (reasons[w.reason] ?? 0) + 1;
  };
  const usable = train.filter((i) => inputs[i]!.ok);
  train.forEach(note);
  test.forEach(note);
  const y = usable.map((i) => labels[i]!);
  if (new Set(y).size < 2)
    return {
      skipped: `hrv: the training windows with enough beats (${usable.length} of ${train.length}) cover fewer than two classes`,
    };
  const xOf = (i: number): number[] => (inputs[i] as { x: number[] }).x;
  const model = fitLogisticRegression(usable.map(xOf), y, { numClasses });
  const pred = predictLogisticRegression(
    model,
    test.map((i) => (inputs[i]!.ok ? xOf(i) : model.featureMean)),
  );
  return {
    pred,
    info: {
      trainWithoutFeatures: train.length - usable.length,
      testWithoutFeatures: test.filter((i) => !inputs[i]!.ok).length,
      reasons,
    },
  };
}
