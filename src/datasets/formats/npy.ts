/** The NumPy .npy format: header inspection, chunked channel reads and a writer. */
import { closeSync, fstatSync, openSync, readSync, writeFileSync } from 'node:fs';
import { UserError } from '../../errors.js';
import { excerpt } from '../../util/excerpt.js';

/** The dtypes the `.npy` reader understands: float32, float64, int16 (little or big endian). */
export type NpyDtype = 'f4' | 'f8' | 'i2';

/** Header of a NumPy `.npy` file (format versions 1, 2 and 3). */
export interface NpyHeader {
  dtype: NpyDtype;
  littleEndian: boolean;
  /** Bytes per element. */
  itemBytes: number;
  fortranOrder: boolean;
  shape: number[];
  /** Byte offset of the first data element. */
  dataOffset: number;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** Parses the header of the `.npy` file at `path` (the open descriptor `fd`); checks the file holds all the data. */
export function readNpyHeader(fd: number, path: string): NpyHeader {
  const fileBytes = fstatSync(fd).size;
  const pre = Buffer.alloc(12);
  const got = readSync(fd, pre, 0, 12, 0);
  if (got < 10 || MAGIC.some((b, i) => pre[i] !== b))
    throw new UserError(`readNpy: ${path} is not a .npy file (wrong magic, expected \\x93NUMPY)`);
  const major = pre[6] as number;
  let headerLen: number;
  let start: number;
  if (major === 1) {
    headerLen = pre.readUInt16LE(8);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (got < 12) throw new UserError(`readNpy: ${path} is truncated (header)`);
    headerLen = pre.readUInt32LE(8);
    start = 12;
  } else {
    throw new UserError(`readNpy: ${path} has unsupported .npy format version ${major}`);
  }
  if (start + headerLen > fileBytes) throw new UserError(`readNpy: ${path} is truncated (header)`);
  const hb = Buffer.alloc(headerLen);
  readSync(fd, hb, 0, headerLen, start);
  const text = hb.toString(major === 3 ? 'utf8' : 'latin1');
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(text)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined)
    throw new UserError(`readNpy: ${path} has a malformed header: "${excerpt(text.trim(), 120)}"`);
  const m = /^([<>|=])([a-z])(\d+)$/.exec(descr);
  const kind = m ? `${m[2]}${m[3]}` : '';
  if (kind !== 'f4' && kind !== 'f8' && kind !== 'i2')
    throw new UserError(
      `readNpy: ${path} has dtype '${excerpt(descr)}'; supported: float32 (<f4), float64 (<f8), int16 (<i2)`,
    );
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map(Number);
  if (shape.length < 1 || shape.length > 2 || shape.some((d) => !Number.isInteger(d) || d < 0))
    throw new UserError(
      `readNpy: ${path} has shape (${excerpt(shapeText)}); expected 1-D [samples] or 2-D [samples, channels]`,
    );
  const itemBytes = kind === 'i2' ? 2 : kind === 'f4' ? 4 : 8;
  const dataOffset = start + headerLen;
  const count = shape.reduce((a, b) => a * b, 1);
  if (dataOffset + count * itemBytes > fileBytes)
    throw new UserError(
      `readNpy: ${path} is truncated: shape (${shape.join(', ')}) needs ${count * itemBytes} data bytes, ` +
        `the file has ${fileBytes - dataOffset}`,
    );
  return {
    dtype: kind,
    littleEndian: m?.[1] !== '>',
    itemBytes,
    fortranOrder: fortran === 'True',
    shape,
    dataOffset,
  };
}

function decode(buf: Buffer, h: NpyHeader, n: number, out: Float64Array, outOffset: number): void {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const le = h.littleEndian;
  if (h.dtype === 'f4') for (let i = 0; i < n; i++) out[outOffset + i] = view.getFloat32(i * 4, le);
  else if (h.dtype === 'f8') for (let i = 0; i < n; i++) out[outOffset + i] = view.getFloat64(i * 8, le);
  else for (let i = 0; i < n; i++) out[outOffset + i] = view.getInt16(i * 2, le);
}

/** Number of samples (rows) and channels of an `.npy` header. */
export function npyDims(h: NpyHeader): { samples: number; channels: number } {
  return { samples: h.shape[0] as number, channels: h.shape.length === 2 ? (h.shape[1] as number) : 1 };
}

/**
 * Reads one channel of a `.npy` file chunk by chunk (at most `chunkSamples` samples per chunk, as Float64Array),
 * never holding the whole file in memory. 1-D files have one channel; 2-D files are [samples, channels] in C or
 * Fortran order.
 */
export function* readNpyChannelChunks(
  path: string,
  channel: number,
  chunkSamples = 1 << 18,
): Generator<Float64Array> {
  const fd = openSync(path, 'r');
  try {
    const h = readNpyHeader(fd, path);
    const { samples, channels } = npyDims(h);
    if (channel < 0 || channel >= channels)
      throw new UserError(`readNpy: ${path} has ${channels} channel(s); lead ${channel} does not exist`);
    // Contiguous case: 1-D, Fortran order, or a single column.
    const contiguous = channels === 1 || h.fortranOrder;
    const rowBytes = contiguous ? h.itemBytes : h.itemBytes * channels;
    const base = h.dataOffset + (h.fortranOrder ? channel * samples * h.itemBytes : 0);
    // Rows per read: at most chunkSamples, and at most ~16 MB of file per read for wide files.
    const rows = Math.max(1, Math.min(chunkSamples, Math.floor((16 << 20) / rowBytes)));
    const buf = Buffer.alloc(Math.min(rows, Math.max(1, samples)) * rowBytes);
    const raw = contiguous ? buf : Buffer.alloc(Math.min(rows, Math.max(1, samples)) * h.itemBytes);
    for (let s0 = 0; s0 < samples; s0 += rows) {
      const n = Math.min(rows, samples - s0);
      const want = n * rowBytes;
      const got = readSync(fd, buf, 0, want, base + s0 * rowBytes);
      if (got !== want) throw new UserError(`readNpy: ${path} is truncated at sample ${s0}`);
      if (!contiguous) {
        for (let i = 0; i < n; i++)
          buf.copy(
            raw,
            i * h.itemBytes,
            i * rowBytes + channel * h.itemBytes,
            i * rowBytes + (channel + 1) * h.itemBytes,
          );
      }
      const out = new Float64Array(n);
      decode(raw, h, n, out, 0);
      yield out;
    }
  } finally {
    closeSync(fd);
  }
}

/** Reads the header of the `.npy` file at `path`. */
export function inspectNpy(path: string): NpyHeader {
  const fd = openSync(path, 'r');
  try {
    return readNpyHeader(fd, path);
  } finally {
    closeSync(fd);
  }
}

/** Reads one channel of a `.npy` file into memory (Float64Array). */
export function readNpyChannel(path: string, channel: number): Float64Array {
  const h = inspectNpy(path);
  const out = new Float64Array(npyDims(h).samples);
  let k = 0;
  for (const chunk of readNpyChannelChunks(path, channel)) {
    out.set(chunk, k);
    k += chunk.length;
  }
  return out;
}

/** The `.npy` v1 preamble + header of a little-endian C-order array (the data bytes follow it). */
export function npyHeaderBytes(descr: '<f4' | '<f8' | '<i2', shape: readonly number[]): Buffer {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const pre = Buffer.alloc(10);
  MAGIC.forEach((b, i) => (pre[i] = b));
  pre[6] = 1;
  pre[7] = 0;
  pre.writeUInt16LE(header.length, 8);
  return Buffer.concat([pre, Buffer.from(header, 'latin1')]);
}

/**
 * Writes a little-endian `.npy` v1 file: float32 or float64 data, shape `[n]` or `[n, channels]` (C order).
 */
export function writeNpy(
  path: string,
  data: Float32Array | Float64Array | Int16Array,
  shape?: number[],
): void {
  const descr = data instanceof Float32Array ? '<f4' : data instanceof Float64Array ? '<f8' : '<i2';
  const body = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  writeFileSync(path, Buffer.concat([npyHeaderBytes(descr, shape ?? [data.length]), body]));
}
