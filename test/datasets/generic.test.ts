import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { genericSourceSchema, type GenericSource } from '../../src/datasets/readers/generic/options.js';
import { readGeneric } from '../../src/datasets/readers/generic/index.js';
import { writeNpy } from '../../src/datasets/formats/npy.js';
import type { RawRecording } from '../../src/datasets/types.js';
import { tmp, writeEdf } from './helpers.js';

async function collect(source: GenericSource): Promise<RawRecording[]> {
  const out: RawRecording[] = [];
  for await (const r of readGeneric(source, {})) out.push(r);
  return out;
}

function src(root: string, extra: Record<string, unknown> = {}): GenericSource {
  return genericSourceSchema.parse({ kind: 'generic', root, ...extra });
}

function makeFolder(): string {
  const root = tmp();
  mkdirSync(join(root, 'P1'));
  mkdirSync(join(root, 'P2'));
  writeNpy(
    join(root, 'P1', 'rest.npy'),
    Float32Array.from({ length: 1000 }, (_, i) => i / 4),
  );
  writeFileSync(
    join(root, 'P1', 'task.csv'),
    'ecg,ppg\n' + Array.from({ length: 500 }, (_, i) => `${i},${-i}`).join('\n') + '\n',
  );
  writeEdf(
    join(root, 'P2', 'a.edf'),
    [
      {
        label: 'ECG',
        digital: Int16Array.from({ length: 256 * 2 }, (_, i) => i - 256),
        samplesPerRecord: 256,
        physicalMin: -32768,
        physicalMax: 32767,
        digitalMin: -32768,
        digitalMax: 32767,
      },
    ],
    2,
    1,
  );
  writeNpy(
    join(root, 'P2', 'b.npy'),
    Float64Array.from({ length: 300 }, (_, i) => i),
    [100, 3],
  );
  writeFileSync(
    join(root, 'labels.csv'),
    [
      'subject,recording,samplingRateHz,arousal,valence,cond',
      'P2,P2/a,,7.5,1,calm',
      'P2,P2/b.npy,128,3,0,stress',
      'P1,P1/rest,256,6,0,',
      'P1,P1/task.csv,,2,1,calm',
    ].join('\n') + '\n',
  );
  return root;
}

test('generic: files, rates, subjects contiguous in labels.csv order, label rules', async () => {
  const root = makeFolder();
  const recs = await collect(src(root, { samplingRateHz: 500 }));
  assert.deepEqual(
    recs.map((r) => [r.subject, r.recording, r.samplingRateHz, r.samples.length]),
    [
      ['P2', 'a', 256, 512],
      ['P2', 'b', 128, 100],
      ['P1', 'rest', 256, 1000],
      ['P1', 'task', 500, 500],
    ],
  );
  assert.equal(recs[0]!.samples[0], -256); // EDF physical = digital here
  assert.equal(recs[1]!.samples[1], 3); // .npy [100, 3], lead 0
  assert.equal(recs[2]!.samples[3], 0.75);
  assert.equal(recs[3]!.samples[499], 499);
  // arousal 1-9 > 5 -> 1; valence 0/1 kept; cond categorical sorted (calm 0, stress 1), empty -> NaN
  assert.deepEqual(
    recs.map((r) => r.labels.arousal),
    [1, 0, 1, 0],
  );
  assert.deepEqual(
    recs.map((r) => r.labels.valence),
    [1, 0, 0, 1],
  );
  assert.deepEqual(
    recs.map((r) => r.labels.cond),
    [0, 1, NaN, 0],
  );
  // Per-subject mean threshold: P2 mean 5.25 -> [1, 0]; P1 mean 4 -> [1, 0]; lead by index and tasks filter.
  const byMean = await collect(
    src(root, { samplingRateHz: 500, labels: { threshold: 'mean' }, lead: 0, tasks: ['arousal'] }),
  );
  assert.deepEqual(
    byMean.map((r) => r.labels),
    [{ arousal: 1 }, { arousal: 0 }, { arousal: 1 }, { arousal: 0 }],
  );
  const only = await collect(src(root, { samplingRateHz: 500, subjects: ['P1'] }));
  assert.deepEqual(
    only.map((r) => r.recording),
    ['rest', 'task'],
  );
});

test('generic: missing rate, missing label row, unknown task, NaN samples are one-line errors naming the file', async () => {
  const root = makeFolder();
  await assert.rejects(
    collect(src(root)),
    /task\.csv does not store its sampling rate: set data\.samplingRateHz or a samplingRateHz column/,
  );
  await assert.rejects(
    collect(src(root, { samplingRateHz: 500, tasks: ['stress'] })),
    /task "stress" \(data\.tasks\) is not a column of .*labels\.csv/,
  );
  writeNpy(join(root, 'P1', 'extra.npy'), new Float32Array(10));
  await assert.rejects(
    collect(src(root, { samplingRateHz: 500 })),
    /P1\/extra\.npy has no row in .*labels\.csv \(label missing for 1 recording file/,
  );
  writeFileSync(join(root, 'P1', 'extra.npy'), ''); // still listed: replace it by a NaN file with a row
  const nanRoot = tmp();
  writeNpy(join(nanRoot, 'x.npy'), Float32Array.from([1, 2, NaN, NaN, 5]));
  await assert.rejects(
    collect(src(nanRoot, { samplingRateHz: 100 })),
    /x\.npy has non-finite samples \(NaN\) at samples 2\.\.3/,
  );
  const rowRoot = tmp();
  writeFileSync(join(rowRoot, 'labels.csv'), 'subject,recording,a\nS,missing,1\n');
  await assert.rejects(collect(src(rowRoot)), /labels\.csv line 2: no recording file "missing"/);
});

test('generic without labels.csv: unlabelled, subject = first folder or file stem', async () => {
  const root = tmp();
  mkdirSync(join(root, 'A'));
  writeNpy(join(root, 'A', 'one.npy'), new Float32Array(20));
  writeNpy(join(root, 'A', 'two.npy'), new Float32Array(30));
  writeNpy(join(root, 'solo.npy'), new Float32Array(40));
  const recs = await collect(src(root, { samplingRateHz: 100 }));
  assert.deepEqual(
    recs.map((r) => [r.subject, r.recording, r.samples.length]),
    [
      ['A', 'one', 20],
      ['A', 'two', 30],
      ['solo', 'solo', 40],
    ],
  );
  assert.deepEqual(recs[0]!.labels, {});
});
