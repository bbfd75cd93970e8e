// The report's summary table: one line per task / label fraction / arm, accuracy and macro F1 with paired tests.
import { escapeHtml } from './escapeHtml.js';
import { formatPValue } from './formatPValue.js';
import type { ReportRow, ReportSummary } from './readRunFiles.js';

/** The metrics of the table, in column order, with their headings. */
const METRICS = [
  { metric: 'accuracy', heading: 'accuracy' },
  { metric: 'f1Macro', heading: 'macro F1' },
] as const;

/** Whether a row carries any of the paired-test fields (written for `difference*` arms). */
function hasPairedStats(r: ReportRow): boolean {
  return [r.ci95Low, r.ci95High, r.pTTest, r.pWilcoxon].some((v) => typeof v === 'number');
}

function signed(v: number, withSign: boolean): string {
  return `${withSign && v >= 0 ? '+' : v < 0 ? '\u2212' : ''}${Math.abs(v).toFixed(3)}`;
}

/** The cells of one metric: mean +- std, then (when `stats`) 95 % CI, t-test p, Wilcoxon p. */
function metricCells(r: ReportRow | undefined, stats: boolean): string[] {
  const diff = r?.arm.startsWith('difference') === true;
  const cells = [r ? `${signed(r.mean, diff)} \u00b1 ${r.std.toFixed(3)}` : 'n/a'];
  if (stats) {
    const ci =
      typeof r?.ci95Low === 'number' && typeof r.ci95High === 'number'
        ? `[${signed(r.ci95Low, true)}, ${signed(r.ci95High, true)}]`
        : '';
    cells.push(ci, formatPValue(r?.pTTest), formatPValue(r?.pWilcoxon));
  }
  return cells.map((c) => `<td class="num">${escapeHtml(c)}</td>`);
}

/** The two header rows (metric groups over their columns when the paired tests are shown). */
function header(stats: boolean): string {
  const lead = ['dataset', 'task', 'labels', 'arm', 'n'];
  if (!stats) {
    const cols = [...lead, ...METRICS.map((m) => `${m.heading} (mean \u00b1 std)`)];
    return `<tr>${cols.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr>`;
  }
  const top = lead.map((c) => `<th rowspan="2">${escapeHtml(c)}</th>`).join('');
  const groups = METRICS.map((m) => `<th colspan="4">${escapeHtml(m.heading)}</th>`).join('');
  const sub = METRICS.map(
    () => '<th>mean \u00b1 std</th><th>95% CI</th><th>p (t-test)</th><th>p (Wilcoxon)</th>',
  );
  return `<tr>${top}${groups}</tr><tr>${sub.join('')}</tr>`;
}

/**
 * The summary table as HTML: one line per dataset / task / label fraction / arm (summary.json order), accuracy and
 * macro F1 as mean +- std over folds; the paired-test columns (95 % CI of the mean paired difference, paired t-test
 * and Wilcoxon signed-rank p) only when some row has them. Then one line per skipped fold.
 */
export function summaryTable(summary: ReportSummary): string {
  const groups = new Map<string, Partial<Record<string, ReportRow>>>();
  for (const r of summary.rows) {
    const key = JSON.stringify([r.dataset, r.task, r.labelFraction, r.arm]);
    groups.set(key, { ...groups.get(key), [r.metric]: r });
  }
  const stats = summary.rows.some(hasPairedStats);
  const body = [...groups.entries()].map(([key, byMetric]) => {
    const [dataset, task, fraction, arm] = JSON.parse(key) as string[];
    const n = byMetric.accuracy?.n ?? byMetric.f1Macro?.n ?? 0;
    const lead = [dataset, task, fraction, arm].map((c) => `<td>${escapeHtml(c)}</td>`).join('');
    const cls = arm!.startsWith('difference') ? ' class="difference"' : '';
    const cells = METRICS.flatMap((m) => metricCells(byMetric[m.metric], stats)).join('');
    return `<tr${cls}>${lead}<td class="num">${escapeHtml(n)}</td>${cells}</tr>`;
  });
  const parts = [
    `<table class="summary"><thead>${header(stats)}</thead><tbody>${body.join('')}</tbody></table>`,
  ];
  if (stats)
    parts.push(
      '<p class="note">difference arms: an SSL arm minus the baseline or HRV arm, fold by fold (paired); 95% CI of the mean ' +
        'paired difference; two-sided p of the paired t-test and of the Wilcoxon signed-rank test.</p>',
    );
  if (summary.skipped.length > 0) {
    const items = summary.skipped.map(
      (s) =>
        `<li>${escapeHtml(`${s.task} ${s.arm} ${s.labelFraction}: fold ${s.fold} skipped (${s.reason})`)}</li>`,
    );
    parts.push(`<ul class="skipped">${items.join('')}</ul>`);
  }
  return parts.join('\n');
}
