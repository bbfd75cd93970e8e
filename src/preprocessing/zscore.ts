// zscore: plain z-score normalisation with the population std.
import { UserError } from '../errors.js';
import { checkFiniteSamples } from './checkFiniteSamples.js';

/** Plain z-score with the population std over all samples. The input is not modified. */
export function zscore(x: ArrayLike<number>): Float64Array {
  const n = x.length;
  if (n < 2) throw new UserError(`zscore: need at least 2 samples, got ${n}`);
  checkFiniteSamples('zscore', x);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += x[i] as number;
  const mean = sum / n;
  let v = 0;
  for (let i = 0; i < n; i++) v += ((x[i] as number) - mean) ** 2;
  const s = Math.sqrt(v / n);
  if (!(s > 0)) throw new UserError(`zscore: the ${n} samples are constant (std 0); cannot normalise`);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = ((x[i] as number) - mean) / s;
  return out;
}
