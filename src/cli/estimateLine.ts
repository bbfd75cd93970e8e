// logEstimateLine(): the one stderr line of expected wall time that run, pretrain and finetune print at their start.
import type { LoadedConfig } from '../config/index.js';
import type { StageEstimate } from '../plan/estimateTime.js';
import { log } from '../util/log.js';

/**
 * Logs (stderr, hidden under --quiet) the expected wall time of `stages` of the config on this machine
 * (plan/estimateTime: counted work / the engine's speed, measured once and cached). Not on the pure-JS cpu engine,
 * whose speed would take minutes to measure. Never fails the command: an estimate that cannot be made is logged
 * under --verbose only (the stage itself reports real errors).
 */
export async function logEstimateLine(
  loaded: LoadedConfig,
  stages: readonly StageEstimate['stage'][],
): Promise<void> {
  try {
    const { initEngine, getBackendReport } = await import('../engine/index.js');
    await initEngine(loaded.config.engine);
    if (getBackendReport()?.engine === 'cpu') {
      log.info(
        'estimate: not made on the cpu engine (measuring it takes minutes; ecgssl plan --estimate does)',
      );
      return;
    }
    const { estimateTime, formatEstimateLine } = await import('../plan/estimateTime.js');
    log.info(formatEstimateLine(await estimateTime(loaded.config), stages));
  } catch (e) {
    log.debug(`estimate: not made (${(e as Error).message})`);
  }
}
