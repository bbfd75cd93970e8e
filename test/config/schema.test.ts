import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configSchema } from '../../src/config/schema.js';

test('config defaults are the METHOD.md values', () => {
  const c = configSchema.parse({ data: { kind: 'synthetic', root: 'data/synthetic' } });
  assert.equal(c.preprocessing.targetRateHz, 256);
  assert.equal(c.preprocessing.windowSamples, 2560);
  assert.equal(c.preprocessing.highpass.cutoffHz, 0.8);
  assert.deepEqual(c.pretrain.taskWeights, [0.195, 0.195, 0.195, 0.0125, 0.0125, 0.195, 0.195]);
  assert.equal(c.pretrain.batchWindows, 128);
  assert.equal(c.model.headDropout, 0.6);
  assert.equal(c.evaluation.folds, 10);
});

test('config schema rejects unknown keys', () => {
  const r = configSchema.safeParse({ data: { kind: 'synthetic', root: 'x', rooot: 'y' } });
  assert.equal(r.success, false);
});
