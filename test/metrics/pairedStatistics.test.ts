import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadFixture } from '../signal/helpers.js';
import { pairedStatistics } from '../../src/metrics/pairedStatistics.js';
import { pairedTTest } from '../../src/metrics/pairedTTest.js';
import { wilcoxonSignedRank } from '../../src/metrics/wilcoxonSignedRank.js';

interface Case {
  name: string;
  differences: number[];
  n: number;
  mean: number;
  sd: number;
  tStatistic: number;
  pTTest: number;
  ci95Low: number;
  ci95High: number;
  wilcoxonStatistic: number;
  pWilcoxon: number;
  wilcoxonMethod: string;
}
interface Fixture {
  tolerance: { relative: number; absolute: number };
  cases: Case[];
  degenerate: Record<string, number[]>;
}
const fx = loadFixture<Fixture>('paired-stats.json');

function close(actual: number | null, expected: number, what: string): void {
  assert.ok(actual !== null, `${what}: got null, scipy ${expected}`);
  const tol = Math.max(fx.tolerance.relative * Math.abs(expected), fx.tolerance.absolute);
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: got ${actual}, scipy ${expected}`);
}

test('the fixture covers ties, zeros, n = 2..60, every Wilcoxon method and a p below 1e-3', () => {
  const methods = new Set(fx.cases.map((c) => c.wilcoxonMethod));
  assert.deepEqual([...methods].sort(), ['asymptotic', 'exact', 'permutation']);
  assert.ok(fx.cases.some((c) => c.pTTest < 1e-3 && c.pWilcoxon < 1e-3));
  for (const n of [2, 3, 10, 25, 30, 60])
    assert.ok(
      fx.cases.some((c) => c.n === n),
      `n = ${n}`,
    );
});

for (const c of fx.cases) {
  test(`paired statistics match scipy: ${c.name}`, () => {
    const t = pairedTTest(c.differences);
    close(t.mean, c.mean, 'mean');
    close(t.sd, c.sd, 'sd');
    close(t.tStatistic, c.tStatistic, 't');
    close(t.pValue, c.pTTest, 'p(t)');
    close(t.ci95Low, c.ci95Low, 'ci95Low');
    close(t.ci95High, c.ci95High, 'ci95High');
    const w = wilcoxonSignedRank(c.differences);
    assert.equal(w.method, c.wilcoxonMethod);
    close(w.statistic, c.wilcoxonStatistic, 'W');
    close(w.pValue, c.pWilcoxon, 'p(W)');
    const s = pairedStatistics(c.differences);
    close(s.ci95Low, c.ci95Low, 'summary ci95Low');
    close(s.ci95High, c.ci95High, 'summary ci95High');
    close(s.pTTest, c.pTTest, 'summary pTTest');
    close(s.pWilcoxon, c.pWilcoxon, 'summary pWilcoxon');
    assert.equal(s.statsNote, undefined);
  });
}

test('degenerate samples give nulls with a reason, never NaN', () => {
  const one = pairedStatistics(fx.degenerate['one-value']!);
  assert.deepEqual(one, {
    ci95Low: null,
    ci95High: null,
    pTTest: null,
    pWilcoxon: null,
    statsNote: 'fewer than 2 paired folds (n = 1)',
  });
  assert.equal(pairedStatistics([]).statsNote, 'fewer than 2 paired folds (n = 0)');
  const zero = pairedStatistics(fx.degenerate['all-zero']!);
  assert.equal(zero.pWilcoxon, null);
  assert.equal(zero.pTTest, null);
  assert.equal(zero.statsNote, 'all differences are zero');
  // Equal non-zero differences: no t statistic (zero variance); Wilcoxon is the sign-flip p 2 / 2^5 (scipy too).
  const equal = pairedStatistics(fx.degenerate['all-equal']!);
  assert.equal(equal.pTTest, null);
  assert.equal(equal.ci95Low, null);
  assert.equal(equal.pWilcoxon, 2 / 32);
  assert.match(equal.statsNote ?? '', /zero variance/);
  assert.throws(() => wilcoxonSignedRank([0, 0]), /wilcoxonSignedRank: needs a non-zero difference/);
  assert.throws(() => pairedTTest([0.1]), /pairedTTest: needs at least 2 differences, got 1/);
  assert.throws(() => pairedTTest([0.1, Number.NaN]), /differences must be finite/);
});

test('the exact Wilcoxon p is symmetric in the sign of the differences and 1 at the centre', () => {
  const d = [0.3, -0.1, 0.2, 0.05, -0.4, 0.15];
  assert.equal(wilcoxonSignedRank(d).pValue, wilcoxonSignedRank(d.map((v) => -v)).pValue);
  // R+ = 1 + 4 = 5 = R- for ranks 1..4: the centre of the null distribution.
  assert.equal(wilcoxonSignedRank([0.1, -0.2, -0.3, 0.4]).pValue, 1);
});
