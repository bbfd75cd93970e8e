/** Writes the synthetic data set (generic format: .npy recordings, labels.csv, manifest.json) into a folder. */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UserError, check, invariant } from '../../../errors.js';
import { deriveRng } from '../../../random/index.js';
import type { Rng } from '../../../random/types.js';
import { canonicalJson } from '../../../util/canonical.js';
import { createProgress } from '../../../util/progress.js';
import { writeNpy } from '../../formats/npy.js';
import { DEFAULT_MORPHOLOGY, simulateEcg, type EcgMorphology, type SimulateEcgArgs } from './ecgsyn.js';

/** Size and seed of the synthetic dataset (`data.synthetic` in the config). */
export interface SyntheticArgs {
  subjects: number;
  recordingsPerSubject: number;
  recordingSeconds: number;
  samplingRateHz: number;
  seed: number;
}

/** Version of the generator: part of the manifest, so a change of the rules regenerates old folders. */
export const SYNTHETIC_GENERATOR_VERSION = 1;

/** A subject's fixed physiology and morphology. */
export interface SyntheticSubject {
  id: string;
  restingHeartRateBpm: number;
  arousalHeartRateGainBpm: number;
  rrStdS: number;
  lfHfRatio: number;
  respirationHz: number;
  gain: number;
  morphology: EcgMorphology;
  baselineWanderMv: number;
  muscleNoiseMv: number;
  mainsMv: number;
}

/** One generated recording: its labels and the physiology it was generated with. */
export interface SyntheticRecordingInfo {
  subject: string;
  recording: string;
  file: string;
  arousal: 0 | 1;
  valence: 0 | 1;
  stress: 0 | 1;
  heartRateBpm: number;
  rrStdS: number;
  lfHfRatio: number;
  tWaveGain: number;
  beats: number;
}

/** `manifest.json` of a generated folder. */
export interface SyntheticManifest {
  generator: 'ecgssl-synthetic';
  version: number;
  settings: SyntheticArgs;
  recordings: SyntheticRecordingInfo[];
}

function subjectId(s: number): string {
  return `S${String(s + 1).padStart(2, '0')}`;
}

/** Subject-specific morphology and physiology (drawn from `deriveRng(seed, 1, subjectIndex)`). */
export function drawSubject(index: number, rng: Rng): SyntheticSubject {
  const jitter = (sd: number): number => Math.exp(sd * rng.normal());
  const m = DEFAULT_MORPHOLOGY;
  const morphology: EcgMorphology = {
    thetaRad: m.thetaRad.map((t, e) => (e === 2 ? t : t + 0.03 * rng.normal())) as EcgMorphology['thetaRad'],
    amplitudeMv: m.amplitudeMv.map((a) => a * jitter(0.15)) as EcgMorphology['amplitudeMv'],
    widthRad: m.widthRad.map((w) => w * jitter(0.1)) as EcgMorphology['widthRad'],
  };
  return {
    id: subjectId(index),
    restingHeartRateBpm: 60 + 16 * rng.uniform(),
    arousalHeartRateGainBpm: 7 + 6 * rng.uniform(),
    rrStdS: 0.05 * jitter(0.25),
    lfHfRatio: 0.8 * jitter(0.3),
    respirationHz: 0.2 + 0.1 * rng.uniform(),
    gain: jitter(0.25),
    morphology,
    baselineWanderMv: 0.05 + 0.1 * rng.uniform(),
    muscleNoiseMv: 0.01 + 0.02 * rng.uniform(),
    mainsMv: 0.005 + 0.02 * rng.uniform(),
  };
}

/** Balanced (arousal, valence) per subject: the cycle (0,0), (1,1), (0,1), (1,0), shuffled. */
export function affectPlan(recordings: number, rng: Rng): { arousal: 0 | 1; valence: 0 | 1 }[] {
  const cycle: [0 | 1, 0 | 1][] = [
    [0, 0],
    [1, 1],
    [0, 1],
    [1, 0],
  ];
  const plan = Array.from({ length: recordings }, (_, k) => cycle[k % 4] as [0 | 1, 0 | 1]);
  return rng.permutation(recordings).map((k) => {
    const [arousal, valence] = plan[k] as [0 | 1, 0 | 1];
    return { arousal, valence };
  });
}

/**
 * The affect rules of the synthetic generator (documented in README.md of this folder):
 * - arousal 1 raises the heart rate by the subject's gain (7-13 bpm), multiplies LF/HF by 2.5, lowers the RR
 *   standard deviation (HRV) to 0.65x and raises muscle noise 1.3x (tension);
 * - valence 1 raises the T-wave amplitude 1.15x, valence 0 lowers it to 0.88x and delays the T wave by 0.06 rad
 *   (a slightly longer QT);
 * - stress = 1 exactly when arousal is 1 and valence 0 (high-arousal negative affect);
 * - every recording also varies on its own: heart rate N(0, 1 bpm), RR std and LF/HF log-normal (10 %, 15 %),
 *   T amplitude log-normal 5 %, so no single value separates the classes across subjects.
 */
export function recordingPhysiology(
  subject: SyntheticSubject,
  affect: { arousal: 0 | 1; valence: 0 | 1 },
  samplingRateHz: number,
  durationS: number,
  rng: Rng,
): { sim: SimulateEcgArgs; tWaveGain: number } {
  const a = affect.arousal;
  const v = affect.valence;
  const jitter = (sd: number): number => Math.exp(sd * rng.normal());
  const heartRateBpm = subject.restingHeartRateBpm + a * subject.arousalHeartRateGainBpm + 1.0 * rng.normal();
  const tWaveGain = (v === 1 ? 1.15 : 0.88) * jitter(0.05);
  const m = subject.morphology;
  const morphology: EcgMorphology = {
    thetaRad: [...m.thetaRad],
    amplitudeMv: [...m.amplitudeMv],
    widthRad: [...m.widthRad],
  };
  morphology.amplitudeMv[4] *= tWaveGain;
  if (v === 0) morphology.thetaRad[4] += 0.06;
  return {
    tWaveGain,
    sim: {
      durationS,
      samplingRateHz,
      heartRateBpm,
      rrStdS: subject.rrStdS * (a === 1 ? 0.65 : 1) * jitter(0.1),
      lfHfRatio: subject.lfHfRatio * (a === 1 ? 2.5 : 1) * jitter(0.15),
      lfHz: 0.1,
      hfHz: subject.respirationHz,
      bandWidthHz: 0.01,
      morphology,
      gain: subject.gain,
      respiratoryModulation: 0.08,
      baselineWanderMv: subject.baselineWanderMv,
      muscleNoiseMv: subject.muscleNoiseMv * (a === 1 ? 1.3 : 1),
      mainsMv: subject.mainsMv,
      mainsHz: 50,
    },
  };
}

/** Generates one recording (deterministic in `seed`, subject and recording index, independent of the others). */
export function generateSyntheticRecording(
  args: SyntheticArgs,
  subjectIndex: number,
  recordingIndex: number,
): { samplesMv: Float64Array; info: SyntheticRecordingInfo } {
  const subject = drawSubject(subjectIndex, deriveRng(args.seed, 1, subjectIndex));
  const plan = affectPlan(args.recordingsPerSubject, deriveRng(args.seed, 2, subjectIndex));
  const affect = plan[recordingIndex];
  invariant(
    affect !== undefined,
    'generateSyntheticRecording',
    `recording index ${recordingIndex} out of range`,
  );
  const rng = deriveRng(args.seed, 3, subjectIndex, recordingIndex);
  const { sim, tWaveGain } = recordingPhysiology(
    subject,
    affect,
    args.samplingRateHz,
    args.recordingSeconds,
    rng,
  );
  const { ecgMv, rPeaks } = simulateEcg(sim, rng);
  const recording = `r${String(recordingIndex + 1).padStart(2, '0')}`;
  return {
    samplesMv: ecgMv,
    info: {
      subject: subject.id,
      recording,
      file: `${subject.id}/${recording}.npy`,
      arousal: affect.arousal,
      valence: affect.valence,
      stress: affect.arousal === 1 && affect.valence === 0 ? 1 : 0,
      heartRateBpm: sim.heartRateBpm,
      rrStdS: sim.rrStdS,
      lfHfRatio: sim.lfHfRatio,
      tWaveGain,
      beats: rPeaks.length,
    },
  };
}

/** Reads `manifest.json` of a synthetic folder, or undefined when there is none (or it is unreadable). */
export function readSyntheticManifest(root: string): SyntheticManifest | undefined {
  const p = join(root, 'manifest.json');
  if (!existsSync(p)) return undefined;
  try {
    return JSON.parse(readFileSync(p, 'utf8')) as SyntheticManifest;
  } catch {
    return undefined;
  }
}

/** True when `root` holds a complete synthetic dataset generated with exactly these settings. */
export function syntheticIsCurrent(root: string, args: SyntheticArgs): boolean {
  const m = readSyntheticManifest(root);
  return (
    m !== undefined &&
    m.generator === 'ecgssl-synthetic' &&
    m.version === SYNTHETIC_GENERATOR_VERSION &&
    canonicalJson(m.settings) === canonicalJson(args)
  );
}

/**
 * Writes the synthetic dataset in the generic format into `root`: `<subject>/<recording>.npy` (float32, mV),
 * `labels.csv` (`subject,recording,samplingRateHz,arousal,valence,stress`) and `manifest.json` (settings and the
 * physiology of every recording). The folder is built under a temporary name and renamed into place when
 * complete. An existing `root` is replaced only when it is a synthetic folder (has our manifest); any other
 * existing folder is an error (never overwrite user data).
 */
export function generateSynthetic(args: SyntheticArgs & { root: string }): SyntheticManifest {
  const { root, ...settings } = args;
  check(
    Number.isInteger(settings.subjects) && settings.subjects > 0,
    'generateSynthetic',
    `subjects must be a positive integer, got ${settings.subjects}`,
  );
  check(
    Number.isInteger(settings.recordingsPerSubject) && settings.recordingsPerSubject > 0,
    'generateSynthetic',
    `recordingsPerSubject must be a positive integer, got ${settings.recordingsPerSubject}`,
  );
  check(
    settings.samplingRateHz > 0,
    'generateSynthetic',
    `samplingRateHz must be > 0, got ${settings.samplingRateHz}`,
  );
  if (existsSync(root) && readSyntheticManifest(root)?.generator !== 'ecgssl-synthetic')
    throw new UserError(
      `generateSynthetic: ${root} exists and is not a synthetic dataset folder (no manifest.json); refusing to overwrite it, choose another data.root`,
    );
  mkdirSync(dirname(root), { recursive: true });
  const tag = `${process.pid}-${Date.now()}`;
  const tmp = `${root}.tmp-${tag}`;
  rmSync(tmp, { recursive: true, force: true });
  const total = settings.subjects * settings.recordingsPerSubject;
  const progress = createProgress({ label: 'generate synthetic ECG', total, unit: 'recordings' });
  const recordings: SyntheticRecordingInfo[] = [];
  try {
    for (let s = 0; s < settings.subjects; s++) {
      mkdirSync(join(tmp, subjectId(s)), { recursive: true });
      for (let r = 0; r < settings.recordingsPerSubject; r++) {
        const { samplesMv, info } = generateSyntheticRecording(settings, s, r);
        writeNpy(join(tmp, info.file), Float32Array.from(samplesMv));
        recordings.push(info);
        progress.update(recordings.length);
      }
    }
    const csv = ['subject,recording,samplingRateHz,arousal,valence,stress'];
    for (const r of recordings)
      csv.push(
        `${r.subject},${r.subject}/${r.recording},${settings.samplingRateHz},${r.arousal},${r.valence},${r.stress}`,
      );
    writeFileSync(join(tmp, 'labels.csv'), csv.join('\n') + '\n');
    const manifest: SyntheticManifest = {
      generator: 'ecgssl-synthetic',
      version: SYNTHETIC_GENERATOR_VERSION,
      settings,
      recordings,
    };
    writeFileSync(join(tmp, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
    progress.stop();
    if (existsSync(root)) {
      const old = `${root}.old-${tag}`;
      renameSync(root, old);
      renameSync(tmp, root);
      rmSync(old, { recursive: true, force: true });
    } else renameSync(tmp, root);
    return manifest;
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}
