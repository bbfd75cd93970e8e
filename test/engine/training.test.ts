import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { buildStrNetwork } from '../../src/models/index.js';
import { pretrainStep, pretrainStepAccumulated } from '../../src/training/pretrainStep.js';
import {
  assertClose,
  assertNoLeakOver100Steps,
  onBoth,
  paperNetworkGradsOnBoth,
  randArray,
  relError,
  seeded,
  seededWeights,
  setupBackends,
} from './helpers.js';

test('paper network: loss and all gradients of the pretraining objective match the cpu backend', async () => {
  await setupBackends();
  const rnd = seeded(11);
  const windowSamples = 128; // same layers as the paper; shorter windows keep the cpu reference fast
  const B = 2;
  const xv = randArray(B * windowSamples, rnd);
  const r = await paperNetworkGradsOnBoth(xv, B, windowSamples, rnd);
  assert.equal(r.cpu.length, 1 + 54); // loss + 27 kernels + 27 biases
  // End to end through 17 layers the float32 summation orders (XNNPACK vs naive JS loops) compound; each kernel
  // alone is checked at 1e-4 in wasmKernels.test.ts.
  assertClose(r, 'paper network gradients', 1e-3);
});

test('fine-tuning networks (dense + relu + dropout, softmax and sigmoid CE) train on wasm like on cpu', async () => {
  await setupBackends();
  const rnd = seeded(12);
  const xv = randArray(8 * 128, rnd);
  const maskV = Float32Array.from(randArray(8 * 512, rnd), (v) => (v > -0.2 ? 1 / 0.6 : 0)); // dropout 0.4 mask
  let init: Float32Array[] | null = null;
  const r = await onBoth(() => {
    const inp = tf.input({ shape: [128] });
    let h = tf.layers.dense({ units: 512, activation: 'relu' }).apply(inp) as tf.SymbolicTensor;
    h = tf.layers.dense({ units: 512, activation: 'relu' }).apply(h) as tf.SymbolicTensor;
    const logits = tf.layers.dense({ units: 3 }).apply(h) as tf.SymbolicTensor;
    const model = tf.model({ inputs: inp, outputs: [logits, h] });
    init ??= seededWeights(model, rnd);
    model.setWeights(
      model.getWeights().map((w, i) => tf.tensor((init as Float32Array[])[i] as Float32Array, w.shape)),
    );
    const x = tf.tensor2d(xv, [8, 128]);
    const mask = tf.tensor2d(maskV, [8, 512]);
    const yOne = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32'), 3);
    const yBin = tf.tensor2d([0, 1, 1, 0, 1, 0, 0, 1], [8, 1]);
    const { value, grads } = tf.variableGrads(() => {
      const [lg, hid] = model.apply(x, { training: true }) as tf.Tensor[];
      const dropped = (hid as tf.Tensor).mul(mask).sum(1, true).mul(1e-3); // dropout as a mask multiplication
      const ce = tf.losses.softmaxCrossEntropy(yOne, lg as tf.Tensor);
      const bce = tf.losses.sigmoidCrossEntropy(yBin, dropped);
      return ce.add(bce) as tf.Scalar;
    });
    const out = [
      value,
      ...model.trainableWeights.map((w) => grads[(w.read() as tf.Variable).name] as tf.Tensor),
    ];
    model.dispose();
    return out;
  });
  assertClose(r, 'fine-tuning gradients');
});

test('no tensor or buffer leak over 100 training steps on wasm (small shapes)', async () => {
  await setupBackends();
  assertNoLeakOver100Steps('wasm', 128, seeded(13));
});

test('pretrainStepAccumulated over chunks equals one full-batch pretrainStep', async () => {
  await setupBackends();
  const a = buildStrNetwork({ windowSamples: 64, headDropout: 0, seed: 5 });
  const b = buildStrNetwork({ windowSamples: 64, headDropout: 0, seed: 5 });
  const x = tf.tidy(() => tf.sin(tf.range(0, 5 * 64).mul(0.37)).reshape([5, 64, 1]));
  const labels = tf.tensor2d(
    Array.from({ length: 5 * 7 }, (_, k) => ((k % 7) + Math.floor(k / 7) * 3) % 2),
    [5, 7],
  );
  const common = { x, labels, taskWeights: [1, 0.5, 1, 0.25, 1, 1, 2], l2: 1e-3 };
  const { loss } = pretrainStep({ ...common, model: a, optimizer: tf.train.sgd(0.5) });
  const la = loss.dataSync()[0] as number;
  loss.dispose();
  const lb = pretrainStepAccumulated({ ...common, model: b, optimizer: tf.train.sgd(0.5) }, 2); // chunks 2, 2, 1
  assert.ok(Math.abs(la - lb) < 1e-5 * Math.abs(la), `${la} vs ${lb}`);
  const wa = a.getWeights();
  const wb = b.getWeights();
  let moved = false;
  wa.forEach((w, i) => {
    const e = relError(wb[i]?.dataSync() as Float32Array, w.dataSync() as Float32Array);
    assert.ok(e < 1e-4, `weight ${i}: ${e}`);
  });
  const fresh = buildStrNetwork({ windowSamples: 64, headDropout: 0, seed: 5 });
  fresh.getWeights().forEach((w, i) => {
    if (relError(wa[i]?.dataSync() as Float32Array, w.dataSync() as Float32Array) > 0) moved = true;
  });
  assert.ok(moved, 'the step did not change the weights');
  tf.dispose([x, labels]);
  for (const m of [a, b, fresh]) m.dispose();
});
