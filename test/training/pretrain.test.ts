import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { modelSchema, pretrainSchema, transformationsSchema } from '../../src/config/schema.js';
import { buildPretextBatch, pretextLabels } from '../../src/training/batches.js';
import { pretextLoss, staircaseLearningRate } from '../../src/training/losses.js';
import { pretrain, type WindowSource } from '../../src/training/pretrain.js';

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
  const y = pretextLabels(plain.transform);
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
