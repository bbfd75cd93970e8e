/** The DREAMER reader (`data.kind: dreamer`): `DREAMER.mat`, 23 subjects x 18 clips, ECG at 256 Hz, SAM labels. */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { DreamerSource } from './options.js';
import { UserError } from '../../../errors.js';
import { median } from '../../../util/median.js';
import { scoreLabel } from '../../labels/scoreLabel.js';
import {
  matCell,
  matColumn,
  matNumeric,
  matVariable,
  readMat,
  type MatCell,
  type MatStruct,
  type MatValue,
} from '../../formats/mat/index.js';
import type { RawRecording, ReaderContext, ReaderModule } from '../../types.js';

/** ECG sampling rate of the release (`DREAMER.ECG_SamplingRate`), used when the file does not say, Hz. */
export const DREAMER_ECG_RATE_HZ = 256;
/** Label tasks and the field of `Data{i}` holding their 18 x 1 scores (1-5). */
export const DREAMER_TASKS: Readonly<Record<string, string>> = {
  arousal: 'ScoreArousal',
  valence: 'ScoreValence',
  dominance: 'ScoreDominance',
};

/** `DREAMER.mat` under `root` (the folder itself, then up to two folders deep), or a UserError. */
export function findDreamerMat(root: string): string {
  const found: string[] = [];
  const walk = (dir: string, depth: number): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) {
        if (depth < 2) walk(p, depth + 1);
      } else if (name.toLowerCase() === 'dreamer.mat') found.push(p);
    }
  };
  walk(root, 0);
  if (found.length === 0) throw new UserError(`readDreamer: no DREAMER.mat under ${root} (data.root)`);
  if (found.length > 1)
    throw new UserError(`readDreamer: two DREAMER.mat files under ${root}: ${found[0]} and ${found[1]}`);
  return found[0] as string;
}

/** The 0/1 ECG channel from `data.lead`. */
export function dreamerLead(lead: number | string | undefined): 0 | 1 {
  if (lead === undefined || lead === 0 || lead === '0') return 0;
  if (lead === 1 || lead === '1') return 1;
  throw new UserError(
    `readDreamer: data.lead ${JSON.stringify(lead)} does not exist; DREAMER has ECG channels 0 and 1`,
  );
}

/** `v` as a 1 x 1 struct with field `field` present, or a UserError naming `what` in `file`. */
function structField(v: MatValue, field: string, what: string, file: string): MatValue {
  if (v.kind !== 'struct' || v.elements.length !== 1)
    throw new UserError(
      `readDreamer: ${file}: ${what} is a ${v.dims.join('x')} ${v.kind} array, expected a 1x1 struct`,
    );
  const f = (v as MatStruct).elements[0]?.[field];
  if (f === undefined) throw new UserError(`readDreamer: ${file}: ${what} has no field ${field}`);
  return f;
}

/** One subject's `Data{i}`: its ECG clips (stimuli, baselines) and scores per task. */
interface SubjectData {
  stimuli: MatCell;
  baselines: MatCell;
  scores: Record<string, number[]>;
}

function subjectData(cell: MatValue, i: number, tasks: readonly string[], file: string): SubjectData {
  const at = `DREAMER.Data{${i + 1}}`;
  const ecg = structField(cell, 'ECG', at, file);
  const stimuli = matCell(structField(ecg, 'stimuli', `${at}.ECG`, file), `${at}.ECG.stimuli`, file);
  const baselines = matCell(structField(ecg, 'baseline', `${at}.ECG`, file), `${at}.ECG.baseline`, file);
  const scores: Record<string, number[]> = {};
  for (const task of tasks) {
    const field = DREAMER_TASKS[task] as string;
    const m = matNumeric(structField(cell, field, at, file), `${at}.${field}`, file);
    if (m.real.length !== stimuli.cells.length)
      throw new UserError(
        `readDreamer: ${file}: ${at}.${field} has ${m.real.length} scores for ${stimuli.cells.length} stimulus clips`,
      );
    scores[task] = Array.from(m.real);
  }
  return { stimuli, baselines, scores };
}

/** Scores as labels under `data.labels` (scheme `threshold`: score > t, the subject's mean/median for those; `classes`: round(score) - 1, 5 classes). */
function binarise(scores: readonly number[], labels: DreamerSource['labels'], where: string): number[] {
  const { threshold, scheme } = labels;
  const present = scores.filter((s) => Number.isFinite(s));
  let t: number;
  if (typeof threshold === 'number') t = threshold;
  else if (present.length === 0) t = NaN;
  else t = threshold === 'mean' ? present.reduce((a, b) => a + b, 0) / present.length : median(present);
  return scores.map((s) => scoreLabel(s, { scheme, threshold: t, scaleMin: 1, where }));
}

/** Channel `lead` of clip `j` of `clips` (an N x 2 numeric array), or a UserError naming the field. */
function clipEcg(clips: MatCell, j: number, lead: 0 | 1, what: string, file: string): Float64Array {
  const c = clips.cells[j] as MatValue;
  return matColumn(matNumeric(c, `${what}{${j + 1}}`, file), lead, `${what}{${j + 1}}`, file);
}

/** The file's `ECG_SamplingRate` when it has a positive scalar one, else 256 Hz. */
function ecgRate(dreamer: MatValue): number {
  const el = dreamer.kind === 'struct' ? dreamer.elements[0]?.ECG_SamplingRate : undefined;
  const r = el?.kind === 'numeric' && el.real.length === 1 ? (el.real[0] as number) : NaN;
  return Number.isFinite(r) && r > 0 ? r : DREAMER_ECG_RATE_HZ;
}

/** Reads the struct `DREAMER` of `file` (its EEG skipped) and returns `Data` and the ECG rate. */
async function readDreamerMat(file: string): Promise<{ data: MatCell; rateHz: number }> {
  const vars = await readMat(file, { variables: ['DREAMER'], skipFields: ['EEG'] });
  const dreamer = matVariable(vars, 'DREAMER', file);
  const data = matCell(structField(dreamer, 'Data', 'DREAMER', file), 'DREAMER.Data', file);
  return { data, rateHz: ecgRate(dreamer) };
}

/**
 * DREAMER reader (Katsigiannis & Ramzan, IEEE JBHI 2018). Reads `DREAMER.mat` (MAT v5; its EEG is skipped
 * unparsed) under `data.root`: struct `DREAMER` with `Data{1,i}` per subject (`S01`..`S23`), whose
 * `ECG.stimuli{j}` and `ECG.baseline{j}` are N x 2 clips at `ECG_SamplingRate` (256 Hz) and `ScoreArousal`,
 * `ScoreValence`, `ScoreDominance` the 18 x 1 self-assessments (1-5). Per subject and clip j it yields
 * `baselineJJ` (unlabelled: NaN for every task, pretraining only; `data.baselines: false` leaves them out) and
 * `stimulusJJ` (labelled: score > `data.labels.threshold`, default 3, = 1; `mean` / `median`: the subject's own
 * statistic over its 18 clips). `data.lead` picks ECG channel 0 (default) or 1.
 */
export async function* readDreamer(source: DreamerSource, ctx: ReaderContext): AsyncGenerator<RawRecording> {
  const root = source.root;
  if (!existsSync(root) || !statSync(root).isDirectory())
    throw new UserError(`readDreamer: data.root ${root} is not a folder`);
  const lead = dreamerLead(source.lead);
  const tasks = source.tasks ?? Object.keys(DREAMER_TASKS);
  for (const t of tasks)
    if (DREAMER_TASKS[t] === undefined)
      throw new UserError(
        `readDreamer: task "${t}" (data.tasks) is not a DREAMER label; available: ${Object.keys(DREAMER_TASKS).join(', ')}`,
      );
  const file = findDreamerMat(root);
  const { data, rateHz } = await readDreamerMat(file);
  const ids = data.cells.map((_, i) => `S${String(i + 1).padStart(2, '0')}`);
  const chosen = ids.flatMap((id, i) => (!source.subjects || source.subjects.includes(id) ? [i] : []));
  ctx.onTotal?.(chosen.length * (source.baselines ? 36 : 18));
  for (const i of chosen) {
    const s = subjectData(data.cells[i] as MatValue, i, tasks, file);
    const binary = Object.fromEntries(
      tasks.map((t) => [
        t,
        binarise(
          s.scores[t] as number[],
          source.labels,
          `${file} DREAMER.Data{${i + 1}}.${DREAMER_TASKS[t]}`,
        ),
      ]),
    );
    const unlabelled = Object.fromEntries(tasks.map((t) => [t, NaN]));
    const at = `DREAMER.Data{${i + 1}}.ECG`;
    for (let j = 0; j < s.stimuli.cells.length; j++) {
      const jj = String(j + 1).padStart(2, '0');
      const base = { subject: ids[i] as string, samplingRateHz: rateHz, source: file };
      if (source.baselines && j < s.baselines.cells.length)
        yield {
          ...base,
          recording: `baseline${jj}`,
          labels: { ...unlabelled },
          samples: clipEcg(s.baselines, j, lead, `${at}.baseline`, file),
        };
      const labels = Object.fromEntries(tasks.map((t) => [t, (binary[t] as number[])[j] as number]));
      yield {
        ...base,
        recording: `stimulus${jj}`,
        labels,
        samples: clipEcg(s.stimuli, j, lead, `${at}.stimuli`, file),
      };
    }
  }
}

/** The registry's handle on this reader. */
export const dreamerReader: ReaderModule<DreamerSource> = { read: readDreamer };
