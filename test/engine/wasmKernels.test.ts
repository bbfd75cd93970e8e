import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { WASM_KERNEL_NAMES, maxPoolBackward } from '../../src/engine/wasmKernels.js';
import {
  assertClose,
  conv1dReference,
  onBoth,
  PAPER_CONV_LAYERS,
  randArray,
  seeded,
  setupBackends,
} from './helpers.js';

type Pad = 'same' | 'valid';

/** Output and both gradients of sum(conv(x, w) * r), so that every kernel (forward, dx, dw) is compared. */
function convCase(
  rnd: () => number,
  b: number,
  h: number,
  w: number,
  cin: number,
  cout: number,
  fh: number,
  fw: number,
  pad: Pad,
  stride: number,
): () => tf.Tensor[] {
  const xv = randArray(b * h * w * cin, rnd);
  const wv = randArray(fh * fw * cin * cout, rnd, 0.3);
  return () => {
    const x = tf.tensor4d(xv, [b, h, w, cin]);
    const k = tf.tensor4d(wv, [fh, fw, cin, cout]);
    const y = tf.conv2d(x, k, stride, pad);
    const r = tf.sin(tf.range(0, y.size).reshape(y.shape));
    const [dx, dk] = tf.grads((a: tf.Tensor, c: tf.Tensor) =>
      tf
        .conv2d(a as tf.Tensor4D, c as tf.Tensor4D, stride, pad)
        .mul(r)
        .sum(),
    )([x, k]);
    return [y, dx as tf.Tensor, dk as tf.Tensor];
  };
}

test('registers the replacement kernels on wasm', async () => {
  await setupBackends();
  for (const name of WASM_KERNEL_NAMES) assert.ok(tf.getKernel(name, 'wasm'), name);
  assert.equal(tf.getKernel('MaxPoolGrad', 'wasm')?.kernelFunc.name, 'maxPoolGrad');
  assert.equal(tf.getKernel('Conv2DBackpropFilter', 'wasm')?.kernelFunc.name, 'filterGrad');
});

test('conv gradients match the cpu backend on random shapes (stride 1, same/valid, odd/even kernels)', async () => {
  await setupBackends();
  const rnd = seeded(1);
  for (let i = 0; i < 12; i++) {
    const b = 1 + Math.floor(rnd() * 3);
    const h = rnd() < 0.5 ? 1 : 2 + Math.floor(rnd() * 6);
    const w = 4 + Math.floor(rnd() * 30);
    const fh = h === 1 ? 1 : 1 + Math.floor(rnd() * Math.min(h, 4));
    const fw = 1 + Math.floor(rnd() * Math.min(w, 9));
    const cin = 1 + Math.floor(rnd() * 4);
    const cout = 1 + Math.floor(rnd() * 5);
    const pad: Pad = rnd() < 0.6 ? 'same' : 'valid';
    const what = `conv b${b} ${h}x${w}x${cin} k${fh}x${fw}x${cout} ${pad}`;
    assertClose(await onBoth(convCase(rnd, b, h, w, cin, cout, fh, fw, pad, 1)), what);
  }
});

test('first-layer (one input channel) 1-D conv filter gradient matches the cpu backend, incl. chunked im2col', async () => {
  await setupBackends();
  const rnd = seeded(7);
  const cases: [number, number, number, number, Pad][] = [
    // [batch, width, cout, kernel, pad]
    [1, 9, 1, 1, 'same'],
    [3, 40, 5, 7, 'same'],
    [2, 33, 3, 8, 'same'],
    [2, 30, 4, 6, 'valid'],
    [2, 12, 2, 12, 'same'],
    [2, 2560, 32, 32, 'same'], // the paper's first layer
    // k * width = 262144 floats of im2col per window > 2^22 / 20: chunks of 16 + 4 windows
    [20, 4096, 2, 64, 'valid'],
  ];
  const wasm = tf.findBackend('wasm') as tf.KernelBackend;
  const before = tf.memory().numTensors;
  const dataBefore = wasm.numDataIds();
  for (const [b, w, cout, k, pad] of cases) {
    const what = `cin=1 conv b${b} w${w} k${k}x${cout} ${pad}`;
    assertClose(await onBoth(convCase(rnd, b, 1, w, 1, cout, 1, k, pad, 1)), what);
  }
  assert.equal(tf.memory().numTensors, before);
  assert.equal(wasm.numDataIds(), dataBefore, 'wasm buffers leaked by the kernels');
});

test('strided conv gradients fall back correctly', async () => {
  await setupBackends();
  const rnd = seeded(2);
  assertClose(await onBoth(convCase(rnd, 2, 1, 33, 3, 4, 1, 6, 'same', 2)), 'stride 2 same');
  assertClose(await onBoth(convCase(rnd, 1, 5, 9, 2, 3, 2, 3, 'valid', 2)), 'stride 2 valid 2-D');
});

/*
 * The filter gradient at the paper's shapes is checked against a float64 direct loop (conv1dReference) rather than
 * against the cpu backend's Conv2DBackpropFilter, which takes 5-10 s per multi-channel paper shape on 2 CPUs (the FFT
 * route's test in fftconv.test.ts pays that, at batch 1). The wasm filter gradient is compared with the cpu
 * backend's on the random small shapes above.
 */
test("conv forward and gradients match at the paper's shapes (METHOD.md network, batch 1-2)", async () => {
  await setupBackends();
  const rnd = seeded(3);
  // all but the fourth layer (1277 samples, 64->64 k16); batch 2 for the first (one input channel), else 1
  for (const [w, cin, cout, k] of PAPER_CONV_LAYERS.filter((_, i) => i !== 3)) {
    const b = cin === 1 ? 2 : 1;
    const xv = randArray(b * w * cin, rnd);
    const wv = randArray(k * cin * cout, rnd, 0.3);
    const dyv = randArray(b * w * cout, rnd);
    const what = `paper conv ${w}x${cin}->${cout} k${k}`;
    // forward and input gradient against the cpu backend
    const r = await onBoth(() => {
      const x = tf.tensor4d(xv, [b, 1, w, cin]);
      const f = tf.tensor4d(wv, [1, k, cin, cout]);
      const dy = tf.tensor4d(dyv, [b, 1, w, cout]);
      return [tf.conv2d(x, f, 1, 'same'), tf.conv2dTranspose(dy, f, [b, 1, w, cin], 1, 'same')];
    });
    assertClose(r, what);
    // filter gradient (through autodiff of conv2d) against the float64 reference
    const dW = tf.tidy(() => {
      const x = tf.tensor4d(xv, [b, 1, w, cin]);
      const dy = tf.tensor4d(dyv, [b, 1, w, cout]);
      return tf.grad((f: tf.Tensor) =>
        tf
          .conv2d(x, f as tf.Tensor4D, 1, 'same')
          .mul(dy)
          .sum(),
      )(tf.tensor4d(wv, [1, k, cin, cout]));
    });
    assert.equal(tf.getBackend(), 'wasm');
    const got = dW.dataSync() as Float32Array;
    dW.dispose();
    const g = {
      batch: b,
      inSamples: w,
      outSamples: w,
      inChannels: cin,
      outChannels: cout,
      kernelSize: k,
      padLeft: Math.floor((k - 1) / 2), // 'same' in TF's convention
    };
    const ref = Float32Array.from(conv1dReference(g, xv, wv, dyv).dw);
    assertClose({ cpu: [ref], wasm: [got] }, `${what} dW`);
  }
});

function poolCase(
  rnd: () => number,
  shape: [number, number, number, number],
  filter: [number, number],
  stride: [number, number],
  pad: Pad,
  ties: boolean,
): () => tf.Tensor[] {
  const n = shape.reduce((a, c) => a * c, 1);
  const xv = randArray(n, rnd, 3);
  if (ties) for (let i = 0; i < n; i++) xv[i] = Math.round(xv[i] as number); // many equal maxima
  return () => {
    const x = tf.tensor4d(xv, shape);
    const f = (a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, filter, stride, pad);
    const y = f(x);
    const r = tf.cos(tf.range(0, y.size).reshape(y.shape));
    const dx = tf.grad((a: tf.Tensor) => f(a).mul(r).sum())(x);
    return [y, dx];
  };
}

test('MaxPoolGrad matches the cpu backend (paper 8/2 valid, random 2-D pools, ties, same padding)', async () => {
  await setupBackends();
  const rnd = seeded(4);
  assertClose(await onBoth(poolCase(rnd, [2, 1, 2560, 32], [1, 8], [1, 2], 'valid', false)), 'paper pool 1');
  assertClose(
    await onBoth(poolCase(rnd, [1, 1, 1277, 64], [1, 8], [1, 2], 'valid', true)),
    'paper pool 2 ties',
  );
  for (let i = 0; i < 10; i++) {
    const h = 1 + Math.floor(rnd() * 7);
    const w = 3 + Math.floor(rnd() * 20);
    const filter: [number, number] = [
      1 + Math.floor(rnd() * Math.min(h, 3)),
      1 + Math.floor(rnd() * Math.min(w, 5)),
    ];
    const stride: [number, number] = [1 + Math.floor(rnd() * 2), 1 + Math.floor(rnd() * 3)];
    const pad: Pad = rnd() < 0.5 ? 'same' : 'valid';
    const shape: [number, number, number, number] = [
      1 + Math.floor(rnd() * 2),
      h,
      w,
      1 + Math.floor(rnd() * 4),
    ];
    assertClose(
      await onBoth(poolCase(rnd, shape, filter, stride, pad, rnd() < 0.5)),
      `pool ${shape} ${filter} ${stride} ${pad}`,
    );
  }
});

test('maxPoolBackward routes each window gradient to its first maximum', () => {
  // 1-D: x = [1, 3, 3, 2, 0], pool 2 stride 1 valid -> windows argmax at 1, 1 (tie: first), 2, 3
  const info = tf.backend_util.computePool2DInfo([1, 1, 5, 1], [1, 2], [1, 1], 1, 'valid');
  const dx = new Float32Array(5);
  maxPoolBackward(new Float32Array([1, 3, 3, 2, 0]), new Float32Array([1, 10, 100, 1000]), dx, info);
  assert.deepEqual(Array.from(dx), [0, 11, 100, 1000, 0]);
});

test('broadcasting Equal and the global max pool gradient match the cpu backend', async () => {
  await setupBackends();
  const rnd = seeded(5);
  const xv = randArray(2 * 635 * 128, rnd);
  assertClose(
    await onBoth(() => {
      const x = tf.tensor3d(xv, [2, 635, 128]);
      const m = x.max(1, true);
      const eq = tf.equal(x, m).cast('float32');
      const g = tf.grad((a: tf.Tensor) =>
        a
          .max(1)
          .mul(tf.range(0, 256).reshape([2, 128]))
          .sum(),
      )(x);
      const eq2 = tf.equal(tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]), tf.tensor1d([1, 5, 6])).cast('float32');
      return [eq, g, eq2];
    }),
    'equal/max grad',
  );
  const eqInt = await onBoth(() =>
    tf.equal(tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32'), tf.tensor1d([1, 4], 'int32')).cast('float32'),
  );
  assert.deepEqual(Array.from(eqInt.wasm[0] as Float32Array), [1, 0, 0, 1]);
});

test('Sum over leading, trailing and mixed axes matches the cpu backend (keepDims, full, int32)', async () => {
  await setupBackends();
  const rnd = seeded(11);
  for (let i = 0; i < 16; i++) {
    const rank = 1 + Math.floor(rnd() * 4);
    const shape = Array.from({ length: rank }, () => 1 + Math.floor(rnd() * 9));
    const xv = randArray(
      shape.reduce((a, b) => a * b, 1),
      rnd,
      3,
    );
    const k = 1 + Math.floor(rnd() * rank);
    // leading block 0..k-1 (the fast path), its shuffled/negative spelling, a trailing block, a random subset
    const leading = Array.from({ length: k }, (_, j) => j);
    const axesList: number[][] = [
      leading,
      [...leading].reverse().map((a) => (a === 0 ? -rank : a)),
      Array.from({ length: k }, (_, j) => rank - 1 - j),
      Array.from({ length: rank }, (_, j) => j).filter(() => rnd() < 0.5),
    ];
    for (const axes of axesList) {
      if (axes.length === 0) continue;
      const keepDims = rnd() < 0.5;
      const r = await onBoth(() => tf.tensor(xv, shape).sum(axes, keepDims));
      const what = `sum [${shape}] axes [${axes}] keepDims ${keepDims}`;
      assertClose(r, what);
      const shapes = await onBoth(() => tf.tensor(xv, shape).sum(axes, keepDims).reshape([-1]));
      assert.equal(shapes.wasm[0]?.length, shapes.cpu[0]?.length, what);
    }
  }
  // shape bookkeeping and non-float inputs
  await tf.setBackend('wasm');
  assert.deepEqual(tf.zeros([2, 3, 4]).sum([0, 1], true).shape, [1, 1, 4]);
  assert.deepEqual(tf.zeros([2, 3, 4]).sum([1, 0]).shape, [4]);
  assert.deepEqual(Array.from(tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32').sum(0).dataSync()), [4, 6]);
  assert.deepEqual(Array.from(tf.tensor1d([true, true, false], 'bool').sum().dataSync()), [2]);
  assert.deepEqual(Array.from(tf.zeros([0, 3]).sum(0).dataSync()), [0, 0, 0]);
  // a long leading axis: 1e6 rows of ones sum to exactly 1e6 per column
  const big = tf.fill([1_000_000, 2], 1).sum(0).dataSync();
  assert.deepEqual(Array.from(big), [1_000_000, 1_000_000]);
});

test('Max over a middle block of axes (global max pool) matches the cpu backend; other reductions too', async () => {
  await setupBackends();
  const rnd = seeded(13);
  const cases: [number[], number[], boolean][] = [
    [[2, 37, 5], [1], false], // the global max pool over time: the fast path
    [[3, 4, 5, 6], [1, 2], true],
    [[3, 4, 5, 6], [2, 1], false],
    [[4, 9, 3], [0], false], // leading and trailing axes: the stock kernel
    [[4, 9, 3], [2], true],
    [[4, 9, 3], [0, 1, 2], false],
    [[2, 1, 7], [1], false],
  ];
  for (const [shape, axes, keepDims] of cases) {
    const xv = randArray(
      shape.reduce((a, b) => a * b, 1),
      rnd,
      3,
    );
    const r = await onBoth(() => tf.tensor(xv, shape).max(axes, keepDims));
    assertClose(r, `max [${shape}] axes [${axes}] keepDims ${keepDims}`);
    const got = tf.tidy(() => tf.tensor(xv, shape).max(axes, keepDims).shape);
    await tf.setBackend('cpu');
    const want = tf.tidy(() => tf.tensor(xv, shape).max(axes, keepDims).shape);
    await tf.setBackend('wasm');
    assert.deepEqual(got, want);
  }
  // NaN propagates; the gradient (through the broadcasting Equal) still matches
  const withNaN = tf.tidy(() => tf.tensor3d([1, NaN, 3, 2, -1, 0], [1, 3, 2]).max(1).dataSync());
  assert.ok(withNaN[0] === 3 && Number.isNaN(withNaN[1]), String(withNaN));
  const xv = randArray(2 * 50 * 8, rnd);
  const g = await onBoth(() =>
    tf.grad((a: tf.Tensor) =>
      a
        .max(1)
        .mul(tf.range(0, 16).reshape([2, 8]))
        .sum(),
    )(tf.tensor3d(xv, [2, 50, 8])),
  );
  assertClose(g, 'global max pool gradient');
  assert.equal(tf.getKernel('Max', 'wasm')?.kernelFunc.name, 'maxMiddleAxes');
});

test('LeakyRelu and its fused gradient match the cpu backend (zeros, NaN, several alphas)', async () => {
  await setupBackends();
  const rnd = seeded(12);
  for (let i = 0; i < 8; i++) {
    const shape = [1 + Math.floor(rnd() * 4), 1 + Math.floor(rnd() * 50), 1 + Math.floor(rnd() * 9)];
    const n = shape.reduce((a, b) => a * b, 1);
    const xv = randArray(n, rnd);
    for (let j = 0; j < n; j += 7) xv[j] = 0; // exact zeros take the alpha branch (x > 0 is false)
    const rv = randArray(n, rnd);
    const alpha = [0.2, 0.01, 0.5, 1.5, -0.3][i % 5] as number;
    const r = await onBoth(() => {
      const x = tf.tensor(xv, shape);
      const w = tf.tensor(rv, shape);
      const y = tf.leakyRelu(x, alpha);
      const g = tf.grad((a: tf.Tensor) => tf.leakyRelu(a, alpha).mul(w).sum())(x);
      // second use of the same activation (gradients accumulate through Add)
      const g2 = tf.grad((a: tf.Tensor) => tf.leakyRelu(a, alpha).square().sum())(x);
      return [y, g, g2];
    });
    assertClose(r, `leakyRelu [${shape}] alpha ${alpha}`);
  }
  await tf.setBackend('wasm');
  const nan = tf.leakyRelu(tf.tensor1d([NaN, -2, 3, 0]), 0.2).dataSync();
  assert.ok(Number.isNaN(nan[0]));
  assert.deepEqual(Array.from(nan.slice(1)), [Math.fround(-0.4), 3, 0]);
  const g = tf
    .grad((a: tf.Tensor) => tf.leakyRelu(a, 0.2).sum())(tf.tensor1d([-1, 0, 2]))
    .dataSync();
  assert.deepEqual(Array.from(g), [Math.fround(0.2), Math.fround(0.2), 1]);
});

test('Identity shares the buffer safely: clones survive the original and nothing leaks', async () => {
  await setupBackends();
  await tf.setBackend('wasm');
  const before = tf.memory();
  const a = tf.tensor1d([1, 2, 3]);
  const c = tf.clone(a);
  const v = tf.variable(c);
  a.dispose();
  assert.deepEqual(Array.from(c.dataSync()), [1, 2, 3]);
  const nv = tf.tensor1d([4, 5, 6]);
  v.assign(nv);
  nv.dispose();
  assert.deepEqual(
    Array.from(c.dataSync()),
    [1, 2, 3],
    'assigning a variable must not change its initial value',
  );
  c.dispose();
  assert.deepEqual(Array.from(v.dataSync()), [4, 5, 6]);
  v.dispose();
  const after = tf.memory();
  assert.equal(after.numTensors, before.numTensors);
  assert.equal(after.numDataBuffers, before.numDataBuffers);
  const s = tf.clone(tf.tensor1d(['x', 'y'], 'string'));
  assert.deepEqual(s.dataSync(), ['x', 'y']);
});

test('Add with a last-axis bias matches the cpu backend (the replacement defers to the stock kernel without native loops)', async () => {
  await setupBackends();
  const rnd = seeded(13);
  for (const [shape, biasShape] of [
    [
      [4, 3000, 5],
      [1, 1, 5],
    ],
    [[2, 700, 33], [33]],
    [
      [40000, 1],
      [1, 1],
    ],
    [
      [3, 11, 9],
      [1, 9],
    ], // small: stock kernel
    [
      [2, 900, 20],
      [2, 1, 20],
    ], // not a pure bias: stock kernel
  ] as [number[], number[]][]) {
    const xv = randArray(
      shape.reduce((p, q) => p * q, 1),
      rnd,
    );
    const bv = randArray(
      biasShape.reduce((p, q) => p * q, 1),
      rnd,
    );
    const r = await onBoth(() => {
      const x = tf.tensor(xv, shape);
      const b = tf.tensor(bv, biasShape);
      return [tf.add(x, b), tf.add(b, x)];
    });
    assertClose(r, `add [${shape}] + [${biasShape}]`, 1e-6);
  }
  await tf.setBackend('wasm');
  assert.deepEqual(tf.add(tf.ones([40000, 2]), tf.tensor1d([1, 2])).shape, [40000, 2]);
  assert.deepEqual(Array.from(tf.add(tf.tensor1d([1, 2]), tf.tensor1d([3, 4])).dataSync()), [4, 6]);
});
