// The wasm BatchMatMul replacement: bit-identical to tfjs-backend-wasm's own kernel (SIMD and scalar), and used.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { originalWasmKernel, replaceWasmKernel } from '../../src/engine/kernelRegistry.js';
import {
  blockedMatMul,
  createSimdMatMul,
  registerWasmMatMul,
  type MatMulDims,
} from '../../src/engine/wasmMatMul.js';
import { randArray, seeded, setupBackends } from './helpers.js';

/** [batch, left, shared, right, transposeA, transposeB]: dense gradients, odd sizes, several 48-blocks, empty. */
const CASES: readonly [number, number, number, number, boolean, boolean][] = [
  [1, 64, 128, 96, true, false], // dW = x^T dy
  [1, 32, 130, 70, false, true], // dx = dy W^T (130: three blocks of 48, the last partial)
  [3, 7, 50, 9, false, false], // batched, no transpose
  [2, 17, 97, 33, true, true],
  [1, 1, 1, 1, true, false],
  [1, 5, 0, 4, false, true], // shared dimension 0: zeros
];

/** Values over several magnitudes, with a NaN, an infinity and a negative zero. */
function operand(n: number, rnd: () => number): Float32Array {
  const v = randArray(n, rnd).map((x) => x * 10 ** Math.floor(rnd() * 6 - 3));
  if (n > 10) [v[3], v[5], v[7]] = [Number.NaN, Number.POSITIVE_INFINITY, -0];
  return v;
}

function sameBits(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  assert.equal(a.length, b.length, what);
  for (let i = 0; i < a.length; i++)
    assert.ok(Object.is(a[i], b[i]), `${what}: element ${i} is ${a[i]}, the stock kernel gives ${b[i]}`);
}

/** `fn()` with the BatchMatMul kernel `kernel` registered on wasm (the project's one restored after). */
function matMulWithKernel<T>(kernel: tf.KernelFunc, fn: () => T): T {
  const ours = tf.getKernel('BatchMatMul', 'wasm')!.kernelFunc;
  replaceWasmKernel(tf, 'BatchMatMul', kernel);
  try {
    return fn();
  } finally {
    replaceWasmKernel(tf, 'BatchMatMul', ours);
  }
}

/** tf.matMul's values with the BatchMatMul kernel `kernel` registered on wasm. */
function matMulWith(
  kernel: tf.KernelFunc,
  a: tf.Tensor,
  b: tf.Tensor,
  tA: boolean,
  tB: boolean,
): Float32Array {
  return matMulWithKernel(kernel, () => tf.tidy(() => tf.matMul(a, b, tA, tB).dataSync() as Float32Array));
}

test('blockedMatMul and the SIMD kernel give the stock wasm BatchMatMul bit for bit', async () => {
  await setupBackends();
  const stock = originalWasmKernel(tf, 'BatchMatMul');
  const simd = createSimdMatMul();
  assert.ok(simd, 'WebAssembly SIMD compiles on Node >= 20');
  const rnd = seeded(17);
  for (const [batch, left, shared, right, transposeA, transposeB] of CASES) {
    const av = operand(batch * left * shared, rnd);
    const bv = operand(batch * shared * right, rnd);
    const a = tf.tensor(av, transposeA ? [batch, shared, left] : [batch, left, shared]);
    const b = tf.tensor(bv, transposeB ? [batch, right, shared] : [batch, shared, right]);
    const ref = matMulWith(stock, a, b, transposeA, transposeB);
    const d: MatMulDims = { batch, left, shared, right, transposeA, transposeB };
    const what = `[${batch}, ${left}, ${shared}, ${right}] tA ${transposeA} tB ${transposeB}`;
    const scalar = new Float32Array(batch * left * right).fill(7);
    blockedMatMul(av, bv, scalar, d, new Float32Array(right + shared * right));
    sameBits(scalar, ref, `${what} scalar`);
    const fast = new Float32Array(batch * left * right).fill(7);
    simd(av, bv, fast, d);
    sameBits(fast, ref, `${what} simd`);
    sameBits(
      tf.tidy(() => tf.matMul(a, b, transposeA, transposeB).dataSync()),
      ref,
      `${what} kernel`,
    );
    tf.dispose([a, b]);
  }
});

test('a dense layer trains to the same bits with the replacement kernel (SIMD and scalar) as with the stock one', async () => {
  await setupBackends();
  const rnd = seeded(5);
  const x = tf.tensor2d(randArray(40 * 24, rnd), [40, 24]);
  const w = tf.tensor2d(randArray(24 * 60, rnd), [24, 60]);
  const grads = (): Float32Array[] =>
    tf.tidy(() => {
      const g = tf.grads((xi: tf.Tensor, wi: tf.Tensor) => tf.relu(tf.matMul(xi, wi)).square().sum());
      return g([x, w]).map((t) => t.dataSync() as Float32Array);
    });
  const ours = grads();
  const stock = matMulWithKernel(originalWasmKernel(tf, 'BatchMatMul'), grads);
  registerWasmMatMul(tf, false);
  const scalar = grads();
  assert.equal(registerWasmMatMul(tf), true, 'the SIMD kernel is registered again');
  for (let i = 0; i < 2; i++) {
    sameBits(ours[i]!, stock[i]!, `gradient ${i}`);
    sameBits(scalar[i]!, stock[i]!, `gradient ${i} (scalar)`);
  }
  tf.dispose([x, w]);
});

test('the replacement leaves the plain matmul (no transpose, no batch) to the stock XNNPACK kernel', async () => {
  await setupBackends();
  const rnd = seeded(9);
  const p = tf.tensor2d(randArray(8 * 200, rnd), [8, 200]);
  const q = tf.tensor2d(randArray(200 * 16, rnd), [200, 16]);
  const stock = originalWasmKernel(tf, 'BatchMatMul');
  sameBits(
    tf.tidy(() => tf.matMul(p, q).dataSync()),
    matMulWith(stock, p, q, false, false),
    'plain matmul',
  );
  tf.dispose([p, q]);
});
