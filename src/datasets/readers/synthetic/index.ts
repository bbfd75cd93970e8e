/** The synthetic reader (`data.kind: synthetic`): generates the data set on first use, then reads it as generic. */
import { log } from '../../../util/log.js';
import type { RawRecording, ReaderContext, ReaderModule } from '../../types.js';
import { readGeneric } from '../generic/index.js';
import { generateSynthetic, syntheticIsCurrent, type SyntheticArgs } from './generate.js';
import { syntheticSettingsSchema, type SyntheticSource } from './options.js';

export * from './ecgsyn.js';
export * from './generate.js';

/** The synthetic settings of a source, with the schema's defaults filled in when `data.synthetic` is absent. */
export function syntheticSettings(source: Pick<SyntheticSource, 'synthetic'>): SyntheticArgs {
  return source.synthetic ?? syntheticSettingsSchema.parse({});
}

/**
 * Makes sure `source.root` holds the synthetic dataset of `source.synthetic`: generates it when the folder is
 * missing or its manifest records other settings (or another generator version). Returns true when it generated.
 */
export function ensureSynthetic(source: Pick<SyntheticSource, 'root' | 'synthetic'>): boolean {
  const settings = syntheticSettings(source);
  if (syntheticIsCurrent(source.root, settings)) return false;
  log.info(
    `synthetic: generating ${settings.subjects} subjects x ${settings.recordingsPerSubject} recordings x ` +
      `${settings.recordingSeconds} s at ${settings.samplingRateHz} Hz (seed ${settings.seed}) into ${source.root}`,
  );
  generateSynthetic({ ...settings, root: source.root });
  return true;
}

/** Reads the synthetic data set of `source` (generating it first when needed) with the generic reader. */
export async function* readSynthetic(
  source: SyntheticSource,
  ctx: ReaderContext,
): AsyncGenerator<RawRecording> {
  ensureSynthetic(source);
  yield* readGeneric(source, ctx);
}

/** The registry's handle on this reader: `materialize` generates the files before the store key is taken. */
export const syntheticReader: ReaderModule<SyntheticSource> = {
  read: readSynthetic,
  materialize: (source) => {
    ensureSynthetic(source);
  },
};
