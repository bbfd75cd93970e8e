// The batch-stream export of pretraining (src/training/exportBatchStream.ts) that the PyTorch reference trains on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { modelSchema, pretrainSchema, transformationsSchema } from '../../src/config/schema.js';
import { inspectNpy } from '../../src/datasets/npy.js';
import { createBatchStreamExport, type BatchStreamMeta } from '../../src/training/exportBatchStream.js';
import { pretrain, type PretrainBatchInfo, type WindowSource } from '../../src/training/pretrain.js';

await tf.setBackend('cpu');

const WS = 256;
const transformations = transformationsSchema.parse({ permute: { segments: 8 } });
const modelConfig = modelSchema.parse({ filters: [4, 8, 8], kernelSizes: [8, 4, 4], headUnits: 8 });

function source(n: number): WindowSource {
  const data = new Float32Array(n * WS).map((_, i) => Math.sin(i / (5 + Math.floor(i / WS))) + (i % 17) / 40);
  return {
    windowSamples: WS,
    read: (indices) => {
      const out = new Float32Array(indices.length * WS);
      indices.forEach((g, k) => out.set(data.subarray(g * WS, (g + 1) * WS), k * WS));
      return out;
    },
  };
}

function readF32(path: string): { shape: number[]; data: Float32Array } {
  const h = inspectNpy(path);
  assert.equal(h.dtype, 'f4');
  const buf = readFileSync(path);
  const bytes = buf.subarray(h.dataOffset);
  return {
    shape: h.shape,
    data: new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length)),
  };
}

test('createBatchStreamExport writes exactly the batches pretraining consumed, in order, and the held-out samples', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ecgssl-stream-'));
  try {
    const src = source(10);
    const pretrainConfig = pretrainSchema.parse({
      epochs: 2,
      batchWindows: 3,
      heldOutFraction: 0.2,
      learningRate: 0.01,
    });
    const exporter = createBatchStreamExport({
      dir,
      windowSamples: WS,
      modelConfig,
      pretrainConfig,
      seed: 4,
    });
    const seen: PretrainBatchInfo[] = [];
    const res = await pretrain({
      source: src,
      windows: Array.from({ length: 10 }, (_, i) => i),
      modelConfig,
      pretrainConfig,
      transformations,
      seed: 4,
      fold: -1,
      onBatch: (info) => {
        seen.push({ ...info, x: info.x.slice(), labels: info.labels.slice() });
        exporter.onBatch(info);
      },
    });
    res.model.dispose();
    const meta = exporter.finish();
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as BatchStreamMeta, meta);
    // 8 training windows in batches of 3, 3, 2 (x7 samples); 2 held-out windows evaluated in one batch.
    assert.equal(meta.steps, res.step);
    assert.equal(res.step, 6);
    assert.deepEqual(meta.trainBatchBounds, [
      [0, 21, 42, 56],
      [0, 21, 42, 56],
    ]);
    assert.deepEqual(meta.heldOutSamples, [14, 14]);
    assert.deepEqual(meta.heads, ['original', 'noise', 'scale', 'negate', 'flip', 'permute', 'warp']);
    assert.equal(meta.model.headDropout, 0.6);
    for (const epoch of [0, 1]) {
      for (const phase of ['train', 'heldout'] as const) {
        const batches = seen.filter((b) => b.epoch === epoch && b.phase === phase);
        const x = readF32(join(dir, `epoch-${epoch}-${phase}-x.npy`));
        const y = readF32(join(dir, `epoch-${epoch}-${phase}-labels.npy`));
        const n = batches.reduce((a, b) => a + b.samples, 0);
        assert.deepEqual(x.shape, [n, WS]);
        assert.deepEqual(y.shape, [n, 7]);
        let at = 0;
        for (const b of batches) {
          assert.deepEqual(x.data.subarray(at * WS, (at + b.samples) * WS), b.x);
          assert.deepEqual(y.data.subarray(at * 7, (at + b.samples) * 7), b.labels);
          at += b.samples;
        }
        // Every training window appears once per epoch as its untransformed original (head 0's positive).
        const originals = [];
        for (let k = 0; k < n; k++)
          if (y.data[k * 7] === 1) originals.push(x.data.subarray(k * WS, (k + 1) * WS));
        const wanted = phase === 'train' ? res.train : res.heldOut;
        assert.equal(originals.length, wanted.length);
        for (const w of wanted) {
          const win = src.read([w]);
          assert.equal(originals.filter((o) => o.every((v, i) => v === win[i])).length, 1, `window ${w}`);
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
