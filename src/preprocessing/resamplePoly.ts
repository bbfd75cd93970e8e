// resamplePoly: one-piece polyphase resampling with scipy.signal.resample_poly semantics.
import { createResampler } from './createResampler.js';

/**
 * `scipy.signal.resample_poly(x, up, down)` with its defaults (Kaiser window beta 5.0, 2*10*max(up,down)+1
 * taps, zero padding); output length ceil(n*up/down). The input is not modified.
 */
export function resamplePoly(x: ArrayLike<number>, up: number, down: number): Float64Array {
  const r = createResampler(up, down);
  const a = r.push(x);
  const b = r.flush();
  const out = new Float64Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
