// Pretraining: loss, batches, labels, resume, heads-at-chance warning.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { modelSchema, pretrainSchema, transformationsSchema } from '../../src/config/schema.js';
import { buildPretextBatch, pretextLabels } from '../../src/training/batches.js';
import { pretextLoss, staircaseLearningRate } from '../../src/training/losses.js';
import { pretrain, type WindowSource } from '../../src/training/pretrain.js';
import { CHANCE_F1, headsAtChance, PretextCounter } from '../../src/training/pretrainMetrics.js';
import { captureStderr } from '../helpers/captureStderr.js';

await tf.setBackend('cpu');

const WS = 256;
const transformations = transformationsSchema.parse({ permute: { segments: 8 } });
const modelConfig = modelSchema.parse({ filters: [4, 8, 8], kernelSizes: [8, 4, 4], headUnits: 8 });

function syntheticSource(n: number): WindowSource {
  const data = new Float32Array(n * WS);
  for (let w = 0; w < n; w++) {
    for (let i = 0; i < WS; i++) {
      const t = i / 64;
      data[w * WS + i] =
        Math.sin(2 * Math.PI * (1 + (w % 3) * 0.3) * t) + 0.8 * Math.exp(-(((i % 64) - 20) ** 2) / 8);
    }
  }
  return {
    windowSamples: WS,
    read(indices) {
      const out = new Float32Array(indices.length * WS);
      indices.forEach((g, k) => out.set(data.subarray(g * WS, (g + 1) * WS), k * WS));
      return out;
    },
  };
}

test('pretextLoss equals the weighted mean sigmoid cross-entropy plus l2/2 * sum W^2', () => {
  const logits = [tf.tensor2d([[0.5], [-1]]), tf.tensor2d([[2], [0]])];
  const labels = tf.tensor2d([
    [1, 0],
    [0, 1],
  ]);
  const kernel = tf.tensor1d([1, 2]);
  const ce = (z: number, y: number): number =>
    -(y * Math.log(1 / (1 + Math.exp(-z))) + (1 - y) * Math.log(1 - 1 / (1 + Math.exp(-z))));
  const want = 0.3 * ((ce(0.5, 1) + ce(-1, 0)) / 2) + 0.7 * ((ce(2, 0) + ce(0, 1)) / 2) + (0.1 / 2) * 5;
  const got = pretextLoss(logits, labels, [0.3, 0.7], 0.1, [kernel]).dataSync()[0] as number;
  assert.ok(Math.abs(got - want) < 1e-5, `${got} vs ${want}`);
  assert.throws(
    () => pretextLoss(logits, labels, [0.3], 0.1, [kernel]),
    /pretextLoss: 2 heads need as many task weights and label columns, got 1 and 2/,
  );
});

test('staircase learning rate', () => {
  assert.equal(staircaseLearningRate(0.001, 0.9, 10000, 9999), 0.001);
  assert.ok(Math.abs(staircaseLearningRate(0.001, 0.9, 10000, 20000) - 0.00081) < 1e-12);
});

test('buildPretextBatch: 7 samples per window, identity label block, original kept, shuffled and seeded', () => {
  const src = syntheticSource(4);
  const idx = [0, 1, 2, 3];
  const args = {
    windows: src.read(idx),
    windowIndices: idx,
    windowSamples: WS,
    transformations,
    seed: 9,
    foldKey: 0,
    epoch: 0,
  };
  const plain = buildPretextBatch(args);
  assert.equal(plain.samples, 28);
  assert.deepEqual([...plain.transform.slice(0, 7)], [0, 1, 2, 3, 4, 5, 6]);
  assert.deepEqual(plain.x.subarray(0, WS), src.read([0]));
  // negation of window 0 is sample 3
  const neg = plain.x.subarray(3 * WS, 4 * WS);
  assert.ok(neg.every((v, i) => v === -(src.read([0])[i] as number)));
  const y = pretextLabels(plain.transform, 7);
  assert.equal(plain.heads, 7);
  for (let k = 0; k < 28; k++) {
    const row = [...y.subarray(k * 7, k * 7 + 7)];
    assert.equal(
      row.reduce((a, b) => a + b, 0),
      1,
    );
    assert.equal(row[plain.transform[k] as number], 1);
  }
  const sh = buildPretextBatch({ ...args, batchIndex: 0 });
  const sh2 = buildPretextBatch({ ...args, batchIndex: 0 });
  assert.deepEqual(sh.x, sh2.x);
  assert.notDeepEqual([...sh.transform], [...plain.transform]);
  assert.deepEqual([...sh.transform].sort(), [...plain.transform].sort());
  const e1 = buildPretextBatch({ ...args, epoch: 1 });
  // noise draws differ between epochs
  assert.notDeepEqual(e1.x.subarray(WS, 2 * WS), plain.x.subarray(WS, 2 * WS));
});

test('pretrain: loss falls; 1 epoch + resume ends with the same weights as 2 epochs uninterrupted', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ecgssl-pretrain-'));
  try {
    const source = syntheticSource(12);
    const windows = Array.from({ length: 12 }, (_, i) => i);
    const pretrainConfig = pretrainSchema.parse({ epochs: 2, batchWindows: 4, heldOutFraction: 0.25 });
    const base = { source, windows, modelConfig, pretrainConfig, transformations, seed: 5, fold: 0 };
    const full = await pretrain({ ...base, checkpointDir: join(dir, 'a') });
    assert.equal(full.history.length, 2);
    assert.equal(full.heldOut.length, 3);
    assert.equal(full.step, 2 * 3);
    assert.ok(full.history.every((r) => Number.isFinite(r.loss) && r.heldout_acc_mean !== undefined));
    assert.ok((full.history[1]?.loss as number) < (full.history[0]?.loss as number));
    const part = await pretrain({ ...base, checkpointDir: join(dir, 'b'), maxEpochsThisCall: 1 });
    assert.equal(part.epochsDone, 1);
    part.model.dispose();
    const resumed = await pretrain({ ...base, checkpointDir: join(dir, 'b') });
    assert.equal(resumed.resumedFromEpoch, 1);
    assert.equal(resumed.step, full.step);
    assert.equal(resumed.history.length, 2);
    full.model.weights.forEach((w, i) => {
      assert.deepEqual(
        w.read().dataSync(),
        (resumed.model.weights[i] as tf.LayerVariable).read().dataSync(),
        w.name,
      );
    });
    assert.equal(resumed.history[1]?.loss, full.history[1]?.loss);
    // and the weights moved away from the initialisation
    const fresh = await pretrain({
      ...base,
      pretrainConfig: { ...pretrainConfig, epochs: 1 },
      maxEpochsThisCall: 0,
    });
    assert.notDeepEqual(fresh.model.weights[0]?.read().dataSync(), full.model.weights[0]?.read().dataSync());
    for (const m of [full.model, resumed.model, fresh.model]) m.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('pretrain: stopped mid-epoch (twice, one of them mid-way through the resumed epoch) ends as uninterrupted', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ecgssl-pretrain-'));
  try {
    const source = syntheticSource(12);
    const windows = Array.from({ length: 12 }, (_, i) => i);
    const pretrainConfig = pretrainSchema.parse({ epochs: 2, batchWindows: 2, heldOutFraction: 0.25 });
    const base = { source, windows, modelConfig, pretrainConfig, transformations, seed: 5, fold: 0 };
    const full = await pretrain({ ...base, checkpointDir: join(dir, 'a') });
    assert.equal(full.step, 2 * 5); // 9 training windows in batches of 2: 5 batches per epoch
    const ck = join(dir, 'b', 'checkpoint');
    // Step 2 of epoch 1, then step 4 of epoch 1 (resumed mid-epoch, stopped mid-epoch again), then to the end.
    for (const [steps, batch] of [
      [2, 2],
      [2, 4],
    ] as const) {
      const part = await pretrain({ ...base, checkpointDir: ck, maxStepsThisCall: steps });
      assert.equal(part.epochsDone, 0);
      assert.equal(part.history.length, 0);
      part.model.dispose();
      const state = JSON.parse(readFileSync(join(ck, 'state.json'), 'utf8'));
      assert.equal(state.epoch, 0);
      assert.equal(state.partial.batch, batch);
      assert.equal(state.weightsFile, `weights-0-${batch}.bin`);
      assert.deepEqual(readdirSync(ck).sort(), ['state.json', `weights-0-${batch}.bin`]);
    }
    const resumed = await pretrain({ ...base, checkpointDir: ck });
    assert.equal(resumed.step, full.step);
    full.model.weights.forEach((w, i) => {
      assert.deepEqual(
        w.read().dataSync(),
        (resumed.model.weights[i] as tf.LayerVariable).read().dataSync(),
        w.name,
      );
    });
    const noSeconds = (h: typeof full.history): unknown[] => h.map(({ seconds: _s, ...rest }) => rest);
    assert.deepEqual(noSeconds(resumed.history), noSeconds(full.history));
    assert.equal(JSON.parse(readFileSync(join(ck, 'state.json'), 'utf8')).partial, undefined);
    for (const m of [full.model, resumed.model]) m.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('PretextCounter: counts() and restore() continue a count', () => {
  const a = new PretextCounter(2);
  a.add(Float32Array.from([0.9, 0.8, 0.1, 0.7]), Uint8Array.from([0, 1]));
  const b = new PretextCounter(2).restore(a.counts());
  a.add(Float32Array.from([0.2, 0.9]), Uint8Array.from([1]));
  b.add(Float32Array.from([0.2, 0.9]), Uint8Array.from([1]));
  assert.deepEqual(b.result(), a.result());
  assert.deepEqual(a.counts(), [
    [1, 2],
    [0, 1],
    [0, 0],
    [2, 0],
  ]);
  assert.throws(() => new PretextCounter(3).restore(a.counts()), /need 4 x 3 counts/);
});

test('PretextCounter counts per head and rejects scores of another head count', () => {
  const c = new PretextCounter(2);
  // two samples: class 0 then class 1; head 0 right on both, head 1 says yes to both
  c.add(Float32Array.from([0.9, 0.8, 0.1, 0.7]), Uint8Array.from([0, 1]));
  assert.deepEqual(c.result(), [
    { accuracy: 1, f1: 1 },
    { accuracy: 0.5, f1: 2 / 3 },
  ]);
  assert.throws(
    () => c.add(new Float32Array(3), Uint8Array.from([0, 1])),
    /2 samples x 2 heads need 4 scores, got 3/,
  );
});

test('headsAtChance: F1 under 0.2 or not a number, in head order', () => {
  assert.equal(CHANCE_F1, 0.2);
  const m = [
    { task: 'a', f1: 0.19 },
    { task: 'b', f1: 0.2 },
    { task: 'c', f1: NaN },
    { task: 'd', f1: 0.9 },
    { task: 'e', f1: 0 },
  ];
  assert.deepEqual(headsAtChance(m), ['a', 'c', 'e']);
});

test('pretrain warns on stderr at its end of the heads at chance and returns them; not before its end', async () => {
  const source = syntheticSource(8);
  const windows = Array.from({ length: 8 }, (_, i) => i);
  const pretrainConfig = pretrainSchema.parse({ epochs: 2, batchWindows: 4, heldOutFraction: 0.25 });
  const base = {
    source,
    windows,
    modelConfig,
    pretrainConfig,
    transformations,
    seed: 2,
    fold: 0,
    label: 'pt',
  };
  const part = await captureStderr(() => pretrain({ ...base, maxEpochsThisCall: 1 }));
  part.value.model.dispose();
  assert.doesNotMatch(part.stderr, /at chance/);
  const full = await captureStderr(() => pretrain(base));
  full.value.model.dispose();
  const { final, headsAtChance: atChance, history } = full.value;
  const last = history[history.length - 1]!;
  assert.deepEqual(
    final.map((m) => m.f1),
    final.map((m) => last[`heldout_f1_${m.task}`]),
  );
  assert.deepEqual(
    atChance,
    final.filter((m) => m.f1 < 0.2).map((m) => m.task),
  );
  // The tiny network learns no head in 2 steps of 6 windows.
  assert.ok(atChance.length > 0, atChance.join());
  const lines = full.stderr.split('\n').filter((l) => l.includes('at chance'));
  assert.equal(lines.length, 1, full.stderr);
  assert.match(lines[0]!, /^warning: pt: heads still at chance after 2 epochs \(held-out F1 < 0\.2\): /);
  assert.deepEqual(
    lines[0]!
      .replace(/.*\): /, '')
      .split(', ')
      .map((t) => t.split(' ')[0]),
    atChance,
  );
});
