// The config hash (SHA-256 of the canonical config without engine and output) and the run-id length.
import type { Config } from './schema.js';
import { hashCanonical } from '../util/canonical.js';

/**
 * SHA-256 (hex) of the canonical JSON (sorted keys) of the resolved config, without its `engine` and `output`
 * sections: those choose where and how fast a run executes, not what it computes, so `pretrain` on one
 * backend and `finetune` on another share a run directory. The run id is the first 12 hex characters.
 */
export function configHash(config: Config): string {
  const { engine: _engine, output: _output, ...rest } = config;
  return hashCanonical(rest);
}

/** Number of hex characters of {@link configHash} used as the run id. */
export const RUN_ID_LENGTH = 12;
