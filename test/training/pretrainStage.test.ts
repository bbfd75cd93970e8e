import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { WindowStore } from '../../src/datasets/types.js';
import { fileSystemIOHandler } from '../../src/engine/index.js';
import { buildEncoder, buildStrNetwork } from '../../src/models/index.js';
import { accuracySpec, concatSource, loadEncoder } from '../../src/training/pretrainStage.js';

await tf.setBackend('cpu');

function fakeStore(n: number, ws: number, base: number): WindowStore {
  return {
    dir: '',
    hash: '',
    windowSamples: ws,
    samplingRateHz: 256,
    entries: Array.from({ length: n }, (_, i) => ({
      subject: 's',
      recording: 'r',
      window: i,
      labels: {},
      source: 0,
    })),
    tasks: {},
    read(indices) {
      const out = new Float32Array(indices.length * ws);
      indices.forEach((i, k) => out.fill(base + i, k * ws, (k + 1) * ws));
      return out;
    },
    close() {},
  };
}

test('concatSource reads across stores by global index', () => {
  const src = concatSource([fakeStore(3, 4, 0), fakeStore(2, 4, 100)]);
  assert.deepEqual([...src.read([4, 0, 3])], [101, 101, 101, 101, 0, 0, 0, 0, 100, 100, 100, 100]);
});

test('accuracySpec plots held-out accuracy of the 7 tasks per epoch', () => {
  const row: Record<string, number> = { epoch: 1, heldout_acc_mean: 0.9 };
  for (const t of ['original', 'noise', 'scale', 'negate', 'flip', 'permute', 'warp'])
    row[`heldout_acc_${t}`] = 0.5;
  const spec = accuracySpec([row, { ...row, epoch: 2 }], 'x') as { data: { values: unknown[] } };
  assert.equal(spec.data.values.length, 14);
});

test('a saved encoder loads back with loadEncoder and gives the same embeddings', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ecgssl-enc-'));
  try {
    const model = buildStrNetwork({
      windowSamples: 128,
      filters: [4, 8, 16],
      kernelSizes: [8, 4, 4],
      headUnits: 8,
      seed: 2,
    });
    const enc = buildEncoder(model);
    await enc.save(fileSystemIOHandler(join(dir, 'encoder')));
    const back = await loadEncoder(join(dir, 'encoder'));
    const x = tf.randomNormal([2, 128, 1], 0, 1, 'float32', 3);
    assert.deepEqual((back.predict(x) as tf.Tensor).dataSync(), (enc.predict(x) as tf.Tensor).dataSync());
    await assert.rejects(loadEncoder(join(dir, 'missing')), /loadEncoder/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
