/** Reads every recording of a data source with the reader its `kind` names in the registry. */
import type { DataSource } from '../config/schema.js';
import { InternalError } from '../errors.js';
import { readerEntry } from './readers/registry.js';
import type { RawRecording, ReaderContext, ReaderModule } from './types.js';

/**
 * Reads every recording of a data source with the reader its `kind` names (src/datasets/readers/registry.ts),
 * subject by subject: `generic` (own files), `synthetic` (generated on first use, then read as generic), `wfdb`
 * (PhysioNet records), `amigos`, `swell`. Reader code is loaded on first use.
 */
export async function* readRecordings(source: DataSource, ctx: ReaderContext): AsyncGenerator<RawRecording> {
  const entry = readerEntry(source.kind);
  if (!entry) throw new InternalError(`readRecordings: no reader for data.kind "${String(source.kind)}"`);
  const reader = (await entry.load()) as ReaderModule<DataSource>;
  yield* reader.read(source, ctx);
}
