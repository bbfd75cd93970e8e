/**
 * A float64 dot product in WebAssembly SIMD (f64x2, four accumulators), compiled from dot.wat (beside this file)
 * with wabt's wat2wasm; the bytes are inlined so that no build step or file lookup is needed. Used by the
 * polyphase resampler's inner loop. Where WebAssembly SIMD is unavailable {@link createDotKernel} returns null
 * and createResampler uses its plain JavaScript loop instead.
 */
const DOT_WASM_BASE64 =
  'AGFzbQEAAAABCAFgA39/fwF8AwIBAAUDAQABBxACBm1lbW9yeQIAA2RvdAAACugBAeUBAwR7An8BfCAAIAJBeHFBA3RqIQcgACACQQN0aiEIAkADQCAAIAdPDQEgAyAA/QAEACAB/QAEAP3yAf3wASEDIAQgAP0ABBAgAf0ABBD98gH98AEhBCAFIAD9AAQgIAH9AAQg/fIB/fABIQUgBiAA/QAEMCAB/QAEMP3yAf3wASEGIABBwABqIQAgAUHAAGohAQwACwsgAyAE/fABIAUgBv3wAf3wASEDIAP9IQAgA/0hAaAhCQJAA0AgACAITw0BIAkgACsDACABKwMAoqAhCSAAQQhqIQAgAUEIaiEBDAALCyAJCw==';

/** The subset of the WebAssembly JS API used here (Node 20's @types/node does not declare it). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: Record<string, unknown> };
}
const wasmApi = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

/** One instance: its own linear memory, into which callers place both operands. */
export interface DotKernel {
  readonly memory: WasmMemory;
  /** sum_{t<n} f64[a/8 + t] * f64[b/8 + t] for byte offsets a, b of `memory`. */
  dot(a: number, b: number, n: number): number;
}

let compiled: object | null | undefined;

/** A fresh kernel instance, or null when this runtime has no WebAssembly SIMD. */
export function createDotKernel(): DotKernel | null {
  if (compiled === undefined) {
    try {
      const bytes = Buffer.from(DOT_WASM_BASE64, 'base64');
      compiled = wasmApi && wasmApi.validate(bytes) ? new wasmApi.Module(bytes) : null;
    } catch {
      compiled = null;
    }
  }
  if (compiled === null || !wasmApi) return null;
  const instance = new wasmApi.Instance(compiled);
  const exports = instance.exports as unknown as {
    memory: WasmMemory;
    dot: (a: number, b: number, n: number) => number;
  };
  return { memory: exports.memory, dot: exports.dot };
}
