// Small wasm SIMD loops in place on the tfjs wasm heap (Adam, Max grad, LeakyReLU, Sum, max-pool grad), same values.
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { AdamScalars } from './fusedAdam.js';
import { LOOP_OPS, leb, section } from './wasmBinary.js';

const name = (s: string): number[] => [...leb(s.length), ...[...s].map((c) => c.charCodeAt(0))];

/** Opcodes of the binary format used below (SIMD ones after the 0xfd prefix; f32x4 arithmetic is IEEE float32). */
const op = {
  ...LOOP_OPS,
  load: [0xfd, 0x00, 4, 0],
  store: [0xfd, 0x0b, 4, 0],
  zero: [0xfd, 0x0c, ...new Array<number>(16).fill(0)],
  splat: [0xfd, 0x13],
  eq: [0xfd, 0x41],
  and: [0xfd, 0x4e],
  sqrt: [0xfd, 0xe3, 0x01],
  fadd: [0xfd, 0xe4, 0x01],
  fsub: [0xfd, 0xe5, 0x01],
  fmul: [0xfd, 0xe6, 0x01],
  fdiv: [0xfd, 0xe7, 0x01],
  one: [0x43, 0x00, 0x00, 0x80, 0x3f], // f32.const 1
  one64: [0x44, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f], // f64.const 1
  splat64: [0xfd, 0x14],
  promote: [0xfd, 0x5f], // f64x2.promote_low_f32x4
  demote: [0xfd, 0x5e], // f32x4.demote_f64x2_zero (round to nearest even, as a Float32Array store)
  gt64: [0xfd, 0x4a],
  bitselect: [0xfd, 0x52],
  mul64: [0xfd, 0xf2, 0x01],
  add64: [0xfd, 0xf0, 0x01],
  load16: [0xfd, 0x00, 4, 16], // v128.load at offset 16
  mul: [0x6c],
  gtS: [0x4a],
  ltS: [0x48],
  geS: [0x4e],
  select: [0x1b],
  gt: [0xfd, 0x44], // f32x4.gt
  splat32: [0xfd, 0x11], // i32x4.splat
  iadd: [0xfd, 0xae, 0x01], // i32x4.add
  store16: [0xfd, 0x0b, 4, 16],
  max64: [0xfd, 0xf5, 0x01],
  /** i8x16.shuffle: the two high floats of the first operand into the low half. */
  high: [0xfd, 0x0d, 8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15],
  /** i8x16.shuffle: the low halves of both operands (two floats each) into one vector. */
  join: [0xfd, 0x0d, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23],
};

/** `local.get base; local.get i; i32.add; v128.load`. */
const loadAt = (base: number, i: number): number[] => [...op.get(base), ...op.get(i), ...op.add, ...op.load];
const inc16 = (i: number): number[] => [...op.get(i), 0x41, 16, ...op.add, ...op.set(i)];

/**
 * adam(value, m, v, g, out, mOut, vOut, nBytes, b1, c1, b2, c2, oma1, oma2, eps, negLr), four floats per pass: m' =
 * m b1 + g c1, v' = v b2 + (g g) c2, out = (m' / oma1) / (sqrt(v' / oma2) + eps) * negLr + value, each operation
 * rounded to float32 as tfjs' element-wise kernels do. Locals: 16 i; 17-24 the splatted scalars; 25 g; 26 m'; 27 v'.
 */
function adamBody(): number[] {
  const S = (k: number) => op.get(17 + k);
  // prettier-ignore
  const code = [
    ...[0, 1, 2, 3, 4, 5, 6, 7].flatMap((k) => [...op.get(8 + k), ...op.splat, ...op.set(17 + k)]),
    0x41, 0, ...op.set(16),
    ...op.loop,
    ...op.get(16), ...op.get(7), ...op.geU, ...op.exitIf,
    ...loadAt(3, 16), ...op.set(25),
    ...loadAt(1, 16), ...S(0), ...op.fmul, ...op.get(25), ...S(1), ...op.fmul, ...op.fadd, ...op.set(26),
    ...loadAt(2, 16), ...S(2), ...op.fmul, ...op.get(25), ...op.get(25), ...op.fmul, ...S(3), ...op.fmul, ...op.fadd, ...op.set(27),
    ...op.get(5), ...op.get(16), ...op.add, ...op.get(26), ...op.store,
    ...op.get(6), ...op.get(16), ...op.add, ...op.get(27), ...op.store,
    ...op.get(4), ...op.get(16), ...op.add,
    ...op.get(26), ...S(4), ...op.fdiv,
    ...op.get(27), ...S(5), ...op.fdiv, ...op.sqrt, ...S(6), ...op.fadd,
    ...op.fdiv, ...S(7), ...op.fmul, ...loadAt(0, 16), ...op.fadd,
    ...op.store,
    ...inc16(16), ...op.next,
    ...op.end,
    0x0b,
  ];
  const locals = [2, 1, 0x7f, 11, 0x7b]; // 1 x i32, 11 x v128
  return [...leb(locals.length + code.length), ...locals, ...code];
}

/**
 * maxGrad(dy, x, y, dx, mid, innerBytes): for the mid rows of x and dx (innerBytes each, a multiple of 16) against
 * the one row of dy and y: dx = dy * ((x - y) == 0 ? 1 : 0), four floats per pass. Locals: 6 m, 7 j, 8 row offset
 * (i32); 9 splat(1), 10 zero (v128).
 */
function maxGradBody(): number[] {
  // prettier-ignore
  const code = [
    ...op.one, ...op.splat, ...op.set(9), ...op.zero, ...op.set(10),
    0x41, 0, ...op.set(6), 0x41, 0, ...op.set(8),
    ...op.loop,
    ...op.get(6), ...op.get(4), ...op.geU, ...op.exitIf,
    0x41, 0, ...op.set(7),
    ...op.loop,
    ...op.get(7), ...op.get(5), ...op.geU, ...op.exitIf,
    ...op.get(3), ...op.get(8), ...op.add, ...op.get(7), ...op.add,
    ...loadAt(0, 7),
    ...op.get(1), ...op.get(8), ...op.add, ...op.get(7), ...op.add, ...op.load,
    ...loadAt(2, 7), ...op.fsub, ...op.get(10), ...op.eq, ...op.get(9), ...op.and,
    ...op.fmul, ...op.store,
    ...inc16(7), ...op.next,
    ...op.end,
    ...op.get(8), ...op.get(5), ...op.add, ...op.set(8),
    ...op.get(6), 0x41, 1, ...op.add, ...op.set(6), ...op.next,
    ...op.end,
    0x0b,
  ];
  const locals = [2, 3, 0x7f, 2, 0x7b]; // 3 x i32, 2 x v128
  return [...leb(locals.length + code.length), ...locals, ...code];
}

/**
 * `[x]` as float64 pairs through `f` (code leaving one f64x2 from the pair in local `pair`), back to float32: the
 * low pair, the high pair, joined. For the JS loops' float64 arithmetic on float32 values, stored rounded.
 */
function perPair(x: number[], pair: number, f: number[]): number[] {
  return [
    ...x,
    ...op.promote,
    ...op.set(pair),
    ...f,
    ...op.demote,
    ...x,
    ...x,
    ...op.high,
    ...op.promote,
    ...op.set(pair),
    ...f,
    ...op.demote,
    ...op.join,
  ];
}

/**
 * leakyRelu(x, y, nBytes, alpha: f64): y = fround(max(v, alpha * v)) in float64, as ./wasmElementwise.ts'
 * leakyReluLoop for 0 <= alpha <= 1. Locals: 4 i; 5 splat(alpha); 6 a pair (v128).
 */
function leakyReluBody(): number[] {
  // prettier-ignore
  const code = [
    ...op.get(3), ...op.splat64, ...op.set(5), 0x41, 0, ...op.set(4),
    ...op.loop,
    ...op.get(4), ...op.get(2), ...op.geU, ...op.exitIf,
    ...op.get(1), ...op.get(4), ...op.add,
    ...perPair(loadAt(0, 4), 6, [...op.get(6), ...op.get(5), ...op.get(6), ...op.mul64, ...op.max64]),
    ...op.store,
    ...inc16(4), ...op.next,
    ...op.end,
    0x0b,
  ];
  const locals = [2, 1, 0x7f, 2, 0x7b];
  return [...leb(locals.length + code.length), ...locals, ...code];
}

/**
 * leakyReluGrad(x, dy, dx, nBytes, alpha: f64): dx = fround(dy * (x > 0 ? 1 : alpha)) in float64, as
 * leakyReluGradLoop. Locals: 5 i; 6 splat(alpha); 7 splat(1.0); 8 zero; 9 an x pair; 10 a dy pair (v128).
 */
function leakyReluGradBody(): number[] {
  const xPair = (at: number[]) => [...at, ...op.promote, ...op.set(9)];
  const factor = [...op.get(7), ...op.get(6), ...op.get(9), ...op.get(8), ...op.gt64, ...op.bitselect];
  // prettier-ignore
  const code = [
    ...op.get(4), ...op.splat64, ...op.set(6), ...op.one64, ...op.splat64, ...op.set(7), ...op.zero, ...op.set(8),
    0x41, 0, ...op.set(5),
    ...op.loop,
    ...op.get(5), ...op.get(3), ...op.geU, ...op.exitIf,
    ...op.get(2), ...op.get(5), ...op.add,
    ...loadAt(1, 5), ...op.promote, ...op.set(10), ...xPair(loadAt(0, 5)),
    ...op.get(10), ...factor, ...op.mul64, ...op.demote,
    ...loadAt(1, 5), ...loadAt(1, 5), ...op.high, ...op.promote, ...op.set(10),
    ...xPair([...loadAt(0, 5), ...loadAt(0, 5), ...op.high]),
    ...op.get(10), ...factor, ...op.mul64, ...op.demote,
    ...op.join, ...op.store,
    ...inc16(5), ...op.next,
    ...op.end,
    0x0b,
  ];
  const locals = [2, 1, 0x7f, 5, 0x7b];
  return [...leb(locals.length + code.length), ...locals, ...code];
}

/**
 * sumLeading(x, acc, outer, innerBytes): acc[j] (float64, innerBytes / 4 of them, zeroed first) = sum over the outer
 * rows of x[i * inner + j] in row order, as ./wasmElementwise.ts' sumLeading (innerBytes a multiple of 16). Locals:
 * 4 i, 5 j (byte offset in a row), 6 row offset, 7 acc address (i32); 8 a row's four floats (v128).
 */
function sumLeadingBody(): number[] {
  const accAt = [...op.get(1), ...op.get(5), ...op.get(5), ...op.add, ...op.add, ...op.set(7)]; // acc + 2 j
  // prettier-ignore
  const code = [
    0x41, 0, ...op.set(5),
    ...op.loop,
    ...op.get(5), ...op.get(3), ...op.geU, ...op.exitIf,
    ...accAt, ...op.get(7), ...op.zero, ...op.store, ...op.get(7), ...op.zero, ...op.store16,
    ...inc16(5), ...op.next,
    ...op.end,
    0x41, 0, ...op.set(4), 0x41, 0, ...op.set(6),
    ...op.loop,
    ...op.get(4), ...op.get(2), ...op.geU, ...op.exitIf,
    0x41, 0, ...op.set(5),
    ...op.loop,
    ...op.get(5), ...op.get(3), ...op.geU, ...op.exitIf,
    ...op.get(0), ...op.get(6), ...op.add, ...op.get(5), ...op.add, ...op.load, ...op.set(8),
    ...accAt,
    ...op.get(7), ...op.get(7), ...op.load, ...op.get(8), ...op.promote, ...op.add64, ...op.store,
    ...op.get(7), ...op.get(7), ...op.load16, ...op.get(8), ...op.get(8), ...op.high, ...op.promote, ...op.add64,
    ...op.store16,
    ...inc16(5), ...op.next,
    ...op.end,
    ...op.get(6), ...op.get(3), ...op.add, ...op.set(6),
    ...op.get(4), 0x41, 1, ...op.add, ...op.set(4), ...op.next,
    ...op.end,
    0x0b,
  ];
  const locals = [2, 4, 0x7f, 1, 0x7b];
  return [...leb(locals.length + code.length), ...locals, ...code];
}

/**
 * maxPoolGrad(x, dy, dx, outLen, inLen, K, S, P, rowBytes): one sample's 1-D max-pool gradient over [inLen, C] rows
 * (rowBytes = C * 4, a multiple of 16), pool K, stride S, left pad P, dx zeroed by the caller: per window in output
 * order and four channels at a time, the first strict maximum (NaN and -Infinity never win) gets dy added, as
 * ./wasmKernels.ts' maxPoolBackward. Locals: 9 o, 10 lo, 11 hi, 12 channel byte offset, 13 t, 14 lane address, 15
 * row offset (i32); 16 best, 17 argmax, 18 v, 19 mask, 20 lane offsets, 21 dy, 22 -Infinity, 23 -1 (v128).
 */
function maxPoolGradBody(): number[] {
  const t0 = [...op.get(9), ...op.get(6), ...op.mul, ...op.get(7), ...op.sub]; // o S - P
  // Lane k: t = the argmax byte offset in lane k (i32x4.extract_lane); if t >= 0: dx at t += dy lane k (f32.load,
  // f32x4.extract_lane, f32.add, f32.store).
  // prettier-ignore
  const lane = (k: number) => [
    ...op.get(17), 0xfd, 0x1b, k, ...op.set(14),
    ...op.get(14), 0x41, 0, ...op.geS, 0x04, 0x40,
    ...op.get(2), ...op.get(14), ...op.add,
    ...op.get(2), ...op.get(14), ...op.add, 0x2a, 2, 0,
    ...op.get(21), 0xfd, 0x1f, k, 0x92, 0x38, 2, 0,
    0x0b,
  ];
  // prettier-ignore
  const code = [
    0xfd, 0x0c, ...[0, 4, 8, 12].flatMap((v) => [v, 0, 0, 0]), ...op.set(20),
    0x43, 0x00, 0x00, 0x80, 0xff, ...op.splat, ...op.set(22), 0x41, 0x7f, ...op.splat32, ...op.set(23),
    0x41, 0, ...op.set(9),
    ...op.loop,
    ...op.get(9), ...op.get(3), ...op.geU, ...op.exitIf,
    ...t0, 0x41, 0, ...t0, 0x41, 0, ...op.gtS, ...op.select, ...op.set(10),
    ...op.get(4), ...t0, ...op.get(5), ...op.add, ...op.get(4), ...t0, ...op.get(5), ...op.add, ...op.ltS, ...op.select, ...op.set(11),
    0x41, 0, ...op.set(12),
    ...op.loop,
    ...op.get(12), ...op.get(8), ...op.geU, ...op.exitIf,
    ...op.get(22), ...op.set(16), ...op.get(23), ...op.set(17), ...op.get(10), ...op.set(13),
    ...op.loop,
    ...op.get(13), ...op.get(11), ...op.geS, ...op.exitIf,
    ...op.get(13), ...op.get(8), ...op.mul, ...op.get(12), ...op.add, ...op.set(15),
    ...loadAt(0, 15), ...op.set(18),
    ...op.get(18), ...op.get(16), ...op.gt, ...op.set(19),
    ...op.get(18), ...op.get(16), ...op.get(19), ...op.bitselect, ...op.set(16),
    ...op.get(15), ...op.splat32, ...op.get(20), ...op.iadd, ...op.get(17), ...op.get(19), ...op.bitselect, ...op.set(17),
    ...op.get(13), 0x41, 1, ...op.add, ...op.set(13), ...op.next,
    ...op.end,
    ...op.get(1), ...op.get(9), ...op.get(8), ...op.mul, ...op.add, ...op.get(12), ...op.add, ...op.load, ...op.set(21),
    ...lane(0), ...lane(1), ...lane(2), ...lane(3),
    ...inc16(12), ...op.next,
    ...op.end,
    ...op.get(9), 0x41, 1, ...op.add, ...op.set(9), ...op.next,
    ...op.end,
    0x0b,
  ];
  const locals = [2, 7, 0x7f, 8, 0x7b];
  return [...leb(locals.length + code.length), ...locals, ...code];
}

/**
 * The module: memory imported from env.memory (shared or not, as tfjs' own); functions adam, maxGrad, leakyRelu,
 * leakyReluGrad, sumLeading and maxPoolGrad.
 */
function moduleBytes(shared: boolean): Uint8Array {
  const i32 = 0x7f;
  const f32 = 0x7d;
  const f64 = 0x7c;
  const limits = shared ? [0x03, 1, ...leb(65536)] : [0x00, 1];
  // prettier-ignore
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [6,
      0x60, 16, ...new Array<number>(8).fill(i32), ...new Array<number>(8).fill(f32), 0,
      0x60, 6, ...new Array<number>(6).fill(i32), 0,
      0x60, 4, i32, i32, i32, f64, 0,
      0x60, 5, i32, i32, i32, i32, f64, 0,
      0x60, 4, i32, i32, i32, i32, 0,
      0x60, 9, ...new Array<number>(9).fill(i32), 0]),
    ...section(2, [1, ...name('env'), ...name('memory'), 0x02, ...limits]),
    ...section(3, [6, 0, 1, 2, 3, 4, 5]),
    ...section(7, [6, ...name('adam'), 0, 0, ...name('maxGrad'), 0, 1, ...name('leakyRelu'), 0, 2,
      ...name('leakyReluGrad'), 0, 3, ...name('sumLeading'), 0, 4, ...name('maxPoolGrad'), 0, 5]),
    ...section(10, [6, ...adamBody(), ...maxGradBody(), ...leakyReluBody(), ...leakyReluGradBody(), ...sumLeadingBody(), ...maxPoolGradBody()]),
  ]);
}

/** The SIMD loops on one tfjs wasm heap; arguments are byte offsets in it (Float32Array views' byteOffset). */
export interface WasmSimdLoops {
  /** Adam on the first nBytes / 4 floats (nBytes a multiple of 16). */
  adam(ptrs: readonly number[], nBytes: number, s: AdamScalars): void;
  /** The Max gradient of `mid` rows against one row of dy and y (innerBytes a multiple of 16). */
  maxGrad(dy: number, x: number, y: number, dx: number, mid: number, innerBytes: number): void;
  /** leakyReluLoop's values (0 <= alpha <= 1) on nBytes (a multiple of 16). */
  leakyRelu(x: number, y: number, nBytes: number, alpha: number): void;
  /** leakyReluGradLoop's values on nBytes (a multiple of 16). */
  leakyReluGrad(x: number, dy: number, dx: number, nBytes: number, alpha: number): void;
  /** sumLeading's float64 sums into acc (innerBytes / 4 doubles; innerBytes a multiple of 16). */
  sumLeading(x: number, acc: number, outer: number, innerBytes: number): void;
  /** One sample's 1-D max-pool gradient into a zeroed dx (rowBytes = channels * 4, a multiple of 16). */
  maxPoolGrad(
    x: number,
    dy: number,
    dx: number,
    outLen: number,
    inLen: number,
    k: number,
    s: number,
    p: number,
    rowBytes: number,
  ): void;
}

interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (m: object, imports: object) => { exports: Record<string, unknown> };
}
interface MemoryLike {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
}

const cache = new WeakMap<object, WasmSimdLoops | null>();

/** The memory of tfjs' wasm module: `wasmMemory` in the threaded build, `asm.memory` in the others. */
function heapMemory(b: BackendWasm): MemoryLike | undefined {
  const mod = b.wasm as unknown as { wasmMemory?: MemoryLike; asm?: { memory?: MemoryLike } };
  return mod.wasmMemory ?? mod.asm?.memory;
}

/**
 * The SIMD loops instantiated on backend `b`'s heap (cached per memory), or null where its memory is not reachable or
 * WebAssembly SIMD does not compile; the callers then run their JS loops (same values).
 */
export function wasmSimdLoops(b: BackendWasm): WasmSimdLoops | null {
  const memory = heapMemory(b);
  if (!memory) return null;
  let loops = cache.get(memory);
  if (loops === undefined) {
    loops = instantiate(memory);
    cache.set(memory, loops);
  }
  return loops;
}

/** The module on `memory`, or null where it does not compile or link. */
function instantiate(memory: MemoryLike): WasmSimdLoops | null {
  try {
    const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
    const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    const ex = new wasm.Instance(new wasm.Module(moduleBytes(shared)), { env: { memory } }).exports;
    const fn = (k: string) => ex[k] as (...a: number[]) => void;
    const adam = fn('adam');
    return {
      adam: (p, n, s) => adam(...p, n, s.b1, s.c1, s.b2, s.c2, s.oma1, s.oma2, s.eps, s.negLr),
      maxGrad: fn('maxGrad'),
      leakyRelu: fn('leakyRelu'),
      leakyReluGrad: fn('leakyReluGrad'),
      sumLeading: fn('sumLeading'),
      maxPoolGrad: fn('maxPoolGrad'),
    };
  } catch {
    return null;
  }
}
