// prepareKey: the plan-time key under which sweep points share one prepare unit.
import { resolve } from 'node:path';
import type { Config } from '../config/schema.js';
import { hashCanonical } from '../util/canonical.js';

/**
 * Plan-time key of a config's prepare work: hex SHA-256 of its data sources (`data` and `pretrain.extraData`,
 * roots made absolute), `preprocessing` and cache folder. Points with equal keys share one prepare unit (the
 * window stores are the same files). Unlike the store key it reads no file, so planning needs no data.
 */
export function prepareKey(config: Config): string {
  const sources = [config.data, ...config.pretrain.extraData].map((s) => ({ ...s, root: resolve(s.root) }));
  return hashCanonical({
    sources,
    preprocessing: config.preprocessing,
    cacheDir: resolve(config.output.cacheDir),
  });
}
