// The transformation functions against the replayed fixture draws, and applyTransformation over the table.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  addNoise,
  applyTransformation,
  flip,
  linearResize,
  negate,
  permute,
  scale,
  timeWarp,
  TRANSFORMATION_NAMES,
} from '../../src/augmentation/index.js';
import { transformationsSchema } from '../../src/config/schema.js';
import { createRng, deriveRng } from '../../src/random/index.js';
import { loadFixture, maxAbsDiff, replayRng } from './helpers.js';

interface TransformsFixture {
  params: {
    snrDb: number;
    scale: number;
    permutationSegments: number;
    warpSegments: number;
    stretchFactor: number;
  };
  draws: {
    standardNormal: number[];
    permutationOrder: number[];
    stretchedSegments: number[];
    cropStart: number;
  };
  input: number[];
  expected: Record<'noise' | 'scale' | 'negate' | 'flip' | 'permute' | 'timeWarp', number[]>;
  tolerance: { maxAbs: number };
}

describe('transformations against the replayed fixture draws', () => {
  const f = loadFixture<TransformsFixture>('transforms-sample-ecg-row0.json');
  const x = Float32Array.from(f.input);
  const copy = Float32Array.from(x);
  const tol = f.tolerance.maxAbs;
  const check = (name: keyof TransformsFixture['expected'], y: Float32Array): void => {
    assert.equal(y.length, x.length, `${name} keeps the length`);
    const d = maxAbsDiff(y, f.expected[name]);
    assert.ok(d < tol, `${name}: max diff ${d}`);
  };
  it('noise: one normal() per sample in time order', () => {
    const rng = replayRng({ normals: f.draws.standardNormal });
    check('noise', addNoise(x, { snrDb: f.params.snrDb }, rng));
    assert.equal(rng.remaining(), 0);
  });
  it('scale, negate, flip', () => {
    check('scale', scale(x, { factor: f.params.scale }));
    check('negate', negate(x));
    check('flip', flip(x));
  });
  it('permute: one permutation(segments)', () => {
    const rng = replayRng({ permutation: f.draws.permutationOrder });
    check('permute', permute(x, { segments: f.params.permutationSegments }, rng));
    assert.equal(rng.remaining(), 0);
  });
  it('timeWarp: one sample(segments, ceil(segments/2)) then one int(0, warpedLength - n)', () => {
    const rng = replayRng({ sample: f.draws.stretchedSegments, ints: [f.draws.cropStart] });
    check(
      'timeWarp',
      timeWarp(x, { segments: f.params.warpSegments, stretchFactor: f.params.stretchFactor }, rng),
    );
    assert.equal(rng.remaining(), 0);
  });
  it('never modifies the input', () => {
    assert.deepEqual(x, copy);
  });
});

describe('linearResize (OpenCV INTER_LINEAR)', () => {
  it('matches the fixture for 299, 271, 284 and 100 samples', () => {
    const f = loadFixture<{
      input: number[];
      expected: Record<string, number[]>;
      tolerance: { maxAbs: number };
    }>('linear-resize-284.json');
    for (const [len, expected] of Object.entries(f.expected)) {
      const y = linearResize(f.input, Number(len));
      assert.ok(maxAbsDiff(y, expected) < f.tolerance.maxAbs, `length ${len}`);
    }
  });
});

describe('applyTransformation', () => {
  const params = transformationsSchema.parse({});
  it('has the 7 classes in head order', () => {
    assert.deepEqual(TRANSFORMATION_NAMES, [
      'original',
      'noise',
      'scale',
      'negate',
      'flip',
      'permute',
      'timeWarp',
    ]);
  });
  it('is reproducible per derived stream and differs across streams', () => {
    const rng0 = createRng(1);
    const x = Float32Array.from({ length: 2560 }, () => rng0.normal());
    for (let t = 0; t < TRANSFORMATION_NAMES.length; t++) {
      const a = applyTransformation(t, x, params, deriveRng(1, 0, 3, 17));
      const b = applyTransformation(t, x, params, deriveRng(1, 0, 3, 17));
      assert.deepEqual(a, b, `transformation ${t} reproducible`);
      assert.equal(a.length, 2560);
      if (t === 1 || t === 5 || t === 6) {
        const c = applyTransformation(t, x, params, deriveRng(1, 0, 4, 17));
        assert.ok(maxAbsDiff(a, c) > 1e-3, `transformation ${t} uses its stream`);
      }
    }
    assert.deepEqual(applyTransformation(0, x, params, createRng(1)), x);
  });
  it('noise has the requested SNR', () => {
    const rng0 = createRng(9);
    const x = Float32Array.from({ length: 2560 }, (_, i) => Math.sin(i / 10));
    const y = addNoise(x, { snrDb: 15 }, rng0);
    let ps = 0;
    let pn = 0;
    for (let i = 0; i < x.length; i++) {
      ps += (x[i] as number) ** 2;
      pn += ((y[i] as number) - (x[i] as number)) ** 2;
    }
    const snr = 10 * Math.log10(ps / pn);
    assert.ok(Math.abs(snr - 15) < 0.5, `snr ${snr}`);
  });
});

describe('transformation properties', () => {
  const rng0 = createRng(21);
  const x = Float32Array.from({ length: 2560 }, () => rng0.normal());
  it('negate and flip are involutions', () => {
    assert.deepEqual(negate(negate(x)), x);
    assert.deepEqual(flip(flip(x)), x);
  });
  it('permute re-orders whole 128-sample segments', () => {
    const y = permute(x, { segments: 20 }, createRng(4));
    const key = (a: Float32Array, s: number): string =>
      Array.from(a.subarray(s * 128, s * 128 + 128)).join(',');
    const inSegs = Array.from({ length: 20 }, (_, s) => key(x, s)).sort();
    const outSegs = Array.from({ length: 20 }, (_, s) => key(y, s)).sort();
    assert.deepEqual(outSegs, inSegs);
    assert.notDeepEqual(y, x);
  });
  it('timeWarp keeps the length and stays within the input range', () => {
    const y = timeWarp(x, { segments: 9, stretchFactor: 1.05 }, createRng(5));
    assert.equal(y.length, x.length);
    const [lo, hi] = [Math.min(...x), Math.max(...x)];
    assert.ok(y.every((v) => v >= lo - 1e-6 && v <= hi + 1e-6));
  });
});
