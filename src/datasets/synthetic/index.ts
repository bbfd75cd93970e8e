import type { DataSource } from '../../config/schema.js';
import { dataSourceSchema } from '../../config/schema.js';
import { log } from '../../util/log.js';
import { generateSynthetic, syntheticIsCurrent, type SyntheticArgs } from './generate.js';

export * from './ecgsyn.js';
export * from './generate.js';

/** The synthetic settings of a source, with the schema's defaults filled in when `data.synthetic` is absent. */
export function syntheticSettings(source: DataSource): SyntheticArgs {
  return source.synthetic ?? dataSourceSchema.shape.synthetic.unwrap().parse({});
}

/**
 * Makes sure `source.root` holds the synthetic dataset of `source.synthetic`: generates it when the folder is
 * missing or its manifest records other settings (or another generator version). Returns true when it generated.
 */
export function ensureSynthetic(source: DataSource): boolean {
  const settings = syntheticSettings(source);
  if (syntheticIsCurrent(source.root, settings)) return false;
  log.info(
    `synthetic: generating ${settings.subjects} subjects x ${settings.recordingsPerSubject} recordings x ` +
      `${settings.recordingSeconds} s at ${settings.samplingRateHz} Hz (seed ${settings.seed}) into ${source.root}`,
  );
  generateSynthetic({ ...settings, root: source.root });
  return true;
}
