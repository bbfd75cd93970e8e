/** MAT-file v7.3 (HDF5) reader through the optional dependency h5wasm. */
import { closeSync, readSync } from 'node:fs';
import { openForReading } from '../fileRead.js';
import { resolve } from 'node:path';
import { UserError } from '../../../errors.js';
import type { MatNumericClass, MatValue, ReadMatOptions } from './types.js';

const HDF5_SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * True when `path` is a MAT v7.3 file: "MATLAB 7.3" header text, or the HDF5 signature at byte 0 or 512 (the
 * user block MATLAB writes before the HDF5 data).
 */
export function isHdf5Mat(path: string): boolean {
  const fd = openForReading(path, 'readMat');
  try {
    const b = Buffer.alloc(520);
    const n = readSync(fd, b, 0, 520, 0);
    if (b.subarray(0, 10).toString('latin1') === 'MATLAB 7.3') return true;
    if (n >= 8 && b.subarray(0, 8).equals(HDF5_SIGNATURE)) return true;
    return n >= 520 && b.subarray(512, 520).equals(HDF5_SIGNATURE);
  } finally {
    closeSync(fd);
  }
}

// Minimal view of the h5wasm API used here (h5wasm is optional, so it is not imported statically).
interface H5Attr {
  value: unknown;
}
interface H5Entity {
  type: string;
  attrs: Record<string, H5Attr>;
  keys?(): string[];
  get?(name: string): H5Entity | null;
  shape?: number[] | null;
  dtype?: unknown;
  value?: unknown;
  dereference(ref: unknown): H5Entity | null;
}
interface H5File extends H5Entity {
  close(): unknown;
}
interface H5Module {
  ready: Promise<unknown>;
  File: new (path: string, mode: string) => H5File;
}

async function loadH5wasm(path: string): Promise<H5Module> {
  const spec = 'h5wasm/node';
  try {
    const mod = (await import(spec)) as { default?: H5Module } & H5Module;
    const h5 = mod.default ?? mod;
    await h5.ready;
    return h5;
  } catch {
    throw new UserError(
      `readMat: ${path} is a MAT v7.3 (HDF5) file, which needs the optional package h5wasm: run \`npm install h5wasm\`, or re-save the file in MATLAB as v7 (save(..., '-v7'))`,
    );
  }
}

const NUMERIC_CLASSES: readonly string[] = [
  'double',
  'single',
  'int8',
  'uint8',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'uint64',
  'logical',
];

function attrText(e: H5Entity, name: string): string | undefined {
  const a = e.attrs[name];
  if (!a) return undefined;
  const v = a.value;
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return Buffer.from(v).toString('latin1');
  return String(v);
}

function toNumbers(v: unknown, fail: (m: string) => never): Float64Array {
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean')
    return Float64Array.of(Number(v));
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
    const arr = v as unknown as ArrayLike<number | bigint>;
    const out = new Float64Array(arr.length);
    for (let i = 0; i < arr.length; i++) out[i] = Number(arr[i]);
    return out;
  }
  if (Array.isArray(v)) return Float64Array.from(v.flat(Infinity) as number[], Number);
  return fail(`unexpected numeric data (${typeof v})`);
}

function convert(file: H5File, e: H5Entity, what: string, path: string, depth: number): MatValue {
  const fail = (m: string): never => {
    throw new UserError(`readMat: ${path} (MAT v7.3): ${what}: ${m}`);
  };
  if (depth > 64) fail('nesting deeper than 64 levels');
  const cls = attrText(e, 'MATLAB_class') ?? (e.type === 'Group' ? 'struct' : 'double');
  if (e.type === 'Group') {
    if (cls !== 'struct') fail(`group of MATLAB class "${cls}" is not supported`);
    const fieldNames = (e.keys?.() ?? []).filter((k) => !k.startsWith('#'));
    const el: Record<string, MatValue> = {};
    for (const f of fieldNames) {
      const child = e.get?.(f);
      if (!child) fail(`field ${f} cannot be read`);
      el[f] = convert(file, child as H5Entity, `${what}.${f}`, path, depth + 1);
    }
    return { kind: 'struct', dims: [1, 1], fieldNames, elements: [el] };
  }
  if (e.type !== 'Dataset') fail(`HDF5 object of type ${e.type} is not supported`);
  const shape = e.shape ?? [];
  const dims = shape.length === 0 ? [1, 1] : [...shape].reverse();
  if (dims.length === 1) dims.push(1);
  const empty =
    e.attrs.MATLAB_empty !== undefined && Number(toNumbers(e.attrs.MATLAB_empty.value, fail)[0]) !== 0;
  if (empty) {
    const d = Array.from(toNumbers(e.value, fail));
    const edims = d.length >= 2 ? d : [0, 0];
    if (cls === 'cell') return { kind: 'cell', dims: edims, cells: [] };
    if (cls === 'char') return { kind: 'char', dims: edims, rows: [] };
    if (cls === 'struct') return { kind: 'struct', dims: edims, fieldNames: [], elements: [] };
    return {
      kind: 'numeric',
      className: (NUMERIC_CLASSES.includes(cls) ? cls : 'double') as MatNumericClass,
      dims: edims,
      real: new Float64Array(0),
    };
  }
  const count = dims.reduce((a, b) => a * b, 1);
  if (cls === 'cell' || (cls === 'struct' && e.dtype === 'Reference')) {
    const refs = e.value;
    const list = Array.isArray(refs) ? (refs.flat(Infinity) as unknown[]) : [refs];
    if (list.length !== count) fail(`cell has ${list.length} references for ${count} cells`);
    const cells = list.map((r, i) => {
      const target = file.dereference(r);
      if (!target) fail(`cell ${i} is a dangling reference`);
      return convert(file, target as H5Entity, `${what} cell ${i}`, path, depth + 1);
    });
    return { kind: 'cell', dims, cells };
  }
  if (cls === 'char') {
    const codes = toNumbers(e.value, fail);
    if (codes.length !== count) fail(`char data has ${codes.length} characters for ${count}`);
    const m = dims[0] ?? 0;
    const n = m === 0 ? 0 : count / m;
    const rows: string[] = [];
    for (let i = 0; i < m; i++) {
      let s = '';
      for (let j = 0; j < n; j++) s += String.fromCharCode(codes[i + j * m] as number);
      rows.push(s);
    }
    return { kind: 'char', dims, rows };
  }
  if (!NUMERIC_CLASSES.includes(cls)) fail(`MATLAB class "${cls}" is not supported`);
  const v = e.value;
  if (v !== null && typeof v === 'object' && !ArrayBuffer.isView(v) && !Array.isArray(v))
    fail('complex or compound data is not supported');
  const real = toNumbers(v, fail);
  if (real.length !== count) fail(`data has ${real.length} values for dimensions ${dims.join('x')}`);
  return { kind: 'numeric', className: cls as MatNumericClass, dims, real };
}

/**
 * Reads a MAT v7.3 (HDF5) file through the optional dependency h5wasm: numeric, logical and char arrays, cell
 * arrays (object references into `#refs#`) and structs (groups). HDF5 stores MATLAB's column-major arrays with
 * reversed dimensions, so the flat data already is in MATLAB order and `dims` is the HDF5 shape reversed.
 */
export async function readMat73(path: string, opts: ReadMatOptions = {}): Promise<Record<string, MatValue>> {
  const h5 = await loadH5wasm(path);
  let file: H5File;
  try {
    file = new h5.File(resolve(path), 'r');
  } catch (err) {
    throw new UserError(
      `readMat: ${path} is not a readable HDF5 (MAT v7.3) file (${(err as Error).message})`,
    );
  }
  try {
    const out: Record<string, MatValue> = {};
    const names = (file.keys?.() ?? []).filter((k) => !k.startsWith('#'));
    for (const name of names) {
      if (opts.variables && !opts.variables.includes(name)) continue;
      const e = file.get?.(name);
      if (!e) throw new UserError(`readMat: ${path} (MAT v7.3): variable ${name} cannot be read`);
      out[name] = convert(file, e, `variable "${name}"`, path, 0);
    }
    return out;
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`readMat: ${path} (MAT v7.3) cannot be read (${(err as Error).message})`);
  } finally {
    file.close();
  }
}
