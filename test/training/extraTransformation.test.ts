// An 8th transformation registered by passing an extended table: batches, labels, 8 heads trained one step, history.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import {
  applyTransformation,
  TRANSFORMATIONS,
  transformationsSchemaOf,
  type Transformation,
} from '../../src/augmentation/index.js';
import { modelSchema, pretrainSchema } from '../../src/config/schema.js';
import { buildStrNetwork, forward, strHeadCount, strLogits } from '../../src/models/index.js';
import type { Rng } from '../../src/random/types.js';
import { buildPretextBatch, pretextLabels } from '../../src/training/batches.js';
import { pretrain, type WindowSource } from '../../src/training/pretrain.js';
import { createRng } from '../../src/random/index.js';

await tf.setBackend('cpu');

const WS = 128;

/** The extra transformation: a sine of random phase added to the window. */
const wobble = {
  name: 'wobble',
  apply(x: Float32Array, p: { amplitude: number; periodSamples: number }, rng: Rng, out: Float32Array) {
    const phase = rng.uniform() * 2 * Math.PI;
    for (let i = 0; i < x.length; i++)
      out[i] = (x[i] as number) + p.amplitude * Math.sin((2 * Math.PI * i) / p.periodSamples + phase);
    return out;
  },
  paramsSchema: z
    .object({
      amplitude: z.number().positive().default(0.5),
      periodSamples: z.number().positive().default(16),
    })
    .strict(),
  defaultLossWeight: 0.1,
  galleryLabel: 'wobble',
} as const satisfies Transformation;
const table = [...TRANSFORMATIONS, wobble] as const;
const params = transformationsSchemaOf(table).parse({ permute: { segments: 8 } });
const modelConfig = modelSchema.parse({ filters: [4, 8, 8], kernelSizes: [8, 4, 4], headUnits: 8 });

function source(n: number): WindowSource {
  const rng = createRng(11);
  const data = Float32Array.from({ length: n * WS }, (_, i) => Math.sin(i / 5) + 0.1 * rng.normal());
  return {
    windowSamples: WS,
    read: (indices) => {
      const out = new Float32Array(indices.length * WS);
      indices.forEach((g, k) => out.set(data.subarray(g * WS, (g + 1) * WS), k * WS));
      return out;
    },
  };
}

test('the extended table gives the config its parameters and applies the extra entry as index 7', () => {
  assert.deepEqual(params.wobble, { amplitude: 0.5, periodSamples: 16 });
  assert.equal(params.permute.segments, 8);
  const x = source(1).read([0]);
  const a = applyTransformation(7, x, params, createRng(3), undefined, table);
  const b = wobble.apply(x, params.wobble, createRng(3), new Float32Array(WS));
  assert.deepEqual(a, b);
  assert.throws(() => applyTransformation(7, x, params, createRng(3)), /index must be 0\.\.6, got 7/);
  const { wobble: _w, ...without } = params;
  assert.throws(
    () => applyTransformation(7, x, without, createRng(3), undefined, table),
    /no parameters for transformation "wobble" \(transformations\.wobble\)/,
  );
});

test('buildPretextBatch with the extended table: 8 samples per window, the 8th is the wobble', () => {
  const src = source(2);
  const b = buildPretextBatch({
    windows: src.read([0, 1]),
    windowIndices: [0, 1],
    windowSamples: WS,
    transformations: params,
    transformationTable: table,
    seed: 1,
    foldKey: 0,
    epoch: 0,
  });
  assert.equal(b.heads, 8);
  assert.equal(b.samples, 16);
  assert.deepEqual([...b.transform], [0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7]);
  const y = pretextLabels(b.transform, 8);
  assert.equal(y.length, 16 * 8);
  assert.equal(y[7 * 8 + 7], 1);
  assert.throws(() => pretextLabels(b.transform, 7), /transformation 7, beyond 7 heads/);
});

test('pretraining one step with 8 heads: 8 logits, history columns of the 8th name, finite loss', async () => {
  const pretrainConfig = {
    ...pretrainSchema.parse({ epochs: 1, batchWindows: 4, heldOutFraction: 0.25 }),
    taskWeights: table.map((t) => t.defaultLossWeight),
  };
  const base = {
    source: source(4),
    windows: [0, 1, 2, 3],
    modelConfig,
    pretrainConfig,
    transformations: params,
    transformationTable: table,
    seed: 3,
    fold: 0,
  };
  const res = await pretrain(base);
  try {
    assert.equal(res.step, 1);
    assert.equal(strHeadCount(res.model), 8);
    const logits = forward(res.model, tf.zeros([2, WS, 1]), { fetch: strLogits(res.model) });
    assert.equal(logits.length, 8);
    for (const l of logits) assert.deepEqual(l.shape, [2, 1]);
    tf.dispose(logits);
    const row = res.history[0]!;
    assert.ok(Number.isFinite(row.loss), `loss ${row.loss}`);
    for (const col of ['train_acc_wobble', 'train_f1_wobble', 'heldout_acc_wobble', 'heldout_f1_wobble'])
      assert.ok(Number.isFinite(row[col]), `${col} = ${row[col]}`);
    assert.deepEqual(
      res.final.map((m) => m.task),
      table.map((t) => t.name),
    );
    // The 8th head's weights moved away from their initialisation in the one step.
    const fresh = buildStrNetwork({ ...modelConfig, windowSamples: WS, heads: 8, seed: 3 });
    const kernel = (m: tf.LayersModel) => m.getLayer('task_7_dense_1').getWeights()[0]!.dataSync();
    assert.notDeepEqual(kernel(res.model), kernel(fresh));
    fresh.dispose();
  } finally {
    res.model.dispose();
  }
  await assert.rejects(
    pretrain({ ...base, pretrainConfig: pretrainSchema.parse({ epochs: 1, batchWindows: 4 }) }),
    /pretrain: pretrain\.taskWeights has 7 weights, the transformation table 8 transformations \(original, .*, wobble\)/,
  );
});
