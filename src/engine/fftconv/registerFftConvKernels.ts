import type * as tfNs from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { convInfo } from '../wasmKernels.js';
import { FftConvEngine, fftConvSupports, planFftConv, type FftConvGeometry } from './fftconv.js';

type Tf = typeof tfNs;
type TensorInfo = tfNs.TensorInfo;
type KernelFunc = tfNs.KernelFunc;
type NamedAttrMap = tfNs.NamedAttrMap;

/** Names of the wasm kernels that {@link registerFftConvKernels} wraps. */
export const FFTCONV_KERNEL_NAMES = ['Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter'] as const;

/**
 * Fewest direct-convolution FLOPs per FFT-route FLOP for which the FFT route is taken. Measured on the paper's
 * layers (2 threads, batch 32): a ratio of 3.8 ran 1.8-2.5x faster than XNNPACK, 7-12 ran 3-5x faster; below about
 * 2 the transforms and copies cost more than they save.
 */
export const FFTCONV_MIN_FLOP_RATIO = 2.5;

/** Arguments of {@link registerFftConvKernels}. */
export interface RegisterFftConvArgs {
  /** Threads of the FFT kernels (the wasm engine's thread count). */
  threads: number;
}

const before = new Map<string, KernelFunc>();

/** Calls taken by the FFT route and calls passed on to the previous kernels, since registration (for tests). */
export const fftConvStats = { forward: 0, inputGrad: 0, filterGrad: 0, passedOn: 0 };
let engine: FftConvEngine | null = null;

function geometry(
  t: Tf,
  xShape: number[],
  filterShape: number[],
  attrs: NamedAttrMap,
): FftConvGeometry | null {
  const ci = convInfo(t, xShape, filterShape, attrs);
  if (
    ci.dataFormat !== 'channelsLast' ||
    ci.strideHeight !== 1 ||
    ci.strideWidth !== 1 ||
    ci.dilationHeight !== 1 ||
    ci.dilationWidth !== 1 ||
    ci.inHeight !== 1 ||
    ci.filterHeight !== 1 ||
    ci.outHeight !== 1 ||
    ci.padInfo.top !== 0 ||
    ci.padInfo.bottom !== 0
  )
    return null;
  const g: FftConvGeometry = {
    batch: ci.batchSize,
    inSamples: ci.inWidth,
    outSamples: ci.outWidth,
    inChannels: ci.inChannels,
    outChannels: ci.outChannels,
    kernelSize: ci.filterWidth,
    padLeft: ci.padInfo.left,
  };
  if (!fftConvSupports(g)) return null;
  const p = planFftConv(g);
  return p.directFlops >= FFTCONV_MIN_FLOP_RATIO * p.fftFlops ? g : null;
}

/**
 * Routes the wasm backend's 1-D convolutions (conv1d as NHWC conv2d with height 1, stride 1, channel counts
 * multiples of 4) through the overlap-save FFT kernels of ./fftconv.ts when that does at least
 * {@link FFTCONV_MIN_FLOP_RATIO} times fewer FLOPs: forward (`Conv2D`), input gradient (`Conv2DBackpropInput`)
 * and filter gradient (`Conv2DBackpropFilter`). Everything else goes to the kernels registered before (stock
 * XNNPACK or registerWasmKernels' compositions). Call after registerWasmKernels; idempotent.
 * Returns the FFT engine (its worker threads end with {@link disposeFftConvKernels}).
 */
export function registerFftConvKernels(t: Tf, args: RegisterFftConvArgs): FftConvEngine {
  for (const name of FFTCONV_KERNEL_NAMES) {
    if (before.has(name)) continue;
    const k = t.getKernel(name, 'wasm');
    if (!k) throw new Error(`registerFftConvKernels: the wasm backend has no '${name}' kernel`);
    before.set(name, k.kernelFunc);
  }
  if (!engine || engine.threads !== args.threads) {
    void engine?.dispose();
    engine = FftConvEngine.create(args.threads);
  }
  const eng = engine;
  const passOn = (name: string, call: Parameters<KernelFunc>[0]): ReturnType<KernelFunc> => {
    fftConvStats.passedOn++;
    return (before.get(name) as KernelFunc)(call);
  };
  const f32 = (b: BackendWasm, x: TensorInfo): Float32Array => b.typedArrayFromHeap(x) as Float32Array;

  const conv: KernelFunc = (call) => {
    const { x, filter } = call.inputs as { x: TensorInfo; filter: TensorInfo };
    const g = x.dtype === 'float32' ? geometry(t, x.shape, filter.shape, call.attrs as NamedAttrMap) : null;
    if (!g) return passOn('Conv2D', call);
    fftConvStats.forward++;
    const b = call.backend as BackendWasm;
    const out = b.makeOutput([g.batch, 1, g.outSamples, g.outChannels], 'float32');
    // Views after makeOutput: a heap growth would detach earlier ones.
    eng.conv(g, f32(b, x), f32(b, filter), f32(b, out));
    return out;
  };
  const inputGrad: KernelFunc = (call) => {
    const { dy, filter } = call.inputs as { dy: TensorInfo; filter: TensorInfo };
    const a = call.attrs as NamedAttrMap;
    const g = dy.dtype === 'float32' ? geometry(t, a.inputShape as number[], filter.shape, a) : null;
    if (!g) return passOn('Conv2DBackpropInput', call);
    fftConvStats.inputGrad++;
    const b = call.backend as BackendWasm;
    const out = b.makeOutput(a.inputShape as number[], 'float32');
    eng.convInputGrad(g, f32(b, dy), f32(b, filter), f32(b, out));
    return out;
  };
  const filterGrad: KernelFunc = (call) => {
    const { x, dy } = call.inputs as { x: TensorInfo; dy: TensorInfo };
    const a = call.attrs as NamedAttrMap;
    const g = x.dtype === 'float32' ? geometry(t, x.shape, a.filterShape as number[], a) : null;
    if (!g) return passOn('Conv2DBackpropFilter', call);
    fftConvStats.filterGrad++;
    const b = call.backend as BackendWasm;
    const out = b.makeOutput(a.filterShape as number[], 'float32');
    eng.convFilterGrad(g, f32(b, x), f32(b, dy), f32(b, out));
    return out;
  };
  for (const [kernelName, kernelFunc] of [
    ['Conv2D', conv],
    ['Conv2DBackpropInput', inputGrad],
    ['Conv2DBackpropFilter', filterGrad],
  ] as const) {
    t.unregisterKernel(kernelName, 'wasm');
    t.registerKernel({ kernelName, backendName: 'wasm', kernelFunc });
  }
  return eng;
}

/** Ends the FFT kernels' worker threads (kernels still registered then run on the calling thread alone). */
export async function disposeFftConvKernels(): Promise<void> {
  const e = engine;
  engine = null;
  await e?.dispose();
}
