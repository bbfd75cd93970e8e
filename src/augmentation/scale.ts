// Scaling (METHOD §2): scale and the schema of its parameters (config `transformations.scale`).
import { z } from 'zod';

/** Parameters of {@link scale}, with the default of METHOD §2. */
export const scaleArgsSchema = z
  .object({
    /** Multiplier; 1.1 in the authors' code (METHOD §2). */
    factor: z.number().default(1.1),
  })
  .strict();

/** Arguments of {@link scale}. */
export type ScaleArgs = z.infer<typeof scaleArgsSchema>;

/** Scaling (task 2, METHOD §2): factor * x. Returns a new array. */
export function scale(x: ArrayLike<number>, args: ScaleArgs, out?: Float32Array): Float32Array {
  const y = out ?? new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) y[i] = (x[i] as number) * args.factor;
  return y;
}
