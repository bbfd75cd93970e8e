// The composed preprocessing pipeline (src/preprocessing/pipeline.ts) against its steps called one by one.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { preprocessingSchema } from '../../src/config/schema.js';
import {
  countWindows,
  createPipeline,
  createResamplerForRates,
  highpass,
  resampleChunked,
  trimmedZScore,
  windowize,
  zscore,
} from '../../src/preprocessing/index.js';
import { createRng } from '../../src/random/index.js';

/** A noisy sine with drift, `n` samples (seeded). */
function signal(seed: number, n: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, (_, i) => Math.sin(i / 9) + 0.2 * rng.normal() + i * 1e-3);
}

function concat(parts: readonly Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((a, p) => a + p.length, 0));
  let k = 0;
  for (const p of parts) {
    out.set(p, k);
    k += p.length;
  }
  return out;
}

describe('resampleChunked', () => {
  it('gives the same samples for any chunk size, and the one-piece streaming result', () => {
    const x = signal(1, 5000);
    const whole = (() => {
      const r = createResamplerForRates({ sourceRateHz: 250, targetRateHz: 256 });
      return concat([r.push(Float64Array.from(x)), r.flush()]);
    })();
    for (const chunk of [1, 7, 999, 1 << 18])
      assert.deepEqual(resampleChunked(x, 250, 256, chunk), whole, `chunk ${chunk}`);
    assert.equal(whole.length, Math.ceil((5000 * 256) / 250));
  });
});

describe('createPipeline', () => {
  const pre = preprocessingSchema.parse({ targetRateHz: 64, windowSamples: 100, overlapSamples: 20 });

  it('recording: resample to the target rate, then the zero-phase high-pass', () => {
    const x = signal(2, 3000);
    const expected = highpass(resampleChunked(x, 128, 64), { cutoffHz: 0.8, rateHz: 64, order: 4 });
    assert.deepEqual(createPipeline(pre).recording(x, 128), expected);
    const off = createPipeline({ ...pre, highpass: { ...pre.highpass, enabled: false } });
    assert.deepEqual(off.recording(x, 64), Float64Array.from(x));
  });

  it('subject: normalised over all recordings together, windows cut per recording', () => {
    const recs = [
      Float64Array.from(signal(3, 450)),
      Float64Array.from(signal(4, 130)),
      Float64Array.from(signal(5, 60)),
    ];
    const all = concat(recs);
    const norm = trimmedZScore(all, { centralFraction: 0.95 });
    const args = { windowSamples: 100, overlapSamples: 20 };
    const got = createPipeline(pre).subject(recs);
    assert.equal(got.length, 3);
    assert.deepEqual(got[0], windowize(norm.subarray(0, 450), args));
    assert.deepEqual(got[1], windowize(norm.subarray(450, 580), args));
    assert.deepEqual(got[2], [], 'a recording shorter than one window gives none');
    assert.equal(got[0]?.length, countWindows(450, args));
    const z = createPipeline({ ...pre, normalization: { method: 'zscore', centralFraction: 0.95 } }).subject(
      recs,
    );
    assert.deepEqual(z[1], windowize(zscore(all).subarray(450, 580), args));
    const none = createPipeline({ ...pre, normalization: { method: 'none', centralFraction: 0.95 } }).subject(
      recs,
    );
    assert.deepEqual(none[0]?.[1], Float32Array.from(recs[0]!.subarray(80, 180)));
  });

  it('windowsOf: whole windows at the target rate of a recording at its own rate', () => {
    const p = createPipeline(pre);
    assert.equal(p.windowsOf(200, 128), 1); // 100 samples at 64 Hz
    assert.equal(p.windowsOf(199, 128), 1); // ceil(99.5) = 100
    assert.equal(p.windowsOf(197, 128), 0);
    assert.equal(p.windowsOf(360, 64), countWindows(360, { windowSamples: 100, overlapSamples: 20 }));
  });
});
