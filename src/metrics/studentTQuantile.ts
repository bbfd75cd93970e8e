// The quantile function (inverse CDF) of Student's t distribution, by bisection on the tail probability.
import { invariant } from '../errors.js';
import { regularizedIncompleteBeta } from './regularizedIncompleteBeta.js';

/** P(T > t) for t >= 0. */
function upperTail(t: number, df: number): number {
  return 0.5 * regularizedIncompleteBeta(df / 2, 0.5, df / (df + t * t));
}

/**
 * The t with P(T <= t) = p for Student's t with `df` > 0 degrees of freedom, 0 < p < 1 (scipy.stats.t.ppf), e.g.
 * studentTQuantile(0.975, 9) = 2.2622: brackets the upper tail 1 - p (or p, by symmetry) and bisects to full
 * double precision.
 */
export function studentTQuantile(p: number, df: number): number {
  invariant(p > 0 && p < 1, 'studentTQuantile', `p must be in (0, 1), got ${p}`);
  invariant(
    Number.isFinite(df) && df > 0,
    'studentTQuantile',
    `df must be a positive finite number, got ${df}`,
  );
  if (p === 0.5) return 0;
  const tail = p > 0.5 ? 1 - p : p;
  let lo = 0;
  let hi = 1;
  while (upperTail(hi, df) > tail) {
    lo = hi;
    hi *= 2;
  }
  for (let i = 0; i < 2000 && hi - lo > 1e-15 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (upperTail(mid, df) > tail) lo = mid;
    else hi = mid;
  }
  const t = (lo + hi) / 2;
  return p > 0.5 ? t : -t;
}
