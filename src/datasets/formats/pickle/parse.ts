/** A safe Python pickle parser: whitelisted opcodes and globals interpreted on a stack; nothing is ever executed. */
import { readFileSync } from 'node:fs';
import { UserError } from '../../../errors.js';
import { excerpt } from '../../../util/excerpt.js';
import { ALLOWED_GLOBALS, buildObject, pyText, reduceGlobal } from './globals.js';
import { PyBytes, PyDict, PyGlobal, PyTuple, type PickleValue } from './types.js';

/** The stack marker of the MARK opcode. */
const MARK = Symbol('mark');
type Slot = PickleValue | typeof MARK;

/** Parser state over one file's bytes. */
class Machine {
  pos = 0;
  stack: Slot[] = [];
  memo = new Map<number, PickleValue>();
  readonly dv: DataView;
  constructor(
    readonly buf: Uint8Array,
    readonly file: string,
  ) {
    this.dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  fail = (msg: string): never => {
    throw new UserError(`readPickle: ${this.file} is not a readable data pickle: ${msg} (byte ${this.pos})`);
  };
  /** `n` bytes from the current position (a view), after checking they are in the file. */
  take(n: number): Uint8Array {
    if (!(n >= 0) || n > this.buf.length - this.pos)
      this.fail(`an item declares ${n} bytes, only ${this.buf.length - this.pos} remain (truncated?)`);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  u8(): number {
    return this.take(1)[0] as number;
  }
  u32(): number {
    this.take(4);
    return this.dv.getUint32(this.pos - 4, true);
  }
  line(): string {
    const end = this.buf.indexOf(0x0a, this.pos);
    if (end < 0) this.fail('a GLOBAL line has no end');
    return Buffer.from(this.take(end - this.pos + 1).subarray(0, -1)).toString('latin1');
  }
  push(v: PickleValue): void {
    this.stack.push(v);
  }
  pop(): PickleValue {
    const v = this.stack.pop();
    if (v === undefined || v === MARK) return this.fail('stack underflow');
    return v;
  }
  top(): PickleValue {
    const v = this.stack[this.stack.length - 1];
    if (v === undefined || v === MARK) return this.fail('stack underflow');
    return v;
  }
  /** The items pushed since the last MARK (which is removed). */
  popMark(): PickleValue[] {
    const k = this.stack.lastIndexOf(MARK);
    if (k < 0) this.fail('no MARK on the stack');
    const items = this.stack.splice(k) as PickleValue[];
    items.shift();
    return items;
  }
}

/** Key of a dict entry: text of a string, decimal text of an integer. */
function dictKey(m: Machine, k: PickleValue): string {
  const t = pyText(k);
  if (t !== undefined) return t;
  if (typeof k === 'number' || typeof k === 'bigint') return String(k);
  return m.fail('a dict key that is not a string or integer');
}

function setItems(m: Machine, dict: PickleValue, items: PickleValue[]): void {
  if (!(dict instanceof PyDict)) m.fail('SETITEM(S) on a value that is not a dict');
  if (items.length % 2 !== 0) m.fail('SETITEMS with an odd number of items');
  for (let i = 0; i < items.length; i += 2)
    (dict as PyDict).map.set(dictKey(m, items[i] as PickleValue), items[i + 1] as PickleValue);
}

function appendItems(m: Machine, list: PickleValue, items: PickleValue[]): void {
  if (!Array.isArray(list)) m.fail('APPEND(S) on a value that is not a list');
  for (const it of items) (list as PickleValue[]).push(it);
}

/** A little-endian two's-complement integer of `n` bytes (LONG1/LONG4), at most 8 bytes. */
function longInt(m: Machine, n: number): number | bigint {
  if (n > 8) m.fail(`an integer of ${n} bytes is too large`);
  const b = m.take(n);
  let v = 0n;
  for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i] as number);
  if (n > 0 && ((b[n - 1] as number) & 0x80) !== 0) v -= 1n << BigInt(8 * n);
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

function globalRef(m: Machine, module: string, name: string): PyGlobal {
  const g = new PyGlobal(module, name);
  if (!ALLOWED_GLOBALS.has(g.qualified))
    m.fail(
      `global ${excerpt(g.qualified, 80)} is not allowed (a data pickle only names numpy's array rebuilders)`,
    );
  return g;
}

function memoIndex(m: Machine, i: number): PickleValue {
  const v = m.memo.get(i);
  if (v === undefined) m.fail(`memo entry ${i} is read before it is written`);
  return v as PickleValue;
}

type Op = (m: Machine) => void;
const text = (m: Machine, n: number): string => Buffer.from(m.take(n)).toString('utf8');
const bytes = (m: Machine, n: number): void => m.push(new PyBytes(m.take(n)));

/** Every opcode the parser knows (protocols 0-4, data only); any other byte is refused. */
const OPS: Record<number, Op> = {
  0x80: (m) => void m.u8(), // PROTO
  0x95: (m) => void m.take(8), // FRAME
  0x28: (m) => m.stack.push(MARK), // MARK
  0x30: (m) => void m.pop(), // POP
  0x7d: (m) => m.push(new PyDict()), // EMPTY_DICT
  0x5d: (m) => m.push([]), // EMPTY_LIST
  0x29: (m) => m.push(new PyTuple([])), // EMPTY_TUPLE
  0x74: (m) => m.push(new PyTuple(m.popMark())), // TUPLE
  0x85: (m) => m.push(new PyTuple([m.pop()])), // TUPLE1
  0x86: (m) => m.push(new PyTuple(((b, a) => [a, b])(m.pop(), m.pop()))), // TUPLE2
  0x87: (m) => m.push(new PyTuple(((c, b, a) => [a, b, c])(m.pop(), m.pop(), m.pop()))), // TUPLE3
  0x6c: (m) => m.push(m.popMark()), // LIST
  0x64: (m) => ((d, items) => (setItems(m, d, items), m.push(d)))(new PyDict(), m.popMark()), // DICT
  0x61: (m) => ((v) => appendItems(m, m.top(), [v]))(m.pop()), // APPEND
  0x65: (m) => ((items) => appendItems(m, m.top(), items))(m.popMark()), // APPENDS
  0x73: (m) => ((v, k) => setItems(m, m.top(), [k, v]))(m.pop(), m.pop()), // SETITEM
  0x75: (m) => ((items) => setItems(m, m.top(), items))(m.popMark()), // SETITEMS
  0x4e: (m) => m.push(null), // NONE
  0x88: (m) => m.push(true), // NEWTRUE
  0x89: (m) => m.push(false), // NEWFALSE
  0x4a: (m) => (m.take(4), m.push(m.dv.getInt32(m.pos - 4, true))), // BININT
  0x4b: (m) => m.push(m.u8()), // BININT1
  0x4d: (m) => (m.take(2), m.push(m.dv.getUint16(m.pos - 2, true))), // BININT2
  0x8a: (m) => m.push(longInt(m, m.u8())), // LONG1
  0x8b: (m) => m.push(longInt(m, m.u32())), // LONG4
  0x47: (m) => (m.take(8), m.push(m.dv.getFloat64(m.pos - 8, false))), // BINFLOAT
  0x55: (m) => bytes(m, m.u8()), // SHORT_BINSTRING (Python 2 str)
  0x54: (m) => bytes(m, m.u32()), // BINSTRING (Python 2 str)
  0x43: (m) => bytes(m, m.u8()), // SHORT_BINBYTES
  0x42: (m) => bytes(m, m.u32()), // BINBYTES
  0x8c: (m) => m.push(text(m, m.u8())), // SHORT_BINUNICODE
  0x58: (m) => m.push(text(m, m.u32())), // BINUNICODE
  0x71: (m) => m.memo.set(m.u8(), m.top()), // BINPUT
  0x72: (m) => m.memo.set(m.u32(), m.top()), // LONG_BINPUT
  0x94: (m) => m.memo.set(m.memo.size, m.top()), // MEMOIZE
  0x68: (m) => m.push(memoIndex(m, m.u8())), // BINGET
  0x6a: (m) => m.push(memoIndex(m, m.u32())), // LONG_BINGET
  0x63: (m) => m.push(globalRef(m, m.line(), m.line())), // GLOBAL
  0x93: (m) =>
    ((name, mod) => m.push(globalRef(m, String(pyText(mod)), String(pyText(name)))))(m.pop(), m.pop()), // STACK_GLOBAL
  0x52: (m) => ((a, f) => m.push(reduceGlobal(f, a, m.fail)))(m.pop(), m.pop()), // REDUCE
  0x62: (m) => ((state) => buildObject(m.top(), state, m.fail))(m.pop()), // BUILD
};

/** Parses pickle bytes (see {@link readPickle}); `file` names them in errors. */
export function parsePickle(buf: Uint8Array, file: string): PickleValue {
  const m = new Machine(buf, file);
  while (m.pos < buf.length) {
    const code = m.u8();
    if (code === 0x2e) {
      if (m.stack.length !== 1) m.fail(`STOP with ${m.stack.length} values on the stack`);
      return m.pop();
    }
    const op = OPS[code];
    if (op === undefined) {
      m.pos--;
      return m.fail(
        `opcode 0x${code.toString(16).padStart(2, '0')} is not supported by this data-only parser`,
      );
    }
    op(m);
  }
  return m.fail('the pickle ends without STOP (truncated?)');
}

/**
 * Reads a Python pickle of data (dicts, lists, tuples, numbers, strings, numpy arrays; protocols 0-4 in their
 * binary opcodes, Python 2 `str` read as raw bytes) WITHOUT executing it: only whitelisted opcodes and the
 * globals numpy uses to rebuild arrays are interpreted; any other global or opcode is a one-line
 * {@link UserError} naming the file. Every declared length is checked against the bytes that remain; array
 * bytes stay views into the file's buffer.
 */
export function readPickle(path: string): PickleValue {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (err) {
    throw new UserError(`readPickle: cannot read ${path} (${(err as Error).message})`);
  }
  return parsePickle(buf, path);
}
