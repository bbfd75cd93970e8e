// The signal transformation recognition network (METHOD §3): builder, encoder, head count and the heads' logits.
import * as tf from '@tensorflow/tfjs';
import { check, invariant } from '../errors.js';
import { initializeWeights } from './init.js';

/** Arguments of {@link buildStrNetwork}; defaults are METHOD §3 Table 1. */
export interface StrNetworkArgs {
  /** Samples per window (METHOD §1: 2560). */
  windowSamples: number;
  /** Filters of the three conv blocks (METHOD §3: [32, 64, 128]). */
  filters?: readonly number[];
  /** Kernel sizes of the three conv blocks (METHOD §3: [32, 16, 8]). */
  kernelSizes?: readonly number[];
  /** Max-pool size after blocks 1 and 2 (METHOD §3: 8). */
  poolSize?: number;
  /** Max-pool stride (METHOD §3: 2). */
  poolStride?: number;
  /** LeakyReLU slope (METHOD §3: 0.2). */
  leakyAlpha?: number;
  /**
   * Number of heads, one per pretext transformation (METHOD §3: 7). Pretraining passes the length of its
   * transformation table; the default only serves builds that use the trunk alone (encoder, benchmarks).
   */
  heads?: number;
  /**
   * Global pooling of the embedding (`flat_layer`): `max` (METHOD §3: global max pool), `average`, or `max+average`
   * (the two concatenated, twice the units).
   */
  globalPool?: GlobalPool;
  /** Units of the two dense layers of each head (METHOD §3: 128). */
  headUnits?: number;
  /**
   * Dropout rate in the heads during training (METHOD §3: 0.6): `task_i_dropout_k` layers after each head LeakyReLU
   * (none for 0); `forward` applies masks from the project Rng there when training.
   */
  headDropout?: number;
  /** Seed of the Glorot-uniform kernels (project Rng). */
  seed: number;
}

/** The global pooling over time that makes the embedding (`model.globalPool`). */
export type GlobalPool = 'max' | 'average' | 'max+average';

/** Units of the embedding (`flat_layer`) of a trunk with these last-block `filters` and `globalPool`. */
export function embeddingUnits(lastFilters: number, globalPool: GlobalPool = 'max'): number {
  return globalPool === 'max+average' ? 2 * lastFilters : lastFilters;
}

/** The embedding layer `flat_layer` on the last block's output: global max, average, or both concatenated. */
function globalPoolLayer(x: tf.SymbolicTensor, pool: GlobalPool): tf.SymbolicTensor {
  if (pool === 'max') return tf.layers.globalMaxPooling1d({ name: 'flat_layer' }).apply(x) as tf.SymbolicTensor;
  if (pool === 'average')
    return tf.layers.globalAveragePooling1d({ name: 'flat_layer' }).apply(x) as tf.SymbolicTensor;
  const max = tf.layers.globalMaxPooling1d({ name: 'global_max_pool' }).apply(x) as tf.SymbolicTensor;
  const avg = tf.layers.globalAveragePooling1d({ name: 'global_average_pool' }).apply(x) as tf.SymbolicTensor;
  return tf.layers.concatenate({ axis: -1, name: 'flat_layer' }).apply([max, avg]) as tf.SymbolicTensor;
}

/**
 * The signal transformation recognition network (METHOD §3, Table 1): 3 blocks of two 'same' conv1d + LeakyReLU,
 * max pool 8/2 after blocks 1-2, global max pool (`flat_layer`, the 128-d embedding; `globalPool` opts into average
 * or max+average), then `heads` (7) heads
 * dense -> LeakyReLU -> dropout -> dense -> LeakyReLU -> dropout -> dense 1 (`task_i_logits`) -> sigmoid (`task_i`).
 * Kernels Glorot-uniform from the project Rng, zero biases. 561,223 parameters with the defaults.
 */
export function buildStrNetwork(args: StrNetworkArgs): tf.LayersModel {
  const filters = args.filters ?? [32, 64, 128];
  const kernels = args.kernelSizes ?? [32, 16, 8];
  const poolSize = args.poolSize ?? 8;
  const poolStride = args.poolStride ?? 2;
  const alpha = args.leakyAlpha ?? 0.2;
  const headUnits = args.headUnits ?? 128;
  const heads = args.heads ?? 7;
  invariant(
    Number.isInteger(heads) && heads > 0,
    'buildStrNetwork',
    `heads must be a positive integer, got ${heads}`,
  );
  const headDropout = args.headDropout ?? 0.6;
  check(
    Number.isInteger(args.windowSamples) && args.windowSamples > 0,
    'buildStrNetwork',
    `windowSamples must be a positive integer, got ${args.windowSamples}`,
  );
  invariant(
    filters.length === 3 && kernels.length === 3,
    'buildStrNetwork',
    `filters and kernelSizes need 3 entries, got ${filters.length} and ${kernels.length}`,
  );
  const inp = tf.input({ shape: [args.windowSamples, 1], name: 'input' });
  let x: tf.SymbolicTensor = inp;
  let c = 0;
  for (let b = 0; b < 3; b++) {
    for (let r = 0; r < 2; r++) {
      c++;
      x = tf.layers
        .conv1d({
          filters: filters[b] as number,
          kernelSize: kernels[b] as number,
          padding: 'same',
          name: `conv_layer_${c}`,
        })
        .apply(x) as tf.SymbolicTensor;
      x = tf.layers.leakyReLU({ alpha, name: `conv_act_${c}` }).apply(x) as tf.SymbolicTensor;
    }
    if (b < 2) {
      x = tf.layers
        .maxPooling1d({ poolSize, strides: poolStride, padding: 'valid', name: `pool_${b + 1}` })
        .apply(x) as tf.SymbolicTensor;
    }
  }
  const feat = globalPoolLayer(x, args.globalPool ?? 'max');
  const outs: tf.SymbolicTensor[] = [];
  for (let t = 0; t < heads; t++) {
    let y = feat;
    for (let k = 1; k <= 2; k++) {
      y = tf.layers.dense({ units: headUnits, name: `task_${t}_dense_${k}` }).apply(y) as tf.SymbolicTensor;
      y = tf.layers.leakyReLU({ alpha, name: `task_${t}_act_${k}` }).apply(y) as tf.SymbolicTensor;
      if (headDropout > 0)
        y = tf.layers
          .dropout({ rate: headDropout, name: `task_${t}_dropout_${k}` })
          .apply(y) as tf.SymbolicTensor;
    }
    y = tf.layers.dense({ units: 1, name: `task_${t}_logits` }).apply(y) as tf.SymbolicTensor;
    outs.push(
      tf.layers.activation({ activation: 'sigmoid', name: `task_${t}` }).apply(y) as tf.SymbolicTensor,
    );
  }
  const model = tf.model({ inputs: inp, outputs: outs, name: 'str_network' });
  initializeWeights(model, args.seed, 0);
  return model;
}

/** The trunk of a STR network: input -> `flat_layer` (the 128-d embedding), sharing the layers (and weights). */
export function buildEncoder(model: tf.LayersModel): tf.LayersModel {
  const flat = model.getLayer('flat_layer');
  return tf.model({ inputs: model.inputs, outputs: flat.output as tf.SymbolicTensor, name: 'encoder' });
}

/** Number of heads of a STR network: its `task_<i>_logits` layers, counted from 0. */
export function strHeadCount(model: tf.LayersModel): number {
  const names = new Set(model.layers.map((l) => l.name));
  let n = 0;
  while (names.has(`task_${n}_logits`)) n++;
  return n;
}

/**
 * The heads' logits of a STR network (what the pretext loss takes): the input of each output's sigmoid, in output
 * order, as tensors of the model's graph for `forward(model, x, { fetch })`.
 */
export function strLogits(model: tf.LayersModel): tf.SymbolicTensor[] {
  return model.outputs.map((out) => {
    const layer = out.sourceLayer;
    const node = layer.inboundNodes[out.nodeIndex];
    const activation = (layer.getConfig() as { activation?: string }).activation;
    invariant(
      layer.getClassName() === 'Activation' && activation === 'sigmoid' && node?.inputTensors.length === 1,
      'strLogits',
      `output "${out.name}" of model "${model.name}" is not a sigmoid activation of a logit`,
    );
    return node!.inputTensors[0] as tf.SymbolicTensor;
  });
}
