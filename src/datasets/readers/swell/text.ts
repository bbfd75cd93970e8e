/** The SWELL "Mobi signals text" export: one ECG sample per line, streamed in chunks. */
import { closeSync, fstatSync, readSync } from 'node:fs';
import { openForReading } from '../../formats/fileRead.js';
import { UserError } from '../../../errors.js';
import { excerpt } from '../../../util/excerpt.js';

/**
 * SWELL-KW's ECG rate (METHOD §1): the rate of the "Mobi signals text" export, which stores no rate of its own.
 */
export const SWELL_TEXT_RATE_HZ = 2048;

/** Bytes read from the file at a time. */
const READ_BYTES = 1 << 20;
/** Longest line accepted (characters); a longer one is not a line of numbers (or the file is not text). */
const MAX_LINE_CHARS = 4096;
/** A decimal number as numpy.loadtxt writes and reads it: `-12`, `3.5`, `.5`, `1e-3`, `+4.`. */
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const NON_FINITE = /^[+-]?(?:nan|inf(?:inity)?)$/i;
/** Column separators: a comma (with optional blanks around it) or a run of blanks/tabs. */
const SEPARATOR = /\s*,\s*|\s+/;

/** The 0-based column `lead` names (an index or an index written as text), or a UserError naming `path`. */
function columnOf(lead: number | string | undefined, columns: number, path: string, line: number): number {
  if (lead === undefined)
    throw new UserError(
      `readSwell: ${path} line ${line} has ${columns} columns: set data.lead to the 0-based column of the ECG`,
    );
  const k = typeof lead === 'number' ? lead : /^\s*\d+\s*$/.test(lead) ? Number(lead) : NaN;
  if (Number.isNaN(k))
    throw new UserError(
      `readSwell: ${path} has ${columns} unnamed columns: data.lead "${excerpt(String(lead))}" must be a 0-based column index`,
    );
  if (k >= columns)
    throw new UserError(
      `readSwell: ${path} line ${line} has ${columns} columns; data.lead ${k} does not exist (0-based)`,
    );
  return k;
}

/** Throws the reader's one-line UserError naming `path` and line `line`. */
function failAt(path: string, line: number, why: string): never {
  throw new UserError(`readSwell: ${path} line ${line}: ${why}`);
}

/** One column of a multi-column line as a finite number, or a UserError naming `path` and `line`. */
function columnValue(token: string, path: string, line: number): number {
  if (!NUMBER.test(token)) {
    if (NON_FINITE.test(token)) failAt(path, line, `non-finite value "${token}"`);
    failAt(path, line, `"${excerpt(token)}" is not a number`);
  }
  const v = Number(token);
  if (!Number.isFinite(v)) failAt(path, line, `non-finite value "${excerpt(token)}"`);
  return v;
}

/**
 * A parser of one file's lines, in order: `parse` gives the ECG sample of a data line (column `lead` of a
 * multi-column file) or undefined for a blank or comment line; `lineNo` is the number of lines parsed so far.
 */
function swellLineParser(
  path: string,
  lead: number | string | undefined,
): { parse: (raw: string) => number | undefined; lineNo: () => number } {
  let lineNo = 0;
  let columns = 0; // 0 = not known yet
  let firstDataLine = 0;
  let col = 0;
  const parse = (raw: string): number | undefined => {
    lineNo++;
    const s = raw.trim();
    if (s === '' || s[0] === '#') return undefined;
    if (columns <= 1 && NUMBER.test(s)) {
      // The common case: one number per line.
      if (columns === 0) {
        columns = 1;
        firstDataLine = lineNo;
      }
      const v = Number(s);
      if (!Number.isFinite(v)) failAt(path, lineNo, `non-finite value "${excerpt(s)}"`);
      return v;
    }
    const tokens = s.split(SEPARATOR);
    if (columns !== 0 && tokens.length !== columns)
      failAt(path, lineNo, `${tokens.length} columns, line ${firstDataLine} has ${columns}`);
    const values = tokens.map((t) => columnValue(t, path, lineNo)); // every column strict, not only the ECG's
    if (columns === 0) {
      columns = tokens.length;
      firstDataLine = lineNo;
      if (columns > 1) col = columnOf(lead, columns, path, lineNo);
    }
    return values[col] as number;
  };
  return { parse, lineNo: () => lineNo };
}

/**
 * Streams the ECG of one file of SWELL-KW's text export ("Mobi signals text", `ppN_..._cK.txt`): one number per
 * line (the layout `numpy.loadtxt` reads as one column), read 1 MiB at a time with a carry-over of the partial
 * last line, yielded in chunks of about `chunkSamples` samples, never holding the file. Blank lines, a trailing
 * newline, CRLF, a UTF-8 byte-order mark and `#` comment lines (as numpy.loadtxt) are tolerated. Lines with
 * several columns (separated by blanks, tabs or commas; the same number on every line) give column `lead`
 * (0-based; required then); `lead` is not used for one-column files. A line that is not numbers, a non-finite
 * value or a change in the number of columns is a one-line UserError naming the file and line number.
 */
export function* readSwellTextChunks(
  path: string,
  lead: number | string | undefined,
  chunkSamples = 1 << 16,
): Generator<Float64Array, void, undefined> {
  const fd = openForReading(path, 'readSwell');
  try {
    const size = fstatSync(fd).size;
    const buf = Buffer.alloc(Math.max(1, Math.min(READ_BYTES, size)));
    let out = new Float64Array(chunkSamples);
    let filled = 0;
    let carry = '';
    let pos = 0;
    let first = true;
    const lines = swellLineParser(path, lead);
    const parseLine = (raw: string): void => {
      const v = lines.parse(raw);
      if (v !== undefined) out[filled++] = v;
    };
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, pos);
      if (n === 0) break;
      pos += n;
      let text = carry + buf.toString('latin1', 0, n);
      if (first) {
        if (text.startsWith('\xef\xbb\xbf')) text = text.slice(3);
        first = false;
      }
      let start = 0;
      for (let nl = text.indexOf('\n', start); nl >= 0; nl = text.indexOf('\n', start)) {
        if (nl - start > MAX_LINE_CHARS)
          failAt(
            path,
            lines.lineNo() + 1,
            `longer than ${MAX_LINE_CHARS} characters (not one sample per line)`,
          );
        parseLine(text.slice(start, nl));
        start = nl + 1;
        if (filled === out.length) {
          yield out;
          out = new Float64Array(chunkSamples);
          filled = 0;
        }
      }
      carry = text.slice(start);
      if (carry.length > MAX_LINE_CHARS)
        failAt(
          path,
          lines.lineNo() + 1,
          `longer than ${MAX_LINE_CHARS} characters (not one sample per line)`,
        );
    }
    if (carry !== '') parseLine(carry);
    if (filled > 0) yield out.subarray(0, filled);
  } finally {
    closeSync(fd);
  }
}
