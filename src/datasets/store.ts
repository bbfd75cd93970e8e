import { randomBytes } from 'node:crypto';
import { concatFloat64 } from './fileRead.js';
import {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import type { DataSource, PreprocessingConfig } from '../config/schema.js';
import { UserError } from '../errors.js';
import {
  countWindows,
  createResamplerForRates,
  highpass,
  trimmedZScore,
  zscore,
} from '../preprocessing/index.js';
import { describeWriteError, writeAllSync } from '../results/atomic.js';
import { hashCanonical } from '../util/canonical.js';
import { log } from '../util/log.js';
import { createProgress, type Progress } from '../util/progress.js';
import { checkFinite } from './generic.js';
import { readRecordings } from './readRecordings.js';
import { ensureSynthetic } from './synthetic/index.js';
import type { PrepareSummary, RawRecording, ReaderContext, WindowEntry, WindowStore } from './types.js';

/** Version of the readers + preprocessing pipeline: part of the store key, bumped when their output changes. */
export const DATASETS_READER_VERSION = 1;
/** Version of the on-disk store layout (`index.json` + `windows.f32`). */
export const STORE_FORMAT_VERSION = 1;

/** `index.json` of a window store. Labels that are NaN are written as null. */
export interface StoreIndex {
  format: number;
  hash: string;
  windowSamples: number;
  overlapSamples: number;
  samplingRateHz: number;
  tasks: Record<string, number>;
  sources: { kind: string; root: string; lead?: number | string }[];
  counts: { windows: number; subjects: number; recordings: number; skippedRecordings: number };
  skipped: { subject: string; recording: string; samples: number; reason: string }[];
  entries: {
    subject: string;
    recording: string;
    window: number;
    source: number;
    labels: Record<string, number | null>;
  }[];
  createdAt: string;
}

/** Samples pushed through the streaming resampler at a time. */
const RESAMPLE_CHUNK = 1 << 18;

function fingerprint(root: string): { path: string; bytes: number; mtimeMs: number }[] {
  const out: { path: string; bytes: number; mtimeMs: number }[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else
        out.push({
          path: relative(root, p).split(sep).join('/'),
          bytes: st.size,
          mtimeMs: Math.round(st.mtimeMs),
        });
    }
  };
  if (existsSync(root) && statSync(root).isDirectory()) walk(root);
  return out;
}

/**
 * The store key: SHA-256 of the canonical JSON of the source (root made absolute), the preprocessing, the
 * reader version and a fingerprint of the files under `root` (names, sizes, modification times), so edited or
 * regenerated data never reuse a stale store.
 */
export function storeKey(source: DataSource, pre: PreprocessingConfig): string {
  return hashCanonical({
    readerVersion: DATASETS_READER_VERSION,
    source: { ...source, root: resolve(source.root) },
    preprocessing: pre,
    files: fingerprint(source.root),
  });
}

function resampleChunked(
  x: Float32Array | Float64Array,
  sourceRateHz: number,
  targetRateHz: number,
): Float64Array {
  const r = createResamplerForRates({ sourceRateHz, targetRateHz });
  const parts: Float64Array[] = [];
  for (let i = 0; i < x.length; i += RESAMPLE_CHUNK) {
    const piece = x.subarray(i, Math.min(x.length, i + RESAMPLE_CHUNK));
    parts.push(r.push(piece instanceof Float64Array ? piece : Float64Array.from(piece)));
  }
  parts.push(r.flush());
  return concatFloat64(parts);
}

/** Counts windows per label value per task (NaN counted as "NaN"). */
export function countLabels(entries: readonly WindowEntry[]): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const e of entries) {
    for (const [task, v] of Object.entries(e.labels)) {
      const t = (out[task] ??= {});
      const key = Number.isNaN(v) ? 'NaN' : String(v);
      t[key] = (t[key] ?? 0) + 1;
    }
  }
  return out;
}

/** Summary of an open store (for `ecgssl prepare`). */
export function summarizeStore(store: WindowStore, cached: boolean): PrepareSummary {
  const subjects = new Set(store.entries.map((e) => e.subject));
  const recordings = new Set(store.entries.map((e) => `${e.subject}\u0000${e.recording}`));
  return {
    storeDir: store.dir,
    hash: store.hash,
    windows: store.entries.length,
    subjects: subjects.size,
    recordings: recordings.size,
    labelCounts: countLabels(store.entries),
    cached,
    ...(store.skippedRecordings !== undefined ? { skippedRecordings: store.skippedRecordings } : {}),
  };
}

/**
 * Opens a prepared window store. The index is read at once; windows are read on demand with positioned reads
 * (`read(indices)`, any order, consecutive indices coalesced into one read), never loading `windows.f32` whole.
 */
export function openWindowStore(dir: string): WindowStore {
  const indexPath = join(dir, 'index.json');
  const dataPath = join(dir, 'windows.f32');
  if (!existsSync(indexPath) || !existsSync(dataPath))
    throw new UserError(`openWindowStore: ${dir} is not a window store (index.json or windows.f32 missing)`);
  let index: StoreIndex;
  try {
    index = JSON.parse(readFileSync(indexPath, 'utf8')) as StoreIndex;
  } catch (err) {
    throw new UserError(
      `openWindowStore: ${indexPath} is not valid JSON (${(err as Error).message}); delete ${dir}`,
    );
  }
  if (index.format !== STORE_FORMAT_VERSION)
    throw new UserError(
      `openWindowStore: ${indexPath} has store format ${index.format}, expected ${STORE_FORMAT_VERSION}; delete ${dir}`,
    );
  const ws = index.windowSamples;
  const entries: WindowEntry[] = index.entries.map((e) => ({
    subject: e.subject,
    recording: e.recording,
    window: e.window,
    source: e.source,
    labels: Object.fromEntries(Object.entries(e.labels).map(([k, v]) => [k, v === null ? NaN : v])),
  }));
  let fd: number | undefined = openSync(dataPath, 'r');
  const bytes = fstatSync(fd).size;
  if (bytes !== entries.length * ws * 4) {
    closeSync(fd);
    throw new UserError(
      `openWindowStore: ${dataPath} has ${bytes} bytes, the index needs ${entries.length} x ${ws} x 4; delete ${dir}`,
    );
  }
  const n = entries.length;
  const rowBytes = ws * 4;
  return {
    dir,
    hash: index.hash,
    windowSamples: ws,
    samplingRateHz: index.samplingRateHz,
    entries,
    tasks: index.tasks,
    skippedRecordings: index.counts.skippedRecordings,
    read(indices: readonly number[], out?: Float32Array): Float32Array {
      if (fd === undefined) throw new UserError(`WindowStore.read: the store ${dir} is closed`);
      const m = indices.length;
      const dst = out ?? new Float32Array(m * ws);
      if (dst.length < m * ws)
        throw new UserError(`WindowStore.read: out has ${dst.length} elements, ${m} windows need ${m * ws}`);
      const buf = Buffer.from(dst.buffer, dst.byteOffset, m * rowBytes);
      let k = 0;
      while (k < m) {
        const first = indices[k] as number;
        if (!Number.isInteger(first) || first < 0 || first >= n)
          throw new UserError(`WindowStore.read: window index ${first} out of range 0..${n - 1}`);
        let run = 1;
        while (k + run < m && indices[k + run] === first + run) run++;
        const want = run * rowBytes;
        const got = readSync(fd, buf, k * rowBytes, want, first * rowBytes);
        if (got !== want) throw new UserError(`WindowStore.read: short read in ${dataPath} (file changed?)`);
        k += run;
      }
      return dst;
    },
    close(): void {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}

/** Options of {@link prepareSource}. */
export interface PrepareSourceOptions {
  /** Show a progress bar on stderr (default true). */
  progress?: boolean;
}

interface PendingRecording {
  recording: string;
  source: string;
  labels: Record<string, number>;
  samples: Float64Array;
  /** Samples at the target rate (kept apart: flushSubject releases `samples` once copied). */
  length: number;
}

/**
 * Prepares one data source into a window store under `<cacheDir>/<hash>/` (or reuses it when it exists).
 * Per recording: resample to `pre.targetRateHz` (streaming polyphase), zero-phase high-pass (if enabled); then per
 * subject: normalisation over all of the subject's samples (`trimmed-zscore`, `zscore`, `none`), windowing per
 * recording (windows never cross recordings, trailing partial window dropped; recordings shorter than one window
 * are skipped with a warning and counted). Only one subject's signals are in memory at a time. The store is
 * written into a temporary folder and renamed when complete, so nothing partial ever has the final name.
 */
export async function prepareSource(
  source: DataSource,
  pre: PreprocessingConfig,
  cacheDir: string,
  opts: PrepareSourceOptions = {},
): Promise<PrepareSummary> {
  if (source.kind === 'synthetic') ensureSynthetic(source);
  if (!existsSync(source.root)) throw new UserError(`prepare: data.root ${source.root} does not exist`);
  const hash = storeKey(source, pre);
  const finalDir = join(cacheDir, hash);
  if (existsSync(join(finalDir, 'index.json'))) {
    const store = openWindowStore(finalDir);
    try {
      return summarizeStore(store, true);
    } finally {
      store.close();
    }
  }
  const { targetRateHz, windowSamples, overlapSamples } = pre;
  if (overlapSamples >= windowSamples)
    throw new UserError(
      `prepare: preprocessing.overlapSamples (${overlapSamples}) must be < windowSamples (${windowSamples})`,
    );
  const tmpDir = join(cacheDir, `.tmp-${hash.slice(0, 16)}-${process.pid}-${randomBytes(4).toString('hex')}`);
  const dataPath = join(tmpDir, 'windows.f32');
  let fd: number;
  try {
    mkdirSync(cacheDir, { recursive: true });
    mkdirSync(tmpDir, { recursive: true });
    fd = openSync(dataPath, 'w');
  } catch (err) {
    try {
      rmSync(tmpDir, { recursive: true, force: true });
    } catch {
      // The folder could not even be created (a path component is a file): nothing to remove.
    }
    throw new UserError(
      `prepare: cannot write the window store under ${cacheDir}: ${describeWriteError(err)}`,
    );
  }
  let fdOpen = true;
  let bytesWritten = 0;
  const entries: StoreIndex['entries'] = [];
  const skipped: StoreIndex['skipped'] = [];
  const taskSet = new Set<string>();
  const maxLabel = new Map<string, number>();
  const seenSubjects = new Set<string>();
  let recordingsKept = 0;
  let progress: Progress | undefined;
  let done = 0;
  const ctx: ReaderContext = {
    targetRateHz,
    log: (m) => log.info(m),
    onTotal: (total) => {
      if (opts.progress !== false && total > 0)
        progress = createProgress({
          label: `prepare ${source.kind} ${source.root}`,
          total,
          unit: 'recordings',
        });
    },
  };
  const stride = windowSamples - overlapSamples;

  const flushSubject = (subject: string, recs: PendingRecording[]): void => {
    if (recs.length === 0) return;
    const total = recs.reduce((a, r) => a + r.samples.length, 0);
    let normalised: Float64Array;
    const method = pre.normalization.method;
    if (method === 'none') {
      normalised = new Float64Array(total);
      let k = 0;
      for (const r of recs) {
        normalised.set(r.samples, k);
        k += r.samples.length;
      }
    } else {
      const all = new Float64Array(total);
      let k = 0;
      for (const r of recs) {
        all.set(r.samples, k);
        k += r.samples.length;
        r.samples = new Float64Array(0);
      }
      normalised =
        method === 'zscore'
          ? zscore(all)
          : trimmedZScore(all, { centralFraction: pre.normalization.centralFraction });
    }
    let offset = 0;
    let windowsOfSubject = 0;
    for (const r of recs) {
      const len = r.length;
      const nWin = countWindows(len, { windowSamples, overlapSamples });
      const block = new Float32Array(nWin * windowSamples);
      for (let w = 0; w < nWin; w++) {
        const start = offset + w * stride;
        block.set(normalised.subarray(start, start + windowSamples), w * windowSamples);
      }
      const bytes = new Uint8Array(block.buffer, block.byteOffset, block.byteLength);
      writeAllSync(fd, bytes, dataPath, bytesWritten);
      bytesWritten += bytes.length;
      const labels: Record<string, number | null> = {};
      for (const [t, v] of Object.entries(r.labels)) labels[t] = Number.isNaN(v) ? null : v;
      for (let w = 0; w < nWin; w++)
        entries.push({ subject, recording: r.recording, window: w, source: 0, labels });
      offset += len;
      windowsOfSubject += nWin;
    }
    log.debug(`prepare: subject ${subject}: ${recs.length} recordings, ${windowsOfSubject} windows`);
  };

  try {
    let current: string | undefined;
    let pending: PendingRecording[] = [];
    for await (const rec of readRecordings(source, ctx) as AsyncIterable<RawRecording>) {
      if (source.subjects && !source.subjects.includes(rec.subject)) continue;
      if (rec.subject !== current) {
        if (current !== undefined) flushSubject(current, pending);
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
      const labels = source.tasks
        ? Object.fromEntries(source.tasks.map((t) => [t, rec.labels[t] ?? NaN]))
        : { ...rec.labels };
      for (const [t, v] of Object.entries(labels)) {
        taskSet.add(t);
        if (!Number.isNaN(v)) maxLabel.set(t, Math.max(maxLabel.get(t) ?? 0, v));
      }
      const lenAtTarget = Math.ceil((rec.samples.length * targetRateHz) / rec.samplingRateHz);
      if (countWindows(lenAtTarget, { windowSamples, overlapSamples }) === 0) {
        log.warn(
          `prepare: ${rec.source} (subject ${rec.subject}, recording ${rec.recording}) has ${rec.samples.length} samples at ` +
            `${rec.samplingRateHz} Hz, shorter than one window (${windowSamples} samples at ${targetRateHz} Hz): skipped`,
        );
        skipped.push({
          subject: rec.subject,
          recording: rec.recording,
          samples: rec.samples.length,
          reason: 'shorter than one window',
        });
      } else {
        let x: Float64Array =
          rec.samplingRateHz === targetRateHz
            ? rec.samples instanceof Float64Array
              ? rec.samples
              : Float64Array.from(rec.samples)
            : resampleChunked(rec.samples, rec.samplingRateHz, targetRateHz);
        if (pre.highpass.enabled)
          x = highpass(x, {
            cutoffHz: pre.highpass.cutoffHz,
            rateHz: targetRateHz,
            order: pre.highpass.order,
          });
        pending.push({ recording: rec.recording, source: rec.source, labels, samples: x, length: x.length });
        recordingsKept++;
      }
      done++;
      progress?.update(done);
    }
    if (current !== undefined) flushSubject(current, pending);
    if (source.tasks)
      for (const t of source.tasks)
        if (![...maxLabel.keys()].includes(t))
          throw new UserError(
            `prepare: task "${t}" (data.tasks) has no labelled recording in ${source.kind} ${source.root}`,
          );
    if (entries.length === 0)
      throw new UserError(
        `prepare: ${source.kind} ${source.root} gave no window of ${windowSamples} samples (${skipped.length} recordings too short)`,
      );
    fsyncSync(fd);
    closeSync(fd);
    fdOpen = false;
    const tasks: Record<string, number> = {};
    for (const t of [...taskSet].sort()) tasks[t] = Math.max(2, Math.floor(maxLabel.get(t) ?? 0) + 1);
    const index: StoreIndex = {
      format: STORE_FORMAT_VERSION,
      hash,
      windowSamples,
      overlapSamples,
      samplingRateHz: targetRateHz,
      tasks,
      sources: [
        {
          kind: source.kind,
          root: resolve(source.root),
          ...(source.lead !== undefined ? { lead: source.lead } : {}),
        },
      ],
      counts: {
        windows: entries.length,
        subjects: new Set(entries.map((e) => e.subject)).size,
        recordings: recordingsKept,
        skippedRecordings: skipped.length,
      },
      skipped,
      entries,
      createdAt: new Date().toISOString(),
    };
    const indexPath = join(tmpDir, 'index.json');
    const ifd = openSync(indexPath, 'w');
    try {
      writeAllSync(ifd, Buffer.from(JSON.stringify(index), 'utf8'), indexPath);
      fsyncSync(ifd);
    } finally {
      closeSync(ifd);
    }
    progress?.stop({ windows: entries.length });
    if (skipped.length > 0)
      log.warn(`prepare: ${skipped.length} recording(s) shorter than one window were skipped`);
    try {
      renameSync(tmpDir, finalDir);
    } catch (err) {
      // Another process finished the same store first: keep theirs.
      if (!existsSync(join(finalDir, 'index.json'))) throw err;
      rmSync(tmpDir, { recursive: true, force: true });
    }
  } catch (err) {
    if (fdOpen) closeSync(fd);
    rmSync(tmpDir, { recursive: true, force: true });
    if (err instanceof UserError) throw err;
    if ((err as NodeJS.ErrnoException).code)
      throw new UserError(
        `prepare: cannot write the window store under ${cacheDir}: ${describeWriteError(err)}`,
      );
    throw err;
  }
  const store = openWindowStore(finalDir);
  try {
    return summarizeStore(store, false);
  } finally {
    store.close();
  }
}
