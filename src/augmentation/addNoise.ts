// Noise addition (METHOD §2): addNoise and the schema of its parameters (config `transformations.noise`).
import { z } from 'zod';
import type { Rng } from '../random/types.js';

/** Parameters of {@link addNoise}, with the defaults of METHOD §2. */
export const addNoiseArgsSchema = z
  .object({
    /** Signal-to-noise ratio in dB; the paper's 15 dB (METHOD §2). */
    snrDb: z.number().default(15),
  })
  .strict();

/** Arguments of {@link addNoise}. */
export type AddNoiseArgs = z.infer<typeof addNoiseArgsSchema>;

/**
 * Noise addition (task 1, METHOD §2): x + z * sqrt(mean(x^2) / 10^(snrDb/10)), with one `rng.normal()` per sample
 * in time order. Returns a new array of the input's length.
 */
export function addNoise(
  x: ArrayLike<number>,
  args: AddNoiseArgs,
  rng: Rng,
  out?: Float32Array,
): Float32Array {
  const n = x.length;
  let p = 0;
  for (let i = 0; i < n; i++) p += (x[i] as number) ** 2;
  p /= Math.max(1, n);
  const std = Math.sqrt(p / Math.pow(10, args.snrDb / 10));
  const y = out ?? new Float32Array(n);
  for (let i = 0; i < n; i++) y[i] = (x[i] as number) + rng.normal() * std;
  return y;
}
