// Runs one stage in its run directory and records it in run.json (status, times, the engine that ran it).
import type { LoadedConfig } from '../config/load.js';
import { openRunDir, type RunDir } from '../results/runDir.js';
import { log } from '../util/log.js';

/** The tfjs engine object when @tensorflow/tfjs has been loaded in this process (undefined otherwise). */
export function loadedTfEngine(): { backendName?: string } | undefined {
  return (globalThis as { _tfengine?: { backendName?: string } })._tfengine;
}

/**
 * Opens the run directory of `loaded` and runs one stage in it, recording in run.json
 * `stages.<stage> = { status: running|done|failed, startedAt, finishedAt, seconds, error?, engine? }` (engine:
 * the engine that ran it, e.g. `wasm (2 threads, FFT convolutions)`).
 */
export async function withRunDir<T>(
  loaded: LoadedConfig,
  stage: string,
  fn: (run: RunDir) => Promise<T>,
): Promise<T> {
  const run = await openRunDir(loaded);
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  await run.updateRunJson({
    stages: { [stage]: { status: 'running', startedAt, finishedAt: null, error: null } },
  });
  log.debug(`${stage}: run directory ${run.dir}`);
  const finish = async (status: 'done' | 'failed', error?: string): Promise<void> => {
    const patch: Record<string, unknown> = {
      stages: {
        [stage]: {
          status,
          startedAt,
          finishedAt: new Date().toISOString(),
          seconds: Math.round((Date.now() - started) / 10) / 100,
          error: error ?? null,
        },
      },
    };
    if (loadedTfEngine()) {
      // The engine was used by this stage: record which one ran (BackendReport of src/engine).
      const { getBackendReport, describeEngine } = await import('../engine/index.js');
      const report = getBackendReport();
      if (report) {
        patch.backend = report;
        // Per stage too: a later run on another engine may skip this stage and reuse its outputs.
        (patch.stages as Record<string, Record<string, unknown>>)[stage]!.engine = describeEngine(report);
      }
    }
    await run.updateRunJson(patch);
  };
  let result: T;
  try {
    result = await fn(run);
  } catch (err) {
    await finish('failed', err instanceof Error ? err.message : String(err)).catch(() => undefined);
    throw err;
  }
  await finish('done');
  return result;
}
