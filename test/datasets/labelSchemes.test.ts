// data.labels.scheme: threshold (binary) or classes (one class per rounded score), readers and a 3-class run.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { amigosSourceSchema } from '../../src/datasets/readers/amigos/options.js';
import { readAmigos } from '../../src/datasets/readers/amigos/index.js';
import { readLabelsCsv } from '../../src/datasets/readers/generic/labels.js';
import { writeNpy } from '../../src/datasets/formats/npy.js';
import { roundHalfEven, scoreLabel } from '../../src/datasets/labels/scoreLabel.js';
import type { RawRecording } from '../../src/datasets/types.js';
import { UserError } from '../../src/errors.js';
import { cli } from '../helpers/cli.js';
import { tmp } from './helpers.js';

test('roundHalfEven is NumPy round; scoreLabel under threshold and classes', () => {
  assert.deepEqual(
    [0.5, 1.5, 2.5, 4.5, 5.5, 4.49, 4.51, -1.5, 7].map(roundHalfEven),
    [0, 2, 2, 4, 6, 4, 5, -2, 7],
  );
  const rule = { threshold: 5, scaleMin: 1, where: 'f' };
  assert.deepEqual(
    [1, 5, 5.01, 9, NaN].map((s) => scoreLabel(s, { ...rule, scheme: 'threshold' })),
    [0, 0, 1, 1, NaN],
  );
  assert.deepEqual(
    [1, 1.49, 4.5, 5.5, 9, NaN].map((s) => scoreLabel(s, { ...rule, scheme: 'classes' })),
    [0, 0, 3, 5, 8, NaN],
  );
  assert.throws(
    () => scoreLabel(0.2, { ...rule, scheme: 'classes', where: 'x.mat arousal' }),
    (e: unknown) =>
      e instanceof UserError &&
      /x\.mat arousal: score 0\.2 is below the scale's lowest score 1/.test(e.message),
  );
});

test('readLabelsCsv scheme classes: numeric columns by rounded value from the lowest; binary and text unchanged', () => {
  const p = join(tmp(), 'labels.csv');
  writeFileSync(p, 'subject,recording,score,bin,cat\ns,a,2.5,0,x\ns,b,7.2,1,y\ns,c,3.5,,x\ns,d,,1,z\n');
  const t = readLabelsCsv(p, 5);
  assert.deepEqual(
    t.rows.map((r) => r.labels.score),
    [0, 1, 0, NaN],
  );
  const c = readLabelsCsv(p, 5, { scheme: 'classes' });
  // rounded 2, 7, 4 -> minus the lowest (2): 0, 5, 2
  assert.deepEqual(
    c.rows.map((r) => [r.labels.score, r.labels.bin, r.labels.cat]),
    [
      [0, 0, 0],
      [5, 1, 1],
      [2, NaN, 0],
      [NaN, 1, 2],
    ],
  );
  assert.deepEqual(
    c.columns.map((col) => [col.task, col.rule, col.classes]),
    [
      ['score', 'classes', 6],
      ['bin', 'binary', 2],
      ['cat', 'categorical', 3],
    ],
  );
  writeFileSync(p, 'subject,recording,score\ns,a,1\ns,b,5000\n');
  assert.equal(readLabelsCsv(p, 5).rows[1]!.labels.score, 1);
  assert.throws(
    () => readLabelsCsv(p, 5, { scheme: 'classes' }),
    /labels\.csv: column "score" spans 1\.\.5000, more than 1000 classes under data\.labels\.scheme: classes/,
  );
});

test('readAmigos with data.labels.scheme classes: each rounded score its own class (1-9 -> 0-8)', async () => {
  const expected = JSON.parse(readFileSync('test/fixtures/amigos/expected.json', 'utf8')) as Record<
    string,
    { scores: number[] | null; seconds: number }[]
  >;
  const source = amigosSourceSchema.parse({
    kind: 'amigos',
    root: 'test/fixtures/amigos/data',
    subjects: ['P01'],
    labels: { scheme: 'classes' },
  });
  const recs: RawRecording[] = [];
  for await (const r of readAmigos(source, {})) recs.push(r);
  const want = expected
    .P01!.filter((t) => t.seconds > 0)
    .map((t) => [roundHalfEven(t.scores![0]!) - 1, roundHalfEven(t.scores![1]!) - 1]);
  assert.deepEqual(
    recs.map((r) => [r.labels.arousal, r.labels.valence]),
    want,
  );
  assert.ok(
    recs.some((r) => r.labels.arousal! > 1),
    'more than two classes',
  );
});

test('an unknown data.labels.scheme: one line naming the field, exit 1', async () => {
  const dir = tmp('ecgssl-scheme-');
  writeFileSync(
    join(dir, 'c.yaml'),
    `data: { kind: swell, root: ${dir}, labels: { scheme: ordinal } }\noutput: { root: ${dir}/r, cacheDir: ${dir}/c }\n`,
  );
  const r = await cli('prepare', '--config', join(dir, 'c.yaml'), '--quiet');
  assert.equal(r.code, 1);
  const lines = r.stderr.trimEnd().split('\n');
  const bad = lines.filter((l) => /data\.labels\.scheme/.test(l));
  assert.equal(bad.length, 1, r.stderr);
  assert.match(bad[0]!, /c\.yaml:1:\d+ data\.labels\.scheme: .*"threshold".*"classes"/);
});

test('a 3-class task (scheme classes) trains and is reported: head of 3 outputs, 3 x 3 confusion', async () => {
  const dir = tmp('ecgssl-3class-');
  const root = join(dir, 'data');
  const rows = ['subject,recording,samplingRateHz,score'];
  const scores = [1.4, 2.5, 3];
  for (let s = 0; s < 3; s++)
    for (let k = 0; k < 3; k++) {
      // Each class its own beat rate, so the classes are learnable.
      const hz = 1 + 0.5 * k + 0.05 * s;
      const x = Float32Array.from({ length: 8 * 64 }, (_, i) => Math.sin((2 * Math.PI * hz * i) / 64) ** 15);
      const { mkdirSync } = await import('node:fs');
      mkdirSync(join(root, `s${s}`), { recursive: true });
      writeNpy(join(root, `s${s}`, `r${k}.npy`), x, [x.length]);
      rows.push(`s${s},s${s}/r${k},64,${scores[k]}`);
    }
  writeFileSync(join(root, 'labels.csv'), rows.join('\n') + '\n');
  writeFileSync(
    join(dir, 'c.yaml'),
    `experiment: three
data: { kind: generic, root: ${root}, labels: { scheme: classes } }
preprocessing: { targetRateHz: 64, windowSamples: 64 }
transformations: { permute: { segments: 8 } }
model: { filters: [4, 8, 8], kernelSizes: [8, 4, 4], headUnits: 8 }
pretrain: { scope: all, epochs: 1, batchWindows: 16, heldOutFraction: 0 }
finetune: { epochs: 3, batchSize: 16, units: 16, layers: 1, baselineEpochs: 1 }
evaluation: { folds: 3, labelFractions: ['50%'], arms: [ssl, baseline] }
engine: { backend: cpu }
output: { root: ${join(dir, 'results')}, cacheDir: ${join(dir, 'cache')} }
`,
  );
  const prep = await cli('prepare', '--config', join(dir, 'c.yaml'), '--json', '--quiet');
  assert.equal(prep.code, 0, prep.stderr);
  const counts = (JSON.parse(prep.stdout) as { sources: { labelCounts: Record<string, unknown> }[] })
    .sources[0]!.labelCounts;
  assert.deepEqual(counts, { score: { '0': 24, '1': 24, '2': 24 } }); // 1.4 -> 1, 2.5 -> 2, 3 -> 3
  const r = await cli('run', '--config', join(dir, 'c.yaml'), '--quiet');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^score\s+ssl\s+acc \d\.\d{3} \+- \d\.\d{3} {2}F1 \d\.\d{3} .*\(n=3\)$/m);
  assert.match(r.stdout, /^score\s+baseline\s+acc .*\(n=3\) \[50% labels\]$/m);
  const runDir = /run directory (.*)$/m.exec(r.stdout)![1]!;
  const folds = JSON.parse(readFileSync(join(runDir, 'folds.json'), 'utf8')) as {
    folds: { arm: string; confusion?: number[][]; metrics?: { f1Macro: number } }[];
  };
  const scored = folds.folds.filter((f) => f.confusion);
  assert.equal(scored.length, 12); // 3 folds x 2 arms x (100 %, 50 %)
  for (const f of scored) {
    assert.equal(f.confusion!.length, 3);
    assert.ok(f.confusion!.every((row) => row.length === 3));
    assert.ok(Number.isFinite(f.metrics?.f1Macro));
  }
});
