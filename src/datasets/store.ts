/** The window store on disk (`index.json` + `windows.f32`): its key, its writer and its reader; nothing else. */
import { randomBytes } from 'node:crypto';
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
import { InternalError, UserError } from '../errors.js';
import { describeWriteError, writeAllSync } from '../results/atomic.js';
import { hashCanonical } from '../util/canonical.js';
import type { PrepareSummary, WindowEntry, WindowStore } from './types.js';

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
  sources: { kind: string; root: string; lead?: number | string; labelsFile?: string }[];
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

/** Size and modification time of one file (undefined when it is missing: prepare then reports it). */
function fileStamp(path: string): { bytes: number; mtimeMs: number } | undefined {
  if (!existsSync(path)) return undefined;
  const st = statSync(path);
  return { bytes: st.size, mtimeMs: Math.round(st.mtimeMs) };
}

/**
 * The store key: SHA-256 of the canonical JSON of the source (root made absolute), the preprocessing, the
 * reader version and a fingerprint of the files under `root` (names, sizes, modification times) and of
 * `labelsFile`, so edited or regenerated data never reuse a stale store.
 */
export function storeKey(source: DataSource, pre: PreprocessingConfig): string {
  return hashCanonical({
    readerVersion: DATASETS_READER_VERSION,
    source: {
      ...source,
      root: resolve(source.root),
      ...(source.labelsFile !== undefined ? { labelsFile: resolve(source.labelsFile) } : {}),
    },
    preprocessing: pre,
    files: fingerprint(source.root),
    ...(source.labelsFile !== undefined ? { labelsFileStamp: fileStamp(source.labelsFile) } : {}),
  });
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
      if (fd === undefined) throw new InternalError(`WindowStore.read: the store ${dir} is closed`);
      const m = indices.length;
      const dst = out ?? new Float32Array(m * ws);
      if (dst.length < m * ws)
        throw new InternalError(
          `WindowStore.read: out has ${dst.length} elements, ${m} windows need ${m * ws}`,
        );
      const buf = Buffer.from(dst.buffer, dst.byteOffset, m * rowBytes);
      let k = 0;
      while (k < m) {
        const first = indices[k] as number;
        if (!Number.isInteger(first) || first < 0 || first >= n)
          throw new InternalError(`WindowStore.read: window index ${first} out of range 0..${n - 1}`);
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

/** Opens the store at `dir` and summarises it (`cached`: it already existed). */
export function summarizeStoreAt(dir: string, cached: boolean): PrepareSummary {
  const store = openWindowStore(dir);
  try {
    return summarizeStore(store, cached);
  } finally {
    store.close();
  }
}

/** Writes one store into a temporary folder under the cache, renamed to `<cacheDir>/<hash>` when complete. */
export interface StoreWriter {
  /** Appends windows (each `windowSamples` long) to `windows.f32`. */
  append(windows: readonly Float32Array[]): void;
  /** Flushes and closes `windows.f32`, then writes `index.json`. */
  finish(index: StoreIndex): void;
  /**
   * Renames the finished folder to its final name, so nothing partial ever has that name (when another process
   * finished the same store first, its store is kept and this one removed).
   */
  publish(): void;
  /** Closes and removes the temporary folder (after an error). */
  abort(): void;
}

function openTemporaryStore(cacheDir: string, hash: string): { tmpDir: string; fd: number } {
  const tmpDir = join(cacheDir, `.tmp-${hash.slice(0, 16)}-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    mkdirSync(cacheDir, { recursive: true });
    mkdirSync(tmpDir, { recursive: true });
    return { tmpDir, fd: openSync(join(tmpDir, 'windows.f32'), 'w') };
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
}

function writeIndex(path: string, index: StoreIndex): void {
  const ifd = openSync(path, 'w');
  try {
    writeAllSync(ifd, Buffer.from(JSON.stringify(index), 'utf8'), path);
    fsyncSync(ifd);
  } finally {
    closeSync(ifd);
  }
}

/** Starts writing the store of key `hash` under `cacheDir` (see {@link StoreWriter}). */
export function createStoreWriter(cacheDir: string, hash: string): StoreWriter {
  const { tmpDir, fd } = openTemporaryStore(cacheDir, hash);
  const dataPath = join(tmpDir, 'windows.f32');
  const finalDir = join(cacheDir, hash);
  let fdOpen = true;
  let bytesWritten = 0;
  return {
    append(windows) {
      const n = windows.reduce((a, w) => a + w.length, 0);
      const block = new Float32Array(n);
      let k = 0;
      for (const w of windows) {
        block.set(w, k);
        k += w.length;
      }
      const bytes = new Uint8Array(block.buffer, block.byteOffset, block.byteLength);
      writeAllSync(fd, bytes, dataPath, bytesWritten);
      bytesWritten += bytes.length;
    },
    finish(index) {
      fsyncSync(fd);
      closeSync(fd);
      fdOpen = false;
      writeIndex(join(tmpDir, 'index.json'), index);
    },
    publish() {
      try {
        renameSync(tmpDir, finalDir);
      } catch (err) {
        // Another process finished the same store first: keep theirs.
        if (!existsSync(join(finalDir, 'index.json'))) throw err;
        rmSync(tmpDir, { recursive: true, force: true });
      }
    },
    abort() {
      if (fdOpen) closeSync(fd);
      fdOpen = false;
      rmSync(tmpDir, { recursive: true, force: true });
    },
  };
}
