/** Arguments of {@link scale}. */
export interface ScaleArgs {
  /** Multiplier; 1.1 in the authors' code (METHOD §2). */
  factor: number;
}

/** Scaling (task 2, METHOD §2): factor * x. Returns a new array. */
export function scale(x: ArrayLike<number>, args: ScaleArgs, out?: Float32Array): Float32Array {
  const y = out ?? new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) y[i] = (x[i] as number) * args.factor;
  return y;
}
