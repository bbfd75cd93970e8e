// The parts the Butterworth designs share: argument checks, one second-order section per digital pole, and the
// scipy ordering of the sections with the gain in the first.
import { UserError } from '../errors.js';

/** Second-order sections [b0, b1, b2, a0, a1, a2] per row, scipy's `sos` layout. */
export type Sos = number[][];

/** A section before ordering: numerator, denominator and its pole's distance from the origin. */
export interface Section {
  a: number[];
  b: number[];
  mag: number;
}


/** Order 1..16, a positive rate and a cutoff strictly between 0 and Nyquist; errors name `fn` and the bad value. */
export function checkButterArgs(fn: string, args: { cutoffHz: number; rateHz: number; order: number }): void {
  const { cutoffHz, rateHz, order } = args;
  if (!Number.isInteger(order) || order < 1 || order > 16)
    throw new UserError(`${fn}: order must be an integer in 1..16, got ${order}`);
  if (!(rateHz > 0)) throw new UserError(`${fn}: rateHz must be positive, got ${rateHz}`);
  if (!(cutoffHz > 0 && cutoffHz < rateHz / 2))
    throw new UserError(
      `${fn}: cutoffHz must be in (0, ${rateHz / 2}) (Nyquist of ${rateHz} Hz), got ${cutoffHz}`,
    );
}

/**
 * The section of digital pole z = re + i im: for the upper member of a conjugate pair (im > 0) numerator `pairB`
 * over (1 - 2 re z^-1 + |z|^2 z^-2); for a real pole `realB` over (1 - re z^-1); none for the lower member.
 */
export function poleSection(re: number, im: number, pairB: number[], realB: number[]): Section | undefined {
  if (im > 1e-14) return { b: pairB, a: [1, -2 * re, re * re + im * im], mag: Math.hypot(re, im) };
  if (Math.abs(im) <= 1e-14) return { b: realB, a: [1, -re, 0], mag: Math.abs(re) };
  return undefined;
}

/** The sections as scipy orders them (poles farthest from the unit circle first), the gain in the first one. */
export function orderedSos(sections: Section[], gain: number): Sos {
  sections.sort((x, y) => x.mag - y.mag);
  const sos = sections.map((s) => [...s.b, ...s.a]);
  const first = sos[0] as number[];
  for (let j = 0; j < 3; j++) first[j] = (first[j] as number) * gain;
  return sos;
}
