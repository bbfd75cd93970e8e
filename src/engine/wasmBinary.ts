// Pieces of the WebAssembly binary format shared by the hand-assembled modules (wasmMatMul.ts, wasmSimd.ts).

/** Unsigned LEB128 of a non-negative integer (wasm binary encoding). */
export function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** A wasm section: id, byte length, contents. */
export const section = (id: number, bytes: number[]): number[] => [id, ...leb(bytes.length), ...bytes];
