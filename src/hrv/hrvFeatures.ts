// Time-domain heart-rate variability of one window: mean heart rate, SDNN, RMSSD, pNN50 (or why they are missing).
import { InternalError, UserError } from '../errors.js';

/** The four window features, in this order in feature vectors. */
export const HRV_FEATURE_NAMES = ['meanHeartRateBpm', 'sdnnMs', 'rmssdMs', 'pnn50Percent'] as const;

/** Time-domain HRV of one window (Task Force of the ESC and NASPE, Circulation 93(5), 1996). */
export interface HrvFeatures {
  /** 60000 / mean RR interval (ms): the beat rate over the span of the detected beats. */
  meanHeartRateBpm: number;
  /** Sample standard deviation (n - 1) of the RR intervals. */
  sdnnMs: number;
  /** Root mean square of the successive RR differences. */
  rmssdMs: number;
  /** Percentage of successive RR differences larger than 50 ms (NeuroKit2's pNN50, 0-100). */
  pnn50Percent: number;
}

/** Features of a window, or the reason it has none (too few beats). Never NaN. */
export type HrvWindowFeatures = { ok: true; features: HrvFeatures } | { ok: false; reason: string };

/** Fewest beats a window needs: 3 beats give 2 RR intervals, the least for SDNN and one successive difference. */
export const HRV_MIN_BEATS = 3;

/**
 * Time-domain HRV from the R-peak sample indices `rPeaks` (ascending) of one window sampled at `rateHz`: RR
 * intervals in ms, then {@link HrvFeatures}. Fewer than {@link HRV_MIN_BEATS} beats give
 * `{ ok: false, reason: "2 beats detected, need at least 3" }` instead of NaN. No artefact correction: a missed
 * or extra beat shows in the features as it would in the detector's output.
 */
export function hrvFeatures(rPeaks: ArrayLike<number>, rateHz: number): HrvWindowFeatures {
  if (!(Number.isFinite(rateHz) && rateHz > 0))
    throw new UserError(`hrvFeatures: rateHz must be a positive number, got ${rateHz}`);
  const n = rPeaks.length;
  for (let i = 1; i < n; i++)
    if (!((rPeaks[i] as number) > (rPeaks[i - 1] as number)))
      throw new InternalError(
        `hrvFeatures: rPeaks must be strictly increasing; index ${i} is ${rPeaks[i]} after ${rPeaks[i - 1]}`,
      );
  if (n < HRV_MIN_BEATS)
    return { ok: false, reason: `${n} beat${n === 1 ? '' : 's'} detected, need at least ${HRV_MIN_BEATS}` };
  const rrMs = new Float64Array(n - 1);
  for (let i = 1; i < n; i++)
    rrMs[i - 1] = (((rPeaks[i] as number) - (rPeaks[i - 1] as number)) * 1000) / rateHz;
  let mean = 0;
  for (const v of rrMs) mean += v;
  mean /= rrMs.length;
  let ss = 0;
  for (const v of rrMs) ss += (v - mean) ** 2;
  let sd2 = 0;
  let over50 = 0;
  for (let i = 1; i < rrMs.length; i++) {
    const d = (rrMs[i] as number) - (rrMs[i - 1] as number);
    sd2 += d * d;
    if (Math.abs(d) > 50) over50++;
  }
  const diffs = rrMs.length - 1;
  return {
    ok: true,
    features: {
      meanHeartRateBpm: 60000 / mean,
      sdnnMs: Math.sqrt(ss / (rrMs.length - 1)),
      rmssdMs: Math.sqrt(sd2 / diffs),
      pnn50Percent: (100 * over50) / diffs,
    },
  };
}

/** The features of {@link HRV_FEATURE_NAMES} as an array, in that order. */
export function hrvFeatureVector(f: HrvFeatures): number[] {
  return HRV_FEATURE_NAMES.map((k) => f[k]);
}
