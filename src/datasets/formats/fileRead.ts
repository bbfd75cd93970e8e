/** Small file-reading helpers of the format parsers: open with a UserError, positioned reads, concatenation. */
import { openSync, readSync } from 'node:fs';
import { UserError } from '../../errors.js';

/** Opens `path` for reading; a failure is a UserError `<caller>: cannot open <path> (<reason>)`. */
export function openForReading(path: string, caller: string): number {
  try {
    return openSync(path, 'r');
  } catch (err) {
    throw new UserError(`${caller}: cannot open ${path} (${(err as Error).message})`);
  }
}

/** Up to `n` bytes of `fd` from byte `pos` (fewer at the end of the file). */
export function readAt(fd: number, pos: number, n: number): Buffer {
  const b = Buffer.alloc(n);
  let got = 0;
  while (got < n) {
    const k = readSync(fd, b, got, n - got, pos + got);
    if (k === 0) break;
    got += k;
  }
  return got === n ? b : b.subarray(0, got);
}

/** The parts one after another in one new array made by `alloc` (of the summed length). */
export function concatTyped<A extends Float64Array | Uint8Array>(
  parts: readonly A[],
  alloc: (length: number) => A,
): A {
  const out = alloc(parts.reduce((a, p) => a + p.length, 0));
  let k = 0;
  for (const p of parts) {
    out.set(p, k);
    k += p.length;
  }
  return out;
}

/** The parts one after another in one array. */
export function concatFloat64(parts: readonly Float64Array[]): Float64Array {
  return concatTyped(parts, (n) => new Float64Array(n));
}
