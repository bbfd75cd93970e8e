// The core-scaling bench's pure parts: which thread counts it measures, and its ratios keyed by the threads asked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scalingRatios, threadCounts, type ScalingRow } from '../../src/bench/scaling.js';

test('threadCounts: powers of two up to the core count, or the ECGSSL_BENCH_THREADS list', () => {
  assert.deepEqual(threadCounts(2, undefined), [1, 2]);
  assert.deepEqual(threadCounts(16, undefined), [1, 2, 4, 8, 16]);
  assert.deepEqual(threadCounts(12, ''), [1, 2, 4, 8, 12]);
  assert.deepEqual(threadCounts(2, '1, 4,16'), [1, 4, 16]);
  assert.throws(() => threadCounts(2, '1,x'), /ECGSSL_BENCH_THREADS must list positive integers, got '1,x'/);
  assert.throws(() => threadCounts(2, '0'), /got '0'/);
});

const row = (tier: string, threadsAsked: number, threads: number, train: number): ScalingRow => ({
  name: `${tier} ${threadsAsked} threads`,
  tier,
  threadsAsked,
  threads,
  batch: 32,
  trainWindowsPerSecond: train,
  inferWindowsPerSecond: null,
  peakRssMiB: 0,
});

test('scalingRatios: speed-up over 1 thread and over PyTorch, per thread count asked (not the count the engine got)', () => {
  const rows = [
    row('wasm', 1, 1, 20),
    row('wasm', 8, 8, 80),
    row('wasm', 16, 8, 60),
    row('wasm+dnnl', 1, 1, 50),
  ];
  const torch = [
    { threads: 1, rows: [{ batch: 32, train: 25 }] },
    { threads: 16, rows: [{ batch: 32, train: 100 }] },
  ];
  const r = scalingRatios(rows, torch, [1, 8, 16], [32]);
  assert.equal(r['train b32 wasm 8/1 threads'], 4);
  assert.equal(r['train b32 wasm 16/1 threads'], 3); // the 16-thread row keeps its own key though it ran 8 threads
  assert.equal(r['train b32 t16 wasm/pytorch'], 0.6);
  assert.equal(r['train b32 t1 wasm+dnnl/pytorch'], 2);
  assert.equal(r['train b32 pytorch 16/1 threads'], 4);
  assert.equal(r['train b32 t8 wasm/pytorch'], undefined); // no PyTorch row at 8 threads
  assert.equal(r['train b32 wasm+dnnl 8/1 threads'], undefined);
});
