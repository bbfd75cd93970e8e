/** Prepares and opens the window stores of a run: `data` first, then each `pretrain.extraData` source. */
import type { Config } from '../config/schema.js';
import { checkSourceRoots } from './checkSourceRoots.js';
import { prepareSource } from './prepareSource.js';
import { openWindowStore } from './store.js';
import type { PrepareSummary, WindowStore } from './types.js';

/** Options of {@link prepareData}. */
export interface PrepareDataOptions {
  /** Show progress bars on stderr (default true). */
  progress?: boolean;
}

/**
 * Prepares the window stores of a run: first `config.data`, then each `config.pretrain.extraData` source, all
 * with `config.preprocessing` (the same target rate and window length), cached under `config.output.cacheDir`
 * (reused when already prepared). A missing folder of any source fails before anything is prepared
 * ({@link checkSourceRoots}).
 */
export async function prepareData(config: Config, opts: PrepareDataOptions = {}): Promise<PrepareSummary[]> {
  await checkSourceRoots(config);
  const out: PrepareSummary[] = [];
  for (const source of [config.data, ...config.pretrain.extraData])
    out.push(await prepareSource(source, config.preprocessing, config.output.cacheDir, opts));
  return out;
}

/**
 * Prepares (if needed) and opens the stores of a run: `labelled` is `config.data`, `extra` the
 * `pretrain.extraData` sources in order. The caller closes them.
 */
export async function loadStores(
  config: Config,
  opts: PrepareDataOptions = {},
): Promise<{ labelled: WindowStore; extra: WindowStore[] }> {
  const summaries = await prepareData(config, opts);
  const stores = summaries.map((s) => openWindowStore(s.storeDir));
  return { labelled: stores[0] as WindowStore, extra: stores.slice(1) };
}
