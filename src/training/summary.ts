// Fold scores aggregated into summary rows (mean, std per dataset/task/arm/fraction/metric), CSV and table.
import Papa from 'papaparse';

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

/** One row of summary.csv / summary.json. */
export interface SummaryRow {
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
 * out (n counts evaluated folds only); groups where every fold was skipped produce no rows.
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
      rows.push({
        dataset: first.dataset,
        task: first.task,
        arm: first.arm,
        labelFraction: first.labelFraction,
        metric,
        mean,
        std,
        n,
        folds: values.map((v) => v.toFixed(6)).join(';'),
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
] as const;

/** summary.csv text (header + one line per row), through papaparse. */
export function summaryToCsv(rows: readonly SummaryRow[]): string {
  return (
    Papa.unparse(
      { fields: [...SUMMARY_COLUMNS], data: rows.map((r) => SUMMARY_COLUMNS.map((c) => r[c])) },
      { newline: '\n' },
    ) + '\n'
  );
}

/**
 * Terminal table, one line per task / arm / label fraction, e.g.
 * `arousal  ssl       acc 0.853 +- 0.021  F1 0.851 +- 0.020 (n=10)`.
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
    lines.push(
      `${head.task.padEnd(taskWidth)} ${head.arm.padEnd(armWidth)} acc ${fmt(acc)}  F1 ${fmt(f1)} (n=${acc?.n ?? f1?.n ?? 0})${frac}`,
    );
  }
  return lines.join('\n');
}
