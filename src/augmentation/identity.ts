// Identity (pretext class 0, METHOD §2): the `original` entry of the transformation table.

/** The untransformed window (pretext class 0, METHOD §2): a copy of x. */
export function identity(x: ArrayLike<number>, out?: Float32Array): Float32Array {
  const y = out ?? new Float32Array(x.length);
  y.set(x);
  return y;
}
