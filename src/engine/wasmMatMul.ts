// BatchMatMul on wasm for the transposed/batched cases: tfjs-backend-wasm's blocked loop, same sums, ~5x faster.
import type * as tfNs from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { originalWasmKernel, replaceWasmKernel } from './kernelRegistry.js';
import { LOOP_OPS, leb, section } from './wasmBinary.js';

type Tf = typeof tfNs;
type TensorInfo = tfNs.TensorInfo;
type KernelFunc = tfNs.KernelFunc;

/** Shared-dimension block of tfjs-backend-wasm's `slow_batch_matmul` (batch_mat_mul_impl.cc, kBlockSize). */
export const WASM_MATMUL_BLOCK = 48;

/** Geometry of one {@link blockedMatMul} call: out[batch, left, right] = A[batch, left, shared] · B[batch, shared, right]. */
export interface MatMulDims {
  batch: number;
  left: number;
  shared: number;
  right: number;
  /** a is stored [batch, shared, left] (A transposed) instead of [batch, left, shared]. */
  transposeA: boolean;
  /** b is stored [batch, right, shared] (B transposed) instead of [batch, shared, right]. */
  transposeB: boolean;
}

/**
 * The arithmetic of tfjs-backend-wasm's `slow_batch_matmul` (the kernel its BatchMatMul runs whenever an operand is
 * transposed or batched, i.e. every gradient of a dense layer), bit for bit: each output element is the float32 sum,
 * over the shared dimension in blocks of {@link WASM_MATMUL_BLOCK} (in order), of each block's float32 partial sum
 * (products rounded to float32, added in k order from +0), without fused multiply-adds. Only the loop order differs:
 * a block's partial sums run for a whole output row at once over a row of B (B transposed into a scratch row-major
 * copy first when `transposeB`), which JIT-compiles to sequential memory access instead of the original's strided
 * one. Writes `out` (length batch * left * right); `scratch` must hold right + (transposeB ? shared * right : 0).
 */
export function blockedMatMul(
  a: Float32Array,
  b: Float32Array,
  out: Float32Array,
  d: MatMulDims,
  scratch: Float32Array,
): void {
  const { batch, left, shared, right } = d;
  const acc = scratch.subarray(0, right);
  const bt = d.transposeB ? scratch.subarray(right, right + shared * right) : null;
  for (let n = 0; n < batch; n++) {
    const aOff = n * left * shared;
    let bRows = b;
    let bOff = n * shared * right;
    if (bt) {
      for (let j = 0; j < right; j++)
        for (let k = 0; k < shared; k++) bt[k * right + j] = b[bOff + j * shared + k] as number;
      bRows = bt;
      bOff = 0;
    }
    // A(i, k) = a[aOff + i * aI + k * aK]
    const aI = d.transposeA ? 1 : shared;
    const aK = d.transposeA ? left : 1;
    for (let i = 0; i < left; i++) {
      const o = (n * left + i) * right;
      out.fill(0, o, o + right);
      for (let k0 = 0; k0 < shared; k0 += WASM_MATMUL_BLOCK) {
        const k1 = Math.min(k0 + WASM_MATMUL_BLOCK, shared);
        acc.fill(0);
        for (let k = k0; k < k1; k++) {
          const av = a[aOff + i * aI + k * aK] as number;
          const r = bOff + k * right;
          // Float32Array stores round: acc = fl(acc + fl(av * b)), as float arithmetic without FMA.
          for (let j = 0; j < right; j++)
            acc[j] = (acc[j] as number) + Math.fround(av * (bRows[r + j] as number));
        }
        for (let j = 0; j < right; j++) out[o + j] = (out[o + j] as number) + (acc[j] as number);
      }
    }
  }
}

/** The wasm instructions {@link mmBody} uses (opcodes of the binary format, SIMD ones after the 0xfd prefix). */
const op = {
  ...LOOP_OPS,
  /** i32.const of 0..63 (one signed-LEB128 byte). */
  i32: (v: number) => [0x41, v],
  shl: [0x74],
  eqz: [0x45],
  f32Load: [0x2a, 2, 0],
  v128Load: (offset: number) => [0xfd, 0x00, 4, ...leb(offset)],
  v128Store: (offset: number) => [0xfd, 0x0b, 4, ...leb(offset)],
  v128Zero: [0xfd, 0x0c, ...new Array<number>(16).fill(0)],
  splat: [0xfd, 0x13],
  f32x4Add: [0xfd, 0xe4, 0x01],
  f32x4Mul: [0xfd, 0xe6, 0x01],
};

/**
 * The body of the SIMD kernel `mm(aPtr, aStep, bPtr, rightPad, kCount, outPtr)` (byte addresses; rightPad a multiple
 * of 16 floats): for each 16-column chunk of one output row, four f32x4 accumulators start at +0 and add, for k =
 * 0..kCount-1 in order, splat(A[aPtr + k*aStep]) * B[bPtr + k*rightPad*4 + chunk] (f32x4.mul then f32x4.add: two
 * roundings, as the scalar float loop); then out[chunk] += accumulators. Locals: 0-5 params, 6 jc, 7 k, 8 p, 9 q,
 * 10 rowBytes, 11 o (i32); 12-15 acc0-3, 16 av (v128).
 */
function mmBody(): number[] {
  const { get, set } = op;
  const quads = (f: (q: number) => number[]): number[] => [0, 1, 2, 3].flatMap(f);
  // prettier-ignore
  const code = [
    ...get(3), ...op.i32(2), ...op.shl, ...set(10), // rowBytes = rightPad << 2
    ...op.i32(0), ...set(6), // jc = 0 (byte offset of the column chunk)
    ...op.loop,
    ...get(6), ...get(10), ...op.geU, ...op.exitIf, // while jc < rowBytes
    ...quads((q) => [...op.v128Zero, ...set(12 + q)]), // acc = +0
    ...get(0), ...set(8), ...get(2), ...get(6), ...op.add, ...set(9), ...get(4), ...set(7), // p, q, k
    ...op.loop,
    ...get(7), ...op.eqz, ...op.exitIf, // while k > 0
    ...get(8), ...op.f32Load, ...op.splat, ...set(16), // av = splat(A at p)
    ...quads((q) => [...get(12 + q), ...get(16), ...get(9), ...op.v128Load(16 * q), ...op.f32x4Mul, ...op.f32x4Add, ...set(12 + q)]),
    ...get(8), ...get(1), ...op.add, ...set(8), ...get(9), ...get(10), ...op.add, ...set(9), // p += aStep; q += rowBytes
    ...get(7), ...op.i32(1), ...op.sub, ...set(7), ...op.next, // k -= 1
    ...op.end,
    ...get(5), ...get(6), ...op.add, ...set(11), // o = outPtr + jc
    ...quads((q) => [...get(11), ...get(11), ...op.v128Load(16 * q), ...get(12 + q), ...op.f32x4Add, ...op.v128Store(16 * q)]),
    ...get(6), 0x41, 0xc0, 0x00, ...op.add, ...set(6), ...op.next, // jc += 64 (signed LEB128 0xc0 0x00)
    ...op.end,
    0x0b, // end of function
  ];
  const locals = [2, 6, 0x7f, 5, 0x7b]; // 6 x i32, 5 x v128
  return [...leb(locals.length + code.length), ...locals, ...code];
}

/** The SIMD kernel module: type (6 x i32) -> (), one function `mm`, one exported memory `mem`. */
function mmModuleBytes(): Uint8Array {
  const name = (s: string) => [...leb(s.length), ...[...s].map((c) => c.charCodeAt(0))];
  const i32 = 0x7f;
  // prettier-ignore
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
    ...section(1, [1, 0x60, 6, i32, i32, i32, i32, i32, i32, 0]), // types: (6 x i32) -> ()
    ...section(3, [1, 0]), // functions: mm of type 0
    ...section(5, [1, 0, 1]), // memories: one, 1 page initially, no maximum
    ...section(7, [2, ...name('mm'), 0, 0, ...name('mem'), 2, 0]), // exports
    ...section(10, [1, ...mmBody()]), // code
  ]);
}

/** The part of the WebAssembly global used here (lib ES2023 without DOM does not declare it). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (m: object, imports: object) => { exports: Record<string, unknown> };
}

/** A matmul with {@link blockedMatMul}'s signature and results. */
export type MatMulFn = (a: Float32Array, b: Float32Array, out: Float32Array, d: MatMulDims) => void;

/**
 * {@link blockedMatMul} on wasm SIMD (4 lanes, 16 columns per pass): per batch, A is copied as is, B row-major
 * with rows padded to a multiple of 16 floats (zeros), and the output rows are computed in the module's own memory
 * (one call per row and shared-dimension block) and copied out. Bit-identical to blockedMatMul; about 10-20x faster.
 * Returns null where WebAssembly SIMD does not compile.
 */
export function createSimdMatMul(): MatMulFn | null {
  const wasm = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
  let exports: Record<string, unknown>;
  try {
    exports = new wasm!.Instance(new wasm!.Module(mmModuleBytes()), {}).exports;
  } catch {
    return null;
  }
  const mem = exports.mem as { readonly buffer: ArrayBuffer; grow(pages: number): number };
  const mm = exports.mm as (...args: number[]) => void;
  return (a, b, out, d) => {
    const { batch, left, shared, right } = d;
    const pad = Math.ceil(right / 16) * 16;
    const aLen = left * shared;
    const bBase = aLen; // float offsets in the module memory: A, B (padded), out (padded)
    const oBase = bBase + shared * pad;
    const bytes = (oBase + left * pad) * 4;
    if (mem.buffer.byteLength < bytes) mem.grow(Math.ceil((bytes - mem.buffer.byteLength) / 65536));
    const f = new Float32Array(mem.buffer);
    const aI = d.transposeA ? 1 : shared;
    const aK = d.transposeA ? left : 1;
    for (let n = 0; n < batch; n++) {
      f.set(a.subarray(n * aLen, (n + 1) * aLen), 0);
      const bOff = n * shared * right;
      f.fill(0, bBase, bBase + shared * pad + left * pad);
      for (let k = 0; k < shared; k++) {
        const row = bBase + k * pad;
        if (!d.transposeB) f.set(b.subarray(bOff + k * right, bOff + (k + 1) * right), row);
        else for (let j = 0; j < right; j++) f[row + j] = b[bOff + j * shared + k] as number;
      }
      for (let i = 0; i < left; i++)
        for (let k0 = 0; k0 < shared; k0 += WASM_MATMUL_BLOCK)
          mm(
            (i * aI + k0 * aK) * 4,
            aK * 4,
            (bBase + k0 * pad) * 4,
            pad,
            Math.min(WASM_MATMUL_BLOCK, shared - k0),
            (oBase + i * pad) * 4,
          );
      for (let i = 0; i < left; i++)
        out.set(f.subarray(oBase + i * pad, oBase + i * pad + right), (n * left + i) * right);
    }
  };
}

/** Batch size and the last two dimensions of an operand. */
function dims3(t: TensorInfo): [number, number, number] {
  const s = t.shape;
  const r = s.length;
  let batch = 1;
  for (let i = 0; i < r - 2; i++) batch *= s[i] as number;
  return [batch, s[r - 2] as number, s[r - 1] as number];
}

/** Both operands of rank >= 2 with the same leading (batch) dimensions: no broadcasting. */
function sameBatchDims(a: readonly number[], b: readonly number[]): boolean {
  return a.length >= 2 && a.length === b.length && a.slice(0, -2).every((v, i) => v === b[i]);
}

/**
 * The BatchMatMul kernel: {@link blockedMatMul}'s sums (on wasm SIMD, {@link createSimdMatMul}, where it compiles)
 * where the stock kernel would take its slow loop (an operand transposed or batched, float32, the same batch
 * dimensions); the stock kernel otherwise (XNNPACK's plain matmul, broadcast batches, errors).
 */
function batchMatMulKernel(stock: KernelFunc, simd: MatMulFn | null): KernelFunc {
  let scratch = new Float32Array(0);
  return (p) => {
    const { a, b } = p.inputs as { a: TensorInfo; b: TensorInfo };
    const { transposeA, transposeB } = p.attrs as { transposeA: boolean; transposeB: boolean };
    if (!sameBatchDims(a.shape, b.shape) || a.dtype !== 'float32' || b.dtype !== 'float32') return stock(p);
    const [batch, a1, a2] = dims3(a);
    const [, b1, b2] = dims3(b);
    const shared = transposeA ? a1 : a2;
    if ((!transposeA && !transposeB && batch === 1) || shared !== (transposeB ? b2 : b1)) return stock(p);
    const left = transposeA ? a2 : a1;
    const right = transposeB ? b1 : b2;
    const outShape = [...a.shape.slice(0, -2), left, right];
    const backend = p.backend as BackendWasm;
    const out = backend.makeOutput(outShape, 'float32');
    // Views after makeOutput: a growth of the wasm heap detaches earlier ones.
    const view = (t: TensorInfo): Float32Array => backend.typedArrayFromHeap(t) as Float32Array;
    const d = { batch, left, shared, right, transposeA, transposeB };
    if (simd) simd(view(a), view(b), view(out), d);
    else {
      const need = right + (transposeB ? shared * right : 0);
      if (scratch.length < need) scratch = new Float32Array(need);
      blockedMatMul(view(a), view(b), view(out), d, scratch);
    }
    return out;
  };
}

let simdMatMul: MatMulFn | null | undefined;

/**
 * Replaces the wasm backend's BatchMatMul with {@link batchMatMulKernel} (the stock kernel for the cases it leaves);
 * `simd` false keeps the scalar {@link blockedMatMul} (for tests). Returns whether the SIMD kernel is used.
 */
export function registerWasmMatMul(t: Tf, simd = true): boolean {
  if (simd) simdMatMul ??= createSimdMatMul();
  const fn = simd ? simdMatMul! : null;
  replaceWasmKernel(t, 'BatchMatMul', batchMatMulKernel(originalWasmKernel(t, 'BatchMatMul'), fn));
  return fn !== null;
}
