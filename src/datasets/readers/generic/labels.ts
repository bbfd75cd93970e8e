/** The generic format's labels.csv: subject, recording, optional samplingRateHz / startS,endS, label columns as numbers. */
import { readFileSync } from 'node:fs';
import Papa from 'papaparse';
import { UserError } from '../../../errors.js';
import { excerpt } from '../../../util/excerpt.js';
import { median } from '../../../util/median.js';
import { roundHalfEven } from '../../labels/scoreLabel.js';
import type { LabelScheme } from '../sourceFields.js';

/** One row of a generic dataset's `labels.csv`, labels already turned into numbers. */
export interface LabelRow {
  /** 1-based line number in labels.csv (for error messages). */
  line: number;
  subject: string;
  recording: string;
  samplingRateHz: number | undefined;
  /** The labelled interval of the recording, seconds from its start (both absent: the row labels the whole recording). */
  startS?: number;
  endS?: number;
  labels: Record<string, number>;
}

/** How each label column was turned into numbers (for the store's description). */
export interface LabelColumnInfo {
  task: string;
  rule: 'binary' | 'threshold' | 'classes' | 'categorical';
  /** Number of classes (2 for binary and thresholded columns; `classes`: highest class + 1). */
  classes: number;
  /** Categorical columns: the class names in index order. */
  categories?: string[];
}

/** Columns of labels.csv that are not label tasks. */
export const LABELS_RESERVED_COLUMNS = ['subject', 'recording', 'samplingRateHz', 'startS', 'endS'] as const;

/** Options of {@link readLabelsCsv} besides the threshold. */
export interface ReadLabelsCsvOptions {
  /** `data.labels.scheme` (default `threshold`). */
  scheme?: LabelScheme;
  /** Require the `startS,endS` columns with a value in every row (`data.labelsFile`); default: optional columns. */
  intervals?: boolean;
  /** Prefix of error messages (default `readGeneric`). */
  fn?: string;
}

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

/** A row of labels.csv before its label cells are interpreted. */
interface RawRow {
  line: number;
  subject: string;
  recording: string;
  rate: number | undefined;
  startS: number | undefined;
  endS: number | undefined;
  cells: Record<string, string>;
}

/** A non-negative number cell (`field` of `line`), or undefined when empty; anything else is an error naming both. */
function secondsCell(
  text: string | undefined,
  field: string,
  where: { path: string; line: number; fn: string },
) {
  const t = (text ?? '').trim();
  if (t === '') return undefined;
  const v = Number(t);
  if (!(Number.isFinite(v) && v >= 0))
    throw new UserError(
      `${where.fn}: ${where.path} line ${where.line}: ${field} "${excerpt(t)}" is not a number of seconds >= 0`,
    );
  return v;
}

/** The interval fields of one row: both empty, or startS < endS (`required`: both must be there). */
function rowInterval(
  r: Record<string, string>,
  where: { path: string; line: number; fn: string },
  required: boolean,
): { startS: number | undefined; endS: number | undefined } {
  const startS = secondsCell(r.startS, 'startS', where);
  const endS = secondsCell(r.endS, 'endS', where);
  for (const [field, v] of [
    ['startS', startS],
    ['endS', endS],
  ] as const)
    if (v === undefined && (required || startS !== undefined || endS !== undefined))
      throw new UserError(`${where.fn}: ${where.path} line ${where.line}: ${field} is empty`);
  if (startS !== undefined && endS !== undefined && !(endS > startS))
    throw new UserError(
      `${where.fn}: ${where.path} line ${where.line}: endS ${endS} is not after startS ${startS}`,
    );
  return { startS, endS };
}

/** One parsed row: subject, recording, optional rate and interval (errors name the file, line and field). */
function rawRow(r: Record<string, string>, i: number, path: string, opts: ReadLabelsCsvOptions): RawRow {
  const fn = opts.fn ?? 'readGeneric';
  const line = i + 2;
  const subject = (r.subject ?? '').trim();
  const recording = (r.recording ?? '').trim();
  if (subject === '' || recording === '')
    throw new UserError(`${fn}: ${path} line ${line}: empty subject or recording`);
  const rateText = (r.samplingRateHz ?? '').trim();
  const rate = rateText === '' ? undefined : Number(rateText);
  if (rate !== undefined && !(rate > 0 && Number.isFinite(rate)))
    throw new UserError(
      `${fn}: ${path} line ${line}: samplingRateHz "${excerpt(rateText)}" is not a positive number`,
    );
  return {
    line,
    subject,
    recording,
    rate,
    ...rowInterval(r, { path, line, fn }, opts.intervals === true),
    cells: r,
  };
}

/** Most classes a numeric column may span under scheme `classes` (more is a mistake, not a label scale). */
export const MAX_SCORE_CLASSES = 1000;

/** A numeric column under scheme `classes`: each value rounded half to even, minus the column's lowest. */
function classesColumn(
  task: string,
  nums: readonly number[],
  where: string,
): { info: LabelColumnInfo; values: number[] } {
  const rounded = nums.map((v) => (Number.isNaN(v) ? NaN : roundHalfEven(v)));
  let lowest = Infinity;
  let highest = -Infinity;
  for (const v of rounded)
    if (!Number.isNaN(v)) {
      lowest = Math.min(lowest, v);
      highest = Math.max(highest, v);
    }
  if (!(highest - lowest < MAX_SCORE_CLASSES))
    throw new UserError(
      `${where}: column "${excerpt(task)}" spans ${lowest}..${highest}, more than ${MAX_SCORE_CLASSES} classes under data.labels.scheme: classes`,
    );
  return {
    info: { task, rule: 'classes', classes: highest - lowest + 1 },
    values: rounded.map((v) => v - lowest),
  };
}

/** One label column as numbers: binary, thresholded, one class per rounded value, or categorical (see readLabelsCsv). */
function labelColumn(
  task: string,
  raw: readonly RawRow[],
  threshold: number | 'mean' | 'median',
  scheme: LabelScheme,
  where: string,
): { info: LabelColumnInfo; values: number[] } {
  const cells = raw.map((r) => (r.cells[task] ?? '').trim());
  const present = cells.filter((c) => c !== '');
  if (!present.every((c) => Number.isFinite(Number(c)))) {
    const categories = [...new Set(present)].sort();
    return {
      info: { task, rule: 'categorical', classes: categories.length, categories },
      values: cells.map((c) => (c === '' ? NaN : categories.indexOf(c))),
    };
  }
  const nums = cells.map((c) => (c === '' ? NaN : Number(c)));
  if (nums.every((v) => Number.isNaN(v) || v === 0 || v === 1))
    return { info: { task, rule: 'binary', classes: 2 }, values: nums };
  if (scheme === 'classes') return classesColumn(task, nums, where);
  const thresholds =
    typeof threshold === 'number' ? new Map<string, number>() : subjectThresholds(raw, nums, threshold);
  const values = nums.map((v, i) => {
    if (Number.isNaN(v)) return NaN;
    const t = typeof threshold === 'number' ? threshold : (thresholds.get(raw[i]?.subject ?? '') as number);
    return v > t ? 1 : 0;
  });
  return { info: { task, rule: 'threshold', classes: 2 }, values };
}

/**
 * Reads and interprets `labels.csv` of a generic dataset (or a `data.labelsFile`, `opts.intervals`). Columns
 * `subject` and `recording` are required; `samplingRateHz` and `startS,endS` (a labelled interval of the recording,
 * seconds from its start; both empty: the whole recording) optional; every other column is a label task, turned
 * into numbers per column:
 * - only 0/1 values (integers): kept as they are (binary);
 * - other numbers (`opts.scheme` `threshold`, the default): binarised with `threshold` (a number t: value > t is
 *   1, else 0; `mean`/`median`: the subject's own mean/median of that column is the threshold);
 * - other numbers (`opts.scheme` `classes`): each rounded value (half to even) is its own class, the column's lowest
 *   rounded value being class 0 (1-9 scores: classes 0-8);
 * - any non-numeric value: categorical, the distinct strings sorted (JavaScript string order) map to class
 *   indices 0..k-1;
 * - an empty cell is NaN (unknown; such windows are left out of that task's training and scoring).
 */
export function readLabelsCsv(
  path: string,
  threshold: number | 'mean' | 'median',
  opts: ReadLabelsCsvOptions = {},
): { rows: LabelRow[]; columns: LabelColumnInfo[] } {
  const fn = opts.fn ?? 'readGeneric';
  const parsed = Papa.parse<Record<string, string>>(readFileSync(path, 'utf8'), {
    header: true,
    skipEmptyLines: 'greedy',
    transformHeader: (h) => h.trim(),
  });
  const fields = parsed.meta.fields ?? [];
  const bad = parsed.errors.find((e) => e.type !== 'Delimiter');
  if (bad) throw new UserError(`${fn}: ${path} line ${(bad.row ?? 0) + 2}: ${excerpt(bad.message, 200)}`);
  const need = [
    'subject',
    'recording',
    ...(opts.intervals || fields.includes('startS') || fields.includes('endS') ? ['startS', 'endS'] : []),
  ];
  for (const col of need)
    if (!fields.includes(col))
      throw new UserError(
        `${fn}: ${path} has no "${col}" column (columns: ${excerpt(fields.join(', '), 200)})`,
      );
  const taskCols = fields.filter(
    (f) => !(LABELS_RESERVED_COLUMNS as readonly string[]).includes(f) && f !== '',
  );
  const raw = parsed.data.map((r, i) => rawRow(r, i, path, opts));
  const columns: LabelColumnInfo[] = [];
  const values: Record<string, number[]> = {};
  for (const task of taskCols) {
    const c = labelColumn(task, raw, threshold, opts.scheme ?? 'threshold', `${fn}: ${path}`);
    columns.push(c.info);
    values[task] = c.values;
  }
  const rows: LabelRow[] = raw.map((r, i) => ({
    line: r.line,
    subject: r.subject,
    recording: r.recording,
    samplingRateHz: r.rate,
    ...(r.startS !== undefined ? { startS: r.startS, endS: r.endS } : {}),
    labels: Object.fromEntries(taskCols.map((t) => [t, (values[t] as number[])[i] as number])),
  }));
  return { rows, columns };
}
