/** Values a parsed Python pickle is made of (the data subset ecgssl reads: dicts, lists, strings, numpy arrays). */

/** A Python 2 `str` / Python 3 `bytes`: raw bytes (a view into the file's buffer, never copied). */
export class PyBytes {
  constructor(readonly bytes: Uint8Array) {}
  /** The bytes read as latin1 (how Python 3 reads a Python 2 `str` with `encoding='latin1'`). */
  text(): string {
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength).toString('latin1');
  }
}

/** A tuple (immutable, as the pickle's TUPLE opcodes build it). */
export class PyTuple {
  constructor(readonly items: readonly PickleValue[]) {}
}

/** A dict whose keys are strings or integers (kept as their text). */
export class PyDict {
  readonly map = new Map<string, PickleValue>();
}

/** A global the pickle names (`module.name`), one of the whitelisted ones. */
export class PyGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}
  get qualified(): string {
    return `${this.module}.${this.name}`;
  }
}

/** A numpy dtype: its type code (`f8`, `i4`, `u1`, `b1`, ...) and byte order (`<`, `>`, `|`, `=`). */
export class NpDtype {
  byteOrder = '=';
  constructor(readonly code: string) {}
}

/** A numpy ndarray: shape, dtype, memory order and its raw bytes (set by BUILD, as `ndarray.__setstate__`). */
export class NpArray {
  shape: number[] = [];
  dtype: NpDtype | undefined;
  fortranOrder = false;
  data: Uint8Array | undefined;
}

/** Anything a pickle of data can hold. Lists are JS arrays (mutable); `null` is `None`. */
export type PickleValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | PyBytes
  | PyTuple
  | PyDict
  | PyGlobal
  | NpDtype
  | NpArray
  | PickleValue[];
