// Permutation (METHOD §2): permute and the schema of its parameters (config `transformations.permute`).
import { z } from 'zod';
import { UserError } from '../errors.js';
import type { Rng } from '../random/types.js';

/** Parameters of {@link permute}, with the default of METHOD §2. */
export const permuteArgsSchema = z
  .object({
    /** Number of segments; the paper's 20 (128 samples each for 2560, METHOD §2). */
    segments: z.number().int().min(2).default(20),
  })
  .strict();

/** Arguments of {@link permute}. */
export type PermuteArgs = z.infer<typeof permuteArgsSchema>;

/**
 * Permutation (task 5, METHOD §2): cut into `segments` segments of floor(n/segments) samples and concatenate them
 * in the order of one `rng.permutation(segments)`; samples left over after the last whole segment stay at the end.
 */
export function permute(x: ArrayLike<number>, args: PermuteArgs, rng: Rng, out?: Float32Array): Float32Array {
  const n = x.length;
  const s = args.segments;
  if (!Number.isInteger(s) || s < 1 || s > n)
    throw new UserError(`permute: segments must be an integer in 1..${n}, got ${s}`);
  const seg = Math.floor(n / s);
  const order = rng.permutation(s);
  const y = out ?? new Float32Array(n);
  let k = 0;
  for (const o of order) for (let i = o * seg; i < (o + 1) * seg; i++) y[k++] = x[i] as number;
  for (let i = s * seg; i < n; i++) y[k++] = x[i] as number;
  return y;
}
