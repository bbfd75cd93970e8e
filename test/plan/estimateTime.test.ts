// The time estimate's parts: the work counted on a prepared store, and seconds from work and speeds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/index.js';
import { loadStores } from '../../src/datasets/index.js';
import { countWork } from '../../src/training/workCounts.js';
import { evaluationFolds } from '../../src/training/folds.js';
import { stageSeconds } from '../../src/plan/estimateTime.js';
import { tinyConfigYaml } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'ecgssl-estimate-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('countWork: windows x transformations x epochs, fits x epochs x batches, with the real folds', async () => {
  const path = join(dir, 'tiny.yaml');
  writeFileSync(
    path,
    tinyConfigYaml(dir, {
      experiment: 'tiny',
      finetune: '{ epochs: 3, batchSize: 16, units: 16, layers: 1, baselineEpochs: 2 }',
      evaluation: "{ folds: 4, labelFractions: ['25%', '100%'] }",
      engine: '{ backend: cpu }',
    }),
  );
  const { config } = await loadConfig({ path });
  const stores = await loadStores(config, { progress: false });
  try {
    const w = countWork(config, stores);
    assert.equal(w.windows, 64);
    // Pretraining (scope all, 1 epoch, nothing held out): 64 windows x 7 transformations, batches of 16 x 7.
    assert.deepEqual(w.pretrain, {
      trainSamples: 448,
      trainBatch: 112,
      inferSamples: 0,
      headSteps: 0,
      headRows: 0,
      fits: 0,
    });
    const folds = evaluationFolds(stores.labelled.entries, stores.labelled.tasks, config.evaluation);
    const train = folds.map((f) => f.train.length);
    const test = folds.map((f) => f.test.length);
    const sum = (a: number[]): number => a.reduce((x, y) => x + y, 0);
    // Finetune (100 %): per fold and task (2) an ssl head (3 epochs of ceil(n/16) steps), a baseline (2 epochs of
    // n windows, then its test windows) and an hrv fit (free); the embeddings of the 64 windows once.
    assert.deepEqual(w.finetune, {
      trainSamples: 2 * 2 * sum(train),
      trainBatch: 16,
      inferSamples: 2 * sum(test) + 64,
      headSteps: 2 * 3 * sum(train.map((n) => Math.ceil(n / 16))),
      headRows: 2 * 3 * sum(train),
      fits: 4 * 2 * 3,
    });
    // Evaluate: only 25 % (100 % reuses the finetune fits); the stratified subset keeps about n/4 per fold and task
    // (rounded per class), the same windows for the head (3 epochs, one step each) and the baseline (2 epochs).
    assert.equal(w.evaluate.fits, 24);
    assert.equal(w.evaluate.headSteps, 2 * 3 * 4);
    const keptWindows = w.evaluate.headRows / 3;
    assert.equal(w.evaluate.trainSamples, 2 * keptWindows);
    assert.ok(Math.abs(keptWindows - (2 * sum(train)) / 4) <= 8, `${keptWindows} kept of ${2 * sum(train)}`);
    assert.equal(w.evaluate.inferSamples, 2 * sum(test) + 64);
  } finally {
    stores.labelled.close();
  }
});

test('stageSeconds: samples over the rates, head steps linear in their rows', () => {
  const speeds = {
    pretrainSamplesPerSecond: 100,
    trainSamplesPerSecond: 50,
    inferSamplesPerSecond: 400,
    headStepSeconds: 0.012,
    headRowStepSeconds: 0.002,
  };
  const work = {
    trainSamples: 1000,
    trainBatch: 56,
    inferSamples: 800,
    headSteps: 10,
    headRows: 20,
    fits: 4,
  };
  // 1000/100 + 800/400 + 10 steps of 2 rows at 0.002 s.
  assert.equal(stageSeconds(work, speeds, 12, true), 10 + 2 + 0.02);
  // At the fine-tuning rate; 10 steps of 12 rows (the full batch of 12) cost 10 x 0.012 s.
  assert.ok(Math.abs(stageSeconds({ ...work, headRows: 120 }, speeds, 12, false) - (20 + 2 + 0.12)) < 1e-12);
});
