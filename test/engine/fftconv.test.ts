import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { FftConvEngine, planFftConv, type FftConvGeometry } from '../../src/engine/fftconv/fftconv.js';
import { FFTCONV_SOURCE_SHA256, FFTCONV_WASM_BASE64 } from '../../src/engine/fftconv/fftconvWasm.js';
import {
  FFTCONV_MIN_FLOP_RATIO,
  fftConvStats,
  registerFftConvKernels,
} from '../../src/engine/fftconv/registerFftConvKernels.js';
import {
  assertClose,
  assertNoLeakOver100Steps,
  conv1dReference,
  onBoth,
  PAPER_CONV_LAYERS,
  paperNetworkGradsOnBoth,
  randArray,
  relError,
  seeded,
  setupBackends,
} from './helpers.js';

test('FFT convolution, input and filter gradients match a float64 reference (same/valid, odd sizes, 1-2 threads)', async () => {
  const rnd = seeded(5);
  const cases: [number, number, number, number, number, 'same' | 'valid'][] = [
    // [batch, samples, cin, cout, kernel, padding]
    [1, 50, 4, 4, 5, 'same'],
    [2, 100, 4, 8, 8, 'same'],
    [3, 257, 8, 4, 32, 'same'],
    [5, 300, 16, 12, 16, 'valid'],
    [2, 40, 4, 4, 16, 'same'], // shorter than one tile
    [1, 9, 4, 8, 9, 'valid'], // a single output sample
    [4, 333, 12, 8, 7, 'valid'],
  ];
  for (const threads of [1, 2]) {
    const eng = FftConvEngine.create(threads);
    try {
      for (const [B, L, Ci, Co, K, pad] of cases) {
        const Lo = pad === 'same' ? L : L - K + 1;
        const g: FftConvGeometry = {
          batch: B,
          inSamples: L,
          outSamples: Lo,
          inChannels: Ci,
          outChannels: Co,
          kernelSize: K,
          padLeft: pad === 'same' ? Math.floor((K - 1) / 2) : 0,
        };
        const x = randArray(B * L * Ci, rnd);
        const w = randArray(K * Ci * Co, rnd, 0.3);
        const dy = randArray(B * Lo * Co, rnd);
        const ref = conv1dReference(g, x, w, dy);
        const y = new Float32Array(B * Lo * Co);
        const dx = new Float32Array(B * L * Ci);
        const dw = new Float32Array(K * Ci * Co);
        eng.conv(g, x, w, y);
        eng.convInputGrad(g, dy, w, dx);
        eng.convFilterGrad(g, x, dy, dw);
        const what = `${threads} thread(s) b${B} L${L} ${Ci}->${Co} k${K} ${pad}`;
        for (const [name, got, want] of [
          ['y', y, ref.y],
          ['dx', dx, ref.dx],
          ['dw', dw, ref.dw],
        ] as const) {
          const e = relError(got, Float32Array.from(want));
          assert.ok(e < 1e-5, `${what} ${name}: relative error ${e}`);
        }
      }
    } finally {
      await eng.dispose();
    }
  }
});

test('FftConvEngine works on after its worker threads end, and rejects a bad thread count', async () => {
  const eng = FftConvEngine.create(2);
  await eng.dispose();
  const g: FftConvGeometry = {
    batch: 2,
    inSamples: 64,
    outSamples: 64,
    inChannels: 4,
    outChannels: 4,
    kernelSize: 8,
    padLeft: 3,
  };
  const rnd = seeded(9);
  const x = randArray(2 * 64 * 4, rnd);
  const w = randArray(8 * 16, rnd);
  const y = new Float32Array(2 * 64 * 4);
  eng.conv(g, x, w, y);
  assert.ok(relError(y, Float32Array.from(conv1dReference(g, x, w, new Float32Array(y.length)).y)) < 1e-5);
  assert.throws(() => FftConvEngine.create(0), /threads must be a positive integer, got 0/);
});

test('the planner saves at least 3.5x the FLOPs on every paper layer except the first (METHOD.md network)', () => {
  for (const [L, Ci, Co, K] of PAPER_CONV_LAYERS.slice(1)) {
    const p = planFftConv({
      batch: 32,
      inSamples: L,
      outSamples: L,
      inChannels: Ci,
      outChannels: Co,
      kernelSize: K,
      padLeft: Math.floor((K - 1) / 2),
    });
    assert.ok(
      p.directFlops / p.fftFlops > 3.5,
      `${L}x${Ci}->${Co} k${K}: ratio ${p.directFlops / p.fftFlops}`,
    );
    assert.ok(p.n > K && (p.n & (p.n - 1)) === 0 && p.hop === p.n - K + 1);
    assert.ok(p.tiles * p.hop >= L && (p.tiles - 1) * p.hop < L);
  }
  assert.ok(FFTCONV_MIN_FLOP_RATIO > 1);
});

test('registered wasm kernels take the FFT route at the paper shapes and match the cpu backend', async () => {
  await setupBackends();
  registerFftConvKernels(tf, { threads: 2 });
  const rnd = seeded(3);
  const b = 1;
  // All but the fourth layer (1277 samples, 64->64 k16). The first, with one input channel, is passed on: its
  // forward to the XNNPACK kernels, its gradients to registerWasmKernels' kernels.
  for (const [w, cin, cout, k] of PAPER_CONV_LAYERS.filter((_, i) => i !== 3)) {
    const xv = randArray(b * w * cin, rnd);
    const wv = randArray(k * cin * cout, rnd, 0.3);
    const dyv = randArray(b * w * cout, rnd);
    const before = { ...fftConvStats };
    const r = await onBoth(() => {
      const x = tf.tensor4d(xv, [b, 1, w, cin]);
      const f = tf.tensor4d(wv, [1, k, cin, cout]);
      const dy = tf.tensor4d(dyv, [b, 1, w, cout]);
      const [, dW] = tf.grads((a: tf.Tensor, c: tf.Tensor) =>
        tf
          .conv2d(a as tf.Tensor4D, c as tf.Tensor4D, 1, 'same')
          .mul(dy)
          .sum(),
      )([x, f]);
      return [
        tf.conv2d(x, f, 1, 'same'),
        tf.conv2dTranspose(dy, f, [b, 1, w, cin], 1, 'same'),
        dW as tf.Tensor,
      ];
    });
    assertClose(r, `paper conv ${w}x${cin}->${cout} k${k}`);
    const routed = cin % 4 === 0;
    assert.equal(fftConvStats.forward - before.forward >= 2, routed, `forward routed (${cin} channels)`);
    assert.equal(fftConvStats.inputGrad - before.inputGrad >= 1, routed);
    assert.equal(fftConvStats.filterGrad - before.filterGrad >= 1, routed);
  }
  // A strided convolution is passed on.
  const passed = fftConvStats.passedOn;
  tf.tidy(() =>
    tf.conv2d(tf.ones([1, 1, 64, 4]) as tf.Tensor4D, tf.ones([1, 8, 4, 4]) as tf.Tensor4D, 2, 'same'),
  );
  assert.equal(fftConvStats.passedOn, passed + 1);
});

test('paper network with FFT convolutions: loss and all gradients match the cpu backend', async () => {
  await setupBackends();
  registerFftConvKernels(tf, { threads: 2 });
  const rnd = seeded(11);
  const windowSamples = 256;
  const B = 2;
  const xv = randArray(B * windowSamples, rnd);
  const calls = fftConvStats.forward;
  const r = await paperNetworkGradsOnBoth(xv, B, windowSamples, rnd);
  assert.ok(
    fftConvStats.forward - calls >= 5,
    'the network ran its 5 multi-channel convolutions through the FFT',
  );
  assertClose(r, 'paper network gradients (FFT convolutions)', 1e-3);
});

test('no tensor or buffer leak over 100 training steps with FFT convolutions', async () => {
  await setupBackends();
  registerFftConvKernels(tf, { threads: 2 });
  const calls = [fftConvStats.forward, fftConvStats.inputGrad, fftConvStats.filterGrad];
  assertNoLeakOver100Steps('wasm + FFT convolutions', 256, seeded(14));
  assert.ok(fftConvStats.forward - (calls[0] as number) >= 500, 'forward convolutions took the FFT route');
  assert.ok(fftConvStats.inputGrad - (calls[1] as number) >= 400, 'input gradients took the FFT route');
  assert.ok(fftConvStats.filterGrad - (calls[2] as number) >= 400, 'filter gradients took the FFT route');
});

test('the inlined module was compiled from the current fftconv.c (and rebuilds to the same bytes where clang exists)', () => {
  const src = readFileSync(new URL('../../native/fftconv/fftconv.c', import.meta.url));
  assert.equal(
    FFTCONV_SOURCE_SHA256,
    createHash('sha256').update(src).digest('hex'),
    'fftconv.c changed: run `node scripts/build-fftconv.mjs`',
  );
  let haveClang = true;
  try {
    execFileSync('clang', ['--version'], { stdio: 'ignore' });
    execFileSync('llvm-objdump', ['--version'], { stdio: 'ignore' });
  } catch {
    haveClang = false;
  }
  if (!haveClang) return; // the hash check above still ties the bytes to the source
  const script = new URL('../../scripts/build-fftconv.mjs', import.meta.url).pathname;
  const out = execFileSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `import { compileFftConv } from ${JSON.stringify(script)}; process.stdout.write(Buffer.from(compileFftConv()).toString('base64'));`,
    ],
    { encoding: 'utf8' },
  );
  assert.equal(out, FFTCONV_WASM_BASE64);
});
