// The WESAD reader on a Python 2 style S2.pkl (test/fixtures/wesad/make.py) and on pickles that are not WESAD's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { labelRuns, readWesad, WESAD_CHEST_RATE_HZ } from '../../src/datasets/readers/wesad/index.js';
import { wesadSourceSchema } from '../../src/datasets/readers/wesad/options.js';
import type { RawRecording } from '../../src/datasets/types.js';
import { tmp, prepareCli as prepareWith } from './helpers.js';

const FIXTURE = 'test/fixtures/wesad/data';
interface Run {
  label: number;
  start: number;
  end: number;
}
const expected = JSON.parse(readFileSync('test/fixtures/wesad/expected.json', 'utf8')) as { runs: Run[] };
const NAMES: Record<number, string> = { 1: 'baseline', 2: 'stress', 3: 'amusement', 4: 'meditation' };
const AFFECT: Record<number, number> = { 1: 0, 2: 1, 3: 2 };
const STRESS: Record<number, number> = { 1: 0, 2: 1, 3: 0 };

/** The fixture's ECG at sample i (make.py), label of that sample included. */
function ecgAt(i: number, label: number): number {
  const t = i / 700;
  return Math.sin(2 * Math.PI * 1.2 * t) ** 15 + 0.05 * Math.sin(2 * Math.PI * 0.3 * t) + label * 0.01;
}

/** The defined runs of the fixture with their recording ids (`stress2`: the second stress run). */
function definedRuns(withMeditation = true): (Run & { id: string })[] {
  const seen: Record<number, number> = {};
  return expected.runs
    .filter((r) => r.label >= 1 && r.label <= (withMeditation ? 4 : 3))
    .map((r) => ({ ...r, id: `${NAMES[r.label]}${(seen[r.label] = (seen[r.label] ?? 0) + 1)}` }));
}

async function collect(root: string, over: Record<string, unknown> = {}): Promise<RawRecording[]> {
  const source = wesadSourceSchema.parse({ kind: 'wesad', root, ...over });
  const out: RawRecording[] = [];
  for await (const r of readWesad(source, {})) out.push(r);
  return out;
}

test('labelRuns: maximal runs of one label, only the kept ones, in time order', () => {
  const l = Float64Array.from([0, 1, 1, 2, 2, 2, 0, 4, 1]);
  assert.deepEqual(labelRuns(l, new Set([1, 2, 3])), [
    { label: 1, start: 1, end: 3 },
    { label: 2, start: 3, end: 6 },
    { label: 1, start: 8, end: 9 },
  ]);
  assert.deepEqual(labelRuns(new Float64Array(0), new Set([1])), []);
});

test('readWesad: one recording per run of one condition, chest ECG at 700 Hz, affect and stress classes', async () => {
  const recs = await collect(FIXTURE);
  const runs = definedRuns();
  assert.deepEqual(
    recs.map((r) => r.recording),
    runs.map((r) => r.id),
  );
  assert.ok(
    runs.some((r) => r.id === 'stress2') && runs.some((r) => r.id === 'meditation1'),
    'fixture has both',
  );
  for (const [k, r] of recs.entries()) {
    const run = runs[k]!;
    assert.equal(r.subject, 'S2');
    assert.equal(r.samplingRateHz, WESAD_CHEST_RATE_HZ);
    assert.equal(r.samples.length, run.end - run.start);
    for (const i of [0, r.samples.length - 1])
      assert.ok(Math.abs(r.samples[i]! - ecgAt(run.start + i, run.label)) < 1e-9, `${run.id} sample ${i}`);
    assert.deepEqual(r.labels, {
      affect: AFFECT[run.label] ?? NaN,
      stress: STRESS[run.label] ?? NaN,
    });
  }
  const only = await collect(FIXTURE, { meditation: false, tasks: ['stress'] });
  assert.deepEqual(
    only.map((r) => r.recording),
    definedRuns(false).map((r) => r.id),
  );
  assert.deepEqual(only[0]!.labels, { stress: 0 });
  await assert.rejects(collect(FIXTURE, { tasks: ['valence'] }), /task "valence" .*not a WESAD label/);
  await assert.rejects(collect(FIXTURE, { subjects: ['S3'] }), /no S<k>\/S<k>\.pkl files .* S3/);
});

/** `ecgssl prepare --json` on a wesad folder (64 Hz, 32-sample windows). */
function prepareCli(root: string, dir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return prepareWith(dir, `{ kind: wesad, root: ${root} }`, '{ targetRateHz: 64, windowSamples: 32 }');
}

test('ecgssl prepare --json on WESAD folders: every labelled window per task and class', async () => {
  // Two subjects: S2 as made, S3 a copy (the subject is the file's name).
  const root = tmp('ecgssl-wesad-');
  cpSync(FIXTURE, root, { recursive: true });
  mkdirSync(join(root, 'S3'));
  cpSync(join(root, 'S2', 'S2.pkl'), join(root, 'S3', 'S3.pkl'));
  const dir = tmp('ecgssl-wesad-cli-');
  const r = await prepareCli(root, dir);
  assert.equal(r.code, 0, r.stderr);
  const { sources } = JSON.parse(r.stdout) as {
    sources: { windows: number; subjects: number; labelCounts: Record<string, Record<string, number>> }[];
  };
  const want: Record<string, Record<string, number>> = { affect: {}, stress: {} };
  let windows = 0;
  for (const run of definedRuns()) {
    const k = 2 * Math.floor(Math.ceil(((run.end - run.start) * 64) / 700) / 32);
    if (k === 0) continue;
    windows += k;
    const a = String(AFFECT[run.label] ?? NaN);
    const s = String(STRESS[run.label] ?? NaN);
    want.affect![a] = (want.affect![a] ?? 0) + k;
    want.stress![s] = (want.stress![s] ?? 0) + k;
  }
  assert.equal(sources[0]!.subjects, 2);
  assert.equal(sources[0]!.windows, windows);
  assert.deepEqual(sources[0]!.labelCounts, want);
  assert.ok((want.affect!['0'] ?? 0) > 0 && (want.affect!['1'] ?? 0) > 0 && (want.affect!['2'] ?? 0) > 0);
  assert.ok((want.stress!.NaN ?? 0) > 0, 'meditation windows are unlabelled');
});

test("a pickle that is not WESAD's: one line naming the file and the field, exit 1, nothing left in the cache", async () => {
  const cases: [string, RegExp][] = [
    // {'signal': {'wrist': {}}, 'label': None}: no chest
    [
      '\x80\x02}q\x00(U\x06signalq\x01}q\x02U\x05wristq\x03}q\x04sU\x05labelq\x05Nu.',
      /no field signal\.chest \(fields: wrist\)/,
    ],
    // {'signal': {'chest': {'ECG': 'abc'}}}: not an array
    ['\x80\x02}U\x06signal}U\x05chest}U\x03ECGU\x03abcsss.', /signal\.chest\.ECG is not a numpy array/],
    // a pickled call of os.system
    ['\x80\x02cos\nsystem\nU\x05touch\x85R.', /global os\.system is not allowed/],
    // cut short
    ['\x80\x02}q\x00(U\x06signal', /ends without STOP/],
  ];
  for (const [bytes, re] of cases) {
    const root = tmp('ecgssl-wesad-bad-');
    mkdirSync(join(root, 'S2'));
    const file = join(root, 'S2', 'S2.pkl');
    writeFileSync(file, Buffer.from(bytes, 'latin1'));
    const dir = tmp('ecgssl-wesad-bad-cli-');
    const r = await prepareCli(root, dir);
    assert.equal(r.code, 1, re.source);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
    assert.ok(r.stderr.includes(file), r.stderr);
    assert.match(r.stderr, re);
    assert.deepEqual(readdirSync(join(dir, 'cache')), [], 'no partial store');
  }
});
