// The portable FFT route: wasm convolution kernels that take the FFT kernels where those save enough FLOPs.
import type * as tfNs from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { currentWasmKernel, replaceWasmKernel } from '../kernelRegistry.js';
import { CONV_PASSES, fftJobFor } from './convPasses.js';
import { FftConvEngine } from './fftconv.js';

type Tf = typeof tfNs;
type TensorInfo = tfNs.TensorInfo;
type KernelFunc = tfNs.KernelFunc;

/**
 * Fewest direct-convolution FLOPs per FFT-route FLOP for which the FFT route is taken. Measured on the paper's
 * layers (2 threads, batch 32): ratio 3.8 (k8) ran 1.8-2.5x faster than XNNPACK, 6.9-12.5 (k16, k32) 2.5-4.9x.
 * Nothing below 3.8 was measured; 2.5 leaves a margin for the copies and memory traffic, which the FLOP model omits.
 */
export const FFTCONV_MIN_FLOP_RATIO = 2.5;

/** Arguments of {@link registerFftConvKernels}. */
export interface RegisterFftConvArgs {
  /** Threads of the FFT kernels (the wasm engine's thread count). */
  threads: number;
}

/** The kernels registered before the first {@link registerFftConvKernels} call, which the FFT kernels pass on to. */
const before = new Map<string, KernelFunc>();

/** Calls taken by the FFT route and calls passed on to the previous kernels, since module load (for tests). */
export const fftConvStats = { forward: 0, inputGrad: 0, filterGrad: 0, passedOn: 0 };
let engine: FftConvEngine | null = null;

/**
 * Routes the wasm backend's 1-D convolutions (conv1d as NHWC conv2d with height 1, stride 1, channel counts
 * multiples of 4) through the overlap-save FFT kernels of ./fftconv.ts when that does at least
 * {@link FFTCONV_MIN_FLOP_RATIO} times fewer FLOPs: forward (`Conv2D`), input gradient (`Conv2DBackpropInput`)
 * and filter gradient (`Conv2DBackpropFilter`). Everything else goes to the kernels registered before (stock
 * XNNPACK or registerWasmKernels' compositions). Call after registerWasmKernels; idempotent.
 * Returns the FFT engine (its worker threads end with {@link disposeFftConvKernels}).
 */
export function registerFftConvKernels(t: Tf, args: RegisterFftConvArgs): FftConvEngine {
  for (const { kernelName: name } of CONV_PASSES)
    if (!before.has(name)) before.set(name, currentWasmKernel(t, name));
  if (!engine || engine.threads !== args.threads) {
    void engine?.dispose();
    engine = FftConvEngine.create(args.threads);
  }
  const eng = engine;
  const f32 = (b: BackendWasm, x: TensorInfo): Float32Array => b.typedArrayFromHeap(x) as Float32Array;
  for (const pass of CONV_PASSES) {
    const kernelFunc: KernelFunc = (call) => {
      const [u, v] = pass.operands(call.inputs);
      const c = pass.info(t, call.inputs, call.attrs ?? {});
      const job =
        u.dtype === 'float32' && v.dtype === 'float32'
          ? fftJobFor(pass.kind, c, FFTCONV_MIN_FLOP_RATIO, (kind, g) => eng.job(kind, g))
          : null;
      if (!job) {
        fftConvStats.passedOn++;
        return (before.get(pass.kernelName) as KernelFunc)(call);
      }
      fftConvStats[pass.kind]++;
      const b = call.backend as BackendWasm;
      const out = b.makeOutput(pass.outShape(c), 'float32');
      // Views after makeOutput: a heap growth would detach earlier ones.
      eng.runJob(job, f32(b, u), f32(b, v), f32(b, out));
      return out;
    };
    replaceWasmKernel(t, pass.kernelName, kernelFunc);
  }
  return eng;
}

/** Ends the FFT kernels' worker threads (kernels still registered then run on the calling thread alone). */
export async function disposeFftConvKernels(): Promise<void> {
  const e = engine;
  engine = null;
  await e?.dispose();
}
