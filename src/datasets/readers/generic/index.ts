/** The generic reader (`data.kind: generic`): a folder of recording files plus an optional labels.csv. */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { UserError } from '../../../errors.js';
import { excerpt } from '../../../util/excerpt.js';
import { sortIntervals } from '../../labels/checkIntervals.js';
import type { LabelInterval, RawRecording, ReaderContext, ReaderModule } from '../../types.js';
import { readLabelsCsv, type LabelRow } from './labels.js';
import type { GenericSource } from './options.js';
import { GENERIC_EXTENSIONS, readSignalFile } from './readSignalFile.js';

function listRecordingFiles(root: string, dir: string, out: string[]): void {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) listRecordingFiles(root, p, out);
    else {
      const rel = relative(root, p).split(sep).join('/');
      if (rel === 'labels.csv') continue;
      if ((GENERIC_EXTENSIONS as readonly string[]).includes(extname(name).toLowerCase())) out.push(rel);
    }
  }
}

function stripExt(rel: string): string {
  const e = extname(rel);
  return (GENERIC_EXTENSIONS as readonly string[]).includes(e.toLowerCase()) ? rel.slice(0, -e.length) : rel;
}

/** One recording file with its subject, recording id, declared rate and labels. */
interface Item {
  subject: string;
  recording: string;
  file: string;
  rate: number | undefined;
  labels: Record<string, number>;
  /** Rows with `startS,endS`: the labelled intervals (then `labels` are NaN: the rest is unlabelled). */
  intervals?: LabelInterval[];
}

/** The file a labels.csv row names: its exact path, else the one file with that stem. */
function fileOfRow(
  row: LabelRow,
  files: readonly string[],
  byStem: Map<string, string[]>,
  ctx: ItemsContext,
): string {
  const rel = row.recording.split(/[\\/]/).join('/');
  if (files.includes(rel)) return rel;
  const cands = byStem.get(rel) ?? [];
  if (cands.length > 1)
    throw new UserError(
      `readGeneric: ${ctx.labelsPath} line ${row.line}: recording "${excerpt(row.recording)}" matches several files (${cands.join(', ')})`,
    );
  const file = cands[0];
  if (file === undefined)
    throw new UserError(
      `readGeneric: ${ctx.labelsPath} line ${row.line}: no recording file "${excerpt(row.recording)}" (.npy, .csv or .edf) under ${ctx.root}`,
    );
  return file;
}

interface ItemsContext {
  root: string;
  labelsPath: string;
}

/** A row's labels restricted to `data.tasks`. */
function rowLabels(row: LabelRow, tasks: readonly string[] | undefined): Record<string, number> {
  return tasks ? Object.fromEntries(tasks.map((t) => [t, row.labels[t] as number])) : row.labels;
}

/**
 * Adds one labels.csv row to the item of its file: a row without `startS,endS` labels the whole recording (one such
 * row per file); rows with them are intervals of it (several per file, never mixed with a whole-recording row).
 */
function addRow(
  byFile: Map<string, Item>,
  file: string,
  row: LabelRow,
  source: GenericSourceLike,
  labelsPath: string,
) {
  const had = byFile.get(file);
  const interval = row.startS !== undefined;
  if (had && !(interval && had.intervals))
    throw new UserError(
      `readGeneric: ${labelsPath} line ${row.line}: ${excerpt(file)} is listed twice${interval || had.intervals ? ' (with and without startS,endS)' : ''}`,
    );
  const labels = rowLabels(row, source.tasks);
  if (had) {
    had.intervals?.push({ startS: row.startS!, endS: row.endS!, labels, file: labelsPath, line: row.line });
    return;
  }
  const stem = stripExt(file);
  const recording = stem.startsWith(`${row.subject}/`) ? stem.slice(row.subject.length + 1) : stem;
  byFile.set(file, {
    subject: row.subject,
    recording,
    file,
    rate: row.samplingRateHz,
    labels: interval ? Object.fromEntries(Object.keys(labels).map((t) => [t, NaN])) : labels,
    ...(interval
      ? { intervals: [{ startS: row.startS!, endS: row.endS!, labels, file: labelsPath, line: row.line }] }
      : {}),
  });
}

/**
 * The items of a labelled data set: one per recording file (labels.csv rows of one file: its whole-recording
 * labels, or its labelled intervals); every file needs a row and every row a file.
 */
function labelledItems(source: GenericSourceLike, files: readonly string[], ctx: ItemsContext): Item[] {
  const { labelsPath } = ctx;
  const { rows, columns } = readLabelsCsv(labelsPath, source.labels.threshold, {
    scheme: source.labels.scheme,
  });
  const known = columns.map((c) => c.task);
  for (const t of source.tasks ?? [])
    if (!known.includes(t))
      throw new UserError(
        `readGeneric: task "${t}" (data.tasks) is not a column of ${labelsPath} (label columns: ${excerpt(known.join(', '), 200) || 'none'})`,
      );
  const byFile = new Map<string, Item>();
  const byStem = new Map<string, string[]>();
  for (const f of files) byStem.set(stripExt(f), [...(byStem.get(stripExt(f)) ?? []), f]);
  for (const row of rows) addRow(byFile, fileOfRow(row, files, byStem, ctx), row, source, labelsPath);
  const unlabelled = files.filter((f) => !byFile.has(f));
  if (unlabelled.length > 0)
    throw new UserError(
      `readGeneric: ${join(ctx.root, unlabelled[0] as string)} has no row in ${labelsPath} (label missing for ${unlabelled.length} recording file(s))`,
    );
  const items = [...byFile.values()];
  for (const it of items)
    if (it.intervals) it.intervals = sortIntervals(it.intervals, `${it.subject} ${it.recording}`);
  return items;
}

/** The items of an unlabelled data set: a file's subject is its first folder, or its stem directly under root. */
function unlabelledItems(source: GenericSourceLike, files: readonly string[], labelsPath: string): Item[] {
  if (source.tasks && source.tasks.length > 0)
    throw new UserError(`readGeneric: data.tasks is set but ${labelsPath} does not exist (no labels)`);
  return files.map((f) => {
    const parts = f.split('/');
    return {
      subject: parts.length > 1 ? (parts[0] as string) : stripExt(f),
      recording: stripExt(parts.length > 1 ? parts.slice(1).join('/') : f),
      file: f,
      rate: undefined,
      labels: {},
    };
  });
}

/** Items grouped by subject, subjects in order of first appearance, `data.subjects` applied. */
function groupBySubject(
  items: readonly Item[],
  subjects: readonly string[] | undefined,
): Map<string, Item[]> {
  const groups = new Map<string, Item[]>();
  for (const it of items) {
    if (subjects && !subjects.includes(it.subject)) continue;
    const g = groups.get(it.subject);
    if (g) g.push(it);
    else groups.set(it.subject, [it]);
  }
  return groups;
}

/**
 * The options {@link readGeneric} reads: those of `data.kind: generic`; the synthetic reader passes its own
 * source (no lead, no samplingRateHz: its files are one lead and labels.csv gives the rate).
 */
export type GenericSourceLike = Omit<GenericSource, 'kind' | 'lead' | 'samplingRateHz'> &
  Partial<Pick<GenericSource, 'lead' | 'samplingRateHz'>>;

/**
 * Generic reader (`data.kind: generic`, format in README.md of this folder): a folder of recordings (`.npy`,
 * `.csv`, `.edf`, searched recursively) plus an optional `labels.csv`. With labels.csv every recording file must
 * have a row (and every row a file); without it the data are unlabelled and a file's subject is its first folder
 * (or its name for files directly under `root`). Recordings are yielded subject by subject (subjects in order of
 * first appearance in labels.csv, else sorted).
 */
export async function* readGeneric(
  source: GenericSourceLike,
  ctx: ReaderContext,
): AsyncGenerator<RawRecording> {
  const root = source.root;
  if (!existsSync(root) || !statSync(root).isDirectory())
    throw new UserError(`readGeneric: data.root ${root} is not a folder`);
  const files: string[] = [];
  listRecordingFiles(root, root, files);
  const labelsPath = join(root, 'labels.csv');
  const items = existsSync(labelsPath)
    ? labelledItems(source, files, { root, labelsPath })
    : unlabelledItems(source, files, labelsPath);
  if (items.length === 0) throw new UserError(`readGeneric: no recordings (.npy, .csv, .edf) under ${root}`);
  const groups = groupBySubject(items, source.subjects);
  ctx.onTotal?.([...groups.values()].reduce((a, g) => a + g.length, 0));
  for (const [subject, group] of groups) {
    for (const it of group) {
      const path = join(root, it.file);
      const r = readSignalFile(
        path,
        source.lead,
        { declaredHz: it.rate, fallbackHz: source.samplingRateHz },
        ctx.targetRateHz,
      );
      yield {
        subject,
        recording: it.recording,
        samples: r.samples,
        samplingRateHz: r.samplingRateHz,
        labels: it.labels,
        ...(it.intervals ? { intervals: it.intervals } : {}),
        source: path,
      };
    }
  }
}

/** The registry's handle on this reader. */
export const genericReader: ReaderModule<GenericSource> = { read: readGeneric };
