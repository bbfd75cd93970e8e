import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  generateSynthetic,
  generateSyntheticRecording,
  syntheticIsCurrent,
} from '../../src/datasets/readers/synthetic/index.js';
import { restingEcgArgs, simulateEcg } from '../../src/datasets/readers/synthetic/ecgsyn.js';
import { readNpyChannel } from '../../src/datasets/formats/npy.js';
import { createRng } from '../../src/random/index.js';
import { tmp } from './helpers.js';

/** A plain R-peak detector: band-limited slope energy, local maxima above half the 99th percentile, 250 ms refractory. */
function detectRPeaks(x: Float64Array, fs: number): number[] {
  const n = x.length;
  const short = Math.max(1, Math.round(0.01 * fs));
  const long = Math.round(0.15 * fs);
  const cs = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) cs[i + 1] = (cs[i] as number) + (x[i] as number);
  const avg = (i: number, w: number): number => {
    const a = Math.max(0, i - w);
    const b = Math.min(n, i + w + 1);
    return ((cs[b] as number) - (cs[a] as number)) / (b - a);
  };
  const y = Float64Array.from({ length: n }, (_, i) => avg(i, short) - avg(i, long));
  const sorted = Float64Array.from(y).sort();
  const thr = 0.5 * (sorted[Math.floor(0.99 * n)] as number);
  const peaks: number[] = [];
  const refractory = Math.round(0.25 * fs);
  for (let i = 1; i < n - 1; i++) {
    const v = y[i] as number;
    if (v < thr || v < (y[i - 1] as number) || v < (y[i + 1] as number)) continue;
    const last = peaks[peaks.length - 1];
    if (last !== undefined && i - last < refractory) {
      if (v > (y[last] as number)) peaks[peaks.length - 1] = i;
      continue;
    }
    peaks.push(i);
  }
  return peaks;
}

test('simulateEcg: R peaks where the phase crosses 0, at the requested heart rate', () => {
  const fs = 256;
  const { ecgMv, rPeaks } = simulateEcg(restingEcgArgs(60, fs), createRng(3));
  assert.equal(ecgMv.length, 60 * fs);
  assert.ok(Math.abs(rPeaks.length - 72) <= 3, `beats ${rPeaks.length}`);
  const found = detectRPeaks(ecgMv, fs);
  assert.ok(Math.abs(found.length - rPeaks.length) <= 1, `detected ${found.length}, true ${rPeaks.length}`);
  let matched = 0;
  for (const p of rPeaks) if (found.some((q) => Math.abs(q - p) <= 4)) matched++;
  assert.ok(matched >= rPeaks.length - 1, `${matched}/${rPeaks.length} R peaks matched`);
  const maxAbs = ecgMv.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
  assert.ok(maxAbs > 0.7 && maxAbs < 2.5, `peak amplitude ${maxAbs} mV`);
});

test('generateSynthetic: deterministic bytes, balanced labels, generic layout and manifest', () => {
  const args = { subjects: 2, recordingsPerSubject: 4, recordingSeconds: 30, samplingRateHz: 256, seed: 11 };
  const a = join(tmp(), 'syn');
  const b = join(tmp(), 'syn');
  const m = generateSynthetic({ ...args, root: a });
  generateSynthetic({ ...args, root: b });
  assert.ok(syntheticIsCurrent(a, args));
  assert.ok(!syntheticIsCurrent(a, { ...args, seed: 12 }));
  for (const f of ['labels.csv', 'manifest.json', 'S01/r01.npy', 'S02/r04.npy'])
    assert.ok(readFileSync(join(a, f)).equals(readFileSync(join(b, f))), `${f} differs between runs`);
  assert.deepEqual(readdirSync(join(a, 'S01')).sort(), ['r01.npy', 'r02.npy', 'r03.npy', 'r04.npy']);
  const lines = readFileSync(join(a, 'labels.csv'), 'utf8').trim().split('\n');
  assert.equal(lines[0], 'subject,recording,samplingRateHz,arousal,valence,stress');
  assert.equal(lines.length, 9);
  for (const s of ['S01', 'S02']) {
    const recs = m.recordings.filter((r) => r.subject === s);
    assert.equal(recs.filter((r) => r.arousal === 1).length, 2);
    assert.equal(recs.filter((r) => r.valence === 1).length, 2);
    for (const r of recs) assert.equal(r.stress, r.arousal === 1 && r.valence === 0 ? 1 : 0);
  }
  const x = readNpyChannel(join(a, 'S01/r01.npy'), 0);
  assert.equal(x.length, 30 * 256);
  const other = generateSyntheticRecording({ ...args, seed: 12 }, 0, 0).samplesMv;
  assert.notDeepEqual(Float64Array.from(Float32Array.from(other)), x);
});

test('synthetic affect rule: detected heart rate follows arousal within every subject', () => {
  const args = { subjects: 3, recordingsPerSubject: 4, recordingSeconds: 60, samplingRateHz: 256, seed: 7 };
  for (let s = 0; s < args.subjects; s++) {
    const hr: Record<string, number[]> = { '0': [], '1': [] };
    for (let r = 0; r < args.recordingsPerSubject; r++) {
      const { samplesMv, info } = generateSyntheticRecording(args, s, r);
      const peaks = detectRPeaks(samplesMv, args.samplingRateHz);
      const rr = (peaks[peaks.length - 1]! - peaks[0]!) / (peaks.length - 1) / args.samplingRateHz;
      const detected = 60 / rr;
      assert.ok(
        Math.abs(detected - info.heartRateBpm) < 4,
        `S${s} r${r}: detected ${detected.toFixed(1)} bpm, generated ${info.heartRateBpm.toFixed(1)}`,
      );
      hr[String(info.arousal)]!.push(detected);
    }
    const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
    assert.ok(
      mean(hr['1']!) > mean(hr['0']!) + 3,
      `subject ${s}: high-arousal ${mean(hr['1']!).toFixed(1)} vs low ${mean(hr['0']!).toFixed(1)} bpm`,
    );
  }
});
