// sosfiltfilt: zero-phase second-order-section filtering with scipy semantics.
import { UserError } from '../errors.js';
import type { Sos } from './butterSections.js';

/** scipy `lfilter_zi` for one biquad, scaled as in `sosfilt_zi`. */
function sosfiltZi(sos: Sos): Float64Array {
  const zi = new Float64Array(sos.length * 2);
  let scale = 1;
  sos.forEach((s, i) => {
    const [b0, b1, b2, a0, a1r, a2r] = s as [number, number, number, number, number, number];
    const a1 = a1r / a0;
    const a2 = a2r / a0;
    const nb0 = b0 / a0;
    const nb1 = b1 / a0;
    const nb2 = b2 / a0;
    // (I - companion(a).T) zi = b[1:] - a[1:] * b[0]
    const B0 = nb1 - a1 * nb0;
    const B1 = nb2 - a2 * nb0;
    // [[1 + a1, -1], [a2, 1]] z = B
    const det = (1 + a1) * 1 + a2;
    zi[2 * i] = scale * ((B0 * 1 + B1) / det);
    zi[2 * i + 1] = scale * (((1 + a1) * B1 - a2 * B0) / det);
    scale *= (b0 + b1 + b2) / (a0 + a1r + a2r);
  });
  return zi;
}

/** Direct-form II transposed cascade, in place, starting from state `z` (scipy `sosfilt`). */
function sosfiltInPlace(sos: Sos, x: Float64Array, z: Float64Array): void {
  sos.forEach((s, i) => {
    const a0 = s[3] as number;
    const b0 = (s[0] as number) / a0;
    const b1 = (s[1] as number) / a0;
    const b2 = (s[2] as number) / a0;
    const a1 = (s[4] as number) / a0;
    const a2 = (s[5] as number) / a0;
    let z0 = z[2 * i] as number;
    let z1 = z[2 * i + 1] as number;
    for (let n = 0; n < x.length; n++) {
      const xn = x[n] as number;
      const y = b0 * xn + z0;
      z0 = b1 * xn - a1 * y + z1;
      z1 = b2 * xn - a2 * y;
      x[n] = y;
    }
  });
}

/**
 * Zero-phase filtering with `scipy.signal.sosfiltfilt(sos, x)` semantics: odd extension of the default length
 * 3 * (2 * sections + 1 - trailing zero coefficients), steady-state initial conditions, forward then backward.
 */
export function sosfiltfilt(sos: Sos, x: ArrayLike<number>): Float64Array {
  const n = x.length;
  let ntaps = 2 * sos.length + 1;
  ntaps -= Math.min(sos.filter((s) => s[2] === 0).length, sos.filter((s) => s[5] === 0).length);
  const edge = 3 * ntaps;
  if (n <= edge)
    throw new UserError(
      `sosfiltfilt: the signal has ${n} samples; it needs more than ${edge} (the padding length)`,
    );
  const ext = new Float64Array(n + 2 * edge);
  const first = x[0] as number;
  const last = x[n - 1] as number;
  for (let i = 0; i < edge; i++) ext[i] = 2 * first - (x[edge - i] as number);
  for (let i = 0; i < n; i++) ext[edge + i] = x[i] as number;
  for (let i = 0; i < edge; i++) ext[edge + n + i] = 2 * last - (x[n - 2 - i] as number);
  const zi = sosfiltZi(sos);
  const z = zi.map((v) => v * (ext[0] as number));
  sosfiltInPlace(sos, ext, z);
  ext.reverse();
  const z2 = zi.map((v) => v * (ext[0] as number));
  sosfiltInPlace(sos, ext, z2);
  ext.reverse();
  return ext.slice(edge, edge + n);
}
