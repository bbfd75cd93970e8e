import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../random/types.js';

/**
 * An inverted-dropout mask [rows, units]: each value 1/(1-rate) (kept, when `uniform() >= rate`) or 0, drawn
 * row-major from `rng` (rows*units draws), as tfjs' dropout scales. `rate` must be in [0, 1).
 */
export function invertedDropoutMask(rows: number, units: number, rate: number, rng: Rng): tf.Tensor2D {
  const keep = 1 / (1 - rate);
  const v = new Float32Array(rows * units);
  for (let i = 0; i < v.length; i++) v[i] = rng.uniform() >= rate ? keep : 0;
  return tf.tensor2d(v, [rows, units]);
}
