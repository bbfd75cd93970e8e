// windowize / countWindows: cutting a signal into fixed-length non-overlapping windows (METHOD §1).
import { UserError } from '../errors.js';

/** Arguments of {@link windowize} and {@link countWindows}. */
export interface WindowizeArgs {
  /** Samples per window; the paper's 10 s at 256 Hz = 2560 (METHOD §1). */
  windowSamples: number;
  /** Samples shared by consecutive windows (default 0: non-overlapping, METHOD §1). */
  overlapSamples: number;
}

function check(fn: string, args: WindowizeArgs): number {
  const { windowSamples, overlapSamples } = args;
  if (!Number.isInteger(windowSamples) || windowSamples < 1)
    throw new UserError(`${fn}: windowSamples must be a positive integer, got ${windowSamples}`);
  if (!Number.isInteger(overlapSamples) || overlapSamples < 0 || overlapSamples >= windowSamples)
    throw new UserError(
      `${fn}: overlapSamples must be an integer in 0..${windowSamples - 1}, got ${overlapSamples}`,
    );
  return windowSamples - overlapSamples;
}

/** Number of whole windows in `lengthSamples` samples (the trailing partial window is dropped). */
export function countWindows(lengthSamples: number, args: WindowizeArgs): number {
  const stride = check('countWindows', args);
  if (lengthSamples < args.windowSamples) return 0;
  return Math.floor((lengthSamples - args.windowSamples) / stride) + 1;
}

/**
 * Cuts `x` into windows from its start (METHOD §1: 2560 samples, non-overlapping, trailing partial window
 * dropped). Returns copies; the input is not modified.
 */
export function windowize(x: ArrayLike<number>, args: WindowizeArgs): Float32Array[] {
  const stride = check('windowize', args);
  if (x.length < args.windowSamples)
    throw new UserError(
      `windowize: the recording has ${x.length} samples, shorter than one window of ${args.windowSamples}`,
    );
  const n = countWindows(x.length, args);
  const out: Float32Array[] = [];
  for (let w = 0; w < n; w++) {
    const win = new Float32Array(args.windowSamples);
    for (let i = 0; i < args.windowSamples; i++) win[i] = x[w * stride + i] as number;
    out.push(win);
  }
  return out;
}
