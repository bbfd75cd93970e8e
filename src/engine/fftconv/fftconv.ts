/**
 * Runtime of the overlap-save FFT convolution kernels (native/fftconv/fftconv.c, compiled to WebAssembly SIMD):
 * one shared linear memory, one module instance on the calling thread plus one per extra thread in a
 * `worker_threads` worker, work split by tiles. Inputs are copied in, results copied out (the tfjs wasm heap is a separate memory).
 *
 * Why: on the portable tier the paper's convolutions (kernels 32, 16, 8 over 2560/1277/635 samples) run at
 * XNNPACK's wasm-SIMD speed; computing them through the FFT does 4-12x fewer multiplications (per frequency bin a
 * complex channel product, 3 real products each), which is what lets that tier reach its speed targets.
 */
import { Worker } from 'node:worker_threads';
import { FFTCONV_WASM_BASE64 } from './fftconvWasm.js';
import { InternalError } from '../../errors.js';

/** Parameter block word indices (the enum at the top of fftconv.c). */
const P = {
  B: 0,
  LA: 1,
  CA: 2,
  LO: 3,
  CB: 4,
  N: 5,
  LOG2N: 6,
  H: 7,
  T: 8,
  OFF: 9,
  KEEP0: 10,
  CHUNK_ROWS: 11,
  A: 12,
  G: 13,
  OUT: 14,
  SCRATCH: 15,
  SCRATCH_BYTES: 16,
  COS: 17,
  SIN: 18,
  NMAX: 19,
  D: 20,
  ACC: 21,
  ACC_BYTES: 22,
  K: 23,
  W: 24,
  MODE: 25,
  DVALID: 26,
  NTHREADS: 27,
  ACC_THREADS: 28,
  COUNT: 29,
} as const;

const FUNCS = ['fc_convolve', 'fc_spectra', 'fc_filter_accumulate', 'fc_filter_finish'] as const;
type FuncName = (typeof FUNCS)[number];

/** Largest transform length (twiddle table size). */
export const FFTCONV_MAX_N = 1024;
const PAGE = 65536;
const CTL = 1024; // control words: [seq, func, params, done, error]
const PARAMS = 2048;
const COS = 4096;
const SIN = COS + FFTCONV_MAX_N * 4;
const HEAP = 65536;
const MAX_PAGES = 32768; // 2 GiB

interface WasmMemoryLike {
  readonly buffer: SharedArrayBuffer;
  grow(pages: number): number;
}
interface WasmGlobal {
  Memory: new (d: { initial: number; maximum: number; shared: boolean }) => WasmMemoryLike;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (m: object, imports: object) => { exports: Record<string, unknown> };
  validate(bytes: Uint8Array): boolean;
}
const wasmApi = (globalThis as unknown as { WebAssembly?: WasmGlobal }).WebAssembly;

const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, tid, funcs, ctl, seq0 } = workerData;
const inst = new WebAssembly.Instance(module, { env: { memory } });
const c = new Int32Array(memory.buffer, ctl, 8);
let seen = seq0; // the value at creation: a job posted before this thread started is still seen
for (;;) {
  Atomics.wait(c, 0, seen);
  seen = Atomics.load(c, 0);
  const f = Atomics.load(c, 1);
  if (f < 0) break;
  try { inst.exports[funcs[f]](tid, Atomics.load(c, 2)); } catch (e) { Atomics.store(c, 4, 1); }
  Atomics.add(c, 3, 1);
  Atomics.notify(c, 3);
}
`;

/** A 1-D stride-1 convolution geometry, channels-last (tfjs conv1d as conv2d with height 1). */
export interface FftConvGeometry {
  batch: number;
  /** Input samples per window. */
  inSamples: number;
  /** Output samples per window. */
  outSamples: number;
  inChannels: number;
  outChannels: number;
  kernelSize: number;
  /** Left zero padding (tfjs padInfo.left): y[t] = sum_k x[t + k - padLeft] w[k]. */
  padLeft: number;
}

/** The transform length and tiling chosen for one geometry. */
export interface FftConvPlan {
  n: number;
  hop: number;
  tiles: number;
  /** Estimated floating-point operations of the FFT route (forward pass). */
  fftFlops: number;
  /** Floating-point operations of the direct convolution (forward pass). */
  directFlops: number;
}

/**
 * Picks the transform length N (power of two, K < N <= FFTCONV_MAX_N) minimising the estimated work of the
 * forward pass: per tile, the bin products (3 real multiply-adds per channel pair per bin) and the transforms.
 */
export function planFftConv(g: FftConvGeometry): FftConvPlan {
  const K = g.kernelSize;
  const L = Math.max(g.inSamples, g.outSamples);
  let best: FftConvPlan | null = null;
  for (let n = 8; n <= FFTCONV_MAX_N; n *= 2) {
    const hop = n - K + 1;
    if (hop < Math.max(4, K / 2)) continue;
    if (n > 4 * L && best) break;
    const tiles = Math.ceil(g.outSamples / hop);
    const bins = n / 2 + 1;
    const rows = g.batch * tiles;
    const products = rows * bins * g.inChannels * g.outChannels * 6;
    const transforms = (rows / 2) * (g.inChannels + g.outChannels) * (n / 2) * Math.log2(n) * 10;
    const fftFlops = products + transforms;
    if (!best || fftFlops < best.fftFlops)
      best = {
        n,
        hop,
        tiles,
        fftFlops,
        directFlops: 2 * K * g.inChannels * g.outChannels * g.outSamples * g.batch,
      };
  }
  if (!best) throw new InternalError(`planFftConv: no transform length fits kernel size ${K}`);
  return best;
}

/** Whether fftconv handles this geometry (channel counts multiples of 4, kernel fits the largest transform). */
export function fftConvSupports(g: FftConvGeometry): boolean {
  return (
    g.inChannels % 4 === 0 &&
    g.outChannels % 4 === 0 &&
    g.kernelSize >= 2 &&
    g.kernelSize <= FFTCONV_MAX_N / 4 &&
    g.batch >= 1 &&
    g.inSamples >= 1 &&
    g.outSamples >= 1
  );
}

/** The FFT convolution engine: module instances, shared memory and the worker threads. */
export class FftConvEngine {
  readonly threads: number;
  private readonly memory: WasmMemoryLike;
  private readonly exports: Record<FuncName, (tid: number, params: number) => void>;
  private readonly workers: Worker[] = [];
  private ctl: Int32Array;
  private f32: Float32Array;
  private i32: Int32Array;
  private top = HEAP;

  private constructor(threads: number) {
    if (!wasmApi) throw new Error('FftConvEngine: WebAssembly is not available');
    const bytes = Buffer.from(FFTCONV_WASM_BASE64, 'base64');
    if (!wasmApi.validate(bytes))
      throw new Error('FftConvEngine: this runtime cannot compile the SIMD module');
    const module = new wasmApi.Module(bytes);
    this.memory = new wasmApi.Memory({ initial: 256, maximum: MAX_PAGES, shared: true });
    const inst = new wasmApi.Instance(module, { env: { memory: this.memory } });
    this.exports = inst.exports as unknown as Record<FuncName, (tid: number, params: number) => void>;
    this.threads = threads;
    this.ctl = new Int32Array(this.memory.buffer, CTL, 8);
    this.f32 = new Float32Array(this.memory.buffer);
    this.i32 = new Int32Array(this.memory.buffer);
    for (let k = 0; k < FFTCONV_MAX_N; k++) {
      this.f32[COS / 4 + k] = Math.cos((2 * Math.PI * k) / FFTCONV_MAX_N);
      this.f32[SIN / 4 + k] = Math.sin((2 * Math.PI * k) / FFTCONV_MAX_N);
    }
    for (let tid = 1; tid < threads; tid++) {
      const w = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: {
          module,
          memory: this.memory,
          tid,
          funcs: FUNCS,
          ctl: CTL,
          seq0: Atomics.load(this.ctl, 0),
        },
      });
      w.unref();
      this.workers.push(w);
    }
  }

  /** An engine with `threads` threads (1 = the calling thread only). */
  static create(threads: number): FftConvEngine {
    if (!Number.isInteger(threads) || threads < 1)
      throw new InternalError(`FftConvEngine.create: threads must be a positive integer, got ${threads}`);
    return new FftConvEngine(threads);
  }

  /** Threads taking part in a call: the calling one plus the live workers (after dispose, the calling one). */
  private get active(): number {
    return this.workers.length + 1;
  }

  /** Ends the worker threads; later calls run on the calling thread alone. */
  async dispose(): Promise<void> {
    Atomics.store(this.ctl, 1, -1);
    Atomics.add(this.ctl, 0, 1);
    Atomics.notify(this.ctl, 0);
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
  }

  private reset(): void {
    this.top = HEAP;
  }

  /** Bump allocation of `bytes` (64-byte aligned); grows the memory when needed. Returns the byte offset. */
  private alloc(bytes: number): number {
    const at = Math.ceil(this.top / 64) * 64;
    const end = at + bytes;
    if (end > this.memory.buffer.byteLength) {
      const pages = Math.ceil((end - this.memory.buffer.byteLength) / PAGE);
      if (this.memory.buffer.byteLength / PAGE + pages > MAX_PAGES)
        throw new Error(`FftConvEngine: ${Math.ceil(end / 2 ** 20)} MiB exceeds the 2 GiB kernel memory`);
      this.memory.grow(pages);
      this.f32 = new Float32Array(this.memory.buffer);
      this.i32 = new Int32Array(this.memory.buffer);
      this.ctl = new Int32Array(this.memory.buffer, CTL, 8);
    }
    this.top = end;
    return at;
  }

  private put(data: Float32Array): number {
    const at = this.alloc(data.length * 4);
    this.f32.set(data, at / 4);
    return at;
  }

  private run(fn: FuncName, params: number): void {
    const f = FUNCS.indexOf(fn);
    const c = this.ctl;
    if (this.workers.length > 0) {
      Atomics.store(c, 3, 0);
      Atomics.store(c, 4, 0);
      Atomics.store(c, 1, f);
      Atomics.store(c, 2, params);
      Atomics.add(c, 0, 1);
      Atomics.notify(c, 0);
    }
    this.exports[fn](0, params);
    for (;;) {
      const done = Atomics.load(c, 3);
      if (done >= this.workers.length) break;
      Atomics.wait(c, 3, done);
    }
    if (this.workers.length > 0 && Atomics.load(c, 4) !== 0)
      throw new InternalError(`FftConvEngine: ${fn} failed in a worker thread`);
  }

  private setWords(words: Int32Array, pointers: Partial<Record<keyof typeof P, number>>): number {
    const at = PARAMS / 4;
    this.i32.set(words.subarray(0, P.COUNT), at);
    const all = { COS, SIN, NMAX: FFTCONV_MAX_N, NTHREADS: this.active, ...pointers };
    for (const [k, v] of Object.entries(all)) this.i32[at + P[k as keyof typeof P]] = v;
    return PARAMS;
  }

  private scratchFor(job: FftConvJob): { SCRATCH: number; SCRATCH_BYTES: number } {
    const bytes = Math.ceil((job.scratchFloatsPerThread * 4) / 64) * 64;
    return { SCRATCH: this.alloc(bytes * this.active), SCRATCH_BYTES: bytes };
  }

  /** Runs the convolution route (forward or input gradient) of `job` on a (x or dy) and w into out. */
  private convolve(job: FftConvJob, a: Float32Array, w: Float32Array, out: Float32Array): void {
    this.reset();
    const wAt = this.put(w);
    const gAt = this.alloc(job.spectraFloats * 4);
    const aAt = this.put(a);
    const outAt = this.alloc(out.length * 4);
    const p = this.setWords(job.words, { W: wAt, G: gAt, A: aAt, OUT: outAt, ...this.scratchFor(job) });
    this.run('fc_spectra', p);
    this.run('fc_convolve', p);
    out.set(this.f32.subarray(outAt / 4, outAt / 4 + out.length));
  }

  /** The job of one pass of `g` for this engine's threads. */
  job(kind: FftConvKind, g: FftConvGeometry): FftConvJob {
    return fftConvJob(kind, g, this.active);
  }

  /**
   * Runs a job made by {@link job} (with the current thread count): a and b are (x, w) for `forward`, (dy, w) for
   * `inputGrad`, (x, dy) for `filterGrad`; out receives y, dx or dw.
   */
  runJob(job: FftConvJob, a: Float32Array, b: Float32Array, out: Float32Array): void {
    if (job.kind === 'filterGrad') this.filterGrad(job, a, b, out);
    else this.convolve(job, a, b, out);
  }

  /**
   * Forward convolution y[b][t][co] = sum_k sum_ci x[b][t + k - padLeft][ci] w[k][ci][co]
   * (x: [batch, inSamples, inChannels], w: [K, inChannels, outChannels], y: [batch, outSamples, outChannels]).
   */
  conv(g: FftConvGeometry, x: Float32Array, w: Float32Array, y: Float32Array): void {
    this.runJob(this.job('forward', g), x, w, y);
  }

  /** Input gradient dx[b][u][ci] = sum_k sum_co dy[b][u - k + padLeft][co] w[k][ci][co]. */
  convInputGrad(g: FftConvGeometry, dy: Float32Array, w: Float32Array, dx: Float32Array): void {
    this.runJob(this.job('inputGrad', g), dy, w, dx);
  }

  /** Filter gradient dw[k][ci][co] = sum_b sum_t x[b][t + k - padLeft][ci] dy[b][t][co]. */
  convFilterGrad(g: FftConvGeometry, x: Float32Array, dy: Float32Array, dw: Float32Array): void {
    this.runJob(this.job('filterGrad', g), x, dy, dw);
  }

  private filterGrad(job: FftConvJob, x: Float32Array, dy: Float32Array, dw: Float32Array): void {
    this.reset();
    const xAt = this.put(x);
    const dyAt = this.put(dy);
    const accBytes = Math.ceil((job.accFloatsPerThread * 4) / 64) * 64;
    const accAt = this.alloc(accBytes * this.active); // each thread zeroes its own (fc_filter_accumulate)
    const dwAt = this.alloc(dw.length * 4);
    const p = this.setWords(job.words, {
      A: xAt,
      D: dyAt,
      OUT: dwAt,
      ACC: accAt,
      ACC_BYTES: accBytes,
      ACC_THREADS: this.active,
      ...this.scratchFor(job),
    });
    this.run('fc_filter_accumulate', p);
    this.run('fc_filter_finish', p);
    dw.set(this.f32.subarray(dwAt / 4, dwAt / 4 + dw.length));
  }
}

/** Which pass of a convolution a job computes. */
export type FftConvKind = 'forward' | 'inputGrad' | 'filterGrad';

/** The native addon's code for each kind (`fftConv1d(kind, ...)` in native/dnnl/src/fftconv.cc). */
export const FFTCONV_KIND_CODES: Record<FftConvKind, number> = { forward: 0, inputGrad: 1, filterGrad: 2 };

/** One call of the FFT kernels: the scalar parameter words (pointer words 0) and the buffer sizes it needs. */
export interface FftConvJob {
  kind: FftConvKind;
  plan: FftConvPlan;
  /** P.COUNT words: geometry, transform and tiling; the runner adds pointers, twiddles and thread counts. */
  words: Int32Array;
  spectraFloats: number;
  scratchFloatsPerThread: number;
  accFloatsPerThread: number;
}

/**
 * Plans one pass of the convolution `g` for `threads` threads. The input gradient is computed as a convolution
 * from outSamples to inSamples with the channel roles swapped (spectrum not conjugated, kept samples shifted by
 * K - 1); the filter gradient accumulates per-bin products of the input and dy tiles.
 */
export function fftConvJob(kind: FftConvKind, g: FftConvGeometry, threads: number): FftConvJob {
  const conv: FftConvGeometry =
    kind === 'inputGrad'
      ? {
          ...g,
          inSamples: g.outSamples,
          outSamples: g.inSamples,
          inChannels: g.outChannels,
          outChannels: g.inChannels,
        }
      : g;
  const plan = planFftConv(conv);
  const bins = plan.n / 2 + 1;
  const Ca = conv.inChannels;
  const Cb = conv.outChannels;
  const perRow = kind === 'filterGrad' ? bins * 3 * (Ca + Cb) : bins * (3 * Ca + 2 * Cb);
  const rows = conv.batch * plan.tiles;
  // Rows per chunk: whole pairs of fftconv.c's 4-row blocks (multiples of 8, the tiling the measurements and the
  // README's results were made with), about 2 MiB of per-bin buffers per thread, and work for every thread.
  const chunk =
    Math.ceil(
      Math.max(8, Math.min(256, Math.floor((2 * 2 ** 20) / (perRow * 4)), Math.ceil(rows / threads))) / 8,
    ) * 8;
  const words = new Int32Array(P.COUNT);
  const set: Partial<Record<keyof typeof P, number>> = {
    B: conv.batch,
    LA: conv.inSamples,
    CA: Ca,
    LO: conv.outSamples,
    CB: Cb,
    N: plan.n,
    LOG2N: Math.log2(plan.n),
    H: plan.hop,
    T: plan.tiles,
    K: g.kernelSize,
    CHUNK_ROWS: chunk,
    OFF: kind === 'inputGrad' ? g.padLeft - (g.kernelSize - 1) : -g.padLeft,
    KEEP0: kind === 'inputGrad' ? g.kernelSize - 1 : 0,
    DVALID: plan.hop,
    MODE: kind === 'inputGrad' ? 1 : 0,
  };
  for (const [k, v] of Object.entries(set)) words[P[k as keyof typeof P]] = v;
  // The sizes of fc_spectra_floats, fc_scratch_floats and fc_acc_floats in fftconv.c (the native addon's).
  return {
    kind,
    plan,
    words,
    spectraFloats: kind === 'filterGrad' ? 0 : bins * Ca * 3 * Cb,
    scratchFloatsPerThread: 2 * plan.n * Math.max(Ca, Cb) + chunk * perRow,
    accFloatsPerThread: kind === 'filterGrad' ? bins * Ca * 3 * Cb : 0,
  };
}
