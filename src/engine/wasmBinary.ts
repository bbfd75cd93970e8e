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

/**
 * The control and integer opcodes both modules use: locals, i32 add/sub/unsigned >=, and a block + loop whose
 * `exitIf` breaks out of both, `next` jumps back to the loop's start and `end` closes both.
 */
export const LOOP_OPS = {
  get: (i: number) => [0x20, i],
  set: (i: number) => [0x21, i],
  add: [0x6a],
  sub: [0x6b],
  geU: [0x4f],
  loop: [0x02, 0x40, 0x03, 0x40],
  exitIf: [0x0d, 1],
  next: [0x0c, 0],
  end: [0x0b, 0x0b],
};
