// The Wilcoxon signed-rank test of paired differences, two-sided, as scipy.stats.wilcoxon computes it by default.
import { invariant } from '../errors.js';
import { regularizedGammaQ } from './regularizedGammaQ.js';

/** How the p-value was computed (scipy's `method='auto'` choice). */
export type WilcoxonMethod = 'exact' | 'permutation' | 'asymptotic';

/** Result of {@link wilcoxonSignedRank}. */
export interface WilcoxonResult {
  /** min(R+, R-), scipy's two-sided statistic. */
  statistic: number;
  /** Sum of the ranks of the positive differences. */
  rankSumPositive: number;
  /** Two-sided p-value. */
  pValue: number;
  method: WilcoxonMethod;
  /** Differences left after dropping the zeros. */
  nonZero: number;
}

/** Largest sample (zeros included) with an exact p-value; scipy's `method='auto'` threshold. */
export const WILCOXON_EXACT_MAX_N = 50;
/** Largest sample with ties or zeros whose 2^n sign flips are enumerated (scipy's permutation-test branch). */
export const WILCOXON_PERMUTATION_MAX_N = 13;

/** Average ranks (1-based) of `values` and the sizes of their tie groups. */
function midranks(values: readonly number[]): { ranks: number[]; tieSizes: number[] } {
  const order = values.map((_, i) => i).sort((a, b) => (values[a] as number) - (values[b] as number));
  const ranks = new Array<number>(values.length).fill(0);
  const tieSizes: number[] = [];
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && values[order[j + 1]!] === values[order[i]!]) j++;
    for (let k = i; k <= j; k++) ranks[order[k]!] = (i + j) / 2 + 1;
    tieSizes.push(j - i + 1);
    i = j + 1;
  }
  return { ranks, tieSizes };
}

/**
 * Two-sided p of an observed sum under the null where each of `weights` (non-negative integers) enters the sum
 * with probability 1/2, independently: 2 min(P(S <= floor(obs)), P(S >= ceil(obs))), at most 1.
 */
function signFlipP(weights: readonly number[], observed: number): number {
  const total = weights.reduce((a, b) => a + b, 0);
  let counts = new Float64Array(total + 1);
  counts[0] = 1;
  for (const w of weights) {
    const next = counts.slice();
    for (let s = 0; s + w <= total; s++) next[s + w] = (next[s + w] as number) + (counts[s] as number);
    counts = next;
  }
  const all = 2 ** weights.length;
  let below = 0;
  let above = 0;
  for (let s = 0; s <= total; s++) {
    if (s <= Math.floor(observed)) below += counts[s] as number;
    if (s >= Math.ceil(observed)) above += counts[s] as number;
  }
  return Math.min(1, (2 * Math.min(below, above)) / all);
}

/**
 * Wilcoxon signed-rank test of `differences` (x - y per pair), two-sided, matching scipy.stats.wilcoxon's defaults
 * (scipy >= 1.15: zero_method 'wilcox', correction False, method 'auto'): zero differences are dropped, |d| ranked
 * with average ranks for ties. Up to {@link WILCOXON_EXACT_MAX_N} differences with no ties and no zeros: the exact
 * null distribution; with ties or zeros, up to {@link WILCOXON_PERMUTATION_MAX_N}: the exact distribution over all
 * sign flips; otherwise the normal approximation with the tie correction, without continuity correction.
 * Needs at least one non-zero finite difference (an InternalError otherwise).
 */
export function wilcoxonSignedRank(differences: readonly number[]): WilcoxonResult {
  invariant(
    differences.every((v) => Number.isFinite(v)),
    'wilcoxonSignedRank',
    `differences must be finite, got [${differences.join(', ')}]`,
  );
  const n = differences.length;
  const nonZeroValues = differences.filter((v) => v !== 0);
  const count = nonZeroValues.length;
  invariant(count > 0, 'wilcoxonSignedRank', `needs a non-zero difference, got [${differences.join(', ')}]`);
  const { ranks, tieSizes } = midranks(nonZeroValues.map(Math.abs));
  let rankSumPositive = 0;
  nonZeroValues.forEach((v, i) => {
    if (v > 0) rankSumPositive += ranks[i] as number;
  });
  const statistic = Math.min(rankSumPositive, (count * (count + 1)) / 2 - rankSumPositive);
  const ties = tieSizes.some((t) => t > 1);
  const method: WilcoxonMethod =
    n > WILCOXON_EXACT_MAX_N
      ? 'asymptotic'
      : !ties && count === n
        ? 'exact'
        : n <= WILCOXON_PERMUTATION_MAX_N
          ? 'permutation'
          : 'asymptotic';
  let pValue: number;
  if (method === 'asymptotic') {
    const tieTerm = tieSizes.reduce((a, t) => a + t * t * t - t, 0);
    const se = Math.sqrt((count * (count + 1) * (2 * count + 1) - tieTerm / 2) / 24);
    const z = (rankSumPositive - (count * (count + 1)) / 4) / se;
    pValue = regularizedGammaQ(0.5, (z * z) / 2);
  } else {
    // Doubled ranks are integers (average ranks are multiples of 1/2); zeros flip to themselves and cancel out.
    pValue = signFlipP(
      ranks.map((r) => Math.round(2 * r)),
      2 * rankSumPositive,
    );
  }
  return { statistic, rankSumPositive, pValue, method, nonZero: count };
}
