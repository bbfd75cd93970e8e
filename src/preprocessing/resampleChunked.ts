/** Resampling a whole recording through the streaming polyphase resampler, a chunk at a time. */
import { createResamplerForRates } from './createResampler.js';

/** Samples pushed through the streaming resampler at a time. */
export const RESAMPLE_CHUNK_SAMPLES = 1 << 18;

/**
 * Resamples `x` from `sourceRateHz` to `targetRateHz` (scipy `resample_poly` on the reduced ratio) by pushing
 * chunks of `chunkSamples` through {@link createResamplerForRates}: the result equals the one-piece
 * resampling, with no float64 copy of the whole input at its source rate.
 */
export function resampleChunked(
  x: Float32Array | Float64Array,
  sourceRateHz: number,
  targetRateHz: number,
  chunkSamples = RESAMPLE_CHUNK_SAMPLES,
): Float64Array {
  const r = createResamplerForRates({ sourceRateHz, targetRateHz });
  const parts: Float64Array[] = [];
  for (let i = 0; i < x.length; i += chunkSamples) {
    const piece = x.subarray(i, Math.min(x.length, i + chunkSamples));
    parts.push(r.push(piece instanceof Float64Array ? piece : Float64Array.from(piece)));
  }
  parts.push(r.flush());
  const out = new Float64Array(parts.reduce((a, p) => a + p.length, 0));
  let k = 0;
  for (const p of parts) {
    out.set(p, k);
    k += p.length;
  }
  return out;
}
