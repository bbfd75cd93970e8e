// Shared helpers of the engine tests: backends, tolerances, a float64 conv reference, the paper network's gradients.
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmKernels } from '../../src/engine/wasmKernels.js';
import { pretrainSchema } from '../../src/config/schema.js';
import { buildStrNetwork, forward, strLogits } from '../../src/models/index.js';
import { deriveRng } from '../../src/random/index.js';
import { pretextLoss } from '../../src/training/losses.js';
import { pretrainStep } from '../../src/training/pretrainStep.js';
import type { FftConvGeometry } from '../../src/engine/fftconv/fftconv.js';

/** Small deterministic generator for test data (mulberry32). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randArray(n: number, rnd: () => number, scale = 1): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = (rnd() * 2 - 1) * scale;
  return a;
}

let ready = false;
/** Initialises the single-threaded wasm backend with the project's kernels, and the cpu backend. */
export async function setupBackends(): Promise<void> {
  if (ready) return;
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  await tf.setBackend('cpu');
  const ok = await tf.setBackend('wasm');
  if (!ok) throw new Error('wasm backend failed to initialise');
  registerWasmKernels(tf);
  ready = true;
}

/** Runs `fn` on the cpu backend and on the wasm backend; returns the outputs' values of each. */
export async function onBoth(
  fn: () => tf.Tensor | tf.Tensor[],
): Promise<{ cpu: Float32Array[]; wasm: Float32Array[] }> {
  const res: Record<string, Float32Array[]> = {};
  for (const name of ['cpu', 'wasm']) {
    await tf.setBackend(name);
    const out = tf.tidy(fn);
    const list = Array.isArray(out) ? out : [out];
    res[name] = list.map((t) => t.dataSync() as Float32Array);
    tf.dispose(list);
  }
  await tf.setBackend('wasm');
  return { cpu: res.cpu as Float32Array[], wasm: res.wasm as Float32Array[] };
}

/** max|a-b| / max|b| (relative to the reference's scale). */
export function relError(a: Float32Array, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs((a[i] as number) - (b[i] as number)));
    den = Math.max(den, Math.abs(b[i] as number));
  }
  if (!Number.isFinite(num)) return Infinity;
  return den === 0 ? num : num / den;
}

export function assertClose(
  r: { cpu: Float32Array[]; wasm: Float32Array[] },
  what: string,
  tol = 1e-4,
): void {
  r.cpu.forEach((c, i) => {
    const e = relError(r.wasm[i] as Float32Array, c);
    if (!(e < tol)) throw new Error(`${what} output ${i}: relative error ${e} >= ${tol}`);
  });
}

/**
 * The paper network's six conv layers (METHOD.md), each [width in samples, input channels, output channels, kernel
 * size], all 'same' and stride 1: two k32 layers at 2560 samples, two k16 at 1277, two k8 at 635.
 */
export const PAPER_CONV_LAYERS: readonly (readonly [number, number, number, number])[] = [
  [2560, 1, 32, 32],
  [2560, 32, 32, 32],
  [1277, 32, 64, 16],
  [1277, 64, 64, 16],
  [635, 64, 128, 8],
  [635, 128, 128, 8],
];

/**
 * Float64 direct-loop reference of a 1-D stride-1 convolution: the output y of x ([B, inSamples, Cin]) with w ([K,
 * Cin, Cout]), and, for the output gradient dy ([B, outSamples, Cout]), the input gradient dx and the filter gradient
 * dw. Output sample t reads input samples t + k - padLeft (zero outside); 'same' in TF's convention is padLeft =
 * floor((K - 1) / 2), outSamples = inSamples.
 */
export function conv1dReference(
  g: FftConvGeometry,
  x: Float32Array,
  w: Float32Array,
  dy: Float32Array,
): { y: Float64Array; dx: Float64Array; dw: Float64Array } {
  const { batch: B, inSamples: T, outSamples: To, inChannels: Cin, outChannels: Cout, kernelSize: K } = g;
  const y = new Float64Array(B * To * Cout);
  const dx = new Float64Array(B * T * Cin);
  const dw = new Float64Array(K * Cin * Cout);
  for (let b = 0; b < B; b++)
    for (let t = 0; t < To; t++)
      for (let k = 0; k < K; k++) {
        const s = t + k - g.padLeft;
        if (s < 0 || s >= T) continue;
        for (let ci = 0; ci < Cin; ci++) {
          const xv = x[(b * T + s) * Cin + ci] as number;
          let dxs = 0;
          for (let co = 0; co < Cout; co++) {
            const wi = (k * Cin + ci) * Cout + co;
            const yi = (b * To + t) * Cout + co;
            y[yi] = (y[yi] as number) + xv * (w[wi] as number);
            dxs += (dy[yi] as number) * (w[wi] as number);
            dw[wi] = (dw[wi] as number) + xv * (dy[yi] as number);
          }
          const xi = (b * T + s) * Cin + ci;
          dx[xi] = (dx[xi] as number) + dxs;
        }
      }
  return { y, dx, dw };
}

/**
 * Glorot-uniform kernels and zero biases for `model`, drawn from `rnd`: the same on every run and machine (the
 * layers' own initialisers draw from an unseeded source, so a comparison built on them differs from run to run).
 */
export function seededWeights(model: tf.LayersModel, rnd: () => number): Float32Array[] {
  return model.getWeights().map((w) => {
    if (w.shape.length === 1) return new Float32Array(w.size);
    const fanOut = w.shape[w.shape.length - 1] as number;
    const fanIn = w.size / fanOut;
    return randArray(w.size, rnd, Math.sqrt(6 / (fanIn + fanOut)));
  });
}

/** The paper network as pretraining builds it (src/models), with `rnd`-seeded weights and the given head dropout. */
function paperNetwork(
  windowSamples: number,
  headDropout: number,
  init: Float32Array[] | null,
  rnd: () => number,
) {
  const model = buildStrNetwork({ windowSamples, headDropout, seed: 1 });
  const w = init ?? seededWeights(model, rnd);
  model.setWeights(model.getWeights().map((v, i) => tf.tensor(w[i] as Float32Array, v.shape)));
  return { model, init: w };
}

/** Pretext labels [batch, 7]: sample i has head h's transformation when (h + i) is odd. */
function pretextLabelsOf(batch: number): tf.Tensor2D {
  return tf.tensor2d(
    Array.from({ length: batch * 7 }, (_, k) => (Math.floor(k / 7) + (k % 7)) % 2),
    [batch, 7],
  );
}

/**
 * Loss and all gradients of the pretraining objective (the heads' logits from `forward`, `pretextLoss` with the
 * default task weights and L2) of the paper network for `xv` ([B, windowSamples, 1]) on the cpu backend and on wasm,
 * from the same seeded initial weights (drawn from `rnd`), head dropout off: [loss, 27 kernel and 27 bias gradients].
 */
export async function paperNetworkGradsOnBoth(
  xv: Float32Array,
  batch: number,
  windowSamples: number,
  rnd: () => number,
): Promise<{ cpu: Float32Array[]; wasm: Float32Array[] }> {
  let init: Float32Array[] | null = null;
  const { taskWeights, l2 } = pretrainSchema.parse({});
  return onBoth(() => {
    const net = paperNetwork(windowSamples, 0, init, rnd);
    init = net.init;
    const model = net.model;
    const x = tf.tensor3d(xv, [batch, windowSamples, 1]);
    const labels = pretextLabelsOf(batch);
    const kernels = model.trainableWeights.filter((w) => w.name.includes('kernel')).map((w) => w.read());
    const { value, grads } = tf.variableGrads(() =>
      pretextLoss(forward(model, x, { fetch: strLogits(model) }), labels, taskWeights, l2, kernels),
    );
    const out = [
      value,
      ...model.trainableWeights.map((w) => grads[(w.read() as tf.Variable).name] as tf.Tensor),
    ];
    model.dispose();
    return out;
  });
}

/**
 * Trains the paper network (seeded weights, Adam, head dropout 0.6 from the project Rng) for `steps` real pretraining
 * steps (`pretrainStep`) of `batch` windows on the current backend. Returns the losses; the first kernel's values
 * before the first step and after the last; and, after the first step (which creates Adam's slots) and after the
 * last, the number of live tensors and of the backend's data buffers: equal counts mean that a step leaves nothing
 * behind.
 */
function trainForLeaks(
  steps: number,
  batch: number,
  windowSamples: number,
  rnd: () => number,
): {
  losses: number[];
  weights: [Float32Array, Float32Array];
  tensors: [number, number];
  buffers: [number, number];
} {
  const { model } = paperNetwork(windowSamples, 0.6, null, rnd);
  const { taskWeights, l2 } = pretrainSchema.parse({});
  const optimizer = tf.train.adam(1e-3);
  const x = tf.tensor3d(randArray(batch * windowSamples, rnd), [batch, windowSamples, 1]);
  const labels = pretextLabelsOf(batch);
  const counts = (): [number, number] => [tf.memory().numTensors, tf.engine().backend.numDataIds()];
  const firstWeights = (): Float32Array =>
    (model.getWeights()[0] as tf.Tensor).dataSync().slice() as Float32Array;
  const step = (s: number): number => {
    const args = { model, optimizer, x, labels, taskWeights, l2, dropoutRng: deriveRng(13, s) };
    const { loss } = pretrainStep(args);
    const v = loss.dataSync()[0] as number;
    loss.dispose();
    return v;
  };
  const w0 = firstWeights();
  const losses = [step(0)];
  const first = counts();
  for (let s = 1; s < steps; s++) losses.push(step(s));
  const last = counts();
  const w1 = firstWeights();
  optimizer.dispose();
  model.dispose();
  tf.dispose([x, labels]);
  return { losses, weights: [w0, w1], tensors: [first[0], last[0]], buffers: [first[1], last[1]] };
}

/**
 * {@link trainForLeaks} with the 100 steps, asserting no leak, a loss that changes and stays finite, and
 * weights that Adam moved (head dropout alone changes the loss even when no step updates anything).
 */
export function assertNoLeakOver100Steps(what: string, windowSamples: number, rnd: () => number): void {
  const r = trainForLeaks(100, 4, windowSamples, rnd);
  assert.equal(r.losses.length, 100);
  assert.ok(r.losses.every(Number.isFinite), `${what}: non-finite loss`);
  assert.notEqual(r.losses[99], r.losses[0], `${what}: the loss never changed`);
  const [w0, w1] = r.weights;
  assert.ok(
    w1.some((v, k) => v !== w0[k]),
    `${what}: weights did not change`,
  );
  assert.equal(r.tensors[1], r.tensors[0], `${what}: tensors leaked over 99 steps`);
  assert.equal(r.buffers[1], r.buffers[0], `${what}: backend buffers leaked over 99 steps`);
}
