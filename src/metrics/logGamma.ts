// ln Γ(x) for x > 0 (Lanczos approximation, Numerical Recipes 3rd ed. §6.1, about 1e-15 relative).
import { invariant } from '../errors.js';

/** Lanczos coefficients for g = 671/128 (Numerical Recipes 3rd ed., `gammln`). */
const COEFFICIENTS = [
  57.15623566586292, -59.59796035547549, 14.136097974741746, -0.4919138160976202, 0.00003399464998481189,
  0.00004652362892704858, -0.00009837447530487956, 0.0001580887032249125, -0.00021026444172410488,
  0.00021743961811521265, -0.0001643181065367639, 0.00008441822398385275, -0.000026190838401581408,
  0.0000036899182659531625,
];

/** Natural logarithm of the gamma function, `x` > 0 (an InternalError otherwise). */
export function logGamma(x: number): number {
  invariant(Number.isFinite(x) && x > 0, 'logGamma', `x must be a positive finite number, got ${x}`);
  let y = x;
  let tmp = x + 5.2421875;
  tmp = (x + 0.5) * Math.log(tmp) - tmp;
  let ser = 0.9999999999999971;
  for (const c of COEFFICIENTS) ser += c / ++y;
  return tmp + Math.log((2.5066282746310007 * ser) / x);
}
