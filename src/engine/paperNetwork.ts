import * as tf from '@tensorflow/tfjs';

/** Arguments of {@link buildEngineNetwork}. */
export interface EngineNetworkArgs {
  /** Samples per window (METHOD.md: 2560 = 10 s at 256 Hz). */
  windowSamples: number;
  /** Number of sigmoid heads (METHOD.md: 7 transformation-recognition tasks). */
  heads: number;
  /** Dropout rate in the heads (METHOD.md: 0.6). */
  headDropout: number;
}

/**
 * The engine's own copy of the paper's pretraining network (METHOD.md "Network"): three blocks of two 'same' conv1d
 * (k32x32, k16x64, k8x128) with LeakyReLU 0.2, max pool 8/2 after blocks 1-2, global max pool, and `heads` heads of
 * dense 128 -> LeakyReLU -> dropout -> dense 128 -> LeakyReLU -> dropout -> dense 1 sigmoid (561,223 parameters for
 * 2560 samples and 7 heads). Used by the engine benchmark and doctor when src/models is not available.
 */
export function buildEngineNetwork(args: EngineNetworkArgs): tf.LayersModel {
  const inp = tf.input({ shape: [args.windowSamples, 1] });
  const conv = (x: tf.SymbolicTensor, filters: number, kernelSize: number): tf.SymbolicTensor => {
    const y = tf.layers.conv1d({ filters, kernelSize, padding: 'same' }).apply(x) as tf.SymbolicTensor;
    return tf.layers.leakyReLU({ alpha: 0.2 }).apply(y) as tf.SymbolicTensor;
  };
  let x = conv(conv(inp, 32, 32), 32, 32);
  x = tf.layers.maxPooling1d({ poolSize: 8, strides: 2, padding: 'valid' }).apply(x) as tf.SymbolicTensor;
  x = conv(conv(x, 64, 16), 64, 16);
  x = tf.layers.maxPooling1d({ poolSize: 8, strides: 2, padding: 'valid' }).apply(x) as tf.SymbolicTensor;
  x = conv(conv(x, 128, 8), 128, 8);
  const feat = tf.layers.globalMaxPooling1d().apply(x) as tf.SymbolicTensor;
  const outs: tf.SymbolicTensor[] = [];
  for (let h = 0; h < args.heads; h++) {
    let y = feat;
    for (let k = 0; k < 2; k++) {
      y = tf.layers.dense({ units: 128 }).apply(y) as tf.SymbolicTensor;
      y = tf.layers.leakyReLU({ alpha: 0.2 }).apply(y) as tf.SymbolicTensor;
      y = tf.layers.dropout({ rate: args.headDropout }).apply(y) as tf.SymbolicTensor;
    }
    outs.push(tf.layers.dense({ units: 1, activation: 'sigmoid' }).apply(y) as tf.SymbolicTensor);
  }
  return tf.model({ inputs: inp, outputs: outs });
}

/** A network builder: the project's `buildStrNetwork` (src/models) when present, else {@link buildEngineNetwork}. */
export async function loadPaperNetworkBuilder(): Promise<{
  source: string;
  build: (windowSamples: number) => tf.LayersModel;
}> {
  const spec = '../models/index.js';
  try {
    const mod = (await import(spec)) as {
      buildStrNetwork?: (a: { windowSamples: number; seed: number }) => tf.LayersModel;
    };
    const f = mod.buildStrNetwork;
    if (typeof f === 'function') {
      // Probe once with a tiny window: an incompatible signature falls back to the engine's copy.
      f({ windowSamples: 64, seed: 1 }).dispose();
      return { source: 'models.buildStrNetwork', build: (windowSamples) => f({ windowSamples, seed: 1 }) };
    }
  } catch {
    // src/models not available (or incompatible): use the engine's copy.
  }
  return {
    source: 'engine.buildEngineNetwork',
    build: (windowSamples) => buildEngineNetwork({ windowSamples, heads: 7, headDropout: 0.6 }),
  };
}

/**
 * One training step of the pretraining objective on `model` (sum of 7 binary cross-entropies + 1e-4 * L2/2 of the
 * kernels, Adam), as the engine benchmark measures it. Returns the loss value.
 */
export function trainStep(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  xs: tf.Tensor,
  ys: tf.Tensor[],
): number {
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const kernels = model.trainableWeights.filter((w) => w.name.includes('kernel')).map((w) => w.read());
  const loss = optimizer.minimize(
    () => {
      const preds = model.apply(xs, { training: true }) as tf.Tensor[];
      let total = tf.scalar(0);
      preds.forEach((p, h) => {
        total = total.add(tf.metrics.binaryCrossentropy(ys[h] as tf.Tensor, p).mean());
      });
      const l2 = tf.addN(kernels.map((k) => k.square().sum())).mul(1e-4 / 2);
      return total.add(l2) as tf.Scalar;
    },
    true,
    vars,
  );
  const v = loss ? (loss.dataSync()[0] as number) : NaN;
  loss?.dispose();
  return v;
}

/**
 * Like {@link trainStep} for a batch too large for one pass (the wasm32 heap is capped at 4 GiB; the 896-sample
 * SSL batch of METHOD.md, 128 windows x 7, does not fit): gradients of the mean loss are accumulated over chunks of
 * at most `chunkSize` samples (weighted by chunk size) and Adam is applied once. Returns the mean loss.
 */
export function trainStepAccumulated(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  xs: tf.Tensor,
  ys: tf.Tensor[],
  chunkSize: number,
): number {
  const n = xs.shape[0] as number;
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const kernels = vars.filter((v) => v.name.includes('kernel'));
  let acc: tf.NamedTensorMap | null = null;
  let lossSum = 0;
  for (let start = 0; start < n; start += chunkSize) {
    const size = Math.min(chunkSize, n - start);
    const w = size / n;
    const { value, grads } = tf.variableGrads(() => {
      const x = xs.slice(start, size);
      const preds = model.apply(x, { training: true }) as tf.Tensor[];
      let total = tf.scalar(0);
      preds.forEach((p, h) => {
        total = total.add(tf.metrics.binaryCrossentropy((ys[h] as tf.Tensor).slice(start, size), p).mean());
      });
      // the L2 term is added once (weight w per chunk sums to 1)
      const l2 = tf.addN(kernels.map((k) => k.square().sum())).mul(1e-4 / 2);
      return total.add(l2).mul(w) as tf.Scalar;
    }, vars);
    lossSum += value.dataSync()[0] as number;
    value.dispose();
    if (!acc) acc = grads;
    else {
      const prev: tf.NamedTensorMap = acc;
      acc = {};
      for (const k of Object.keys(grads)) {
        acc[k] = tf.add(prev[k] as tf.Tensor, grads[k] as tf.Tensor);
      }
      tf.dispose(prev);
      tf.dispose(grads);
    }
  }
  if (acc) {
    optimizer.applyGradients(acc);
    tf.dispose(acc);
  }
  return lossSum;
}
