// Faster wasm kernels: Identity, Sum, Max, LeakyReLU (+ fused gradient), bias Add; optional native loops.
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { originalWasmKernel, replaceWasmKernel } from './kernelRegistry.js';
import { wasmSimdLoops } from './wasmSimd.js';
import { contiguousBlock } from './wasmMaxGrad.js';

type Tf = typeof tf;
type TensorInfo = tf.TensorInfo;
type KernelFunc = tf.KernelFunc;
type NamedAttrMap = tf.NamedAttrMap;

/** The fused LeakyReLU gradient kernel registered on wasm by {@link registerWasmElementwiseKernels}. */
export const LEAKY_RELU_GRAD_KERNEL = 'LeakyReluGradEcgssl';

/** Kernels that {@link registerWasmElementwiseKernels} registers (or replaces) on the wasm backend. */
export const WASM_ELEMENTWISE_KERNEL_NAMES = [
  'Identity',
  'Sum',
  'Max',
  'LeakyRelu',
  LEAKY_RELU_GRAD_KERNEL,
  'Add',
] as const;

/**
 * out[j] = sum_i x[i * inner + j] for i < outer, accumulated in float64 (a reduction over a leading block of axes,
 * e.g. the bias gradient of a channels-last conv: [B, T, C] over B and T). Exported for tests.
 */
export function sumLeading(x: Float32Array, outer: number, inner: number, out: Float32Array): void {
  if (inner === 1) {
    let s = 0;
    for (let i = 0; i < outer; i++) s += x[i] as number;
    out[0] = s;
    return;
  }
  const acc = new Float64Array(inner);
  let off = 0;
  for (let i = 0; i < outer; i++) {
    for (let j = 0; j < inner; j++) acc[j] = (acc[j] as number) + (x[off + j] as number);
    off += inner;
  }
  for (let j = 0; j < inner; j++) out[j] = acc[j] as number;
}

/*
 * The loops below select the factor through a two-entry table indexed by (x > 0) instead of a conditional: on
 * activations the sign is random, and a mispredicted branch per element made the conditional loops 3-4x slower
 * (measured on [32, 2560, 32] random normal data). v * 1 is exact, so the values equal the conditional form.
 */

/** y = x > 0 ? x : alpha * x (tfjs' LeakyRelu, NaN propagates). Exported for tests. */
export function leakyReluLoop(x: Float32Array, alpha: number, y: Float32Array): void {
  const n = x.length;
  if (alpha >= 0 && alpha <= 1) {
    // For 0 <= alpha <= 1, max(v, alpha * v) is the same value (including -0, NaN and infinities) and ~25 % faster.
    for (let i = 0; i < n; i++) {
      const v = x[i] as number;
      y[i] = Math.max(v, alpha * v);
    }
    return;
  }
  const factor = new Float64Array([alpha, 1]);
  for (let i = 0; i < n; i++) {
    const v = x[i] as number;
    y[i] = v * (factor[+(v > 0)] as number);
  }
}

/** dx = x > 0 ? dy : alpha * dy (tfjs' LeakyRelu gradient, where(x > 0, dy, dy * alpha)). Exported for tests. */
export function leakyReluGradLoop(x: Float32Array, dy: Float32Array, alpha: number, dx: Float32Array): void {
  const n = x.length;
  const factor = new Float64Array([alpha, 1]);
  for (let i = 0; i < n; i++) dx[i] = (dy[i] as number) * (factor[+((x[i] as number) > 0)] as number);
}

/**
 * If `axes` (normalised, any order) are exactly the leading axes 0..k-1 of `shape`, the sizes [outer, inner] of the
 * reduction; otherwise undefined.
 */
function leadingBlock(shape: number[], axes: number[]): [number, number] | undefined {
  const sorted = [...new Set(axes)].sort((a, b) => a - b);
  if (!sorted.every((a, i) => a === i)) return undefined;
  let outer = 1;
  let inner = 1;
  shape.forEach((d, i) => {
    if (i < sorted.length) outer *= d;
    else inner *= d;
  });
  return [outer, inner];
}

/**
 * The reduced axes as one contiguous block that neither starts at the first axis nor ends at the last (e.g. the
 * global max pool's time axis of [B, T, C]): [outer, mid, inner] sizes, or undefined.
 */
function middleBlock(shape: number[], axes: number[]): [number, number, number] | undefined {
  if (axes.length === 0 || Math.min(...axes) === 0 || Math.max(...axes) === shape.length - 1)
    return undefined;
  return contiguousBlock(shape, axes);
}

/**
 * out[o * inner + j] = max over m of x[(o * mid + m) * inner + j] (NaN propagates, as in tfjs-backend-cpu): the
 * global max pool over time of a channels-last [B, T, C] activation, read in memory order. Exported for tests.
 */
export function maxMiddle(
  x: Float32Array,
  outer: number,
  mid: number,
  inner: number,
  out: Float32Array,
): void {
  for (let o = 0; o < outer; o++) {
    const base = o * mid * inner;
    const ob = o * inner;
    for (let j = 0; j < inner; j++) out[ob + j] = x[base + j] as number;
    for (let m = 1; m < mid; m++) {
      const row = base + m * inner;
      // Math.max is branch-free here (signs are random) and propagates NaN.
      for (let j = 0; j < inner; j++) out[ob + j] = Math.max(out[ob + j] as number, x[row + j] as number);
    }
  }
}

/** Native (multi-threaded) versions of the loops above, e.g. from the oneDNN addon; same contracts. */
export interface ElementwiseAccelerator {
  leakyRelu(x: Float32Array, y: Float32Array, alpha: number): void;
  leakyReluGrad(x: Float32Array, dy: Float32Array, dx: Float32Array, alpha: number): void;
  sumLeading(x: Float32Array, out: Float32Array, outer: number, inner: number): void;
  addBias(x: Float32Array, bias: Float32Array, y: Float32Array): void;
  /** {@link maxMiddle} (optional: addon builds before it lack it). */
  maxMiddle?(x: Float32Array, out: Float32Array, outer: number, mid: number, inner: number): void;
}

let accel: ElementwiseAccelerator | null = null;
/** Below this many elements the JS loops run (a native call and a parallel region cost more than they save). */
const ACCEL_MIN_ELEMENTS = 1 << 15;

/**
 * Lets the kernels of {@link registerWasmElementwiseKernels} hand large arrays to native loops (the oneDNN tier
 * passes its addon's); `null` restores the JS loops.
 */
export function setElementwiseAccelerator(a: ElementwiseAccelerator | null): void {
  accel = a;
}

/** A float32 view on a tensor's wasm heap memory; take it after makeOutput (a heap growth detaches views). */
const view = (b: BackendWasm, x: TensorInfo): Float32Array => b.typedArrayFromHeap(x) as Float32Array;

/** `Identity` sharing the input's buffer (every dtype but `string`, which goes to the stock kernel). */
function identityKernel(t: Tf): KernelFunc {
  const origIdentity = originalWasmKernel(t, 'Identity');
  const identityShared: KernelFunc = (p) => {
    const { x } = p.inputs as { x: TensorInfo };
    if (x.dtype === 'string') return origIdentity(p);
    (p.backend as BackendWasm).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
  return identityShared;
}

/**
 * {@link sumLeading} on wasm SIMD (./wasmSimd.ts; the float64 sums in a scratch tensor, same values); false where the
 * SIMD loops are unavailable.
 */
function simdSumLeading(
  b: BackendWasm,
  x: TensorInfo,
  outer: number,
  inner: number,
  out: TensorInfo,
): boolean {
  const simd = wasmSimdLoops(b);
  if (!simd) return false;
  const acc = b.makeOutput([inner * 2], 'float32');
  const [xv, accv, outv] = [view(b, x), view(b, acc), view(b, out)];
  if (accv.byteOffset % 8 !== 0) {
    b.disposeData(acc.dataId);
    return false;
  }
  simd.sumLeading(xv.byteOffset, accv.byteOffset, outer, inner * 4);
  const sums = new Float64Array(accv.buffer, accv.byteOffset, inner);
  for (let j = 0; j < inner; j++) outv[j] = sums[j] as number;
  b.disposeData(acc.dataId);
  return true;
}

/** `Sum` over a leading block of axes in one float64-accumulating loop; other reductions are stock. */
function sumKernel(t: Tf): KernelFunc {
  const origSum = originalWasmKernel(t, 'Sum');
  const sumLeadingAxes: KernelFunc = (p) => {
    const { x } = p.inputs as { x: TensorInfo };
    const a = (p.attrs ?? {}) as NamedAttrMap;
    if (x.dtype !== 'float32' || x.shape.length === 0) return origSum(p);
    const axes = t.util.parseAxisParam(a.axis as number | number[], x.shape);
    const block = leadingBlock(x.shape, axes);
    // Other reductions (e.g. over trailing axes, which need no transpose) go to the stock kernel.
    if (!block || axes.length === 0) return origSum(p);
    const [outer, inner] = block;
    const kept = x.shape.slice(axes.length);
    const outShape = a.keepDims ? x.shape.map((d, i) => (i < axes.length ? 1 : d)) : kept;
    const b = p.backend as BackendWasm;
    const out = b.makeOutput(outShape, 'float32');
    // Views are taken after makeOutput: a heap growth would detach earlier views.
    if (accel && outer * inner >= ACCEL_MIN_ELEMENTS)
      accel.sumLeading(view(b, x), view(b, out), outer, inner);
    else if (inner % 4 !== 0 || !simdSumLeading(b, x, outer, inner, out))
      sumLeading(view(b, x), outer, inner, view(b, out));
    return out;
  };
  return sumLeadingAxes;
}

/** `Max` over a middle block of axes in one pass in memory order; other reductions are stock. */
function maxKernel(t: Tf): KernelFunc {
  const origMax = originalWasmKernel(t, 'Max');
  const maxMiddleAxes: KernelFunc = (p) => {
    const { x } = p.inputs as { x: TensorInfo };
    const a = (p.attrs ?? {}) as NamedAttrMap;
    if (x.dtype !== 'float32' || x.shape.length < 3) return origMax(p);
    const axes = t.util.parseAxisParam(a.reductionIndices as number | number[], x.shape);
    const block = middleBlock(x.shape, axes);
    if (!block || block[1] === 0) return origMax(p);
    const [outer, mid, inner] = block;
    const outShape = x.shape.flatMap((d, i) => (axes.includes(i) ? (a.keepDims ? [1] : []) : [d]));
    const b = p.backend as BackendWasm;
    const out = b.makeOutput(outShape, 'float32');
    if (accel?.maxMiddle && outer * mid * inner >= ACCEL_MIN_ELEMENTS)
      accel.maxMiddle(view(b, x), view(b, out), outer, mid, inner);
    else maxMiddle(view(b, x), outer, mid, inner, view(b, out));
    return out;
  };
  return maxMiddleAxes;
}

/**
 * `LeakyRelu` as a loop on the heap views (native when accelerated and large; else {@link leakyReluLoop}'s values, on
 * wasm SIMD (./wasmSimd.ts) for 0 <= alpha <= 1); non-float32 is stock.
 */
function leakyReluKernel(t: Tf): KernelFunc {
  const origLeaky = originalWasmKernel(t, 'LeakyRelu');
  const leakyRelu: KernelFunc = (p) => {
    const { x } = p.inputs as { x: TensorInfo };
    if (x.dtype !== 'float32') return origLeaky(p);
    const alpha = (p.attrs as NamedAttrMap).alpha as number;
    const b = p.backend as BackendWasm;
    const out = b.makeOutput(x.shape, 'float32');
    if (accel && t.util.sizeFromShape(x.shape) >= ACCEL_MIN_ELEMENTS)
      accel.leakyRelu(view(b, x), view(b, out), alpha);
    else {
      const [xv, yv] = [view(b, x), view(b, out)];
      const simd = alpha >= 0 && alpha <= 1 ? wasmSimdLoops(b) : null;
      const done = simd ? xv.length - (xv.length % 4) : 0;
      if (done > 0) simd!.leakyRelu(xv.byteOffset, yv.byteOffset, done * 4, alpha);
      if (done < xv.length) leakyReluLoop(xv.subarray(done), alpha, yv.subarray(done));
    }
    return out;
  };
  return leakyRelu;
}

/** The fused LeakyReLU gradient kernel: dx = x > 0 ? dy : alpha * dy in one pass (as `LeakyRelu`: native or SIMD). */
function leakyReluGradKernel(t: Tf): KernelFunc {
  const leakyReluGrad: KernelFunc = (p) => {
    const { dy, x } = p.inputs as { dy: TensorInfo; x: TensorInfo };
    const alpha = (p.attrs as NamedAttrMap).alpha as number;
    const b = p.backend as BackendWasm;
    const out = b.makeOutput(x.shape, 'float32');
    if (accel && t.util.sizeFromShape(x.shape) >= ACCEL_MIN_ELEMENTS)
      accel.leakyReluGrad(view(b, x), view(b, dy), view(b, out), alpha);
    else {
      const [xv, dyv, dxv] = [view(b, x), view(b, dy), view(b, out)];
      const simd = wasmSimdLoops(b);
      const done = simd ? xv.length - (xv.length % 4) : 0;
      if (done > 0) simd!.leakyReluGrad(xv.byteOffset, dyv.byteOffset, dxv.byteOffset, done * 4, alpha);
      if (done < xv.length)
        leakyReluGradLoop(xv.subarray(done), dyv.subarray(done), alpha, dxv.subarray(done));
    }
    return out;
  };
  return leakyReluGrad;
}

/** True when `bias` broadcasts over `full` along the last axis only ([..., C] + [1, ..., 1, C] or [C]). */
function isBiasOf(t: Tf, full: TensorInfo, bias: TensorInfo): boolean {
  const r = full.shape.length;
  const c = full.shape[r - 1];
  const k = bias.shape.length;
  return (
    r >= 2 &&
    k >= 1 &&
    k <= r &&
    bias.shape[k - 1] === c &&
    bias.shape.slice(0, k - 1).every((d) => d === 1) &&
    t.util.sizeFromShape(full.shape) >= ACCEL_MIN_ELEMENTS
  );
}

/** `Add` of a large bias over the last axis with the native loops; every other Add (or no native loops) is stock. */
function addBiasKernel(t: Tf): KernelFunc {
  const origAdd = originalWasmKernel(t, 'Add');
  const addBias: KernelFunc = (p) => {
    const { a, b: bb } = p.inputs as { a: TensorInfo; b: TensorInfo };
    // Without native loops the stock kernel is faster than a JS loop (4.5 vs 9 ms on [32, 2560, 32] + [1, 1, 32]).
    if (!accel || a.dtype !== 'float32' || bb.dtype !== 'float32') return origAdd(p);
    const [full, bias] = isBiasOf(t, a, bb) ? [a, bb] : isBiasOf(t, bb, a) ? [bb, a] : [null, null];
    if (!full || !bias) return origAdd(p);
    const b = p.backend as BackendWasm;
    const out = b.makeOutput(full.shape, 'float32');
    accel.addBias(view(b, full), view(b, bias), view(b, out));
    return out;
  };
  return addBias;
}

/** tfjs-core's LeakyRelu gradient, fused on wasm (same values: where(x > 0, dy, dy * alpha)). */
function registerLeakyReluGradient(t: Tf): void {
  t.registerGradient({
    kernelName: 'LeakyRelu',
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved as [tf.Tensor];
      const { alpha } = attrs as unknown as { alpha: number };
      const g = dy as tf.Tensor;
      if (t.getBackend() === 'wasm' && x.dtype === 'float32' && g.dtype === 'float32' && g.size === x.size) {
        return {
          x: () => t.engine().runKernel(LEAKY_RELU_GRAD_KERNEL, { dy: g, x }, { alpha }) as tf.Tensor,
        };
      }
      const mask = t.greater(x, 0);
      return { x: () => t.where(mask, g, t.mul(g, alpha)) };
    },
  });
}

/**
 * Registers on the tfjs `wasm` backend the element-wise and reduction kernels that dominate a training step of the
 * paper's network once the convolutions run natively (profile of a batch-32 step):
 *
 * - `Identity`: shares the input's buffer (reference count, as tfjs-backend-cpu does) instead of copying it; tfjs
 *   kernels never write into their inputs, so sharing is safe. Clones of every conv activation were ~13% of a step.
 * - `Sum` over a leading block of axes (bias gradients, [B,T,C] -> [C]; full reductions): one float64-accumulating
 *   loop instead of wasm's transpose-then-reduce; other reductions go to the stock kernel.
 * - `Max` over a middle block of axes (the global max pool over time, [B, T, C] -> [B, C]): one pass in memory
 *   order instead of wasm's transpose-then-reduce ([32, 635, 128]: 7.4 ms stock, 5.3 ms for the JS loop, 0.5 ms
 *   with the addon's loop); other reductions are stock.
 * - `LeakyRelu`: a JS loop on the heap views (about twice as fast as the stock kernel).
 * - `Add` of a bias over the last axis ([B, T, C] + [1, 1, C], large tensors), only with native loops (see
 *   {@link setElementwiseAccelerator}; a JS loop is slower than the stock kernel here); every other Add is stock.
 * - `LeakyReluGradEcgssl` plus a `LeakyRelu` gradient that calls it on wasm: dx = x > 0 ? dy : alpha * dy in one
 *   pass instead of Greater + Multiply + Select (three passes and a bool tensor). On any other backend the gradient
 *   is tfjs-core's own composition.
 *
 * Non-float32 inputs fall back to the stock kernels, except for `Identity`, which shares every dtype but `string`.
 * Call after `tf.setBackend('wasm')`. Idempotent.
 */
export function registerWasmElementwiseKernels(t: Tf = tf): void {
  // Built first, in this order, so that each takes the stock kernel it falls back to before any is replaced.
  const kernels: [string, KernelFunc][] = [
    ['Identity', identityKernel(t)],
    ['Sum', sumKernel(t)],
    ['Max', maxKernel(t)],
    ['LeakyRelu', leakyReluKernel(t)],
    [LEAKY_RELU_GRAD_KERNEL, leakyReluGradKernel(t)],
    ['Add', addBiasKernel(t)],
  ];
  for (const [name, kernelFunc] of kernels) replaceWasmKernel(t, name, kernelFunc);
  registerLeakyReluGradient(t);
}
