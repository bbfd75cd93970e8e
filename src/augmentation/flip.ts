/** Temporal inversion (task 4, METHOD §2): x reversed in time. Returns a new array. */
export function flip(x: ArrayLike<number>, out?: Float32Array): Float32Array {
  const n = x.length;
  const y = out ?? new Float32Array(n);
  for (let i = 0; i < n; i++) y[i] = x[n - 1 - i] as number;
  return y;
}
