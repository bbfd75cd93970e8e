/** Values read from MATLAB MAT-files (the subset of classes ecgssl reads; see readMat.ts). */

/** MATLAB numeric classes (plus `logical`). */
export type MatNumericClass =
  | 'double'
  | 'single'
  | 'int8'
  | 'uint8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'logical';

/**
 * A numeric or logical array. `real` holds every element as a double in MATLAB's column-major order (element
 * (i, j) of an M x N matrix is `real[i + j * M]`); 64-bit integers beyond 2^53 lose precision.
 */
export interface MatNumeric {
  kind: 'numeric';
  className: MatNumericClass;
  dims: number[];
  real: Float64Array;
  /** Imaginary parts of a complex array. */
  imag?: Float64Array;
}

/** A char array; `rows` are its M rows (a 1 x N char array is one string). */
export interface MatChar {
  kind: 'char';
  dims: number[];
  rows: string[];
}

/** A cell array; `cells` in column-major order. */
export interface MatCell {
  kind: 'cell';
  dims: number[];
  cells: MatValue[];
}

/** A struct array; `elements` in column-major order, each a record of its fields. */
export interface MatStruct {
  kind: 'struct';
  dims: number[];
  fieldNames: string[];
  elements: Record<string, MatValue>[];
}

export type MatValue = MatNumeric | MatChar | MatCell | MatStruct;

/** Options of the MAT readers. */
export interface ReadMatOptions {
  /** Read only these variables; the others are skipped (compressed ones without being inflated). Default: all. */
  variables?: readonly string[];
  /**
   * Struct fields with these names are skipped by their declared size, never parsed (left out of the struct's
   * elements): e.g. DREAMER's `EEG`, the larger part of the file, when only the ECG is read. Default: none.
   */
  skipFields?: readonly string[];
}
