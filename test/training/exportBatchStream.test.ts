// The batch-stream export of pretraining (src/training/exportBatchStream.ts) that the PyTorch reference trains on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { modelSchema, pretrainSchema, transformationsSchema } from '../../src/config/schema.js';
import { inspectNpy } from '../../src/datasets/formats/npy.js';
import { deriveRng } from '../../src/random/index.js';
import { STREAM_KEYS } from '../../src/training/batches.js';
import { invertedDropoutMask } from '../../src/training/dropoutMask.js';
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
    assert.deepEqual(meta.heads, ['original', 'noise', 'scale', 'negate', 'flip', 'permute', 'timeWarp']);
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

test('onBatch gets the exact dropout masks of each step, head by head, and the hook changes no draw', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ecgssl-masks-'));
  try {
    const pretrainConfig = pretrainSchema.parse({
      epochs: 1,
      batchWindows: 4,
      heldOutFraction: 0,
      learningRate: 0.01,
    });
    const args = {
      source: source(8),
      windows: Array.from({ length: 8 }, (_, i) => i),
      modelConfig,
      pretrainConfig,
      transformations,
      seed: 9,
      fold: -1,
    };
    const plain = await pretrain(args);
    plain.model.dispose();
    const exporter = createBatchStreamExport({
      dir,
      windowSamples: WS,
      modelConfig,
      pretrainConfig,
      seed: 9,
      exportMasks: true,
    });
    const masks: { batch: number; values: Float32Array[] }[] = [];
    const hooked = await pretrain({
      ...args,
      onBatch: (info) => {
        exporter.onBatch(info);
        masks.push({
          batch: info.batchIndex,
          values: (info.masks ?? []).flat().map((m) => m.dataSync() as Float32Array),
        });
      },
    });
    hooked.model.dispose();
    exporter.finish();
    assert.deepEqual(
      hooked.history.map((r) => r.loss),
      plain.history.map((r) => r.loss),
    );
    assert.equal(masks.length, 2);
    for (const { batch, values } of masks) {
      // The step's stream: deriveRng(seed, fold key of scope all, epoch, dropout key + batch), 2 masks per head.
      const rng = deriveRng(9, 1_000_000, 0, STREAM_KEYS.dropout + batch);
      assert.equal(values.length, 14);
      for (const v of values) {
        const want = invertedDropoutMask(28, 8, 0.6, rng);
        assert.deepEqual(v, want.dataSync());
        want.dispose();
      }
    }
    // [56, 7, 2, 8] float32 (inspectNpy reads 1-D and 2-D only): the header, then the row-major values.
    const buf = readFileSync(join(dir, 'epoch-0-train-masks.npy'));
    assert.match(buf.subarray(0, 128).toString('latin1'), /'shape': \(56, 7, 2, 8\)/);
    const values = buf.subarray(buf.length - 56 * 7 * 2 * 8 * 4);
    const file = {
      data: new Float32Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.length)),
    };
    // Sample 30 (batch 1, row 2), head 3, second mask.
    assert.deepEqual(
      file.data.subarray(((30 * 7 + 3) * 2 + 1) * 8, ((30 * 7 + 3) * 2 + 2) * 8),
      masks[1]!.values[7]!.subarray(2 * 8, 3 * 8),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
