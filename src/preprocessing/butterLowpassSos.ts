// Digital Butterworth low-pass design as second-order sections (scipy.signal.butter, output='sos').
import { checkButterArgs, orderedSos, poleSection, type Section, type Sos } from './butterSections.js';

/**
 * Digital Butterworth low-pass as second-order sections, the same design as
 * `scipy.signal.butter(order, cutoffHz, 'lowpass', fs=rateHz, output='sos')`: analog prototype scaled to the
 * pre-warped cutoff, bilinear transform (zeros at z = -1); sections ordered with the poles farthest from the unit
 * circle first, the gain in the first section. For odd orders scipy groups the zeros of the real pole differently
 * (same transfer function).
 */
export function butterLowpassSos(args: { cutoffHz: number; rateHz: number; order: number }): Sos {
  checkButterArgs('butterLowpassSos', args);
  const { cutoffHz, rateHz, order } = args;
  const fs2 = 4; // 2 * fs with fs = 2 (normalised frequencies, as scipy)
  const warped = 2 * 2 * Math.tan((Math.PI * ((2 * cutoffHz) / rateHz)) / 2);
  // analog low-pass poles warped * p, p = -exp(i*pi*m/(2N)); bilinear z = (fs2 + s) / (fs2 - s)
  let gainRe = Math.pow(warped, order);
  let denRe = 1;
  let denIm = 0;
  const sections: Section[] = [];
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
    const sec = poleSection(zRe, zIm, [1, 2, 1], [1, 1, 0]);
    if (sec) sections.push(sec);
  }
  gainRe /= denRe;
  return orderedSos(sections, gainRe);
}
