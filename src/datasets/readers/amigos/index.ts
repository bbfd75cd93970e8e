/** The AMIGOS reader (`data.kind: amigos`): per-participant MAT files, one recording per trial, SAM labels. */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { AmigosSource } from './options.js';
import { UserError } from '../../../errors.js';
import { median } from '../../../util/median.js';
import {
  matCell,
  matColumn,
  matNumeric,
  matText,
  matVariable,
  readMat,
  type MatCell,
  type MatValue,
} from '../../formats/mat/index.js';
import { scoreLabel } from '../../labels/scoreLabel.js';
import type { RawRecording, ReaderContext, ReaderModule } from '../../types.js';

/** Sampling rate of `Data_Preprocessed_Pxx.mat` (`joined_data`), Hz. */
export const AMIGOS_PREPROCESSED_RATE_HZ = 128;
/** Sampling rate of `Data_Original_Pxx.mat` (`ECG_DATA`), Hz. */
export const AMIGOS_ORIGINAL_RATE_HZ = 256;
/** Columns of `joined_data` holding ECG (0-based): lead 0 = ECG right, lead 1 = ECG left. */
const PRE_ECG_COLUMNS = [14, 15] as const;
/** Columns of `ECG_DATA` cells holding ECG (0-based; column 0 is the timestamp in ms). */
const ORIG_ECG_COLUMNS = [1, 2] as const;
/** Lowest self-assessment score (SAM 1-9): class 0 under `data.labels.scheme: classes`. */
const AMIGOS_SCALE_MIN = 1;
/** Self-assessment tasks and their column in `labels_selfassessment` (1 x 12: arousal, valence, dominance, liking, ...). */
export const AMIGOS_TASKS: Readonly<Record<string, number>> = {
  arousal: 0,
  valence: 1,
  dominance: 2,
  liking: 3,
};

interface Participant {
  id: string;
  number: number;
  preprocessed?: string;
  original?: string;
}

function findFiles(root: string, dir: string, out: Map<number, Participant>, depth: number): void {
  if (depth > 4) return;
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      findFiles(root, p, out, depth + 1);
      continue;
    }
    const m = /^Data_(Preprocessed|Original)_P(\d+)\.mat$/i.exec(name);
    if (!m) continue;
    const number = Number(m[2]);
    const part = out.get(number) ?? { id: `P${String(number).padStart(2, '0')}`, number };
    const key = (m[1] as string).toLowerCase() === 'preprocessed' ? 'preprocessed' : 'original';
    if (part[key] !== undefined)
      throw new UserError(`readAmigos: two ${m[1]} files for participant ${part.id}: ${part[key]} and ${p}`);
    part[key] = p;
    out.set(number, part);
  }
}

/** The 0/1 ECG lead index from `data.lead` (index, or a name such as "ECG right" / "left"). */
export function amigosLead(lead: number | string | undefined): 0 | 1 {
  if (lead === undefined) return 0;
  if (typeof lead === 'number') {
    if (lead === 0 || lead === 1) return lead;
    throw new UserError(
      `readAmigos: data.lead ${lead} does not exist; AMIGOS has ECG leads 0 (right) and 1 (left)`,
    );
  }
  const l = lead.trim().toLowerCase();
  if (['0', 'right', 'ecg right', 'ecg_right', 'ecg r'].includes(l)) return 0;
  if (['1', 'left', 'ecg left', 'ecg_left', 'ecg l'].includes(l)) return 1;
  throw new UserError(
    `readAmigos: data.lead "${lead}" is not an AMIGOS ECG lead (0 / "ECG right", 1 / "ECG left")`,
  );
}

/** Drops leading and trailing non-finite samples; returns undefined when non-finite samples remain inside. */
function trimNonFinite(x: Float64Array): { samples: Float64Array; trimmed: number; inner: number } {
  let a = 0;
  let b = x.length;
  while (a < b && !Number.isFinite(x[a] as number)) a++;
  while (b > a && !Number.isFinite(x[b - 1] as number)) b--;
  let inner = 0;
  for (let i = a; i < b; i++) if (!Number.isFinite(x[i] as number)) inner++;
  return { samples: x.subarray(a, b), trimmed: x.length - (b - a), inner };
}

/** Sort key of the canonical video order (numeric ids ascending, then the others as strings). */
function canonicalVideoOrder(ids: readonly string[]): string[] {
  return [...ids].sort((a, b) => {
    const na = /^\d+$/.test(a) ? Number(a) : NaN;
    const nb = /^\d+$/.test(b) ? Number(b) : NaN;
    if (!Number.isNaN(na) && !Number.isNaN(nb)) return na - nb;
    if (!Number.isNaN(na)) return -1;
    if (!Number.isNaN(nb)) return 1;
    return a < b ? -1 : a > b ? 1 : 0;
  });
}

function isEmpty(v: MatValue): boolean {
  return v.dims.some((d) => d === 0);
}

/** Scores as labels under `data.labels` (scheme `threshold`: score > t; `classes`: round(score) - 1, 9 classes). */
function binarise(scores: number[], labels: AmigosSource['labels'], where: string): number[] {
  const { threshold, scheme } = labels;
  const present = scores.filter((s) => Number.isFinite(s));
  let t: number;
  if (typeof threshold === 'number') t = threshold;
  else if (present.length === 0) t = NaN;
  else if (threshold === 'mean') t = present.reduce((a, b) => a + b, 0) / present.length;
  else t = median(present);
  return scores.map((s) => scoreLabel(s, { scheme, threshold: t, scaleMin: AMIGOS_SCALE_MIN, where }));
}

/** The participants under `root` in number order (`data.subjects` applied), each with the files needed. */
function findParticipants(source: AmigosSource): Participant[] {
  const root = source.root;
  const original = source.amigosSource === 'original';
  const found = new Map<number, Participant>();
  findFiles(root, root, found, 0);
  let parts = [...found.values()].sort((a, b) => a.number - b.number);
  if (source.subjects) parts = parts.filter((p) => source.subjects?.includes(p.id));
  if (parts.length === 0)
    throw new UserError(
      `readAmigos: no ${original ? 'Data_Original_Pxx.mat' : 'Data_Preprocessed_Pxx.mat'} files under ${root}` +
        (source.subjects ? ` for data.subjects ${source.subjects.join(', ')}` : ''),
    );
  for (const p of parts) {
    if (p.preprocessed === undefined)
      throw new UserError(
        `readAmigos: participant ${p.id} has no Data_Preprocessed_${p.id}.mat under ${root}` +
          (source.amigosSource !== 'preprocessed'
            ? ` (amigosSource: ${source.amigosSource} needs it too: labels and VideoIDs)`
            : ''),
      );
    if (original && p.original === undefined)
      throw new UserError(
        `readAmigos: participant ${p.id} has no Data_Original_${p.id}.mat under ${root} (data.amigosSource: original)`,
      );
  }
  return parts;
}

/**
 * Whether the ECG comes from the original 256 Hz files: `original`; `auto` when every participant has one (the
 * authors' rate), else the preprocessed 128 Hz files, said in one log line; `preprocessed`: never.
 */
function readsOriginal(
  source: AmigosSource,
  parts: readonly Participant[],
  say: (m: string) => void,
): boolean {
  if (source.amigosSource !== 'auto') return source.amigosSource === 'original';
  const lacking = parts.filter((p) => p.original === undefined).map((p) => p.id);
  if (lacking.length === 0) return true;
  say(
    `readAmigos: no Data_Original_Pxx.mat for ${lacking.length} of ${parts.length} participants under ${source.root} ` +
      `(${lacking.join(', ')}): reading the preprocessed ${AMIGOS_PREPROCESSED_RATE_HZ} Hz files (data.amigosSource: auto)`,
  );
  return false;
}

/** One participant's preprocessed file: its variables, label cells, video ids and the selected trials. */
interface ParticipantMeta {
  preFile: string;
  pre: Record<string, MatValue>;
  labelsCell: MatCell;
  nTrials: number;
  videoIds: string[] | undefined;
  trials: number[];
}

async function readParticipantMeta(
  p: Participant,
  source: AmigosSource,
  original: boolean,
): Promise<ParticipantMeta> {
  const preFile = p.preprocessed as string;
  const pre = await readMat(preFile, {
    variables: original
      ? ['labels_selfassessment', 'VideoIDs']
      : ['joined_data', 'labels_selfassessment', 'VideoIDs'],
  });
  const labelsCell = matCell(
    matVariable(pre, 'labels_selfassessment', preFile),
    'labels_selfassessment',
    preFile,
  );
  const nTrials = labelsCell.cells.length;
  const videoIds =
    pre.VideoIDs !== undefined
      ? matCell(pre.VideoIDs, 'VideoIDs', preFile).cells.map((c, i) =>
          matText(c, `VideoIDs{${i + 1}}`, preFile).trim(),
        )
      : undefined;
  if (videoIds && videoIds.length !== nTrials)
    throw new UserError(
      `readAmigos: ${preFile}: VideoIDs has ${videoIds.length} entries, labels_selfassessment ${nTrials}`,
    );
  const trials = source.trials ?? Array.from({ length: nTrials }, (_, i) => i);
  for (const t of trials)
    if (t >= nTrials)
      throw new UserError(
        `readAmigos: data.trials has trial ${t}, but ${preFile} has ${nTrials} trials (0..${nTrials - 1})`,
      );
  return { preFile, pre, labelsCell, nTrials, videoIds, trials };
}

/** The ECG of trial `t` (undefined when the trial is empty) and the file it came from. */
type EcgOf = (t: number) => { samples: Float64Array | undefined; file: string };

/** The ECG of each trial from `joined_data` of the preprocessed file (128 Hz). */
function preprocessedEcg(meta: ParticipantMeta, lead: 0 | 1): { ecgOf: EcgOf; rateHz: number } {
  const { pre, preFile, nTrials } = meta;
  const joined = matCell(matVariable(pre, 'joined_data', preFile), 'joined_data', preFile);
  if (joined.cells.length !== nTrials)
    throw new UserError(
      `readAmigos: ${preFile}: joined_data has ${joined.cells.length} trials, labels_selfassessment ${nTrials}`,
    );
  const ecgOf: EcgOf = (t) => {
    const c = joined.cells[t] as MatValue;
    if (isEmpty(c)) return { samples: undefined, file: preFile };
    const m = matNumeric(c, `joined_data{${t + 1}}`, preFile);
    return {
      samples: matColumn(m, PRE_ECG_COLUMNS[lead], `joined_data{${t + 1}}`, preFile),
      file: preFile,
    };
  };
  return { ecgOf, rateHz: AMIGOS_PREPROCESSED_RATE_HZ };
}

/** The ECG of each trial from `ECG_DATA` of the original file (256 Hz), its cells matched by video id. */
async function originalEcg(
  p: Participant,
  meta: ParticipantMeta,
  lead: 0 | 1,
  say: (m: string) => void,
): Promise<{ ecgOf: EcgOf; rateHz: number }> {
  const { preFile, videoIds } = meta;
  const origFile = p.original as string;
  if (!videoIds)
    throw new UserError(`readAmigos: ${preFile} has no VideoIDs, needed to match the trials of ${origFile}`);
  const orig = await readMat(origFile, { variables: ['ECG_DATA', 'VideoIDs'] });
  const ecg = matCell(matVariable(orig, 'ECG_DATA', origFile), 'ECG_DATA', origFile);
  const origIds =
    orig.VideoIDs !== undefined
      ? matCell(orig.VideoIDs, 'VideoIDs', origFile).cells.map((c, i) =>
          matText(c, `VideoIDs{${i + 1}}`, origFile).trim(),
        )
      : canonicalVideoOrder(videoIds);
  if (orig.VideoIDs === undefined)
    say(
      `readAmigos: ${origFile} has no VideoIDs; ECG_DATA cells taken in video-id order (${origIds.join(' ')})`,
    );
  if (ecg.cells.length !== origIds.length)
    throw new UserError(
      `readAmigos: ${origFile}: ECG_DATA has ${ecg.cells.length} cells for ${origIds.length} video ids`,
    );
  const ecgOf: EcgOf = (t) => {
    const k = origIds.indexOf(videoIds[t] as string);
    if (k < 0)
      throw new UserError(
        `readAmigos: ${origFile}: no ECG_DATA cell for video ${videoIds[t]} (trial ${t} of ${preFile})`,
      );
    const c = ecg.cells[k] as MatValue;
    if (isEmpty(c)) return { samples: undefined, file: origFile };
    const m = matNumeric(c, `ECG_DATA{${k + 1}}`, origFile);
    return {
      samples: matColumn(m, ORIG_ECG_COLUMNS[lead], `ECG_DATA{${k + 1}}`, origFile),
      file: origFile,
    };
  };
  return { ecgOf, rateHz: AMIGOS_ORIGINAL_RATE_HZ };
}

/** Labels of the selected trials per task under `data.labels` (a `mean` / `median` over this participant's trials). */
function binaryLabels(
  meta: ParticipantMeta,
  tasks: readonly string[],
  labels: AmigosSource['labels'],
): Record<string, number[]> {
  const { labelsCell, preFile, trials } = meta;
  const binary: Record<string, number[]> = {};
  for (const task of tasks) {
    const col = AMIGOS_TASKS[task] as number;
    const scores = trials.map((t) => {
      const c = labelsCell.cells[t] as MatValue;
      if (isEmpty(c)) return NaN;
      const m = matNumeric(c, `labels_selfassessment{${t + 1}}`, preFile);
      return col < m.real.length ? (m.real[col] as number) : NaN;
    });
    binary[task] = binarise(scores, labels, `${preFile} labels_selfassessment (${task})`);
  }
  return binary;
}

/** The finite ECG of one trial (ends trimmed), or undefined, logged, when it is empty or has NaN inside. */
function usableEcg(
  id: string,
  t: number,
  vid: string | undefined,
  ecg: { samples: Float64Array | undefined; file: string },
  say: (m: string) => void,
): Float64Array | undefined {
  const { samples, file } = ecg;
  if (samples === undefined || samples.length === 0) {
    say(`readAmigos: ${id} trial ${t}${vid ? ` (video ${vid})` : ''} has no data in ${file}: skipped`);
    return undefined;
  }
  const { samples: x, trimmed, inner } = trimNonFinite(samples);
  if (inner > 0) {
    say(
      `readAmigos: ${id} trial ${t} in ${file} has ${inner} non-finite ECG samples inside the recording: skipped`,
    );
    return undefined;
  }
  if (x.length === 0) {
    say(`readAmigos: ${id} trial ${t} in ${file} has no finite ECG sample: skipped`);
    return undefined;
  }
  if (trimmed > 0)
    say(`readAmigos: ${id} trial ${t} in ${file}: ${trimmed} leading/trailing non-finite samples dropped`);
  return x;
}

/**
 * AMIGOS reader (Miranda-Correa et al., IEEE TAFFC 2018; README "Getting the datasets"). Finds
 * `Data_Preprocessed_Pxx.mat` / `Data_Original_Pxx.mat` under `data.root` (recursively, so the per-participant
 * folders of the archives work) and yields one recording per trial, participants in order P01, P02, ...
 *
 * - `data.amigosSource: preprocessed` (default): `joined_data{t}` (N x 17 at 128 Hz), ECG in columns 14 (lead 0,
 *   right) and 15 (lead 1, left).
 * - `original`: `ECG_DATA{k}` of `Data_Original_Pxx.mat` (N x 6 at 256 Hz: timestamp ms, ECG right, ECG left,
 *   accelerometer x/y/z). Its cells are not in viewing order, so trials are matched by video id: the original
 *   file's own `VideoIDs` when it has one, else the canonical order of the preprocessed file's `VideoIDs`
 *   (numeric ids ascending, then N1/P1/B1/U1-style ids in string order). The preprocessed file is needed too
 *   (labels and `VideoIDs`).
 * - `auto`: `original` when every selected participant has its `Data_Original_Pxx.mat`, else `preprocessed` for all,
 *   with one log line naming the participants without it.
 *
 * Labels: `labels_selfassessment{t}` (1 x 12: arousal, valence, dominance, liking, familiarity, 7 emotions),
 * binarised with `data.labels.threshold` (score > t = 1; `mean` / `median`: the participant's own statistic
 * over the selected trials), or with `data.labels.scheme: classes` one class per rounded score (1-9 -> 0-8). `data.trials` picks trials (0-based; 0-15 short videos, 16-19 long), `data.tasks`
 * the label tasks (arousal, valence, dominance, liking), `data.lead` the lead (0/"ECG right", 1/"ECG left").
 * Empty trials (the long videos of some participants) are skipped with a log line. Non-finite ECG samples
 * (AMIGOS trials contain NaN runs): leading and trailing ones are trimmed; a trial with NaN inside is skipped
 * with a log line (never interpolated). Recording ids are `trialTT_vID` (0-based trial, video id).
 */
export async function* readAmigos(source: AmigosSource, ctx: ReaderContext): AsyncGenerator<RawRecording> {
  const root = source.root;
  if (!existsSync(root) || !statSync(root).isDirectory())
    throw new UserError(`readAmigos: data.root ${root} is not a folder`);
  const say = ctx.log ?? (() => undefined);
  const lead = amigosLead(source.lead);
  const tasks = source.tasks ?? ['arousal', 'valence'];
  for (const t of tasks)
    if (AMIGOS_TASKS[t] === undefined)
      throw new UserError(
        `readAmigos: task "${t}" (data.tasks) is not an AMIGOS label; available: ${Object.keys(AMIGOS_TASKS).join(', ')}`,
      );
  const parts = findParticipants(source);
  const original = readsOriginal(source, parts, say);
  ctx.onTotal?.(parts.length * (source.trials?.length ?? 20));
  for (const p of parts) {
    const meta = await readParticipantMeta(p, source, original);
    const { ecgOf, rateHz } = original ? await originalEcg(p, meta, lead, say) : preprocessedEcg(meta, lead);
    const binary = binaryLabels(meta, tasks, source.labels);
    for (const [i, t] of meta.trials.entries()) {
      const vid = meta.videoIds?.[t];
      const recording = `trial${String(t).padStart(2, '0')}${vid ? `_v${vid.replace(/[^A-Za-z0-9]/g, '')}` : ''}`;
      const ecg = ecgOf(t);
      const x = usableEcg(p.id, t, vid, ecg, say);
      if (x === undefined) continue;
      const labels: Record<string, number> = {};
      for (const task of tasks) labels[task] = (binary[task] as number[])[i] as number;
      yield {
        subject: p.id,
        recording,
        samples: x.slice(),
        samplingRateHz: rateHz,
        labels,
        source: ecg.file,
      };
    }
  }
}

/** The registry's handle on this reader. */
export const amigosReader: ReaderModule<AmigosSource> = { read: readAmigos };
