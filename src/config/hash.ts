// The config hash (SHA-256 of the canonical config without engine and output) and the run-id length.
import type { Config } from './schema.js';
import { hashCanonical } from '../util/canonical.js';

/**
 * SHA-256 (hex) of the canonical JSON (sorted keys) of the resolved config, without its `output` section and
 * without `engine` except a non-fp32 `engine.precision`: backend, threads and kernels choose where and how fast a run
 * executes, not what it computes (to float rounding), so `pretrain` on one backend and `finetune` on another share
 * a run directory; bf16 arithmetic computes something else, so a `bf16`/`auto` run gets its own run directory and
 * never reuses an fp32 run's stages (fp32 run ids are unchanged). The run id is the first 12 hex characters.
 */
export function configHash(config: Config): string {
  const { engine, output: _output, ...rest } = config;
  const precision = engine.precision;
  return hashCanonical(precision === 'fp32' ? rest : { ...rest, engine: { precision } });
}

/** Number of hex characters of {@link configHash} used as the run id. */
export const RUN_ID_LENGTH = 12;
