/** Prepares one data source into a window store: its reader -> the preprocessing pipeline -> the store writer. */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { DataSource, PreprocessingConfig } from '../config/schema.js';
import { InternalError, UserError } from '../errors.js';
import {
  createPipeline,
  intervalSegments,
  type PreprocessingPipeline,
  type SampleSegment,
} from '../preprocessing/index.js';
import { describeWriteError } from '../results/atomic.js';
import { excerpt } from '../util/excerpt.js';
import { log } from '../util/log.js';
import { createProgress, type Progress } from '../util/progress.js';
import { checkFinite } from './formats/checkFinite.js';
import { checkIntervalsInside } from './labels/checkIntervals.js';
import { readLabelsFile, type LabelsFile } from './labels/readLabelsFile.js';
import { GENERIC_LABEL_THRESHOLD } from './readers/generic/options.js';
import { readerEntry } from './readers/registry.js';
import {
  createStoreWriter,
  STORE_FORMAT_VERSION,
  storeKey,
  summarizeStoreAt,
  type StoreIndex,
  type StoreWriter,
} from './store.js';
import type { PrepareSummary, RawRecording, ReaderContext, ReaderModule } from './types.js';

/** Options of {@link prepareSource}. */
export interface PrepareSourceOptions {
  /** Show a progress bar on stderr (default true). */
  progress?: boolean;
}

/** A kept recording of the subject being read, at the target rate, high-passed, with its segments' labels. */
interface PendingRecording {
  recording: string;
  samples: Float64Array;
  /** Runs of samples windowed separately (one for the whole recording, or its labelled intervals and the gaps). */
  segments: SampleSegment[];
  /** Labels of each segment's windows. */
  labels: Record<string, number>[];
}

/** What the windows written so far add up to (becomes the store's index). */
interface Collected {
  entries: StoreIndex['entries'];
  skipped: StoreIndex['skipped'];
  taskSet: Set<string>;
  maxLabel: Map<string, number>;
  recordingsKept: number;
}

/** `data.tasks` of a labelled kind (undefined: the reader's own tasks, or an unlabelled kind). */
function sourceTasks(source: DataSource): string[] | undefined {
  return 'tasks' in source ? source.tasks : undefined;
}

/** The reader of `source.kind`, loaded. */
async function loadReader(source: DataSource): Promise<ReaderModule<DataSource>> {
  const entry = readerEntry(source.kind);
  if (!entry) throw new InternalError(`prepare: no reader for data.kind "${String(source.kind)}"`);
  return (await entry.load()) as ReaderModule<DataSource>;
}

/** Normalises and windows one subject's recordings (per segment) and appends its windows to the store. */
function flushSubject(
  subject: string,
  recs: readonly PendingRecording[],
  pipeline: PreprocessingPipeline,
  writer: StoreWriter,
  out: Collected,
): void {
  if (recs.length === 0) return;
  const windows = pipeline.subjectSegments(
    recs.map((r) => r.samples),
    recs.map((r) => r.segments),
  );
  let windowsOfSubject = 0;
  recs.forEach((r, i) => {
    let w = 0;
    (windows[i] as Float32Array[][]).forEach((ws, k) => {
      writer.append(ws);
      const labels: Record<string, number | null> = {};
      for (const [t, v] of Object.entries(r.labels[k] as Record<string, number>))
        labels[t] = Number.isNaN(v) ? null : v;
      for (let j = 0; j < ws.length; j++)
        out.entries.push({ subject, recording: r.recording, window: w++, source: 0, labels });
      windowsOfSubject += ws.length;
    });
  });
  log.debug(`prepare: subject ${subject}: ${recs.length} recordings, ${windowsOfSubject} windows`);
}

/** Labels of a recording (or interval) restricted to `data.tasks`, noted in the task set and the per-task maximum. */
function recordingLabels(
  given: Record<string, number>,
  tasks: string[] | undefined,
  out: Collected,
): Record<string, number> {
  const labels = tasks ? Object.fromEntries(tasks.map((t) => [t, given[t] ?? NaN])) : { ...given };
  for (const [t, v] of Object.entries(labels)) {
    out.taskSet.add(t);
    if (!Number.isNaN(v)) out.maxLabel.set(t, Math.max(out.maxLabel.get(t) ?? 0, v));
  }
  return labels;
}

/** The segments of a preprocessed recording (its labelled intervals and the gaps) with each one's labels. */
function segmentsOf(
  rec: RawRecording,
  lengthSamples: number,
  pre: PreprocessingConfig,
  pipeline: PreprocessingPipeline,
  labels: { gap: Record<string, number>; ofInterval: Record<string, number>[] },
): { segments: SampleSegment[]; labels: Record<string, number>[] } {
  const intervals = rec.intervals ?? [];
  const segments = intervalSegments(lengthSamples, intervals, pre.targetRateHz);
  for (const [k, iv] of intervals.entries()) {
    const seg = segments.find((s) => s.interval === k);
    if (!seg || pipeline.windowsOf(seg.endSample - seg.startSample, pre.targetRateHz) === 0)
      log.warn(
        `prepare: ${iv.file} line ${iv.line}: interval ${iv.startS}-${iv.endS} s of ${rec.subject} ${rec.recording} is shorter than one window: no labelled window`,
      );
  }
  const { gap, ofInterval } = labels;
  return {
    segments,
    labels: segments.map((s) => (s.interval < 0 ? gap : (ofInterval[s.interval] as Record<string, number>))),
  };
}

/** Preprocesses one recording into `pending`, or records it as skipped when it is shorter than one window. */
function takeRecording(
  rec: RawRecording,
  pre: PreprocessingConfig,
  pipeline: PreprocessingPipeline,
  labelsOf: (labels: Record<string, number>) => Record<string, number>,
  pending: PendingRecording[],
  out: Collected,
): void {
  const labels = {
    gap: labelsOf(rec.labels),
    ofInterval: (rec.intervals ?? []).map((iv) => labelsOf(iv.labels)),
  };
  if (rec.intervals)
    checkIntervalsInside(
      rec.intervals,
      rec.samples.length,
      rec.samplingRateHz,
      `${rec.subject} ${rec.recording} (${rec.source})`,
    );
  if (pipeline.windowsOf(rec.samples.length, rec.samplingRateHz) === 0) {
    log.warn(
      `prepare: ${rec.source} (subject ${rec.subject}, recording ${rec.recording}) has ${rec.samples.length} samples at ` +
        `${rec.samplingRateHz} Hz, shorter than one window (${pre.windowSamples} samples at ${pre.targetRateHz} Hz): skipped`,
    );
    out.skipped.push({
      subject: rec.subject,
      recording: rec.recording,
      samples: rec.samples.length,
      reason: 'shorter than one window',
    });
    return;
  }
  const samples = pipeline.recording(rec.samples, rec.samplingRateHz);
  pending.push({
    recording: rec.recording,
    samples,
    ...segmentsOf(rec, samples.length, pre, pipeline, labels),
  });
  out.recordingsKept++;
}

/** The reader context of a preparation: logs to stderr, and a progress bar once the reader announces its total. */
function readerContext(source: DataSource, targetRateHz: number, opts: PrepareSourceOptions) {
  const state: { progress?: Progress } = {};
  const ctx: ReaderContext = {
    targetRateHz,
    log: (m) => log.info(m),
    onTotal: (total) => {
      if (opts.progress !== false && total > 0)
        state.progress = createProgress({
          label: `prepare ${source.kind} ${source.root}`,
          total,
          unit: 'recordings',
        });
    },
  };
  return { ctx, state };
}

/** `data.labelsFile` read with the kind's `data.labels` (the generic reader's defaults for a kind without them). */
function openLabelsFile(source: DataSource): LabelsFile | undefined {
  if (source.labelsFile === undefined) return undefined;
  const rule =
    'labels' in source ? source.labels : { threshold: GENERIC_LABEL_THRESHOLD, scheme: 'threshold' as const };
  return readLabelsFile(source.labelsFile, rule, sourceTasks(source));
}

/** After reading: no row matched any recording is an error; rows that matched none are a warning (filters may drop them). */
function checkLabelsFileUsed(labelsFile: LabelsFile, source: DataSource): void {
  const missed = labelsFile
    .unmatched()
    .filter((r) => !source.subjects || source.subjects.includes(r.subject));
  const first = missed[0];
  if (labelsFile.matched() === 0 && first)
    throw new UserError(
      `labels: no row of ${labelsFile.path} matches a recording of ${source.kind} ${source.root} (line ${first.line}: subject "${excerpt(first.subject)}", recording "${excerpt(first.recording)}"; the reader names its first recording ${labelsFile.firstSeen() ?? 'nothing'})`,
    );
  if (first)
    log.warn(
      `prepare: ${missed.length} row(s) of ${labelsFile.path} match no recording read (first: line ${first.line}, subject "${excerpt(first.subject)}", recording "${excerpt(first.recording)}")`,
    );
}

/**
 * Reads every recording of `source` subject by subject, runs the pipeline and appends the windows to `writer`.
 * Only one subject's signals are in memory at a time.
 */
async function writeWindows(
  source: DataSource,
  pre: PreprocessingConfig,
  reader: ReaderModule<DataSource>,
  writer: StoreWriter,
  opts: PrepareSourceOptions,
): Promise<{ out: Collected; progress: Progress | undefined }> {
  const pipeline = createPipeline(pre);
  const out: Collected = {
    entries: [],
    skipped: [],
    taskSet: new Set(),
    maxLabel: new Map(),
    recordingsKept: 0,
  };
  const { ctx, state } = readerContext(source, pre.targetRateHz, opts);
  const tasks = sourceTasks(source);
  const labelsFile = openLabelsFile(source);
  const seenSubjects = new Set<string>();
  let current: string | undefined;
  let pending: PendingRecording[] = [];
  let done = 0;
  for await (const rec of reader.read(source, ctx)) {
    if (source.subjects && !source.subjects.includes(rec.subject)) continue;
    if (rec.subject !== current) {
      if (current !== undefined) flushSubject(current, pending, pipeline, writer, out);
      pending = [];
      if (seenSubjects.has(rec.subject))
        throw new UserError(
          `prepare: the ${source.kind} reader yielded subject ${rec.subject} twice, not contiguously (${rec.source})`,
        );
      seenSubjects.add(rec.subject);
      current = rec.subject;
    }
    if (!(rec.samplingRateHz > 0))
      throw new UserError(`prepare: ${rec.source} has sampling rate ${rec.samplingRateHz} Hz`);
    checkFinite(rec.samples, rec.source);
    const labelled = labelsFile ? labelsFile.apply(rec) : rec;
    takeRecording(labelled, pre, pipeline, (l) => recordingLabels(l, tasks, out), pending, out);
    done++;
    state.progress?.update(done);
  }
  if (current !== undefined) flushSubject(current, pending, pipeline, writer, out);
  if (labelsFile) checkLabelsFileUsed(labelsFile, source);
  return { out, progress: state.progress };
}

/** Checks that every `data.tasks` task is labelled somewhere and that there is a window at all. */
function checkCollected(source: DataSource, pre: PreprocessingConfig, out: Collected): void {
  for (const t of sourceTasks(source) ?? [])
    if (![...out.maxLabel.keys()].includes(t))
      throw new UserError(
        `prepare: task "${t}" (data.tasks) has no labelled recording in ${source.kind} ${source.root}`,
      );
  if (out.entries.length === 0)
    throw new UserError(
      `prepare: ${source.kind} ${source.root} gave no window of ${pre.windowSamples} samples (${out.skipped.length} recordings too short)`,
    );
}

/** The store's `index.json`: tasks with their class counts (at least 2), the source, counts and entries. */
function storeIndex(source: DataSource, pre: PreprocessingConfig, hash: string, out: Collected): StoreIndex {
  const tasks: Record<string, number> = {};
  for (const t of [...out.taskSet].sort()) tasks[t] = Math.max(2, Math.floor(out.maxLabel.get(t) ?? 0) + 1);
  const lead = 'lead' in source ? source.lead : undefined;
  return {
    format: STORE_FORMAT_VERSION,
    hash,
    windowSamples: pre.windowSamples,
    overlapSamples: pre.overlapSamples,
    samplingRateHz: pre.targetRateHz,
    tasks,
    sources: [
      {
        kind: source.kind,
        root: resolve(source.root),
        ...(lead !== undefined ? { lead } : {}),
        ...(source.labelsFile !== undefined ? { labelsFile: resolve(source.labelsFile) } : {}),
      },
    ],
    counts: {
      windows: out.entries.length,
      subjects: new Set(out.entries.map((e) => e.subject)).size,
      recordings: out.recordingsKept,
      skippedRecordings: out.skipped.length,
    },
    skipped: out.skipped,
    entries: out.entries,
    createdAt: new Date().toISOString(),
  };
}

/**
 * Prepares one data source into a window store under `<cacheDir>/<hash>/` (or reuses it when it exists).
 * Per recording: resample to `pre.targetRateHz` (streaming polyphase), zero-phase high-pass (if enabled); then per
 * subject: normalisation over all of the subject's samples (`trimmed-zscore`, `zscore`, `none`), windowing per
 * recording (windows never cross recordings, trailing partial window dropped; recordings shorter than one window
 * are skipped with a warning and counted); see src/preprocessing/pipeline.ts. A recording with labelled intervals
 * (`data.labelsFile`, which replaces the reader's labels, or the reader's own) is windowed per interval and per gap
 * between them, each from its start (src/datasets/labels/README.md). Only one subject's signals are in
 * memory at a time. The store is written into a temporary folder and renamed when complete, so nothing partial
 * ever has the final name.
 */
export async function prepareSource(
  source: DataSource,
  pre: PreprocessingConfig,
  cacheDir: string,
  opts: PrepareSourceOptions = {},
): Promise<PrepareSummary> {
  const reader = await loadReader(source);
  reader.materialize?.(source);
  if (!existsSync(source.root)) throw new UserError(`prepare: data.root ${source.root} does not exist`);
  const hash = storeKey(source, pre);
  const finalDir = join(cacheDir, hash);
  if (existsSync(join(finalDir, 'index.json'))) return summarizeStoreAt(finalDir, true);
  const { windowSamples, overlapSamples } = pre;
  if (overlapSamples >= windowSamples)
    throw new UserError(
      `prepare: preprocessing.overlapSamples (${overlapSamples}) must be < windowSamples (${windowSamples})`,
    );
  const writer = createStoreWriter(cacheDir, hash);
  try {
    const { out, progress } = await writeWindows(source, pre, reader, writer, opts);
    checkCollected(source, pre, out);
    writer.finish(storeIndex(source, pre, hash, out));
    progress?.stop({ windows: out.entries.length });
    if (out.skipped.length > 0)
      log.warn(`prepare: ${out.skipped.length} recording(s) shorter than one window were skipped`);
    writer.publish();
  } catch (err) {
    writer.abort();
    if (err instanceof UserError) throw err;
    if ((err as NodeJS.ErrnoException).code)
      throw new UserError(
        `prepare: cannot write the window store under ${cacheDir}: ${describeWriteError(err)}`,
      );
    throw err;
  }
  return summarizeStoreAt(finalDir, false);
}
