/** The generic format's labels.csv: subject, recording, optional samplingRateHz, label columns turned into numbers. */
import { readFileSync } from 'node:fs';
import Papa from 'papaparse';
import { UserError } from '../../../errors.js';
import { excerpt } from '../../../util/excerpt.js';
import { median } from '../../../util/median.js';

/** One row of a generic dataset's `labels.csv`, labels already turned into numbers. */
export interface LabelRow {
  /** 1-based line number in labels.csv (for error messages). */
  line: number;
  subject: string;
  recording: string;
  samplingRateHz: number | undefined;
  labels: Record<string, number>;
}

/** How each label column was turned into numbers (for the store's description). */
export interface LabelColumnInfo {
  task: string;
  rule: 'binary' | 'threshold' | 'categorical';
  /** Number of classes (2 for binary and thresholded columns). */
  classes: number;
  /** Categorical columns: the class names in index order. */
  categories?: string[];
}

/** Columns of labels.csv that are not label tasks. */
export const LABELS_RESERVED_COLUMNS = ['subject', 'recording', 'samplingRateHz'] as const;

/** Each subject's own mean or median of a numeric label column (NaN cells left out), the per-subject thresholds. */
function subjectThresholds(
  raw: readonly { subject: string }[],
  nums: readonly number[],
  threshold: 'mean' | 'median',
): Map<string, number> {
  const thresholds = new Map<string, number>();
  const bySubject = new Map<string, number[]>();
  raw.forEach((r, i) => {
    const v = nums[i] as number;
    if (Number.isNaN(v)) return;
    const list = bySubject.get(r.subject) ?? [];
    list.push(v);
    bySubject.set(r.subject, list);
  });
  for (const [s, list] of bySubject) {
    const mean = list.reduce((a, b) => a + b, 0) / list.length;
    thresholds.set(s, threshold === 'mean' ? mean : median(list));
  }
  return thresholds;
}

/**
 * Reads and interprets `labels.csv` of a generic dataset. Columns `subject` and `recording` are required,
 * `samplingRateHz` optional; every other column is a label task, turned into numbers per column:
 * - only 0/1 values (integers): kept as they are (binary);
 * - other numbers: binarised with `threshold` (a number t: value > t is 1, else 0; `mean`/`median`: the
 *   subject's own mean/median of that column is the threshold);
 * - any non-numeric value: categorical, the distinct strings sorted (JavaScript string order) map to class
 *   indices 0..k-1;
 * - an empty cell is NaN (unknown; such windows are left out of that task's training and scoring).
 */
export function readLabelsCsv(
  path: string,
  threshold: number | 'mean' | 'median',
): { rows: LabelRow[]; columns: LabelColumnInfo[] } {
  const parsed = Papa.parse<Record<string, string>>(readFileSync(path, 'utf8'), {
    header: true,
    skipEmptyLines: 'greedy',
    transformHeader: (h) => h.trim(),
  });
  const fields = parsed.meta.fields ?? [];
  const bad = parsed.errors.find((e) => e.type !== 'Delimiter');
  if (bad)
    throw new UserError(`readGeneric: ${path} line ${(bad.row ?? 0) + 2}: ${excerpt(bad.message, 200)}`);
  for (const need of ['subject', 'recording'])
    if (!fields.includes(need))
      throw new UserError(
        `readGeneric: ${path} has no "${need}" column (columns: ${excerpt(fields.join(', '), 200)})`,
      );
  const taskCols = fields.filter(
    (f) => !(LABELS_RESERVED_COLUMNS as readonly string[]).includes(f) && f !== '',
  );
  const raw = parsed.data.map((r, i) => {
    const subject = (r.subject ?? '').trim();
    const recording = (r.recording ?? '').trim();
    if (subject === '' || recording === '')
      throw new UserError(`readGeneric: ${path} line ${i + 2}: empty subject or recording`);
    const rateText = (r.samplingRateHz ?? '').trim();
    const rate = rateText === '' ? undefined : Number(rateText);
    if (rate !== undefined && !(rate > 0 && Number.isFinite(rate)))
      throw new UserError(
        `readGeneric: ${path} line ${i + 2}: samplingRateHz "${excerpt(rateText)}" is not a positive number`,
      );
    return { line: i + 2, subject, recording, rate, cells: r };
  });
  const columns: LabelColumnInfo[] = [];
  const values: Record<string, number[]> = {};
  for (const task of taskCols) {
    const cells = raw.map((r) => (r.cells[task] ?? '').trim());
    const present = cells.filter((c) => c !== '');
    const numeric = present.every((c) => Number.isFinite(Number(c)));
    if (!numeric) {
      const categories = [...new Set(present)].sort();
      columns.push({ task, rule: 'categorical', classes: categories.length, categories });
      values[task] = cells.map((c) => (c === '' ? NaN : categories.indexOf(c)));
      continue;
    }
    const nums = cells.map((c) => (c === '' ? NaN : Number(c)));
    if (nums.every((v) => Number.isNaN(v) || v === 0 || v === 1)) {
      columns.push({ task, rule: 'binary', classes: 2 });
      values[task] = nums;
      continue;
    }
    columns.push({ task, rule: 'threshold', classes: 2 });
    const thresholds =
      typeof threshold === 'number' ? new Map<string, number>() : subjectThresholds(raw, nums, threshold);
    values[task] = nums.map((v, i) => {
      if (Number.isNaN(v)) return NaN;
      const t = typeof threshold === 'number' ? threshold : (thresholds.get(raw[i]?.subject ?? '') as number);
      return v > t ? 1 : 0;
    });
  }
  const rows: LabelRow[] = raw.map((r, i) => ({
    line: r.line,
    subject: r.subject,
    recording: r.recording,
    samplingRateHz: r.rate,
    labels: Object.fromEntries(taskCols.map((t) => [t, (values[t] as number[])[i] as number])),
  }));
  return { rows, columns };
}
