// Evaluation metrics (METHOD §6) and the paired statistics of per-fold differences.
export { scoreClassification, type ClassificationScores } from './scoreClassification.js';
export { pairedStatistics, type PairedStatistics } from './pairedStatistics.js';
export { pairedTTest, type PairedTTestResult } from './pairedTTest.js';
export {
  wilcoxonSignedRank,
  WILCOXON_EXACT_MAX_N,
  WILCOXON_PERMUTATION_MAX_N,
  type WilcoxonMethod,
  type WilcoxonResult,
} from './wilcoxonSignedRank.js';
