import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

type Tf = typeof tf;
type TensorInfo = tf.TensorInfo;
type KernelFunc = tf.KernelFunc;
type NamedAttrMap = tf.NamedAttrMap;

/** The fused LeakyReLU gradient kernel registered on wasm by {@link registerWasmElementwiseKernels}. */
export const LEAKY_RELU_GRAD_KERNEL = 'LeakyReluGradEcgssl';

/** Kernels that {@link registerWasmElementwiseKernels} registers (or replaces) on the wasm backend. */
export const WASM_ELEMENTWISE_KERNEL_NAMES = ['Identity', 'Sum', 'LeakyRelu', LEAKY_RELU_GRAD_KERNEL] as const;

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

const originals = new Map<string, KernelFunc>();

/**
 * Registers on the tfjs `wasm` backend the element-wise and reduction kernels that dominate a training step of the
 * paper's network once the convolutions run natively (profile of a batch-32 step):
 *
 * - `Identity`: shares the input's buffer (reference count, as tfjs-backend-cpu does) instead of copying it; tfjs
 *   kernels never write into their inputs, so sharing is safe. Clones of every conv activation were ~13% of a step.
 * - `Sum` over a leading block of axes (bias gradients, [B,T,C] -> [C]; full reductions): one float64-accumulating
 *   loop instead of wasm's transpose-then-reduce; other reductions go to the stock kernel.
 * - `LeakyRelu`: a JS loop on the heap views (about twice as fast as the stock kernel).
 * - `LeakyReluGradEcgssl` plus a `LeakyRelu` gradient that calls it on wasm: dx = x > 0 ? dy : alpha * dy in one
 *   pass instead of Greater + Multiply + Select (three passes and a bool tensor). On any other backend the gradient
 *   is tfjs-core's own composition.
 *
 * Non-float32 inputs fall back to the stock kernels. Call after `tf.setBackend('wasm')`. Idempotent.
 */
export function registerWasmElementwiseKernels(t: Tf = tf): void {
  const stock = (name: string): KernelFunc => {
    const prev = originals.get(name) ?? t.getKernel(name, 'wasm')?.kernelFunc;
    if (!prev) throw new Error(`registerWasmElementwiseKernels: the wasm backend has no '${name}' kernel`);
    originals.set(name, prev);
    return prev;
  };
  const origIdentity = stock('Identity');
  const origSum = stock('Sum');
  const origLeaky = stock('LeakyRelu');
  const view = (b: BackendWasm, x: TensorInfo): Float32Array => b.typedArrayFromHeap(x) as Float32Array;

  const identityShared: KernelFunc = (p) => {
    const { x } = p.inputs as { x: TensorInfo };
    if (x.dtype === 'string') return origIdentity(p);
    (p.backend as BackendWasm).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };

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
    sumLeading(view(b, x), outer, inner, view(b, out));
    return out;
  };

  const leakyRelu: KernelFunc = (p) => {
    const { x } = p.inputs as { x: TensorInfo };
    if (x.dtype !== 'float32') return origLeaky(p);
    const alpha = (p.attrs as NamedAttrMap).alpha as number;
    const b = p.backend as BackendWasm;
    const out = b.makeOutput(x.shape, 'float32');
    leakyReluLoop(view(b, x), alpha, view(b, out));
    return out;
  };

  const leakyReluGrad: KernelFunc = (p) => {
    const { dy, x } = p.inputs as { dy: TensorInfo; x: TensorInfo };
    const alpha = (p.attrs as NamedAttrMap).alpha as number;
    const b = p.backend as BackendWasm;
    const out = b.makeOutput(x.shape, 'float32');
    leakyReluGradLoop(view(b, x), view(b, dy), alpha, view(b, out));
    return out;
  };

  const reg = (kernelName: string, kernelFunc: KernelFunc): void => {
    if (t.getKernel(kernelName, 'wasm')) t.unregisterKernel(kernelName, 'wasm');
    t.registerKernel({ kernelName, backendName: 'wasm', kernelFunc });
  };
  reg('Identity', identityShared);
  reg('Sum', sumLeadingAxes);
  reg('LeakyRelu', leakyRelu);
  reg(LEAKY_RELU_GRAD_KERNEL, leakyReluGrad);

  // tfjs-core's LeakyRelu gradient, fused on wasm (same values: where(x > 0, dy, dy * alpha)).
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
