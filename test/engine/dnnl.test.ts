import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { loadDnnlAddon, tryRegisterDnnlKernels, dnnlStats } from '../../src/engine/dnnl.js';
import type { FftConvGeometry } from '../../src/engine/fftconv/fftconv.js';
import {
  setupBackends,
  seeded,
  randArray,
  onBoth,
  assertClose,
  assertNoLeakOver100Steps,
  conv1dReference,
  PAPER_CONV_LAYERS,
  relError,
} from './helpers.js';

const addon = loadDnnlAddon();
const missing = 'loadError' in addon ? addon.loadError : undefined;
// .ci/run sets ECGSSL_EXPECT_DNNL=1 when libdnnl-dev is installed: then a missing addon is a build failure.
const expected = process.env.ECGSSL_EXPECT_DNNL === '1';
if (missing && expected) {
  test('oneDNN tier', () => {
    assert.fail(
      `oneDNN tier expected (libdnnl-dev is installed), but the addon is not available: ${missing}`,
    );
  });
}
const skip = missing && !expected ? `ecgssl-dnnl addon not available: ${missing}` : false;
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

/** Calls served natively: by oneDNN (`k`) or by the native FFT kernels (`k:fft`). */
const nativeCount = (k: string): number => (dnnlStats[k]?.native ?? 0) + (dnnlStats[`${k}:fft`]?.native ?? 0);
const fftCount = (k: string): number => dnnlStats[`${k}:fft`]?.native ?? 0;

/** Conv1d forward and both gradients (via tf.grads of sum(conv * r)) on cpu and on wasm+oneDNN. */
async function checkConv(
  b: number,
  t: number,
  cin: number,
  k: number,
  cout: number,
  pad: 'same' | 'valid',
  seed: number,
  expectFft?: boolean[],
): Promise<void> {
  const rnd = seeded(seed);
  const xv = randArray(b * t * cin, rnd);
  const wv = randArray(k * cin * cout, rnd, 0.3);
  const tout = pad === 'same' ? t : t - k + 1;
  const rv = randArray(b * tout * cout, rnd);
  const kernels = ['Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter'];
  const before = kernels.map(nativeCount);
  const fftBefore = kernels.map(fftCount);
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
  const after = kernels.map(nativeCount);
  after.forEach((n, i) => assert.ok(n > (before[i] as number), `kernel ${i} was not served natively`));
  if (expectFft)
    kernels.forEach((k, i) =>
      assert.equal(
        fftCount(k) > (fftBefore[i] as number),
        expectFft[i],
        `${k} through the native FFT kernels`,
      ),
    );
}

test(
  'native FFT convolutions take the paper layers at full length (k32, k16, k8 64->128; 128->128 k8 forward) and match cpu',
  { skip },
  async () => {
    await setup();
    const lanes = (addon as { fftLanes?: () => number }).fftLanes?.() ?? 0;
    assert.ok([4, 8, 16].includes(lanes), `fftLanes ${lanes}`);
    // [PAPER_CONV_LAYERS index, FFT for forward / input gradient / filter gradient] (DNNL_FFT_* in
    // src/engine/dnnl.ts); the first layer (one input channel) and the fourth are left out
    const layers: [number, boolean[]][] = [
      [1, [true, true, true]],
      [2, [true, true, true]],
      [4, [true, true, true]],
      [5, [true, false, false]],
    ];
    let seed = 40;
    for (const [i, fft] of layers) {
      const [t, cin, cout, k] = PAPER_CONV_LAYERS[i] as (typeof PAPER_CONV_LAYERS)[number];
      await checkConv(1, t, cin, k, cout, 'same', seed++, fft);
    }
  },
);

test(
  'native FFT convolutions on a batch of 3 equal the samples one by one (the kernels loop over samples)',
  { skip },
  async () => {
    await setup();
    // b = 1 is checked against cpu above; here the batch loop: rows of y and dx, and dw = the sum over samples
    const [t, cin, cout, k] = PAPER_CONV_LAYERS[1] as (typeof PAPER_CONV_LAYERS)[number];
    const rnd = seeded(60);
    const b = 3;
    const xv = randArray(b * t * cin, rnd);
    const wv = randArray(k * cin * cout, rnd, 0.3);
    const rv = randArray(b * t * cout, rnd);
    const fftBefore = fftCount('Conv2DBackpropFilter');
    const run = (from: number, n: number): Float32Array[] =>
      tf
        .tidy(() => {
          const x = tf.tensor3d(xv.slice(from * t * cin, (from + n) * t * cin), [n, t, cin]);
          const w = tf.tensor3d(wv, [k, cin, cout]);
          const r = tf.tensor3d(rv.slice(from * t * cout, (from + n) * t * cout), [n, t, cout]);
          const f = (xx: tf.Tensor, ww: tf.Tensor): tf.Scalar =>
            tf.sum(tf.mul(tf.conv1d(xx as tf.Tensor3D, ww as tf.Tensor3D, 1, 'same'), r));
          const [dx, dw] = tf.grads(f)([x, w]);
          return [tf.conv1d(x, w, 1, 'same'), dx as tf.Tensor, dw as tf.Tensor];
        })
        .map((v) => {
          const d = v.dataSync() as Float32Array;
          v.dispose();
          return d;
        });
    const [y, dx, dw] = run(0, b) as [Float32Array, Float32Array, Float32Array];
    const dwSum = new Float64Array(dw.length);
    for (let s = 0; s < b; s++) {
      const [ys, dxs, dws] = run(s, 1) as [Float32Array, Float32Array, Float32Array];
      const rows = (a: Float32Array, n: number): Float32Array => a.subarray(s * n, (s + 1) * n);
      assert.ok(relError(rows(y, t * cout), ys) < 1e-5, `y of sample ${s}`);
      assert.ok(relError(rows(dx, t * cin), dxs) < 1e-5, `dx of sample ${s}`);
      dws.forEach((v, i) => (dwSum[i] = (dwSum[i] as number) + v));
    }
    assert.ok(relError(dw, dwSum) < 1e-4, 'dw is the sum of the samples');
    assert.ok(fftCount('Conv2DBackpropFilter') > fftBefore, 'the filter gradients took the native FFT route');
  },
);

test(
  'oneDNN conv1d forward/backward match cpu: paper layer geometries (shortened windows)',
  { skip },
  async () => {
    await setup();
    // the channels and kernels of the paper's six conv layers, 'same', on 48-sample windows
    let seed = 1;
    for (const [, cin, cout, k] of PAPER_CONV_LAYERS)
      await checkConv(1 + (seed % 2), 48, cin, k, cout, 'same', seed++);
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

test(
  'no tensor or buffer leak over 100 training steps of the paper network on wasm+oneDNN',
  { skip },
  async () => {
    await setup();
    const kernels = ['Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter', 'MaxPool', 'MaxPoolGrad'];
    const before = kernels.map(nativeCount);
    assertNoLeakOver100Steps('wasm+oneDNN', 256, seeded(15));
    kernels.forEach((k, i) => assert.ok(nativeCount(k) - (before[i] as number) >= 100, `${k} ran natively`));
  },
);

test(
  "addon rewrites of oneDNN's gemm fallbacks (explicit padding, backward data as forward, tap chunks) match a float64 reference",
  { skip },
  () => {
    const a = addon as Exclude<typeof addon, { loadError: string }>;
    // [B, T, Cin, K, Cout, padL, padR]: the paper's k32 'same' layer (every pass rewritten on AVX-512 oneDNN 2.6),
    // its k16 layer (backward weights in 2 chunks), an odd kernel with a ragged last chunk, and a valid conv.
    const cases: [number, number, number, number, number, number, number][] = [
      [2, 200, 32, 32, 32, 15, 16],
      [2, 150, 32, 16, 64, 7, 8],
      [1, 90, 16, 19, 24, 9, 9],
      [2, 120, 24, 21, 16, 0, 0],
    ];
    const impls = new Set<string>();
    const rnd = seeded(77);
    for (const g of cases) {
      const [B, T, Cin, K, Cout, pl, pr] = g;
      const To = T + pl + pr - K + 1;
      const geometry: FftConvGeometry = {
        batch: B,
        inSamples: T,
        outSamples: To,
        inChannels: Cin,
        outChannels: Cout,
        kernelSize: K,
        padLeft: pl,
      };
      const x = randArray(B * T * Cin, rnd);
      const w = randArray(K * Cin * Cout, rnd, 0.3);
      const dy = randArray(B * To * Cout, rnd);
      const ref = conv1dReference(geometry, x, w, dy);
      const y = new Float32Array(B * To * Cout).fill(NaN);
      const dx = new Float32Array(B * T * Cin).fill(NaN);
      const dw = new Float32Array(K * Cin * Cout).fill(NaN);
      // twice: the second call reuses the cached plans and padded buffers (their borders must still be zero)
      for (let rep = 0; rep < 2; rep++) {
        impls.add(a.conv1dForward(x, w, y, B, T, Cin, K, Cout, pl, pr, 1));
        impls.add(a.conv1dBackwardData(dy, w, dx, B, T, Cin, K, Cout, pl, pr, 1));
        impls.add(a.conv1dBackwardWeights(x, dy, dw, B, T, Cin, K, Cout, pl, pr, 1));
        const what = `[${g}] call ${rep}`;
        assert.ok(relError(y, ref.y) < 1e-5, `forward ${what}: ${relError(y, ref.y)}`);
        assert.ok(relError(dx, ref.dx) < 1e-5, `backward data ${what}: ${relError(dx, ref.dx)}`);
        assert.ok(relError(dw, ref.dw) < 1e-5, `backward weights ${what}: ${relError(dw, ref.dw)}`);
        x.set(randArray(x.length, rnd));
        dy.set(randArray(dy.length, rnd));
        Object.assign(ref, conv1dReference(geometry, x, w, dy));
      }
    }
    // On oneDNN builds where the rewrites apply (x86 AVX-512/AVX2 jit kernels), make sure they were exercised.
    const all = [...impls].join(' | ');
    if (/jit:avx/.test(all) && process.env.ECGSSL_DNNL_REWRITE !== '0') {
      assert.match(all, /explicit padding/, all);
      assert.match(all, /as forward/, all);
      assert.match(all, /tap chunks/, all);
    }
  },
);

test('native LeakyRelu, its gradient and leading-axes Sum (large tensors) match cpu', { skip }, async () => {
  await setup();
  const rnd = seeded(91);
  // above the 32768-element threshold where the wasm kernels hand the loops to the addon
  for (const [shape, alpha] of [
    [[3, 2000, 17], 0.2],
    [[2, 1100, 33], 0.01],
    [[70001], -0.5],
  ] as [number[], number][]) {
    const n = shape.reduce((p, q) => p * q, 1);
    const xv = randArray(n, rnd);
    for (let j = 0; j < n; j += 5) xv[j] = 0;
    xv[1] = NaN;
    const wv = randArray(n, rnd);
    const res = await onBoth(() => {
      const x = tf.tensor(xv, shape);
      const w = tf.tensor(wv, shape);
      const y = tf.leakyRelu(x, alpha);
      const g = tf.grad((a: tf.Tensor) => tf.leakyRelu(a, alpha).mul(w).sum())(
        tf.tensor(
          xv.map((v) => (Number.isNaN(v) ? 1 : v)),
          shape,
        ),
      );
      const lead = shape.length > 1 ? tf.sum(w, [0, 1]) : tf.sum(w);
      const lead2 = tf.sum(w, shape.length > 1 ? [1, 0] : [0], true);
      const biased = tf.add(
        tf.tensor(
          xv.map((v) => (Number.isNaN(v) ? 1 : v)),
          shape,
        ),
        tf.slice(w, 0, shape.length > 1 ? [1, 1, shape[2] as number] : [1]),
      );
      const gmax = shape.length > 2 ? tf.max(w, 1) : tf.max(w);
      return [y.where(tf.logicalNot(tf.isNaN(y)), tf.scalar(-7)), g, lead, lead2, biased, gmax];
    });
    assertClose(res, `native elementwise [${shape}] alpha ${alpha}`, 1e-4);
    await tf.setBackend('wasm');
    assert.ok(Number.isNaN(tf.leakyRelu(tf.tensor(xv, shape), alpha).dataSync()[1]), 'NaN must propagate');
  }
});
