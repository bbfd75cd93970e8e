/** ECGSYN-style synthetic ECG (McSharry et al. 2003): the dynamical model the synthetic generator draws from. */
import type { Rng } from '../../../random/types.js';
import { check } from '../../../errors.js';

/** The five ECG events P, Q, R, S, T of the ECGSYN limit cycle. */
export const ECG_EVENTS = ['P', 'Q', 'R', 'S', 'T'] as const;

/** Morphology: per event its phase on the beat cycle (rad, R = 0), amplitude (mV) and width (rad, at 60 bpm). */
export interface EcgMorphology {
  thetaRad: [number, number, number, number, number];
  amplitudeMv: [number, number, number, number, number];
  widthRad: [number, number, number, number, number];
}

/**
 * Default morphology. Phases are ECGSYN's (McSharry et al. 2003, Table 1: -pi/3, -pi/12, 0, pi/12, pi/2); the
 * amplitudes are in mV for the direct Gaussian sum (ECGSYN's a_i are ODE forcing terms, not amplitudes) and the
 * widths are chosen so that at 60 bpm the QRS lasts about 0.09 s and the T wave about 0.2 s.
 */
export const DEFAULT_MORPHOLOGY: EcgMorphology = {
  thetaRad: [-Math.PI / 3, -Math.PI / 12, 0, Math.PI / 12, Math.PI / 2],
  amplitudeMv: [0.12, -0.12, 1.1, -0.28, 0.3],
  widthRad: [0.2, 0.07, 0.08, 0.08, 0.4],
};

/** Arguments of {@link simulateEcg}. Every rate and duration names its unit. */
export interface SimulateEcgArgs {
  durationS: number;
  samplingRateHz: number;
  /** Mean heart rate in beats per minute. */
  heartRateBpm: number;
  /** Standard deviation of the RR interval process in seconds (HRV). */
  rrStdS: number;
  /** Power ratio of the low-frequency (Mayer) to the high-frequency (respiratory) band of the RR process. */
  lfHfRatio: number;
  /** Centre of the LF band (ECGSYN: 0.1 Hz). */
  lfHz: number;
  /** Centre of the HF band = respiration rate (ECGSYN: 0.25 Hz). */
  hfHz: number;
  /** Standard deviation of each spectral peak (ECGSYN: 0.01 Hz). */
  bandWidthHz: number;
  morphology: EcgMorphology;
  /** Overall gain of the cardiac signal (electrode placement, body habitus). */
  gain: number;
  /** Respiratory amplitude modulation depth of the cardiac signal (fraction). */
  respiratoryModulation: number;
  /** Baseline wander amplitude in mV (respiration + slow drift). */
  baselineWanderMv: number;
  /** Standard deviation of the broadband (white) muscle noise in mV. */
  muscleNoiseMv: number;
  /** Amplitude of the mains interference in mV. */
  mainsMv: number;
  /** Mains frequency (50 Hz); left out when it is not below the Nyquist frequency. */
  mainsHz: number;
}

/**
 * A typical resting ECG of `durationS` at `samplingRateHz`: 72 bpm, RR standard deviation 0.04 s, ECGSYN's
 * spectral defaults (LF 0.1 Hz, HF 0.25 Hz, LF/HF 1, band width 0.01 Hz), the default morphology at gain 1, 8 %
 * respiratory modulation, 0.1 mV baseline wander, 0.02 mV muscle noise and 0.01 mV of 50 Hz mains. For tests and
 * benchmarks that need one plausible recording rather than a data set.
 */
export function restingEcgArgs(durationS: number, samplingRateHz: number): SimulateEcgArgs {
  return {
    durationS,
    samplingRateHz,
    heartRateBpm: 72,
    rrStdS: 0.04,
    lfHfRatio: 1,
    lfHz: 0.1,
    hfHz: 0.25,
    bandWidthHz: 0.01,
    morphology: DEFAULT_MORPHOLOGY,
    gain: 1,
    respiratoryModulation: 0.08,
    baselineWanderMv: 0.1,
    muscleNoiseMv: 0.02,
    mainsMv: 0.01,
    mainsHz: 50,
  };
}

/** Number of sinusoids in the spectral synthesis of the RR process. */
const RR_COMPONENTS = 64;

function wrap(x: number): number {
  let y = x % (2 * Math.PI);
  if (y > Math.PI) y -= 2 * Math.PI;
  else if (y <= -Math.PI) y += 2 * Math.PI;
  return y;
}

/**
 * Simulates an ECG after ECGSYN (McSharry, Clifford, Tarassenko & Smith, IEEE TBME 50(3), 2003) in its
 * phase form: a phase theta(t) runs round the limit cycle once per beat, d(theta)/dt = 2*pi / RR(t), and the
 * ECG is the sum of five Gaussian events z = sum_i a_i exp(-(theta - theta_i)^2 / (2 b_i^2)) (the ODE's
 * z-equation without its relaxation term). As in ECGSYN, the event phases are scaled with the instantaneous
 * heart rate (hrfact = sqrt(HR/60): P and T by sqrt(hrfact), Q and S by hrfact) and the widths by hrfact, so the
 * QT interval shortens sub-proportionally with RR (Bazett-like).
 *
 * RR(t) is ECGSYN's RR process: a bimodal spectrum with Gaussian peaks at `lfHz` (Mayer waves) and `hfHz`
 * (respiratory sinus arrhythmia), power ratio `lfHfRatio`, standard deviation `rrStdS`, mean 60/heartRateBpm.
 * It is synthesised as a sum of {@link RR_COMPONENTS} sinusoids with random phases whose frequencies are drawn
 * from the two Gaussian peaks (in proportion LF:HF = lfHfRatio), which has the same spectrum as ECGSYN's
 * random-phase inverse FFT.
 *
 * Added: respiratory amplitude modulation, baseline wander (a respiratory sinusoid plus three slow drifts, 0.02
 * to 0.1 Hz), white muscle noise and mains interference. Returns the signal in mV and the sample indices of the
 * R peaks (phase crossing 0).
 */
export function simulateEcg(args: SimulateEcgArgs, rng: Rng): { ecgMv: Float64Array; rPeaks: number[] } {
  const fs = args.samplingRateHz;
  check(fs > 0, 'simulateEcg', `samplingRateHz must be > 0, got ${fs}`);
  check(
    args.heartRateBpm > 20 && args.heartRateBpm < 250,
    'simulateEcg',
    `heartRateBpm ${args.heartRateBpm} out of range`,
  );
  const n = Math.floor(args.durationS * fs);
  check(n > 0, 'simulateEcg', `durationS ${args.durationS} gives no samples`);
  const rrMeanS = 60 / args.heartRateBpm;
  // RR process: sinusoids drawn from the bimodal spectrum.
  const nLf = Math.round((RR_COMPONENTS * args.lfHfRatio) / (1 + args.lfHfRatio));
  const amp = args.rrStdS * Math.sqrt(2 / RR_COMPONENTS);
  const freq = new Float64Array(RR_COMPONENTS);
  const phase = new Float64Array(RR_COMPONENTS);
  for (let k = 0; k < RR_COMPONENTS; k++) {
    const centre = k < nLf ? args.lfHz : args.hfHz;
    freq[k] = Math.max(0.005, centre + args.bandWidthHz * rng.normal());
    phase[k] = 2 * Math.PI * rng.uniform();
  }
  // RR(t) on a 4 Hz grid, linearly interpolated (the process has no power above ~0.4 Hz).
  const gridHz = 4;
  const gridN = Math.ceil(args.durationS * gridHz) + 2;
  const rrGrid = new Float64Array(gridN);
  for (let g = 0; g < gridN; g++) {
    const t = g / gridHz;
    let v = rrMeanS;
    for (let k = 0; k < RR_COMPONENTS; k++)
      v += amp * Math.cos(2 * Math.PI * (freq[k] as number) * t + (phase[k] as number));
    rrGrid[g] = Math.max(0.3, v);
  }
  // Noise and artefact parameters.
  const respPhase = 2 * Math.PI * rng.uniform();
  const bwPhase = 2 * Math.PI * rng.uniform();
  const drift = [0, 1, 2].map(() => ({
    hz: 0.02 + 0.08 * rng.uniform(),
    phase: 2 * Math.PI * rng.uniform(),
  }));
  const mainsPhase = 2 * Math.PI * rng.uniform();
  const withMains = args.mainsHz < fs / 2;
  const m = args.morphology;
  const out = new Float64Array(n);
  const rPeaks: number[] = [];
  let theta = wrap(2 * Math.PI * rng.uniform());
  for (let i = 0; i < n; i++) {
    const t = i / fs;
    const gx = t * gridHz;
    const g0 = Math.floor(gx);
    const rr = (rrGrid[g0] as number) + ((rrGrid[g0 + 1] as number) - (rrGrid[g0] as number)) * (gx - g0);
    const hrfact = Math.sqrt(1 / rr); // sqrt(HR / 60)
    const hrfact2 = Math.sqrt(hrfact);
    const scaleTheta = [hrfact2, hrfact, 1, hrfact, hrfact2];
    let z = 0;
    for (let e = 0; e < 5; e++) {
      const d = wrap(theta - (m.thetaRad[e] as number) * (scaleTheta[e] as number));
      const b = (m.widthRad[e] as number) * hrfact;
      z += (m.amplitudeMv[e] as number) * Math.exp((-d * d) / (2 * b * b));
    }
    const resp = Math.sin(2 * Math.PI * args.hfHz * t + respPhase);
    let x = args.gain * z * (1 + args.respiratoryModulation * resp);
    x += args.baselineWanderMv * 0.5 * Math.sin(2 * Math.PI * args.hfHz * t + bwPhase);
    for (const d of drift) x += (args.baselineWanderMv / 3) * Math.sin(2 * Math.PI * d.hz * t + d.phase);
    x += args.muscleNoiseMv * rng.normal();
    if (withMains) x += args.mainsMv * Math.sin(2 * Math.PI * args.mainsHz * t + mainsPhase);
    out[i] = x;
    const next = wrap(theta + (2 * Math.PI) / (rr * fs));
    if (theta < 0 && next >= 0) rPeaks.push(i + 1 < n ? i + 1 : i);
    theta = next;
  }
  return { ecgMv: out, rPeaks };
}
