import type { DataSource } from '../config/schema.js';
import { readGeneric } from './generic.js';
import { ensureSynthetic } from './synthetic/index.js';
import type { RawRecording, ReaderContext } from './types.js';
import { readWfdb } from './wfdb.js';

async function* readAmigosLazy(source: DataSource, ctx: ReaderContext): AsyncGenerator<RawRecording> {
  const { readAmigos } = await import('./amigos/index.js');
  yield* readAmigos(source, ctx);
}

async function* readSwellLazy(source: DataSource, ctx: ReaderContext): AsyncGenerator<RawRecording> {
  const { readSwell } = await import('./swell/index.js');
  yield* readSwell(source, ctx);
}

async function* readSynthetic(source: DataSource, ctx: ReaderContext): AsyncGenerator<RawRecording> {
  ensureSynthetic(source);
  yield* readGeneric(source, ctx);
}

/**
 * Reads every recording of a data source with the reader its `kind` names, subject by subject:
 * `generic` (own files), `synthetic` (generated on first use, then read as generic), `wfdb` (PhysioNet records),
 * `amigos` and `swell` (loaded on demand).
 */
export function readRecordings(source: DataSource, ctx: ReaderContext): AsyncGenerator<RawRecording> {
  switch (source.kind) {
    case 'generic':
      return readGeneric(source, ctx);
    case 'synthetic':
      return readSynthetic(source, ctx);
    case 'wfdb':
      return readWfdb(source, ctx);
    case 'amigos':
      return readAmigosLazy(source, ctx);
    case 'swell':
      return readSwellLazy(source, ctx);
  }
}
