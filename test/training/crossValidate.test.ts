import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { configSchema, type Config } from '../../src/config/schema.js';
import type { WindowStore } from '../../src/datasets/types.js';
import { UserError } from '../../src/errors.js';
import { buildEncoder, buildStrNetwork } from '../../src/models/index.js';
import { crossValidate, differenceScores } from '../../src/training/crossValidate.js';
import { dropoutStream, type ArmKind, type FitKeys, type FoldResult } from '../../src/training/fitFold.js';
import { invertedDropoutMask } from '../../src/training/dropoutMask.js';
import { summarize } from '../../src/training/stageResults.js';
import { evaluationFolds } from '../../src/training/folds.js';

await tf.setBackend('cpu');

const WS = 64;
const N = 48;

/**
 * A tiny labelled store: task `a` (class 1 = a high-frequency sine, class 0 = a low-frequency one, learnable),
 * task `b` (every window class 0 although the store declares 2 classes: each training part has a single class),
 * task `c` (unknown (NaN) for every third window).
 */
function tinyStore(): WindowStore {
  const entries = Array.from({ length: N }, (_, i) => ({
    subject: `s${i % 4}`,
    recording: `r${i % 8}`,
    window: i,
    labels: { a: i % 2, b: 0, c: i % 3 === 0 ? Number.NaN : (i >> 1) % 2 },
    source: 0,
  }));
  return {
    dir: '',
    hash: '',
    windowSamples: WS,
    samplingRateHz: 32,
    entries,
    tasks: { a: 2, b: 2, c: 2 },
    read(indices) {
      const out = new Float32Array(indices.length * WS);
      indices.forEach((w, k) => {
        const [f, amp] = w % 2 === 1 ? [0.9, 4] : [0.15, 0.5];
        for (let t = 0; t < WS; t++) out[k * WS + t] = amp * Math.sin(f * t + w) + 0.05 * Math.cos(7 * t * w);
      });
      return out;
    },
    close() {},
  };
}

function tinyConfig(extra: Record<string, unknown> = {}): Config {
  return configSchema.parse({
    data: { kind: 'synthetic', root: 'unused' },
    seed: 3,
    model: { filters: [4, 8, 8], kernelSizes: [8, 4, 4], headUnits: 8 },
    finetune: {
      epochs: 30,
      batchSize: 16,
      units: 16,
      layers: 1,
      baselineEpochs: 3,
      learningRate: 0.01,
      ...extra,
    },
    evaluation: { folds: 4, split: 'window', splitSeed: 1 },
  });
}

const encoder = buildEncoder(
  buildStrNetwork({ windowSamples: WS, filters: [4, 8, 8], kernelSizes: [8, 4, 4], headUnits: 8, seed: 5 }),
);

let results: FoldResult[] = [];

test('crossValidate: every fold x task x arm, finite metrics, single-class folds skipped with a reason', async () => {
  const store = tinyStore();
  results = await crossValidate({
    store,
    dataset: 'synthetic',
    config: tinyConfig(),
    arms: ['ssl', 'baseline'],
    fractions: [{ label: '100%', fraction: 1 }],
    encoderFor: () => Promise.resolve(encoder),
    sslMode: 'frozen',
  });
  assert.equal(results.length, 4 * 3 * 2);
  const a = results.filter((r) => r.task === 'a');
  assert.equal(a.length, 8);
  for (const r of a) {
    assert.equal(r.skipped, undefined);
    for (const m of ['accuracy', 'f1Macro', 'f1Official', 'precisionMacro', 'recallMacro'])
      assert.ok(Number.isFinite(r.metrics![m]) && r.metrics![m]! >= 0 && r.metrics![m]! <= 1, `${m}`);
    const total = r.confusion!.flat().reduce((x, y) => x + y, 0);
    assert.equal(total, r.testWindows);
    assert.equal(r.trainWindows + r.testWindows, N);
  }
  // The frozen random-init encoder's embeddings separate the two sines: the head learns them.
  const sslAcc = a.filter((r) => r.arm === 'ssl').map((r) => r.metrics!.accuracy!);
  assert.ok(sslAcc.reduce((x, y) => x + y, 0) / sslAcc.length > 0.75, `ssl accuracies ${sslAcc.join(',')}`);
  const b = results.filter((r) => r.task === 'b');
  assert.ok(b.every((r) => r.metrics === undefined && /single class \(0\) for task b/.test(r.skipped ?? '')));
  // NaN labels are left out of both parts.
  const c = results.filter((r) => r.task === 'c' && r.arm === 'ssl');
  assert.equal(
    c.reduce((x, r) => x + r.testWindows, 0),
    N - N / 3,
  );
});

test('summarize: sample std over evaluated folds, skipped folds listed, paired difference arm', () => {
  const s = summarize(results);
  const acc = s.rows.find((r) => r.task === 'a' && r.arm === 'ssl' && r.metric === 'accuracy')!;
  assert.equal(acc.n, 4);
  const v = acc.foldValues;
  const mean = v.reduce((x, y) => x + y, 0) / v.length;
  const std = Math.sqrt(v.reduce((x, y) => x + (y - mean) ** 2, 0) / (v.length - 1));
  assert.ok(Math.abs(acc.mean - mean) < 1e-6 && Math.abs(acc.std - std) < 1e-6);
  assert.ok(s.rows.every((r) => Number.isFinite(r.mean) && Number.isFinite(r.std)));
  assert.equal(s.rows.filter((r) => r.task === 'b').length, 0);
  assert.equal(s.skipped.filter((k) => k.task === 'b').length, 8);
  const diff = s.rows.find((r) => r.task === 'a' && r.arm === 'difference' && r.metric === 'accuracy')!;
  const base = s.rows.find((r) => r.task === 'a' && r.arm === 'baseline' && r.metric === 'accuracy')!;
  assert.ok(Math.abs(diff.mean - (acc.mean - base.mean)) < 1e-6);
  assert.equal(differenceScores(results).length, 4 * 2); // tasks a and c, 4 folds each
});

test('label fractions: stratified subset shared by both arms; too small a fraction is a one-line UserError', async () => {
  const store = tinyStore();
  const r = await crossValidate({
    store,
    dataset: 'synthetic',
    config: tinyConfig({ epochs: 5, baselineEpochs: 1 }),
    arms: ['ssl', 'baseline'],
    fractions: [{ label: '25%', fraction: 0.25 }],
    encoderFor: () => Promise.resolve(encoder),
    sslMode: 'full',
  });
  const a = r.filter((x) => x.task === 'a');
  // 36 training windows -> round(0.25 x class size) per class, 9 in all in every fold.
  assert.ok(
    a.every((x) => x.trainWindows === 9 && x.testWindows === 12),
    a.map((x) => x.trainWindows).join(),
  );
  assert.deepEqual(new Set(a.map((x) => x.arm)), new Set(['ssl', 'baseline'])); // below 100%: frozen SSL arm
  await assert.rejects(
    crossValidate({
      store,
      dataset: 'synthetic',
      config: tinyConfig(),
      arms: ['ssl', 'baseline'],
      fractions: [{ label: '1%', fraction: 0.01 }],
      encoderFor: () => Promise.resolve(encoder),
      sslMode: 'frozen',
    }),
    (err: unknown) =>
      err instanceof UserError &&
      !err.message.includes('\n') &&
      /label fraction 1% keeps 0 of the 36 .*fewer than its 2 classes.*use at least 5\.6%/.test(err.message),
  );
});

test('evaluationFolds: stratified-window stratifies by the first task, one split for every task', () => {
  const store = tinyStore();
  const f = evaluationFolds(store.entries, store.tasks, {
    folds: 4,
    split: 'stratified-window',
    splitSeed: 1,
  });
  for (const fold of f) assert.equal(fold.test.filter((i) => i % 2 === 1).length, 6);
});

test('finetune.mode full: arm ssl-full trains a copy of the pretrained trunk, the given encoder is unchanged', async () => {
  const store = tinyStore();
  const before = encoder.getWeights().map((w) => Array.from(w.dataSync()));
  const r = await crossValidate({
    store,
    dataset: 'synthetic',
    config: tinyConfig({ epochs: 2, baselineEpochs: 1 }),
    arms: ['ssl'],
    fractions: [{ label: '100%', fraction: 1 }],
    encoderFor: () => Promise.resolve(encoder),
    sslMode: 'full',
  });
  const a = r.filter((x) => x.task === 'a');
  assert.equal(a.length, 4);
  assert.ok(a.every((x) => x.arm === 'ssl-full' && Number.isFinite(x.metrics!.accuracy)));
  const after = encoder.getWeights().map((w) => Array.from(w.dataSync()));
  assert.deepEqual(after, before);
});

test('head dropout 0.4: same seed -> identical results in every arm and mode; another seed differs; masks per step', async () => {
  const store: WindowStore = { ...tinyStore(), tasks: { a: 2 } }; // one task keeps it fast
  const run = async (seed: number, sslMode: 'frozen' | 'full', arms: ArmKind[]): Promise<FoldResult[]> => {
    const r = await crossValidate({
      store,
      dataset: 'synthetic',
      config: { ...tinyConfig({ epochs: 2, baselineEpochs: 2, dropout: 0.4 }), seed },
      arms,
      fractions: [{ label: '100%', fraction: 1 }],
      encoderFor: () => Promise.resolve(encoder),
      sslMode,
      onlyFolds: [0],
    });
    return r.map(({ seconds: _s, ...rest }) => rest);
  };
  // frozen: the head on embeddings (ssl) and the baseline; full: the whole network from the pretrained trunk.
  for (const [mode, arms] of [
    ['frozen', ['ssl', 'baseline']],
    ['full', ['ssl']],
  ] as const) {
    const a = await run(3, mode, [...arms]);
    assert.equal(a.length, arms.length);
    assert.ok(a.every((x) => Number.isFinite(x.finalLoss) && x.metrics !== undefined));
    assert.deepEqual(await run(3, mode, [...arms]), a); // metrics, confusion and the final loss, bit for bit
    if (mode === 'frozen') {
      const other = await run(4, mode, [...arms]);
      for (const k of [0, 1]) assert.notEqual(other[k]!.finalLoss, a[k]!.finalLoss, a[k]!.arm);
    }
  }
  // The masks of different steps and fits come from different streams.
  const fit = { fold: 0, task: 0, arm: 'ssl' as const, fraction: 1 };
  const maskOf = (f: FitKeys, epoch: number, batch: number): string => {
    const m = invertedDropoutMask(16, 16, 0.4, dropoutStream(3, f, epoch, batch));
    const s = Array.from(m.dataSync()).join();
    m.dispose();
    return s;
  };
  const masks = [
    maskOf(fit, 0, 0),
    maskOf(fit, 0, 1),
    maskOf(fit, 1, 0),
    maskOf({ ...fit, arm: 'baseline' }, 0, 0),
    maskOf({ ...fit, fold: 1 }, 0, 0),
    maskOf({ ...fit, task: 1 }, 0, 0),
    maskOf({ ...fit, fraction: 0.25 }, 0, 0),
  ];
  assert.equal(new Set(masks).size, masks.length);
  assert.equal(maskOf(fit, 1, 0), masks[2]);
});

test('crossValidate: reused fits are not trained again, onResult sees each new fit once, same results', async () => {
  const store: WindowStore = { ...tinyStore(), tasks: { a: 2 } };
  const args = {
    store,
    dataset: 'synthetic',
    config: tinyConfig({ epochs: 2, baselineEpochs: 1 }),
    arms: ['ssl', 'baseline'] as ArmKind[],
    fractions: [{ label: '100%', fraction: 1 }],
    encoderFor: () => Promise.resolve(encoder),
    sslMode: 'frozen' as const,
    onlyFolds: [0, 2],
  };
  const all = await crossValidate(args);
  assert.deepEqual(
    all.map((r) => `${r.fold} ${r.arm}`),
    ['0 ssl', '0 baseline', '2 ssl', '2 baseline'],
  );
  const seen: string[] = [];
  const again = await crossValidate({
    ...args,
    reuse: (fit) => (fit.fold === 0 ? all[fit.arm === 'ssl' ? 0 : 1] : undefined),
    onResult: (fit, result) => {
      seen.push(`${fit.fold} ${fit.arm} ${result.arm}`);
      return Promise.resolve();
    },
  });
  assert.deepEqual(seen, ['2 ssl ssl', '2 baseline baseline']);
  assert.equal(again[0], all[0]);
  const strip = (r: FoldResult[]): FoldResult[] => r.map(({ seconds: _s, ...rest }) => rest);
  assert.deepEqual(strip(again), strip(all));
});
