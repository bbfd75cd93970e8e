// The regularized upper incomplete gamma function Q(a, x) (series below a + 1, Lentz continued fraction above).
import { InternalError, invariant } from '../errors.js';
import { logGamma } from './logGamma.js';

const EPSILON = 1e-16;
const TINY = 1e-300;
const MAX_ITERATIONS = 10000;

/** P(a, x) by its series (Numerical Recipes 3rd ed. §6.2, `gser`), for x < a + 1. */
function lowerSeries(a: number, x: number): number {
  let ap = a;
  let del = 1 / a;
  let sum = del;
  for (let n = 0; n < MAX_ITERATIONS; n++) {
    ap += 1;
    del *= x / ap;
    sum += del;
    if (Math.abs(del) < Math.abs(sum) * EPSILON) return sum * Math.exp(-x + a * Math.log(x) - logGamma(a));
  }
  throw new InternalError(`regularizedGammaQ: series did not converge (a ${a}, x ${x})`);
}

/** Q(a, x) by its continued fraction (Numerical Recipes 3rd ed. §6.2, `gcf`), modified Lentz, for x >= a + 1. */
function upperFraction(a: number, x: number): number {
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i <= MAX_ITERATIONS; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) <= EPSILON) return Math.exp(-x + a * Math.log(x) - logGamma(a)) * h;
  }
  throw new InternalError(`regularizedGammaQ: continued fraction did not converge (a ${a}, x ${x})`);
}

/**
 * Q(a, x) = Γ(a, x) / Γ(a) for a > 0, x >= 0 (scipy.special.gammaincc). With a = 1/2 it is erfc(sqrt(x)), so the
 * two-sided normal p-value of z is Q(1/2, z² / 2).
 */
export function regularizedGammaQ(a: number, x: number): number {
  invariant(Number.isFinite(a) && a > 0, 'regularizedGammaQ', `a must be a positive finite number, got ${a}`);
  invariant(x >= 0, 'regularizedGammaQ', `x must be >= 0, got ${x}`);
  if (x === 0) return 1;
  if (x === Infinity) return 0;
  return x < a + 1 ? 1 - lowerSeries(a, x) : upperFraction(a, x);
}
