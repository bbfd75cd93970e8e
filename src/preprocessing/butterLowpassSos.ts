// Digital Butterworth low-pass design as second-order sections (scipy.signal.butter, output='sos').
import { UserError } from '../errors.js';
import type { Sos } from './butterHighpassSos.js';

/**
 * Digital Butterworth low-pass as second-order sections, the same design as
 * `scipy.signal.butter(order, cutoffHz, 'lowpass', fs=rateHz, output='sos')`: analog prototype scaled to the
 * pre-warped cutoff, bilinear transform (zeros at z = -1); sections ordered with the poles farthest from the unit
 * circle first, the gain in the first section. For odd orders scipy groups the zeros of the real pole differently
 * (same transfer function).
 */
export function butterLowpassSos(args: { cutoffHz: number; rateHz: number; order: number }): Sos {
  const { cutoffHz, rateHz, order } = args;
  if (!Number.isInteger(order) || order < 1 || order > 16)
    throw new UserError(`butterLowpassSos: order must be an integer in 1..16, got ${order}`);
  if (!(rateHz > 0)) throw new UserError(`butterLowpassSos: rateHz must be positive, got ${rateHz}`);
  if (!(cutoffHz > 0 && cutoffHz < rateHz / 2))
    throw new UserError(
      `butterLowpassSos: cutoffHz must be in (0, ${rateHz / 2}) (Nyquist of ${rateHz} Hz), got ${cutoffHz}`,
    );
  const fs2 = 4; // 2 * fs with fs = 2 (normalised frequencies, as scipy)
  const warped = 2 * 2 * Math.tan((Math.PI * ((2 * cutoffHz) / rateHz)) / 2);
  // analog low-pass poles warped * p, p = -exp(i*pi*m/(2N)); bilinear z = (fs2 + s) / (fs2 - s)
  let gainRe = Math.pow(warped, order);
  let denRe = 1;
  let denIm = 0;
  const sections: { a: number[]; b: number[]; mag: number }[] = [];
  for (let m = -order + 1; m < order; m += 2) {
    const ang = (Math.PI * m) / (2 * order);
    const sRe = -warped * Math.cos(ang);
    const sIm = -warped * Math.sin(ang);
    // den *= (fs2 - s)
    const dRe = fs2 - sRe;
    const dIm = -sIm;
    [denRe, denIm] = [denRe * dRe - denIm * dIm, denRe * dIm + denIm * dRe];
    // z = (fs2 + s) / (fs2 - s)
    const nRe = fs2 + sRe;
    const q = dRe * dRe + dIm * dIm;
    const zRe = (nRe * dRe + sIm * dIm) / q;
    const zIm = (sIm * dRe - nRe * dIm) / q;
    if (zIm > 1e-14)
      sections.push({ b: [1, 2, 1], a: [1, -2 * zRe, zRe * zRe + zIm * zIm], mag: Math.hypot(zRe, zIm) });
    else if (Math.abs(zIm) <= 1e-14) sections.push({ b: [1, 1, 0], a: [1, -zRe, 0], mag: Math.abs(zRe) });
  }
  gainRe /= denRe;
  sections.sort((x, y) => x.mag - y.mag);
  const sos = sections.map((s) => [...s.b, ...s.a]);
  const first = sos[0] as number[];
  for (let j = 0; j < 3; j++) first[j] = (first[j] as number) * gainRe;
  return sos;
}
