import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  butterHighpassSos,
  countWindows,
  createResampler,
  createResamplerForRates,
  highpass,
  resample,
  resamplePoly,
  trimmedZScore,
  windowize,
  zscore,
} from '../../src/preprocessing/index.js';
import { createRng } from '../../src/random/index.js';
import { UserError } from '../../src/errors.js';
import { loadFixture, maxAbsDiff, std } from './helpers.js';

interface ResampleFixture {
  params: { up: number; down: number; sourceRateHz: number; targetRateHz: number };
  input: number[];
  expected: number[];
  tolerance: { maxAbsRelativeToInputStd: number };
}

/** `n` standard normal draws from the seeded generator. */
function normalNoise(seed: number, n: number): Float64Array {
  const rng = createRng(seed);
  return Float64Array.from({ length: n }, () => rng.normal());
}

describe('resamplePoly / resample (scipy.signal.resample_poly)', () => {
  for (const name of ['resample-128-to-256', 'resample-2048-to-256', 'resample-360-to-256']) {
    it(`matches ${name}`, () => {
      const f = loadFixture<ResampleFixture>(`${name}.json`);
      const input = Float64Array.from(f.input);
      const copy = Float64Array.from(input);
      const tol = f.tolerance.maxAbsRelativeToInputStd * std(f.input);
      const y = resamplePoly(input, f.params.up, f.params.down);
      assert.equal(y.length, f.expected.length);
      assert.equal(y.length, Math.ceil((input.length * f.params.up) / f.params.down));
      assert.ok(maxAbsDiff(y, f.expected) < tol, `max diff ${maxAbsDiff(y, f.expected)} >= ${tol}`);
      const y2 = resample(input, f.params.sourceRateHz, f.params.targetRateHz);
      assert.ok(maxAbsDiff(y2, f.expected) < tol);
      assert.deepEqual(input, copy, 'input modified');
    });
  }

  it('streams chunk by chunk with the same output as in one piece', () => {
    const x = normalNoise(5, 50_003);
    for (const [src, dst] of [
      [2048, 256],
      [360, 256],
      [128, 256],
    ] as const) {
      const whole = resample(x, src, dst);
      for (const chunk of [1, 7, 999, 4096, 60_000]) {
        const r = createResamplerForRates({ sourceRateHz: src, targetRateHz: dst });
        const parts: Float64Array[] = [];
        for (let i = 0; i < x.length; i += chunk) parts.push(r.push(x.subarray(i, i + chunk)));
        parts.push(r.flush());
        const joined = Float64Array.from(parts.flatMap((p) => [...p]));
        assert.equal(joined.length, whole.length, `${src}->${dst} chunk ${chunk}`);
        assert.ok(maxAbsDiff(joined, whole) < 1e-12, `${src}->${dst} chunk ${chunk}`);
      }
    }
  });

  it('gives the same output with the WebAssembly SIMD kernel and in plain JavaScript', () => {
    const x = normalNoise(8, 20_011);
    for (const [up, down] of [
      [1, 8],
      [32, 45],
      [2, 1],
    ] as const) {
      const a = createResampler(up, down);
      const b = createResampler(up, down, { simd: false });
      const ya = [...a.push(x.subarray(0, 7000)), ...a.push(x.subarray(7000)), ...a.flush()];
      const yb = [...b.push(x), ...b.flush()];
      assert.equal(ya.length, yb.length);
      assert.ok(maxAbsDiff(ya, yb) < 1e-12, `${up}/${down}`);
    }
  });

  it('keeps memory bounded while streaming (the buffer does not grow with the input)', () => {
    const r = createResamplerForRates({ sourceRateHz: 2048, targetRateHz: 256 });
    const chunk = new Float64Array(8192).fill(1);
    const before = process.memoryUsage().arrayBuffers;
    let out = 0;
    for (let i = 0; i < 400; i++) out += r.push(chunk).length; // 3.3 M samples
    out += r.flush().length;
    assert.equal(out, Math.ceil((400 * 8192) / 8));
    assert.ok(process.memoryUsage().arrayBuffers - before < 8 * 1024 * 1024);
  });

  it('rejects bad rates with a named error', () => {
    assert.throws(
      () => resample([1, 2, 3], 0, 256),
      (e: unknown) => e instanceof UserError && /sourceRateHz/.test(e.message),
    );
    assert.throws(() => resample([1, 2, 3], 256.00001, 256), UserError);
  });
});

describe('highpass (scipy sosfiltfilt of butter(4, 0.8, highpass, fs=256))', () => {
  const f = loadFixture<{
    sos: number[][];
    input: number[];
    expected: number[];
    tolerance: { maxAbsRelativeToInputStd: number };
  }>('highpass-0.8hz-256.json');
  it('designs the same second-order sections as scipy', () => {
    const sos = butterHighpassSos({ cutoffHz: 0.8, rateHz: 256, order: 4 });
    assert.equal(sos.length, f.sos.length);
    sos.forEach((row, i) =>
      assert.ok(maxAbsDiff(row, f.sos[i] as number[]) < 1e-6, `section ${i}: ${row} vs ${f.sos[i]}`),
    );
  });
  it('filters like sosfiltfilt', () => {
    const y = highpass(f.input, { cutoffHz: 0.8, rateHz: 256, order: 4 });
    const tol = f.tolerance.maxAbsRelativeToInputStd * std(f.input);
    assert.ok(maxAbsDiff(y, f.expected) < tol, `max diff ${maxAbsDiff(y, f.expected)}`);
  });
  it('removes a slow drift and keeps a 10 Hz tone', () => {
    const n = 256 * 30;
    const x = Float64Array.from(
      { length: n },
      (_, i) => 5 * Math.sin((2 * Math.PI * 0.05 * i) / 256) + Math.sin((2 * Math.PI * 10 * i) / 256),
    );
    const y = highpass(x, { cutoffHz: 0.8, rateHz: 256, order: 4 });
    const mid = y.subarray(n / 3, (2 * n) / 3);
    assert.ok(Math.abs(std(mid) - Math.SQRT1_2) < 0.02, `std ${std(mid)}`);
  });
  it('names the bad cutoff', () => {
    assert.throws(
      () => highpass(new Float64Array(1000), { cutoffHz: 200, rateHz: 256, order: 4 }),
      /cutoffHz/,
    );
  });
});

describe('trimmedZScore / zscore / windowize', () => {
  it("matches the authors' normalisation", () => {
    const f = loadFixture<{ input: number[]; expected: number[]; tolerance: { maxAbs: number } }>(
      'trimmed-zscore.json',
    );
    const y = trimmedZScore(f.input);
    assert.ok(maxAbsDiff(y, f.expected) < f.tolerance.maxAbs, `max diff ${maxAbsDiff(y, f.expected)}`);
  });
  it('zscore has mean 0 and std 1', () => {
    const rng = createRng(2);
    const y = zscore(Float64Array.from({ length: 1000 }, () => 3 + 2 * rng.normal()));
    assert.ok(Math.abs(std(y) - 1) < 1e-12);
    assert.ok(Math.abs(y.reduce((a, b) => a + b, 0)) < 1e-9);
  });
  it('cuts 2560-sample windows and drops the partial tail', () => {
    const x = Float64Array.from({ length: 2560 * 3 + 100 }, (_, i) => i);
    const w = windowize(x, { windowSamples: 2560, overlapSamples: 0 });
    assert.equal(w.length, 3);
    assert.equal(w[2]?.[0], 5120);
    assert.equal(countWindows(x.length, { windowSamples: 2560, overlapSamples: 1280 }), 5);
    assert.equal(countWindows(2559, { windowSamples: 2560, overlapSamples: 0 }), 0);
    assert.throws(() => windowize(x, { windowSamples: 10, overlapSamples: 10 }), /overlapSamples/);
  });
});

describe('signal properties and bad input', () => {
  it('removes a 190 Hz tone when resampling 2048 -> 256 Hz and keeps a 5 Hz one', () => {
    const n = 2048 * 8;
    const x = Float64Array.from({ length: n }, (_, i) => Math.sin((2 * Math.PI * 190 * i) / 2048));
    const y = resample(x, 2048, 256);
    assert.ok(
      std(y.subarray(200, y.length - 200)) < 0.01,
      `190 Hz residue std ${std(y.subarray(200, y.length - 200))}`,
    );
    const x5 = Float64Array.from({ length: n }, (_, i) => Math.sin((2 * Math.PI * 5 * i) / 2048));
    const y5 = resample(x5, 2048, 256);
    assert.ok(Math.abs(std(y5.subarray(200, y5.length - 200)) - Math.SQRT1_2) < 0.01);
  });
  it('rejects non-finite samples naming the function and the index', () => {
    const x = Float64Array.from({ length: 3000 }, (_, i) => Math.sin(i));
    x[1234] = Number.NaN;
    assert.throws(() => resample(x, 2048, 256), /resample: sample 1234 is NaN/);
    assert.throws(
      () => highpass(x, { cutoffHz: 0.8, rateHz: 256, order: 4 }),
      /highpass: sample 1234 is NaN/,
    );
    assert.throws(() => trimmedZScore(x), /trimmedZScore: sample 1234/);
    x[1234] = Number.POSITIVE_INFINITY;
    assert.throws(() => zscore(x), /zscore: sample 1234 is Infinity/);
  });
  it('rejects a window longer than the recording and non-integer up/down', () => {
    assert.throws(
      () => windowize(new Float64Array(100), { windowSamples: 2560, overlapSamples: 0 }),
      /windowize: the recording has 100 samples/,
    );
    assert.throws(() => resamplePoly([1, 2, 3], 1.5, 2), /up and down must be positive integers, got 1.5\/2/);
    assert.throws(() => resamplePoly([1, 2, 3], 0, 2), /createResampler/);
  });
});
