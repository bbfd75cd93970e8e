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
  assert.equal(
    csv[0],
    'dataset,task,arm,labelFraction,metric,mean,std,n,folds,ci95Low,ci95High,pTTest,pWilcoxon',
  );
  assert.ok(csv[1]!.endsWith(',,,,'), csv[1]);
  assert.equal(rows[0]!.pTTest, undefined);
  assert.equal(csv.length, 3);
  assert.match(
    formatSummaryTable(rows),
    /^arousal\s+ssl\s+acc 0\.800 \+- 0\.141 {2}F1 0\.700 \+- 0\.141 \(n=2\)$/,
  );
});

test('difference rows carry the paired statistics of the published fold values; CSV, table', () => {
  const base = { dataset: 'synthetic', task: 'arousal', arm: 'difference' as const, labelFraction: '10%' };
  // F1 differences 0.05, 0.1, 0.05, -0.025, 0.075, 0.1, 0.15, -0.05, 0.025, 0.1 (the fixture's n10-ties case,
  // scipy: p(t) 0.015790851, p(W) 0.025390625 by the exact sign-flip distribution), each with float round-off.
  const f1 = [0.05, 0.1, 0.05, -0.025, 0.075, 0.1, 0.15, -0.05, 0.025, 0.1];
  const scores: FoldScore[] = f1.map((d, fold) => ({
    ...base,
    fold,
    metrics: { accuracy: 0, f1Macro: 0.7 + d - 0.7 },
  }));
  const rows = summarizeFolds(scores);
  const r = rows.find((x) => x.metric === 'f1Macro')!;
  assert.ok(Math.abs(r.pTTest! - 0.015790851199904397) < 1e-12, String(r.pTTest));
  assert.ok(Math.abs(r.pWilcoxon! - 0.025390625) < 1e-12, String(r.pWilcoxon));
  assert.equal(r.wilcoxonMethod, 'permutation');
  assert.ok(Math.abs(r.ci95Low! - 0.013652972110757763) < 1e-9);
  assert.ok(Math.abs(r.ci95High! - 0.10134702788924223) < 1e-9);
  const acc = rows.find((x) => x.metric === 'accuracy')!;
  assert.deepEqual(
    [acc.ci95Low, acc.pTTest, acc.pWilcoxon, acc.statsNote],
    [null, null, null, 'all differences are zero'],
  );
  const csv = summaryToCsv(rows).trim().split('\n');
  assert.match(
    csv.find((l) => l.includes('f1Macro'))!,
    /,0\.0136529\d+,0\.1013470\d+,0\.0157908\d+,0\.025390625$/,
  );
  assert.ok(csv.find((l) => l.includes('accuracy'))!.endsWith(',,,,'));
  assert.equal(
    formatSummaryTable(rows),
    'arousal  difference  acc +0.000 +- 0.000  F1 +0.057 +- 0.061 (n=10) [10% labels]' +
      '  F1 95% CI [+0.014, +0.101] p(t)=0.016 p(W)=0.025',
  );
  const one = summarizeFolds([{ ...base, fold: 0, metrics: { f1Macro: 0.1 } }]);
  assert.match(
    formatSummaryTable(one),
    /F1 95% CI n\/a p\(t\)=n\/a p\(W\)=n\/a \(fewer than 2 paired folds \(n = 1\)\)$/,
  );
  const strong = summarizeFolds(
    [0.3, 0.31, 0.29, 0.3, 0.32, 0.28, 0.3, 0.31, 0.29, 0.305].map((d, fold) => ({
      ...base,
      fold,
      metrics: { f1Macro: d },
    })),
  );
  assert.match(formatSummaryTable(strong), / p\(t\)<0\.0001 p\(W\)=0\.0020$/);
});
