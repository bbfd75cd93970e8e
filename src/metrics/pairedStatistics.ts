// Paired statistics of per-fold differences: 95 % t-interval, paired t-test p and Wilcoxon signed-rank p.
import { pairedTTest } from './pairedTTest.js';
import { wilcoxonSignedRank, type WilcoxonMethod } from './wilcoxonSignedRank.js';

/** What summary.json's difference rows carry; null where a value is undefined, with the reason in `statsNote`. */
export interface PairedStatistics {
  /** 95 % t-interval of the mean difference (null with fewer than 2 differences or when all are equal). */
  ci95Low: number | null;
  ci95High: number | null;
  /** Two-sided paired t-test p (null with fewer than 2 differences or when all are equal: t is undefined). */
  pTTest: number | null;
  /** Two-sided Wilcoxon signed-rank p (null with fewer than 2 differences or when all are zero). */
  pWilcoxon: number | null;
  /** How pWilcoxon was computed (absent when it is null). */
  wilcoxonMethod?: WilcoxonMethod;
  /** Why a value is null (absent when none is). */
  statsNote?: string;
}

/**
 * Paired statistics of `differences` (x - y per fold, finite): the 95 % t-interval of the mean, the paired t-test
 * p and the Wilcoxon signed-rank p (both two-sided, as scipy.stats.ttest_rel and scipy.stats.wilcoxon with their
 * defaults). Degenerate samples give nulls and a `statsNote` instead of NaN: fewer than 2 differences (everything
 * null); all differences equal (zero variance: no interval, no t-test; Wilcoxon still defined unless they are all
 * zero).
 */
export function pairedStatistics(differences: readonly number[]): PairedStatistics {
  const none = { ci95Low: null, ci95High: null, pTTest: null, pWilcoxon: null };
  const n = differences.length;
  if (n < 2) return { ...none, statsNote: `fewer than 2 paired folds (n = ${n})` };
  if (differences.every((v) => v === 0)) return { ...none, statsNote: 'all differences are zero' };
  const w = wilcoxonSignedRank(differences);
  const wilcoxon = { pWilcoxon: w.pValue, wilcoxonMethod: w.method };
  if (differences.every((v) => v === differences[0]))
    return { ...none, ...wilcoxon, statsNote: 'all differences are equal (zero variance): no t statistic' };
  const t = pairedTTest(differences);
  return { ci95Low: t.ci95Low, ci95High: t.ci95High, pTTest: t.pValue, ...wilcoxon };
}
