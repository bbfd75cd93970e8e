// R-peak detection after Pan & Tompkins (1985): zero-phase filters designed from rateHz, peaks moved to the R extremum.
import { UserError } from '../errors.js';
import { butterHighpassSos } from '../preprocessing/butterHighpassSos.js';
import { butterLowpassSos } from '../preprocessing/butterLowpassSos.js';
import { sosfiltfilt } from '../preprocessing/sosfiltfilt.js';
import { median } from '../util/median.js';

/** Lowest sampling rate the detector accepts (its QRS band reaches 15 Hz, the refinement band 25 Hz or more). */
const MIN_RATE_HZ = 50;
/** Shortest signal analysed; shorter input holds no reliable beat and gives no peaks. */
const MIN_DURATION_S = 0.5;
/** Refractory period: no two QRS complexes closer than this (Pan & Tompkins: 200 ms). */
const REFRACTORY_S = 0.2;
/** A candidate this close to the last QRS is checked for a T wave (Pan & Tompkins: 360 ms). */
const T_WAVE_WINDOW_S = 0.36;
/** Half-width of the window searched for the R extremum around a detected QRS. */
const REFINE_HALF_WIDTH_S = 0.1;

interface QrsSignals {
  /** QRS band (5-15 Hz), zero phase. */
  bandpassed: Float64Array;
  /** Five-point derivative of the band-passed signal. */
  slope: Float64Array;
  /** Squared slope integrated over a centred 150 ms window. */
  integrated: Float64Array;
}

function bandpass(x: Float64Array, lowHz: number, highHz: number, rateHz: number): Float64Array {
  let mean = 0;
  for (let i = 0; i < x.length; i++) mean += x[i] as number;
  mean /= x.length;
  const centred = x.map((v) => v - mean);
  const hp = sosfiltfilt(butterHighpassSos({ cutoffHz: lowHz, rateHz, order: 2 }), centred);
  return sosfiltfilt(butterLowpassSos({ cutoffHz: highHz, rateHz, order: 2 }), hp);
}

/** Pan & Tompkins's processing chain, made zero-phase so that no delay has to be undone: band-pass, slope, square, integrate. */
function qrsSignals(x: Float64Array, rateHz: number): QrsSignals {
  const n = x.length;
  const bp = bandpass(x, 5, 15, rateHz);
  // five-point derivative y[n] = (2x[n+2] + x[n+1] - x[n-1] - 2x[n-2]) / (8T), centred
  const slope = new Float64Array(n);
  for (let i = 2; i < n - 2; i++)
    slope[i] =
      ((2 * (bp[i + 2] as number) +
        (bp[i + 1] as number) -
        (bp[i - 1] as number) -
        2 * (bp[i - 2] as number)) *
        rateHz) /
      8;
  const half = Math.max(1, Math.round((0.15 * rateHz) / 2));
  const prefix = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) prefix[i + 1] = (prefix[i] as number) + (slope[i] as number) ** 2;
  const integrated = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const lo = Math.max(0, i - half);
    const hi = Math.min(n, i + half + 1);
    integrated[i] = ((prefix[hi] as number) - (prefix[lo] as number)) / (2 * half + 1);
  }
  return { bandpassed: bp, slope, integrated };
}

/** Local maxima of `y`, of which any two closer than `minGap` samples keep only the larger. */
function candidatePeaks(y: Float64Array, minGap: number): number[] {
  const out: number[] = [];
  for (let i = 1; i < y.length - 1; i++) {
    const v = y[i] as number;
    if (!(v > (y[i - 1] as number) && v >= (y[i + 1] as number))) continue;
    const last = out[out.length - 1];
    if (last !== undefined && i - last < minGap) {
      if (v > (y[last] as number)) out[out.length - 1] = i;
    } else out.push(i);
  }
  return out;
}

function maxAbsIn(y: Float64Array, centre: number, half: number): number {
  let m = 0;
  for (let i = Math.max(0, centre - half); i <= Math.min(y.length - 1, centre + half); i++)
    m = Math.max(m, Math.abs(y[i] as number));
  return m;
}

interface ThresholdState {
  spki: number;
  npki: number;
  qrs: number[];
  slopes: number[];
  noiseSinceQrs: number[];
}

function thresholdOf(s: ThresholdState): number {
  return s.npki + 0.25 * (s.spki - s.npki);
}

function meanRecentRr(qrs: number[], fallback: number): number {
  if (qrs.length < 2) return fallback;
  const from = Math.max(1, qrs.length - 8);
  return ((qrs[qrs.length - 1] as number) - (qrs[from - 1] as number)) / (qrs.length - from);
}

/** Search-back: the largest noise peak since the last QRS above half the threshold becomes a QRS (true if found). */
function searchBack(s: ThresholdState, y: Float64Array, slope: Float64Array, slopeHalf: number): boolean {
  const limit = 0.5 * thresholdOf(s);
  let best = -1;
  for (const c of s.noiseSinceQrs)
    if ((y[c] as number) > limit && (best < 0 || (y[c] as number) > (y[best] as number))) best = c;
  if (best < 0) return false;
  s.spki = 0.25 * (y[best] as number) + 0.75 * s.spki;
  s.qrs.push(best);
  s.slopes.push(maxAbsIn(slope, best, slopeHalf));
  s.noiseSinceQrs = s.noiseSinceQrs.filter((c) => c > best);
  return true;
}

/** Pan & Tompkins's adaptive thresholds on the integrated signal, with T-wave discrimination and search-back. */
function classifyCandidates(sig: QrsSignals, cands: number[], rateHz: number): number[] {
  const y = sig.integrated;
  const learn = Math.min(y.length, Math.round(2 * rateHz));
  let maxLearn = 0;
  let meanLearn = 0;
  for (let i = 0; i < learn; i++) {
    maxLearn = Math.max(maxLearn, y[i] as number);
    meanLearn += (y[i] as number) / learn;
  }
  const s: ThresholdState = {
    spki: maxLearn / 3,
    npki: meanLearn / 2,
    qrs: [],
    slopes: [],
    noiseSinceQrs: [],
  };
  const slopeHalf = Math.round(0.075 * rateHz);
  const tWave = Math.round(T_WAVE_WINDOW_S * rateHz);
  const refractory = Math.round(REFRACTORY_S * rateHz);
  const overdue = (c: number): boolean => {
    const last = s.qrs[s.qrs.length - 1];
    return last !== undefined && c - last > 1.66 * meanRecentRr(s.qrs, rateHz);
  };
  for (const c of [...cands, y.length]) {
    while (overdue(c)) if (!searchBack(s, y, sig.slope, slopeHalf)) break; // one missed beat per search-back
    if (c >= y.length) break;
    const lastNow = s.qrs[s.qrs.length - 1];
    if (lastNow !== undefined && c - lastNow < refractory) continue;
    const v = y[c] as number;
    const slope = maxAbsIn(sig.slope, c, slopeHalf);
    const isTWave =
      lastNow !== undefined && c - lastNow < tWave && slope < 0.5 * (s.slopes[s.slopes.length - 1] as number);
    if (v > thresholdOf(s) && !isTWave) {
      s.spki = 0.125 * v + 0.875 * s.spki;
      s.qrs.push(c);
      s.slopes.push(slope);
      s.noiseSinceQrs = [];
    } else {
      s.npki = 0.125 * v + 0.875 * s.npki;
      if (!isTWave) s.noiseSinceQrs.push(c); // a T wave is not a beat for the search-back either
    }
  }
  return s.qrs;
}

/**
 * Moves each detected QRS to its R extremum in a 0.5-40 Hz (at most 0.4 x rateHz) band-passed copy of the signal.
 * The polarity is decided once per signal: negative when the median deepest trough of the QRS windows exceeds the
 * median highest peak (inverted leads), so that a deep S wave does not replace the R wave beat by beat.
 */
function refineToR(x: Float64Array, qrs: number[], rateHz: number): number[] {
  if (qrs.length === 0) return [];
  const ref = bandpass(x, 0.5, Math.min(40, 0.4 * rateHz), rateHz);
  const half = Math.round(REFINE_HALF_WIDTH_S * rateHz);
  const win = (c: number): [number, number] => [Math.max(0, c - half), Math.min(ref.length - 1, c + half)];
  const highs: number[] = [];
  const lows: number[] = [];
  for (const c of qrs) {
    const [lo, hi] = win(c);
    let mx = -Infinity;
    let mn = Infinity;
    for (let i = lo; i <= hi; i++) {
      mx = Math.max(mx, ref[i] as number);
      mn = Math.min(mn, ref[i] as number);
    }
    highs.push(mx);
    lows.push(-mn);
  }
  const sign = median(lows) > median(highs) ? -1 : 1;
  const refined: number[] = [];
  for (const c of qrs) {
    const [lo, hi] = win(c);
    let best = lo;
    for (let i = lo; i <= hi; i++) if (sign * (ref[i] as number) > sign * (ref[best] as number)) best = i;
    const prev = refined[refined.length - 1];
    if (prev !== undefined && best - prev < Math.round(REFRACTORY_S * rateHz)) {
      if (sign * (ref[best] as number) > sign * (ref[prev] as number)) refined[refined.length - 1] = best;
    } else refined.push(best);
  }
  return refined;
}

/**
 * R-peak sample indices (ascending) of an ECG `signal` (Float64Array, Float32Array, ...) sampled at `rateHz` (any
 * rate of at least 50 Hz; no resampling: every filter is designed from rateHz). Pan & Tompkins (IEEE TBME 32(3),
 * 1985): 5-15 Hz band-pass, five-point derivative, squaring, 150 ms moving-window integration, adaptive
 * signal/noise peak thresholds (SPKI, NPKI, threshold NPKI + 0.25 (SPKI - NPKI)) learnt from the first 2 s, 200 ms
 * refractory period, T-wave discrimination by slope within 360 ms, and search-back at half the threshold after
 * 1.66 mean RR intervals without a beat. The filters run forward and backward (zero phase), so no group delay has
 * to be subtracted; each detection is then moved to the R extremum (see refineToR), of either polarity.
 * Deterministic. Signals shorter than 0.5 s give no peaks.
 */
export function detectRPeaks(signal: ArrayLike<number>, rateHz: number): Int32Array {
  if (!(Number.isFinite(rateHz) && rateHz >= MIN_RATE_HZ))
    throw new UserError(`detectRPeaks: rateHz must be a number >= ${MIN_RATE_HZ}, got ${rateHz}`);
  const x = signal instanceof Float64Array ? signal : Float64Array.from(signal);
  for (let i = 0; i < x.length; i++)
    if (!Number.isFinite(x[i] as number))
      throw new UserError(`detectRPeaks: sample ${i} is ${x[i]}; the signal must be finite`);
  if (x.length < MIN_DURATION_S * rateHz) return new Int32Array(0);
  const sig = qrsSignals(x, rateHz);
  const cands = candidatePeaks(sig.integrated, Math.round(REFRACTORY_S * rateHz));
  const qrs = classifyCandidates(sig, cands, rateHz);
  return Int32Array.from(refineToR(x, qrs, rateHz));
}
