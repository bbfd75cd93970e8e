// resolveDnnlPrecision(): which arithmetic the oneDNN convolutions use (fp32 | bf16) for a requested engine.precision.
import type { DnnlAddon } from './dnnl.js';

/** The config's `engine.precision`. */
export type PrecisionPreference = 'fp32' | 'bf16' | 'auto';

/** The arithmetic of the native tier's direct convolutions. */
export type Precision = 'fp32' | 'bf16';

/** Result of {@link resolveDnnlPrecision}: the precision to use, and why bf16 was not (when it was asked for). */
export interface ResolvedPrecision {
  precision: Precision;
  /** Why bf16 is unavailable (set when `bf16` or `auto` was requested and fp32 is used). */
  bf16Unavailable?: string;
}

/**
 * Largest error the start-up check accepts, relative to max |y|. The check compares oneDNN's bf16 convolution with
 * a float64 convolution of the same operands rounded to bf16 (round to nearest even): the two differ only by the
 * float32 accumulation, about 1e-7 of max |y| on the check's inputs (at most ~128 x 2^-24 of the sum of |products|,
 * which these inputs' cancellation makes ~30x max |y|). A kernel that rounds differently (truncation) or computes
 * something else errs by 1e-2 or more there: bf16 rounding alone moves this convolution by 3e-2 of max |y|.
 */
export const BF16_CHECK_MAX_RELATIVE_ERROR = 1e-4;

/** `x` rounded to bf16 (round to nearest, ties to even; finite values), as float32. */
export function roundToBf16(x: Float32Array): Float32Array {
  const out = new Float32Array(x);
  const bits = new Uint32Array(out.buffer);
  for (let i = 0; i < bits.length; i++) {
    const u = bits[i] as number;
    bits[i] = (((u + 0x7fff + ((u >>> 16) & 1)) >>> 16) << 16) >>> 0;
  }
  return out;
}

/** y[b, t, co] = sum over k, ci of x[b, t + k - padLeft, ci] w[k, ci, co] (zero outside), in float64. */
function convReference(x: Float32Array, w: Float32Array, dims: readonly number[]): Float64Array {
  const [B, T, Cin, K, Cout, padLeft] = dims as [number, number, number, number, number, number];
  const y = new Float64Array(B * T * Cout);
  for (let b = 0; b < B; b++)
    for (let t = 0; t < T; t++)
      for (let k = 0; k < K; k++) {
        const s = t + k - padLeft;
        if (s < 0 || s >= T) continue;
        for (let ci = 0; ci < Cin; ci++) {
          const xv = x[(b * T + s) * Cin + ci] as number;
          for (let co = 0; co < Cout; co++)
            y[(b * T + t) * Cout + co] =
              (y[(b * T + t) * Cout + co] as number) + xv * (w[(k * Cin + ci) * Cout + co] as number);
        }
      }
  return y;
}

/**
 * One small convolution (batch 2, 64 samples, 16 -> 16 channels, kernel 8, 'same' padding) in bf16 on the addon
 * against {@link convReference} of the bf16-rounded operands; returns max |difference| / max |reference|, or the
 * addon's error message.
 */
export function bf16CheckError(addon: DnnlAddon): number | string {
  const dims = [2, 64, 16, 8, 16, 3, 4, 1] as const;
  const [B, T, Cin, K, Cout] = dims;
  const x = Float32Array.from({ length: B * T * Cin }, (_, i) => Math.sin(i * 0.37));
  const w = Float32Array.from({ length: K * Cin * Cout }, (_, i) => Math.cos(i * 0.11) / Math.sqrt(K * Cin));
  const y = new Float32Array(B * T * Cout);
  try {
    addon.conv1dForward(x, w, y, ...dims, 1);
  } catch (e) {
    return (e as Error).message;
  }
  const ref = convReference(roundToBf16(x), roundToBf16(w), dims);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < y.length; i++) {
    diff = Math.max(diff, Math.abs((y[i] as number) - (ref[i] as number)));
    scale = Math.max(scale, Math.abs(ref[i] as number));
  }
  return scale > 0 ? diff / scale : Number.POSITIVE_INFINITY;
}

/**
 * The precision for `requested`: fp32 when asked; bf16 when asked or `auto` and the addon has bf16 convolutions, the
 * CPU does bf16 natively (oneDNN's ISA includes AVX512-BF16, as AMX CPUs do; elsewhere oneDNN 2.x would emulate it,
 * slower than fp32) and {@link bf16CheckError} is within {@link BF16_CHECK_MAX_RELATIVE_ERROR}; else fp32 with the
 * reason (the caller turns it into a UserError for an explicit `bf16`).
 */
export function resolveDnnlPrecision(addon: DnnlAddon, requested: PrecisionPreference): ResolvedPrecision {
  if (requested === 'fp32') return { precision: 'fp32' };
  if (typeof addon.bf16Native !== 'function')
    return {
      precision: 'fp32',
      bf16Unavailable: 'the oneDNN addon predates bf16 convolutions (rebuild it: npm rebuild ecgssl-dnnl)',
    };
  if (!addon.bf16Native())
    return {
      precision: 'fp32',
      bf16Unavailable: 'the CPU has no native bf16 arithmetic (AVX512-BF16 or AMX) for oneDNN',
    };
  const err = bf16CheckError(addon);
  if (typeof err === 'string' || !(err <= BF16_CHECK_MAX_RELATIVE_ERROR))
    return {
      precision: 'fp32',
      bf16Unavailable: `the bf16 start-up check failed (${typeof err === 'string' ? err : `relative error ${err.toExponential(2)} > ${BF16_CHECK_MAX_RELATIVE_ERROR}`})`,
    };
  return { precision: 'bf16' };
}
