// Losses and learning-rate schedule of pretraining (METHOD §3).
import * as tf from '@tensorflow/tfjs';
import { InternalError } from '../errors.js';

/**
 * The pretext loss (METHOD §3): sum over heads of weight_i * mean sigmoid cross-entropy(logits_i, labels[:, i])
 * plus l2 * sum over kernels of sum(W^2)/2. Needs one weight and one label column per head.
 */
export function pretextLoss(
  logits: readonly tf.Tensor[],
  labels: tf.Tensor2D,
  taskWeights: readonly number[],
  l2: number,
  kernels: readonly tf.Tensor[],
): tf.Scalar {
  if (taskWeights.length !== logits.length || labels.shape[1] !== logits.length)
    throw new InternalError(
      `pretextLoss: ${logits.length} heads need as many task weights and label columns, got ${taskWeights.length} and ${labels.shape[1]}`,
    );
  return tf.tidy(() => {
    const parts = logits.map((z, i) => {
      const y = labels.slice([0, i], [-1, 1]);
      // stable form: max(z,0) - z*y + log(1 + exp(-|z|))
      const ce = tf.add(tf.sub(tf.relu(z), tf.mul(z, y)), tf.log1p(tf.exp(tf.neg(tf.abs(z)))));
      return tf.mul(ce.mean(), taskWeights[i] as number);
    });
    let total = tf.addN(parts);
    if (l2 > 0 && kernels.length > 0) {
      total = tf.add(total, tf.mul(tf.addN(kernels.map((k) => tf.sum(tf.square(k)))), l2 / 2));
    }
    return total as tf.Scalar;
  });
}

/** Staircase learning rate of METHOD §3: lr0 * rate^floor(step / decaySteps). */
export function staircaseLearningRate(lr0: number, rate: number, decaySteps: number, step: number): number {
  return lr0 * Math.pow(rate, Math.floor(step / decaySteps));
}
