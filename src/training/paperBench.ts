// paperBench(): the real pretraining network and step on fixed inputs, timed by doctor and the benchmarks.
import * as tf from '@tensorflow/tfjs';
import { modelSchema, preprocessingSchema, pretrainSchema, type ModelConfig } from '../config/schema.js';
import { buildStrNetwork, forward } from '../models/index.js';
import { deriveRng } from '../random/index.js';
import { createAdam } from '../engine/index.js';
import { pretrainStep, pretrainStepAccumulated, type PretrainStepArgs } from './pretrainStep.js';

/** Arguments of {@link paperBench}. */
export interface PaperBenchArgs {
  /** Samples per step. */
  batch: number;
  /** Samples per window; default the config's (`preprocessing.windowSamples`, METHOD §1). */
  windowSamples?: number;
  /** The network's settings; default the config's (`model`, METHOD §3). */
  model?: ModelConfig;
}

/** The network, its inputs and the operations the benchmarks time (see {@link paperBench}). */
export interface PaperBench {
  /** Which builder made the network. */
  network: string;
  windowSamples: number;
  /**
   * One training step ({@link pretrainStep}) on the batch, or with `chunkRows` below the batch the gradients
   * accumulated over chunks of that many samples ({@link pretrainStepAccumulated}); returns the loss.
   */
  train(chunkRows?: number): number;
  /** Inference (`forward` in testing mode) on the batch in passes of at most `passRows` samples; reads the outputs. */
  infer(passRows: number): void;
  dispose(): void;
}

/**
 * The paper's network as pretraining builds it (`buildStrNetwork` with the config's default model, METHOD §3: 561,223
 * parameters at 2560 samples) with `batch` deterministic samples (a sine) and alternating labels, and the real
 * training step ({@link pretrainStep}: head dropout masks from the project Rng, the pretext loss with the default task
 * weights and L2, Adam with the default pretraining settings). No data or randomness beyond the seeded streams.
 */
export function paperBench(args: PaperBenchArgs): PaperBench {
  const windowSamples = args.windowSamples ?? preprocessingSchema.parse({}).windowSamples;
  const cfg = pretrainSchema.parse({});
  const B = args.batch;
  const model = buildStrNetwork({ ...(args.model ?? modelSchema.parse({})), windowSamples, seed: 1 });
  const heads = model.outputs.length;
  const x = tf.tidy(() => tf.sin(tf.range(0, B * windowSamples).mul(0.013)).reshape([B, windowSamples, 1]));
  const labels = tf.tidy(() =>
    tf
      .range(0, B)
      .reshape([B, 1])
      .add(tf.range(0, heads).reshape([1, heads]))
      .mod(2)
      .cast('float32'),
  ) as tf.Tensor2D;
  const optimizer = createAdam(cfg.learningRate, cfg.adam.beta1, cfg.adam.beta2, cfg.adam.epsilon);
  let step = 0;
  const stepArgs = (): PretrainStepArgs => ({
    model,
    optimizer,
    x,
    labels,
    taskWeights: cfg.taskWeights,
    l2: cfg.l2,
    dropoutRng: deriveRng(1, step++),
  });
  const train = (chunkRows?: number): number => {
    if (chunkRows !== undefined && chunkRows < B) return pretrainStepAccumulated(stepArgs(), chunkRows);
    const { loss } = pretrainStep(stepArgs());
    const v = loss.dataSync()[0] as number;
    loss.dispose();
    return v;
  };
  const infer = (passRows: number): void => {
    for (let start = 0; start < B; start += passRows) {
      const outs = tf.tidy(() => forward(model, tf.slice(x, start, Math.min(passRows, B - start))));
      for (const o of outs) o.dataSync();
      tf.dispose(outs);
    }
  };
  return {
    network: 'models.buildStrNetwork',
    windowSamples,
    train,
    infer,
    dispose: () => {
      optimizer.dispose();
      model.dispose();
      tf.dispose([x, labels]);
    },
  };
}
