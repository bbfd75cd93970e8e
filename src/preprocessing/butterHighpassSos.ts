// butterHighpassSos: scipy-compatible digital Butterworth high-pass design as second-order sections.
import { checkButterArgs, orderedSos, poleSection, type Section, type Sos } from './butterSections.js';

export type { Sos } from './butterSections.js';

interface Complex {
  re: number;
  im: number;
}
const cmul = (a: Complex, b: Complex): Complex => ({
  re: a.re * b.re - a.im * b.im,
  im: a.re * b.im + a.im * b.re,
});
const cdiv = (a: Complex, b: Complex): Complex => {
  const d = b.re * b.re + b.im * b.im;
  return { re: (a.re * b.re + a.im * b.im) / d, im: (a.im * b.re - a.re * b.im) / d };
};

/**
 * Digital Butterworth high-pass as second-order sections, the same design as
 * `scipy.signal.butter(order, cutoffHz, 'highpass', fs=rateHz, output='sos')`: analog prototype, high-pass
 * transform at the pre-warped frequency, bilinear transform; sections ordered with the poles farthest from the
 * unit circle first, the gain in the first section.
 */
export function butterHighpassSos(args: { cutoffHz: number; rateHz: number; order: number }): Sos {
  checkButterArgs('butterHighpassSos', args);
  const { cutoffHz, rateHz, order } = args;
  const fs = 2;
  const wn = (2 * cutoffHz) / rateHz;
  const warped = 2 * fs * Math.tan((Math.PI * wn) / fs);
  const fs2 = 2 * fs;
  // analog prototype poles p = -exp(i*pi*m/(2N)), m = -N+1, -N+3, ..., N-1
  // gain: k_hp = 1/prod(-p) = 1 (Butterworth prototype), k_z = k_hp * fs2^N / prod(fs2 - p_hp)
  const poles: Complex[] = [];
  let den: Complex = { re: 1, im: 0 };
  let protoProd: Complex = { re: 1, im: 0 };
  for (let m = -order + 1; m < order; m += 2) {
    const a = (Math.PI * m) / (2 * order);
    const p = { re: -Math.cos(a), im: -Math.sin(a) };
    // high-pass: p -> warped / p
    const hp = cdiv({ re: warped, im: 0 }, p);
    // bilinear: z = (fs2 + p) / (fs2 - p)
    poles.push(cdiv({ re: fs2 + hp.re, im: hp.im }, { re: fs2 - hp.re, im: -hp.im }));
    den = cmul(den, { re: fs2 - hp.re, im: -hp.im });
    protoProd = cmul(protoProd, { re: Math.cos(a), im: Math.sin(a) }); // prod(-p)
  }
  const kHp = 1 / protoProd.re;
  const gain = (kHp * Math.pow(fs2, order)) / den.re;
  // sections: conjugate pairs (im > 0 representative) and at most one real pole
  const sections: Section[] = [];
  for (const p of poles) {
    const sec = poleSection(p.re, p.im, [1, -2, 1], [1, -1, 0]);
    if (sec) sections.push(sec);
  }
  return orderedSos(sections, gain);
}
