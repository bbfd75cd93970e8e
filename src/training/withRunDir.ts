// Runs one stage in its run directory and records it in run.json (status, times, the engine that ran it).
import type { LoadedConfig } from '../config/load.js';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { acquireLock, type FileLock } from '../results/fileLock.js';
import { openRunDir, type RunDir } from '../results/runDir.js';
import { log } from '../util/log.js';

/** The tfjs engine object when @tensorflow/tfjs has been loaded in this process (undefined otherwise). */
export function loadedTfEngine(): { backendName?: string } | undefined {
  return (globalThis as { _tfengine?: { backendName?: string } })._tfengine;
}

/**
 * Takes `<run dir>/locks/<stage>.lock` or, when a live process holds it (a second `ecgssl pretrain` on the same
 * config while the first still runs), stops with a UserError naming that process. A holder that died (kill -9,
 * power loss) leaves a stale lock, which is taken over.
 */
async function lockStage(runDir: string, stage: string): Promise<FileLock> {
  return acquireLock(join(runDir, 'locks', `${stage}.lock`), {
    onWait: (holder) => {
      const who = holder
        ? `pid ${holder.pid} on ${holder.host} since ${holder.createdAt}`
        : 'another process';
      throw new UserError(
        `${stage}: run directory ${runDir} is in use by ${who}; wait for it to end or stop it (its checkpoints let a later run resume)`,
      );
    },
  });
}

/**
 * Opens the run directory of `loaded` and runs one stage in it under the stage's lock (one process per stage and
 * run directory; {@link lockStage}), recording in run.json
 * `stages.<stage> = { status: running|done|failed, startedAt, finishedAt, seconds, error?, engine? }` (engine:
 * the engine that ran it, e.g. `wasm (2 threads, FFT convolutions)`).
 */
export async function withRunDir<T>(
  loaded: LoadedConfig,
  stage: string,
  fn: (run: RunDir) => Promise<T>,
): Promise<T> {
  const run = await openRunDir(loaded);
  const lock = await lockStage(run.dir, stage);
  try {
    return await runRecorded(run, stage, fn);
  } finally {
    await lock.release();
  }
}

async function runRecorded<T>(run: RunDir, stage: string, fn: (run: RunDir) => Promise<T>): Promise<T> {
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
