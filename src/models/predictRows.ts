// predictRows(): forward() in testing mode over a batch, in passes of 32 rows as model.predict splits it.
import * as tf from '@tensorflow/tfjs';
import { check } from '../errors.js';
import { forward } from './forward.js';

/** Rows per pass of {@link predictRows}: `model.predict`'s default batch size. */
export const PREDICT_PASS_ROWS = 32;

/**
 * The model's outputs for `x` in testing mode ({@link forward}, no dropout), computed in passes of
 * {@link PREDICT_PASS_ROWS} rows and concatenated, as `model.predict` does: engines whose kernels depend on the batch
 * size (oneDNN, the FFT route) then give the same last bits as before. Call it inside `tf.tidy`.
 */
export function predictRows(model: tf.LayersModel, x: tf.Tensor): tf.Tensor[] {
  const n = x.shape[0] as number;
  check(n > 0, 'predictRows', 'x has no rows');
  const passes: tf.Tensor[][] = [];
  for (let start = 0; start < n; start += PREDICT_PASS_ROWS)
    passes.push(forward(model, tf.slice(x, start, Math.min(PREDICT_PASS_ROWS, n - start))));
  if (passes.length === 1) return passes[0] as tf.Tensor[];
  return model.outputs.map((_, i) =>
    tf.concat(
      passes.map((p) => p[i] as tf.Tensor),
      0,
    ),
  );
}
