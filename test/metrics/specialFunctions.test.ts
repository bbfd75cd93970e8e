import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadFixture } from '../signal/helpers.js';
import { logGamma } from '../../src/metrics/logGamma.js';
import { regularizedIncompleteBeta } from '../../src/metrics/regularizedIncompleteBeta.js';
import { regularizedGammaQ } from '../../src/metrics/regularizedGammaQ.js';
import { studentTCdf } from '../../src/metrics/studentTCdf.js';
import { studentTQuantile } from '../../src/metrics/studentTQuantile.js';

interface Fixture {
  special: Record<string, number[][]>;
}
const fx = loadFixture<Fixture>('paired-stats.json');

/** |actual - expected| within 1e-9 relative (1e-300 absolute near zero). */
function close(actual: number, expected: number, what: string, rel = 1e-9): void {
  const tol = Math.max(rel * Math.abs(expected), 1e-300);
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: got ${actual}, scipy ${expected}`);
}

test('logGamma matches math.lgamma, including tiny and large x', () => {
  for (const [x, want] of fx.special.logGamma!) close(logGamma(x!), want!, `logGamma(${x})`, 1e-12);
  assert.throws(() => logGamma(0), /logGamma: x must be a positive finite number, got 0/);
});

test('regularizedIncompleteBeta matches scipy.special.betainc on both continued-fraction branches', () => {
  for (const [a, b, x, want] of fx.special.regularizedIncompleteBeta!)
    close(regularizedIncompleteBeta(a!, b!, x!), want!, `I_${x}(${a}, ${b})`);
  assert.throws(() => regularizedIncompleteBeta(1, 1, 1.5), /x must be in \[0, 1\], got 1.5/);
  assert.throws(() => regularizedIncompleteBeta(-1, 1, 0.5), /a and b must be positive/);
});

test('regularizedGammaQ matches scipy.special.gammaincc (series and continued fraction)', () => {
  for (const [a, x, want] of fx.special.regularizedGammaQ!)
    close(regularizedGammaQ(a!, x!), want!, `Q(${a}, ${x})`);
  assert.throws(() => regularizedGammaQ(0.5, -1), /x must be >= 0, got -1/);
});

test('studentTCdf and studentTQuantile match scipy.stats.t.cdf / t.ppf and invert each other', () => {
  for (const [t, df, want] of fx.special.studentTCdf!) close(studentTCdf(t!, df!), want!, `cdf(${t}; ${df})`);
  for (const [p, df, want] of fx.special.studentTQuantile!) {
    const q = studentTQuantile(p!, df!);
    close(q, want!, `ppf(${p}; ${df})`);
    close(studentTCdf(q, df!), p!, `cdf(ppf(${p}; ${df}))`);
  }
  assert.throws(() => studentTQuantile(1, 3), /p must be in \(0, 1\), got 1/);
  assert.throws(() => studentTCdf(1, 0), /df must be a positive finite number, got 0/);
});
