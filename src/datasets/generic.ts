import { existsSync, readdirSync, statSync } from 'node:fs';
import { concatFloat64 } from './fileRead.js';
import { extname, join, relative, sep } from 'node:path';
import type { DataSource } from '../config/schema.js';
import { UserError } from '../errors.js';
import { excerpt } from '../util/excerpt.js';
import { createResamplerForRates, type Resampler } from '../preprocessing/index.js';
import { readCsvSignal } from './csv.js';
import { readEdfSignal } from './edf.js';
import { readLabelsCsv, type LabelRow } from './labels.js';
import { inspectNpy, npyDims, readNpyChannelChunks } from './npy.js';
import type { RawRecording, ReaderContext } from './types.js';

/** File extensions the generic reader reads as recordings. */
export const GENERIC_EXTENSIONS = ['.npy', '.csv', '.edf'] as const;

/** Samples per chunk when streaming `.npy` recordings through the resampler. */
const NPY_CHUNK = 1 << 18;

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

function leadIndex(lead: number | string | undefined, path: string): number {
  if (lead === undefined) return 0;
  if (typeof lead === 'number') return lead;
  throw new UserError(
    `readGeneric: ${path} is a .npy file; its channels have no names, give data.lead as an index`,
  );
}

/** Throws naming the file and position of the first non-finite sample (a NaN run, an infinite value). */
export function checkFinite(x: ArrayLike<number>, path: string, offset = 0): void {
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i] as number)) {
      let j = i;
      while (j < x.length && !Number.isFinite(x[j] as number)) j++;
      throw new UserError(
        `read: ${path} has non-finite samples (${x[i]}) at samples ${offset + i}..${offset + j - 1}: fill or cut them before use`,
      );
    }
  }
}

/**
 * Streams the chunks of `path` into `out`: each is checked with {@link checkFinite} (positions counted from the
 * file's first sample) and appended, through `resampler.push` when given. Does not flush the resampler, so the
 * parts of one recording can be appended one after another before a single flush. Returns `out`.
 */
export function appendCheckedChunks(
  chunks: Iterable<Float64Array>,
  path: string,
  out: Float64Array[],
  resampler?: Resampler,
): Float64Array[] {
  let offset = 0;
  for (const chunk of chunks) {
    checkFinite(chunk, path, offset);
    offset += chunk.length;
    out.push(resampler ? resampler.push(chunk) : chunk);
  }
  return out;
}

/**
 * Reads one lead of one recording file (`.npy`, `.csv`, `.edf`). The rate is the file's own (EDF; a different
 * `declaredHz` is an error), else `declaredHz` (labels.csv), else `fallbackHz` (data.samplingRateHz), else an error. `.npy` files are read in chunks; when
 * `targetRateHz` differs from the file's rate they are resampled chunk by chunk while reading (the result equals
 * resampling the whole signal at once), so a long recording never sits in memory at its source rate.
 */
export function readSignalFile(
  path: string,
  lead: number | string | undefined,
  rates: { declaredHz?: number | undefined; fallbackHz?: number | undefined },
  targetRateHz: number | undefined,
): { samples: Float64Array; samplingRateHz: number } {
  const ext = extname(path).toLowerCase();
  if (ext === '.edf') {
    const r = readEdfSignal(path, lead);
    const declared = rates.declaredHz;
    if (declared !== undefined && Math.abs(declared - r.samplingRateHz) > 1e-9)
      throw new UserError(
        `readGeneric: ${path} stores ${r.samplingRateHz} Hz but labels.csv says ${declared} Hz`,
      );
    checkFinite(r.samples, path);
    return { samples: r.samples, samplingRateHz: r.samplingRateHz };
  }
  const rateHz = rates.declaredHz ?? rates.fallbackHz;
  if (rateHz === undefined)
    throw new UserError(
      `readGeneric: ${path} does not store its sampling rate: set data.samplingRateHz or a samplingRateHz column in labels.csv`,
    );
  if (ext === '.csv') {
    const { samples } = readCsvSignal(path, lead);
    return { samples, samplingRateHz: rateHz };
  }
  const channel = leadIndex(lead, path);
  const h = inspectNpy(path);
  if (channel >= npyDims(h).channels)
    throw new UserError(
      `readNpy: ${path} has ${npyDims(h).channels} channel(s); lead ${channel} does not exist`,
    );
  const resampler =
    targetRateHz !== undefined && targetRateHz !== rateHz
      ? createResamplerForRates({ sourceRateHz: rateHz, targetRateHz })
      : undefined;
  const parts = appendCheckedChunks(readNpyChannelChunks(path, channel, NPY_CHUNK), path, [], resampler);
  if (resampler) parts.push(resampler.flush());
  return { samples: concatFloat64(parts), samplingRateHz: resampler ? (targetRateHz as number) : rateHz };
}

/**
 * Generic reader (`data.kind: generic`, format in README-generic.md): a folder of recordings (`.npy`, `.csv`,
 * `.edf`, searched recursively) plus an optional `labels.csv`. With labels.csv every recording file must have a
 * row (and every row a file); without it the data are unlabelled and a file's subject is its first folder (or
 * its name for files directly under `root`). Recordings are yielded subject by subject (subjects in order of
 * first appearance in labels.csv, else sorted).
 */
export async function* readGeneric(source: DataSource, ctx: ReaderContext): AsyncGenerator<RawRecording> {
  const root = source.root;
  if (!existsSync(root) || !statSync(root).isDirectory())
    throw new UserError(`readGeneric: data.root ${root} is not a folder`);
  const files: string[] = [];
  listRecordingFiles(root, root, files);
  const labelsPath = join(root, 'labels.csv');
  type Item = {
    subject: string;
    recording: string;
    file: string;
    rate: number | undefined;
    labels: Record<string, number>;
  };
  const items: Item[] = [];
  if (existsSync(labelsPath)) {
    const { rows, columns } = readLabelsCsv(labelsPath, source.labels.threshold);
    const known = columns.map((c) => c.task);
    for (const t of source.tasks ?? [])
      if (!known.includes(t))
        throw new UserError(
          `readGeneric: task "${t}" (data.tasks) is not a column of ${labelsPath} (label columns: ${excerpt(known.join(', '), 200) || 'none'})`,
        );
    const byFile = new Map<string, LabelRow>();
    const byStem = new Map<string, string[]>();
    for (const f of files) byStem.set(stripExt(f), [...(byStem.get(stripExt(f)) ?? []), f]);
    for (const row of rows) {
      const rel = row.recording.split(/[\\/]/).join('/');
      let file: string | undefined;
      if (files.includes(rel)) file = rel;
      else {
        const cands = byStem.get(rel) ?? [];
        if (cands.length > 1)
          throw new UserError(
            `readGeneric: ${labelsPath} line ${row.line}: recording "${excerpt(row.recording)}" matches several files (${cands.join(', ')})`,
          );
        file = cands[0];
      }
      if (file === undefined)
        throw new UserError(
          `readGeneric: ${labelsPath} line ${row.line}: no recording file "${excerpt(row.recording)}" (.npy, .csv or .edf) under ${root}`,
        );
      if (byFile.has(file))
        throw new UserError(`readGeneric: ${labelsPath} line ${row.line}: ${excerpt(file)} is listed twice`);
      byFile.set(file, row);
      const labels = source.tasks
        ? Object.fromEntries(source.tasks.map((t) => [t, row.labels[t] as number]))
        : row.labels;
      const stem = stripExt(file);
      const recording = stem.startsWith(`${row.subject}/`) ? stem.slice(row.subject.length + 1) : stem;
      items.push({ subject: row.subject, recording, file, rate: row.samplingRateHz, labels });
    }
    const unlabelled = files.filter((f) => !byFile.has(f));
    if (unlabelled.length > 0)
      throw new UserError(
        `readGeneric: ${join(root, unlabelled[0] as string)} has no row in ${labelsPath} (label missing for ${unlabelled.length} recording file(s))`,
      );
  } else {
    if (source.tasks && source.tasks.length > 0)
      throw new UserError(`readGeneric: data.tasks is set but ${labelsPath} does not exist (no labels)`);
    for (const f of files) {
      const parts = f.split('/');
      items.push({
        subject: parts.length > 1 ? (parts[0] as string) : stripExt(f),
        recording: stripExt(parts.length > 1 ? parts.slice(1).join('/') : f),
        file: f,
        rate: undefined,
        labels: {},
      });
    }
  }
  if (items.length === 0) throw new UserError(`readGeneric: no recordings (.npy, .csv, .edf) under ${root}`);
  const order: string[] = [];
  const groups = new Map<string, Item[]>();
  for (const it of items) {
    if (source.subjects && !source.subjects.includes(it.subject)) continue;
    if (!groups.has(it.subject)) {
      groups.set(it.subject, []);
      order.push(it.subject);
    }
    groups.get(it.subject)?.push(it);
  }
  ctx.onTotal?.([...groups.values()].reduce((a, g) => a + g.length, 0));
  for (const subject of order) {
    for (const it of groups.get(subject) ?? []) {
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
        source: path,
      };
    }
  }
}
