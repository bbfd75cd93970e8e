/** The data-set readers: ONE table kind -> entry (its `data` options, defaults, and its code, loaded on first use). */
import type { z } from 'zod';
import type { ReaderModule } from '../types.js';
import { amigosOptions } from './amigos/options.js';
import { dreamerOptions } from './dreamer/options.js';
import { genericOptions } from './generic/options.js';
import { COMMON_DATA_OPTIONS, type ReaderOptions } from './sourceFields.js';
import { swellOptions } from './swell/options.js';
import { syntheticOptions } from './synthetic/options.js';
import { wesadOptions } from './wesad/options.js';
import { wfdbOptions } from './wfdb/options.js';

/**
 * One reader: its folder's options (schema of `data` for its kind, default head shape and label threshold) and
 * `load`, which imports the reader's code. This file imports only the zod-only option files statically, so the
 * config schema (src/config/schema.ts) can be built from it without loading any reader or anything above config/.
 */
export interface ReaderEntry<S extends z.ZodObject = z.ZodObject> extends ReaderOptions<S> {
  load: () => Promise<ReaderModule<z.output<S>>>;
}

function entry<S extends z.ZodObject>(
  options: ReaderOptions<S>,
  load: () => Promise<ReaderModule<z.output<S>>>,
): ReaderEntry<S> {
  return { ...options, load };
}

/** Adding a reader: its folder under src/datasets/readers/ (options.ts, index.ts, README.md) and one line here. */
export const READERS = {
  amigos: entry(amigosOptions, async () => (await import('./amigos/index.js')).amigosReader),
  swell: entry(swellOptions, async () => (await import('./swell/index.js')).swellReader),
  generic: entry(genericOptions, async () => (await import('./generic/index.js')).genericReader),
  wfdb: entry(wfdbOptions, async () => (await import('./wfdb/index.js')).wfdbReader),
  synthetic: entry(syntheticOptions, async () => (await import('./synthetic/index.js')).syntheticReader),
  dreamer: entry(dreamerOptions, async () => (await import('./dreamer/index.js')).dreamerReader),
  wesad: entry(wesadOptions, async () => (await import('./wesad/index.js')).wesadReader),
};

/** A reader's `data.kind`. */
export type ReaderKind = keyof typeof READERS;
/** The `data` schema of one kind. */
export type SourceSchema = (typeof READERS)[ReaderKind]['schema'];

/** The kinds in table order. */
export const READER_KINDS = Object.keys(READERS) as ReaderKind[];

/** A kind's `data` schema with the options common to every kind (`labelsFile`). */
type WithCommon<S> =
  S extends z.ZodObject<infer Shape, infer Config>
    ? z.ZodObject<Shape & typeof COMMON_DATA_OPTIONS, Config>
    : never;
type DataSchema = WithCommon<SourceSchema>;

/**
 * The `data` schemas of every kind, in table order, each with the common options (COMMON_DATA_OPTIONS:
 * `labelsFile`); src/config/schema.ts unites them on `kind`.
 */
export const READER_SOURCE_SCHEMAS = READER_KINDS.map((k) =>
  READERS[k].schema.extend(COMMON_DATA_OPTIONS),
) as unknown as [DataSchema, ...DataSchema[]];

/** The entry of `kind`, or undefined when no reader has that name (e.g. a data set of the paper without one). */
export function readerEntry(kind: string): ReaderEntry | undefined {
  return Object.prototype.hasOwnProperty.call(READERS, kind)
    ? (READERS[kind as ReaderKind] as unknown as ReaderEntry)
    : undefined;
}
