/** The SWELL-KW reader (`data.kind: swell`): Poly5 (or text export) ECG per participant block, stress/SAM labels. */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';
import type { SwellSource } from './options.js';
import { UserError } from '../../../errors.js';
import { createResamplerForRates } from '../../../preprocessing/index.js';
import { median } from '../../../util/median.js';
import { concatFloat64 } from '../../formats/fileRead.js';
import { appendCheckedChunks } from '../../formats/checkFinite.js';
import { poly5ChannelIndex, readPoly5Chunks, readPoly5Header } from '../../formats/poly5.js';
import { scoreLabel } from '../../labels/scoreLabel.js';
import type { LabelScheme } from '../sourceFields.js';
import type { RawRecording, ReaderContext, ReaderModule } from '../../types.js';
import { column, idNumber, readTable, type Table } from './tables.js';
import { readSwellTextChunks, SWELL_TEXT_RATE_HZ } from './text.js';

/** SWELL-KW's ECG channel in the Poly5 files (0-based channel index). */
export const SWELL_ECG_CHANNEL = 7;
/** Lowest SAM score (1-9): class 0 under `data.labels.scheme: classes`. */
const SWELL_SCALE_MIN = 1;
/** Label tasks SWELL offers. */
export const SWELL_TASKS = ['stress', 'arousal', 'valence'] as const;

/**
 * One recording file: participant, block, which continuation part it is (0 = the first) and its format (a
 * Poly5 `.S00` original or a file of the "Mobi signals text" export).
 */
export interface SwellFile {
  path: string;
  participant: number;
  block: number;
  part: number;
  format: 'poly5' | 'text';
}

/**
 * Parses a SWELL Poly5 file name: `ppN_<anything>[_-]cK[_cont[M]].S00` (e.g. `pp1_18-9-2012_c1.S00`,
 * `pp10_8-10-2012-c1.S00`, `pp4_..._c3_cont.S00`); with `ext` `txt`, the same names of the text export
 * (`pp1_18-9-2012_c1.txt`). Returns undefined for other names.
 */
export function parseSwellName(
  name: string,
  ext: 's00' | 'txt' = 's00',
): { participant: number; block: number; part: number } | undefined {
  const m =
    new RegExp(`^pp(\\d+)[_-].*?[_-]c(\\d+)(?:[_-]?cont(\\d*))?\\.${ext}$`, 'i').exec(name) ??
    new RegExp(`^pp(\\d+)[_-]c(\\d+)(?:[_-]?cont(\\d*))?\\.${ext}$`, 'i').exec(name);
  if (!m) return undefined;
  const cont = m[3];
  return {
    participant: Number(m[1]),
    block: Number(m[2]),
    part: cont === undefined ? 0 : cont === '' ? 1 : Number(cont),
  };
}

function walk(dir: string, out: string[], depth: number): void {
  if (depth > 6) return;
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out, depth + 1);
    else out.push(p);
  }
}

type Condition = 'N' | 'T' | 'I' | 'R';
const key = (pp: number, block: number): string => `${pp}/${block}`;

function conditionOf(cell: string, t: Table, line: number): Condition | undefined {
  const c = cell.trim().toUpperCase();
  if (c === '') return undefined;
  const first = c[0];
  if (first === 'N' || first === 'T' || first === 'I' || first === 'R') return first;
  throw new UserError(
    `readSwell: ${t.path} line ${line}: condition "${cell.slice(0, 20)}" is not N, T, I or R`,
  );
}

/** (participant, block) -> condition from a table with participant, block and condition columns. */
function conditionsFrom(t: Table): Map<string, Condition> {
  const pc = column(t, ['participant', 'pp', 'subject'], 'participant');
  const bc = column(t, ['block', 'blok'], 'block');
  const cc = column(t, ['condition'], 'condition');
  const out = new Map<string, Condition>();
  t.rows.forEach((r, i) => {
    const pp = idNumber(r[pc] ?? '');
    const block = idNumber(r[bc] ?? '');
    const cond = conditionOf(r[cc] ?? '', t, i + 2);
    if (Number.isNaN(pp) || Number.isNaN(block) || cond === undefined || cond === 'R') return;
    const k = key(pp, block);
    const had = out.get(k);
    if (had !== undefined && had !== cond)
      throw new UserError(
        `readSwell: ${t.path} line ${i + 2}: participant ${pp} block ${block} is both ${had} and ${cond}`,
      );
    out.set(k, cond);
  });
  return out;
}

/** Per (participant, block): mean Arousal_rc / Valence_rc over the block's minutes, R (relax) minutes excluded. */
function behaviourMeans(t: Table): Map<string, { arousal: number; valence: number }> {
  const pc = column(t, ['PP', 'participant'], 'participant');
  const bc = column(t, ['Blok', 'block'], 'block');
  const cc = column(t, ['Condition'], 'condition');
  const ac = column(t, ['Arousal_rc', 'arousal'], 'arousal');
  const vc = column(t, ['Valence_rc', 'valence'], 'valence');
  const sums = new Map<string, { a: number; na: number; v: number; nv: number }>();
  t.rows.forEach((r, i) => {
    const pp = idNumber(r[pc] ?? '');
    const block = idNumber(r[bc] ?? '');
    const cond = conditionOf(r[cc] ?? '', t, i + 2);
    if (Number.isNaN(pp) || Number.isNaN(block) || cond === 'R') return;
    const s = sums.get(key(pp, block)) ?? { a: 0, na: 0, v: 0, nv: 0 };
    const a = Number((r[ac] ?? '').replace(',', '.'));
    const v = Number((r[vc] ?? '').replace(',', '.'));
    if ((r[ac] ?? '') !== '' && Number.isFinite(a)) {
      s.a += a;
      s.na++;
    }
    if ((r[vc] ?? '') !== '' && Number.isFinite(v)) {
      s.v += v;
      s.nv++;
    }
    sums.set(key(pp, block), s);
  });
  const out = new Map<string, { arousal: number; valence: number }>();
  for (const [k, s] of sums)
    out.set(k, { arousal: s.na > 0 ? s.a / s.na : NaN, valence: s.nv > 0 ? s.v / s.nv : NaN });
  return out;
}

function threshold(values: number[], rule: number | 'mean' | 'median'): number {
  if (typeof rule === 'number') return rule;
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  if (rule === 'mean') return v.reduce((a, b) => a + b, 0) / v.length;
  return median(v);
}

/** Recording files per (participant, block), parts in order, sorted by participant then block. */
function findRecordings(root: string, all: readonly string[], say: (m: string) => void): SwellFile[][] {
  const recs = new Map<string, SwellFile[]>();
  const texts = new Map<string, SwellFile[]>();
  const add = (into: Map<string, SwellFile[]>, f: SwellFile): void => {
    const list = into.get(key(f.participant, f.block)) ?? [];
    const dup = list.find((g) => g.part === f.part);
    if (dup)
      throw new UserError(
        `readSwell: ${f.path} and ${dup.path} are the same part of participant ${f.participant} block ${f.block}`,
      );
    list.push(f);
    into.set(key(f.participant, f.block), list);
  };
  const textFiles: SwellFile[] = [];
  for (const p of all) {
    const name = basename(p);
    if (/\.txt$/i.test(name)) {
      const id = parseSwellName(name, 'txt');
      if (id) textFiles.push({ path: p, ...id, format: 'text' });
      else if (/^pp\d/i.test(name)) say(`readSwell: ${p}: name not of the form ppN_..._cK.txt: ignored`);
      continue;
    }
    if (!/\.s00$/i.test(name)) continue;
    const id = parseSwellName(name);
    if (!id) {
      say(`readSwell: ${p}: name not of the form ppN_..._cK.S00: ignored`);
      continue;
    }
    add(recs, { path: p, ...id, format: 'poly5' });
  }
  // The text export ("Mobi signals text"): where the dataset's folder layout is kept, only the .txt files in
  // that folder are recordings (other modalities' text files may share the ppN_..._cK names).
  const inMobi = (f: SwellFile): boolean =>
    relative(root, f.path)
      .split(sep)
      .slice(0, -1)
      .some((d) => /mobi/i.test(d));
  const useText = textFiles.some(inMobi) ? textFiles.filter(inMobi) : textFiles;
  if (useText.length < textFiles.length)
    say(
      `readSwell: ${textFiles.length - useText.length} ppN_..._cK.txt files outside the "Mobi signals text" folder ignored`,
    );
  for (const f of useText) add(texts, f);
  // Poly5 originals win over the text export of the same (participant, block).
  const shadowed = [...texts.keys()].filter((k) => recs.has(k));
  if (shadowed.length > 0)
    say(
      `readSwell: ${shadowed.length} participant/block(s) have both Poly5 .S00 and text-export .txt recordings: the .txt files are ignored for them (e.g. ${texts.get(shadowed[0] as string)?.[0]?.path})`,
    );
  for (const [k, list] of texts) if (!recs.has(k)) recs.set(k, list);
  const groups = [...recs.values()].map((l) => l.sort((a, b) => a.part - b.part));
  return groups.sort(
    (a, b) =>
      (a[0] as SwellFile).participant - (b[0] as SwellFile).participant ||
      (a[0] as SwellFile).block - (b[0] as SwellFile).block,
  );
}

/** The label tables found under the root: conditions and per-block SAM means (undefined when absent). */
interface SwellLabelTables {
  conditions: Map<string, Condition> | undefined;
  means: Map<string, { arousal: number; valence: number }> | undefined;
}

async function readLabelTables(all: readonly string[]): Promise<SwellLabelTables> {
  const findFile = (re: RegExp): string | undefined => all.find((p) => re.test(basename(p)));
  const behaviourPath =
    findFile(/^behaviou?ral[-_ ]features.*\.xlsx$/i) ?? findFile(/^behaviou?ral[-_ ]features.*\.csv$/i);
  const conditionsPath = findFile(/^conditions\.csv$/i) ?? findFile(/^conditions\.xlsx$/i);
  const behaviour = behaviourPath ? await readTable(behaviourPath) : undefined;
  let conditions: Map<string, Condition> | undefined;
  if (conditionsPath) conditions = conditionsFrom(await readTable(conditionsPath));
  else if (behaviour) conditions = conditionsFrom(behaviour);
  const means = behaviour ? behaviourMeans(behaviour) : undefined;
  return { conditions, means };
}

/**
 * The tasks that can be labelled: explicit data.tasks need their label files; the default tasks drop those
 * without (e.g. SWELL used only as unlabelled pretraining data in pretrain.extraData), with a log line.
 */
function labelledTasks(source: SwellSource, tables: SwellLabelTables, say: (m: string) => void): string[] {
  let tasks: string[] = source.tasks ?? [...SWELL_TASKS];
  const missing = (task: string, why: string): void => {
    if (source.tasks) throw new UserError(`readSwell: task ${task} needs ${why} under ${source.root}`);
    say(`readSwell: no ${why} under ${source.root}: task ${task} left out`);
    tasks = tasks.filter((t) => t !== task);
  };
  if (tasks.includes('stress') && !tables.conditions)
    missing(
      'stress',
      'the conditions (conditions.csv with participant,block,condition, or "Behavioral-features - per minute.xlsx")',
    );
  for (const task of ['arousal', 'valence'])
    if (tasks.includes(task) && !tables.means)
      missing(task, '"Behavioral-features - per minute.xlsx" (or its .csv export)');
  return tasks;
}

/** How a block's scores become labels: `data.labels.scheme` and the participant's arousal / valence thresholds. */
interface BlockLabelRule {
  scheme: LabelScheme;
  arousal: number;
  valence: number;
}

/** Stress class of a condition: `threshold` N = 0, T / I = 1; `classes` N = 0, T = 1, I = 2. */
function stressLabel(cond: Condition | undefined, scheme: LabelScheme): number {
  if (cond === undefined) return NaN;
  if (cond === 'N') return 0;
  return scheme === 'classes' && cond === 'I' ? 2 : 1;
}

/**
 * The labels of one block: stress from its condition, arousal/valence from its means against the thresholds
 * (scheme `classes`: the rounded mean's class, SAM 1-9 -> 0-8).
 */
function blockLabels(
  pp: number,
  block: number,
  m: { arousal: number; valence: number } | undefined,
  rule: BlockLabelRule,
  conditions: Map<string, Condition> | undefined,
  tasks: readonly string[],
  say: (m: string) => void,
): Record<string, number> {
  const labels: Record<string, number> = {};
  const cond = conditions?.get(key(pp, block));
  if (tasks.includes('stress')) {
    labels.stress = stressLabel(cond, rule.scheme);
    if (cond === undefined)
      say(`readSwell: no condition for participant ${pp} block ${block}: stress unknown`);
  }
  for (const task of ['arousal', 'valence'] as const)
    if (tasks.includes(task))
      labels[task] = scoreLabel(m?.[task] ?? NaN, {
        scheme: rule.scheme,
        threshold: rule[task],
        scaleMin: SWELL_SCALE_MIN,
        where: `participant ${pp} block ${block} ${task}`,
      });
  return labels;
}

/**
 * SWELL-KW reader (Koldijk et al., ICMI 2014; README.md of this folder). Finds the Poly5 recordings
 * `ppN_*_cK[_cont].S00` under `data.root` (recursively) and yields one recording per (participant, block), the
 * `_cont` parts appended in order, participants in order pp1, pp2, ... Channel 7 (ECG; `data.lead` overrides)
 * is streamed block by block through the resampler to `ctx.targetRateHz` (2048 -> 256 Hz), so a 3-hour file
 * never sits in memory at its source rate. Blocks without a `.S00` file are read from the "Mobi signals text"
 * export, `ppN_*_cK[_cont].txt` (one ECG sample per line; {@link readSwellTextChunks}), at `data.samplingRateHz`
 * or SWELL's 2048 Hz, streamed the same way; where both exist the Poly5 original is read (logged once).
 *
 * Labels per (participant, block): `stress` = 1 for T (time pressure) or I (interruptions), 0 for N (with
 * `data.labels.scheme: classes` three classes: N 0, T 1, I 2), from
 * `conditions.csv` / `conditions.xlsx` (participant, block, condition), else from the Condition column of the
 * behavioural sheet (the block number is not the condition); `arousal` / `valence` = the mean of Arousal_rc /
 * Valence_rc over the block's minutes in `Behavioral-features - per minute.xlsx` (or a .csv export), R
 * (relax) minutes excluded, binarised with `data.labels.threshold` (per-subject mean/median over its blocks), or
 * under `classes` the rounded mean's class (1-9 -> 0-8).
 */
export async function* readSwell(source: SwellSource, ctx: ReaderContext): AsyncGenerator<RawRecording> {
  const root = source.root;
  if (!existsSync(root) || !statSync(root).isDirectory())
    throw new UserError(`readSwell: data.root ${root} is not a folder`);
  const say = ctx.log ?? (() => undefined);
  for (const t of source.tasks ?? [...SWELL_TASKS])
    if (!(SWELL_TASKS as readonly string[]).includes(t))
      throw new UserError(
        `readSwell: task "${t}" (data.tasks) is not a SWELL label; available: ${SWELL_TASKS.join(', ')}`,
      );
  const all: string[] = [];
  walk(root, all, 0);
  let groups = findRecordings(root, all, say);
  if (source.subjects)
    groups = groups.filter((g) => source.subjects?.includes(`pp${(g[0] as SwellFile).participant}`));
  if (groups.length === 0)
    throw new UserError(
      `readSwell: no ppN_*_cK.S00 (Poly5) or ppN_*_cK.txt (text export) recordings under ${root}${source.subjects ? ` for data.subjects ${source.subjects.join(', ')}` : ''}`,
    );
  const tables = await readLabelTables(all);
  const tasks = labelledTasks(source, tables, say);
  // The text export stores no rate: data.samplingRateHz, else SWELL's 2048 Hz (METHOD §1).
  const textRateHz = source.samplingRateHz ?? SWELL_TEXT_RATE_HZ;
  const nText = groups.filter((g) => g[0]!.format === 'text').length;
  if (nText > 0)
    say(
      `readSwell: ${nText} recording(s) from the text export, read at ${textRateHz} Hz (${source.samplingRateHz !== undefined ? 'data.samplingRateHz' : "SWELL's rate; set data.samplingRateHz to override"})`,
    );
  ctx.onTotal?.(groups.length);
  let i = 0;
  while (i < groups.length) {
    const pp = (groups[i] as SwellFile[])[0]!.participant;
    const mine: SwellFile[][] = [];
    while (i < groups.length && (groups[i] as SwellFile[])[0]!.participant === pp)
      mine.push(groups[i++] as SwellFile[]);
    // Per-subject thresholds over this participant's blocks.
    const blockMeans = mine.map((g) => tables.means?.get(key(pp, g[0]!.block)));
    const rule: BlockLabelRule = {
      scheme: source.labels.scheme,
      arousal: threshold(
        blockMeans.map((m) => m?.arousal ?? NaN),
        source.labels.threshold,
      ),
      valence: threshold(
        blockMeans.map((m) => m?.valence ?? NaN),
        source.labels.threshold,
      ),
    };
    for (const [j, g] of mine.entries()) {
      const block = g[0]!.block;
      const labels = blockLabels(pp, block, blockMeans[j], rule, tables.conditions, tasks, say);
      yield readBlock(g, { lead: source.lead, textRateHz }, ctx.targetRateHz, `pp${pp}`, `c${block}`, labels);
    }
  }
}

interface BlockLeads {
  /**
   * data.lead as given: the Poly5 channel (index or name; default {@link SWELL_ECG_CHANNEL}), or the column of
   * multi-column text files (unused for one-column files).
   */
  lead: number | string | undefined;
  /** Rate of the text export. */
  textRateHz: number;
}

/**
 * One (participant, block): its parts (all Poly5 or all text), each streamed chunk by chunk through one
 * resampler to `targetRateHz` and concatenated.
 */
function readBlock(
  parts: SwellFile[],
  leads: BlockLeads,
  targetRateHz: number | undefined,
  subject: string,
  recording: string,
  labels: Record<string, number>,
): RawRecording {
  const text = parts[0]!.format === 'text';
  const first = text ? undefined : readPoly5Header(parts[0]!.path);
  const rateHz = first ? first.sampleRateHz : leads.textRateHz;
  const channel = leads.lead ?? SWELL_ECG_CHANNEL;
  const resampler =
    targetRateHz !== undefined && targetRateHz !== rateHz
      ? createResamplerForRates({ sourceRateHz: rateHz, targetRateHz })
      : undefined;
  const out: Float64Array[] = [];
  for (const part of parts) {
    let chunks: Iterable<Float64Array>;
    if (text) chunks = readSwellTextChunks(part.path, leads.lead);
    else {
      const h = part === parts[0] && first ? first : readPoly5Header(part.path);
      if (h.sampleRateHz !== rateHz)
        throw new UserError(
          `readSwell: ${part.path} is at ${h.sampleRateHz} Hz, ${parts[0]!.path} at ${rateHz} Hz`,
        );
      poly5ChannelIndex(h, channel);
      chunks = readPoly5Chunks(part.path, channel);
    }
    appendCheckedChunks(chunks, part.path, out, resampler);
  }
  if (resampler) out.push(resampler.flush());
  return {
    subject,
    recording,
    samples: concatFloat64(out),
    samplingRateHz: resampler ? (targetRateHz as number) : rateHz,
    labels,
    source: parts.map((p) => p.path).join(' + '),
  };
}

/** The registry's handle on this reader. */
export const swellReader: ReaderModule<SwellSource> = { read: readSwell };
