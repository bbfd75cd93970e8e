// Tests of the time-domain HRV features, their too-few-beats reasons and the subject-relative versions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  HRV_RELATIVE_FEATURE_NAMES,
  detectRPeaks,
  hrvFeatureVector,
  hrvFeatures,
  hrvRelativeFeatureVector,
  subjectRelativeFeatures,
  type HrvWindowFeatures,
} from '../../src/hrv/index.js';
import { existsSync } from 'node:fs';
import { readWfdbSignal } from '../../src/datasets/index.js';
import { beatAnnotations, readWfdbAnnotations } from '../../src/datasets/formats/wfdbAnnotations.js';
import { resample } from '../../src/preprocessing/index.js';
import { restingEcgArgs, simulateEcg } from '../../src/datasets/readers/synthetic/ecgsyn.js';
import { createRng } from '../../src/random/index.js';
import { InternalError } from '../../src/errors.js';

function close(a: number, b: number, what: string): void {
  assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);
}

test('hrvFeatures on a known RR series (800, 900, 800, 900, 900 ms) at 1000 Hz and 250 Hz', () => {
  // mean RR 860 ms; deviations -60, 40, -60, 40, 40 -> SDNN sqrt(12000 / 4); successive differences 100, -100, 100,
  // 0 -> RMSSD sqrt(30000 / 4); 3 of 4 differences exceed 50 ms -> pNN50 75 %.
  for (const [rateHz, peaks] of [
    [1000, [100, 900, 1800, 2600, 3500, 4400]],
    [250, [25, 225, 450, 650, 875, 1100]],
  ] as const) {
    const r = hrvFeatures(peaks, rateHz);
    assert.ok(r.ok);
    close(r.features.meanHeartRateBpm, 60000 / 860, 'mean HR');
    close(r.features.sdnnMs, Math.sqrt(3000), 'SDNN');
    close(r.features.rmssdMs, Math.sqrt(7500), 'RMSSD');
    close(r.features.pnn50Percent, 75, 'pNN50');
    assert.deepEqual(hrvFeatureVector(r.features), [
      r.features.meanHeartRateBpm,
      r.features.sdnnMs,
      r.features.rmssdMs,
      75,
    ]);
  }
  // three beats: the least that has features; constant RR gives SDNN = RMSSD = pNN50 = 0
  const r3 = hrvFeatures(Int32Array.from([0, 500, 1000]), 500);
  assert.deepEqual(r3, {
    ok: true,
    features: { meanHeartRateBpm: 60, sdnnMs: 0, rmssdMs: 0, pnn50Percent: 0 },
  });
});

test('hrvFeatures: too few beats give a reason, never NaN; unordered peaks are an InternalError', () => {
  assert.deepEqual(hrvFeatures([], 256), { ok: false, reason: '0 beats detected, need at least 3' });
  assert.deepEqual(hrvFeatures([10], 256), { ok: false, reason: '1 beat detected, need at least 3' });
  assert.deepEqual(hrvFeatures([10, 300], 256), { ok: false, reason: '2 beats detected, need at least 3' });
  assert.throws(
    () => hrvFeatures([10, 10, 20], 256),
    (e: unknown) =>
      e instanceof InternalError &&
      /hrvFeatures: rPeaks must be strictly increasing; index 1 is 10 after 10/.test(e.message),
  );
  assert.throws(() => hrvFeatures([1, 2, 3], 0), /hrvFeatures: rateHz must be a positive number, got 0/);
  // a flat 10 s window: no beats detected, a reason
  const flat = hrvFeatures(detectRPeaks(new Float64Array(2560), 256), 256);
  assert.deepEqual(flat, { ok: false, reason: '0 beats detected, need at least 3' });
});

test('hrvFeatures from detected beats of a simulated 10 s ECG at 72 bpm', () => {
  const { ecgMv, rPeaks } = simulateEcg({ ...restingEcgArgs(10, 256), rrStdS: 0.03 }, createRng(11));
  const detected = hrvFeatures(detectRPeaks(ecgMv, 256), 256);
  const truth = hrvFeatures(rPeaks, 256);
  assert.ok(detected.ok && truth.ok);
  assert.ok(
    Math.abs(detected.features.meanHeartRateBpm - truth.features.meanHeartRateBpm) < 1,
    'mean HR within 1 bpm',
  );
  assert.ok(Math.abs(detected.features.sdnnMs - truth.features.sdnnMs) < 5, 'SDNN within 5 ms');
  assert.ok(detected.features.meanHeartRateBpm > 65 && detected.features.meanHeartRateBpm < 80);
});

const MITDB = 'test/fixtures/real/mitdb/100';

test(
  "HRV of MIT-BIH 100 in the pipeline's windows (256 Hz, 2560 samples): detected beats vs reference beats",
  { skip: existsSync(`${MITDB}.atr`) ? false : 'no MIT-BIH 100' },
  () => {
    const x = resample(readWfdbSignal(`${MITDB}.hea`, 'MLII').samples, 360, 256);
    const beats = Array.from(beatAnnotations(readWfdbAnnotations(`${MITDB}.atr`)).samples, (b) =>
      Math.round((b * 256) / 360),
    );
    const errors = { meanHeartRateBpm: [] as number[], sdnnMs: [] as number[], rmssdMs: [] as number[] };
    for (let s = 0; s + 2560 <= x.length; s += 2560) {
      const det = hrvFeatures(detectRPeaks(x.subarray(s, s + 2560), 256), 256);
      const ref = hrvFeatures(
        beats.filter((b) => b >= s && b < s + 2560).map((b) => b - s),
        256,
      );
      assert.ok(det.ok && ref.ok, `window at ${s}`);
      for (const k of ['meanHeartRateBpm', 'sdnnMs', 'rmssdMs'] as const)
        errors[k].push(Math.abs(det.features[k] - ref.features[k]));
    }
    const share = (a: number[], limit: number): number => a.filter((v) => v <= limit).length / a.length;
    const median = (a: number[]): number => [...a].sort((u, v) => u - v)[a.length >> 1] as number;
    console.log(
      `MIT-BIH 100, ${errors.sdnnMs.length} windows: median |error| mean HR ${median(errors.meanHeartRateBpm).toFixed(3)} bpm, SDNN ${median(errors.sdnnMs).toFixed(2)} ms, RMSSD ${median(errors.rmssdMs).toFixed(2)} ms`,
    );
    assert.equal(errors.sdnnMs.length, 180);
    assert.ok(share(errors.meanHeartRateBpm, 0.5) >= 0.98, 'mean HR within 0.5 bpm in 98 % of windows');
    assert.ok(share(errors.sdnnMs, 5) >= 0.98, 'SDNN within 5 ms in 98 % of windows');
    assert.ok(share(errors.rmssdMs, 6) >= 0.98, 'RMSSD within 6 ms in 98 % of windows');
  },
);

test('subjectRelativeFeatures: minus the subject mean over its windows with features; reasons pass through', () => {
  const w = (hr: number, sdnn: number, rmssd: number, pnn: number): HrvWindowFeatures => ({
    ok: true,
    features: { meanHeartRateBpm: hr, sdnnMs: sdnn, rmssdMs: rmssd, pnn50Percent: pnn },
  });
  const windows = [
    w(60, 50, 40, 20),
    w(80, 30, 20, 0),
    { ok: false as const, reason: '1 beat detected, need at least 3' },
    w(100, 10, 10, 0),
  ];
  const r = subjectRelativeFeatures(windows, ['a', 'a', 'a', 'b']);
  assert.ok(r[0]!.ok && r[1]!.ok && r[3]!.ok);
  assert.deepEqual(r[0]!.relative, { meanHeartRateBpm: -10, sdnnMs: 10, rmssdMs: 10, pnn50Percent: 10 });
  assert.deepEqual(r[1]!.relative, { meanHeartRateBpm: 10, sdnnMs: -10, rmssdMs: -10, pnn50Percent: -10 });
  assert.deepEqual(r[2], { ok: false, reason: '1 beat detected, need at least 3' });
  // a subject whose pNN50 is 0 in every window: difference 0, not a NaN ratio
  assert.deepEqual(r[3]!.relative, { meanHeartRateBpm: 0, sdnnMs: 0, rmssdMs: 0, pnn50Percent: 0 });
  assert.deepEqual(hrvRelativeFeatureVector(r[0]!), [60, 50, 40, 20, -10, 10, 10, 10]);
  assert.equal(HRV_RELATIVE_FEATURE_NAMES.length, 8);
  assert.throws(
    () => subjectRelativeFeatures(windows, ['a']),
    /subjectRelativeFeatures: 4 windows but 1 subject names/,
  );
});
