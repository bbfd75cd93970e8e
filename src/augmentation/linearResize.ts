// OpenCV INTER_LINEAR 1-D resize (linearResize), the primitive behind the time-warping transformation.
import { InternalError } from '../errors.js';

/**
 * 1-D resize with OpenCV `INTER_LINEAR` semantics (half-pixel centres: src = (d + 0.5) * n / m - 0.5, indices
 * clamped to [0, n-1], no anti-aliasing): the primitive behind time-warping (METHOD §2).
 */
export function linearResize(x: ArrayLike<number>, outLength: number, out?: Float32Array): Float32Array {
  const n = x.length;
  if (!Number.isInteger(outLength) || outLength < 1)
    throw new InternalError(`linearResize: outLength must be a positive integer, got ${outLength}`);
  if (n < 1) throw new InternalError('linearResize: the input is empty');
  const y = out ?? new Float32Array(outLength);
  const ratio = n / outLength;
  for (let d = 0; d < outLength; d++) {
    const fx = (d + 0.5) * ratio - 0.5;
    let i0 = Math.floor(fx);
    let frac = fx - i0;
    if (i0 < 0) {
      i0 = 0;
      frac = 0;
    }
    if (i0 >= n - 1) {
      i0 = n - 1;
      frac = 0;
    }
    const a = x[i0] as number;
    const b = frac === 0 ? a : (x[i0 + 1] as number);
    y[d] = a + (b - a) * frac;
  }
  return y;
}
