// The reader fuzzer's seeded mutators (truncate, flip bits, overwrite fields, insert tokens, inflate sizes).
import type { Rng } from '../random/index.js';
import type { FuzzFile, FuzzInput, HeaderField } from './types.js';

/**
 * Mutators of the reader fuzzer. Each takes the input's files (copied) and a seeded Rng, changes one file and
 * returns a short description (`truncate(a.npy@120)`). All randomness comes from the Rng (src/random).
 */
export type Mutator = (files: FuzzFile[], rng: Rng, fields: readonly HeaderField[]) => string;

/** Values an ASCII header field or a number in a text file is overwritten with: huge, negative, not numbers. */
export const HOSTILE_NUMBERS = [
  '-1',
  '0',
  '-0',
  '1.5',
  '-7',
  '1',
  '3',
  '255',
  '65536',
  '2147483647',
  '-2147483648',
  '4294967296',
  '99999999',
  '99999999999',
  '9007199254740993',
  '1e308',
  '1e999',
  '-1e999',
  '1e-320',
  'NaN',
  'Infinity',
  '0x10',
  '',
  ' ',
] as const;

/** Structural tokens inserted into text files (delimiters, quotes, YAML syntax, control characters). */
export const TEXT_TOKENS = [
  '\n',
  '\r',
  '\r\n',
  ',',
  ';',
  '\t',
  '"',
  "'",
  '#',
  ' ',
  '\u0000',
  '\u001b[31m',
  '\uFEFF',
  '-',
  '.',
  'e',
  '/',
  '../',
  '(',
  ')',
  ':',
  ': ',
  '{',
  '}',
  '[',
  ']',
  '&a ',
  '*a',
  '<<: *a',
  '!!binary ',
  '!!js/function ',
  '? ',
  '|',
  '- ',
  'NaN',
  'inf',
] as const;

function pick<T>(rng: Rng, xs: readonly T[]): T {
  return xs[rng.int(0, xs.length)] as T;
}

function pickFile(files: FuzzFile[], rng: Rng): FuzzFile {
  return pick(rng, files);
}

/** A position biased towards the start (headers live there): half the time within the first 512 bytes. */
function position(rng: Rng, length: number): number {
  if (length <= 0) return 0;
  if (rng.uniform() < 0.5) return rng.int(0, Math.min(length, 512));
  return rng.int(0, length);
}

/** Cuts the file at a random offset. */
export const truncate: Mutator = (files, rng) => {
  const f = pickFile(files, rng);
  const at = position(rng, f.bytes.length);
  f.bytes = f.bytes.slice(0, at);
  return `truncate(${f.name}@${at})`;
};

/** Flips 1 to 8 random bits. */
export const flipBits: Mutator = (files, rng) => {
  const f = pickFile(files, rng);
  if (f.bytes.length === 0) return `flip(${f.name}:empty)`;
  const n = 1 + rng.int(0, 8);
  const at: number[] = [];
  for (let k = 0; k < n; k++) {
    const p = position(rng, f.bytes.length);
    f.bytes[p] = (f.bytes[p] as number) ^ (1 << rng.int(0, 8));
    at.push(p);
  }
  return `flip(${f.name}@${at.join(',')})`;
};

function writeField(f: FuzzFile, field: HeaderField, rng: Rng): string {
  if (field.offset + field.length > f.bytes.length) return 'beyond-end';
  const view = new DataView(f.bytes.buffer, f.bytes.byteOffset, f.bytes.byteLength);
  if (field.encoding === 'ascii') {
    const text = (pick(rng, HOSTILE_NUMBERS) + ' '.repeat(field.length)).slice(0, field.length);
    for (let i = 0; i < field.length; i++) f.bytes[field.offset + i] = text.charCodeAt(i) & 0xff;
    return JSON.stringify(text.trim());
  }
  const max = field.encoding === 'u8' ? 0xff : field.encoding === 'u16le' ? 0xffff : 0xffffffff;
  const choices = [0, 1, max, max - 1, Math.floor(max / 2) + 1, rng.int(0, max)];
  const v = pick(rng, choices);
  if (field.encoding === 'u8') view.setUint8(field.offset, v);
  else if (field.encoding === 'u16le') view.setUint16(field.offset, v, true);
  else view.setUint32(field.offset, v, true);
  return String(v);
}

const NUMBER_TOKEN = /-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?/g;

/**
 * Overwrites a declared size or value: a fixed-width header field (binary formats) or a number in the text
 * (text formats, the `.npy` header dict) with a huge, negative or non-numeric value.
 */
export const overwriteField: Mutator = (files, rng, fields) => {
  if (fields.length > 0 && rng.uniform() < 0.7) {
    const field = pick(rng, fields);
    const f = files.find((x) => x.name === field.file);
    if (f) return `field(${f.name}@${field.offset}=${writeField(f, field, rng)})`;
  }
  const f = pickFile(files, rng);
  const text = Buffer.from(f.bytes.buffer, f.bytes.byteOffset, f.bytes.byteLength).toString('latin1');
  const tokens: { at: number; len: number }[] = [];
  for (const m of text.slice(0, 1 << 16).matchAll(NUMBER_TOKEN))
    tokens.push({ at: m.index, len: m[0].length });
  if (tokens.length === 0) return `number(${f.name}:none)`;
  // Numbers early in a file (headers, declared sizes) are the interesting ones: prefer the first 64.
  const t = pick(rng, rng.uniform() < 0.6 ? tokens.slice(0, 64) : tokens);
  const value = pick(rng, HOSTILE_NUMBERS);
  const out = text.slice(0, t.at) + value + text.slice(t.at + t.len);
  f.bytes = new Uint8Array(Buffer.from(out, 'latin1'));
  return `number(${f.name}@${t.at}=${JSON.stringify(value)})`;
};

/** Appends random bytes or a repeated text token: usually a few bytes, sometimes tens of kilobytes. */
export const appendGarbage: Mutator = (files, rng) => {
  const f = pickFile(files, rng);
  const n = rng.uniform() < 0.9 ? 1 + rng.int(0, 256) : 1 + rng.int(0, 1 << 16);
  const extra = new Uint8Array(n);
  if (rng.uniform() < 0.5) for (let i = 0; i < n; i++) extra[i] = rng.int(0, 256);
  else {
    const tok = Buffer.from(pick(rng, TEXT_TOKENS) + pick(rng, HOSTILE_NUMBERS), 'latin1');
    for (let i = 0; i < n; i++) extra[i] = tok[i % Math.max(1, tok.length)] ?? 0x20;
  }
  const out = new Uint8Array(f.bytes.length + n);
  out.set(f.bytes, 0);
  out.set(extra, f.bytes.length);
  f.bytes = out;
  return `append(${f.name}+${n})`;
};

/** Copies a random chunk of the file and inserts it (1 to 4 times) at a random offset. */
export const duplicateChunk: Mutator = (files, rng) => {
  const f = pickFile(files, rng);
  const len = f.bytes.length;
  if (len === 0) return `dup(${f.name}:empty)`;
  const start = position(rng, len);
  const size = 1 + rng.int(0, Math.min(len - start, 1024));
  const times = 1 + rng.int(0, 4);
  const at = position(rng, len + 1);
  const chunk = f.bytes.slice(start, start + size);
  const out = new Uint8Array(len + size * times);
  out.set(f.bytes.subarray(0, at), 0);
  for (let k = 0; k < times; k++) out.set(chunk, at + k * size);
  out.set(f.bytes.subarray(at), at + size * times);
  f.bytes = out;
  return `dup(${f.name}@${start}+${size}x${times}->${at})`;
};

/** Inserts a structural text token (delimiter, quote, newline, YAML syntax, control character). */
export const insertToken: Mutator = (files, rng) => {
  const f = pickFile(files, rng);
  const tok = Buffer.from(pick(rng, TEXT_TOKENS), 'utf8');
  const at = position(rng, f.bytes.length + 1);
  const out = new Uint8Array(f.bytes.length + tok.length);
  out.set(f.bytes.subarray(0, at), 0);
  out.set(tok, at);
  out.set(f.bytes.subarray(at), at + tok.length);
  f.bytes = out;
  return `insert(${f.name}@${at}=${JSON.stringify(tok.toString('utf8'))})`;
};

/** Every mutator, by name. */
export const MUTATORS: Readonly<Record<string, Mutator>> = {
  truncate,
  flipBits,
  overwriteField,
  appendGarbage,
  duplicateChunk,
  insertToken,
};

/**
 * Relative frequency of each mutator. Overwriting declared sizes and values finds the most (a lone hostile value
 * in an otherwise valid file gets past the early checks), so it is drawn as often as three others together.
 */
export const MUTATOR_WEIGHTS: Readonly<Record<string, number>> = {
  truncate: 1,
  flipBits: 1,
  overwriteField: 3,
  appendGarbage: 1,
  duplicateChunk: 1,
  insertToken: 1,
};

/**
 * Derives one case from a seed input: copies its files and applies one mutator (half the cases), two or three.
 * Returns the mutated files and the list of mutations applied.
 */
export function mutateInput(input: FuzzInput, rng: Rng): { files: FuzzFile[]; mutations: string[] } {
  const files = input.files.map((f) => ({ name: f.name, bytes: f.bytes.slice() }));
  const names = Object.keys(MUTATORS);
  const total = names.reduce((a, k) => a + (MUTATOR_WEIGHTS[k] ?? 1), 0);
  const u = rng.uniform();
  const n = u < 0.5 ? 1 : u < 0.8 ? 2 : 3;
  const mutations: string[] = [];
  for (let k = 0; k < n; k++) {
    let r = rng.uniform() * total;
    let name = names[names.length - 1] as string;
    for (const key of names) {
      r -= MUTATOR_WEIGHTS[key] ?? 1;
      if (r < 0) {
        name = key;
        break;
      }
    }
    const m = MUTATORS[name] as Mutator;
    mutations.push(m(files, rng, input.fields ?? []));
  }
  return { files, mutations };
}
