// logEstimateLine(): the one stderr line of expected wall time that run, pretrain and finetune print at their start.
import type { LoadedConfig } from '../config/index.js';
import type { StageEstimate } from '../plan/estimateTime.js';
import { log } from '../util/log.js';

/**
 * Logs (stderr, hidden under --quiet) the expected wall time of `stages` of the config on this machine
 * (plan/estimateTime: counted work / the engine's speed, measured once and cached). Never fails the command: an
 * estimate that cannot be made is logged under --verbose only (the stage itself reports real errors).
 */
export async function logEstimateLine(
  loaded: LoadedConfig,
  stages: readonly StageEstimate['stage'][],
): Promise<void> {
  try {
    const { estimateTime, formatEstimateLine } = await import('../plan/estimateTime.js');
    log.info(formatEstimateLine(await estimateTime(loaded.config), stages));
  } catch (e) {
    log.debug(`estimate: not made (${(e as Error).message})`);
  }
}
