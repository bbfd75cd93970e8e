/** Typed accessors of parsed MAT values (variables, cells, numeric columns, text) with errors naming the path. */
import { UserError } from '../../../errors.js';
import type { MatCell, MatNumeric, MatValue } from './types.js';

/** The variable `name` of a MAT-file read with readMat, or a UserError naming the file. */
export function matVariable(vars: Record<string, MatValue>, name: string, file: string): MatValue {
  const v = vars[name];
  if (v === undefined)
    throw new UserError(
      `readMat: ${file} has no variable "${name}" (variables read: ${Object.keys(vars).join(', ') || 'none'})`,
    );
  return v;
}

/** `v` as a cell array, or a UserError naming `what` in `file`. */
export function matCell(v: MatValue, what: string, file: string): MatCell {
  if (v.kind !== 'cell')
    throw new UserError(`readMat: ${file}: ${what} is a ${v.kind} array, expected a cell array`);
  return v;
}

/** `v` as a numeric array, or a UserError naming `what` in `file`. */
export function matNumeric(v: MatValue, what: string, file: string): MatNumeric {
  if (v.kind !== 'numeric')
    throw new UserError(`readMat: ${file}: ${what} is a ${v.kind} array, expected a numeric array`);
  return v;
}

/** Number of rows and columns of a 2-D array (trailing singleton dimensions allowed). */
export function matSize(v: MatValue): { rows: number; cols: number } {
  const [rows = 0, cols = 1, ...rest] = v.dims;
  return { rows, cols: cols * rest.reduce((a, b) => a * b, 1) };
}

/** Column `j` (0-based) of a numeric matrix, as a new Float64Array. */
export function matColumn(v: MatNumeric, j: number, what: string, file: string): Float64Array {
  const { rows, cols } = matSize(v);
  if (j < 0 || j >= cols)
    throw new UserError(`readMat: ${file}: ${what} has ${cols} column(s); column ${j} does not exist`);
  return v.real.slice(j * rows, (j + 1) * rows);
}

/** The text of a char array (rows concatenated) or of a number (as MATLAB would print an integer id). */
export function matText(v: MatValue, what: string, file: string): string {
  if (v.kind === 'char') return v.rows.join('');
  if (v.kind === 'numeric' && v.real.length === 1) return String(v.real[0]);
  throw new UserError(`readMat: ${file}: ${what} is a ${v.kind} array, expected text`);
}
