// Bit-identity of the fused wasm kernels (Adam update, Max gradient, max-pool gradient) with what they replace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { createAdam } from '../../src/engine/fusedAdam.js';
import { maxPoolBackward } from '../../src/engine/wasmKernels.js';
import { MAX_GRAD_KERNEL } from '../../src/engine/wasmMaxGrad.js';
import { wasmSimdLoops } from '../../src/engine/wasmSimd.js';
import { leakyReluGradLoop, leakyReluLoop, sumLeading } from '../../src/engine/wasmElementwise.js';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { randArray, seeded, setupBackends } from './helpers.js';

/** Asserts that two float32 arrays hold the same bits (any NaN equals any NaN). */
function assertSameBits(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  assert.equal(a.length, b.length, `${what}: lengths`);
  const fa = Float32Array.from(a);
  const fb = Float32Array.from(b);
  const ua = new Uint32Array(fa.buffer);
  const ub = new Uint32Array(fb.buffer);
  for (let i = 0; i < ua.length; i++) {
    if (Number.isNaN(fa[i]) && Number.isNaN(fb[i])) continue;
    if (ua[i] !== ub[i]) assert.fail(`${what}: element ${i} differs: ${fa[i]} vs ${fb[i]}`);
  }
}

/** Gradients with the awkward values: zeros of both signs, tiny (subnormal-producing) and large magnitudes. */
function awkwardGrad(n: number, rnd: () => number): Float32Array {
  const g = randArray(n, rnd);
  for (let i = 0; i < n; i++) {
    const r = rnd();
    if (r < 0.05) g[i] = 0;
    else if (r < 0.1) g[i] = -0;
    else if (r < 0.2) g[i] = (g[i] as number) * 1e-20;
    else if (r < 0.25) g[i] = (g[i] as number) * 1e6;
  }
  return g;
}

test('fused Adam gives the stock Adam weights and moments bit for bit (wasm, several steps, a changed rate)', async () => {
  await setupBackends();
  const rnd = seeded(11);
  const shapes = [[8, 3, 5], [7], [64, 33]];
  const init = shapes.map((s) =>
    randArray(
      s.reduce((a, b) => a * b, 1),
      rnd,
    ),
  );
  const make = () => init.map((v, i) => tf.variable(tf.tensor(v, shapes[i]), true));
  const stockVars = make();
  const fusedVars = make();
  const stock = tf.train.adam(1e-3, 0.9, 0.999, 1e-8);
  const fused = createAdam(1e-3, 0.9, 0.999, 1e-8);
  assert.ok(tf.getKernel('AdamUpdateEcgssl', 'wasm'), 'the fused kernel is registered on wasm');
  assert.ok(wasmSimdLoops(tf.backend() as BackendWasm), 'the SIMD loops instantiate on the wasm heap');
  for (let step = 0; step < 6; step++) {
    if (step === 3)
      for (const o of [stock, fused]) (o as unknown as { learningRate: number }).learningRate = 3.7e-4;
    const grads = shapes.map((s) =>
      awkwardGrad(
        s.reduce((a, b) => a * b, 1),
        rnd,
      ),
    );
    const apply = (opt: tf.Optimizer, vars: tf.Variable[]) =>
      opt.applyGradients(
        vars.map((v, i) => ({ name: v.name, tensor: tf.tensor(grads[i] as Float32Array, shapes[i]) })),
      );
    tf.tidy(() => apply(stock, stockVars));
    tf.tidy(() => apply(fused, fusedVars));
    stockVars.forEach((v, i) =>
      assertSameBits(fusedVars[i]!.dataSync(), v.dataSync(), `step ${step} weight ${i}`),
    );
  }
  const [sw, fw] = [await stock.getWeights(), await fused.getWeights()];
  assert.equal(fw.length, sw.length);
  sw.forEach((w, i) => {
    assert.equal(fw[i]!.name.replace(/\d+/g, ''), w.name.replace(/\d+/g, ''), 'state names');
    assertSameBits(fw[i]!.tensor.dataSync(), w.tensor.dataSync(), `optimizer state ${w.name}`);
  });
  tf.dispose([...stockVars, ...fusedVars]);
  stock.dispose();
  fused.dispose();
});

/** x with ties, NaN, infinities and signed zeros. */
function awkwardInput(n: number, rnd: () => number): Float32Array {
  const x = randArray(n, rnd, 4);
  for (let i = 0; i < n; i++) {
    const r = rnd();
    if (r < 0.3) x[i] = Math.round(x[i] as number);
    else if (r < 0.31) x[i] = NaN;
    else if (r < 0.33) x[i] = rnd() < 0.5 ? Infinity : -Infinity;
    else if (r < 0.35) x[i] = rnd() < 0.5 ? 0 : -0;
  }
  return x;
}

test('fused Max gradient gives tfjs composition mul(dy, cast(equal(x, max))) bit for bit on wasm', async () => {
  await setupBackends();
  const rnd = seeded(12);
  const cases: [number[], number[], boolean][] = [
    [[2, 635, 128], [1], false], // the global max pool
    [[3, 4, 5], [0], false],
    [[3, 4, 5], [2], true],
    [[3, 4, 5, 2], [1, 2], false],
    [[6, 7], [0, 1], false],
    [[3, 4, 5], [0, 2], false], // not contiguous: the composition itself
  ];
  for (const [shape, axes, keepDims] of cases) {
    const n = shape.reduce((a, b) => a * b, 1);
    const xv = awkwardInput(n, rnd);
    const x = tf.tensor(xv, shape);
    const y = tf.max(x, axes, keepDims);
    const dy = tf.tensor(awkwardGrad(y.size, rnd), y.shape);
    const fused = tf.grad((a: tf.Tensor) => tf.max(a, axes, keepDims))(x, dy);
    const keep = tf.backend_util.expandShapeToKeepDim;
    const ref = tf.mul(
      keepDims ? dy : tf.reshape(dy, keep(dy.shape, axes)),
      tf.cast(tf.equal(x, keepDims ? y : tf.reshape(y, keep(y.shape, axes))), 'float32'),
    );
    assertSameBits(fused.dataSync(), ref.dataSync(), `max grad ${shape} axes ${axes} keepDims ${keepDims}`);
    tf.dispose([x, y, dy, fused, ref]);
  }
  assert.ok(tf.getKernel(MAX_GRAD_KERNEL, 'wasm'));
});

test('MaxPoolGrad on wasm SIMD gives maxPoolBackward bit for bit (1-D pools on H and W, ties, NaN, padding)', async () => {
  await setupBackends();
  const rnd = seeded(13);
  const cases: [number[], [number, number], [number, number], 'same' | 'valid'][] = [
    [[2, 1277, 1, 64], [8, 1], [2, 1], 'valid'], // tf.layers' pooling1d: time on H
    [[1, 1, 2560, 32], [1, 8], [1, 2], 'valid'],
    [[2, 1, 37, 8], [1, 5], [1, 3], 'same'],
    [[3, 23, 1, 4], [4, 1], [1, 1], 'same'],
    [[1, 9, 1, 12], [9, 1], [2, 1], 'valid'],
    [[2, 6, 5, 4], [2, 2], [1, 2], 'same'], // 2-D: the JS loop
  ];
  for (const [shape, f, s, pad] of cases) {
    const info = tf.backend_util.computePool2DInfo(shape as [number, number, number, number], f, s, 1, pad);
    const xv = awkwardInput(
      shape.reduce((a, b) => a * b, 1),
      rnd,
    );
    const dyv = awkwardGrad(info.batchSize * info.outHeight * info.outWidth * info.outChannels, rnd);
    const x = tf.tensor4d(xv, shape as [number, number, number, number]);
    const dy = tf.tensor4d(dyv, info.outShape);
    const dx = tf.grad((a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, f, s, pad))(x, dy);
    const ref = new Float32Array(xv.length);
    maxPoolBackward(xv, dyv, ref, info);
    assertSameBits(dx.dataSync(), ref, `pool ${shape} ${f} ${s} ${pad}`);
    tf.dispose([x, dy, dx]);
  }
});

test('LeakyRelu and its fused gradient on wasm SIMD give the JS loops bit for bit (NaN, zeros, tails, alphas)', async () => {
  await setupBackends();
  const rnd = seeded(14);
  for (const n of [1, 7, 64, 1001]) {
    const xv = awkwardInput(n, rnd);
    for (let i = 0; i < n; i += 5) xv[i] = (xv[i] as number) * 1e-39; // subnormal products
    const dyv = awkwardGrad(n, rnd);
    for (const alpha of [0, 0.2, 0.3, 1, 1.5, -0.5]) {
      const x = tf.tensor1d(xv);
      const dy = tf.tensor1d(dyv);
      const [y, dx] = [tf.leakyRelu(x, alpha), tf.grad((a: tf.Tensor) => tf.leakyRelu(a, alpha))(x, dy)];
      const [yRef, dxRef] = [new Float32Array(n), new Float32Array(n)];
      leakyReluLoop(xv, alpha, yRef);
      leakyReluGradLoop(xv, dyv, alpha, dxRef);
      assertSameBits(y.dataSync(), yRef, `leakyRelu n ${n} alpha ${alpha}`);
      assertSameBits(dx.dataSync(), dxRef, `leakyRelu gradient n ${n} alpha ${alpha}`);
      tf.dispose([x, dy, y, dx]);
    }
  }
});

test('Sum over leading axes on wasm SIMD gives the float64 JS loop bit for bit', async () => {
  await setupBackends();
  const rnd = seeded(15);
  for (const [outer, inner] of [
    [1, 4],
    [3, 8],
    [257, 32],
    [1000, 128],
    [5, 6],
  ] as const) {
    const xv = awkwardGrad(outer * inner, rnd);
    for (let i = 0; i < xv.length; i += 97) xv[i] = rnd() < 0.5 ? Infinity : NaN;
    const x = tf.tensor3d(xv, [outer, 1, inner]);
    const s = tf.sum(x, [0, 1]);
    const ref = new Float32Array(inner);
    sumLeading(xv, outer, inner, ref);
    assertSameBits(s.dataSync(), ref, `sum ${outer} x ${inner}`);
    tf.dispose([x, s]);
  }
});
