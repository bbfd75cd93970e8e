/** `data.labelsFile`: labelled intervals (subject, recording, startS, endS, tasks...) attached to any reader's recordings. */
import { existsSync, statSync } from 'node:fs';
import { UserError } from '../../errors.js';
import { excerpt } from '../../util/excerpt.js';
import { readLabelsCsv, type LabelRow } from '../readers/generic/labels.js';
import type { LabelScheme, LabelThreshold } from '../readers/sourceFields.js';
import type { LabelInterval, RawRecording } from '../types.js';
import { sortIntervals } from './checkIntervals.js';

/** How the file's label columns are read: `data.labels` of the kind (the generic defaults where it has none). */
export interface LabelsFileRule {
  threshold: LabelThreshold;
  scheme: LabelScheme;
}

/** A read `data.labelsFile`. */
export interface LabelsFile {
  path: string;
  /** The label tasks (the file's columns, or `data.tasks`). */
  tasks: string[];
  /** The recording with the file's labels: its intervals, and NaN for every task elsewhere (the reader's replaced). */
  apply(rec: RawRecording): RawRecording;
  /** Rows whose recording was never passed to `apply` (e.g. a misspelt name). */
  unmatched(): LabelRow[];
  /** Recordings that got at least one interval. */
  matched(): number;
  /** The first recording passed to `apply`, as `subject "S", recording "R"` (for error messages). */
  firstSeen(): string | undefined;
}

/** A recording id without a leading `<subject>/` folder (`patient001/s0010_re` of subject patient001 -> `s0010_re`). */
function recordingKey(subject: string, recording: string): string {
  const r = recording.split('\\').join('/');
  return `${subject}\u0000${r.startsWith(`${subject}/`) ? r.slice(subject.length + 1) : r}`;
}

/**
 * Reads `data.labelsFile` (a CSV: `subject,recording,startS,endS`, then one column per task, with the value rules of
 * the generic labels.csv; src/datasets/labels/README.md). Rows match recordings by subject and recording id as the
 * reader names them (a leading `<subject>/` folder is optional; WFDB: the record name, a record at the root being
 * its own subject). A recording's intervals must not overlap (an error naming both rows); `data.tasks` picks
 * columns.
 */
export function readLabelsFile(path: string, rule: LabelsFileRule, tasks: string[] | undefined): LabelsFile {
  if (!existsSync(path) || !statSync(path).isFile())
    throw new UserError(`labels: data.labelsFile ${path} does not exist`);
  const { rows, columns } = readLabelsCsv(path, rule.threshold, {
    scheme: rule.scheme,
    intervals: true,
    fn: 'labels',
  });
  const known = columns.map((c) => c.task);
  if (known.length === 0)
    throw new UserError(`labels: ${path} has no label column after subject,recording,startS,endS`);
  for (const t of tasks ?? [])
    if (!known.includes(t))
      throw new UserError(
        `labels: task "${t}" (data.tasks) is not a column of ${path} (label columns: ${excerpt(known.join(', '), 200)})`,
      );
  const use = tasks ?? known;
  const byRecording = new Map<string, { rows: LabelRow[]; intervals: LabelInterval[] }>();
  for (const row of rows) {
    const key = recordingKey(row.subject, row.recording);
    const g = byRecording.get(key) ?? { rows: [], intervals: [] };
    g.rows.push(row);
    g.intervals.push({
      startS: row.startS as number,
      endS: row.endS as number,
      labels: Object.fromEntries(use.map((t) => [t, row.labels[t] as number])),
      file: path,
      line: row.line,
    });
    byRecording.set(key, g);
  }
  for (const [key, g] of byRecording) g.intervals = sortIntervals(g.intervals, key.replace('\u0000', ' '));
  const used = new Set<string>();
  let first: string | undefined;
  const unlabelled = Object.fromEntries(use.map((t) => [t, NaN]));
  return {
    path,
    tasks: use,
    apply(rec) {
      const key = recordingKey(rec.subject, rec.recording);
      const g = byRecording.get(key);
      if (g) used.add(key);
      first ??= `subject "${excerpt(rec.subject)}", recording "${excerpt(rec.recording)}"`;
      return { ...rec, labels: { ...unlabelled }, intervals: g?.intervals ?? [] };
    },
    unmatched: () => [...byRecording].filter(([k]) => !used.has(k)).flatMap(([, g]) => g.rows),
    matched: () => used.size,
    firstSeen: () => first,
  };
}
