// The Max (global max pool) gradient fused on wasm: dy routed to every maximum in one pass, same values as tfjs'.
import type * as tfNs from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { replaceWasmKernel } from './kernelRegistry.js';
import { wasmSimdLoops } from './wasmSimd.js';

type Tf = typeof tfNs;
type TensorInfo = tfNs.TensorInfo;
type KernelFunc = tfNs.KernelFunc;
type NamedAttrMap = tfNs.NamedAttrMap;

/** The fused Max gradient kernel registered on wasm by {@link registerWasmMaxGrad}. */
export const MAX_GRAD_KERNEL = 'MaxGradEcgssl';

/**
 * dx[(o * mid + m) * inner + j] = dy[o * inner + j] * ((x[...] - y[o * inner + j]) == 0 ? 1 : 0): the gradient of a
 * max over a contiguous block of axes of x viewed as [outer, mid, inner], with y = the max ([outer, inner]). The same
 * float32 values as tfjs' composition mul(dy, cast(equal(x, y))) on wasm, whose broadcasting Equal is (x - y) == 0
 * (./wasmKernels.ts): x - y of two float32 values is zero exactly when they are equal (in float64 as in float32, and
 * NaN for infinities of one sign), and dy * 1 or dy * 0 is exact. Exported for tests.
 */
export function maxGradLoop(
  dy: Float32Array,
  x: Float32Array,
  y: Float32Array,
  outer: number,
  mid: number,
  inner: number,
  dx: Float32Array,
): void {
  for (let o = 0; o < outer; o++) {
    const ob = o * inner;
    let row = o * mid * inner;
    for (let m = 0; m < mid; m++, row += inner)
      for (let j = 0; j < inner; j++)
        dx[row + j] = (dy[ob + j] as number) * ((x[row + j] as number) - (y[ob + j] as number) === 0 ? 1 : 0);
  }
}

/**
 * The reduced axes (normalised) as one contiguous block of x's shape: [outer, mid, inner] sizes, or undefined when
 * they are not contiguous.
 */
export function contiguousBlock(
  shape: readonly number[],
  axes: readonly number[],
): [number, number, number] | undefined {
  const sorted = [...new Set(axes)].sort((a, b) => a - b);
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  if (first === undefined || last === undefined || last - first !== sorted.length - 1) return undefined;
  let outer = 1;
  let mid = 1;
  let inner = 1;
  shape.forEach((d, i) => {
    if (i < first) outer *= d;
    else if (i <= last) mid *= d;
    else inner *= d;
  });
  return [outer, mid, inner];
}

/**
 * The kernel: inputs dy, x, y (float32, dy and y with outer * inner elements), attrs outer, mid, inner. With `inner` a
 * multiple of 4, the SIMD loop of ./wasmSimd.ts on the heap (same values), else {@link maxGradLoop}.
 */
function maxGradKernel(): KernelFunc {
  const maxGrad: KernelFunc = (p) => {
    const { dy, x, y } = p.inputs as { dy: TensorInfo; x: TensorInfo; y: TensorInfo };
    const { outer, mid, inner } = p.attrs as { outer: number; mid: number; inner: number };
    const b = p.backend as BackendWasm;
    const out = b.makeOutput(x.shape, 'float32');
    // Views after makeOutput: a heap growth detaches earlier ones.
    const [dyv, xv, yv, dxv] = [dy, x, y, out].map((t) => b.typedArrayFromHeap(t) as Float32Array) as [
      Float32Array,
      Float32Array,
      Float32Array,
      Float32Array,
    ];
    const simd = inner % 4 === 0 ? wasmSimdLoops(b) : null;
    if (!simd) {
      maxGradLoop(dyv, xv, yv, outer, mid, inner, dxv);
      return out;
    }
    const row = inner * 4;
    for (let o = 0; o < outer; o++)
      simd.maxGrad(
        dyv.byteOffset + o * row,
        xv.byteOffset + o * mid * row,
        yv.byteOffset + o * row,
        dxv.byteOffset + o * mid * row,
        mid,
        row,
      );
    return out;
  };
  return maxGrad;
}

/**
 * Registers {@link MAX_GRAD_KERNEL} on wasm and a `Max` gradient that calls it there (float32, reduced axes one
 * contiguous block): one pass instead of Sub + Fill + Equal + Cast + Multiply over x (about 8 ms of a batch-16 step
 * of the paper's network with oneDNN, the gradient of its global max pool). Elsewhere the gradient is tfjs-core's
 * composition, mul(dy, cast(equal(x, y))). Call after `tf.setBackend('wasm')`. Idempotent.
 */
export function registerWasmMaxGrad(t: Tf): void {
  replaceWasmKernel(t, MAX_GRAD_KERNEL, maxGradKernel());
  t.registerGradient({
    kernelName: 'Max',
    inputsToSave: ['x'],
    outputsToSave: [true],
    gradFunc: (dy, saved, attrs) => {
      const [x, y] = saved as [tfNs.Tensor, tfNs.Tensor];
      const g = dy as tfNs.Tensor;
      const axes = t.util.parseAxisParam(
        (attrs as NamedAttrMap).reductionIndices as number | number[],
        x.shape,
      );
      const block = contiguousBlock(x.shape, axes);
      const fused =
        t.getBackend() === 'wasm' &&
        block !== undefined &&
        x.dtype === 'float32' &&
        g.dtype === 'float32' &&
        y.dtype === 'float32' &&
        g.size === y.size &&
        y.size === block[0] * block[2];
      if (fused) {
        const [outer, mid, inner] = block;
        return {
          x: () =>
            t.engine().runKernel(MAX_GRAD_KERNEL, { dy: g, x, y }, { outer, mid, inner }) as tfNs.Tensor,
        };
      }
      // tfjs-core's gradForMinAndMax.
      const keep = t.backend_util.expandShapeToKeepDim;
      const yk = y.rank < x.rank ? t.reshape(y, keep(y.shape, axes)) : y;
      const dyk = g.rank < x.rank ? t.reshape(g, keep(g.shape, axes)) : g;
      return { x: () => t.mul(dyk, t.cast(t.equal(x, yk), dyk.dtype)) };
    },
  });
}
