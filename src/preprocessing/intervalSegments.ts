// intervalSegments: a recording cut at its labelled intervals into segments that windows never cross.
import { UserError } from '../errors.js';

/** A time interval of a recording, seconds from its start. */
export interface TimeInterval {
  startS: number;
  endS: number;
}

/** A run of samples `[startSample, endSample)` of a recording; `interval`: the index of its interval, -1 for a gap. */
export interface SampleSegment {
  startSample: number;
  endSample: number;
  interval: number;
}

/**
 * The segments of a recording of `lengthSamples` samples at `rateHz` cut at `intervals` (sorted by start, not
 * overlapping): each interval becomes the samples wholly inside it (first sample at or after `startS`, last before
 * `endS`, clipped to the recording), and the samples between intervals (and before the first, after the last) become
 * unlabelled gaps (`interval` -1). Empty segments are dropped. Windows are then cut per segment from its start, so a
 * window lies wholly inside one interval or one gap. No intervals: one gap covering the whole recording.
 */
export function intervalSegments(
  lengthSamples: number,
  intervals: readonly TimeInterval[],
  rateHz: number,
): SampleSegment[] {
  if (!(rateHz > 0)) throw new UserError(`intervalSegments: rateHz must be > 0, got ${rateHz}`);
  const out: SampleSegment[] = [];
  const push = (startSample: number, endSample: number, interval: number): void => {
    if (endSample > startSample) out.push({ startSample, endSample, interval });
  };
  let at = 0;
  intervals.forEach((iv, k) => {
    // A tolerance of a millionth of a sample keeps times written from sample counts (n / rateHz) exact.
    const start = Math.min(lengthSamples, Math.max(0, Math.ceil(iv.startS * rateHz - 1e-6)));
    const end = Math.min(lengthSamples, Math.floor(iv.endS * rateHz + 1e-6));
    if (start < at)
      throw new UserError(
        `intervalSegments: interval ${k} (${iv.startS}-${iv.endS} s) starts before the previous one ends`,
      );
    push(at, start, -1);
    push(start, end, k);
    at = Math.max(at, end);
  });
  push(at, lengthSamples, -1);
  return out;
}
