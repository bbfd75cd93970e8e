import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { loadDnnlAddon, tryRegisterDnnlKernels, dnnlStats } from '../../src/engine/dnnl.js';
import { setupBackends, seeded, randArray, onBoth, assertClose } from './helpers.js';

const addon = loadDnnlAddon();
const missing = 'loadError' in addon ? addon.loadError : undefined;
if (missing && process.env.CI) {
  test('oneDNN tier', () => {
    assert.fail(`oneDNN tier expected in CI, but the addon is not available: ${missing}`);
  });
}
const skip = missing && !process.env.CI ? `ecgssl-dnnl addon not available: ${missing}` : false;
if (skip) console.error(`dnnl.test: SKIPPED (${skip})`);

let registered = false;
async function setup(): Promise<void> {
  await setupBackends();
  if (registered) return;
  const r = tryRegisterDnnlKernels(tf, { threads: 2 });
  assert.ok(r.ok, `tryRegisterDnnlKernels failed: ${r.ok ? '' : r.reason}`);
  assert.match(r.version, /^\d+\.\d+\.\d+$/);
  assert.equal(r.threads, 2);
  registered = true;
}

const nativeCount = (k: string): number => dnnlStats[k]?.native ?? 0;

/** Conv1d forward and both gradients (via tf.grads of sum(conv * r)) on cpu and on wasm+oneDNN. */
async function checkConv(
  b: number,
  t: number,
  cin: number,
  k: number,
  cout: number,
  pad: 'same' | 'valid',
  seed: number,
): Promise<void> {
  const rnd = seeded(seed);
  const xv = randArray(b * t * cin, rnd);
  const wv = randArray(k * cin * cout, rnd, 0.3);
  const tout = pad === 'same' ? t : t - k + 1;
  const rv = randArray(b * tout * cout, rnd);
  const before = ['Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter'].map(nativeCount);
  const res = await onBoth(() => {
    const x = tf.tensor3d(xv, [b, t, cin]);
    const w = tf.tensor3d(wv, [k, cin, cout]);
    const r = tf.tensor3d(rv, [b, tout, cout]);
    const f = (xx: tf.Tensor, ww: tf.Tensor): tf.Scalar =>
      tf.sum(tf.mul(tf.conv1d(xx as tf.Tensor3D, ww as tf.Tensor3D, 1, pad), r));
    const y = tf.conv1d(x, w, 1, pad);
    const [dx, dw] = tf.grads(f)([x, w]);
    return [y, dx as tf.Tensor, dw as tf.Tensor];
  });
  assertClose(res, `conv1d b${b} t${t} cin${cin} k${k} cout${cout} ${pad}`, 1e-4);
  const after = ['Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter'].map(nativeCount);
  after.forEach((n, i) => assert.ok(n > (before[i] as number), `kernel ${i} was not served by oneDNN`));
}

test(
  'oneDNN conv1d forward/backward match cpu: paper layer geometries (shortened windows)',
  { skip },
  async () => {
    await setup();
    // (Cin, K, Cout) of the paper's six conv layers (METHOD: 32x32, 32x32, 64x16, 64x16, 128x8, 128x8), 'same'.
    const layers: [number, number, number][] = [
      [1, 32, 32],
      [32, 32, 32],
      [32, 16, 64],
      [64, 16, 64],
      [64, 8, 128],
      [128, 8, 128],
    ];
    let seed = 1;
    for (const [cin, k, cout] of layers) await checkConv(1 + (seed % 2), 48, cin, k, cout, 'same', seed++);
    // the first layer at the paper's full window length 2560
    await checkConv(2, 2560, 1, 32, 32, 'same', 99);
  },
);

test(
  'oneDNN conv1d matches cpu on random shapes, same and valid, odd and even kernels',
  { skip },
  async () => {
    await setup();
    const rnd = seeded(7);
    const ri = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
    for (let i = 0; i < 8; i++) {
      const k = ri(1, 12);
      await checkConv(ri(1, 2), ri(k + 1, 90), ri(1, 9), k, ri(1, 9), i % 2 ? 'same' : 'valid', 100 + i);
    }
  },
);

test('oneDNN max-pool forward/backward match cpu (paper pool 8 stride 2, random)', { skip }, async () => {
  await setup();
  const cases: [number, number, number, number, number, 'same' | 'valid'][] = [
    [2, 2560, 32, 8, 2, 'valid'], // paper: pool 8, stride 2 after the first block
    [1, 1277, 64, 8, 2, 'valid'],
    [2, 37, 5, 3, 2, 'same'],
    [1, 50, 3, 4, 4, 'valid'],
    [2, 21, 7, 2, 1, 'same'],
  ];
  let seed = 200;
  for (const [i, [b, t, c, p, s, pad]] of cases.entries()) {
    const onH = i % 2 === 0; // tf.layers.maxPooling1d pools [B, T, 1, C] (time on H); tf.conv1d-style [B, 1, T, C]
    const rnd = seeded(seed++);
    const xv = randArray(b * t * c, rnd);
    const before = [nativeCount('MaxPool'), nativeCount('MaxPoolGrad')];
    const res = await onBoth(() => {
      const x = tf.tensor3d(xv, [b, t, c]);
      const pool = (xx: tf.Tensor): tf.Tensor =>
        onH
          ? tf.squeeze(tf.maxPool(tf.expandDims(xx, 2) as tf.Tensor4D, [p, 1], [s, 1], pad), [2])
          : tf.squeeze(tf.maxPool(tf.expandDims(xx, 1) as tf.Tensor4D, [1, p], [1, s], pad), [1]);
      const y = pool(x);
      const r = tf.tensor(randArray(y.size, seeded(seed)), y.shape);
      const dx = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(pool(xx), r)))(x);
      return [y, dx];
    });
    assertClose(res, `maxPool b${b} t${t} c${c} p${p} s${s} ${pad}`, 1e-6);
    assert.ok(nativeCount('MaxPool') > (before[0] as number), 'MaxPool not served by oneDNN');
    assert.ok(nativeCount('MaxPoolGrad') > (before[1] as number), 'MaxPoolGrad not served by oneDNN');
  }
});

test('addon rejects wrongly sized buffers with a named error', { skip }, () => {
  const a = addon as Exclude<typeof addon, { loadError: string }>;
  assert.throws(
    () =>
      a.conv1dForward(
        new Float32Array(10),
        new Float32Array(5),
        new Float32Array(10),
        1,
        10,
        1,
        4,
        1,
        1,
        2,
        1,
      ),
    /argument 1 has 5 elements, expected 4/,
  );
  assert.throws(
    () => a.maxPool1dForward(new Float32Array(10), new Float32Array(3), 1, 10, 1, 2, 2, 0, 0),
    /elements, expected 5/,
  );
});

test(
  'a small conv net trains to the same losses on wasm+oneDNN as on cpu, without leaking tensors',
  { skip },
  async () => {
    await setup();
    const rnd = seeded(42);
    const B = 4;
    const T = 64;
    const init = {
      w1: randArray(8 * 1 * 6, rnd, 0.4),
      b1: randArray(6, rnd, 0.1),
      w2: randArray(4 * 6 * 5, rnd, 0.4),
      b2: randArray(5, rnd, 0.1),
      wd: randArray(5, rnd, 0.5),
      x: randArray(B * T, rnd),
      y: Float32Array.from({ length: B }, (_, i) => i % 2),
    };
    const train = (steps: number): { losses: number[]; leaked: number } => {
      const v = {
        w1: tf.tidy(() => tf.variable(tf.tensor3d(init.w1, [8, 1, 6]))),
        b1: tf.tidy(() => tf.variable(tf.tensor1d(init.b1))),
        w2: tf.tidy(() => tf.variable(tf.tensor3d(init.w2, [4, 6, 5]))),
        b2: tf.tidy(() => tf.variable(tf.tensor1d(init.b2))),
        wd: tf.tidy(() => tf.variable(tf.tensor2d(init.wd, [5, 1]))),
      };
      const x = tf.tensor3d(init.x, [B, T, 1]);
      const y = tf.tensor2d(init.y, [B, 1]);
      const opt = tf.train.sgd(0.1);
      const losses: number[] = [];
      let leaked = 0;
      for (let s = 0; s < steps; s++) {
        const n0 = tf.memory().numTensors;
        const loss = opt.minimize(() => {
          let h = tf.relu(tf.add(tf.conv1d(x, v.w1, 1, 'same'), v.b1));
          h = tf.squeeze(tf.maxPool(tf.expandDims(h, 1) as tf.Tensor4D, [1, 4], [1, 2], 'valid'), [1]);
          h = tf.relu(tf.add(tf.conv1d(h as tf.Tensor3D, v.w2, 1, 'same'), v.b2));
          const feat = tf.max(h, 1) as tf.Tensor2D;
          const p = tf.sigmoid(tf.matMul(feat, v.wd));
          return tf.losses.sigmoidCrossEntropy(y, tf.log(tf.div(p, tf.sub(1, p))));
        }, true) as tf.Scalar;
        losses.push(loss.dataSync()[0] as number);
        loss.dispose();
        if (s > 0) leaked = Math.max(leaked, tf.memory().numTensors - n0);
      }
      opt.dispose();
      tf.dispose([x, y, ...Object.values(v)]);
      return { losses, leaked };
    };
    await tf.setBackend('cpu');
    const ref = train(4);
    await tf.setBackend('wasm');
    const n0 = tf.memory().numTensors;
    const got = train(4);
    assert.equal(tf.memory().numTensors, n0, 'tensors leaked on wasm+oneDNN');
    assert.equal(got.leaked, 0);
    assert.ok(ref.losses[3] !== ref.losses[0], 'training must change the loss');
    ref.losses.forEach((l, i) => {
      const g = got.losses[i] as number;
      assert.ok(Math.abs(g - l) / Math.abs(l) < 1e-4, `step ${i}: loss ${g} (wasm+oneDNN) vs ${l} (cpu)`);
    });
  },
);
