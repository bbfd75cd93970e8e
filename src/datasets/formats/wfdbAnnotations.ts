// WFDB annotation files in MIT format (.atr, .qrs, ...): reader and beat-annotation filter.
import { readFileSync } from 'node:fs';
import { UserError } from '../../errors.js';

/** Annotations of one WFDB annotation file, one entry per annotation, in file (time) order. */
export interface WfdbAnnotations {
  /** Sample index of each annotation (0-based, at the record's sampling rate). */
  samples: Int32Array;
  /** Annotation code (WFDB `ecgcodes.h`: 1 = N, 5 = V, 28 = + rhythm change, ...). */
  codes: Uint8Array;
  /** Mnemonic of each code (`N`, `V`, `+`, ...; `[code]` for a code without one). */
  symbols: string[];
  /** `subtyp` field (SUB), 0 unless set. */
  subtypes: Int16Array;
  /** `chan` field (CHN); carried over from the previous annotation, as in the WFDB library. */
  channels: Int16Array;
  /** `num` field (NUM); carried over from the previous annotation, as in the WFDB library. */
  nums: Int16Array;
  /** Auxiliary text (AUX), '' when absent (e.g. `(N` on rhythm annotations). */
  aux: string[];
}

/** Mnemonics of the annotation codes 0..49 (WFDB `annstr`), '' where WFDB defines none. */
// prettier-ignore
export const WFDB_ANNOTATION_SYMBOLS: readonly string[] = [
  '', 'N', 'L', 'R', 'a', 'V', 'F', 'J', 'A', 'S', 'E', 'j', '/', 'Q', '~', '', '|', '', 's', 'T', '*', 'D', '"',
  '=', 'p', 'B', '^', 't', '+', 'u', '?', '!', '[', ']', 'e', 'n', '@', 'x', 'f', '(', ')', 'r', '', '', '', '',
  '', '', '', '',
];

/** Symbols of beat annotations (WFDB `isqrs`): normal, bundle branch block, ectopic, paced, fusion, unclassified. */
// prettier-ignore
export const WFDB_BEAT_SYMBOLS: readonly string[] = [
  'N', 'L', 'R', 'B', 'A', 'a', 'J', 'S', 'V', 'r', 'F', 'e', 'j', 'n', 'E', '/', 'f', 'Q', '?',
];

const SKIP = 59;
const NUM = 60;
const SUB = 61;
const CHN = 62;
const AUX = 63;
/** Highest code of a regular annotation (ACMAX). */
const ACMAX = 49;

interface Builder {
  samples: number[];
  codes: number[];
  subtypes: number[];
  channels: number[];
  nums: number[];
  aux: string[];
}

function symbolOf(code: number): string {
  const s = WFDB_ANNOTATION_SYMBOLS[code];
  return s !== undefined && s !== '' ? s : `[${code}]`;
}

/** Applies a modifier word (NUM, SUB, CHN, AUX) to the last annotation; returns the bytes consumed after the word. */
function applyModifier(
  b: Builder,
  code: number,
  value: number,
  bytes: Uint8Array,
  at: number,
  path: string,
): number {
  const last = b.codes.length - 1;
  if (last < 0)
    throw new UserError(
      `parseWfdbAnnotations: ${path} byte ${at - 2}: modifier code ${code} before any annotation (malformed file)`,
    );
  const signed = value > 511 ? value - 1024 : value;
  if (code === NUM) b.nums[last] = signed;
  else if (code === SUB) b.subtypes[last] = signed;
  else if (code === CHN) b.channels[last] = value;
  else if (code === AUX) {
    const len = value & 0xff; // the WFDB library reads the length from the low byte
    const padded = len + (len & 1);
    if (at + len > bytes.length)
      throw new UserError(
        `parseWfdbAnnotations: ${path} byte ${at - 2}: AUX of ${len} bytes runs past the end of the file (${bytes.length} bytes)`,
      );
    const text = Buffer.from(bytes.subarray(at, at + len)).toString('latin1');
    b.aux[last] = text.replace(/\0+$/, '');
    return Math.min(padded, bytes.length - at);
  }
  return 0;
}

/**
 * Parses the bytes of an MIT-format annotation file (WFDB `annot(5)`): 16-bit little-endian words, the top 6 bits
 * an annotation code A, the low 10 bits an interval I. A in 1..49 is an annotation I samples after the previous
 * one; SKIP (59) adds the following 32-bit interval (PDP-11 order: high word first) to the time; NUM (60), SUB
 * (61), CHN (62) set that field of the last annotation; AUX (63) attaches I & 255 bytes of text (padded to
 * even);
 * word 0 ends the file. `path` names the file in error messages.
 */
export function parseWfdbAnnotations(bytes: Uint8Array, path: string): WfdbAnnotations {
  const b: Builder = { samples: [], codes: [], subtypes: [], channels: [], nums: [], aux: [] };
  let time = 0;
  let at = 0;
  let ended = false;
  while (at + 1 < bytes.length) {
    const word = (bytes[at] as number) | ((bytes[at + 1] as number) << 8);
    at += 2;
    const code = word >> 10;
    const value = word & 0x3ff;
    if (word === 0) {
      ended = true;
      break;
    }
    if (code === SKIP) {
      if (at + 4 > bytes.length)
        throw new UserError(
          `parseWfdbAnnotations: ${path} byte ${at - 2}: SKIP without its 4-byte interval (malformed file)`,
        );
      const hi = (bytes[at] as number) | ((bytes[at + 1] as number) << 8);
      const lo = (bytes[at + 2] as number) | ((bytes[at + 3] as number) << 8);
      time += (hi << 16) | lo; // signed 32-bit
      at += 4;
    } else if (code >= NUM) {
      at += applyModifier(b, code, value, bytes, at, path);
    } else if (code <= ACMAX) {
      time += value;
      if (time < 0 || time > 0x7fffffff)
        throw new UserError(
          `parseWfdbAnnotations: ${path} byte ${at - 2}: annotation time ${time} is out of range (malformed file)`,
        );
      const prev = b.codes.length - 1;
      b.samples.push(time);
      b.codes.push(code);
      b.subtypes.push(0);
      b.channels.push(prev < 0 ? 0 : (b.channels[prev] as number));
      b.nums.push(prev < 0 ? 0 : (b.nums[prev] as number));
      b.aux.push('');
    } else {
      throw new UserError(
        `parseWfdbAnnotations: ${path} byte ${at - 2}: annotation code ${code} is not defined (malformed file)`,
      );
    }
  }
  if (!ended && at < bytes.length)
    throw new UserError(
      `parseWfdbAnnotations: ${path} has an odd length (${bytes.length} bytes; malformed file)`,
    );
  return {
    samples: Int32Array.from(b.samples),
    codes: Uint8Array.from(b.codes),
    symbols: b.codes.map(symbolOf),
    subtypes: Int16Array.from(b.subtypes),
    channels: Int16Array.from(b.channels),
    nums: Int16Array.from(b.nums),
    aux: b.aux,
  };
}

/** Reads an MIT-format WFDB annotation file (e.g. `100.atr`); see {@link parseWfdbAnnotations}. */
export function readWfdbAnnotations(path: string): WfdbAnnotations {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new UserError(`readWfdbAnnotations: cannot read ${path}: ${(e as Error).message}`);
  }
  return parseWfdbAnnotations(bytes, path);
}

/** Keeps the beat annotations only ({@link WFDB_BEAT_SYMBOLS}): the reference beats for R-peak detection. */
export function beatAnnotations(ann: WfdbAnnotations): WfdbAnnotations {
  const keep: number[] = [];
  ann.symbols.forEach((s, i) => {
    if (WFDB_BEAT_SYMBOLS.includes(s)) keep.push(i);
  });
  return {
    samples: Int32Array.from(keep, (i) => ann.samples[i] as number),
    codes: Uint8Array.from(keep, (i) => ann.codes[i] as number),
    symbols: keep.map((i) => ann.symbols[i] as string),
    subtypes: Int16Array.from(keep, (i) => ann.subtypes[i] as number),
    channels: Int16Array.from(keep, (i) => ann.channels[i] as number),
    nums: Int16Array.from(keep, (i) => ann.nums[i] as number),
    aux: keep.map((i) => ann.aux[i] as string),
  };
}
