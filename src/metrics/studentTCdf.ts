// The cumulative distribution function of Student's t distribution (through the regularized incomplete beta).
import { invariant } from '../errors.js';
import { regularizedIncompleteBeta } from './regularizedIncompleteBeta.js';

/**
 * P(T <= t) for Student's t with `df` > 0 degrees of freedom (scipy.stats.t.cdf): with x = df / (df + t²), the
 * tail beyond |t| is I_x(df / 2, 1 / 2) / 2.
 */
export function studentTCdf(t: number, df: number): number {
  invariant(Number.isFinite(df) && df > 0, 'studentTCdf', `df must be a positive finite number, got ${df}`);
  invariant(!Number.isNaN(t), 'studentTCdf', 't is NaN');
  if (t === Infinity) return 1;
  if (t === -Infinity) return 0;
  const tail = 0.5 * regularizedIncompleteBeta(df / 2, 0.5, df / (df + t * t));
  return t > 0 ? 1 - tail : tail;
}
