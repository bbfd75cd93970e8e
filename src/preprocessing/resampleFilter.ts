// The Kaiser anti-aliasing FIR of scipy's resample_poly and the rational ratio of two sampling rates.
import { UserError } from '../errors.js';

/** Modified Bessel function of the first kind, order 0 (power series; converges for the betas used here). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 500; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

function sinc(x: number): number {
  if (x === 0) return 1;
  const px = Math.PI * x;
  return Math.sin(px) / px;
}

/**
 * The anti-aliasing FIR of `scipy.signal.resample_poly(x, up, down)` with its defaults: `firwin(2*10*max+1,
 * 1/max, window=('kaiser', 5.0))` scaled by `up` (METHOD §1).
 */
export function designResampleFilter(up: number, down: number, kaiserBeta = 5.0): Float64Array {
  const maxRate = Math.max(up, down);
  const halfLen = 10 * maxRate;
  const numTaps = 2 * halfLen + 1;
  const cutoff = 1 / maxRate;
  const alpha = 0.5 * (numTaps - 1);
  const h = new Float64Array(numTaps);
  const i0Beta = besselI0(kaiserBeta);
  let sum = 0;
  for (let n = 0; n < numTaps; n++) {
    const m = n - alpha;
    const r = (2 * n) / (numTaps - 1) - 1;
    const w = besselI0(kaiserBeta * Math.sqrt(Math.max(0, 1 - r * r))) / i0Beta;
    h[n] = cutoff * sinc(cutoff * m) * w;
    sum += h[n] as number;
  }
  for (let n = 0; n < numTaps; n++) h[n] = ((h[n] as number) / sum) * up;
  return h;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Reduces up/down by their greatest common divisor. */
export function reduceRatio(up: number, down: number): { up: number; down: number } {
  const g = gcd(up, down);
  return { up: up / g, down: down / g };
}

/**
 * The integer ratio up/down = targetRateHz/sourceRateHz in lowest terms (rates may carry up to 3 decimals).
 * Throws when the ratio needs factors above 10,000 (the FIR would be impractically long).
 */
export function rateRatio(sourceRateHz: number, targetRateHz: number): { up: number; down: number } {
  for (const [name, v] of [
    ['sourceRateHz', sourceRateHz],
    ['targetRateHz', targetRateHz],
  ] as const)
    if (!Number.isFinite(v) || v <= 0)
      throw new UserError(`resample: ${name} must be a positive number, got ${v}`);
  const s = Math.round(sourceRateHz * 1000);
  const t = Math.round(targetRateHz * 1000);
  if (Math.abs(s - sourceRateHz * 1000) > 1e-6 || Math.abs(t - targetRateHz * 1000) > 1e-6)
    throw new UserError(
      `resample: rates must have at most 3 decimals, got ${sourceRateHz} Hz -> ${targetRateHz} Hz`,
    );
  const r = reduceRatio(t, s);
  if (r.up > 10000 || r.down > 10000)
    throw new UserError(
      `resample: ${sourceRateHz} Hz -> ${targetRateHz} Hz needs the ratio ${r.up}/${r.down}; factors above 10000 are not supported`,
    );
  return r;
}
