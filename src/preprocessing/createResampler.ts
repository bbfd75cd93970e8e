// The streaming polyphase resampler (scipy's resample_poly in chunks), with an optional WebAssembly SIMD dot product.
import { invariant, UserError } from '../errors.js';
import { createDotKernel, type DotKernel } from './wasm/dotKernel.js';
import { designResampleFilter, rateRatio, reduceRatio } from './resampleFilter.js';

/** A streaming polyphase resampler: push chunks in order, then flush once. */
export interface Resampler {
  readonly up: number;
  readonly down: number;
  /** Consumes the next chunk of input; returns every output sample that is now final. */
  push(chunk: ArrayLike<number>): Float64Array;
  /** Ends the input (zero padding beyond it, as scipy) and returns the remaining outputs. */
  flush(): Float64Array;
}

/** Options of {@link createResampler}. */
export interface ResamplerOptions {
  /** Use the WebAssembly SIMD dot product when available (default true); false forces plain JavaScript. */
  simd?: boolean;
}

/**
 * Polyphase split of the filter `h`: phase f holds taps h[f], h[f + up], ... reversed, so that one output is a
 * contiguous dot product with the input: y_k = sum_t x[iMin + t] * g_f[t].
 */
function polyphaseFilters(h: Float64Array, up: number): Float64Array[] {
  const taps = h.length;
  const phases: Float64Array[] = [];
  for (let f = 0; f < up; f++) {
    const m = f < taps ? Math.floor((taps - 1 - f) / up) + 1 : 0;
    const g = new Float64Array(m);
    for (let t = 0; t < m; t++) g[t] = h[f + (m - 1 - t) * up] as number;
    phases.push(g);
  }
  return phases;
}

/** Where the phase filters and the input buffer live: the SIMD kernel's linear memory, or plain typed arrays. */
interface ResampleStorage {
  kernel: DotKernel | null;
  /** Byte offsets of the phase filters in the kernel's memory (kernel only). */
  phaseByteOffset: number[];
  /** Byte offset of the input buffer in the kernel's memory (kernel only). */
  bufByteOffset: number;
  buf: Float64Array;
}

/**
 * The storage of a resampler: with WebAssembly SIMD, the phase filters and the input buffer live in the kernel's
 * linear memory (phases first, then the buffer) and the dot products run there; otherwise plain typed arrays.
 */
function createStorage(
  phases: readonly Float64Array[],
  initialCapacity: number,
  simd: boolean,
): ResampleStorage {
  const kernel = simd ? createDotKernel() : null;
  const phaseByteOffset: number[] = [];
  if (!kernel) return { kernel, phaseByteOffset, bufByteOffset: 0, buf: new Float64Array(initialCapacity) };
  let off = 0;
  for (const g of phases) {
    phaseByteOffset.push(off);
    off += g.length * 8;
  }
  const bufByteOffset = Math.ceil(off / 16) * 16;
  const need = bufByteOffset + initialCapacity * 8;
  const pages = Math.ceil(need / 65536) - kernel.memory.buffer.byteLength / 65536;
  if (pages > 0) kernel.memory.grow(pages);
  phases.forEach((g, f) => new Float64Array(kernel.memory.buffer, phaseByteOffset[f], g.length).set(g));
  return {
    kernel,
    phaseByteOffset,
    bufByteOffset,
    buf: new Float64Array(kernel.memory.buffer, bufByteOffset, initialCapacity),
  };
}

/** Grows the input buffer of `s` to `capacity` samples, keeping its first `bufLen`. */
function growStorage(s: ResampleStorage, capacity: number, bufLen: number): void {
  if (s.kernel) {
    const need = s.bufByteOffset + capacity * 8;
    const pages = Math.ceil(need / 65536) - s.kernel.memory.buffer.byteLength / 65536;
    if (pages > 0) s.kernel.memory.grow(pages); // detaches the old views; the contents stay
    s.buf = new Float64Array(s.kernel.memory.buffer, s.bufByteOffset, capacity);
  } else {
    const next = new Float64Array(capacity);
    next.set(s.buf.subarray(0, bufLen));
    s.buf = next;
  }
}

/** sum_t buf[o + t] * g[t] over all of g, in JavaScript. */
function denseDot(buf: Float64Array, o: number, g: Float64Array): number {
  const m = g.length;
  const m4 = m - (m % 4);
  let a0 = 0;
  let a1 = 0;
  let a2 = 0;
  let a3 = 0;
  // four accumulators break the add dependency chain (about 2x faster in V8)
  for (let t = 0; t < m4; t += 4) {
    a0 += (buf[o + t] as number) * (g[t] as number);
    a1 += (buf[o + t + 1] as number) * (g[t + 1] as number);
    a2 += (buf[o + t + 2] as number) * (g[t + 2] as number);
    a3 += (buf[o + t + 3] as number) * (g[t + 3] as number);
  }
  for (let t = m4; t < m; t++) a0 += (buf[o + t] as number) * (g[t] as number);
  return a0 + a1 + (a2 + a3);
}

/** The dot product of an output at the edges: inputs before 0 or from `received` on count as zeros. */
function edgeDot(
  buf: Float64Array,
  bufStart: number,
  iMin: number,
  received: number,
  g: Float64Array,
): number {
  let acc = 0;
  for (let t = Math.max(0, -iMin); t < g.length; t++) {
    const i = iMin + t;
    if (i >= received) break;
    acc += (buf[i - bufStart] as number) * (g[t] as number);
  }
  return acc;
}

/** Copies `chunk` into `buf` from `bufLen` on, checking that every sample is finite (`received`: samples before). */
function copyFinite(chunk: ArrayLike<number>, buf: Float64Array, bufLen: number, received: number): void {
  for (let i = 0; i < chunk.length; i++) {
    const v = chunk[i] as number;
    if (!Number.isFinite(v))
      throw new UserError(`resample: sample ${received + i} is ${v}; the input must be finite`);
    buf[bufLen + i] = v;
  }
}

/**
 * Streaming version of `scipy.signal.resample_poly(x, up, down)` (zero padding, default Kaiser FIR): the
 * concatenated outputs of push()...flush() equal the one-piece result, in memory bounded by the filter length
 * plus one chunk. Output length ceil(n*up/down).
 */
export function createResampler(upIn: number, downIn: number, options: ResamplerOptions = {}): Resampler {
  if (!Number.isSafeInteger(upIn) || !Number.isSafeInteger(downIn) || upIn < 1 || downIn < 1)
    throw new UserError(`createResampler: up and down must be positive integers, got ${upIn}/${downIn}`);
  const { up, down } = reduceRatio(upIn, downIn);
  const identity = up === 1 && down === 1;
  const h = identity ? new Float64Array([1]) : designResampleFilter(up, down);
  const taps = h.length;
  const halfLen = (taps - 1) / 2;
  const nPrePad = identity ? 0 : down - (halfLen % down);
  const nPreRemove = identity ? 0 : Math.floor((halfLen + nPrePad) / down);
  // Output k = sum_i x[i] * h[c_k - i*up], c_k = (k + nPreRemove)*down - nPrePad, 0 <= c_k - i*up < taps.
  let bufStart = 0; // global index of buf[0]
  let bufLen = 0;
  let received = 0;
  let k = 0; // next output index
  let flushed = false;
  const phases = polyphaseFilters(h, up);
  const store = createStorage(phases, Math.max(1024, 2 * Math.ceil(taps / up) + 16), options.simd !== false);
  const { kernel, phaseByteOffset, bufByteOffset } = store;
  let buf = store.buf;

  const compute = (kk: number): number => {
    const c = (kk + nPreRemove) * down - nPrePad;
    const f = c % up;
    const g = phases[f] as Float64Array;
    const iMax = (c - f) / up;
    const iMin = iMax - g.length + 1;
    if (kernel && iMin >= 0 && iMax < received)
      return kernel.dot(bufByteOffset + (iMin - bufStart) * 8, phaseByteOffset[f] as number, g.length);
    if (iMin >= 0 && iMax < received) return denseDot(buf, iMin - bufStart, g);
    return edgeDot(buf, bufStart, iMin, received, g);
  };

  const emit = (final: boolean): Float64Array => {
    // last output whose highest contributing input index floor(c_k/up) has arrived (all of them once flushed)
    const kEnd = final
      ? Math.ceil((received * up) / down)
      : Math.max(0, Math.floor((received * up - 1 + nPrePad) / down) - nPreRemove + 1);
    const out = new Float64Array(Math.max(0, kEnd - k));
    for (let j = 0; k < kEnd; j++, k++) out[j] = compute(k);
    // drop input no longer needed by the next output
    const cNext = (k + nPreRemove) * down - nPrePad;
    const keepFrom = Math.max(0, Math.ceil((cNext - taps + 1) / up));
    if (keepFrom > bufStart) {
      const drop = Math.min(keepFrom - bufStart, bufLen);
      buf.copyWithin(0, drop, bufLen);
      bufLen -= drop;
      bufStart += drop;
    }
    return out;
  };

  return {
    up,
    down,
    push(chunk) {
      invariant(!flushed, 'resampler.push', 'called after flush()');
      if (bufLen + chunk.length > buf.length) {
        growStorage(store, Math.max(buf.length * 2, bufLen + chunk.length), bufLen);
        buf = store.buf;
      }
      copyFinite(chunk, buf, bufLen, received);
      bufLen += chunk.length;
      received += chunk.length;
      return emit(false);
    },
    flush() {
      invariant(!flushed, 'resampler.flush', 'called twice');
      flushed = true;
      return emit(true);
    },
  };
}

/** {@link createResampler} for a pair of sampling rates (e.g. SWELL 2048 -> 256 Hz, METHOD §1). */
export function createResamplerForRates(args: { sourceRateHz: number; targetRateHz: number }): Resampler {
  const { up, down } = rateRatio(args.sourceRateHz, args.targetRateHz);
  return createResampler(up, down);
}
