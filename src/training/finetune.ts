// Fine-tuning of the emotion classifier (METHOD §4): head shapes, the training loop and batched prediction.
import * as tf from '@tensorflow/tfjs';
import { readerEntry } from '../datasets/readers/registry.js';
import { DEFAULT_HEAD_SHAPE } from '../datasets/readers/sourceFields.js';
import { check, invariant } from '../errors.js';
import { dropoutPoints, forward, predictRows, type EmotionHeadArgs } from '../models/index.js';
import type { Rng } from '../random/types.js';
import { rngDropout } from './dropoutMask.js';
import { createAdam } from '../engine/index.js';
import { timePhase } from '../util/phaseTimer.js';

/** Dense-head shape per dataset when the config leaves it unset (METHOD §4): a lookup, 2 x 512 when unknown. */
export function defaultHeadShape(dataset: string): { layers: number; dropout: number; l2: number } {
  return { ...(readerEntry(dataset)?.headShape ?? DEFAULT_HEAD_SHAPE) };
}

/** Resolves the head arguments from the finetune config section, filling unset fields with the dataset defaults. */
export function resolveHeadArgs(
  finetune: { layers?: number; units: number; dropout?: number; l2?: number },
  dataset: string,
  numClasses: number,
  seed: number,
): EmotionHeadArgs {
  const d = defaultHeadShape(dataset);
  return {
    inputUnits: 128,
    layers: finetune.layers ?? d.layers,
    units: finetune.units,
    dropout: finetune.dropout ?? d.dropout,
    l2: finetune.l2 ?? d.l2,
    numClasses,
    seed,
  };
}

/** Arguments of {@link trainClassifier}. */
export interface TrainClassifierArgs {
  /** Epochs (METHOD §4: 200, final epoch kept, no early stopping). */
  epochs: number;
  /** Batch size (METHOD §4: 128). */
  batchSize: number;
  /** Adam learning rate (METHOD §4: 0.001). */
  learningRate: number;
  /** Adam moments (METHOD §3/§4: beta1 0.9, beta2 0.999, epsilon 1e-8); default those. */
  adam?: { beta1: number; beta2: number; epsilon: number };
  /** Shuffles the training order each epoch (project Rng). */
  rng: Rng;
  /**
   * The random stream of the dropout masks of one training step (epoch, batch number in the epoch), e.g. a
   * `deriveRng` stream keyed by both; required when the head has dropout (tfjs' own dropout is never used).
   */
  dropoutRng?: (epoch: number, batch: number) => Rng;
  /** Called after each epoch with the mean loss. */
  onEpoch?: (epoch: number, loss: number) => void;
}

/**
 * Trains a classifier (head on embeddings, or the whole network) with Adam on mini-batches in an Rng-shuffled
 * order. Loss: with 2 sigmoid outputs, binary cross-entropy on the one-hot target (the authors' code); otherwise
 * categorical cross-entropy on softmax; plus the model's L2 regularisation losses. The head's dropout is applied
 * with masks from `dropoutRng(epoch, batch)` (`forward` in training mode, {@link rngDropout}: layer by layer), so a run
 * is bit-reproducible from its seeds. Returns the per-epoch mean loss.
 */
export function trainClassifier(
  model: tf.LayersModel,
  x: tf.Tensor,
  labels: readonly number[],
  args: TrainClassifierArgs,
): number[] {
  const n = labels.length;
  check(n > 0 && x.shape[0] === n, 'trainClassifier', `x has ${x.shape[0]} rows for ${n} labels`);
  const numClasses = model.outputs[0]!.shape[1] as number;
  invariant(
    labels.every((y) => Number.isInteger(y) && y >= 0 && y < numClasses),
    'trainClassifier',
    `labels must be class indices in [0, ${numClasses})`,
  );
  const maxRate = Math.max(0, ...dropoutPoints(model).map((d) => d.rate));
  invariant(
    maxRate === 0 || args.dropoutRng !== undefined,
    'trainClassifier',
    `the head has dropout (rate ${maxRate}) but no dropoutRng was given`,
  );
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const binary = numClasses === 2;
  const adam = args.adam ?? { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };
  const optimizer = createAdam(args.learningRate, adam.beta1, adam.beta2, adam.epsilon);
  const yAll = tf.oneHot(tf.tensor1d(labels as number[], 'int32'), numClasses).toFloat();
  const history: number[] = [];
  try {
    for (let epoch = 0; epoch < args.epochs; epoch++) {
      const order = args.rng.permutation(n);
      let total = 0;
      for (let start = 0, batch = 0; start < n; start += args.batchSize, batch++) {
        const idx = order.slice(start, start + args.batchSize);
        const loss = timePhase('engine.finetune', () =>
          tf.tidy(() => {
            const ids = tf.tensor1d(idx, 'int32');
            const xb = tf.gather(x, ids);
            const yb = tf.gather(yAll, ids);
            const training = rngDropout(maxRate > 0 ? args.dropoutRng!(epoch, batch) : undefined);
            const cost = optimizer.minimize(
              () => {
                const p = forward(model, xb, { training })[0] as tf.Tensor;
                let l = binary
                  ? tf.losses.sigmoidCrossEntropy(
                      yb,
                      tf.log(
                        tf.div(
                          tf.clipByValue(p, 1e-7, 1 - 1e-7),
                          tf.sub(1, tf.clipByValue(p, 1e-7, 1 - 1e-7)),
                        ),
                      ),
                    )
                  : tf.losses.softmaxCrossEntropy(yb, tf.log(tf.clipByValue(p, 1e-7, 1)));
                for (const r of model.losses) l = tf.add(l, r());
                return l as tf.Scalar;
              },
              true,
              vars,
            );
            return cost!.dataSync()[0]!;
          }),
        );
        total += loss * idx.length;
      }
      history.push(total / n);
      args.onEpoch?.(epoch, total / n);
    }
  } finally {
    yAll.dispose();
    optimizer.dispose();
  }
  return history;
}

/** Batched inference (`forward` in testing mode, {@link predictRows}): class index (argmax) per row of `x`. */
export function predictClasses(model: tf.LayersModel, x: tf.Tensor, batchSize: number): number[] {
  const out: number[] = [];
  const n = x.shape[0]!;
  for (let start = 0; start < n; start += batchSize) {
    const cls = timePhase('engine.inference', () =>
      tf.tidy(() => {
        const xb = tf.slice(x, start, Math.min(batchSize, n - start));
        return (predictRows(model, xb)[0] as tf.Tensor).argMax(-1).dataSync();
      }),
    );
    for (const c of cls) out.push(c);
  }
  return out;
}
