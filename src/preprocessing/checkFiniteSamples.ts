// checkFiniteSamples: rejects a signal with a NaN or infinite sample, naming the caller and the sample.
import { UserError } from '../errors.js';

/** Throws a UserError naming `fn` and the first non-finite sample. */
export function checkFiniteSamples(fn: string, x: ArrayLike<number>): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i] as number;
    if (!Number.isFinite(v)) throw new UserError(`${fn}: sample ${i} is ${v}; the input must be finite`);
  }
}
