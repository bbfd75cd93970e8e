import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { buildEmotionHead } from '../../src/models/index.js';
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
