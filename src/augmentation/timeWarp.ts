// Time-warping (METHOD §2): timeWarp and the schema of its parameters (config `transformations.timeWarp`).
import { z } from 'zod';
import { UserError } from '../errors.js';
import type { Rng } from '../random/types.js';
import { linearResize } from './linearResize.js';

/** Parameters of {@link timeWarp}, with the defaults of METHOD §2. */
export const timeWarpArgsSchema = z
  .object({
    /** Number of segments; 9 in the paper (METHOD §2). */
    segments: z.number().int().min(2).default(9),
    /** Stretch factor > 1; 1.05 in the paper (METHOD §2). */
    stretchFactor: z.number().gt(1).default(1.05),
  })
  .strict();

/** Arguments of {@link timeWarp}. */
export type TimeWarpArgs = z.infer<typeof timeWarpArgsSchema>;

/**
 * Time-warping (task 6, METHOD §2): `segments` segments of floor(n/segments) samples (the rest dropped);
 * ceil(segments/2) of them, drawn with one `rng.sample(segments, ceil(segments/2))`, are stretched to
 * ceil(len*stretchFactor) samples, the others squeezed to ceil(len/stretchFactor), by {@link linearResize};
 * joined in order, then n samples are kept from a crop start drawn by one `rng.int(0, warpedLength - n)`.
 */
export function timeWarp(
  x: ArrayLike<number>,
  args: TimeWarpArgs,
  rng: Rng,
  out?: Float32Array,
): Float32Array {
  const n = x.length;
  const { segments, stretchFactor } = args;
  if (!Number.isInteger(segments) || segments < 1 || segments > n)
    throw new UserError(`timeWarp: segments must be an integer in 1..${n}, got ${segments}`);
  if (!(stretchFactor > 1)) throw new UserError(`timeWarp: stretchFactor must be > 1, got ${stretchFactor}`);
  const segLen = Math.floor(n / segments);
  const nStretched = Math.ceil(segments / 2);
  const longLen = Math.ceil(segLen * stretchFactor);
  const shortLen = Math.ceil(segLen / stretchFactor);
  const warpedLength = nStretched * longLen + (segments - nStretched) * shortLen;
  if (warpedLength <= n)
    throw new UserError(
      `timeWarp: ${segments} segments stretched by ${stretchFactor} give ${warpedLength} samples, not more than the ${n} of the input; raise stretchFactor or segments`,
    );
  const stretched = new Set(rng.sample(segments, nStretched));
  const warped = new Float32Array(warpedLength);
  let k = 0;
  const xs = x instanceof Float32Array || x instanceof Float64Array ? x : Float64Array.from(x);
  for (let s = 0; s < segments; s++) {
    const len = stretched.has(s) ? longLen : shortLen;
    linearResize(xs.subarray(s * segLen, (s + 1) * segLen), len, warped.subarray(k, k + len));
    k += len;
  }
  const start = rng.int(0, warpedLength - n);
  const y = out ?? new Float32Array(n);
  y.set(warped.subarray(start, start + n));
  return y;
}
