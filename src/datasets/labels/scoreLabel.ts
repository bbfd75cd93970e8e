/** One self-assessment score as a label under `data.labels.scheme`: binary threshold or one class per rounded score. */
import { UserError } from '../../errors.js';
import type { LabelScheme } from '../readers/sourceFields.js';

/** Arguments of {@link scoreLabel}. */
export interface ScoreLabelArgs {
  /** `threshold`: score > `threshold` = 1, else 0; `classes`: round(score) - `scaleMin`. */
  scheme: LabelScheme;
  /** The binarisation threshold (a number, or the subject's own mean/median already computed). */
  threshold: number;
  /** Lowest score of the scale (AMIGOS, SWELL, DREAMER: 1), class 0 under `classes`. */
  scaleMin: number;
  /** Where the score comes from, for the error message (file and field). */
  where: string;
}

/** Rounds half to even, as NumPy's `np.round` (the authors' code): 4.5 -> 4, 5.5 -> 6. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * The label of one score: `threshold` gives 1 for score > threshold, else 0; `classes` gives the rounded score's
 * class, round(score) - scaleMin (AMIGOS 1-9: 9 classes, score 1 = class 0). NaN stays NaN (unknown); under
 * `classes` a score that rounds below the scale's lowest is an error naming `where`.
 */
export function scoreLabel(score: number, args: ScoreLabelArgs): number {
  if (!Number.isFinite(score)) return NaN;
  if (args.scheme === 'threshold') return score > args.threshold ? 1 : 0;
  const c = roundHalfEven(score) - args.scaleMin;
  if (c < 0)
    throw new UserError(
      `scoreLabel: ${args.where}: score ${score} is below the scale's lowest score ${args.scaleMin} (data.labels.scheme: classes)`,
    );
  return c;
}
