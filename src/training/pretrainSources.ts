// What a run pretrains on: the primary data set's windows (per fold: its training folds) plus every window of each
// `pretrain.extraData` source, as shown by `ecgssl inspect config` and recorded in run.json.
import type { Config } from '../config/schema.js';

/** One data source of pretraining. */
export interface PretrainSource {
  /** `data` or `pretrain.extraData.<i>`. */
  source: string;
  kind: string;
  root: string;
  /** Which of its windows are pretrained on: each fold's training windows, or all of them (in every fold). */
  use: 'training folds' | 'all windows';
  /** Windows in its prepared store (once prepared). */
  windows?: number;
}

/**
 * The pretraining sources of `config`, `data` first: with `pretrain.scope: fold` the primary data set enters each
 * fold's pretraining with that fold's training windows only, every extra source with all of its windows (the
 * authors' union of the training folds of four data sets, main.py). `storeWindows` (the prepared stores' window
 * counts, `data` first) adds `windows`.
 */
export function describePretrainSources(config: Config, storeWindows?: readonly number[]): PretrainSource[] {
  const sources = [config.data, ...config.pretrain.extraData];
  return sources.map((s, i) => {
    const n = storeWindows?.[i];
    return {
      source: i === 0 ? 'data' : `pretrain.extraData.${i - 1}`,
      kind: s.kind,
      root: s.root,
      use: i === 0 && config.pretrain.scope === 'fold' ? 'training folds' : 'all windows',
      ...(n !== undefined ? { windows: n } : {}),
    };
  });
}

/**
 * One line for logs and `inspect config`, e.g.
 * `data (amigos data/amigos, training folds) + pretrain.extraData.0 (swell data/swell, all windows)`.
 */
export function formatPretrainSources(sources: readonly PretrainSource[]): string {
  return sources
    .map(
      (s) =>
        `${s.source} (${s.kind} ${s.root}, ${s.use}${s.windows !== undefined ? `, ${s.windows} windows` : ''})`,
    )
    .join(' + ');
}
