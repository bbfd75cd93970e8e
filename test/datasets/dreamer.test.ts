// The DREAMER reader on DREAMER.mat files the test writes in the release's layout (MAT v5, nested structs in cells).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { readDreamer } from '../../src/datasets/readers/dreamer/index.js';
import { dreamerSourceSchema } from '../../src/datasets/readers/dreamer/options.js';
import type { RawRecording } from '../../src/datasets/types.js';
import { matBytes, type MatSeedValue } from '../../src/fuzz/corpus.js';
import { tmp, prepareCli as prepareWith } from './helpers.js';

const RATE = 256;
/** Per subject: stimulus clip lengths (s) and scores [arousal, valence, dominance] per clip; baselines 1.5 s. */
const SUBJECTS = [
  {
    stim: [2.6, 1.1, 0.5],
    scores: [
      [4, 2, 3],
      [1, 5, 4],
      [3, 3, 5],
    ],
  },
  {
    stim: [3.2, 2.1, 1.4],
    scores: [
      [5, 4, 1],
      [2, 1, 2],
      [4, 4, 4],
    ],
  },
];
const BASE_S = 1.5;
const TASKS = ['arousal', 'valence', 'dominance'] as const;

/** An N x 2 ECG clip: lead 0 around +1, lead 1 around -1 (so the lead is checkable), then a subject/clip tag. */
function clip(seconds: number, tag: number): MatSeedValue {
  const n = Math.round(seconds * RATE);
  const data = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    const beat = Math.sin((2 * Math.PI * 1.1 * i) / RATE) ** 15;
    data[i] = 1 + beat + tag / 1000;
    data[n + i] = -1 + beat + tag / 1000;
  }
  return { kind: 'double', rows: n, cols: 2, data };
}

const col = (xs: number[]): MatSeedValue => ({
  kind: 'double',
  rows: xs.length,
  cols: 1,
  data: Float64Array.from(xs),
});
const scalar = (x: number): MatSeedValue => col([x]);

/** The bytes of a DREAMER.mat shaped like the release (EEG clips 14 columns, 128 Hz, skipped by the reader). */
function dreamerMat(compress: boolean): Uint8Array {
  const data: MatSeedValue[] = SUBJECTS.map((s, i) => {
    const clips = (secs: number[], base: number): MatSeedValue => ({
      kind: 'cell',
      column: true,
      items: secs.map((sec, j) => clip(sec, base + 10 * i + j)),
    });
    const eeg = (secs: number[]): MatSeedValue => ({
      kind: 'cell',
      column: true,
      items: secs.map((sec) => ({
        kind: 'double',
        rows: Math.round(sec * 128),
        cols: 14,
        data: new Float64Array(Math.round(sec * 128) * 14).fill(4200),
      })),
    });
    return {
      kind: 'struct',
      fields: {
        Age: scalar(22 + i),
        Gender: { kind: 'char', text: i === 0 ? 'male' : 'female' },
        EEG: { kind: 'struct', fields: { baseline: eeg(s.stim.map(() => BASE_S)), stimuli: eeg(s.stim) } },
        ECG: {
          kind: 'struct',
          fields: {
            baseline: clips(
              s.stim.map(() => BASE_S),
              100,
            ),
            stimuli: clips(s.stim, 0),
          },
        },
        ScoreValence: col(s.scores.map((x) => x[1]!)),
        ScoreArousal: col(s.scores.map((x) => x[0]!)),
        ScoreDominance: col(s.scores.map((x) => x[2]!)),
      },
    };
  });
  const dreamer: MatSeedValue = {
    kind: 'struct',
    fields: {
      Data: { kind: 'cell', items: data },
      EEG_SamplingRate: scalar(128),
      ECG_SamplingRate: scalar(RATE),
      EEG_Electrodes: { kind: 'cell', items: [{ kind: 'char', text: 'AF3' }] },
      noOfSubjects: scalar(SUBJECTS.length),
      noOfVideoSequences: scalar(3),
      Disclaimer: { kind: 'char', text: 'test file' },
    },
  };
  return matBytes({ DREAMER: dreamer }, compress ? (raw) => new Uint8Array(deflateSync(raw)) : undefined);
}

function dreamerFolder(compress: boolean, bytes?: Uint8Array): string {
  const root = tmp('ecgssl-dreamer-');
  writeFileSync(join(root, 'DREAMER.mat'), bytes ?? dreamerMat(compress));
  return root;
}

async function collect(root: string, over: Record<string, unknown> = {}): Promise<RawRecording[]> {
  const source = dreamerSourceSchema.parse({ kind: 'dreamer', root, ...over });
  const out: RawRecording[] = [];
  for await (const r of readDreamer(source, {})) out.push(r);
  return out;
}

test('readDreamer: baseline and stimulus clips per subject, lead 0 at 256 Hz, scores > 3 = 1, baselines NaN', async () => {
  for (const compress of [false, true]) {
    const recs = await collect(dreamerFolder(compress));
    assert.equal(recs.length, 2 * 3 * 2, `compress ${compress}`);
    assert.deepEqual(
      recs.slice(0, 6).map((r) => `${r.subject}/${r.recording}`),
      [
        'S01/baseline01',
        'S01/stimulus01',
        'S01/baseline02',
        'S01/stimulus02',
        'S01/baseline03',
        'S01/stimulus03',
      ],
    );
    for (const [i, s] of SUBJECTS.entries()) {
      const mine = recs.filter((r) => r.subject === `S0${i + 1}`);
      s.stim.forEach((sec, j) => {
        const stim = mine.find((r) => r.recording === `stimulus0${j + 1}`)!;
        const base = mine.find((r) => r.recording === `baseline0${j + 1}`)!;
        assert.equal(stim.samples.length, Math.round(sec * RATE));
        assert.equal(base.samples.length, Math.round(BASE_S * RATE));
        assert.equal(stim.samplingRateHz, RATE);
        assert.ok(Math.abs(stim.samples[0]! - (1 + (10 * i + j) / 1000)) < 1e-12, 'lead 0, this clip');
        assert.ok(Math.abs(base.samples[0]! - (1 + (100 + 10 * i + j) / 1000)) < 1e-12, 'the baseline clip');
        TASKS.forEach((t, k) =>
          assert.equal(stim.labels[t], s.scores[j]![k]! > 3 ? 1 : 0, `${t} S0${i + 1} ${j}`),
        );
        for (const t of TASKS) assert.ok(Number.isNaN(base.labels[t]), 'baselines are unlabelled');
      });
    }
  }
  const right = await collect(dreamerFolder(false), {
    lead: 1,
    baselines: false,
    tasks: ['valence'],
    subjects: ['S02'],
  });
  assert.deepEqual(
    right.map((r) => r.recording),
    ['stimulus01', 'stimulus02', 'stimulus03'],
  );
  assert.ok(Math.abs(right[0]!.samples[0]! - (-1 + 10 / 1000)) < 1e-12, 'lead 1');
  assert.deepEqual(right[0]!.labels, { valence: 1 });
  const med = await collect(dreamerFolder(false), {
    labels: { threshold: 'median' },
    baselines: false,
    subjects: ['S01'],
  });
  // S01 arousal scores 4, 1, 3: median 3 -> 1, 0, 0
  assert.deepEqual(
    med.map((r) => r.labels.arousal),
    [1, 0, 0],
  );
  // data.labels.scheme classes: each score its own class, score 1 = class 0 (S01 arousal 4, 1, 3)
  const classes = await collect(dreamerFolder(false), {
    labels: { threshold: 3, scheme: 'classes' },
    baselines: false,
    subjects: ['S01'],
  });
  assert.deepEqual(
    classes.map((r) => r.labels.arousal),
    [3, 0, 2],
  );
  await assert.rejects(
    collect(dreamerFolder(false), { lead: 2 }),
    /readDreamer: data\.lead 2 does not exist/,
  );
  await assert.rejects(
    collect(dreamerFolder(false), { tasks: ['liking'] }),
    /task "liking" .*not a DREAMER label/,
  );
  await assert.rejects(collect(tmp('ecgssl-dreamer-empty-')), /no DREAMER\.mat under/);
});

/** Expected windows of `seconds` at 256 Hz resampled to 64 Hz in windows of 64 samples (1 s). */
const windowsOf = (seconds: number): number =>
  Math.floor(Math.ceil((Math.round(seconds * RATE) * 64) / RATE) / 64);

/** `ecgssl prepare --json` on a dreamer folder (64 Hz, 64-sample windows). */
function prepareCli(root: string, dir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return prepareWith(dir, `{ kind: dreamer, root: ${root} }`, '{ targetRateHz: 64, windowSamples: 64 }');
}

test('ecgssl prepare --json on a DREAMER.mat: every labelled window per task and class, baselines unlabelled', async () => {
  const dir = tmp('ecgssl-dreamer-cli-');
  const r = await prepareCli(dreamerFolder(true), dir);
  assert.equal(r.code, 0, r.stderr);
  const { sources } = JSON.parse(r.stdout) as {
    sources: { windows: number; subjects: number; labelCounts: Record<string, Record<string, number>> }[];
  };
  const want: Record<string, Record<string, number>> = {};
  let windows = 0;
  for (const s of SUBJECTS)
    s.stim.forEach((sec, j) => {
      const k = windowsOf(sec);
      const b = windowsOf(BASE_S);
      windows += k + b;
      TASKS.forEach((t, ti) => {
        const w = (want[t] ??= {});
        if (k > 0) w[s.scores[j]![ti]! > 3 ? '1' : '0'] = (w[s.scores[j]![ti]! > 3 ? '1' : '0'] ?? 0) + k;
        w.NaN = (w.NaN ?? 0) + b;
      });
    });
  assert.equal(sources[0]!.subjects, 2);
  assert.equal(sources[0]!.windows, windows);
  assert.deepEqual(sources[0]!.labelCounts, want);
});

test('a truncated DREAMER.mat: one line naming the file and the variable, exit 1, nothing left in the cache', async () => {
  for (const compress of [false, true]) {
    const whole = dreamerMat(compress);
    const root = dreamerFolder(compress, whole.subarray(0, Math.floor(whole.length * 0.6)));
    const dir = tmp('ecgssl-dreamer-cut-');
    const r = await prepareCli(root, dir);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`${join(root, 'DREAMER.mat')}.*truncated.*variable "DREAMER"`));
    assert.deepEqual(readdirSync(join(dir, 'cache')), [], 'no partial store');
  }
});

test('a DREAMER.mat without a score field: the error names the file and the field', async () => {
  const bytes = Buffer.from(dreamerMat(false));
  // Rename the field names of the subjects' structs: ScoreArousal -> ScoreArousaX (same length).
  for (let i = bytes.indexOf('ScoreArousal'); i >= 0; i = bytes.indexOf('ScoreArousal', i + 1))
    bytes.write('ScoreArousaX', i, 'latin1');
  const root = dreamerFolder(false, bytes);
  await assert.rejects(
    collect(root, { tasks: ['arousal'] }),
    new RegExp(`readDreamer: ${join(root, 'DREAMER.mat')}: DREAMER\\.Data\\{1\\} has no field ScoreArousal`),
  );
  assert.equal((await collect(root, { tasks: ['valence'] })).length, 12, 'the other tasks still read');
});

test('readMat skipFields: the EEG structs are left out unparsed, everything else is read', async () => {
  const { readMat } = await import('../../src/datasets/formats/mat/index.js');
  const file = join(dreamerFolder(true), 'DREAMER.mat');
  const subject = async (skipFields?: string[]) => {
    const v = (await readMat(file, { variables: ['DREAMER'], ...(skipFields ? { skipFields } : {}) }))
      .DREAMER!;
    assert.equal(v.kind, 'struct');
    const data = v.kind === 'struct' ? v.elements[0]!.Data! : undefined;
    assert.equal(data?.kind, 'cell');
    const s = data?.kind === 'cell' ? data.cells[0]! : undefined;
    return s?.kind === 'struct' ? s.elements[0]! : {};
  };
  assert.deepEqual(Object.keys(await subject(['EEG'])).sort(), [
    'Age',
    'ECG',
    'Gender',
    'ScoreArousal',
    'ScoreDominance',
    'ScoreValence',
  ]);
  assert.ok('EEG' in (await subject()));
});
