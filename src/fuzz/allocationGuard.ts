/**
 * Allocation guard of the fuzz worker: wraps the typed-array, ArrayBuffer and Buffer allocators of the current
 * thread so that one allocation larger than the case's bound throws (instead of reserving gigabytes because a
 * header declared them) and is recorded. Installed only inside fuzz worker threads, never in ecgssl itself.
 */

/** Thrown by the guard; the runner classifies the case as an `allocation` failure. */
export class FuzzAllocationError extends Error {
  constructor(
    readonly bytes: number,
    readonly limitBytes: number,
    readonly what: string,
  ) {
    super(`fuzz: ${what} of ${bytes} bytes exceeds the bound of ${limitBytes} bytes for this input`);
    this.name = 'FuzzAllocationError';
  }
}

/** The guard's state for the current case. */
export interface AllocationGuard {
  /** Sets the bound for the next case and clears the record. */
  reset(limitBytes: number): void;
  /** Largest single allocation seen since the last reset (bytes). */
  maxBytes(): number;
  /** The first allocation over the bound since the last reset, if any. */
  tripped(): FuzzAllocationError | undefined;
}

const TYPED = [
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
] as const;

/** Installs the guard on this thread's globals (idempotent per thread) and returns it. */
export function installAllocationGuard(): AllocationGuard {
  let limit = Number.POSITIVE_INFINITY;
  let max = 0;
  let trip: FuzzAllocationError | undefined;
  const note = (bytes: number, what: string): void => {
    if (!Number.isFinite(bytes) || bytes < 0) return; // the engine itself rejects these (RangeError)
    if (bytes > max) max = bytes;
    if (bytes > limit) {
      const e = new FuzzAllocationError(bytes, limit, what);
      trip ??= e;
      throw e;
    }
  };
  const g = globalThis as unknown as Record<string, unknown>;
  for (const name of TYPED) {
    const Ctor = g[name] as { new (...a: unknown[]): unknown; BYTES_PER_ELEMENT: number };
    g[name] = new Proxy(Ctor, {
      construct(target, args, newTarget) {
        if (typeof args[0] === 'number') note(args[0] * target.BYTES_PER_ELEMENT, `new ${name}(${args[0]})`);
        return Reflect.construct(target, args, newTarget) as object;
      },
    });
  }
  const AB = g.ArrayBuffer as { new (...a: unknown[]): unknown };
  g.ArrayBuffer = new Proxy(AB, {
    construct(target, args, newTarget) {
      if (typeof args[0] === 'number') note(args[0], `new ArrayBuffer(${args[0]})`);
      return Reflect.construct(target, args, newTarget) as object;
    },
  });
  const B = Buffer as unknown as Record<string, (...a: unknown[]) => unknown>;
  for (const fn of ['alloc', 'allocUnsafe', 'allocUnsafeSlow'] as const) {
    const orig = B[fn] as (...a: unknown[]) => unknown;
    B[fn] = (...args: unknown[]) => {
      if (typeof args[0] === 'number') note(args[0], `Buffer.${fn}(${args[0]})`);
      return orig.apply(Buffer, args);
    };
  }
  return {
    reset(limitBytes) {
      limit = limitBytes;
      max = 0;
      trip = undefined;
    },
    maxBytes: () => max,
    tripped: () => trip,
  };
}
