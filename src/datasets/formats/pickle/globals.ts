/** The only Python callables a data pickle may name, each emulated without running anything (REDUCE and BUILD). */
import { excerpt } from '../../../util/excerpt.js';
import { NpArray, NpDtype, PyBytes, PyGlobal, PyTuple, type PickleValue } from './types.js';

/** A failure with a message; the parser adds the file and the byte. */
export type Fail = (msg: string) => never;

const RECONSTRUCT = ['numpy.core.multiarray._reconstruct', 'numpy._core.multiarray._reconstruct'];
const NDARRAY = 'numpy.ndarray';
const DTYPE = 'numpy.dtype';
const CODECS_ENCODE = '_codecs.encode';

/** `module.name` of every global a pickle may name; any other is refused at its GLOBAL opcode. */
export const ALLOWED_GLOBALS: ReadonlySet<string> = new Set([...RECONSTRUCT, NDARRAY, DTYPE, CODECS_ENCODE]);

/** Text of a Python 2 `str` / Python 3 `str` value, or undefined. */
export function pyText(v: PickleValue | undefined): string | undefined {
  if (typeof v === 'string') return v;
  if (v instanceof PyBytes) return v.text();
  return undefined;
}

function args(v: PickleValue, n: number, what: string, fail: Fail): readonly PickleValue[] {
  if (!(v instanceof PyTuple) || v.items.length < n)
    fail(
      `${what} is called with ${v instanceof PyTuple ? `${v.items.length} arguments` : 'no argument tuple'}`,
    );
  return v.items;
}

/**
 * The value of `callable(*argTuple)` (the REDUCE opcode) for the allowed globals: numpy's `_reconstruct`
 * (an empty ndarray that BUILD fills), `numpy.dtype(code, align, copy)`, and `_codecs.encode(text, 'latin1')`
 * (how Python 3 pickles bytes at protocol 2).
 */
export function reduceGlobal(callable: PickleValue, argTuple: PickleValue, fail: Fail): PickleValue {
  if (!(callable instanceof PyGlobal)) return fail('REDUCE on a value that is not a callable global');
  const name = callable.qualified;
  if (RECONSTRUCT.includes(name)) {
    const a = args(argTuple, 1, name, fail);
    if (!(a[0] instanceof PyGlobal) || a[0].qualified !== NDARRAY)
      fail(
        `${name} rebuilds ${a[0] instanceof PyGlobal ? excerpt(a[0].qualified) : 'a non-class'}, not numpy.ndarray`,
      );
    return new NpArray();
  }
  if (name === DTYPE) {
    const code = pyText(args(argTuple, 1, name, fail)[0]);
    if (code === undefined || !/^[a-zA-Z]\d{0,2}$/.test(code))
      fail(`numpy.dtype of an unsupported type code`);
    return new NpDtype(code);
  }
  if (name === CODECS_ENCODE) {
    const a = args(argTuple, 1, name, fail);
    const enc = a.length > 1 ? pyText(a[1]) : 'utf8';
    if (typeof a[0] !== 'string' || (enc !== 'latin1' && enc !== 'latin-1'))
      fail(`_codecs.encode of a non-string or with encoding ${excerpt(String(enc))}`);
    return new PyBytes(Buffer.from(a[0], 'latin1'));
  }
  return fail(`REDUCE on global ${name}, which builds no data`);
}

/** `ndarray.__setstate__((version, shape, dtype, fortran, data))` (also the 4-tuple without the version). */
function buildArray(arr: NpArray, state: PickleValue, fail: Fail): void {
  if (!(state instanceof PyTuple) || (state.items.length !== 5 && state.items.length !== 4))
    fail('ndarray state is not a 4- or 5-tuple');
  const [shape, dtype, fortran, data] = state.items.slice(state.items.length - 4);
  if (!(shape instanceof PyTuple)) return fail('ndarray shape is not a tuple');
  arr.shape = shape.items.map((d) => {
    const n = typeof d === 'bigint' ? Number(d) : d;
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0)
      fail(`ndarray dimension ${excerpt(String(d))}`);
    return n;
  });
  if (!(dtype instanceof NpDtype)) fail('ndarray dtype is not a numpy.dtype');
  arr.dtype = dtype;
  arr.fortranOrder = fortran === true || fortran === 1;
  if (!(data instanceof PyBytes)) fail('ndarray data are not raw bytes (an object array?)');
  arr.data = data.bytes;
}

/** `dtype.__setstate__((version, byteorder, subarray, names, fields, ...))`: the byte order; no record dtypes. */
function buildDtype(dt: NpDtype, state: PickleValue, fail: Fail): void {
  if (!(state instanceof PyTuple) || state.items.length < 2) return fail('numpy.dtype state is not a tuple');
  const order = pyText(state.items[1]);
  if (order === undefined || !['<', '>', '|', '='].includes(order))
    fail(`numpy.dtype byte order ${excerpt(String(order))}`);
  if (state.items.length >= 5 && (state.items[3] !== null || state.items[4] !== null))
    fail('numpy record dtypes (with fields) are not supported');
  dt.byteOrder = order;
}

/** The BUILD opcode (`obj.__setstate__(state)`) for ndarrays and dtypes; anything else is refused. */
export function buildObject(obj: PickleValue, state: PickleValue, fail: Fail): void {
  if (obj instanceof NpArray) buildArray(obj, state, fail);
  else if (obj instanceof NpDtype) buildDtype(obj, state, fail);
  else fail('BUILD on a value that is not a numpy array or dtype');
}
