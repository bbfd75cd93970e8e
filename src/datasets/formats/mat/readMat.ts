/** MAT-file v5 reader (with compressed elements); v7.3 files are handed to readMat73. */
import { closeSync, fstatSync } from 'node:fs';
import { openForReading, readAt } from '../fileRead.js';
import { constants as zc, inflateRawSync } from 'node:zlib';
import { UserError } from '../../../errors.js';
import { excerpt } from '../../../util/excerpt.js';
import { MatElementParser, MI, printableName } from './parseMatrix.js';
import { isHdf5Mat, readMat73 } from './readMat73.js';
import type { MatValue, ReadMatOptions } from './types.js';

/** Compressed bytes inflated to read a compressed variable's name before deciding to inflate it whole. */
const PEEK_BYTES = 4096;

/**
 * Inflates a miCOMPRESSED element leniently: the 2-byte zlib header is skipped and the raw deflate stream is
 * inflated with Z_SYNC_FLUSH, so a wrong adler32 checksum, a missing end and trailing bytes are tolerated (the
 * AMIGOS files need this; scipy reads them only with `verify_compressed_data_integrity=False`). A stream that
 * is not deflate data at all is a {@link UserError}. Output is bounded by `maxOutputBytes`.
 */
export function inflateLenient(data: Uint8Array, file: string, maxOutputBytes?: number): Buffer {
  if (data.length < 2)
    throw new UserError(`readMat: ${file}: compressed element of ${data.length} bytes is truncated`);
  try {
    return inflateRawSync(data.subarray(2), {
      finishFlush: zc.Z_SYNC_FLUSH,
      ...(maxOutputBytes !== undefined ? { maxOutputLength: maxOutputBytes } : {}),
    });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (maxOutputBytes !== undefined && e.code === 'ERR_BUFFER_TOO_LARGE') throw err;
    throw new UserError(`readMat: ${file}: a compressed variable is corrupt (${e.code ?? ''} ${e.message})`);
  }
}

/** The name of the miMATRIX at the start of `buf` (tag included), or undefined when `buf` ends before it. */
function peekName(buf: Uint8Array, le: boolean, file: string): string | undefined {
  const p = new MatElementParser(buf, le, file);
  if (buf.length < 8) return undefined;
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const type = dv.getUint32(0, le);
  if (type !== MI.MATRIX) p.fail(`a compressed element holds an element of type ${type}, not miMATRIX`);
  const declared = dv.getUint32(4, le);
  const end = Math.min(buf.length, 8 + declared);
  if (declared === 0) return '';
  try {
    return p.header(8, end, 'variable header').name;
  } catch (err) {
    if (end < 8 + declared) return undefined; // ran out of peeked bytes: read more
    throw err;
  }
}

/**
 * The error of a top-level variable that declares more bytes than the file holds, naming the variable when its
 * header is among the bytes that remain (a truncated download).
 */
function truncatedVariable(
  fd: number,
  at: { pos: number; type: number; nbytes: number; size: number; le: boolean },
  path: string,
): UserError {
  const { pos, type, nbytes, size, le } = at;
  const remain = size - pos - 8;
  let name: string | undefined;
  try {
    if (type === MI.MATRIX) name = peekName(readAt(fd, pos, Math.min(remain + 8, PEEK_BYTES)), le, path);
    else if (type === MI.COMPRESSED)
      name = peekName(
        inflateLenient(readAt(fd, pos + 8, Math.min(remain, PEEK_BYTES)), path, 1 << 20),
        le,
        path,
      );
  } catch {
    name = undefined;
  }
  const what = name ? `the variable "${printableName(name)}" at byte ${pos}` : `the variable at byte ${pos}`;
  return new UserError(
    `readMat: ${path} is truncated or corrupt: ${what} declares ${nbytes} bytes, only ${remain} remain`,
  );
}

/**
 * Reads a MAT v5 file (MATLAB `-v6`/`-v7`, scipy `savemat`), synchronously: numeric and logical arrays, char
 * arrays, cell arrays and structs, compressed (miCOMPRESSED, inflated leniently) or not, either byte order.
 * With `variables`, only those are read: the others are skipped by their declared size (a compressed one is
 * inflated only far enough to read its name). Every declared size is checked against the file before anything
 * is allocated; malformed input is a one-line {@link UserError} naming the file. `skipFields` names struct
 * fields that are skipped unparsed (e.g. DREAMER's EEG). MAT v7.3 (HDF5) files are
 * rejected here: use {@link readMat}.
 */
export function readMatV5(path: string, opts: ReadMatOptions = {}): Record<string, MatValue> {
  const fd = openForReading(path, 'readMat');
  try {
    const size = fstatSync(fd).size;
    const head = readAt(fd, 0, 128);
    if (head.length < 128)
      throw new UserError(`readMat: ${path} is not a MAT-file (${size} bytes, no 128-byte header)`);
    const text = head.subarray(0, 116).toString('latin1');
    if (text.startsWith('MATLAB 7.3'))
      throw new UserError(`readMat: ${path} is a MAT v7.3 (HDF5) file; it needs readMat (h5wasm)`);
    const endian = head.subarray(126, 128).toString('latin1');
    if (endian !== 'IM' && endian !== 'MI')
      throw new UserError(
        `readMat: ${path} is not a MAT v5 file (endian indicator "${excerpt(endian)}"${text.startsWith('MATLAB') ? '' : ', no "MATLAB" header text: MAT v4 is not supported'})`,
      );
    const le = endian === 'IM';
    const want = opts.variables ? new Set(opts.variables) : undefined;
    const skip = new Set(opts.skipFields ?? []);
    const out: Record<string, MatValue> = {};
    let pos = 128;
    while (pos + 8 <= size) {
      if (want && [...want].every((v) => v in out)) break;
      const tagBuf = readAt(fd, pos, 8);
      const dv = new DataView(tagBuf.buffer, tagBuf.byteOffset, 8);
      const type = dv.getUint32(0, le);
      const nbytes = dv.getUint32(4, le);
      if (type >>> 16 !== 0)
        throw new UserError(
          `readMat: ${path} is not a readable MAT-file: small element at top level (byte ${pos})`,
        );
      if (nbytes > size - pos - 8) throw truncatedVariable(fd, { pos, type, nbytes, size, le }, path);
      const next = type === MI.COMPRESSED ? pos + 8 + nbytes : pos + 8 + Math.ceil(nbytes / 8) * 8;
      if (type === MI.COMPRESSED) {
        let name: string | undefined;
        let inflated: Buffer | undefined;
        if (want) {
          const peekIn = readAt(fd, pos + 8, Math.min(nbytes, PEEK_BYTES));
          if (peekIn.length === nbytes) inflated = inflateLenient(peekIn, path);
          else {
            try {
              name = peekName(inflateLenient(peekIn, path, 1 << 24), le, path);
            } catch (err) {
              if (
                !(err instanceof UserError) &&
                (err as NodeJS.ErrnoException).code !== 'ERR_BUFFER_TOO_LARGE'
              )
                throw err;
              name = undefined;
            }
          }
        }
        if (name === undefined || want?.has(name)) {
          inflated ??= inflateLenient(readAt(fd, pos + 8, nbytes), path);
          const { name: n, value } = parseTopMatrix(inflated, le, path, pos, skip);
          if (!want || want.has(n)) out[n] = value;
        }
      } else if (type === MI.MATRIX) {
        let name: string | undefined;
        if (want) name = peekName(readAt(fd, pos, Math.min(nbytes + 8, PEEK_BYTES)), le, path);
        if (name === undefined || !want || want.has(name)) {
          const buf = readAt(fd, pos, 8 + nbytes);
          const { name: n, value } = parseTopMatrix(buf, le, path, pos, skip);
          if (!want || want.has(n)) out[n] = value;
        }
      } else if (type !== 0) {
        throw new UserError(
          `readMat: ${path} is not a readable MAT-file: top-level element of type ${type} at byte ${pos}`,
        );
      }
      pos = next;
    }
    return out;
  } finally {
    closeSync(fd);
  }
}

/** Parses the miMATRIX element (tag included) at the start of `buf`; trailing bytes are ignored. */
function parseTopMatrix(
  buf: Uint8Array,
  le: boolean,
  file: string,
  filePos: number,
  skipFields: ReadonlySet<string>,
): { name: string; value: MatValue } {
  const p = new MatElementParser(buf, le, file, skipFields);
  const t = p.tag(0, buf.length, `variable at byte ${filePos}`);
  if (t.type !== MI.MATRIX)
    p.fail(`variable at byte ${filePos} is an element of type ${t.type}, not miMATRIX`);
  return p.matrix(t.dataPos, t.dataPos + t.nbytes, `variable at byte ${filePos}`);
}

/**
 * Reads a MAT-file of any version ecgssl supports: v5 (see {@link readMatV5}) and v7.3 (HDF5, read through the
 * optional dependency `h5wasm`; without it a {@link UserError} says to install it or re-save the file as v7).
 */
export async function readMat(path: string, opts: ReadMatOptions = {}): Promise<Record<string, MatValue>> {
  if (isHdf5Mat(path)) return readMat73(path, opts);
  return readMatV5(path, opts);
}
