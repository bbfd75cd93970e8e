// The emotion classifier (METHOD §4): the dense head on the embedding, and trunk + head as one network.
import * as tf from '@tensorflow/tfjs';
import { check, invariant } from '../errors.js';
import type { ModelConfig } from '../config/schema.js';
import { initializeWeights } from './init.js';
import { buildEncoder, buildStrNetwork } from './strNetwork.js';

/** Arguments of {@link buildEmotionHead} (METHOD §4). */
export interface EmotionHeadArgs {
  /** Embedding size (METHOD §3: 128). */
  inputUnits: number;
  /** Number of dense layers (SWELL/WESAD 2, AMIGOS/DREAMER 3). */
  layers: number;
  /** Units per dense layer (METHOD §4: 512). */
  units: number;
  /** Dropout after each dense layer (AMIGOS 0.4, DREAMER 0.2, else 0). */
  dropout: number;
  /** L2 on the dense kernels (DREAMER 1e-4, else 0). */
  l2: number;
  /** Classes: 2 -> 2 sigmoid units (authors' code, BCE on one-hot); more -> softmax. */
  numClasses: number;
  /** Seed of the Glorot-uniform kernels (project Rng). */
  seed: number;
}

/**
 * The dense emotion classifier on the 128-d embedding (METHOD §4): `layers` x dense(units, ReLU, Glorot, L2)
 * each followed by dropout, then `emotion_output` (2 sigmoid units for 2 classes, else softmax).
 */
export function buildEmotionHead(args: EmotionHeadArgs): tf.LayersModel {
  check(args.numClasses >= 2, 'buildEmotionHead', `numClasses must be >= 2, got ${args.numClasses}`);
  invariant(args.layers >= 1, 'buildEmotionHead', `layers must be >= 1, got ${args.layers}`);
  const inp = tf.input({ shape: [args.inputUnits], name: 'embedding' });
  let y: tf.SymbolicTensor = inp;
  for (let i = 1; i <= args.layers; i++) {
    y = tf.layers
      .dense({
        units: args.units,
        activation: 'relu',
        name: `emotion_dense_${i}`,
        kernelRegularizer: args.l2 > 0 ? tf.regularizers.l2({ l2: args.l2 }) : undefined,
      })
      .apply(y) as tf.SymbolicTensor;
    // A layer of the model (plain TF.js loads and runs it; inference skips dropout); when training, `forward`
    // applies masks from the project Rng here, never tfjs' own dropout.
    if (args.dropout > 0)
      y = tf.layers
        .dropout({ rate: args.dropout, name: `emotion_dropout_${i}` })
        .apply(y) as tf.SymbolicTensor;
  }
  const out = tf.layers
    .dense({
      units: args.numClasses,
      activation: args.numClasses === 2 ? 'sigmoid' : 'softmax',
      name: 'emotion_output',
    })
    .apply(y) as tf.SymbolicTensor;
  const model = tf.model({ inputs: inp, outputs: out, name: 'emotion_head' });
  initializeWeights(model, args.seed, 10_000);
  return model;
}

/** Arguments of {@link buildEmotionNetwork}. */
export interface EmotionNetworkArgs {
  /** A pretrained encoder (input -> 128-d), or null for a randomly initialised trunk (the no-SSL baseline). */
  encoder: tf.LayersModel | null;
  head: EmotionHeadArgs;
  /** Whether the trunk trains (`full` mode, baseline) or stays frozen (fc-tuning). */
  trainableEncoder: boolean;
  /** For a null encoder: the trunk's shape and window length. */
  modelConfig?: ModelConfig;
  windowSamples?: number;
}

/** Encoder + emotion head as one model (input window -> class scores), for `full` fine-tuning and the baseline. */
export function buildEmotionNetwork(args: EmotionNetworkArgs): tf.LayersModel {
  let encoder = args.encoder;
  if (!encoder) {
    invariant(
      args.windowSamples !== undefined,
      'buildEmotionNetwork',
      'windowSamples is needed without an encoder',
    );
    encoder = buildEncoder(
      buildStrNetwork({
        ...(args.modelConfig ?? {}),
        windowSamples: args.windowSamples,
        seed: args.head.seed,
      }),
    );
  }
  encoder.trainable = args.trainableEncoder;
  const head = buildEmotionHead(args.head);
  const inp = tf.input({ shape: encoder.inputs[0]?.shape.slice(1) as number[], name: 'window' });
  const emb = encoder.apply(inp) as tf.SymbolicTensor;
  const out = head.apply(emb) as tf.SymbolicTensor;
  return tf.model({ inputs: inp, outputs: out, name: 'emotion_network' });
}
