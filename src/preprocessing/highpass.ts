// highpass: zero-phase Butterworth high-pass filtering of a signal (METHOD §1).
import { butterHighpassSos } from './butterHighpassSos.js';
import { sosfiltfilt } from './sosfiltfilt.js';
import { checkFiniteSamples } from './checkFiniteSamples.js';

/** Arguments of {@link highpass}. */
export interface HighpassArgs {
  /** Cut-off in Hz; the paper uses 0.8 Hz (METHOD §1). */
  cutoffHz: number;
  /** Sampling rate of `x` in Hz (always explicit). */
  rateHz: number;
  /** Butterworth order; not published, ecgssl's default is 4 (METHOD §1). */
  order: number;
}

/**
 * Zero-phase Butterworth high-pass: `sosfiltfilt(butter(order, cutoffHz, 'highpass', fs=rateHz,
 * output='sos'), x)` (METHOD §1). The input is not modified.
 */
export function highpass(x: ArrayLike<number>, args: HighpassArgs): Float64Array {
  checkFiniteSamples('highpass', x);
  return sosfiltfilt(butterHighpassSos(args), x);
}
