/** MAT-file v5 element parser: miMATRIX elements into MatValue trees. */
import { UserError } from '../../../errors.js';
import type { MatNumericClass, MatValue } from './types.js';

/** MAT v5 data types (MATLAB "MAT-File Format", table 1-1). */
export const MI = {
  INT8: 1,
  UINT8: 2,
  INT16: 3,
  UINT16: 4,
  INT32: 5,
  UINT32: 6,
  SINGLE: 7,
  DOUBLE: 9,
  INT64: 12,
  UINT64: 13,
  MATRIX: 14,
  COMPRESSED: 15,
  UTF8: 16,
  UTF16: 17,
  UTF32: 18,
} as const;

const MI_BYTES: Record<number, number> = {
  1: 1,
  2: 1,
  3: 2,
  4: 2,
  5: 4,
  6: 4,
  7: 4,
  9: 8,
  12: 8,
  13: 8,
  16: 1,
  17: 2,
  18: 4,
};

/** MAT v5 array classes (mxCLASS), table 1-3. */
const MX_NUMERIC: Record<number, MatNumericClass> = {
  6: 'double',
  7: 'single',
  8: 'int8',
  9: 'uint8',
  10: 'int16',
  11: 'uint16',
  12: 'int32',
  13: 'uint32',
  14: 'int64',
  15: 'uint64',
};
const MX_CELL = 1;
const MX_STRUCT = 2;
const MX_CHAR = 4;
const MX_UNSUPPORTED: Record<number, string> = {
  3: 'object',
  5: 'sparse',
  16: 'function handle',
  17: 'opaque object',
};

/** Deepest nesting of cells/structs accepted (guards the stack against corrupted input). */
const MAX_DEPTH = 32;
/** Largest element count accepted for one array (guards the product of corrupted dimensions). */
const MAX_ELEMENTS = 2 ** 40;

/** A name read from file bytes, safe for a one-line error message (printable ASCII, at most 40 characters). */
export function printableName(s: string): string {
  const clean = s.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 40 ? `${clean.slice(0, 40)}...` : clean;
}

/** One data element tag. */
export interface Tag {
  type: number;
  nbytes: number;
  /** Offset of the element's data. */
  dataPos: number;
  /** Offset of the next element (padding included, clamped to the end). */
  next: number;
}

/**
 * Parser of MAT v5 data elements in one buffer (a whole uncompressed element or an inflated miCOMPRESSED one).
 * Every size is checked against the bytes that remain before anything is allocated; any inconsistency is a
 * one-line {@link UserError} naming the file.
 */
export class MatElementParser {
  private readonly dv: DataView;
  constructor(
    readonly buf: Uint8Array,
    readonly littleEndian: boolean,
    readonly file: string,
    /** Struct fields not parsed (skipped by their declared size and left out of the elements). */
    readonly skipFields: ReadonlySet<string> = new Set(),
  ) {
    this.dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  fail(msg: string): never {
    throw new UserError(`readMat: ${this.file} is not a readable MAT-file: ${msg}`);
  }

  /** Reads the tag at `pos`; its data must end by `end`. */
  tag(pos: number, end: number, what: string): Tag {
    if (pos + 8 > end) this.fail(`${what}: element tag at byte ${pos} is truncated`);
    const first = this.dv.getUint32(pos, this.littleEndian);
    if (first >>> 16 !== 0) {
      // Small data element format: type and size in the first 4 bytes, data in the next 4.
      const nbytes = first >>> 16;
      if (nbytes > 4) this.fail(`${what}: small element at byte ${pos} declares ${nbytes} bytes (at most 4)`);
      return { type: first & 0xffff, nbytes, dataPos: pos + 4, next: pos + 8 };
    }
    const nbytes = this.dv.getUint32(pos + 4, this.littleEndian);
    if (nbytes > end - pos - 8)
      this.fail(`${what}: element at byte ${pos} declares ${nbytes} bytes, only ${end - pos - 8} remain`);
    const padded = first === MI.COMPRESSED ? nbytes : Math.ceil(nbytes / 8) * 8;
    return { type: first, nbytes, dataPos: pos + 8, next: Math.min(end, pos + 8 + padded) };
  }

  /** Reads the array flags, dimensions and name of the miMATRIX whose data spans [pos, end). */
  header(
    pos: number,
    end: number,
    what: string,
  ): { cls: number; complex: boolean; logical: boolean; dims: number[]; name: string; next: number } {
    const ft = this.tag(pos, end, what);
    if ((ft.type !== MI.UINT32 && ft.type !== MI.INT32) || ft.nbytes !== 8)
      this.fail(
        `${what}: array flags element has type ${ft.type} and ${ft.nbytes} bytes (expected miUINT32, 8)`,
      );
    const flags = this.dv.getUint32(ft.dataPos, this.littleEndian);
    const dt = this.tag(ft.next, end, what);
    if (dt.type !== MI.INT32 || dt.nbytes % 4 !== 0 || dt.nbytes < 8)
      this.fail(`${what}: dimensions element has type ${dt.type} and ${dt.nbytes} bytes`);
    const dims: number[] = [];
    for (let i = 0; i < dt.nbytes / 4; i++) {
      const d = this.dv.getInt32(dt.dataPos + 4 * i, this.littleEndian);
      if (d < 0) this.fail(`${what}: negative dimension ${d}`);
      dims.push(d);
    }
    const nt = this.tag(dt.next, end, what);
    if (nt.type !== MI.INT8 && nt.type !== MI.UINT8 && !(nt.type === 0 && nt.nbytes === 0))
      this.fail(`${what}: array name element has type ${nt.type}`);
    const name = Buffer.from(this.buf.subarray(nt.dataPos, nt.dataPos + nt.nbytes)).toString('latin1');
    return {
      cls: flags & 0xff,
      complex: (flags & 0x0800) !== 0,
      logical: (flags & 0x0200) !== 0,
      dims,
      name,
      next: nt.next,
    };
  }

  /** Parses the miMATRIX whose data spans [pos, end) (after its tag). An empty element is a 0x0 double. */
  matrix(pos: number, end: number, what: string, depth = 0): { name: string; value: MatValue } {
    if (depth > MAX_DEPTH) this.fail(`${what}: cells/structs nested deeper than ${MAX_DEPTH} levels`);
    if (end === pos)
      return {
        name: '',
        value: { kind: 'numeric', className: 'double', dims: [0, 0], real: new Float64Array(0) },
      };
    const h = this.header(pos, end, what);
    const where = h.name ? `${what} (array "${printableName(h.name)}")` : what;
    let count = 1;
    for (const d of h.dims) count *= d;
    if (count > MAX_ELEMENTS) this.fail(`${where}: dimensions ${h.dims.join('x')} are too large`);
    let p = h.next;
    const numeric = MX_NUMERIC[h.cls];
    if (numeric !== undefined) {
      const re = this.tag(p, end, where);
      const real = this.numbers(re, count, where);
      let imag: Float64Array | undefined;
      if (h.complex) imag = this.numbers(this.tag(re.next, end, where), count, where);
      const className: MatNumericClass = h.logical ? 'logical' : numeric;
      return {
        name: h.name,
        value: { kind: 'numeric', className, dims: h.dims, real, ...(imag ? { imag } : {}) },
      };
    }
    if (h.cls === MX_CHAR) {
      const t = this.tag(p, end, where);
      const codes = this.charCodes(t, count, where);
      const m = h.dims[0] ?? 0;
      const n = m === 0 ? 0 : count / m;
      const rows: string[] = [];
      for (let i = 0; i < m; i++) {
        let s = '';
        for (let j = 0; j < n; j++) s += String.fromCodePoint(codes[i + j * m] as number);
        rows.push(s);
      }
      return { name: h.name, value: { kind: 'char', dims: h.dims, rows } };
    }
    if (h.cls === MX_CELL) {
      if (count * 8 > end - p) this.fail(`${where}: ${count} cells cannot fit in ${end - p} bytes`);
      const cells: MatValue[] = [];
      for (let i = 0; i < count; i++) {
        const t = this.tag(p, end, where);
        if (t.type !== MI.MATRIX)
          this.fail(`${where}: cell ${i} is an element of type ${t.type}, not miMATRIX`);
        cells.push(this.matrix(t.dataPos, t.dataPos + t.nbytes, what, depth + 1).value);
        p = t.next;
      }
      return { name: h.name, value: { kind: 'cell', dims: h.dims, cells } };
    }
    if (h.cls === MX_STRUCT)
      return { name: h.name, value: this.struct(h.dims, count, p, end, where, what, depth) };
    const unsupported = MX_UNSUPPORTED[h.cls];
    this.fail(
      `${where}: ${unsupported ? `${unsupported} arrays are` : `array class ${h.cls} is`} not supported`,
    );
  }

  /** Parses an mxSTRUCT_CLASS array's field names and `count` elements, starting at `p` (after the name). */
  private struct(
    dims: number[],
    count: number,
    p: number,
    end: number,
    where: string,
    what: string,
    depth: number,
  ): MatValue {
    const lt = this.tag(p, end, where);
    if (lt.type !== MI.INT32 || lt.nbytes !== 4)
      this.fail(`${where}: struct field-name length element is malformed`);
    const len = this.dv.getInt32(lt.dataPos, this.littleEndian);
    const nt = this.tag(lt.next, end, where);
    if (len <= 0 || (nt.type !== MI.INT8 && nt.type !== MI.UINT8) || nt.nbytes % len !== 0)
      this.fail(`${where}: struct field names are malformed (length ${len}, ${nt.nbytes} bytes)`);
    const fieldNames: string[] = [];
    for (let k = 0; k < nt.nbytes / len; k++) {
      const raw = Buffer.from(this.buf.subarray(nt.dataPos + k * len, nt.dataPos + (k + 1) * len)).toString(
        'latin1',
      );
      fieldNames.push(raw.replace(/\0.*$/s, ''));
    }
    p = nt.next;
    if (count * fieldNames.length * 8 > end - p)
      this.fail(`${where}: ${count} x ${fieldNames.length} struct fields cannot fit in ${end - p} bytes`);
    const elements: Record<string, MatValue>[] = [];
    for (let i = 0; i < count; i++) {
      const el: Record<string, MatValue> = {};
      for (const f of fieldNames) {
        const t = this.tag(p, end, where);
        if (t.type !== MI.MATRIX)
          this.fail(`${where}: field ${printableName(f)} is an element of type ${t.type}, not miMATRIX`);
        if (!this.skipFields.has(f))
          el[f] = this.matrix(t.dataPos, t.dataPos + t.nbytes, what, depth + 1).value;
        p = t.next;
      }
      elements.push(el);
    }
    return { kind: 'struct', dims, fieldNames, elements };
  }

  /** Reads `count` numbers stored with the element's type (any numeric miTYPE) as doubles. */
  private numbers(t: Tag, count: number, where: string): Float64Array {
    const size = MI_BYTES[t.type];
    if (size === undefined || t.type === MI.UTF8 || t.type === MI.UTF16 || t.type === MI.UTF32)
      this.fail(`${where}: numeric data element has type ${t.type}`);
    if (t.nbytes !== count * size)
      this.fail(
        `${where}: data element has ${t.nbytes} bytes, ${count} elements of ${size} bytes need ${count * size}`,
      );
    const le = this.littleEndian;
    const dv = this.dv;
    const o = t.dataPos;
    const out = new Float64Array(count);
    if (le && (t.type === MI.DOUBLE || t.type === MI.SINGLE)) {
      // Copy into a fresh (aligned) buffer; Buffer#slice would share memory instead of copying.
      const copy = new Uint8Array(t.nbytes);
      copy.set(this.buf.subarray(o, o + t.nbytes));
      out.set(t.type === MI.DOUBLE ? new Float64Array(copy.buffer) : new Float32Array(copy.buffer));
      return out;
    }
    for (let i = 0; i < count; i++) {
      const q = o + i * size;
      switch (t.type) {
        case MI.INT8:
          out[i] = dv.getInt8(q);
          break;
        case MI.UINT8:
          out[i] = dv.getUint8(q);
          break;
        case MI.INT16:
          out[i] = dv.getInt16(q, le);
          break;
        case MI.UINT16:
          out[i] = dv.getUint16(q, le);
          break;
        case MI.INT32:
          out[i] = dv.getInt32(q, le);
          break;
        case MI.UINT32:
          out[i] = dv.getUint32(q, le);
          break;
        case MI.SINGLE:
          out[i] = dv.getFloat32(q, le);
          break;
        case MI.DOUBLE:
          out[i] = dv.getFloat64(q, le);
          break;
        case MI.INT64:
          out[i] = Number(dv.getBigInt64(q, le));
          break;
        default:
          out[i] = Number(dv.getBigUint64(q, le));
      }
    }
    return out;
  }

  /** Reads the code points of a char array (miUTF8, miUTF16/miUINT16, miUTF32, or 8-bit). */
  private charCodes(t: Tag, count: number, where: string): number[] {
    const bytes = this.buf.subarray(t.dataPos, t.dataPos + t.nbytes);
    let codes: number[];
    if (t.type === MI.UTF8) {
      codes = Array.from(Buffer.from(bytes).toString('utf8'), (c) => c.codePointAt(0) as number);
    } else if (t.type === MI.UINT16 || t.type === MI.UTF16 || t.type === MI.INT16) {
      if (t.nbytes !== count * 2)
        this.fail(`${where}: char data has ${t.nbytes} bytes for ${count} characters`);
      codes = [];
      for (let i = 0; i < count; i++) codes.push(this.dv.getUint16(t.dataPos + 2 * i, this.littleEndian));
    } else if (t.type === MI.UTF32 || t.type === MI.UINT32 || t.type === MI.INT32) {
      if (t.nbytes !== count * 4)
        this.fail(`${where}: char data has ${t.nbytes} bytes for ${count} characters`);
      codes = [];
      for (let i = 0; i < count; i++) {
        const c = this.dv.getUint32(t.dataPos + 4 * i, this.littleEndian);
        codes.push(c > 0x10ffff ? 0xfffd : c);
      }
    } else if (t.type === MI.UINT8 || t.type === MI.INT8) {
      codes = Array.from(bytes);
    } else {
      this.fail(`${where}: char data element has type ${t.type}`);
    }
    if (codes.length !== count)
      this.fail(`${where}: char data has ${codes.length} characters, dimensions need ${count}`);
    return codes;
  }
}
