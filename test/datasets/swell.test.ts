import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { dataSourceSchema, preprocessingSchema } from '../../src/config/schema.js';
import { parseSwellName, readSwell } from '../../src/datasets/swell/index.js';
import { prepareSource } from '../../src/datasets/store.js';
import type { RawRecording } from '../../src/datasets/types.js';
import { UserError } from '../../src/errors.js';
import { tmp } from './helpers.js';
import { writePoly5 } from './poly5Writer.js';

const RATE = 2048;
const NAMES = ['ExG1', 'ExG2', 'Bip1', 'Bip2', 'Resp', 'GSR', 'Aux', 'ECG', 'Dig'];

/** 1 Hz "beats" of amplitude `amp` on channel 7; other channels constant. */
function block(seconds: number, amp: number, t0 = 0): Float64Array[] {
  const n = Math.round(seconds * RATE);
  return NAMES.map((_, c) =>
    Float64Array.from({ length: n }, (_, i) =>
      c === 7 ? amp * Math.sin((2 * Math.PI * (i + t0)) / RATE) ** 9 : c,
    ),
  );
}

// Minutes of the behavioural sheet: [PP, Blok, Condition, Valence_rc, Arousal_rc]; R minutes carry extreme
// values that would flip the block means if they were not excluded.
const MINUTES: [string, number, string, number, number][] = [
  ['PP1', 1, 'R', 9, 9],
  ['PP1', 1, 'N', 6, 2],
  ['PP1', 1, 'N', 7, 3],
  ['PP1', 2, 'T', 3, 8],
  ['PP1', 2, 'T', 4, 6],
  ['PP1', 2, 'R', 9, 1],
  ['PP1', 3, 'I', 5, 5],
  ['PP10', 1, 'I', 2, 7],
  ['PP10', 2, 'N', 8, 4],
  ['PP10', 2, 'R', 1, 9],
  ['PP10', 3, 'T', 4, 6],
];
// Block means without R: pp1 c1 V 6.5 A 2.5 (N), c2 V 3.5 A 7 (T), c3 V 5 A 5 (I); pp10 c1 V 2 A 7 (I),
// c2 V 8 A 4 (N), c3 V 4 A 6 (T). Threshold 5 (score > 5): valence 1,0,0 / 0,1,0; arousal 0,1,0 / 1,0,1.

function fakeSwell(opts: { behaviour: 'csv' | 'xlsx'; conditionsCsv: boolean }): Promise<string> {
  const root = tmp('ecgssl-swell-');
  const d10 = join(root, 'pp10');
  mkdirSync(d10);
  writePoly5(join(root, 'pp1_18-9-2012_c1.S00'), { rateHz: RATE, names: NAMES, data: block(11, 100) });
  writePoly5(join(root, 'pp1_18-9-2012_c2.S00'), {
    rateHz: RATE,
    names: NAMES,
    data: block(6, 200),
    samplesPerBlock: 128,
  });
  writePoly5(join(root, 'pp1_18-9-2012_c2_cont.S00'), {
    rateHz: RATE,
    names: NAMES,
    data: block(6, 200, 6 * RATE),
    format: 'int16',
  });
  writePoly5(join(root, 'pp1_18-9-2012_c3.S00'), { rateHz: RATE, names: NAMES, data: block(21, 300) });
  writePoly5(join(d10, 'pp10_8-10-2012-c1.S00'), { rateHz: RATE, names: NAMES, data: block(11, 400) });
  writePoly5(join(d10, 'pp10_8-10-2012-c2.S00'), { rateHz: RATE, names: NAMES, data: block(11, 500) });
  writePoly5(join(d10, 'pp10_8-10-2012-c3.S00'), { rateHz: RATE, names: NAMES, data: block(4, 600) });
  if (opts.conditionsCsv)
    writeFileSync(
      join(root, 'conditions.csv'),
      'participant,block,condition\npp1,1,N\npp1,2,T\npp1,3,I\npp10,1,I\npp10,2,N\npp10,3,T\n',
    );
  const header = ['PP', 'Blok', 'Condition', 'Valence_rc', 'Arousal_rc', 'Stress'];
  if (opts.behaviour === 'csv') {
    const lines = [header.join(','), ...MINUTES.map((m) => [...m, 1].join(','))];
    writeFileSync(join(root, 'Behavioral-features - per minute.csv'), lines.join('\n') + '\n');
    return Promise.resolve(root);
  }
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('per minute');
  ws.addRow(header);
  for (const m of MINUTES) ws.addRow([...m, 1]);
  return wb.xlsx.writeFile(join(root, 'Behavioral-features - per minute.xlsx')).then(() => root);
}

async function collect(
  root: string,
  over: Record<string, unknown> = {},
  logs: string[] = [],
): Promise<RawRecording[]> {
  const source = dataSourceSchema.parse({ kind: 'swell', root, ...over });
  const out: RawRecording[] = [];
  for await (const r of readSwell(source, { targetRateHz: 256, log: (m) => logs.push(m) })) out.push(r);
  return out;
}

const WANT = [
  ['pp1', 'c1', 11 * 256, { stress: 0, arousal: 0, valence: 1 }],
  ['pp1', 'c2', 12 * 256, { stress: 1, arousal: 1, valence: 0 }],
  ['pp1', 'c3', 21 * 256, { stress: 1, arousal: 0, valence: 0 }],
  ['pp10', 'c1', 11 * 256, { stress: 1, arousal: 1, valence: 0 }],
  ['pp10', 'c2', 11 * 256, { stress: 0, arousal: 0, valence: 1 }],
  ['pp10', 'c3', 4 * 256, { stress: 1, arousal: 1, valence: 0 }],
];

test('parseSwellName: irregular names and _cont parts', () => {
  assert.deepEqual(parseSwellName('pp10_8-10-2012-c1.S00'), { participant: 10, block: 1, part: 0 });
  assert.deepEqual(parseSwellName('pp1_18-9-2012_c2_cont.S00'), { participant: 1, block: 2, part: 1 });
  assert.deepEqual(parseSwellName('PP4_c3_cont2.s00'), { participant: 4, block: 3, part: 2 });
  assert.equal(parseSwellName('notes.S00'), undefined);
});

for (const variant of [
  { behaviour: 'csv', conditionsCsv: true },
  { behaviour: 'xlsx', conditionsCsv: false },
] as const) {
  test(`readSwell (${variant.behaviour} behaviour, conditions from ${variant.conditionsCsv ? 'conditions.csv' : 'the sheet'}): blocks, _cont parts, labels, 256 Hz`, async () => {
    const root = await fakeSwell(variant);
    const recs = await collect(root);
    assert.deepEqual(
      recs.map((r) => [r.subject, r.recording, r.samples.length, r.labels]),
      WANT,
    );
    for (const r of recs) assert.equal(r.samplingRateHz, 256);
    // channel 7 amplitude survives resampling (peak of sin^9 beats); the _cont part continues the block
    const peak = (r: RawRecording, a: number, b: number): number =>
      Math.max(...Array.from(r.samples.subarray(a, b)));
    assert.ok(Math.abs(peak(recs[0]!, 256, 2560) - 100) < 3, `${peak(recs[0]!, 256, 2560)}`);
    assert.ok(Math.abs(peak(recs[1]!, 256, 1536) - 200) < 3);
    assert.ok(Math.abs(peak(recs[1]!, 1536 + 256, 3000) - 200) < 3, 'cont part (int16) scaled back to units');
    rmSync(root, { recursive: true, force: true });
  });
}

test('readSwell: subjects, tasks, per-subject median, missing label files and bad tasks', async () => {
  const root = await fakeSwell({ behaviour: 'csv', conditionsCsv: true });
  const recs = await collect(root, {
    subjects: ['pp10'],
    tasks: ['valence'],
    labels: { threshold: 'median' },
  });
  // pp10 valence means 2, 8, 4 -> median 4 -> > 4: 0, 1, 0
  assert.deepEqual(
    recs.map((r) => [r.recording, r.labels]),
    [
      ['c1', { valence: 0 }],
      ['c2', { valence: 1 }],
      ['c3', { valence: 0 }],
    ],
  );
  await assert.rejects(collect(root, { tasks: ['liking'] }), /task "liking" .* not a SWELL label/);
  rmSync(join(root, 'Behavioral-features - per minute.csv'));
  await assert.rejects(
    collect(root, { tasks: ['stress', 'valence'] }),
    (e: unknown) => e instanceof UserError && /task valence needs "Behavioral-features/.test(e.message),
  );
  const logs: string[] = [];
  const stressOnly = await collect(root, {}, logs);
  assert.deepEqual(
    stressOnly.map((r) => r.labels),
    [0, 1, 1, 1, 0, 1].map((stress) => ({ stress })),
  );
  assert.ok(logs.some((l) => /task arousal left out/.test(l)));
  rmSync(join(root, 'conditions.csv'));
  const unlabelled = await collect(root);
  assert.deepEqual(
    unlabelled.map((r) => r.labels),
    Array(6).fill({}),
  );
});

test('prepare on the fake SWELL folder: windows, subjects, label counts', async () => {
  const root = await fakeSwell({ behaviour: 'xlsx', conditionsCsv: true });
  const cache = tmp('ecgssl-swell-cache-');
  const s = await prepareSource(
    dataSourceSchema.parse({ kind: 'swell', root }),
    preprocessingSchema.parse({}),
    cache,
    { progress: false },
  );
  // windows of 2560: 11 s -> 1, 12 s -> 1, 21 s -> 2, 11 s -> 1, 11 s -> 1, 4 s -> skipped
  assert.equal(s.windows, 6);
  assert.equal(s.subjects, 2);
  assert.equal(s.recordings, 5);
  assert.equal(s.skippedRecordings, 1);
  assert.deepEqual(s.labelCounts, {
    stress: { '0': 2, '1': 4 },
    arousal: { '0': 4, '1': 2 },
    valence: { '0': 4, '1': 2 },
  });
});
