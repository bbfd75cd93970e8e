import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  compareFractionLabels,
  fractionKeeps,
  fractionKey,
  fractionSlug,
  labelFraction,
  parseLabelFraction,
  parseLabelFractions,
  subsampleLabels,
} from '../../src/training/labelFraction.js';
import type { Rng } from '../../src/random/types.js';

function testRng(seed: number): Rng {
  let s = seed >>> 0;
  const uniform = (): number => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
  const sample = (n: number, k: number): number[] => {
    const p = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(uniform() * (i + 1));
      [p[i], p[j]] = [p[j]!, p[i]!];
    }
    return p.slice(0, k).sort((a, b) => a - b);
  };
  return { uniform, sample } as unknown as Rng;
}

test('parseLabelFraction', () => {
  assert.equal(parseLabelFraction('1%'), 0.01);
  assert.equal(parseLabelFraction('100%'), 1);
  assert.throws(() => parseLabelFraction('0%'), /parseLabelFraction/);
  assert.throws(() => parseLabelFraction('150%'), /150%/);
});

test('subsampleLabels is stratified, keeps one per class at least, and errors on an empty class', () => {
  const indices = Array.from({ length: 300 }, (_, i) => i * 2);
  const labels = indices.map((_, k) => (k < 250 ? 0 : 1));
  const kept = subsampleLabels(indices, labels, 0.01, 2, testRng(1));
  assert.equal(kept.length, 4); // round(2.5)=3 of class 0, max(1, round(0.5))=1 of class 1
  assert.equal(kept.filter((i) => i >= 500).length, 1);
  assert.ok(kept.every((i) => indices.includes(i)));
  assert.equal(subsampleLabels(indices, labels, 1, 2, testRng(1)).length, 300);
  assert.throws(() => subsampleLabels(indices, labels, 0.5, 3, testRng(1)), /class 2 has no labelled/);
});

test('label fractions: canonical labels, duplicates by value, order, slugs, keys', () => {
  assert.deepEqual(labelFraction(' 1.0% '), { label: '1%', fraction: 0.01 });
  assert.deepEqual(labelFraction('12.50%'), { label: '12.5%', fraction: 0.125 });
  assert.throws(
    () => labelFraction('1'),
    /parseLabelFraction: expected a percentage in \(0%, 100%\], got '1'/,
  );
  const given = ['10%', '1%', '1.0%', '100%', '12.5%'];
  assert.deepEqual(
    parseLabelFractions(given).map((f) => f.label),
    ['100%', '12.5%', '10%', '1%'],
  );
  assert.deepEqual(
    parseLabelFractions(given, 'given').map((f) => f.label),
    ['10%', '1%', '100%', '12.5%'],
  );
  assert.deepEqual(parseLabelFractions([]), []);
  assert.equal(fractionSlug('12.5%'), '12_5pct');
  assert.equal(fractionSlug(' 1% '), '1pct');
  assert.deepEqual(['1%', '100%', '12.5%'].sort(compareFractionLabels), ['100%', '12.5%', '1%']);
  assert.deepEqual([fractionKey(0.01), fractionKey(1), fractionKey(0.125)], [10_000, 1_000_000, 125_000]);
  assert.equal(fractionKeeps(0.01, 172), 2);
});
