// Scores of one test set: accuracy, macro precision/recall/F1, the authors' F1, the confusion matrix.
import { InternalError } from '../errors.js';

/** Classification scores of one test set (METHOD §6). */
export interface ClassificationScores {
  accuracy: number;
  /** Mean of per-class precision (0 for a class never predicted). */
  precisionMacro: number;
  /** Mean of per-class recall. */
  recallMacro: number;
  /** Mean of per-class F1, scikit-learn's `f1_score(average='macro')`. */
  f1Macro: number;
  /** The authors' F1: 2PR/(P+R) of macro precision P and macro recall R. */
  f1Official: number;
  /** confusion[true][predicted] counts over classes 0..numClasses-1. */
  confusion: number[][];
}

/**
 * Accuracy, macro precision/recall/F1 and the authors' F1 (METHOD §6, `../shared/fixtures/metrics.json`).
 * Macro averages run over the classes present in yTrue or yPred (scikit-learn's rule); the confusion matrix
 * covers 0..numClasses-1 (default: the largest label + 1).
 */
export function scoreClassification(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  numClasses?: number,
): ClassificationScores {
  const n = yTrue.length;
  if (n !== yPred.length)
    throw new InternalError(`scoreClassification: yTrue has ${n} labels, yPred ${yPred.length}`);
  if (n === 0) throw new InternalError('scoreClassification: no samples to score');
  let maxLabel = 0;
  for (let i = 0; i < n; i++) {
    for (const v of [yTrue[i] as number, yPred[i] as number]) {
      if (!Number.isInteger(v) || v < 0)
        throw new InternalError(
          `scoreClassification: labels must be non-negative integers, got ${v} at index ${i}`,
        );
      maxLabel = Math.max(maxLabel, v);
    }
  }
  const k = numClasses ?? maxLabel + 1;
  if (maxLabel >= k)
    throw new InternalError(`scoreClassification: label ${maxLabel} is out of range for ${k} classes`);
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const t = yTrue[i] as number;
    const p = yPred[i] as number;
    (confusion[t] as number[])[p] = ((confusion[t] as number[])[p] as number) + 1;
    if (t === p) correct++;
  }
  let pSum = 0;
  let rSum = 0;
  let fSum = 0;
  let present = 0;
  for (let c = 0; c < k; c++) {
    const tp = (confusion[c] as number[])[c] as number;
    let actual = 0;
    let predicted = 0;
    for (let j = 0; j < k; j++) {
      actual += (confusion[c] as number[])[j] as number;
      predicted += (confusion[j] as number[])[c] as number;
    }
    if (actual === 0 && predicted === 0) continue;
    present++;
    const precision = predicted > 0 ? tp / predicted : 0;
    const recall = actual > 0 ? tp / actual : 0;
    pSum += precision;
    rSum += recall;
    fSum += precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  }
  const P = pSum / present;
  const R = rSum / present;
  return {
    accuracy: correct / n,
    precisionMacro: P,
    recallMacro: R,
    f1Macro: fSum / present,
    f1Official: P + R > 0 ? (2 * P * R) / (P + R) : 0,
    confusion,
  };
}
