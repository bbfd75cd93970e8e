/** Finite-sample checks of decoded signals, naming the file and sample positions of the first bad run. */
import type { Resampler } from '../../preprocessing/index.js';
import { UserError } from '../../errors.js';

/** Throws naming the file and position of the first non-finite sample (a NaN run, an infinite value). */
export function checkFinite(x: ArrayLike<number>, path: string, offset = 0): void {
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i] as number)) {
      let j = i;
      while (j < x.length && !Number.isFinite(x[j] as number)) j++;
      throw new UserError(
        `read: ${path} has non-finite samples (${x[i]}) at samples ${offset + i}..${offset + j - 1}: fill or cut them before use`,
      );
    }
  }
}

/**
 * Streams the chunks of `path` into `out`: each is checked with {@link checkFinite} (positions counted from the
 * file's first sample) and appended, through `resampler.push` when given. Does not flush the resampler, so the
 * parts of one recording can be appended one after another before a single flush. Returns `out`.
 */
export function appendCheckedChunks(
  chunks: Iterable<Float64Array>,
  path: string,
  out: Float64Array[],
  resampler?: Resampler,
): Float64Array[] {
  let offset = 0;
  for (const chunk of chunks) {
    checkFinite(chunk, path, offset);
    offset += chunk.length;
    out.push(resampler ? resampler.push(chunk) : chunk);
  }
  return out;
}
