// The heart-rate reference arm: features of simulated ECG windows, the logistic regression per fold, reasons, config.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configSchema } from '../../src/config/schema.js';
import type { WindowStore } from '../../src/datasets/types.js';
import { restingEcgArgs, simulateEcg } from '../../src/datasets/readers/synthetic/ecgsyn.js';
import { createRng } from '../../src/random/index.js';
import { crossValidate, differenceScores } from '../../src/training/crossValidate.js';
import { fitHrvArm, hrvInputsOf } from '../../src/training/hrvArm.js';
import type { FoldScore } from '../../src/training/summary.js';

const RATE = 128;
const WS = 10 * RATE;

/**
 * 6 subjects x 8 windows of 10 s of simulated ECG at 128 Hz; label 1 windows beat 12 bpm faster than the subject's
 * label 0 windows, and subjects differ in their resting rate (55-80 bpm), so only the subject-relative rate
 * separates the classes well. Window 47 is flat (no beats).
 */
function ecgStore(): WindowStore {
  const entries = Array.from({ length: 48 }, (_, i) => ({
    subject: `s${Math.floor(i / 8)}`,
    recording: `r${Math.floor(i / 4)}`,
    window: i,
    labels: { stress: Math.floor(i / 4) % 2 },
    source: 0,
  }));
  const data = new Float32Array(entries.length * WS);
  entries.forEach((e, i) => {
    if (i === 47) return;
    const rest = 55 + 5 * Number(e.subject.slice(1));
    const args = { ...restingEcgArgs(10, RATE), heartRateBpm: rest + 12 * e.labels.stress, rrStdS: 0.02 };
    data.set(Float32Array.from(simulateEcg(args, createRng(100 + i)).ecgMv), i * WS);
  });
  return {
    dir: '',
    hash: '',
    windowSamples: WS,
    samplingRateHz: RATE,
    entries,
    tasks: { stress: 2 },
    read: (idx) => {
      const out = new Float32Array(idx.length * WS);
      idx.forEach((w, k) => out.set(data.subarray(w * WS, (w + 1) * WS), k * WS));
      return out;
    },
    close() {},
  };
}

test('hrv inputs: 8 values per window with beats, a reason (not NaN) for a window without', () => {
  const store = ecgStore();
  const inputs = hrvInputsOf(store, store.read(store.entries.map((_, i) => i)));
  assert.equal(inputs.length, 48);
  for (const w of inputs.slice(0, 47)) {
    assert.ok(w.ok);
    assert.equal(w.x.length, 8);
    assert.ok(w.x.every(Number.isFinite));
  }
  const flat = inputs[47]!;
  assert.ok(!flat.ok);
  assert.match(flat.reason, /beats? detected, need at least 3/);
  // mean heart rate of subject 0's label-1 windows ~ 67 bpm, label-0 ~ 55 bpm
  const hr = (i: number): number => (inputs[i] as { x: number[] }).x[0]!;
  assert.ok(Math.abs(hr(0) - 55) < 3 && Math.abs(hr(4) - 67) < 3, `${hr(0)} ${hr(4)}`);
});

test('fitHrvArm: learns the subject-relative rate; windows without features are counted with their reason', () => {
  const store = ecgStore();
  const inputs = hrvInputsOf(store, store.read(store.entries.map((_, i) => i)));
  const y = store.entries.map((e) => e.labels.stress!);
  // the first two windows of each recording train, the last two test (window 47, flat, is a test window)
  const all = store.entries.map((_, i) => i);
  const train = all.filter((i) => i % 4 < 2).concat([47]);
  const test = all.filter((i) => i % 4 >= 2);
  const out = fitHrvArm(inputs, y, train, test, 2);
  assert.ok(!('skipped' in out));
  const correct = test.filter((i, k) => out.pred[k] === y[i]).length;
  assert.ok(correct >= 22, `${correct} of ${test.length} correct`);
  assert.equal(out.info.trainWithoutFeatures, 1);
  assert.equal(out.info.testWithoutFeatures, 1);
  assert.deepEqual(Object.values(out.info.reasons), [2]);
  const one = fitHrvArm(inputs, y, [0, 1, 2, 3], test, 2);
  assert.ok('skipped' in one && /fewer than two classes/.test(one.skipped));
});

test('crossValidate with evaluation.arms [hrv]: subject folds, scores, difference-hrv pairs with ssl', async () => {
  const store = ecgStore();
  const config = configSchema.parse({
    data: { kind: 'synthetic', root: 'unused' },
    evaluation: { folds: 3, split: 'subject', arms: ['hrv'] },
  });
  assert.deepEqual(configSchema.parse({ data: { kind: 'synthetic', root: 'x' } }).evaluation.arms, [
    'ssl',
    'baseline',
    'hrv',
  ]);
  assert.throws(() => configSchema.parse({ ...config, evaluation: { arms: ['hrv', 'hrv'] } }));
  const res = await crossValidate({
    store,
    dataset: 'sim',
    config,
    arms: ['hrv'],
    fractions: [{ label: '100%', fraction: 1 }],
    sslMode: 'frozen',
  });
  assert.equal(res.length, 3);
  for (const r of res) {
    assert.equal(r.arm, 'hrv');
    assert.ok((r.metrics?.accuracy ?? 0) >= 0.8, JSON.stringify(r.metrics));
    assert.ok(r.hrv !== undefined);
  }
  const ssl: FoldScore[] = res.map((r) => ({ ...r, arm: 'ssl', metrics: { accuracy: 1 } }));
  const diff = differenceScores([...res, ...ssl]);
  assert.deepEqual(
    diff.map((d) => d.arm),
    ['difference-hrv', 'difference-hrv', 'difference-hrv'],
  );
  diff.forEach((d, k) => assert.equal(d.metrics!.accuracy, 1 - res[k]!.metrics!.accuracy!));
});
