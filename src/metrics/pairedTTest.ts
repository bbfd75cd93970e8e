// The paired t-test (one-sample t-test of the differences) and the t-based 95 % confidence interval of their mean.
import { invariant } from '../errors.js';
import { regularizedIncompleteBeta } from './regularizedIncompleteBeta.js';
import { studentTQuantile } from './studentTQuantile.js';

/** Result of {@link pairedTTest}. */
export interface PairedTTestResult {
  n: number;
  mean: number;
  /** Sample standard deviation (n - 1). */
  sd: number;
  /** mean / (sd / sqrt(n)); ±Infinity when sd = 0 and mean != 0, NaN when both are 0. */
  tStatistic: number;
  /** Two-sided p-value with n - 1 degrees of freedom (0 for an infinite t, NaN for a NaN t). */
  pValue: number;
  /** mean ∓ t(0.975, n - 1) · sd / sqrt(n). */
  ci95Low: number;
  ci95High: number;
}

/**
 * Paired t-test of `differences` (x - y per pair) against a zero mean, two-sided, and the 95 % t-interval of the
 * mean difference: scipy.stats.ttest_rel(x, y) = ttest_1samp(differences, 0). Needs n >= 2 finite values.
 */
export function pairedTTest(differences: readonly number[]): PairedTTestResult {
  const n = differences.length;
  invariant(n >= 2, 'pairedTTest', `needs at least 2 differences, got ${n}`);
  invariant(
    differences.every((v) => Number.isFinite(v)),
    'pairedTTest',
    `differences must be finite, got [${differences.join(', ')}]`,
  );
  const mean = differences.reduce((a, b) => a + b, 0) / n;
  const ss = differences.reduce((a, v) => a + (v - mean) * (v - mean), 0);
  const sd = Math.sqrt(ss / (n - 1));
  const se = sd / Math.sqrt(n);
  const df = n - 1;
  const tStatistic = mean / se;
  const pValue = Number.isNaN(tStatistic)
    ? NaN
    : Number.isFinite(tStatistic)
      ? regularizedIncompleteBeta(df / 2, 0.5, df / (df + tStatistic * tStatistic))
      : 0;
  const half = studentTQuantile(0.975, df) * se;
  return { n, mean, sd, tStatistic, pValue, ci95Low: mean - half, ci95High: mean + half };
}
