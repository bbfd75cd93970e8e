// trimmedZScore: the authors' per-subject normalisation by the std of the central samples (METHOD §1).
import { UserError } from '../errors.js';
import { checkFiniteSamples } from './checkFiniteSamples.js';

/** Arguments of {@link trimmedZScore}. */
export interface TrimmedZScoreArgs {
  /** Fraction of the sorted samples whose std is used; the authors use the central 95 % (METHOD §1). */
  centralFraction?: number;
}

/**
 * The authors' per-subject normalisation (METHOD §1): (x - mean(x)) / s, where s is the population std of the
 * central `centralFraction` of the sorted samples (indices floor(t*n) .. floor((1-t)*n)-1, t = (1-f)/2).
 * The input is not modified.
 */
export function trimmedZScore(x: ArrayLike<number>, args: TrimmedZScoreArgs = {}): Float64Array {
  const f = args.centralFraction ?? 0.95;
  if (!(f > 0 && f <= 1)) throw new UserError(`trimmedZScore: centralFraction must be in (0, 1], got ${f}`);
  const n = x.length;
  if (n < 2) throw new UserError(`trimmedZScore: need at least 2 samples, got ${n}`);
  checkFiniteSamples('trimmedZScore', x);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += x[i] as number;
  const mean = sum / n;
  const sorted = Float64Array.from(x).sort();
  const tail = (1 - f) / 2;
  const lo = Math.floor(tail * n + 1e-7);
  const hi = Math.max(lo + 1, Math.floor((1 - tail) * n + 1e-7));
  let m = 0;
  for (let i = lo; i < hi; i++) m += sorted[i] as number;
  m /= hi - lo;
  let v = 0;
  for (let i = lo; i < hi; i++) v += ((sorted[i] as number) - m) ** 2;
  const s = Math.sqrt(v / (hi - lo));
  if (!(s > 0))
    throw new UserError(
      `trimmedZScore: the central ${f * 100}% of the ${n} samples is constant (std 0); cannot normalise`,
    );
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = ((x[i] as number) - mean) / s;
  return out;
}
