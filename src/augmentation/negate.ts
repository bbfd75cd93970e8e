/** Negation (task 3, METHOD §2): -x. Returns a new array. */
export function negate(x: ArrayLike<number>, out?: Float32Array): Float32Array {
  const y = out ?? new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) y[i] = -(x[i] as number);
  return y;
}
