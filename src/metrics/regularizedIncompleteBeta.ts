// The regularized incomplete beta function I_x(a, b) (continued fraction by the modified Lentz method).
import { InternalError, invariant } from '../errors.js';
import { logGamma } from './logGamma.js';

const EPSILON = 1e-16;
const TINY = 1e-300;
const MAX_ITERATIONS = 10000;

/** The continued fraction of I_x(a, b) (Numerical Recipes 3rd ed. §6.4, `betacf`), modified Lentz. */
function continuedFraction(a: number, b: number, x: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= MAX_ITERATIONS; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) <= EPSILON) return h;
  }
  throw new InternalError(
    `regularizedIncompleteBeta: no convergence after ${MAX_ITERATIONS} terms (a ${a}, b ${b}, x ${x})`,
  );
}

/**
 * I_x(a, b) = B(x; a, b) / B(a, b) for a, b > 0 and 0 <= x <= 1 (scipy.special.betainc), by the continued fraction
 * on whichever of I_x(a, b) and 1 - I_{1-x}(b, a) converges fast (x below or above (a + 1) / (a + b + 2)).
 */
export function regularizedIncompleteBeta(a: number, b: number, x: number): number {
  invariant(
    Number.isFinite(a) && a > 0 && Number.isFinite(b) && b > 0,
    'regularizedIncompleteBeta',
    `a and b must be positive finite numbers, got a ${a}, b ${b}`,
  );
  invariant(x >= 0 && x <= 1, 'regularizedIncompleteBeta', `x must be in [0, 1], got ${x}`);
  if (x === 0 || x === 1) return x;
  const logFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x);
  const front = Math.exp(logFront);
  if (x < (a + 1) / (a + b + 2)) return (front * continuedFraction(a, b, x)) / a;
  return 1 - (front * continuedFraction(b, a, 1 - x)) / b;
}
