// The STR network (METHOD §3): parameter counts, conv padding, seeded weights, head count, forward pass, emotion heads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import {
  buildEmotionHead,
  buildEmotionNetwork,
  buildEncoder,
  buildStrNetwork,
  embeddingUnits,
  forward,
  strHeadCount,
  strLogits,
  summarizeStrNetwork,
} from '../../src/models/index.js';
import { modelSchema } from '../../src/config/schema.js';
import { deriveRng } from '../../src/random/index.js';
import { invertedDropoutMask, rngDropout } from '../../src/training/dropoutMask.js';

await tf.setBackend('cpu');

test('buildStrNetwork has the METHOD §3 parameter counts and layer names', () => {
  const s = summarizeStrNetwork(modelSchema.parse({}), 2560);
  assert.equal(s.trunkParams, 329152);
  assert.equal(s.totalParams, 561223);
  const names = s.layers.map((l) => l.name);
  for (let c = 1; c <= 6; c++) assert.ok(names.includes(`conv_layer_${c}`));
  for (let t = 0; t < 7; t++) {
    for (const n of [`task_${t}_dense_1`, `task_${t}_dense_2`, `task_${t}`]) assert.ok(names.includes(n), n);
    for (const n of [`task_${t}_dropout_1`, `task_${t}_dropout_2`]) {
      const l = s.layers.find((x) => x.name === n);
      assert.equal(l?.type, 'Dropout', n);
      assert.equal(l?.params, 0, n);
    }
  }
  const flat = s.layers.find((l) => l.name === 'flat_layer');
  assert.deepEqual(flat?.outputShape, [null, 128]);
  const pool1 = s.layers.find((l) => l.name === 'pool_1');
  assert.deepEqual(pool1?.outputShape, [null, 1277, 32]);
  const pool2 = s.layers.find((l) => l.name === 'pool_2');
  assert.deepEqual(pool2?.outputShape, [null, 635, 64]);
});

test('conv "same" puts the extra zero on the right (TensorFlow convention)', () => {
  const model = buildStrNetwork({
    windowSamples: 64,
    filters: [2, 2, 2],
    kernelSizes: [4, 4, 4],
    headUnits: 4,
    seed: 1,
  });
  const conv = model.getLayer('conv_layer_1');
  const b = conv.getWeights()[1];
  // kernel [4, 1, 2]: filter 0 = 1,2,3,4; filter 1 = 0
  const kv = new Float32Array(8);
  [1, 2, 3, 4].forEach((v, j) => (kv[j * 2] = v));
  conv.setWeights([tf.tensor3d(kv, [4, 1, 2]), tf.zerosLike(b as tf.Tensor)]);
  const x = new Float32Array(64);
  x[0] = 1;
  const y = conv.apply(tf.tensor3d(x, [1, 64, 1])) as tf.Tensor;
  const yv = y.dataSync();
  // pad left floor(3/2) = 1: y[0] = w[1] = 2, y[1] = w[0] = 1
  assert.equal(yv[0], 2);
  assert.equal(yv[2], 1);
  y.dispose();
  model.dispose();
});

test('weights are seeded Glorot-uniform kernels and zero biases', () => {
  const args = { windowSamples: 128, filters: [4, 8, 8], kernelSizes: [8, 4, 4], headUnits: 8, seed: 3 };
  const a = buildStrNetwork(args);
  const b = buildStrNetwork(args);
  const c = buildStrNetwork({ ...args, seed: 4 });
  a.weights.forEach((w, i) => {
    const va = w.read().dataSync();
    const vb = (b.weights[i] as tf.LayerVariable).read().dataSync();
    assert.deepEqual(va, vb);
    if (w.name.includes('bias')) assert.ok(va.every((v) => v === 0));
    else {
      const shape = w.shape as number[];
      const out = shape[shape.length - 1] as number;
      const inp = shape[shape.length - 2] as number;
      const rf = shape.length === 3 ? (shape[0] as number) : 1;
      const limit = Math.sqrt(6 / (rf * inp + rf * out));
      assert.ok(va.every((v) => Math.abs(v) <= limit));
      assert.ok(Math.max(...va.map(Math.abs)) > limit * 0.5);
    }
  });
  const k1 = a.getLayer('conv_layer_1').getWeights()[0] as tf.Tensor;
  const k1c = c.getLayer('conv_layer_1').getWeights()[0] as tf.Tensor;
  assert.notDeepEqual(k1.dataSync(), k1c.dataSync());
  for (const m of [a, b, c]) m.dispose();
});

test('forward in training mode draws the head dropout masks head by head from the Rng (the pretraining order)', () => {
  const model = buildStrNetwork({
    windowSamples: 128,
    filters: [4, 8, 16],
    kernelSizes: [8, 4, 4],
    headUnits: 8,
    headDropout: 0.6,
    seed: 2,
  });
  const x = tf.randomNormal([3, 128, 1], 0, 1, 'float32', 5);
  const logits = forward(model, x, { training: rngDropout(deriveRng(4, 1)), fetch: strLogits(model) });
  assert.equal(logits.length, 7);
  // The replay by name that pretraining used before forward(): masks [rows, units] from one stream, head 0's first
  // and second, then head 1's, ..., each applied after its head's LeakyReLU.
  const rng = deriveRng(4, 1);
  const masks = Array.from({ length: 7 }, () => [1, 2].map(() => invertedDropoutMask(3, 8, 0.6, rng)));
  const emb = buildEncoder(model).apply(x) as tf.Tensor;
  masks.forEach((pair, t) => {
    let y = emb;
    pair.forEach((m, k) => {
      y = model.getLayer(`task_${t}_dense_${k + 1}`).apply(y) as tf.Tensor;
      y = tf.mul(model.getLayer(`task_${t}_act_${k + 1}`).apply(y) as tf.Tensor, m);
    });
    const ref = model.getLayer(`task_${t}_logits`).apply(y) as tf.Tensor;
    assert.deepEqual(logits[t]!.dataSync(), ref.dataSync(), `head ${t}`);
  });
  // testing mode: no dropout, the sigmoid of the logits is model.predict
  const test = forward(model, x, { fetch: strLogits(model) });
  (model.predict(x) as tf.Tensor[]).forEach((p, t) =>
    assert.ok((tf.sub(p, tf.sigmoid(test[t]!)).abs().max().dataSync()[0] as number) < 1e-6),
  );
  assert.notDeepEqual(test[0]!.dataSync(), logits[0]!.dataSync());
  const enc = buildEncoder(model);
  assert.deepEqual(enc.outputs[0]?.shape, [null, 16]);
  model.dispose();
});

test('the head count is a builder argument: heads layers, logits and parameters follow it', () => {
  const args = { windowSamples: 64, filters: [2, 2, 2], kernelSizes: [4, 4, 4], headUnits: 4, seed: 1 };
  const m3 = buildStrNetwork({ ...args, heads: 3 });
  assert.equal(strHeadCount(m3), 3);
  assert.equal(m3.outputs.length, 3);
  const logits = forward(m3, tf.ones([2, 64, 1]), { fetch: strLogits(m3) });
  assert.deepEqual(
    logits.map((l) => l.shape),
    [
      [2, 1],
      [2, 1],
      [2, 1],
    ],
  );
  tf.dispose(logits);
  const m7 = buildStrNetwork(args);
  assert.equal(strHeadCount(m7), 7);
  const perHead = 4 * 2 + 4 + (4 * 4 + 4) + (4 + 1);
  assert.equal(m7.countParams() - m3.countParams(), 4 * perHead);
  const s8 = summarizeStrNetwork(modelSchema.parse({}), 2560, 8);
  assert.equal(s8.totalParams, 561223 + 33153);
  assert.throws(
    () => buildStrNetwork({ ...args, heads: 0 }),
    /buildStrNetwork: heads must be a positive integer, got 0/,
  );
  m3.dispose();
  m7.dispose();
});

test('emotion head: 2 classes -> 2 sigmoid units, 3 -> softmax; emotion network composes the encoder', () => {
  const h2 = buildEmotionHead({
    inputUnits: 16,
    layers: 2,
    units: 8,
    dropout: 0,
    l2: 0,
    numClasses: 2,
    seed: 1,
  });
  assert.equal(h2.layers.filter((l) => l.name.startsWith('emotion_dense_')).length, 2);
  const out = h2.predict(tf.ones([2, 16])) as tf.Tensor;
  assert.deepEqual(out.shape, [2, 2]);
  assert.equal((h2.getLayer('emotion_output').getConfig() as { activation: string }).activation, 'sigmoid');
  assert.ok(out.dataSync().every((v) => v > 0 && v < 1));
  const h3 = buildEmotionHead({
    inputUnits: 16,
    layers: 3,
    units: 8,
    dropout: 0.4,
    l2: 1e-4,
    numClasses: 3,
    seed: 1,
  });
  const o3 = (h3.predict(tf.ones([2, 16])) as tf.Tensor).sum(1).dataSync();
  assert.ok(Math.abs((o3[0] as number) - 1) < 1e-5);
  const str = buildStrNetwork({
    windowSamples: 128,
    filters: [4, 8, 16],
    kernelSizes: [8, 4, 4],
    headUnits: 8,
    seed: 2,
  });
  const enc = buildEncoder(str);
  const net = buildEmotionNetwork({
    encoder: enc,
    head: { inputUnits: 16, layers: 2, units: 8, dropout: 0, l2: 0, numClasses: 2, seed: 1 },
    trainableEncoder: false,
  });
  assert.deepEqual((net.predict(tf.ones([1, 128, 1])) as tf.Tensor).shape, [1, 2]);
  const trainable = net.trainableWeights.length;
  assert.equal(trainable, 6); // head: 3 dense kernels + biases; trunk frozen
  const base = buildEmotionNetwork({
    encoder: null,
    windowSamples: 128,
    modelConfig: modelSchema.parse({ filters: [4, 8, 16], kernelSizes: [8, 4, 4] }),
    head: { inputUnits: 16, layers: 2, units: 8, dropout: 0, l2: 0, numClasses: 2, seed: 1 },
    trainableEncoder: true,
  });
  assert.equal(base.trainableWeights.length, 18);
});

test('model.globalPool: average is the time mean, max+average concatenates both (twice the units)', () => {
  const base = { windowSamples: 64, filters: [2, 3, 4], kernelSizes: [3, 3, 3], seed: 5 };
  const x = tf.tensor3d(
    Float32Array.from({ length: 2 * 64 }, (_, i) => Math.sin(i / 3) + (i % 7) / 7),
    [2, 64, 1],
  );
  const embed = (globalPool: 'max' | 'average' | 'max+average'): tf.LayersModel =>
    buildEncoder(buildStrNetwork({ ...base, globalPool }));
  const max = embed('max');
  const avg = embed('average');
  const both = embed('max+average');
  assert.deepEqual(avg.outputs[0]?.shape, [null, 4]);
  assert.deepEqual(both.outputs[0]?.shape, [null, embeddingUnits(4, 'max+average')]);
  assert.equal(embeddingUnits(4, 'max+average'), 8);
  // same seed, same trunk weights: the pooled values come from one feature map
  const lastConv = (m: tf.LayersModel): tf.Tensor =>
    tf
      .model({ inputs: m.inputs, outputs: m.getLayer('conv_act_6').output as tf.SymbolicTensor })
      .predict(x) as tf.Tensor;
  const fmap = lastConv(avg);
  const e = (m: tf.LayersModel): Float32Array => (forward(m, x)[0] as tf.Tensor).dataSync() as Float32Array;
  const mean = fmap.mean(1).dataSync();
  const peak = fmap.max(1).dataSync();
  e(avg).forEach((v, i) => assert.ok(Math.abs(v - (mean[i] as number)) < 1e-6, `average ${i}`));
  e(max).forEach((v, i) => assert.ok(Math.abs(v - (peak[i] as number)) < 1e-6, `max ${i}`));
  const cat = e(both);
  for (let b = 0; b < 2; b++)
    for (let c = 0; c < 4; c++) {
      assert.ok(
        Math.abs((cat[b * 8 + c] as number) - (peak[b * 4 + c] as number)) < 1e-6,
        `max part ${b},${c}`,
      );
      assert.ok(
        Math.abs((cat[b * 8 + 4 + c] as number) - (mean[b * 4 + c] as number)) < 1e-6,
        `mean part ${b},${c}`,
      );
    }
  // the option adds no trunk parameter
  assert.equal(
    summarizeStrNetwork({ ...modelSchema.parse({}), globalPool: 'average' }, 2560).trunkParams,
    329152,
  );
  assert.equal(modelSchema.parse({}).globalPool, 'max');
});
