// Seeded Glorot-uniform kernel initialisation (glorotUniformValues, initializeWeights) from the project Rng.
import * as tf from '@tensorflow/tfjs';
import { deriveRng } from '../random/index.js';

/**
 * Glorot-uniform values for a kernel of `shape` (dense [in, out]; conv1d [k, in, out]) from the project's seeded
 * Rng: U(-l, l) with l = sqrt(6 / (fanIn + fanOut)), fanIn = receptive field * in, fanOut = receptive field * out
 * (METHOD §3: Glorot-uniform kernels).
 */
export function glorotUniformValues(shape: readonly number[], seed: number, key: number): Float32Array {
  const out = shape[shape.length - 1] ?? 1;
  const inp = shape[shape.length - 2] ?? 1;
  let receptive = 1;
  for (let i = 0; i < shape.length - 2; i++) receptive *= shape[i] ?? 1;
  const limit = Math.sqrt(6 / (receptive * inp + receptive * out));
  const n = shape.reduce((a, b) => a * b, 1);
  const rng = deriveRng(seed, key);
  const values = new Float32Array(n);
  for (let i = 0; i < n; i++) values[i] = (rng.uniform() * 2 - 1) * limit;
  return values;
}

/**
 * Sets every kernel of `model` to seeded Glorot-uniform values (one derived stream per weight, keyed by
 * `keyBase + weight index`) and every bias to zero (METHOD §3).
 */
export function initializeWeights(model: tf.LayersModel, seed: number, keyBase = 0): void {
  const weights = model.weights;
  const values = weights.map((w, i) => {
    if (w.name.includes('kernel'))
      return tf.tensor(glorotUniformValues(w.shape as number[], seed, keyBase + i), w.shape as number[]);
    return tf.zeros(w.shape as number[]);
  });
  model.setWeights(values);
  tf.dispose(values);
}
