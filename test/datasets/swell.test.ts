import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { preprocessingSchema } from '../../src/config/schema.js';
import { swellSourceSchema } from '../../src/datasets/readers/swell/options.js';
import { parseSwellName, readSwell } from '../../src/datasets/readers/swell/index.js';
import { prepareSource } from '../../src/datasets/prepareSource.js';
import { openWindowStore } from '../../src/datasets/store.js';
import type { RawRecording } from '../../src/datasets/types.js';
import { UserError } from '../../src/errors.js';
import { maxAbsDiff } from '../signal/helpers.js';
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
  const source = swellSourceSchema.parse({ kind: 'swell', root, ...over });
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
  assert.deepEqual(parseSwellName('pp1_18-9-2012_c2_cont.txt', 'txt'), { participant: 1, block: 2, part: 1 });
  assert.equal(parseSwellName('pp1_18-9-2012_c2.txt'), undefined);
  assert.equal(parseSwellName('pp1_18-9-2012_c2.S00', 'txt'), undefined);
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
    swellSourceSchema.parse({ kind: 'swell', root }),
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

// ---- The "Mobi signals text" export: one ECG sample per line, 2048 Hz ----

const MOBI = join('0 - Raw data', 'D - Physiology - raw data', 'Mobi signals text');

/** The recordings of {@link fakeSwell}: [file stem, seconds, amplitude, t0 (samples)]. */
const TWIN: [string, number, number, number][] = [
  ['pp1_18-9-2012_c1', 11, 100, 0],
  ['pp1_18-9-2012_c2', 6, 200, 0],
  ['pp1_18-9-2012_c2_cont', 6, 200, 6 * RATE],
  ['pp1_18-9-2012_c3', 21, 300, 0],
  ['pp10_8-10-2012-c1', 11, 400, 0],
  ['pp10_8-10-2012-c2', 11, 500, 0],
  ['pp10_8-10-2012-c3', 4, 600, 0],
];

/** Channel 7 of {@link block} rounded to float32 (what a float32 Poly5 file holds), plus 0.25 for a DC offset. */
function ecgOf(seconds: number, amp: number, t0: number): Float64Array {
  return (block(seconds, amp, t0)[7] as Float64Array).map((v) => Math.fround(v + 0.25));
}

function textOf(x: Float64Array, newline = '\n'): string {
  return Array.from(x, String).join(newline) + newline;
}

/**
 * The same signals as a float32 Poly5 folder or as a text export (in the dataset's `Mobi signals text` folder;
 * one file with CRLF and blank lines), with conditions.csv and the behavioural CSV.
 */
function twinSwell(format: 'poly5' | 'text', root = tmp('ecgssl-swell-twin-')): string {
  const dir = format === 'text' ? join(root, MOBI) : root;
  mkdirSync(dir, { recursive: true });
  for (const [stem, seconds, amp, t0] of TWIN) {
    const ecg = ecgOf(seconds, amp, t0);
    if (format === 'poly5') {
      const data = NAMES.map((_, c) => (c === 7 ? ecg : new Float64Array(ecg.length).fill(c)));
      writePoly5(join(dir, `${stem}.S00`), { rateHz: RATE, names: NAMES, data });
    } else if (stem.endsWith('_c3'))
      writeFileSync(
        join(dir, `${stem}.txt`),
        '\r\n' + textOf(ecg, '\r\n').replace('\r\n', '\r\n\r\n') + '\r\n',
      );
    else writeFileSync(join(dir, `${stem}.txt`), textOf(ecg));
  }
  writeFileSync(
    join(root, 'conditions.csv'),
    'participant,block,condition\npp1,1,N\npp1,2,T\npp1,3,I\npp10,1,I\npp10,2,N\npp10,3,T\n',
  );
  const header = ['PP', 'Blok', 'Condition', 'Valence_rc', 'Arousal_rc'];
  writeFileSync(
    join(root, 'Behavioral-features - per minute.csv'),
    [header.join(','), ...MINUTES.map((m) => m.join(','))].join('\n') + '\n',
  );
  return root;
}

test('readSwell text export: the same recordings, labels and 256 Hz samples as the Poly5 originals', async () => {
  const poly5 = twinSwell('poly5');
  const text = twinSwell('text');
  const logs: string[] = [];
  const a = await collect(poly5);
  const b = await collect(text, {}, logs);
  assert.deepEqual(
    b.map((r) => [r.subject, r.recording, r.samples.length, r.labels]),
    WANT,
  );
  assert.deepEqual(
    b.map((r) => [r.subject, r.recording, r.samples.length, r.labels, r.samplingRateHz]),
    a.map((r) => [r.subject, r.recording, r.samples.length, r.labels, r.samplingRateHz]),
  );
  for (const [i, r] of b.entries()) {
    assert.ok(maxAbsDiff(r.samples, a[i]!.samples) < 1e-9, `${r.subject} ${r.recording}`);
    assert.match(r.source, /Mobi signals text/);
  }
  assert.match(b[1]!.source, /_c2\.txt \+ .*_c2_cont\.txt$/, 'the _cont part appended');
  assert.ok(Math.abs(Math.max(...Array.from(b[0]!.samples.subarray(256, 2560))) - 100.25) < 3);
  assert.equal(logs.filter((l) => /text export, read at 2048 Hz/.test(l)).length, 1, logs.join('\n'));

  // Prepared stores: the same windows, subjects and labels.
  const cache = tmp('ecgssl-swell-twin-cache-');
  const pre = preprocessingSchema.parse({});
  const sa = await prepareSource(swellSourceSchema.parse({ kind: 'swell', root: poly5 }), pre, cache, {
    progress: false,
  });
  const sb = await prepareSource(swellSourceSchema.parse({ kind: 'swell', root: text }), pre, cache, {
    progress: false,
  });
  assert.notEqual(sa.hash, sb.hash);
  assert.equal(sb.windows, 6);
  for (const k of ['windows', 'subjects', 'recordings', 'skippedRecordings', 'labelCounts'] as const)
    assert.deepEqual(sb[k], sa[k], k);
  const wa = openWindowStore(sa.storeDir);
  const wb = openWindowStore(sb.storeDir);
  const all = wa.entries.map((_, i) => i);
  assert.deepEqual(
    wb.entries.map((e) => [e.subject, e.recording, e.window, e.labels]),
    wa.entries.map((e) => [e.subject, e.recording, e.window, e.labels]),
  );
  assert.ok(maxAbsDiff(wb.read(all), wa.read(all)) < 1e-5);
  wa.close();
  wb.close();
  rmSync(poly5, { recursive: true, force: true });
  rmSync(text, { recursive: true, force: true });
  rmSync(cache, { recursive: true, force: true });
});

test('readSwell text export: Poly5 wins per block, data.samplingRateHz, files outside Mobi signals text', async () => {
  const root = twinSwell('poly5');
  const want = await collect(root);
  twinSwell('text', root);
  // A text recording that would change the result if it were read instead of its .S00.
  writeFileSync(join(root, MOBI, 'pp10_8-10-2012-c2.txt'), textOf(ecgOf(11, 9000, 0)));
  rmSync(join(root, 'pp10_8-10-2012-c3.S00'));
  const logs: string[] = [];
  const got = await collect(root, {}, logs);
  assert.deepEqual(
    got.map((r) => [r.subject, r.recording, r.samples.length, r.labels]),
    WANT,
  );
  for (const [i, r] of got.entries()) assert.ok(maxAbsDiff(r.samples, want[i]!.samples) < 1e-9);
  assert.match(
    got[5]!.source,
    /pp10_8-10-2012-c3\.txt$/,
    'the block without .S00 comes from the text export',
  );
  assert.match(got[4]!.source, /\.S00$/);
  assert.equal(
    logs.filter((l) => /5 participant\/block\(s\) have both .* \.txt files are ignored/.test(l)).length,
    1,
  );
  assert.equal(
    logs.filter((l) => /1 recording\(s\) from the text export, read at 2048 Hz/.test(l)).length,
    1,
  );

  // Text files named like recordings outside the Mobi folder (another modality) are left out, with a log.
  writeFileSync(join(root, 'pp1_18-9-2012_c9.txt'), 'Time\tAU01\n');
  const logs2: string[] = [];
  assert.equal((await collect(root, {}, logs2)).length, 6);
  assert.ok(
    logs2.some((l) => /1 ppN_\.\.\._cK\.txt files outside the "Mobi signals text" folder ignored/.test(l)),
  );

  // The text export has no rate of its own: data.samplingRateHz (here 1024 Hz) replaces 2048.
  const text = twinSwell('text');
  const logs3: string[] = [];
  const slow = await collect(text, { samplingRateHz: 1024, subjects: ['pp10'] }, logs3);
  assert.deepEqual(
    slow.map((r) => r.samples.length),
    [22 * 256, 22 * 256, 8 * 256],
  );
  assert.ok(logs3.some((l) => /read at 1024 Hz \(data\.samplingRateHz\)/.test(l)));
  rmSync(root, { recursive: true, force: true });
  rmSync(text, { recursive: true, force: true });
});

test('readSwell text export: bad lines, non-finite values and several columns', async () => {
  const root = tmp('ecgssl-swell-bad-');
  const f = join(root, 'pp1_1-1-2012_c1.txt');
  const ecg = ecgOf(11, 100, 0);
  const lines = textOf(ecg).split('\n');
  const withLine = (k: number, s: string): string => [...lines.slice(0, k), s, ...lines.slice(k)].join('\n');
  const rejects = async (content: string, re: RegExp, over: Record<string, unknown> = {}): Promise<void> => {
    writeFileSync(f, content);
    await assert.rejects(
      collect(root, over),
      (e: unknown) => e instanceof UserError && re.test(e.message) && !/\n/.test(e.message),
    );
  };
  await rejects(withLine(6, '1.5x'), /pp1_1-1-2012_c1\.txt line 7: "1\.5x" is not a number/);
  await rejects(withLine(0, 'ecg'), /pp1_1-1-2012_c1\.txt line 1: "ecg" is not a number/);
  await rejects(withLine(2, 'NaN'), /c1\.txt line 3: non-finite value "NaN"/);
  await rejects(withLine(9, '1e999'), /c1\.txt line 10: non-finite value "1e999"/);
  await rejects(withLine(4, '0x10'), /c1\.txt line 5: "0x10" is not a number/);
  await rejects(withLine(5, '1\t2'), /c1\.txt line 6: 2 columns, line 1 has 1/);
  await rejects('1'.repeat(5000) + '\n', /c1\.txt line 1: longer than 4096 characters/);

  // Several columns (time, ECG, other): data.lead picks the column; without it, an error naming the file.
  const three = Array.from(ecg, (v, i) => `${(i / RATE).toFixed(6)}\t${v}\t${i % 7}`).join('\n') + '\n';
  writeFileSync(join(root, 'conditions.csv'), 'participant,block,condition\npp1,1,T\n');
  await rejects(three, /c1\.txt line 1 has 3 columns: set data\.lead/);
  await rejects(three, /c1\.txt line 1 has 3 columns; data\.lead 3 does not exist/, { lead: 3 });
  await rejects(three, /c1\.txt has 3 unnamed columns: data\.lead "ECG" must be/, { lead: 'ECG' });
  const ragged = three.split('\n');
  ragged[1] = '0.5, 2';
  await rejects(ragged.join('\n'), /c1\.txt line 2: 2 columns, line 1 has 3/, { lead: 1 });
  writeFileSync(f, three);
  const [viaLead] = await collect(root, { lead: 1 });
  writeFileSync(f, textOf(ecg));
  const [single] = await collect(root, { lead: 7 }); // one column: data.lead (a Poly5 channel) is not used
  assert.ok(viaLead && single);
  assert.deepEqual(viaLead.labels, { stress: 1 });
  assert.equal(viaLead.samples.length, 11 * 256);
  assert.ok(maxAbsDiff(viaLead.samples, single.samples) < 1e-12);
  writeFileSync(f, three.replace(/\t/g, ','));
  const [commas] = await collect(root, { lead: '1' });
  assert.ok(commas && maxAbsDiff(commas.samples, single.samples) < 1e-12);
  rmSync(root, { recursive: true, force: true });
});

test('readSwell with data.labels.scheme classes: stress N / T / I = 0 / 1 / 2, SAM means by rounded score', async () => {
  const root = await fakeSwell({ behaviour: 'csv', conditionsCsv: true });
  const recs = await collect(root, { labels: { scheme: 'classes' } });
  // Conditions pp1 N T I, pp10 I N T; means (R minutes excluded) rounded half to even, minus 1 (SAM 1-9 -> 0-8):
  // arousal 2.5 7 5 / 7 4 6 -> 1 6 4 / 6 3 5; valence 6.5 3.5 5 / 2 8 4 -> 5 3 4 / 1 7 3.
  assert.deepEqual(
    recs.map((r) => [r.subject, r.recording, r.labels]),
    [
      ['pp1', 'c1', { stress: 0, arousal: 1, valence: 5 }],
      ['pp1', 'c2', { stress: 1, arousal: 6, valence: 3 }],
      ['pp1', 'c3', { stress: 2, arousal: 4, valence: 4 }],
      ['pp10', 'c1', { stress: 2, arousal: 6, valence: 1 }],
      ['pp10', 'c2', { stress: 0, arousal: 3, valence: 7 }],
      ['pp10', 'c3', { stress: 1, arousal: 5, valence: 3 }],
    ],
  );
  const store = await prepareSource(
    swellSourceSchema.parse({ kind: 'swell', root, tasks: ['stress'], labels: { scheme: 'classes' } }),
    preprocessingSchema.parse({}),
    join(root, 'cache'),
    { progress: false },
  );
  assert.deepEqual(Object.keys(store.labelCounts.stress!).sort(), ['0', '1', '2']);
  const s = openWindowStore(store.storeDir);
  assert.deepEqual(s.tasks, { stress: 3 });
  s.close();
  rmSync(root, { recursive: true, force: true });
});
