// forward(): every layer runs in training and in testing mode (new layer kinds too), dropout only from given masks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import {
  buildEmotionHead,
  buildStrNetwork,
  forward,
  initializeWeights,
  predictRows,
  strLogits,
  type DropoutPoint,
  type ForwardTraining,
} from '../../src/models/index.js';

await tf.setBackend('cpu');

/** A layer kind that forward() knows nothing about: multiplies its input by a constant. */
class Scale extends tf.layers.Layer {
  static className = 'TestScale';
  constructor(
    private readonly factor: number,
    name: string,
  ) {
    super({ name });
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.mul(Array.isArray(inputs) ? (inputs[0] as tf.Tensor) : inputs, this.factor);
  }
}

/** Masks of ones (rate-0 dropout), recording which dropout layers asked, with which shape. */
function onesMasks(log: string[]): ForwardTraining {
  return {
    maskFor: (p: DropoutPoint, shape) => {
      log.push(`${p.name}:${p.rate}:${shape.join('x')}`);
      return tf.ones([...shape]);
    },
  };
}

const values = (t: tf.Tensor): number[] => Array.from(t.dataSync());

function assertClose(a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(a.length, b.length, what);
  for (let i = 0; i < a.length; i++)
    assert.ok(Math.abs((a[i] as number) - (b[i] as number)) <= tol, `${what}[${i}]: ${a[i]} vs ${b[i]}`);
}

/**
 * A head with two layer kinds the old by-name replay did not know (a custom scaling layer, a layer normalisation)
 * between its dense layer and its dropout: input [4] -> dense 3 relu -> x3 -> layerNorm -> dropout 0.5 -> dense 2.
 */
function headWithNewLayers(): tf.LayersModel {
  const inp = tf.input({ shape: [4] });
  let y = tf.layers.dense({ units: 3, activation: 'relu', name: 'd1' }).apply(inp) as tf.SymbolicTensor;
  y = new Scale(3, 'scale').apply(y) as tf.SymbolicTensor;
  y = tf.layers.layerNormalization({ epsilon: 1e-3, name: 'norm' }).apply(y) as tf.SymbolicTensor;
  y = tf.layers.dropout({ rate: 0.5, name: 'drop' }).apply(y) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 2, name: 'out' }).apply(y) as tf.SymbolicTensor;
  const model = tf.model({ inputs: inp, outputs: out, name: 'head_new_layers' });
  initializeWeights(model, 9); // seeded kernels; then non-zero biases, gamma and beta
  const [k1, , , , k2] = model.getWeights();
  model.setWeights([
    k1!,
    tf.tensor1d([0.1, 0.3, -0.05]),
    tf.tensor1d([1, 0.5, 2]),
    tf.tensor1d([0.1, -0.2, 0.3]),
    k2!,
    tf.tensor1d([0.05, -0.1]),
  ]);
  return model;
}

/** The same head computed by hand in float64, with the dropout mask `mask` (per row, 3 values). */
function handHead(model: tf.LayersModel, x: number[][], mask: number[][]): number[] {
  const [k1, b1, gamma, beta, k2, b2] = model.getWeights().map(values) as number[][];
  const out: number[] = [];
  x.forEach((row, r) => {
    const h = [0, 1, 2].map(
      (j) =>
        3 *
        Math.max(
          0,
          row.reduce((a, v, i) => a + v * k1![i * 3 + j]!, b1![j]!),
        ),
    );
    const mean = h.reduce((a, v) => a + v, 0) / 3;
    const variance = h.reduce((a, v) => a + (v - mean) ** 2, 0) / 3;
    const n = h.map((v, j) => ((v - mean) / Math.sqrt(variance + 1e-3)) * gamma![j]! + beta![j]!);
    const d = n.map((v, j) => v * mask[r]![j]!);
    for (let o = 0; o < 2; o++) out.push(d.reduce((a, v, j) => a + v * k2![j * 2 + o]!, b2![o]!));
  });
  return out;
}

test('forward runs a layer kind it does not know in testing and in training mode (no layer skipped)', () => {
  const model = headWithNewLayers();
  const xs = [
    [0.5, -1, 2, 0.25],
    [1, 1, -0.5, 3],
  ];
  const x = tf.tensor2d(xs);
  const ones = xs.map(() => [1, 1, 1]);
  const testing = values(forward(model, x)[0] as tf.Tensor);
  // testing mode: model.predict's function, and the hand computation with every layer (a skipped layer fails here)
  assert.deepEqual(testing, values(model.predict(x) as tf.Tensor));
  assertClose(testing, handHead(model, xs, ones), 1e-5, 'testing vs hand');
  // training with rate-0 (all-ones) masks: the same as testing, so no layer is skipped in training either
  const log: string[] = [];
  const training = values(forward(model, x, { training: onesMasks(log) })[0] as tf.Tensor);
  assert.deepEqual(training, testing);
  assert.deepEqual(log, ['drop:0.5:2x3']);
  // a real mask lands after the scaling and normalisation layers
  const mask = [
    [2, 0, 2],
    [0, 2, 2],
  ];
  const masked = forward(model, x, { training: { maskFor: () => tf.tensor2d(mask) } })[0] as tf.Tensor;
  assertClose(values(masked), handHead(model, xs, mask), 1e-5, 'training vs hand');
  assert.notDeepEqual(values(masked), testing);
  model.dispose();
});

test('forward recurses into nested models (trunk + head) in both modes', () => {
  const head = headWithNewLayers();
  const tin = tf.input({ shape: [5] });
  const t1 = tf.layers.dense({ units: 4, name: 'trunk_dense' }).apply(tin) as tf.SymbolicTensor;
  const t2 = new Scale(-2, 'trunk_scale').apply(t1) as tf.SymbolicTensor;
  const trunk = tf.model({ inputs: tin, outputs: t2, name: 'trunk' });
  initializeWeights(trunk, 4);
  const inp = tf.input({ shape: [5] });
  const out = head.apply(trunk.apply(inp) as tf.SymbolicTensor) as tf.SymbolicTensor;
  const net = tf.model({ inputs: inp, outputs: out, name: 'net' });
  const x = tf.tensor2d([0.1, 0.2, -0.3, 0.4, 1, -1, 0.5, 0, 2, 0.3], [2, 5]);
  const testing = values(forward(net, x)[0] as tf.Tensor);
  assert.deepEqual(testing, values(net.predict(x) as tf.Tensor));
  const emb = trunk.predict(x) as tf.Tensor;
  assert.deepEqual(testing, values(head.predict(emb) as tf.Tensor));
  const log: string[] = [];
  assert.deepEqual(values(forward(net, x, { training: onesMasks(log) })[0] as tf.Tensor), testing);
  assert.deepEqual(log, ['drop:0.5:2x3']);
  // predictRows: passes of 32 rows, the same values as one pass
  const big = tf.randomNormal([70, 5], 0, 1, 'float32', 3);
  assertClose(
    values(predictRows(net, big)[0] as tf.Tensor),
    values(net.predict(big) as tf.Tensor),
    0,
    'predictRows',
  );
  net.dispose();
});

test('STR network: dropout layers in the heads, masks asked head by head, logits feed the sigmoid outputs', () => {
  const args = { windowSamples: 64, filters: [4, 4, 8], kernelSizes: [4, 4, 4], headUnits: 6, seed: 2 };
  const model = buildStrNetwork({ ...args, headDropout: 0.6 });
  const noDrop = buildStrNetwork({ ...args, headDropout: 0 });
  assert.equal(model.countParams(), noDrop.countParams());
  assert.equal(noDrop.layers.filter((l) => l.getClassName() === 'Dropout').length, 0);
  const x = tf.randomNormal([3, 64, 1], 0, 1, 'float32', 4);
  const log: string[] = [];
  const logits = forward(model, x, { training: onesMasks(log), fetch: strLogits(model) });
  const expected = Array.from({ length: 7 }, (_, t) =>
    [1, 2].map((k) => `task_${t}_dropout_${k}:0.6:3x6`),
  ).flat();
  assert.deepEqual(log, expected);
  const probs = model.predict(x) as tf.Tensor[];
  probs.forEach((p, t) =>
    assertClose(values(p), values(tf.sigmoid(logits[t] as tf.Tensor)), 1e-6, `head ${t}`),
  );
  // all-zero masks: every logit is its head's output bias (zero at init)
  const zero = forward(model, x, {
    training: { maskFor: (_, s) => tf.zeros([...s]) },
    fetch: strLogits(model),
  });
  assert.ok(zero.every((z) => z.abs().max().dataSync()[0] === 0));
  for (const m of [model, noDrop]) m.dispose();
});

test('forward refuses layers that draw unseeded random numbers when training, and checks mask shapes', () => {
  const inp = tf.input({ shape: [3] });
  const noisy = tf.layers.gaussianNoise({ stddev: 1, name: 'noise' }).apply(inp) as tf.SymbolicTensor;
  const model = tf.model({ inputs: inp, outputs: noisy });
  const x = tf.ones([2, 3]);
  assert.deepEqual(values(forward(model, x)[0] as tf.Tensor), [1, 1, 1, 1, 1, 1]);
  assert.throws(
    () => forward(model, x, { training: onesMasks([]) }),
    /forward: layer "noise" \(GaussianNoise\)/,
  );
  const head = buildEmotionHead({
    inputUnits: 3,
    layers: 1,
    units: 4,
    dropout: 0.4,
    l2: 0,
    numClasses: 2,
    seed: 1,
  });
  assert.throws(
    () => forward(head, x, { training: { maskFor: () => tf.ones([2, 5]) } }),
    /forward: mask of "emotion_dropout_1" has shape \[2, 5\], its input \[2, 4\]/,
  );
  assert.throws(() => forward(head, [x, x]), /forward: model "emotion_head" takes 1 inputs, got 2/);
  head.dispose();
});
