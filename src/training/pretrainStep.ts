// The pretraining step (METHOD §3): forward with Rng dropout masks, the pretext loss, one Adam update.
import * as tf from '@tensorflow/tfjs';
import { forward, strLogits } from '../models/index.js';
import type { Rng } from '../random/types.js';
import { rngDropout } from './dropoutMask.js';
import { pretextLoss } from './losses.js';

/** Arguments of {@link pretrainStep}. */
export interface PretrainStepArgs {
  /** A STR network (`buildStrNetwork`). */
  model: tf.LayersModel;
  optimizer: tf.Optimizer;
  /** Samples [n, windowSamples, 1]. */
  x: tf.Tensor;
  /** Pretext labels [n, heads] (1: the sample has that head's transformation). */
  labels: tf.Tensor2D;
  /** Loss weight per head (METHOD §3). */
  taskWeights: readonly number[];
  /** L2 factor on the kernels (sum(W^2)/2). */
  l2: number;
  /** The stream of this step's head dropout masks (`rngDropout`); needed when the heads have dropout. */
  dropoutRng?: Rng;
  /** Also return the logits [n, heads] (kept out of the step's tidy: the caller disposes them). */
  keepLogits?: boolean;
  /** Sees each dropout mask as it is drawn (inside the step's tidy: keep a copy to use it after the step). */
  onMask?: (mask: tf.Tensor) => void;
}

/** The loss of `model` on `x` in training mode (heads' logits, {@link pretextLoss}), and the logits. */
function lossOf(
  args: Omit<PretrainStepArgs, 'optimizer' | 'keepLogits' | 'onMask'>,
  x: tf.Tensor,
  labels: tf.Tensor2D,
  training: ReturnType<typeof rngDropout>,
): { loss: tf.Scalar; logits: tf.Tensor[] } {
  const kernels = args.model.trainableWeights.filter((w) => w.name.includes('kernel')).map((w) => w.read());
  const logits = forward(args.model, x, { training, fetch: strLogits(args.model) });
  return { loss: pretextLoss(logits, labels, args.taskWeights, args.l2, kernels), logits };
}

/**
 * One pretraining step (METHOD §3): `forward` in training mode with the head dropout masks drawn from `dropoutRng`
 * (head by head), the weighted sigmoid cross-entropy of the heads' logits + L2/2 on the kernels
 * ({@link pretextLoss}), one `optimizer` update of the trainable weights. Returns the loss (a scalar the caller
 * disposes) and, with `keepLogits`, the logits [n, heads].
 */
export function pretrainStep(args: PretrainStepArgs): { loss: tf.Scalar; logits: tf.Tensor | null } {
  const vars = args.model.trainableWeights.map((w) => w.read() as tf.Variable);
  const training = rngDropout(args.dropoutRng, args.onMask);
  let logits: tf.Tensor | null = null;
  const loss = args.optimizer.minimize(
    () => {
      const r = lossOf(args, args.x, args.labels, training);
      if (args.keepLogits) logits = tf.keep(tf.concat(r.logits, 1));
      return r.loss;
    },
    true,
    vars,
  );
  return { loss: loss as tf.Scalar, logits };
}

/**
 * {@link pretrainStep} for a batch too large for one pass (the wasm32 heap is capped at 4 GiB; the 896-sample batch
 * of METHOD §3, 128 windows x 7, does not fit): the gradients of the loss are accumulated over chunks of at most
 * `chunkRows` samples (each chunk's loss weighted by its share of the batch, so they sum to the batch's loss) and
 * the optimizer is applied once. The dropout masks are drawn chunk by chunk from `dropoutRng`. Returns the loss.
 */
export function pretrainStepAccumulated(args: PretrainStepArgs, chunkRows: number): number {
  const n = args.x.shape[0] as number;
  const vars = args.model.trainableWeights.map((w) => w.read() as tf.Variable);
  const training = rngDropout(args.dropoutRng);
  let acc: tf.NamedTensorMap | null = null;
  let lossSum = 0;
  for (let start = 0; start < n; start += chunkRows) {
    const size = Math.min(chunkRows, n - start);
    const { value, grads } = tf.variableGrads(() => {
      const x = tf.slice(args.x, start, size);
      const labels = tf.slice(args.labels, start, size);
      return tf.mul(lossOf(args, x, labels, training).loss, size / n) as tf.Scalar;
    }, vars);
    lossSum += value.dataSync()[0] as number;
    value.dispose();
    if (!acc) acc = grads;
    else {
      const prev: tf.NamedTensorMap = acc;
      acc = {};
      for (const k of Object.keys(grads)) acc[k] = tf.add(prev[k] as tf.Tensor, grads[k] as tf.Tensor);
      tf.dispose([prev, grads]);
    }
  }
  if (acc) {
    args.optimizer.applyGradients(acc);
    tf.dispose(acc);
  }
  return lossSum;
}
