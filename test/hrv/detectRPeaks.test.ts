// Tests of detectRPeaks: MIT-BIH 100 against its reference beats, inverted and resampled, 10 s windows, PTB, ECGSYN.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readWfdbSignal } from '../../src/datasets/index.js';
import { beatAnnotations, readWfdbAnnotations } from '../../src/datasets/formats/wfdbAnnotations.js';
import { restingEcgArgs, simulateEcg } from '../../src/datasets/readers/synthetic/ecgsyn.js';
import { createRng } from '../../src/random/index.js';
import { resample } from '../../src/preprocessing/index.js';
import { detectRPeaks } from '../../src/hrv/index.js';
import { UserError } from '../../src/errors.js';

const REAL = 'test/fixtures/real';
const MITDB = join(REAL, 'mitdb/100');
const haveMitdb = existsSync(`${MITDB}.hea`) && existsSync(`${MITDB}.atr`);

/** One-to-one matching of ascending reference and detected sample indices within `tolSamples` (greedy, in time order). */
function matchBeats(ref: ArrayLike<number>, det: ArrayLike<number>, tolSamples: number) {
  let i = 0;
  let j = 0;
  let tp = 0;
  const offsets: number[] = [];
  while (i < ref.length && j < det.length) {
    const d = (det[j] as number) - (ref[i] as number);
    if (Math.abs(d) <= tolSamples) {
      tp++;
      offsets.push(d);
      i++;
      j++;
    } else if (d < 0) j++;
    else i++;
  }
  return {
    sensitivity: tp / ref.length,
    ppv: tp / det.length,
    tp,
    fn: ref.length - tp,
    fp: det.length - tp,
    offsets,
  };
}

function mitdb(): { x: Float64Array; beats: Int32Array } {
  const sig = readWfdbSignal(`${MITDB}.hea`, 'MLII');
  assert.equal(sig.samplingRateHz, 360);
  return { x: sig.samples, beats: beatAnnotations(readWfdbAnnotations(`${MITDB}.atr`)).samples };
}

test(
  'detectRPeaks on MIT-BIH 100 (MLII, 360 Hz): sensitivity and positive predictivity >= 0.99 within 150 ms',
  { skip: haveMitdb ? false : 'no MIT-BIH 100' },
  () => {
    const { x, beats } = mitdb();
    const m = matchBeats(beats, detectRPeaks(x, 360), 0.15 * 360);
    console.log(
      `MIT-BIH 100 MLII 360 Hz: ${beats.length} reference beats, TP ${m.tp} FN ${m.fn} FP ${m.fp}, sensitivity ${m.sensitivity.toFixed(4)}, positive predictivity ${m.ppv.toFixed(4)}`,
    );
    assert.ok(m.sensitivity >= 0.99, `sensitivity ${m.sensitivity}`);
    assert.ok(m.ppv >= 0.99, `positive predictivity ${m.ppv}`);
    // refinement to the R maximum: the reference marks the R peak, so nearly all matches are within 3 samples (8 ms)
    const near = m.offsets.filter((d) => Math.abs(d) <= 3).length / m.offsets.length;
    assert.ok(near >= 0.95, `only ${near} of the matches within 3 samples`);
  },
);

test(
  'detectRPeaks on MIT-BIH 100: inverted polarity, resampled to 256 Hz, and in 10 s windows',
  { skip: haveMitdb ? false : 'no MIT-BIH 100' },
  () => {
    const { x, beats } = mitdb();
    const inv = matchBeats(
      beats,
      detectRPeaks(
        x.map((v) => -v),
        360,
      ),
      0.15 * 360,
    );
    const x256 = resample(x, 360, 256);
    const ref256 = Array.from(beats, (s) => Math.round((s * 256) / 360));
    const r256 = matchBeats(ref256, detectRPeaks(x256, 256), 0.15 * 256);
    const windowSamples = 3600;
    const perWindow: number[] = [];
    for (let s = 0; s + windowSamples <= x.length; s += windowSamples)
      for (const p of detectRPeaks(x.subarray(s, s + windowSamples), 360)) perWindow.push(p + s);
    const covered = Math.floor(x.length / windowSamples) * windowSamples;
    const win = matchBeats(
      Array.from(beats).filter((b) => b < covered),
      perWindow,
      0.15 * 360,
    );
    for (const [name, m] of [
      ['inverted', inv],
      ['256 Hz', r256],
      ['10 s windows', win],
    ] as const) {
      console.log(
        `MIT-BIH 100 ${name}: sensitivity ${m.sensitivity.toFixed(4)}, positive predictivity ${m.ppv.toFixed(4)}`,
      );
      assert.ok(m.sensitivity >= 0.99 && m.ppv >= 0.99, `${name}: ${m.sensitivity} / ${m.ppv}`);
    }
  },
);

test('detectRPeaks on simulated ECG (ECGSYN) at 128, 500 and 1000 Hz and 50-170 bpm: every beat within 20 ms, no extra', () => {
  for (const rateHz of [128, 500, 1000])
    for (const heartRateBpm of [50, 120, 170]) {
      const args = { ...restingEcgArgs(30, rateHz), heartRateBpm, muscleNoiseMv: 0.05 };
      const { ecgMv, rPeaks } = simulateEcg(args, createRng(7));
      const m = matchBeats(rPeaks, detectRPeaks(ecgMv, rateHz), 0.02 * rateHz);
      assert.equal(m.fn, 0, `${rateHz} Hz ${heartRateBpm} bpm: ${m.fn} missed of ${rPeaks.length}`);
      assert.equal(m.fp, 0, `${rateHz} Hz ${heartRateBpm} bpm: ${m.fp} extra`);
    }
});

test(
  'detectRPeaks on PTB s0010_re (1000 Hz): the same 52 beats in limb, augmented (inverted aVR) and chest leads',
  { skip: existsSync(join(REAL, 'ptbdb/s0010_re.hea')) ? false : 'no PTB record' },
  () => {
    const hea = join(REAL, 'ptbdb/s0010_re.hea');
    const ref = detectRPeaks(readWfdbSignal(hea, 'ii').samples, 1000);
    assert.equal(ref.length, 52);
    for (const lead of ['i', 'avr', 'v1', 'v6']) {
      const p = detectRPeaks(readWfdbSignal(hea, lead).samples, 1000);
      const m = matchBeats(ref, p, 60);
      assert.equal(m.tp, 52, `lead ${lead}: ${m.tp} of 52 within 60 ms of lead ii`);
      assert.equal(p.length, 52, `lead ${lead}`);
    }
  },
);

test('detectRPeaks: short, flat and bad input; deterministic', () => {
  assert.deepEqual(detectRPeaks(new Float64Array(100), 500), new Int32Array(0));
  assert.deepEqual(detectRPeaks(new Float64Array(5000), 500), new Int32Array(0));
  const { ecgMv } = simulateEcg(restingEcgArgs(10, 250), createRng(3));
  assert.deepEqual(detectRPeaks(ecgMv, 250), detectRPeaks(ecgMv, 250));
  assert.throws(
    () => detectRPeaks(ecgMv, 40),
    (e: unknown) =>
      e instanceof UserError && /detectRPeaks: rateHz must be a number >= 50, got 40/.test(e.message),
  );
  const bad = ecgMv.slice();
  bad[17] = NaN;
  assert.throws(() => detectRPeaks(bad, 250), /detectRPeaks: sample 17 is NaN/);
});
