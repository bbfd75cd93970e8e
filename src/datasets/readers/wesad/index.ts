/** The WESAD reader (`data.kind: wesad`): `S<k>/S<k>.pkl`, chest ECG at 700 Hz cut into runs of one condition. */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { WesadSource } from './options.js';
import { UserError } from '../../../errors.js';
import { pickleArray, pickleColumn, pickleField, readPickle } from '../../formats/pickle/index.js';
import type { RawRecording, ReaderContext, ReaderModule } from '../../types.js';

/** Sampling rate of the chest device (RespiBAN): `signal.chest.ECG` and `label`, Hz. */
export const WESAD_CHEST_RATE_HZ = 700;
/** The protocol's conditions in `label` (0 and 5-7: not defined, never read). */
export const WESAD_CONDITIONS: Readonly<Record<number, string>> = {
  1: 'baseline',
  2: 'stress',
  3: 'amusement',
  4: 'meditation',
};
/** Class per condition of each task (WESAD paper): affect 3 classes, stress binary; meditation in neither. */
export const WESAD_TASKS: Readonly<Record<string, Readonly<Record<number, number>>>> = {
  affect: { 1: 0, 2: 1, 3: 2 },
  stress: { 1: 0, 2: 1, 3: 0 },
};

/** One run of one condition: samples [start, end) of the 700 Hz arrays. */
export interface LabelRun {
  label: number;
  start: number;
  end: number;
}

/** The maximal runs of equal `label` values whose label is in `keep`, in time order. */
export function labelRuns(label: Float64Array, keep: ReadonlySet<number>): LabelRun[] {
  const out: LabelRun[] = [];
  let start = 0;
  for (let i = 1; i <= label.length; i++) {
    if (i < label.length && label[i] === label[start]) continue;
    const l = label[start] as number;
    if (keep.has(l)) out.push({ label: l, start, end: i });
    start = i;
  }
  return out;
}

/** The `S<k>.pkl` files under `root` (up to two folders deep) by subject number. */
function findSubjects(root: string): { id: string; number: number; file: string }[] {
  const out = new Map<number, { id: string; number: number; file: string }>();
  const walk = (dir: string, depth: number): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) {
        if (depth < 2) walk(p, depth + 1);
        continue;
      }
      const m = /^S(\d+)\.pkl$/i.exec(name);
      if (!m) continue;
      const number = Number(m[1]);
      const prev = out.get(number);
      if (prev) throw new UserError(`readWesad: two files for subject S${number}: ${prev.file} and ${p}`);
      out.set(number, { id: `S${number}`, number, file: p });
    }
  };
  walk(root, 0);
  return [...out.values()].sort((a, b) => a.number - b.number);
}

/** The chest ECG and the label array of one subject's pickle, of one length, or a UserError naming the field. */
function readSubject(file: string): { ecg: Float64Array; label: Float64Array } {
  const top = readPickle(file);
  const chest = pickleField(pickleField(top, 'signal', '', file), 'chest', 'signal', file);
  const ecgArr = pickleArray(pickleField(chest, 'ECG', 'signal.chest', file), 'signal.chest.ECG', file);
  const ecg = pickleColumn(ecgArr, 0, 'signal.chest.ECG', file);
  const label = pickleColumn(
    pickleArray(pickleField(top, 'label', '', file), 'label', file),
    0,
    'label',
    file,
  );
  if (label.length !== ecg.length)
    throw new UserError(
      `readWesad: ${file}: label has ${label.length} samples, signal.chest.ECG ${ecg.length} (both 700 Hz)`,
    );
  return { ecg, label };
}

/** Labels of a run of condition `label` per task (NaN: in no class of that task). */
function runLabels(label: number, tasks: readonly string[]): Record<string, number> {
  return Object.fromEntries(tasks.map((t) => [t, WESAD_TASKS[t]?.[label] ?? NaN]));
}

/**
 * WESAD reader (Schmidt et al., ICMI 2018). Reads `S<k>/S<k>.pkl` under `data.root` (Python 2 pickles, parsed
 * without executing anything: src/datasets/formats/pickle): the chest `signal.chest.ECG` (N x 1, 700 Hz) and
 * `label` (N, 700 Hz: 1 baseline, 2 stress, 3 amusement, 4 meditation; 0 and 5-7 not defined). Each maximal run
 * of one condition is one recording (`baseline1`, `stress1`, `amusement1`, `meditation1`, `meditation2`, ...),
 * so windows, cut from the run's start with the trailing partial one dropped, never mix two conditions. Tasks:
 * `affect` (baseline 0, stress 1, amusement 2) and `stress` (stress 1, baseline and amusement 0). Meditation runs
 * are unlabelled (NaN, pretraining only; `data.meditation: false` leaves them out); undefined samples are never read.
 */
export async function* readWesad(source: WesadSource, ctx: ReaderContext): AsyncGenerator<RawRecording> {
  const root = source.root;
  if (!existsSync(root) || !statSync(root).isDirectory())
    throw new UserError(`readWesad: data.root ${root} is not a folder`);
  const tasks = source.tasks ?? Object.keys(WESAD_TASKS);
  for (const t of tasks)
    if (WESAD_TASKS[t] === undefined)
      throw new UserError(
        `readWesad: task "${t}" (data.tasks) is not a WESAD label; available: ${Object.keys(WESAD_TASKS).join(', ')}`,
      );
  let subjects = findSubjects(root);
  if (source.subjects) subjects = subjects.filter((s) => source.subjects?.includes(s.id));
  if (subjects.length === 0)
    throw new UserError(
      `readWesad: no S<k>/S<k>.pkl files under ${root}${source.subjects ? ` for data.subjects ${source.subjects.join(', ')}` : ''}`,
    );
  const keep = new Set(source.meditation ? [1, 2, 3, 4] : [1, 2, 3]);
  ctx.onTotal?.(subjects.length * keep.size);
  for (const s of subjects) {
    const { ecg, label } = readSubject(s.file);
    const seen = new Map<number, number>();
    for (const run of labelRuns(label, keep)) {
      const k = (seen.get(run.label) ?? 0) + 1;
      seen.set(run.label, k);
      yield {
        subject: s.id,
        recording: `${WESAD_CONDITIONS[run.label]}${k}`,
        samples: ecg.slice(run.start, run.end),
        samplingRateHz: WESAD_CHEST_RATE_HZ,
        labels: runLabels(run.label, tasks),
        source: s.file,
      };
    }
  }
}

/** The registry's handle on this reader. */
export const wesadReader: ReaderModule<WesadSource> = { read: readWesad };
