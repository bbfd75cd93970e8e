/** The METHOD §1 preprocessing composed in one place: resample -> high-pass -> per-subject normalisation -> windows. */
import type { PreprocessingConfig } from '../config/schema.js';
import { highpass } from './highpass.js';
import type { SampleSegment } from './intervalSegments.js';
import { resampleChunked } from './resampleChunked.js';
import { trimmedZScore } from './trimmedZScore.js';
import { countWindows, windowize, type WindowizeArgs } from './windowize.js';
import { zscore } from './zscore.js';

/** The steps of {@link createPipeline}, bound to one preprocessing config. */
export interface PreprocessingPipeline {
  /** Whole windows a recording of `samples` samples at `rateHz` gives at the target rate (0: too short to use). */
  windowsOf(samples: number, rateHz: number): number;
  /** One recording: resampled to the target rate, then the zero-phase high-pass (when enabled). */
  recording(samples: Float32Array | Float64Array, rateHz: number): Float64Array;
  /**
   * All recordings of one subject (outputs of `recording`): normalised together over all their samples, then
   * each cut into windows (windows never cross recordings; the trailing partial window is dropped).
   */
  subject(recordings: readonly Float64Array[]): Float32Array[][];
  /**
   * As `subject`, with each recording cut into `segments[i]` (sample ranges at the target rate, e.g. from
   * intervalSegments): normalised over whole recordings, then windowed per segment from its start (windows never
   * cross segments). Returns windows per recording, per segment.
   */
  subjectSegments(
    recordings: readonly Float64Array[],
    segments: readonly (readonly SampleSegment[])[],
  ): Float32Array[][][];
}

/** Step 1: the recording at the target rate (a float64 copy when it already is at that rate). */
function toTargetRate(x: Float32Array | Float64Array, rateHz: number, targetRateHz: number): Float64Array {
  if (rateHz !== targetRateHz) return resampleChunked(x, rateHz, targetRateHz);
  return x instanceof Float64Array ? x : Float64Array.from(x);
}

/** Step 3: per-subject normalisation of the subject's samples, concatenated in recording order. */
function normalizeSubject(
  all: Float64Array,
  normalization: PreprocessingConfig['normalization'],
): Float64Array {
  switch (normalization.method) {
    case 'none':
      return all;
    case 'zscore':
      return zscore(all);
    case 'trimmed-zscore':
      return trimmedZScore(all, { centralFraction: normalization.centralFraction });
  }
}

/** Step 4: the windows of one recording (none when it is shorter than one window). */
function windowsOfRecording(x: Float64Array, args: WindowizeArgs): Float32Array[] {
  return countWindows(x.length, args) === 0 ? [] : windowize(x, args);
}

/** Steps 3-4 for one subject: normalised over all its recordings together, then windowed per segment. */
function windowSegments(
  recordings: readonly Float64Array[],
  segments: readonly (readonly SampleSegment[])[],
  pre: PreprocessingConfig,
): Float32Array[][][] {
  const windowArgs: WindowizeArgs = { windowSamples: pre.windowSamples, overlapSamples: pre.overlapSamples };
  const all = new Float64Array(recordings.reduce((a, r) => a + r.length, 0));
  let k = 0;
  for (const r of recordings) {
    all.set(r, k);
    k += r.length;
  }
  const normalised = normalizeSubject(all, pre.normalization);
  let offset = 0;
  return recordings.map((r, i) => {
    const x = normalised.subarray(offset, offset + r.length);
    offset += r.length;
    return (segments[i] ?? []).map((s) =>
      windowsOfRecording(x.subarray(s.startSample, s.endSample), windowArgs),
    );
  });
}

/** The METHOD §1 pipeline for `pre` (its steps are the functions of src/preprocessing). */
export function createPipeline(pre: PreprocessingConfig): PreprocessingPipeline {
  const { targetRateHz } = pre;
  const windowArgs: WindowizeArgs = { windowSamples: pre.windowSamples, overlapSamples: pre.overlapSamples };
  return {
    windowsOf: (samples, rateHz) => countWindows(Math.ceil((samples * targetRateHz) / rateHz), windowArgs),
    recording(samples, rateHz) {
      const x = toTargetRate(samples, rateHz, targetRateHz);
      if (!pre.highpass.enabled) return x;
      return highpass(x, {
        cutoffHz: pre.highpass.cutoffHz,
        rateHz: targetRateHz,
        order: pre.highpass.order,
      });
    },
    subject: (recordings) =>
      windowSegments(
        recordings,
        recordings.map((r) => [{ startSample: 0, endSample: r.length, interval: -1 }]),
        pre,
      ).map((perSegment) => perSegment[0] as Float32Array[]),
    subjectSegments: (recordings, segments) => windowSegments(recordings, segments, pre),
  };
}
