// Fold scores aggregated into summary rows (mean, std, paired statistics of the differences), CSV and table.
import Papa from 'papaparse';
import { pairedStatistics, type PairedStatistics } from '../metrics/pairedStatistics.js';

/**
 * Arm of the comparison (METHOD §4/§6): `ssl` = frozen pretrained encoder + dense head (fc-tuning), `ssl-full` = the
 * pretrained encoder fine-tuned with the head (finetune.mode full), `baseline` = the same CNN from random init
 * trained end to end ("CNN w/o self-sup."), `hrv` = the heart-rate reference (logistic regression on each window's
 * HRV features), `difference` / `difference-full` = ssl / ssl-full minus baseline and `difference-hrv` /
 * `difference-full-hrv` = ssl / ssl-full minus hrv, fold by fold (paired).
 */
export type Arm =
  | 'ssl'
  | 'ssl-full'
  | 'baseline'
  | 'hrv'
  | 'difference'
  | 'difference-full'
  | 'difference-hrv'
  | 'difference-full-hrv';

/** One fold's score for one task / arm / label fraction; `skipped` carries the reason when the fold was not evaluated. */
export interface FoldScore {
  dataset: string;
  task: string;
  arm: Arm;
  labelFraction: string;
  fold: number;
  metrics?: Record<string, number>;
  skipped?: string;
}

/** The columns every row of summary.csv / summary.json has. */
export interface SummaryStatsRow {
  dataset: string;
  task: string;
  arm: Arm;
  labelFraction: string;
  metric: string;
  mean: number;
  /** Sample standard deviation (n - 1); 0 when n = 1. */
  std: number;
  /** Number of evaluated (non-skipped) folds. */
  n: number;
  /** Per-fold values joined with ';' (fold order). */
  folds: string;
}

/**
 * A summary row: a difference arm's rows (`difference*`) also carry the paired statistics of their per-fold
 * differences ({@link PairedStatistics}: ci95Low, ci95High, pTTest, pWilcoxon, wilcoxonMethod, statsNote).
 */
export type SummaryRow = SummaryStatsRow & Partial<PairedStatistics>;

/** Mean and sample std (n - 1) of finite values; never NaN (n = 0 gives mean 0, std 0, reported with n = 0). */
export function meanStd(values: readonly number[]): { mean: number; std: number; n: number } {
  const finite = values.filter((v) => Number.isFinite(v));
  const n = finite.length;
  if (n === 0) return { mean: 0, std: 0, n: 0 };
  const mean = finite.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { mean, std: 0, n };
  const ss = finite.reduce((a, b) => a + (b - mean) * (b - mean), 0);
  return { mean, std: Math.sqrt(ss / (n - 1)), n };
}

/**
 * Aggregates fold scores into one row per dataset / task / arm / label fraction / metric. Skipped folds are left
 * out (n counts evaluated folds only); groups where every fold was skipped produce no rows. Rows of a difference
 * arm get {@link pairedStatistics} of their per-fold values as published (rounded to 6 decimals, so that float
 * round-off splits no tie and `scipy.stats.wilcoxon(foldValues)` reproduces the p-value).
 */
export function summarizeFolds(scores: readonly FoldScore[]): SummaryRow[] {
  const groups = new Map<string, FoldScore[]>();
  for (const s of scores) {
    if (!s.metrics) continue;
    const key = JSON.stringify([s.dataset, s.task, s.arm, s.labelFraction]);
    const list = groups.get(key) ?? [];
    list.push(s);
    groups.set(key, list);
  }
  const rows: SummaryRow[] = [];
  for (const list of groups.values()) {
    const sorted = [...list].sort((a, b) => a.fold - b.fold);
    const first = sorted[0]!;
    const metricNames = [...new Set(sorted.flatMap((s) => Object.keys(s.metrics ?? {})))].sort();
    for (const metric of metricNames) {
      const values = sorted.map((s) => s.metrics?.[metric]).filter((v): v is number => v !== undefined);
      const { mean, std, n } = meanStd(values);
      const published = values.map((v) => v.toFixed(6));
      const stats = first.arm.startsWith('difference')
        ? pairedStatistics(published.map(Number).filter(Number.isFinite))
        : {};
      rows.push({
        dataset: first.dataset,
        task: first.task,
        arm: first.arm,
        labelFraction: first.labelFraction,
        metric,
        mean,
        std,
        n,
        folds: published.join(';'),
        ...stats,
      });
    }
  }
  return rows;
}

/** The columns of summary.csv, in order. */
export const SUMMARY_COLUMNS = [
  'dataset',
  'task',
  'arm',
  'labelFraction',
  'metric',
  'mean',
  'std',
  'n',
  'folds',
  'ci95Low',
  'ci95High',
  'pTTest',
  'pWilcoxon',
] as const;

/** summary.csv text (header + one line per row; a null or absent statistic is an empty cell), through papaparse. */
export function summaryToCsv(rows: readonly SummaryRow[]): string {
  return (
    Papa.unparse(
      { fields: [...SUMMARY_COLUMNS], data: rows.map((r) => SUMMARY_COLUMNS.map((c) => r[c] ?? '')) },
      { newline: '\n' },
    ) + '\n'
  );
}

/** A p-value with its relation for the terminal: `=0.016` (3 decimals, 4 under 0.01), `<0.0001`, `=n/a` for null. */
function formatP(p: number | null | undefined): string {
  if (p === null || p === undefined) return '=n/a';
  if (p >= 0.01) return `=${p.toFixed(3)}`;
  return p >= 0.0001 ? `=${p.toFixed(4)}` : '<0.0001';
}

/** The statistics appended to a difference line: 95 % CI and p-values of the F1 row (accuracy without one). */
function formatStats(acc: SummaryRow | undefined, f1: SummaryRow | undefined): string {
  const [name, r] = f1 ? ['F1', f1] : ['acc', acc];
  if (!r) return '';
  const signed = (v: number): string => `${v >= 0 ? '+' : ''}${v.toFixed(3)}`;
  const ci =
    r.ci95Low === null || r.ci95Low === undefined || r.ci95High === null || r.ci95High === undefined
      ? 'n/a'
      : `[${signed(r.ci95Low)}, ${signed(r.ci95High)}]`;
  const note = r.statsNote ? ` (${r.statsNote})` : '';
  return `  ${name} 95% CI ${ci} p(t)${formatP(r.pTTest)} p(W)${formatP(r.pWilcoxon)}${note}`;
}

/**
 * Terminal table, one line per task / arm / label fraction, e.g.
 * `arousal  ssl       acc 0.853 +- 0.021  F1 0.851 +- 0.020 (n=10)`; a difference line ends with the F1's paired
 * statistics, e.g. `  F1 95% CI [+0.240, +0.520] p(t)=0.0002 p(W)=0.0020`.
 */
export function formatSummaryTable(rows: readonly SummaryRow[]): string {
  const byKey = new Map<string, { head: SummaryRow; acc?: SummaryRow; f1?: SummaryRow }>();
  for (const r of rows) {
    const key = JSON.stringify([r.dataset, r.task, r.arm, r.labelFraction]);
    const e = byKey.get(key) ?? { head: r };
    if (r.metric === 'accuracy') e.acc = r;
    if (r.metric === 'f1Macro') e.f1 = r;
    byKey.set(key, e);
  }
  const taskWidth = Math.max(8, ...rows.map((r) => r.task.length + 1));
  const armWidth = Math.max(9, ...rows.map((r) => r.arm.length + 1));
  const lines: string[] = [];
  for (const { head, acc, f1 } of byKey.values()) {
    const signed = head.arm.startsWith('difference');
    const fmt = (r: SummaryRow | undefined): string =>
      r ? `${signed && r.mean >= 0 ? '+' : ''}${r.mean.toFixed(3)} +- ${r.std.toFixed(3)}` : 'n/a';
    const frac = head.labelFraction === '100%' ? '' : ` [${head.labelFraction} labels]`;
    const stats = signed ? formatStats(acc, f1) : '';
    lines.push(
      `${head.task.padEnd(taskWidth)} ${head.arm.padEnd(armWidth)} acc ${fmt(acc)}  F1 ${fmt(f1)} (n=${acc?.n ?? f1?.n ?? 0})${frac}${stats}`,
    );
  }
  return lines.join('\n');
}
