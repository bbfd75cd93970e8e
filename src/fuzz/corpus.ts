/**
 * Seed corpus builders for the reader fuzzer: small, valid files of every format the readers understand,
 * generated in code (no fixtures), deterministic. Each builder returns the file's bytes.
 */
import { concatTyped } from '../datasets/formats/fileRead.js';

const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];

/** Arguments of {@link npyBytes}. */
export interface NpyBytesArgs {
  data: Float32Array | Float64Array | Int16Array;
  shape: number[];
  /** `.npy` format version (1 = 2-byte header length, 2 and 3 = 4-byte). */
  version?: 1 | 2 | 3;
  fortranOrder?: boolean;
  bigEndian?: boolean;
}

/** The bytes of a `.npy` file (same layout as numpy.save and src/datasets/formats/npy.ts writeNpy). */
export function npyBytes(args: NpyBytesArgs): Uint8Array {
  const { data, shape } = args;
  const version = args.version ?? 1;
  const kind = data instanceof Float32Array ? 'f4' : data instanceof Float64Array ? 'f8' : 'i2';
  const itemBytes = data.BYTES_PER_ELEMENT;
  const descr = `${args.bigEndian ? '>' : '<'}${kind}`;
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const pre = version === 1 ? 10 : 12;
  let header = `{'descr': '${descr}', 'fortran_order': ${args.fortranOrder ? 'True' : 'False'}, 'shape': ${shapeText}, }`;
  header += ' '.repeat((64 - ((pre + header.length + 1) % 64)) % 64) + '\n';
  const out = new Uint8Array(pre + header.length + data.length * itemBytes);
  const view = new DataView(out.buffer);
  NPY_MAGIC.forEach((b, i) => (out[i] = b));
  out[6] = version;
  out[7] = 0;
  if (version === 1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[pre + i] = header.charCodeAt(i);
  const base = pre + header.length;
  for (let i = 0; i < data.length; i++) {
    const v = data[i] as number;
    const le = !args.bigEndian;
    if (kind === 'f4') view.setFloat32(base + 4 * i, v, le);
    else if (kind === 'f8') view.setFloat64(base + 8 * i, v, le);
    else view.setInt16(base + 2 * i, v, le);
  }
  return out;
}

/** Deterministic integer test signal in [-amplitude, amplitude] (a sum of two sines). */
export function testSignal(n: number, amplitude = 1000, phase = 0): Int16Array {
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++)
    out[i] = Math.round(amplitude * (0.7 * Math.sin(i / 5 + phase) + 0.3 * Math.sin(i / 1.7 + 2 * phase)));
  return out;
}

/** One signal of {@link edfBytes}. */
export interface EdfSeedSignal {
  label: string;
  samplesPerRecord: number;
  physicalMin: number;
  physicalMax: number;
  digitalMin: number;
  digitalMax: number;
  /** Digital samples, records * samplesPerRecord. */
  digital: Int16Array;
  /** Physical dimension (default `uV`). */
  dimension?: string;
}

function pad(s: string, n: number): string {
  return (s + ' '.repeat(n)).slice(0, n);
}

/** Byte layout of the EDF header fields, for the fuzzer's field overwrites (offsets per the EDF spec). */
export const EDF_FIXED_FIELDS: readonly { offset: number; length: number; name: string }[] = [
  { offset: 0, length: 8, name: 'version' },
  { offset: 184, length: 8, name: 'header bytes' },
  { offset: 192, length: 44, name: 'reserved' },
  { offset: 236, length: 8, name: 'data records' },
  { offset: 244, length: 8, name: 'record duration' },
  { offset: 252, length: 4, name: 'signals' },
];

/** Per-signal EDF header fields: [offset of the block in units of ns, field length]. */
export const EDF_SIGNAL_FIELDS: readonly { block: number; length: number; name: string }[] = [
  { block: 0, length: 16, name: 'label' },
  { block: 96, length: 8, name: 'physical dimension' },
  { block: 104, length: 8, name: 'physical minimum' },
  { block: 112, length: 8, name: 'physical maximum' },
  { block: 120, length: 8, name: 'digital minimum' },
  { block: 128, length: 8, name: 'digital maximum' },
  { block: 216, length: 8, name: 'samples per record' },
];

/** The bytes of an EDF (or EDF+C) file. */
export function edfBytes(
  signals: EdfSeedSignal[],
  records: number,
  recordDurationS: number,
  plus = false,
): Uint8Array {
  const ns = signals.length;
  let h = pad('0', 8) + pad('X X X X', 80) + pad('Startdate X X X X', 80) + '01.01.20' + '00.00.00';
  h += pad(String(256 * (ns + 1)), 8) + pad(plus ? 'EDF+C' : '', 44) + pad(String(records), 8);
  h += pad(String(recordDurationS), 8) + pad(String(ns), 4);
  const cols: [number, (s: EdfSeedSignal) => string][] = [
    [16, (s) => s.label],
    [80, () => ''],
    [8, (s) => s.dimension ?? 'uV'],
    [8, (s) => String(s.physicalMin)],
    [8, (s) => String(s.physicalMax)],
    [8, (s) => String(s.digitalMin)],
    [8, (s) => String(s.digitalMax)],
    [80, () => ''],
    [8, (s) => String(s.samplesPerRecord)],
    [32, () => ''],
  ];
  for (const [len, f] of cols) for (const s of signals) h += pad(f(s), len);
  const recordBytes = signals.reduce((a, s) => a + 2 * s.samplesPerRecord, 0);
  const out = new Uint8Array(h.length + records * recordBytes);
  for (let i = 0; i < h.length; i++) out[i] = h.charCodeAt(i) & 0xff;
  const view = new DataView(out.buffer);
  let o = h.length;
  for (let r = 0; r < records; r++)
    for (const s of signals)
      for (let i = 0; i < s.samplesPerRecord; i++) {
        view.setInt16(o, s.digital[r * s.samplesPerRecord + i] as number, true);
        o += 2;
      }
  return out;
}

/** One channel of {@link wfdbFiles}. */
export interface WfdbSeedChannel {
  /** The channel's samples: frames x `samplesPerFrame`. */
  adc: Int16Array;
  /** Samples per frame (default 1; more gives the `16x<k>` format field of multi-rate records). */
  samplesPerFrame?: number;
  gain: number;
  baseline: number;
  description: string;
}

/**
 * The `.hea` text and `.dat` bytes of a single-segment WFDB record, all channels interleaved in one file frame by
 * frame (each frame: `samplesPerFrame` consecutive samples of each channel in order); `rateHz` is the frame rate.
 */
export function wfdbFiles(
  name: string,
  format: 212 | 16 | 80,
  rateHz: number,
  channels: WfdbSeedChannel[],
): { hea: string; dat: Uint8Array } {
  const spf = (c: WfdbSeedChannel): number => c.samplesPerFrame ?? 1;
  const first = channels[0];
  const n = first ? Math.floor(first.adc.length / spf(first)) : 0;
  const m = channels.length;
  const flat: number[] = [];
  for (let t = 0; t < n; t++)
    for (const c of channels) for (let s = 0; s < spf(c); s++) flat.push(c.adc[t * spf(c) + s] as number);
  let dat: Uint8Array;
  if (format === 16) {
    dat = new Uint8Array(flat.length * 2);
    const view = new DataView(dat.buffer);
    flat.forEach((v, i) => view.setInt16(2 * i, v, true));
  } else if (format === 80) {
    dat = Uint8Array.from(flat, (v) => (v + 128) & 0xff);
  } else {
    if (flat.length % 2 === 1) flat.push(0);
    dat = new Uint8Array((flat.length / 2) * 3);
    for (let p = 0; p < flat.length / 2; p++) {
      const a = (flat[2 * p] as number) & 0xfff;
      const b = (flat[2 * p + 1] as number) & 0xfff;
      dat[3 * p] = a & 0xff;
      dat[3 * p + 1] = ((a >> 8) & 0x0f) | (((b >> 8) & 0x0f) << 4);
      dat[3 * p + 2] = b & 0xff;
    }
  }
  const bits = format === 80 ? 8 : format === 16 ? 16 : 12;
  const lines = ['# fuzz seed record', `${name} ${m} ${rateHz} ${n}`];
  for (const c of channels) {
    let sum = 0;
    for (const v of c.adc.subarray(0, n * spf(c))) sum += v;
    const s16 = (((sum % 65536) + 65536 + 32768) % 65536) - 32768;
    const fmt = spf(c) === 1 ? `${format}` : `${format}x${spf(c)}`;
    lines.push(
      `${name}.dat ${fmt} ${c.gain}(${c.baseline})/mV ${bits} 0 ${c.adc[0]} ${s16} 0 ${c.description}`,
    );
  }
  return { hea: lines.join('\n') + '\n', dat };
}

/** Text of a signal `.csv` file: `columns` leads, `rows` samples, optional header, given delimiter and newline. */
export function csvText(args: {
  rows: number;
  columns: number;
  header?: boolean;
  delimiter?: string;
  newline?: string;
  decimals?: number;
}): string {
  const d = args.delimiter ?? ',';
  const nl = args.newline ?? '\n';
  const lines: string[] = [];
  if (args.header !== false) lines.push(Array.from({ length: args.columns }, (_, c) => `lead${c}`).join(d));
  for (let r = 0; r < args.rows; r++)
    lines.push(
      Array.from({ length: args.columns }, (_, c) =>
        (Math.sin(r / 4 + c) * 100).toFixed(args.decimals ?? 3),
      ).join(d),
    );
  return lines.join(nl) + nl;
}

// ---- MAT v5 (MATLAB -v6/-v7 level 5 MAT-file format: 128-byte header, tagged data elements) ----

const MI_INT8 = 1;
const MI_INT16 = 3;
const MI_UINT16 = 4;
const MI_INT32 = 5;
const MI_UINT32 = 6;
const MI_DOUBLE = 9;
const MI_MATRIX = 14;
const MI_COMPRESSED = 15;
const MX_CELL = 1;
const MX_STRUCT = 2;
const MX_CHAR = 4;
const MX_DOUBLE = 6;
const MX_INT16 = 10;

/** A tagged data element (little endian), padded to 8 bytes; `small` packs up to 4 bytes into the tag. */
function matElement(type: number, data: Uint8Array, small = true): Uint8Array {
  if (small && data.length <= 4 && data.length > 0) {
    const out = new Uint8Array(8);
    const view = new DataView(out.buffer);
    view.setUint16(0, type, true);
    view.setUint16(2, data.length, true);
    out.set(data, 4);
    return out;
  }
  const padded = Math.ceil(data.length / 8) * 8;
  const out = new Uint8Array(8 + padded);
  const view = new DataView(out.buffer);
  view.setUint32(0, type, true);
  view.setUint32(4, data.length, true);
  out.set(data, 8);
  return out;
}

function concatBytes(parts: Uint8Array[]): Uint8Array {
  return concatTyped(parts, (n) => new Uint8Array(n));
}

/**
 * A MAT value for {@link matBytes}: a double or int16 matrix (column-major), a char row, a cell array (a row, or
 * `rows` x 1 with `column`), or a 1 x 1 struct.
 */
export type MatSeedValue =
  | { kind: 'double'; rows: number; cols: number; data: Float64Array }
  | { kind: 'int16'; rows: number; cols: number; data: Int16Array }
  | { kind: 'char'; text: string }
  | { kind: 'cell'; items: MatSeedValue[]; column?: boolean }
  | { kind: 'struct'; fields: Record<string, MatSeedValue> };

/** The field-name length and names elements of a struct (names padded with NULs to one length). */
function structFieldNames(names: string[]): Uint8Array[] {
  const len = Math.max(1, ...names.map((n) => n.length + 1));
  const lenBytes = new Uint8Array(4);
  new DataView(lenBytes.buffer).setInt32(0, len, true);
  const all = new Uint8Array(len * names.length);
  names.forEach((n, k) => all.set(Buffer.from(n, 'latin1'), k * len));
  return [matElement(MI_INT32, lenBytes), matElement(MI_INT8, all)];
}

function matMatrix(name: string, v: MatSeedValue): Uint8Array {
  const flags = new Uint8Array(8);
  const fv = new DataView(flags.buffer);
  const dims = new Uint8Array(8);
  const dv = new DataView(dims.buffer);
  let body: Uint8Array[];
  let cls: number;
  let rows: number;
  let cols: number;
  if (v.kind === 'double') {
    cls = MX_DOUBLE;
    [rows, cols] = [v.rows, v.cols];
    body = [matElement(MI_DOUBLE, new Uint8Array(v.data.buffer, v.data.byteOffset, v.data.byteLength))];
  } else if (v.kind === 'int16') {
    cls = MX_INT16;
    [rows, cols] = [v.rows, v.cols];
    body = [matElement(MI_INT16, new Uint8Array(v.data.buffer, v.data.byteOffset, v.data.byteLength))];
  } else if (v.kind === 'char') {
    cls = MX_CHAR;
    [rows, cols] = [1, v.text.length];
    const u16 = Uint16Array.from(v.text, (c) => c.charCodeAt(0));
    body = [matElement(MI_UINT16, new Uint8Array(u16.buffer))];
  } else if (v.kind === 'cell') {
    cls = MX_CELL;
    [rows, cols] = v.column ? [v.items.length, 1] : [1, v.items.length];
    body = v.items.map((it) => matMatrix('', it));
  } else {
    cls = MX_STRUCT;
    [rows, cols] = [1, 1];
    const names = Object.keys(v.fields);
    body = [...structFieldNames(names), ...names.map((n) => matMatrix('', v.fields[n] as MatSeedValue))];
  }
  fv.setUint32(0, cls, true);
  dv.setInt32(0, rows, true);
  dv.setInt32(4, cols, true);
  const nameBytes = new Uint8Array(Buffer.from(name, 'latin1'));
  const parts = [
    matElement(MI_UINT32, flags, false),
    matElement(MI_INT32, dims, false),
    nameBytes.length === 0 ? matElement(MI_INT8, nameBytes, false) : matElement(MI_INT8, nameBytes),
    ...body,
  ];
  return matElement(MI_MATRIX, concatBytes(parts), false);
}

/**
 * The bytes of a MAT v5 file holding `vars`; with `compress` each variable is stored as a zlib-compressed
 * miCOMPRESSED element (MATLAB -v7), using `deflate` (zlib format) to compress.
 */
export function matBytes(
  vars: Record<string, MatSeedValue>,
  compress?: (raw: Uint8Array) => Uint8Array,
): Uint8Array {
  const header = new Uint8Array(128);
  const text = 'MATLAB 5.0 MAT-file, Platform: ecgssl fuzz seed, Created on: Thu Jan  1 00:00:00 2026';
  header.fill(0x20, 0, 116);
  for (let i = 0; i < text.length; i++) header[i] = text.charCodeAt(i);
  const hv = new DataView(header.buffer);
  hv.setUint16(124, 0x0100, true);
  header[126] = 'I'.charCodeAt(0);
  header[127] = 'M'.charCodeAt(0);
  const elems = Object.entries(vars).map(([name, v]) => {
    const m = matMatrix(name, v);
    if (!compress) return m;
    const z = compress(m);
    const out = new Uint8Array(8 + z.length);
    const view = new DataView(out.buffer);
    view.setUint32(0, MI_COMPRESSED, true);
    view.setUint32(4, z.length, true);
    out.set(z, 8);
    return out;
  });
  return concatBytes([header, ...elems]);
}

// ---- TMSi Poly5 (217-byte header, 136-byte signal descriptions, blocks of an 86-byte header + samples) ----

function pascalString(buf: Uint8Array, off: number, max: number, s: string): void {
  const n = Math.min(s.length, max - 1);
  buf[off] = n;
  for (let i = 0; i < n; i++) buf[off + 1 + i] = s.charCodeAt(i) & 0xff;
}

/** Byte offsets of the Poly5 header's numeric fields (for the fuzzer's field overwrites). */
export const POLY5_FIELDS: readonly { offset: number; length: number; encoding: 'u16le' | 'u32le' }[] = [
  { offset: 31, length: 2, encoding: 'u16le' }, // version
  { offset: 114, length: 2, encoding: 'u16le' }, // sample rate
  { offset: 119, length: 2, encoding: 'u16le' }, // number of signals
  { offset: 121, length: 4, encoding: 'u32le' }, // number of samples
  { offset: 143, length: 4, encoding: 'u32le' }, // number of blocks
  { offset: 147, length: 2, encoding: 'u16le' }, // samples per block
  { offset: 149, length: 2, encoding: 'u16le' }, // block data bytes
];

/** The bytes of a Poly5 file (float32: (Lo)/(Hi) description pairs; int16: one description per channel). */
export function poly5Bytes(args: {
  rateHz: number;
  names: string[];
  data: Float64Array[];
  samplesPerBlock: number;
  format: 'float32' | 'int16';
}): Uint8Array {
  const { names, data, samplesPerBlock: spb, format } = args;
  const nch = names.length;
  const n = data[0]?.length ?? 0;
  const nBlocks = Math.ceil(n / spb);
  const nSignals = format === 'float32' ? 2 * nch : nch;
  const bps = format === 'float32' ? 4 : 2;
  const blockData = spb * nch * bps;
  const [uL, uH, aL, aH] = [-1000, 1000, -32768, 32767];
  const h = new Uint8Array(217);
  const hv = new DataView(h.buffer);
  const magic = 'POLY SAMPLE FILEversion 2.03\r\n\x1a';
  for (let i = 0; i < magic.length; i++) h[i] = magic.charCodeAt(i);
  hv.setInt16(31, 203, true);
  pascalString(h, 33, 81, 'ecgssl fuzz seed');
  hv.setInt16(114, args.rateHz, true);
  hv.setInt16(116, args.rateHz, true);
  hv.setInt16(119, nSignals, true);
  hv.setInt32(121, n, true);
  [2012, 9, 18, 2, 10, 0, 0].forEach((v, i) => hv.setInt16(129 + 2 * i, v, true));
  hv.setInt32(143, nBlocks, true);
  hv.setUint16(147, spb, true);
  hv.setUint16(149, blockData, true);
  const parts: Uint8Array[] = [h];
  for (let c = 0; c < nch; c++)
    for (const half of format === 'float32' ? ['(Lo) ', '(Hi) '] : ['']) {
      const d = new Uint8Array(136);
      const dv = new DataView(d.buffer);
      pascalString(d, 0, 41, half + (names[c] as string));
      pascalString(d, 45, 11, 'uVolt');
      dv.setFloat32(56, uL, true);
      dv.setFloat32(60, uH, true);
      dv.setFloat32(64, aL, true);
      dv.setFloat32(68, aH, true);
      dv.setInt16(72, c, true);
      parts.push(d);
    }
  for (let b = 0; b < nBlocks; b++) {
    const blk = new Uint8Array(86 + blockData);
    const bv = new DataView(blk.buffer);
    bv.setInt32(0, b * spb, true);
    for (let p = 0; p < spb; p++)
      for (let c = 0; c < nch; c++) {
        const k = b * spb + p;
        const v = k < n ? ((data[c] as Float64Array)[k] as number) : 0;
        if (format === 'float32') bv.setFloat32(86 + 4 * (p * nch + c), v, true);
        else bv.setInt16(86 + 2 * (p * nch + c), Math.round(((v - uL) / (uH - uL)) * (aH - aL) + aL), true);
      }
    parts.push(blk);
  }
  return concatBytes(parts);
}

// ---- Python 2 pickles (protocol 2, cPickle with numpy 1.x: `str` opcodes, _reconstruct + BUILD), as WESAD's ----

/** A value for {@link py2PickleBytes}: a dict, a string, or a little-endian numpy array of f8 / f4 / i4. */
export type PickleSeedValue =
  | { kind: 'dict'; items: Record<string, PickleSeedValue> }
  | { kind: 'str'; text: string }
  | {
      kind: 'array';
      dtype: 'f8' | 'f4' | 'i4';
      shape: number[];
      data: Float64Array | Float32Array | Int32Array;
    };

/** Opcode writer with cPickle's memo: every object BINPUT once, repeated globals and dtypes as BINGET. */
class Py2Pickler {
  readonly out: number[] = [0x80, 2];
  private readonly memo = new Map<string, number>();
  private n = 0;
  bytes(s: string | Uint8Array): void {
    const b = typeof s === 'string' ? Buffer.from(s, 'latin1') : s;
    if (b.length < 256) this.out.push(0x55, b.length);
    else this.out.push(0x54, ...u32le(b.length));
    for (const x of b) this.out.push(x);
    this.put();
  }
  put(key?: string): void {
    if (key !== undefined) this.memo.set(key, this.n);
    if (this.n < 256) this.out.push(0x71, this.n);
    else this.out.push(0x72, ...u32le(this.n));
    this.n++;
  }
  get(key: string): boolean {
    const i = this.memo.get(key);
    if (i !== undefined && i < 256) this.out.push(0x68, i);
    else if (i !== undefined) this.out.push(0x6a, ...u32le(i));
    return i !== undefined;
  }
  int(v: number): void {
    if (v >= 0 && v < 256) this.out.push(0x4b, v);
    else this.out.push(0x4a, ...u32le(v >>> 0));
  }
  global(module: string, name: string): void {
    if (this.get(`${module}.${name}`)) return;
    for (const c of `c${module}\n${name}\n`) this.out.push(c.charCodeAt(0));
    this.put(`${module}.${name}`);
  }
}

function u32le(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}

function pickleDtype(p: Py2Pickler, code: string): void {
  if (p.get(`dtype ${code}`)) return;
  p.global('numpy', 'dtype');
  p.bytes(code);
  p.int(0);
  p.int(1);
  p.out.push(0x87, 0x52);
  p.put(`dtype ${code}`);
  p.out.push(0x28);
  p.int(3);
  p.bytes('<');
  p.out.push(0x4e, 0x4e, 0x4e);
  p.int(-1);
  p.int(-1);
  p.int(0);
  p.out.push(0x74, 0x62);
}

function pickleValue(p: Py2Pickler, v: PickleSeedValue): void {
  if (v.kind === 'str') return p.bytes(v.text);
  if (v.kind === 'dict') {
    p.out.push(0x7d);
    p.put();
    p.out.push(0x28);
    for (const [k, item] of Object.entries(v.items)) {
      p.bytes(k);
      pickleValue(p, item);
    }
    p.out.push(0x75);
    return;
  }
  p.global('numpy.core.multiarray', '_reconstruct');
  p.global('numpy', 'ndarray');
  p.int(0);
  p.out.push(0x85);
  p.bytes('b');
  p.out.push(0x87, 0x52);
  p.put();
  p.out.push(0x28);
  p.int(1);
  p.out.push(0x28);
  for (const d of v.shape) p.int(d);
  p.out.push(0x74);
  pickleDtype(p, v.dtype);
  p.out.push(0x89);
  p.bytes(new Uint8Array(v.data.buffer, v.data.byteOffset, v.data.byteLength));
  p.out.push(0x74, 0x62);
}

/** The bytes of a Python 2 protocol-2 pickle of `v` (as the WESAD release's `S<k>.pkl`; see test/fixtures/wesad). */
export function py2PickleBytes(v: PickleSeedValue): Uint8Array {
  const p = new Py2Pickler();
  pickleValue(p, v);
  p.out.push(0x2e);
  return Uint8Array.from(p.out);
}
