/** Checks, before any work, that the folders of `data` and of every `pretrain.extraData` source exist. */
import { existsSync } from 'node:fs';
import type { Config, DataSource } from '../config/schema.js';
import { InternalError, UserError } from '../errors.js';
import { readerEntry } from './readers/registry.js';

/** Whether the reader of `source.kind` makes its own folder (the synthetic generator), so it need not exist yet. */
async function makesOwnRoot(source: DataSource): Promise<boolean> {
  const entry = readerEntry(source.kind);
  if (!entry) throw new InternalError(`checkSourceRoots: no reader for data.kind "${String(source.kind)}"`);
  const reader = await entry.load();
  return reader.materialize !== undefined;
}

/**
 * Fails at once, before anything is read or prepared, when the folder of `config.data` or of a
 * `pretrain.extraData` source does not exist (readers that generate their data, such as `synthetic`, are
 * exempt). The error is one line naming the folder; for an extra source it also names the way out,
 * `--set pretrain.extraData=[]` (pretraining on the primary data set alone).
 */
export async function checkSourceRoots(config: Config): Promise<void> {
  const data = config.data;
  if (!existsSync(data.root) && !(await makesOwnRoot(data)))
    throw new UserError(`prepare: data.root ${data.root} does not exist`);
  for (const [i, source] of config.pretrain.extraData.entries()) {
    if (existsSync(source.root) || (await makesOwnRoot(source))) continue;
    throw new UserError(
      `prepare: pretrain.extraData.${i} (${source.kind}): folder ${source.root} does not exist; put the data set ` +
        `there (README "Getting the datasets") or pretrain without the extra data sets: --set pretrain.extraData=[]`,
    );
  }
}
