/** Typed accessors of a parsed pickle (dict fields, numpy arrays as doubles) with errors naming file and field. */
import { UserError } from '../../../errors.js';
import { excerpt } from '../../../util/excerpt.js';
import { NpArray, PyDict, type PickleValue } from './types.js';

/** Bytes per element of the numpy type codes read here. */
const ITEM_BYTES: Record<string, number> = {
  f4: 4,
  f8: 8,
  i1: 1,
  i2: 2,
  i4: 4,
  i8: 8,
  u1: 1,
  u2: 2,
  u4: 4,
  u8: 8,
  b1: 1,
};

/** Field `key` of the dict `v` (`what` names `v` in errors, e.g. `signal.chest`). */
export function pickleField(v: PickleValue, key: string, what: string, file: string): PickleValue {
  if (!(v instanceof PyDict))
    throw new UserError(
      `readPickle: ${file}: ${what || 'the top-level value'} is not a dict (field ${key} expected)`,
    );
  const f = v.map.get(key);
  if (f === undefined) {
    const keys = [...v.map.keys()].slice(0, 8).map((k) => excerpt(k, 20));
    throw new UserError(
      `readPickle: ${file}: no field ${what ? `${what}.` : ''}${key} (fields: ${keys.join(', ') || 'none'})`,
    );
  }
  return f;
}

/** `v` as a numpy array with its data, or a UserError naming `what`. */
export function pickleArray(v: PickleValue, what: string, file: string): NpArray {
  if (!(v instanceof NpArray) || v.data === undefined || v.dtype === undefined)
    throw new UserError(`readPickle: ${file}: ${what} is not a numpy array`);
  return v;
}

/** Element `i` of `arr`'s bytes as a number. */
function element(dv: DataView, code: string, i: number, le: boolean): number {
  switch (code) {
    case 'f4':
      return dv.getFloat32(i * 4, le);
    case 'f8':
      return dv.getFloat64(i * 8, le);
    case 'i1':
      return dv.getInt8(i);
    case 'i2':
      return dv.getInt16(i * 2, le);
    case 'i4':
      return dv.getInt32(i * 4, le);
    case 'i8':
      return Number(dv.getBigInt64(i * 8, le));
    case 'u1':
    case 'b1':
      return dv.getUint8(i);
    case 'u2':
      return dv.getUint16(i * 2, le);
    case 'u4':
      return dv.getUint32(i * 4, le);
    default:
      return Number(dv.getBigUint64(i * 8, le));
  }
}

/**
 * Column `j` of a 1-D (j = 0) or 2-D numpy array of numbers, as doubles (C or Fortran order, either byte order).
 * The element count times the item size must equal the array's bytes before anything is allocated.
 */
export function pickleColumn(arr: NpArray, j: number, what: string, file: string): Float64Array {
  const dtype = arr.dtype;
  const data = arr.data;
  const size = dtype ? ITEM_BYTES[dtype.code] : undefined;
  if (!dtype || !data || size === undefined)
    throw new UserError(
      `readPickle: ${file}: ${what} has numpy type ${dtype?.code ?? '?'}, expected numbers`,
    );
  if (arr.shape.length < 1 || arr.shape.length > 2)
    throw new UserError(
      `readPickle: ${file}: ${what} has shape (${arr.shape.join(', ')}), expected 1 or 2 dimensions`,
    );
  const rows = arr.shape[0] as number;
  const cols = arr.shape[1] ?? 1;
  if (rows * cols * size !== data.length)
    throw new UserError(
      `readPickle: ${file}: ${what} has ${data.length} bytes for shape (${arr.shape.join(', ')}) of ${dtype.code}`,
    );
  if (j < 0 || j >= cols)
    throw new UserError(`readPickle: ${file}: ${what} has ${cols} column(s); column ${j} does not exist`);
  const le = dtype.byteOrder !== '>';
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++)
    out[i] = element(dv, dtype.code, arr.fortranOrder ? i + j * rows : i * cols + j, le);
  return out;
}
