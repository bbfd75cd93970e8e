import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { InternalError } from '../../src/errors.js';
import { buildEmotionHead, forward } from '../../src/models/index.js';
import { deriveRng } from '../../src/random/index.js';
import { invertedDropoutMask, rngDropout } from '../../src/training/dropoutMask.js';
import { predictClasses, resolveHeadArgs, trainClassifier } from '../../src/training/finetune.js';
import type { Rng } from '../../src/random/types.js';

/** Deterministic test Rng (LCG permutation only; trainClassifier uses nothing else). */
function testRng(seed: number): Rng {
  let s = seed >>> 0;
  const uniform = (): number => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
  const permutation = (n: number): number[] => {
    const p = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(uniform() * (i + 1));
      [p[i], p[j]] = [p[j]!, p[i]!];
    }
    return p;
  };
  return { uniform, permutation } as unknown as Rng;
}

test('resolveHeadArgs applies the METHOD §4 per-dataset defaults', () => {
  const ft = { units: 512 };
  assert.deepEqual(resolveHeadArgs(ft, 'dreamer', 2, 1), {
    inputUnits: 128,
    layers: 3,
    units: 512,
    dropout: 0.2,
    l2: 1e-4,
    numClasses: 2,
    seed: 1,
  });
  assert.equal(resolveHeadArgs(ft, 'amigos', 2, 1).dropout, 0.4);
  assert.equal(resolveHeadArgs(ft, 'swell', 3, 1).layers, 2);
  assert.equal(resolveHeadArgs({ units: 64, layers: 1, dropout: 0 }, 'amigos', 2, 1).layers, 1);
});

for (const numClasses of [2, 3]) {
  test(`trainClassifier learns separable ${numClasses}-class embeddings (loss falls, accuracy high)`, async () => {
    await tf.setBackend('cpu');
    const n = 90;
    const labels = Array.from({ length: n }, (_, i) => i % numClasses);
    const data = new Float32Array(n * 128);
    labels.forEach((y, i) => {
      for (let d = 0; d < 128; d++)
        data[i * 128 + d] = (d % numClasses === y ? 1 : -1) * (0.5 + ((i * 7 + d) % 5) / 10);
    });
    const x = tf.tensor2d(data, [n, 128]);
    const head = buildEmotionHead({
      ...resolveHeadArgs({ units: 16, l2: numClasses === 3 ? 1e-4 : 0 }, 'synthetic', numClasses, 3),
    });
    const losses = trainClassifier(head, x, labels, {
      epochs: 15,
      batchSize: 32,
      learningRate: 0.001,
      rng: testRng(1),
    });
    assert.equal(losses.length, 15);
    assert.ok(losses.at(-1)! < losses[0]! * 0.7, `loss ${losses[0]} -> ${losses.at(-1)}`);
    const pred = predictClasses(head, x, 40);
    const acc = pred.filter((p, i) => p === labels[i]).length / n;
    assert.ok(acc > 0.95, `accuracy ${acc}`);
    x.dispose();
    head.dispose();
  });
}

/** An Rng stream that records every uniform draw (the dropout masks' draws). */
function recording(rng: Rng, log: number[]): Rng {
  return {
    ...rng,
    uniform: () => {
      const u = rng.uniform();
      log.push(u);
      return u;
    },
  } as Rng;
}

test('trainClassifier: head dropout from the dropoutRng streams, bit-reproducible, a new mask every step', async () => {
  await tf.setBackend('cpu');
  const n = 40;
  const dims = 8;
  const units = 16;
  const labels = Array.from({ length: n }, (_, i) => i % 2);
  const data = Float32Array.from(
    { length: n * dims },
    (_, j) => Math.sin(j * 0.37) + (labels[Math.floor(j / dims)]! - 0.5),
  );
  const x = tf.tensor2d(data, [n, dims]);
  const headArgs = { inputUnits: dims, layers: 2, units, dropout: 0.4, l2: 0, numClasses: 2, seed: 3 };
  const fit = (dropoutSeed: number, steps?: Map<string, number[]>) => {
    const head = buildEmotionHead(headArgs);
    const losses = trainClassifier(head, x, labels, {
      epochs: 3,
      batchSize: 16,
      learningRate: 0.01,
      rng: deriveRng(1, 0),
      dropoutRng: (epoch, batch) => {
        const log: number[] = [];
        steps?.set(`${epoch}/${batch}`, log);
        return recording(deriveRng(dropoutSeed, epoch, batch), log);
      },
    });
    const weights = head.getWeights().map((w) => Array.from(w.dataSync()));
    const scores = Array.from((head.predict(x) as tf.Tensor).dataSync());
    const again = Array.from((head.predict(x) as tf.Tensor).dataSync());
    assert.deepEqual(again, scores); // inference: no dropout
    const unmasked = Array.from(forward(head, x)[0]!.dataSync());
    assert.deepEqual(unmasked, scores);
    const pred = predictClasses(head, x, 16);
    head.dispose();
    return { losses, weights, pred };
  };
  const steps = new Map<string, number[]>();
  const a = fit(7, steps);
  const b = fit(7);
  const c = fit(8);
  assert.deepEqual(b.losses, a.losses);
  assert.deepEqual(b.weights, a.weights);
  assert.deepEqual(b.pred, a.pred);
  assert.notDeepEqual(c.weights, a.weights);
  // 3 epochs x 3 batches (16, 16, 8 rows), each with its own stream and 2 masks [rows, units].
  assert.deepEqual([...steps.keys()], ['0/0', '0/1', '0/2', '1/0', '1/1', '1/2', '2/0', '2/1', '2/2']);
  const masks = [...steps.entries()].map(([key, u]) => {
    assert.equal(u.length, (key.endsWith('/2') ? 8 : 16) * units * 2, key);
    return u
      .slice(0, 8 * units * 2)
      .map((v) => (v >= 0.4 ? 1 : 0))
      .join('');
  });
  assert.equal(new Set(masks).size, masks.length, 'a mask repeats between steps');
  const kept =
    masks
      .join('')
      .split('')
      .filter((v) => v === '1').length / masks.join('').length;
  assert.ok(kept > 0.5 && kept < 0.7, `kept fraction ${kept}`);
  // No unseeded fallback: a head with dropout needs the streams.
  const head = buildEmotionHead(headArgs);
  assert.throws(
    () =>
      trainClassifier(head, x, labels, {
        epochs: 1,
        batchSize: 16,
        learningRate: 0.01,
        rng: deriveRng(1, 0),
      }),
    (err: unknown) =>
      err instanceof InternalError &&
      /trainClassifier: .*dropout \(rate 0\.4\).*dropoutRng/.test(err.message),
  );
  head.dispose();
  x.dispose();
});

test('rngDropout: inverted dropout masks, values 0 or 1/(1-rate), drawn layer by layer as forward applies them', () => {
  const head = buildEmotionHead({
    inputUnits: 6,
    layers: 2,
    units: 50,
    dropout: 0.4,
    l2: 0,
    numClasses: 3,
    seed: 2,
  });
  const x = tf.randomNormal([20, 6], 0, 1, 'float32', 1);
  const p = forward(head, x, { training: rngDropout(deriveRng(5, 1)) })[0]!;
  // the same masks by hand: [rows, units] row-major from one stream, dense 1's then dense 2's
  const rng = deriveRng(5, 1);
  const m1 = invertedDropoutMask(20, 50, 0.4, rng);
  const m2 = invertedDropoutMask(20, 50, 0.4, rng);
  const v = Array.from(m1.dataSync());
  assert.ok(v.every((m) => m === 0 || Math.abs(m - 1 / 0.6) < 1e-6));
  const mean = v.reduce((s, m) => s + m, 0) / v.length;
  assert.ok(Math.abs(mean - 1) < 0.1, `mean mask ${mean}`); // expectation preserved
  let y = tf.mul(head.getLayer('emotion_dense_1').apply(x) as tf.Tensor, m1);
  y = tf.mul(head.getLayer('emotion_dense_2').apply(y) as tf.Tensor, m2);
  const ref = head.getLayer('emotion_output').apply(y) as tf.Tensor;
  assert.deepEqual(p.dataSync(), ref.dataSync());
  // a model with dropout and no stream: an error, not unseeded dropout
  assert.throws(
    () => forward(head, x, { training: rngDropout(undefined) }),
    /rngDropout: dropout layer "emotion_dropout_1" needs a mask but no random stream was given/,
  );
  head.dispose();
});
