import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatSummaryTable,
  meanStd,
  summarizeFolds,
  summaryToCsv,
  type FoldScore,
} from '../../src/training/summary.js';

test('meanStd uses the sample std and never returns NaN', () => {
  const r = meanStd([0.8, 0.9, 1.0]);
  assert.ok(Math.abs(r.mean - 0.9) < 1e-12);
  assert.ok(Math.abs(r.std - 0.1) < 1e-12);
  assert.deepEqual(meanStd([0.7]), { mean: 0.7, std: 0, n: 1 });
  assert.deepEqual(meanStd([]), { mean: 0, std: 0, n: 0 });
  assert.deepEqual(meanStd([Number.NaN, 0.5]), { mean: 0.5, std: 0, n: 1 });
});

test('summarizeFolds skips skipped folds, n counts evaluated ones, CSV and table render', () => {
  const base = { dataset: 'synthetic', task: 'arousal', arm: 'ssl' as const, labelFraction: '100%' };
  const scores: FoldScore[] = [
    { ...base, fold: 1, metrics: { accuracy: 0.9, f1Macro: 0.8 } },
    { ...base, fold: 0, metrics: { accuracy: 0.7, f1Macro: 0.6 } },
    { ...base, fold: 2, skipped: 'training part has a single class' },
  ];
  const rows = summarizeFolds(scores);
  assert.equal(rows.length, 2);
  const acc = rows.find((r) => r.metric === 'accuracy')!;
  assert.equal(acc.n, 2);
  assert.ok(Math.abs(acc.mean - 0.8) < 1e-12);
  assert.equal(acc.folds, '0.700000;0.900000');
  const csv = summaryToCsv(rows).trim().split('\n');
  assert.equal(csv[0], 'dataset,task,arm,labelFraction,metric,mean,std,n,folds');
  assert.equal(csv.length, 3);
  assert.match(
    formatSummaryTable(rows),
    /^arousal\s+ssl\s+acc 0\.800 \+- 0\.141 {2}F1 0\.700 \+- 0\.141 \(n=2\)$/,
  );
});
