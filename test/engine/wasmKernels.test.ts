import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { WASM_KERNEL_NAMES, maxPoolBackward } from '../../src/engine/wasmKernels.js';
import { assertClose, onBoth, randArray, seeded, setupBackends } from './helpers.js';

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

test('strided conv gradients fall back correctly', async () => {
  await setupBackends();
  const rnd = seeded(2);
  assertClose(await onBoth(convCase(rnd, 2, 1, 33, 3, 4, 1, 6, 'same', 2)), 'stride 2 same');
  assertClose(await onBoth(convCase(rnd, 1, 5, 9, 2, 3, 2, 3, 'valid', 2)), 'stride 2 valid 2-D');
});

/**
 * Float64 direct-loop reference of the 1-D 'same' conv filter gradient (TF convention: pad left floor((k-1)/2)).
 * The cpu backend's own Conv2DBackpropFilter takes 7-20 s per paper shape, too slow for a unit test; it is compared
 * with the wasm kernel on the random small shapes above.
 */
function conv1dFilterGradRef(
  x: Float32Array,
  dy: Float32Array,
  b: number,
  w: number,
  cin: number,
  cout: number,
  k: number,
): Float32Array {
  const out = new Float64Array(k * cin * cout);
  const padLeft = Math.floor((k - 1) / 2);
  for (let bi = 0; bi < b; bi++)
    for (let t = 0; t < w; t++)
      for (let kk = 0; kk < k; kk++) {
        const src = t + kk - padLeft;
        if (src < 0 || src >= w) continue;
        const xo = (bi * w + src) * cin;
        const dyo = (bi * w + t) * cout;
        for (let ci = 0; ci < cin; ci++) {
          const xv = x[xo + ci] as number;
          const oo = (kk * cin + ci) * cout;
          for (let co = 0; co < cout; co++)
            out[oo + co] = (out[oo + co] as number) + xv * (dy[dyo + co] as number);
        }
      }
  return Float32Array.from(out);
}

test("conv forward and gradients match at the paper's shapes (METHOD.md network, batch 1-2)", async () => {
  await setupBackends();
  const rnd = seeded(3);
  const shapes: [number, number, number, number, number][] = [
    // [batch, width, cin, cout, kernel]
    [2, 2560, 1, 32, 32],
    [1, 2560, 32, 32, 32],
    [1, 1277, 32, 64, 16],
    [1, 635, 64, 128, 8],
    [1, 635, 128, 128, 8],
  ];
  for (const [b, w, cin, cout, k] of shapes) {
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
    assertClose({ cpu: [conv1dFilterGradRef(xv, dyv, b, w, cin, cout, k)], wasm: [got] }, `${what} dW`);
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
