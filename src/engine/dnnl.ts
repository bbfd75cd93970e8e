// The oneDNN tier: loads the native addon (native/dnnl) and registers its kernels on the wasm backend.
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as tfType from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { setElementwiseAccelerator } from './wasmElementwise.js';
import { currentWasmKernel, replaceWasmKernel } from './kernelRegistry.js';
import { FFTCONV_KIND_CODES, fftConvJob, type FftConvKind } from './fftconv/fftconv.js';
import { CONV_PASSES, fftJobFor, type ConvPass } from './fftconv/convPasses.js';
import { InternalError } from '../errors.js';
import { resolveDnnlPrecision, type Precision, type PrecisionPreference } from './dnnlPrecision.js';

type Tf = typeof tfType;
type TensorInfo = tfType.TensorInfo;
type KernelFunc = tfType.KernelFunc;
type NamedAttrMap = tfType.NamedAttrMap;
type Conv2DInfo = tfType.backend_util.Conv2DInfo;

/** The functions of the native addon `ecgssl-dnnl` (native/dnnl/src/addon.cc); all work in place, channels-last. */
export interface DnnlAddon {
  /** y[B,To,Cout] = conv(x[B,T,Cin], w[K,Cin,Cout]); returns oneDNN's implementation name. */
  conv1dForward(
    x: Float32Array,
    w: Float32Array,
    y: Float32Array,
    batch: number,
    inWidth: number,
    inChannels: number,
    kernelWidth: number,
    outChannels: number,
    padLeft: number,
    padRight: number,
    stride: number,
    /** 0 (default): fp32; 1: bf16 products, fp32 accumulation and output (addons with {@link bf16Native}). */
    precision?: number,
  ): string;
  /** dx[B,T,Cin] from dy[B,To,Cout] and w. */
  conv1dBackwardData(
    dy: Float32Array,
    w: Float32Array,
    dx: Float32Array,
    batch: number,
    inWidth: number,
    inChannels: number,
    kernelWidth: number,
    outChannels: number,
    padLeft: number,
    padRight: number,
    stride: number,
    /** 0 (default): fp32; 1: bf16 products, fp32 accumulation and output (addons with {@link bf16Native}). */
    precision?: number,
  ): string;
  /** dw[K,Cin,Cout] from x and dy. */
  conv1dBackwardWeights(
    x: Float32Array,
    dy: Float32Array,
    dw: Float32Array,
    batch: number,
    inWidth: number,
    inChannels: number,
    kernelWidth: number,
    outChannels: number,
    padLeft: number,
    padRight: number,
    stride: number,
    /** 0 (default): fp32; 1: bf16 products, fp32 accumulation and output (addons with {@link bf16Native}). */
    precision?: number,
  ): string;
  /** y[B,To,C] = max-pool(x[B,T,C]). */
  maxPool1dForward(
    x: Float32Array,
    y: Float32Array,
    batch: number,
    inWidth: number,
    channels: number,
    poolWidth: number,
    stride: number,
    padLeft: number,
    padRight: number,
  ): string;
  /** dx[B,T,C] = max-pool gradient of dy routed to each window's argmax (forward recomputed for the workspace). */
  maxPool1dBackward(
    x: Float32Array,
    dy: Float32Array,
    dx: Float32Array,
    batch: number,
    inWidth: number,
    channels: number,
    poolWidth: number,
    stride: number,
    padLeft: number,
    padRight: number,
  ): string;
  /** y = x > 0 ? x : alpha * x (OpenMP). Absent in addon builds before the element-wise helpers. */
  leakyRelu?(x: Float32Array, y: Float32Array, alpha: number): void;
  /** dx = x > 0 ? dy : alpha * dy (OpenMP). */
  leakyReluGrad?(x: Float32Array, dy: Float32Array, dx: Float32Array, alpha: number): void;
  /** out[j] = sum over i of x[i * inner + j], float64 accumulation (OpenMP). */
  sumLeading?(x: Float32Array, out: Float32Array, outer: number, inner: number): void;
  /** y = x + bias broadcast over the last axis (bias.length divides x.length) (OpenMP). */
  addBias?(x: Float32Array, bias: Float32Array, y: Float32Array): void;
  /** out[o, j] = max over m of x[o, m, j] (NaN propagates) (OpenMP). */
  maxMiddle?(x: Float32Array, out: Float32Array, outer: number, mid: number, inner: number): void;
  /**
   * The overlap-save FFT convolution of native/fftconv/fftconv.c compiled natively (OpenMP): kind 0 forward
   * (a = x, b = w), 1 input gradient (a = dy, b = w), 2 filter gradient (a = x, b = dy); `words` from fftConvJob.
   * Returns the vector width. Absent in addon builds before the FFT kernels.
   */
  fftConv1d?(kind: number, a: Float32Array, b: Float32Array, out: Float32Array, words: Int32Array): number;
  /** Vector width of the native FFT kernels (channel counts must be multiples of it). */
  fftLanes?(): number;
  /** Whether oneDNN does bf16 natively on this CPU (AVX512-BF16 / AMX). Absent in addon builds before bf16. */
  bf16Native?(): boolean;
  version(): string;
  getThreads(): number;
  setThreads(n: number): number;
  cachedPlans(): number;
}

/** Kernels of the `wasm` backend that {@link tryRegisterDnnlKernels} overrides (1-D cases; others fall through). */
export const DNNL_KERNEL_NAMES = [
  'Conv2D',
  'Conv2DBackpropInput',
  'Conv2DBackpropFilter',
  'MaxPool',
  'MaxPoolGrad',
] as const;

/** Result of {@link tryRegisterDnnlKernels}. */
export type DnnlRegistration =
  | {
      ok: true;
      version: string;
      threads: number;
      /** Vector width of the native FFT kernels, 0 when unused. */ fftLanes: number;
      /** Arithmetic of the direct convolutions. */
      precision: Precision;
      /** Why bf16 is not used although `bf16` or `auto` was asked for. */
      bf16Unavailable?: string;
    }
  | { ok: false; reason: string };

/** Options of {@link tryRegisterDnnlKernels}. */
export interface DnnlArgs {
  /** OpenMP threads for oneDNN (default: all cores; keep the wasm backend single-threaded then, METHOD/prototypes §7). */
  threads?: number;
  /**
   * Route the convolutions where the native FFT kernels beat oneDNN's direct ones through them (default true;
   * config `engine.fftConv`).
   */
  fftConv?: boolean;
  /**
   * Arithmetic of the direct convolutions (default fp32; config `engine.precision`): bf16 where the CPU does it
   * natively and the start-up check passes ({@link resolveDnnlPrecision}), else fp32 with the reason.
   */
  precision?: PrecisionPreference;
}

/**
 * Fewest direct-convolution FLOPs per FFT-route FLOP for which the native tier takes its FFT kernels instead of
 * oneDNN, whose direct convolutions run near the CPU's peak. Measured at batch 32 on 2 AVX-512 cores (ms, FFT vs
 * oneDNN, forward / input gradient / filter gradient): k32 32->32 (ratio 12.5) 9/10/12 vs 25/25/31; k16 64->64
 * (7.4) 11/12/16 vs 20/20/26; k8 64->128 (3.8) 8.9/9.3/10.9 vs 10.6/10.4/11.7; k8 128->128 (4.0) 18/22/30 vs
 * 20/21/21. Hence the ratio, and {@link DNNL_FFT_MAX_GRAD_CHANNEL_PAIRS} for the gradients.
 */
export const DNNL_FFT_MIN_FLOP_RATIO = 3.5;

/** Gradients of layers with at least this many (input, output) channel pairs stay on oneDNN (see above). */
export const DNNL_FFT_MAX_GRAD_CHANNEL_PAIRS = 128 * 128;

/**
 * Under bf16, a pass of a layer with at least this many (input, output) channel pairs takes oneDNN's bf16 direct
 * convolution instead of the (fp32) FFT kernels; below it the fp32 rules above decide. Measured on 2 AVX512-BF16
 * cores under niced background load (ms at batch 32 | 128, fp32 FFT vs bf16 oneDNN, forward / input gradient /
 * filter gradient): k8 128->128 37/38/61 vs 26/26/29 | 139/109/229 vs 102/103/111; k8 64->128 12/13/16 vs 14/14/18
 * | 52/52/82 vs 54/54/60; k16 64->64 15/15/23 vs 26/26/34 | 58/59/97 vs 109/111/133; k32 32->32 13/11/17 vs
 * 25/26/38 | 45/44/60 vs 100/103/152. (fp32 oneDNN is about twice bf16: k8 128->128 49/50/59 | 198/201/235.)
 */
export const DNNL_BF16_FFT_MAX_CHANNEL_PAIRS: Readonly<Record<FftConvKind, number>> = {
  forward: 128 * 128,
  inputGrad: 128 * 128,
  filterGrad: 64 * 128,
};

/**
 * Whether a direct pass runs in bf16 under bf16: all but the forward pass of a single-input-channel layer, where
 * oneDNN's bf16 kernel was slower than its fp32 one (k32 1->32: 2.7 vs 2.4 ms at batch 32, 11.4 vs 9.7 at 128;
 * its filter gradient: 3.2 vs 16 and 22 vs 32 ms in bf16's favour).
 */
function bf16Direct(kind: FftConvKind, c: Conv2DInfo): boolean {
  return !(kind === 'forward' && c.inChannels === 1);
}

/** Per-kernel counts of calls served by oneDNN and of fall-throughs to the previous kernel (for tests and logs). */
export const dnnlStats: Record<string, { native: number; fallback: number }> = {};

let cachedAddon: DnnlAddon | { loadError: string } | undefined;

/**
 * Loads the addon: the installed `ecgssl-dnnl` package, else the in-tree native/dnnl build; with ECGSSL_DNNL_DIR
 * set, only the addon package in that folder (a local build elsewhere; tests use it to simulate a failed build).
 * Never throws.
 */
export function loadDnnlAddon(): DnnlAddon | { loadError: string } {
  if (cachedAddon) return cachedAddon;
  const req = createRequire(import.meta.url);
  const here = dirname(fileURLToPath(import.meta.url));
  const dir = process.env.ECGSSL_DNNL_DIR;
  const candidates = dir
    ? [join(dir, 'index.cjs')]
    : ['ecgssl-dnnl', join(here, '..', '..', 'native', 'dnnl', 'index.cjs')];
  let firstError = '';
  // libgomp reads its settings when the addon loads it. Its default wait policy spins between parallel regions;
  // on a loaded machine (2 cores shared with another process) that made a batch-32 step ~3x slower (1.47 s vs
  // 0.54 s, 2 threads), while passive waiting cost nothing measurable on an idle one. A user setting wins.
  if (process.env.OMP_WAIT_POLICY === undefined && process.env.GOMP_SPINCOUNT === undefined)
    process.env.OMP_WAIT_POLICY = 'PASSIVE';
  for (const c of candidates) {
    try {
      const m = req(c) as Partial<DnnlAddon> & { loadError?: string };
      if (typeof m.conv1dForward === 'function') return (cachedAddon = m as DnnlAddon);
      if (m.loadError && !firstError) firstError = m.loadError;
    } catch (e) {
      if (!firstError && (e as { code?: string }).code !== 'MODULE_NOT_FOUND')
        firstError = String((e as Error).message);
    }
  }
  return (cachedAddon = {
    loadError: firstError || 'ecgssl-dnnl is not installed (an optional dependency)',
  });
}

/**
 * The kernels this module registered, and per name the kernel registered before them, which they fall back to
 * (never one of their own: a repeated registration wraps the same kernel).
 */
const mine = new WeakSet<KernelFunc>();
const previous = new Map<string, KernelFunc>();

function count(kernel: string, native: boolean): void {
  const s = (dnnlStats[kernel] ??= { native: 0, fallback: 0 });
  if (native) s.native++;
  else s.fallback++;
}

/** True when the geometry is a 1-D (H = 1) channels-last case the addon handles. */
function is1d(c: Conv2DInfo): boolean {
  return (
    c.dataFormat === 'channelsLast' &&
    c.inHeight === 1 &&
    c.outHeight === 1 &&
    c.filterHeight === 1 &&
    c.strideHeight === 1 &&
    c.dilationWidth === 1 &&
    c.dilationHeight === 1 &&
    c.padInfo.top === 0 &&
    c.padInfo.bottom === 0 &&
    c.padInfo.left >= 0 &&
    c.padInfo.right >= 0
  );
}

/**
 * Overrides the `wasm` backend's Conv2D, Conv2DBackpropInput, Conv2DBackpropFilter, MaxPool and MaxPoolGrad
 * kernels with oneDNN primitives (native/dnnl addon) for 1-D, channels-last, float32 cases, working
 * zero-copy on the wasm heap; any other case falls through to the kernel registered before (call this after
 * the portable tier's registerWasmKernels). Sets oneDNN's OpenMP thread count (default all cores); run the
 * wasm backend single-threaded alongside it (the prototypes measured the two fighting over the cores).
 * Also hands the large LeakyRelu / LeakyRelu-gradient / leading-axes Sum / bias Add loops of ./wasmElementwise.js
 * to the addon's OpenMP loops (about 5-10x faster than the JS loops on 2.6M-element activations).
 * Never throws: a missing addon or backend gives `{ ok: false, reason }`.
 */
export function tryRegisterDnnlKernels(tf: Tf, args: DnnlArgs = {}): DnnlRegistration {
  const addon = loadDnnlAddon();
  if ('loadError' in addon) return { ok: false, reason: addon.loadError };
  try {
    const threads = addon.setThreads(Math.max(1, Math.floor(args.threads ?? availableParallelism())));
    // Vector width of the native FFT kernels; 0 leaves every convolution to oneDNN.
    const fftLanes = args.fftConv !== false && addon.fftConv1d && addon.fftLanes ? addon.fftLanes() : 0;
    const prec = resolveDnnlPrecision(addon, args.precision ?? 'fp32');
    registerKernels(tf, addon, fftLanes, prec.precision === 'bf16');
    return { ok: true, version: addon.version(), threads, fftLanes, ...prec };
  } catch (e) {
    return { ok: false, reason: `tryRegisterDnnlKernels: ${(e as Error).message}` };
  }
}

/** The wasm kernel `name` that a oneDNN kernel replaced: its fallback for the cases it does not take. */
function prev(name: string): KernelFunc {
  const f = previous.get(name);
  if (!f) throw new InternalError(`tryRegisterDnnlKernels: no previous wasm kernel ${name}`);
  return f;
}

/** tfjs's pooling geometry of an input shape and a MaxPool's attributes. */
function poolInfo(tf: Tf, xShape: number[], a: NamedAttrMap): Conv2DInfo {
  return tf.backend_util.computePool2DInfo(
    xShape as [number, number, number, number],
    a.filterSize as [number, number] | number,
    a.strides as [number, number] | number,
    1,
    a.pad as 'same' | 'valid' | number,
    a.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
  );
}

/** A 1-D convolution's geometry as the addon's conv functions take it: [B, T, Cin, K, Cout, padL, padR, stride]. */
function convDims(c: Conv2DInfo) {
  return [
    c.batchSize,
    c.inWidth,
    c.inChannels,
    c.filterWidth,
    c.outChannels,
    c.padInfo.left,
    c.padInfo.right,
    c.strideWidth,
  ] as const;
}

/**
 * Pool geometry as [B, T, C, K, stride, padL, padR], or undefined. tf.layers' pooling1d pools [B, T, 1, C]
 * (time on H); [B, 1, T, C] (time on W) is accepted too: both are the same nwc buffer.
 */
function poolDims(c: Conv2DInfo) {
  const p = c.padInfo;
  if (c.dataFormat !== 'channelsLast' || c.dilationHeight !== 1 || c.dilationWidth !== 1) return undefined;
  if (
    c.inWidth === 1 &&
    c.outWidth === 1 &&
    c.filterWidth === 1 &&
    c.strideWidth === 1 &&
    p.left === 0 &&
    p.right === 0 &&
    p.top >= 0 &&
    p.bottom >= 0
  )
    return [c.batchSize, c.inHeight, c.inChannels, c.filterHeight, c.strideHeight, p.top, p.bottom] as const;
  if (is1d(c))
    return [c.batchSize, c.inWidth, c.inChannels, c.filterWidth, c.strideWidth, p.left, p.right] as const;
  return undefined;
}

const f32 = (...ts: TensorInfo[]): boolean => ts.every((t) => t.dtype === 'float32');

/** A float32 view on a tensor's wasm heap memory; take it only after makeOutput (a heap growth detaches views). */
const view = (b: BackendWasm, t: TensorInfo): Float32Array => b.typedArrayFromHeap(t) as Float32Array;

/**
 * The kernel of one convolution pass (forward, input gradient, filter gradient): the native FFT kernels when
 * `lanes` > 0 and the pass's geometry suits them, else oneDNN's direct convolution (in bf16 when `bf16`, which
 * also sends the widest layers to oneDNN: {@link DNNL_BF16_FFT_MAX_CHANNEL_PAIRS}); not 1-D float32: the previous one.
 */
function convKernel(tf: Tf, addon: DnnlAddon, lanes: number, pass: ConvPass, bf16: boolean): KernelFunc {
  const fftConv1d = lanes > 0 ? addon.fftConv1d : undefined;
  /** The FFT job for this pass, when the native FFT kernels take it. */
  const fftJob = (c: Conv2DInfo, kind: FftConvKind) =>
    fftJobFor(
      kind,
      c,
      DNNL_FFT_MIN_FLOP_RATIO,
      (k, g) => fftConvJob(k, g, addon.getThreads()),
      (g) =>
        g.inChannels % lanes === 0 &&
        g.outChannels % lanes === 0 &&
        (kind === 'forward' || g.inChannels * g.outChannels < DNNL_FFT_MAX_GRAD_CHANNEL_PAIRS) &&
        !(bf16 && g.inChannels * g.outChannels >= DNNL_BF16_FFT_MAX_CHANNEL_PAIRS[kind]),
    );
  const direct: Record<FftConvKind, DnnlAddon['conv1dForward']> = {
    forward: addon.conv1dForward,
    inputGrad: addon.conv1dBackwardData,
    filterGrad: addon.conv1dBackwardWeights,
  };
  return (p) => {
    const [u, v] = pass.operands(p.inputs);
    const c = pass.info(tf, p.inputs, p.attrs ?? {});
    const name = pass.kernelName;
    if (!is1d(c) || !f32(u, v)) return (count(name, false), prev(name)(p));
    const b = p.backend as BackendWasm;
    const out = b.makeOutput(pass.outShape(c), 'float32');
    // The addon's functions do not use `this` (N-API callbacks), so they are called unbound.
    const job = fftConv1d ? fftJob(c, pass.kind) : null;
    const inBf16 = bf16 && !job && bf16Direct(pass.kind, c);
    if (fftConv1d && job)
      fftConv1d(FFTCONV_KIND_CODES[pass.kind], view(b, u), view(b, v), view(b, out), job.words);
    else direct[pass.kind](view(b, u), view(b, v), view(b, out), ...convDims(c), inBf16 ? 1 : 0);
    count(job ? `${name}:fft` : inBf16 ? `${name}:bf16` : name, true);
    return out;
  };
}

/** MaxPool (`grad` false: y from x) or MaxPoolGrad (`grad` true: dx from the forward input and dy). */
function poolKernel(tf: Tf, addon: DnnlAddon, grad: boolean): KernelFunc {
  return (p) => {
    const name = grad ? 'MaxPoolGrad' : 'MaxPool';
    const ins = p.inputs as { x?: TensorInfo; input?: TensorInfo; dy?: TensorInfo };
    const x = (grad ? ins.input : ins.x) as TensorInfo;
    const dy = ins.dy as TensorInfo;
    if (x.shape.length !== 4 || !f32(...(grad ? [x, dy] : [x]))) return (count(name, false), prev(name)(p));
    const c = poolInfo(tf, x.shape, p.attrs ?? {});
    const d = poolDims(c);
    if (!d) return (count(name, false), prev(name)(p));
    const b = p.backend as BackendWasm;
    const out = b.makeOutput(grad ? x.shape : c.outShape, 'float32');
    if (grad) addon.maxPool1dBackward(view(b, x), view(b, dy), view(b, out), ...d);
    else addon.maxPool1dForward(view(b, x), view(b, out), ...d);
    count(name, true);
    return out;
  };
}

/**
 * Registers the oneDNN kernels (the three convolution passes, MaxPool, MaxPoolGrad) over the wasm ones, keeping
 * those as fallbacks, and hands the large elementwise loops to the addon when it has them.
 */
function registerKernels(tf: Tf, addon: DnnlAddon, lanes: number, bf16: boolean): void {
  for (const name of DNNL_KERNEL_NAMES) {
    const k = currentWasmKernel(tf, name);
    if (!mine.has(k)) previous.set(name, k);
  }
  const fns = {
    ...Object.fromEntries(
      CONV_PASSES.map((pass) => [pass.kernelName, convKernel(tf, addon, lanes, pass, bf16)]),
    ),
    MaxPool: poolKernel(tf, addon, false),
    MaxPoolGrad: poolKernel(tf, addon, true),
  } as Record<(typeof DNNL_KERNEL_NAMES)[number], KernelFunc>;
  const { leakyRelu, leakyReluGrad, sumLeading, addBias, maxMiddle } = addon;
  if (leakyRelu && leakyReluGrad && sumLeading && addBias)
    setElementwiseAccelerator({ leakyRelu, leakyReluGrad, sumLeading, addBias, maxMiddle });
  for (const name of DNNL_KERNEL_NAMES) {
    mine.add(fns[name]);
    replaceWasmKernel(tf, name, fns[name]);
  }
}
