// Inverted-dropout masks from the project Rng, and the training mode of forward() that draws them.
import * as tf from '@tensorflow/tfjs';
import { invariant } from '../errors.js';
import type { ForwardTraining } from '../models/index.js';
import type { Rng } from '../random/types.js';
import { timePhase } from '../util/phaseTimer.js';

/**
 * An inverted-dropout mask [rows, units]: each value 1/(1-rate) (kept, when `uniform() >= rate`) or 0, drawn
 * row-major from `rng` (rows*units draws), as tfjs' dropout scales. `rate` must be in [0, 1).
 */
export function invertedDropoutMask(rows: number, units: number, rate: number, rng: Rng): tf.Tensor2D {
  const keep = 1 / (1 - rate);
  const v = timePhase('dropout', () => {
    const m = new Float32Array(rows * units);
    for (let i = 0; i < m.length; i++) m[i] = rng.uniform() >= rate ? keep : 0;
    return m;
  });
  return tf.tensor2d(v, [rows, units]);
}

/**
 * The training mode of `forward` whose dropout masks are drawn from `rng` ({@link invertedDropoutMask}, the input's
 * shape, row-major), one after the other in the order forward applies the dropout layers (for the STR network head
 * by head, each head's first mask then its second; for an emotion head layer by layer). Without `rng` (a model
 * without dropout) asking for a mask is an error. `onMask` sees each mask as it is drawn (it draws nothing).
 */
export function rngDropout(rng: Rng | undefined, onMask?: (mask: tf.Tensor) => void): ForwardTraining {
  return {
    maskFor: ({ name, rate }, shape) => {
      invariant(
        rng !== undefined,
        'rngDropout',
        `dropout layer "${name}" needs a mask but no random stream was given`,
      );
      invariant(
        rate > 0 && rate < 1,
        'rngDropout',
        `dropout rate of "${name}" must be in (0, 1), got ${rate}`,
      );
      const rows = shape[0] as number;
      const mask = invertedDropoutMask(rows, rows > 0 ? shapeSize(shape) / rows : 0, rate, rng!);
      const out = shape.length === 2 ? mask : tf.reshape(mask, [...shape]);
      onMask?.(out);
      return out;
    },
  };
}

function shapeSize(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
