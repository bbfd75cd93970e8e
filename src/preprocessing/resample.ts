// resample: resampling between two sampling rates through resamplePoly on the reduced ratio (METHOD §1).
import { resamplePoly } from './resamplePoly.js';
import { rateRatio } from './resampleFilter.js';

/**
 * Resamples `x` from `sourceRateHz` to `targetRateHz` with {@link resamplePoly} on the reduced ratio
 * (e.g. 2048 -> 256 Hz is up 1, down 8; 360 -> 256 Hz is up 32, down 45). METHOD §1.
 */
export function resample(x: ArrayLike<number>, sourceRateHz: number, targetRateHz: number): Float64Array {
  const { up, down } = rateRatio(sourceRateHz, targetRateHz);
  if (up === 1 && down === 1) return Float64Array.from(x);
  return resamplePoly(x, up, down);
}
