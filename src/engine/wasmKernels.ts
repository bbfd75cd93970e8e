// The portable tier's wasm kernels: conv gradients, Equal, the max-pool gradient, BatchMatMul, the elementwise ones.
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { WASM_ELEMENTWISE_KERNEL_NAMES, registerWasmElementwiseKernels } from './wasmElementwise.js';
import { originalWasmKernel, replaceWasmKernel } from './kernelRegistry.js';
import { registerWasmMatMul } from './wasmMatMul.js';
import { MAX_GRAD_KERNEL, registerWasmMaxGrad } from './wasmMaxGrad.js';
import { ADAM_KERNEL, registerWasmAdam } from './fusedAdam.js';
import { wasmSimdLoops } from './wasmSimd.js';
import { InternalError } from '../errors.js';

type Tf = typeof tf;
type TensorInfo = tf.TensorInfo;
type KernelFunc = tf.KernelFunc;
type NamedAttrMap = tf.NamedAttrMap;
type Pair = number | [number, number];

/** Names of the wasm kernels that {@link registerWasmKernels} replaces or adds. */
export const WASM_KERNEL_NAMES = [
  'Conv2DBackpropFilter',
  'Conv2DBackpropInput',
  'Equal',
  'MaxPoolGrad',
  'BatchMatMul',
  MAX_GRAD_KERNEL,
  ADAM_KERNEL,
  ...WASM_ELEMENTWISE_KERNEL_NAMES,
] as const;

/** tfjs' Conv2DInfo of a conv kernel call (dataFormat defaulting to NHWC, dilations to 1). */
export function convInfo(
  t: Tf,
  xShape: number[],
  filterShape: number[],
  attrs: NamedAttrMap,
): tf.backend_util.Conv2DInfo {
  const fmt = t.backend_util.convertConv2DDataFormat(
    (attrs.dataFormat as 'NHWC' | 'NCHW' | undefined) ?? 'NHWC',
  );
  return t.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides as Pair,
    (attrs.dilations as Pair | undefined) ?? 1,
    attrs.pad as 'same' | 'valid' | number,
    attrs.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
    false,
    fmt,
  );
}

/** Whether a conv (with its info) can take the XNNPACK composition: NHWC, stride 1, dilation 1. */
function composable(ci: tf.backend_util.Conv2DInfo): boolean {
  return (
    ci.dataFormat === 'channelsLast' &&
    ci.strideHeight === 1 &&
    ci.strideWidth === 1 &&
    ci.dilationHeight === 1 &&
    ci.dilationWidth === 1
  );
}

/** The stock wasm kernels that the replacements compose or fall back to. */
interface StockKernels {
  conv2d: KernelFunc;
  transpose: KernelFunc;
  reverse: KernelFunc;
  sub: KernelFunc;
  fill: KernelFunc;
  matMul: KernelFunc;
  add: KernelFunc;
  reshape: KernelFunc;
  equal: KernelFunc;
  conv2DBackpropInput: KernelFunc;
}

/** The stock kernels, also on a repeated registration (which must not wrap this project's Conv2D, Add, ...). */
function stockKernels(t: Tf): StockKernels {
  const stock = (name: string): KernelFunc => originalWasmKernel(t, name);
  return {
    conv2d: stock('Conv2D'),
    transpose: stock('Transpose'),
    reverse: stock('Reverse'),
    sub: stock('Sub'),
    fill: stock('Fill'),
    matMul: stock('BatchMatMul'),
    add: stock('Add'),
    reshape: stock('Reshape'),
    equal: stock('Equal'),
    conv2DBackpropInput: stock('Conv2DBackpropInput'),
  };
}

/** Runs kernel `k` and returns its single output. */
function run(
  k: KernelFunc,
  inputs: tf.NamedTensorInfoMap,
  backend: BackendWasm,
  attrs: NamedAttrMap,
): TensorInfo {
  return k({ inputs, backend, attrs }) as TensorInfo;
}

/** Frees intermediate tensors on the wasm backend. */
function free(backend: BackendWasm, ...ts: TensorInfo[]): void {
  for (const x of ts) backend.disposeData(x.dataId);
}

/** `Conv2DBackpropFilter`: a forward Conv2D on transposed operands (im2col for one input channel; cpu otherwise). */
function filterGradKernel(t: Tf, s: StockKernels): KernelFunc {
  const { conv2d, transpose, matMul, add, reshape } = s;
  const filterGrad: KernelFunc = ({ inputs, backend, attrs }) => {
    const b = backend as BackendWasm;
    const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
    const a = attrs as NamedAttrMap;
    const ci = convInfo(t, x.shape, a.filterShape as number[], a);
    if (!composable(ci)) return cpuFilterGrad(t, b, x, dy, a);
    if (useIm2colFilterGrad(ci)) return im2colFilterGrad(b, x, dy, ci, { matMul, add, transpose, reshape });
    const p = ci.padInfo;
    const xt = run(transpose, { x }, b, { perm: [3, 1, 2, 0] }); // [Cin,H,W,B]
    const dyt = run(transpose, { x: dy }, b, { perm: [1, 2, 0, 3] }); // [Hout,Wout,B,Cout]
    const pad = [
      [0, 0],
      [p.top, p.bottom],
      [p.left, p.right],
      [0, 0],
    ];
    const r = run(conv2d, { x: xt, filter: dyt }, b, { strides: 1, dilations: 1, pad, dataFormat: 'NHWC' });
    const out = run(transpose, { x: r }, b, { perm: [1, 2, 0, 3] }); // [fh,fw,Cin,Cout]
    free(b, xt, dyt, r);
    return out;
  };
  return filterGrad;
}

/** `Conv2DBackpropInput`: a forward Conv2D of dy with the reversed, in/out-transposed filter. */
function inputGradKernel(t: Tf, s: StockKernels): KernelFunc {
  const { conv2d, transpose, reverse, conv2DBackpropInput: origBpI } = s;
  const inputGrad: KernelFunc = ({ inputs, backend, attrs }) => {
    const b = backend as BackendWasm;
    const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
    const a = attrs as NamedAttrMap;
    const ci = convInfo(t, a.inputShape as number[], filter.shape, a);
    if (!composable(ci)) return origBpI({ inputs, backend, attrs });
    const p = ci.padInfo;
    const fh = ci.filterHeight;
    const fw = ci.filterWidth;
    const fr = run(reverse, { x: filter }, b, { dims: [0, 1] });
    const ft = run(transpose, { x: fr }, b, { perm: [0, 1, 3, 2] }); // [fh,fw,Cout,Cin]
    const pad = [
      [0, 0],
      [fh - 1 - p.top, fh - 1 - p.bottom],
      [fw - 1 - p.left, fw - 1 - p.right],
      [0, 0],
    ];
    const out = run(conv2d, { x: dy, filter: ft }, b, { strides: 1, dilations: 1, pad, dataFormat: 'NHWC' });
    free(b, fr, ft);
    return out;
  };
  return inputGrad;
}

/** `Equal` with broadcasting: `(a - b) == 0` through the fast broadcasting Sub; same shapes are stock. */
function equalKernel(t: Tf, s: StockKernels): KernelFunc {
  const { sub, fill, equal: origEqual } = s;
  const equalFast: KernelFunc = ({ inputs, backend, attrs }) => {
    const b = backend as BackendWasm;
    const { a, b: bb } = inputs as { a: TensorInfo; b: TensorInfo };
    const same = a.shape.length === bb.shape.length && a.shape.every((d, i) => d === bb.shape[i]);
    if (same || a.dtype !== 'float32' || bb.dtype !== 'float32') return origEqual({ inputs, backend, attrs });
    const outShape = t.backend_util.assertAndGetBroadcastShape(a.shape, bb.shape);
    const d = run(sub, { a, b: bb }, b, {});
    const z = run(fill, {}, b, { shape: outShape, value: 0, dtype: 'float32' });
    const res = run(origEqual, { a: d, b: z }, b, attrs ?? {});
    free(b, d, z);
    return res;
  };
  return equalFast;
}

/**
 * A pool along one axis (tf.layers' pooling1d pools [B, T, 1, C] on H; [B, 1, T, C] on W is the same buffer):
 * [inLength, outLength, size, stride, padBefore], else undefined.
 */
function poolLine(pi: tf.backend_util.Conv2DInfo): [number, number, number, number, number] | undefined {
  const p = pi.padInfo;
  if (pi.dilationHeight !== 1 || pi.dilationWidth !== 1) return undefined;
  if (pi.inWidth === 1 && pi.outWidth === 1 && pi.filterWidth === 1 && p.left === 0 && p.right === 0)
    return [pi.inHeight, pi.outHeight, pi.filterHeight, pi.strideHeight, p.top];
  if (pi.inHeight === 1 && pi.outHeight === 1 && pi.filterHeight === 1 && p.top === 0 && p.bottom === 0)
    return [pi.inWidth, pi.outWidth, pi.filterWidth, pi.strideWidth, p.left];
  return undefined;
}

/**
 * `MaxPoolGrad`: {@link maxPoolBackward}'s values on the wasm heap views; 1-D pools with channel counts multiples of
 * 4 on wasm SIMD (./wasmSimd.ts), the others in JS.
 */
function maxPoolGradKernel(t: Tf): KernelFunc {
  const maxPoolGrad: KernelFunc = ({ inputs, backend, attrs }) => {
    const b = backend as BackendWasm;
    const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
    const a = attrs as NamedAttrMap;
    const pi = t.backend_util.computePool2DInfo(
      input.shape as [number, number, number, number],
      a.filterSize as Pair,
      a.strides as Pair,
      1,
      a.pad as 'same' | 'valid' | number,
      a.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
    );
    const out = b.makeOutput(input.shape, 'float32');
    // Views are taken after makeOutput: a heap growth would detach earlier views.
    const dx = b.typedArrayFromHeap(out) as Float32Array;
    const xv = b.typedArrayFromHeap(input) as Float32Array;
    const dyv = b.typedArrayFromHeap(dy) as Float32Array;
    const line = poolLine(pi);
    const simd = line && pi.inChannels % 4 === 0 ? wasmSimdLoops(b) : null;
    if (!simd || !line) {
      maxPoolBackward(xv, dyv, dx, pi);
      return out;
    }
    dx.fill(0);
    const [L, Lo, K, S, P] = line;
    const row = pi.inChannels * 4;
    for (let i = 0; i < pi.batchSize; i++)
      simd.maxPoolGrad(
        xv.byteOffset + i * L * row,
        dyv.byteOffset + i * Lo * row,
        dx.byteOffset + i * L * row,
        Lo,
        L,
        K,
        S,
        P,
        row,
      );
    return out;
  };
  return maxPoolGrad;
}

/**
 * Registers on the tfjs `wasm` backend the gradient kernels that tfjs-backend-wasm 4.22 lacks or runs slowly,
 * so that the paper's network (METHOD.md: conv1d 'same' stacks, max pool 8/2, global max pool, dense heads) trains
 * at a useful speed:
 *
 * - `Conv2DBackpropFilter` (missing in wasm): a forward XNNPACK Conv2D on transposed operands,
 *   dW[fh,fw,ci,co] = conv2d(x^T [Cin,H,W,B], dy^T [Hout,Wout,B,Cout], explicit pads)^T; 1-D convs with one
 *   input channel (the paper's first layer) take an im2col + XNNPACK matmul instead (see useIm2colFilterGrad).
 * - `Conv2DBackpropInput` (naive C++ loop in wasm): a forward Conv2D of dy with the spatially reversed,
 *   in/out-transposed filter.
 * - `Equal` with broadcasting (gradient of Max/global max pool; slow generic broadcast loop): `(a - b) == 0`
 *   through the fast broadcasting Sub.
 * - `MaxPoolGrad` (naive loop): a JS loop on the wasm heap views that routes dy to the first argmax of each window
 *   (the same tie rule as the pure-JS cpu backend).
 * - `BatchMatMul` with a transposed or batched operand (every dense-layer gradient; a strided scalar loop in wasm):
 *   the same sums on wasm SIMD, bit for bit (./wasmMatMul.ts).
 * - the `Max` gradient (the global max pool's) in one pass, same values (./wasmMaxGrad.ts).
 * - `AdamUpdateEcgssl`, one weight's Adam update in one pass, for ./fusedAdam.ts's optimizer (same values).
 * - the element-wise and reduction kernels of {@link registerWasmElementwiseKernels} (`Identity`, `Sum`, `Max`,
 *   `LeakyRelu` and its fused gradient, bias `Add`).
 *
 * Strided/dilated/NCHW convolutions fall back to the stock kernel (or, for the missing filter gradient, to the cpu
 * backend's kernel through a copy). The compositions call the stock kernels (./kernelRegistry.ts), also when the
 * FFT or oneDNN routes have replaced Conv2D since. Call after `tf.setBackend('wasm')`. Idempotent.
 */
export function registerWasmKernels(t: Tf = tf): void {
  const s = stockKernels(t);
  replaceWasmKernel(t, 'Conv2DBackpropFilter', filterGradKernel(t, s));
  replaceWasmKernel(t, 'Conv2DBackpropInput', inputGradKernel(t, s));
  replaceWasmKernel(t, 'Equal', equalKernel(t, s));
  replaceWasmKernel(t, 'MaxPoolGrad', maxPoolGradKernel(t));
  registerWasmMatMul(t);
  registerWasmMaxGrad(t);
  registerWasmAdam(t);
  registerWasmElementwiseKernels(t);
}

/**
 * Max-pool backward pass in NHWC: dx[argmax of each window] += dy. The first maximum wins ties (as in
 * tfjs-backend-cpu's maxPoolPositions); padded positions never win. Exported for tests.
 */
export function maxPoolBackward(
  x: Float32Array,
  dy: Float32Array,
  dx: Float32Array,
  info: tf.backend_util.Conv2DInfo,
): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth } = info;
  const { strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const padTop = info.padInfo.top;
  const padLeft = info.padInfo.left;
  const C = inChannels;
  // Channels innermost (contiguous in NHWC): each window is scanned row by row for all channels at once.
  const best = new Float32Array(C);
  const at = new Int32Array(C);
  dx.fill(0);
  for (let bi = 0; bi < batchSize; bi++) {
    const xBase = bi * inHeight * inWidth * C;
    for (let r = 0; r < outHeight; r++) {
      const r0 = r * strideHeight - padTop;
      const rLo = Math.max(0, r0);
      const rHi = Math.min(inHeight, r0 + filterHeight);
      for (let c = 0; c < outWidth; c++) {
        const c0 = c * strideWidth - padLeft;
        const cLo = Math.max(0, c0);
        const cHi = Math.min(inWidth, c0 + filterWidth);
        best.fill(-Infinity);
        at.fill(-1);
        for (let rr = rLo; rr < rHi; rr++) {
          for (let cc = cLo; cc < cHi; cc++) {
            const off = xBase + (rr * inWidth + cc) * C;
            for (let ch = 0; ch < C; ch++) {
              const v = x[off + ch] as number;
              if (v > (best[ch] as number)) {
                best[ch] = v;
                at[ch] = off + ch;
              }
            }
          }
        }
        const dyOff = ((bi * outHeight + r) * outWidth + c) * C;
        for (let ch = 0; ch < C; ch++) {
          const idx = at[ch] as number;
          if (idx >= 0) dx[idx] = (dx[idx] as number) + (dy[dyOff + ch] as number);
        }
      }
    }
  }
}

/** Filter gradient for shapes the XNNPACK composition does not cover: the cpu backend's kernel on a copy. */
function cpuFilterGrad(
  t: Tf,
  b: BackendWasm,
  x: TensorInfo,
  dy: TensorInfo,
  attrs: NamedAttrMap,
): TensorInfo {
  // Run the pure-JS backend's kernel directly (without switching the global backend).
  const cpuKernel = t.getKernel('Conv2DBackpropFilter', 'cpu');
  const cpu = t.findBackend('cpu');
  if (!cpuKernel || !cpu)
    throw new InternalError('registerWasmKernels: the cpu backend (fallback) is not registered');
  const xi = {
    dataId: cpu.write(b.typedArrayFromHeap(x).slice(), x.shape, 'float32'),
    shape: x.shape,
    dtype: 'float32' as const,
  };
  const dyi = {
    dataId: cpu.write(b.typedArrayFromHeap(dy).slice(), dy.shape, 'float32'),
    shape: dy.shape,
    dtype: 'float32' as const,
  };
  const r = cpuKernel.kernelFunc({ inputs: { x: xi, dy: dyi }, backend: cpu, attrs }) as TensorInfo;
  const vals = (cpu.readSync(r.dataId) as Float32Array).slice();
  cpu.disposeData(xi.dataId);
  cpu.disposeData(dyi.dataId);
  cpu.disposeData(r.dataId);
  return b.makeOutput(r.shape, 'float32', undefined, vals);
}

/** Floats of the im2col matrix built per matmul in {@link im2colFilterGrad} (bounds the wasm heap it takes). */
const IM2COL_MAX_FLOATS = 1 << 22;

/**
 * Whether the filter gradient of this (composable) conv takes the im2col + matmul route: 1-D convs (one input row,
 * one filter row) with one input channel (the paper's first layer), where XNNPACK's conv on the transposed operands
 * has a single channel per tap and ran at ~6 GFLOP/s (34 ms -> 20 ms at batch 32 x 2560, k32x32). For more input
 * channels the matmul (with its im2col copy, k x the input) measured slower than the transposed-conv composition.
 */
function useIm2colFilterGrad(ci: tf.backend_util.Conv2DInfo): boolean {
  return ci.inHeight === 1 && ci.filterHeight === 1 && ci.outHeight === 1 && ci.inChannels === 1;
}

/**
 * Filter gradient of a stride-1 1-D NHWC conv as one XNNPACK matmul per chunk of windows:
 * dW[kk, ci, co] = sum_{b,t} x[b, t + kk - padLeft, ci] * dy[b, t, co] = A · DY with the im2col matrix
 * A[(kk, ci), (b, t)] (zero outside the input) built on the wasm heap, and DY = dy as [B*T, Cout]. Chunks over the
 * batch keep A under {@link IM2COL_MAX_FLOATS}; their results are summed.
 */
function im2colFilterGrad(
  b: BackendWasm,
  x: TensorInfo,
  dy: TensorInfo,
  ci: tf.backend_util.Conv2DInfo,
  kernels: { matMul: KernelFunc; add: KernelFunc; transpose: KernelFunc; reshape: KernelFunc },
): TensorInfo {
  const { matMul, add, transpose, reshape } = kernels;
  const B = ci.batchSize;
  const T = ci.inWidth;
  const To = ci.outWidth;
  const Cin = ci.inChannels;
  const Cout = ci.outChannels;
  // Channel-major [Cin, B, T] x, whose im2col rows are contiguous slices: x itself for one input channel (the only
  // case useIm2colFilterGrad takes), else a transposed copy.
  const xt =
    Cin === 1 ? x : (transpose({ inputs: { x }, backend: b, attrs: { perm: [3, 0, 1, 2] } }) as TensorInfo);
  const k = ci.filterWidth;
  const padLeft = ci.padInfo.left;
  const M = k * Cin;
  const perWindow = M * To;
  const chunk = Math.max(1, Math.min(B, Math.floor(IM2COL_MAX_FLOATS / perWindow)));
  let acc: TensorInfo | null = null;
  for (let b0 = 0; b0 < B; b0 += chunk) {
    const nb = Math.min(chunk, B - b0);
    const aT = b.makeOutput([1, M, nb * To], 'float32');
    // One chunk: dy itself as [1, B*To, Cout] (a reshape shares the data); else a copy of its rows.
    const dyc =
      nb === B
        ? (reshape({ inputs: { x: dy }, backend: b, attrs: { shape: [1, B * To, Cout] } }) as TensorInfo)
        : b.makeOutput([1, nb * To, Cout], 'float32');
    // Views after the last makeOutput (heap growth detaches earlier views).
    const av = b.typedArrayFromHeap(aT) as Float32Array;
    const xv = b.typedArrayFromHeap(xt) as Float32Array;
    const dyv = b.typedArrayFromHeap(dy) as Float32Array;
    if (nb < B)
      (b.typedArrayFromHeap(dyc) as Float32Array).set(dyv.subarray(b0 * To * Cout, (b0 + nb) * To * Cout));
    im2colRows(xv, av, B, b0, nb, T, To, Cin, k, padLeft);
    const r = matMul({
      inputs: { a: aT, b: dyc },
      backend: b,
      attrs: { transposeA: false, transposeB: false },
    }) as TensorInfo;
    b.disposeData(aT.dataId);
    b.disposeData(dyc.dataId);
    if (acc === null) acc = r;
    else {
      const s = add({ inputs: { a: acc, b: r }, backend: b, attrs: {} }) as TensorInfo;
      b.disposeData(acc.dataId);
      b.disposeData(r.dataId);
      acc = s;
    }
  }
  if (xt !== x) b.disposeData(xt.dataId);
  // [1, k * Cin, Cout] -> [1, k, Cin, Cout]: a reshape shares the data (its reference replaces acc's).
  const out = reshape({
    inputs: { x: acc as TensorInfo },
    backend: b,
    attrs: { shape: [1, k, Cin, Cout] },
  }) as TensorInfo;
  b.disposeData((acc as TensorInfo).dataId);
  return out;
}

/**
 * Fills a[(kk * Cin + c) * (nb * To) + j * To + t] = xt[c, b0 + j, t + kk - padLeft] (0 outside [0, T)), from the
 * channel-major copy xt of x in [Cin, B, T] layout. Exported for tests.
 */
export function im2colRows(
  xt: Float32Array,
  a: Float32Array,
  B: number,
  b0: number,
  nb: number,
  T: number,
  To: number,
  Cin: number,
  k: number,
  padLeft: number,
): void {
  const K = nb * To;
  for (let kk = 0; kk < k; kk++) {
    const shift = kk - padLeft;
    const tLo = Math.max(0, -shift);
    const tHi = Math.min(To, T - shift);
    for (let c = 0; c < Cin; c++) {
      const row = (kk * Cin + c) * K;
      for (let j = 0; j < nb; j++) {
        const dst = row + j * To;
        if (tHi <= tLo) {
          a.fill(0, dst, dst + To);
          continue;
        }
        if (tLo > 0) a.fill(0, dst, dst + tLo);
        const src = (c * B + b0 + j) * T + tLo + shift;
        a.set(xt.subarray(src, src + (tHi - tLo)), dst + tLo);
        if (tHi < To) a.fill(0, dst + tHi, dst + To);
      }
    }
  }
}
