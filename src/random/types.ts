/**
 * The project's only source of randomness. Every random draw in ecgssl goes through an Rng created by
 * `createRng(seed)` (src/random), never through a global, unseeded generator.
 */
export interface Rng {
  /** Uniform on [0, 1). */
  uniform(): number;
  /** Standard normal N(0, 1). */
  normal(): number;
  /** Uniform integer with lo <= k < hi. */
  int(lo: number, hi: number): number;
  /** A uniformly random permutation of 0..n-1. */
  permutation(n: number): number[];
  /** k distinct values of 0..n-1, ascending. */
  sample(n: number, k: number): number[];
  /** Serialisable state, so that a checkpoint can resume the exact stream. */
  getState(): number[];
  setState(state: number[]): void;
}
