// Loads the reference config and opens its windows (data + pretrain.extraData), optionally an evenly spaced subset.
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { loadStores } from '../datasets/index.js';
import { initEngine } from '../engine/index.js';
import { check } from '../errors.js';
import { concatSource } from '../training/pretrainStage.js';
import type { WindowSource } from '../training/pretrain.js';
import { pickWindows } from './pickWindows.js';

/** The reference's data: the resolved config, one source over all stores, the picked windows; `close()` after use. */
export interface ReferenceData {
  config: Config;
  source: WindowSource;
  windows: number[];
  close: () => void;
}

/** Resolves `configPath` with `sets` (as `--set`), starts the engine and opens the stores (prepared if needed). */
export async function openReferenceData(
  configPath: string,
  sets: readonly string[],
  windowCount?: number,
): Promise<ReferenceData> {
  const { config } = await loadConfig({ path: configPath, sets });
  check(
    config.pretrain.scope === 'all',
    'openReferenceData',
    `pretrain.scope must be "all", got "${config.pretrain.scope}"`,
  );
  await initEngine(config.engine);
  const stores = await loadStores(config, { progress: false });
  const all = [stores.labelled, ...stores.extra];
  const windows = pickWindows(
    all.map((s) => s.entries.length),
    windowCount,
  );
  return { config, source: concatSource(all), windows, close: () => all.forEach((s) => s.close()) };
}
