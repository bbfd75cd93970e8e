/**
 * Fuzz worker thread: runs cases `from..to-1` of one target under the allocation guard. Progress lives in a
 * shared Int32Array (see workerProtocol.ts) so that the parent's watchdog knows
 * which case hung or ran out of memory when it has to terminate the thread; failures are posted as messages.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { installAllocationGuard } from './allocationGuard.js';
import { runCase } from './runCase.js';
import { fuzzTargets } from './targets.js';
import type { FuzzTarget } from './types.js';
import { SLOT, type FuzzWorkerData } from './workerProtocol.js';

/** A module listing fuzz targets (src/fuzz/targets.ts, or a test's deliberately broken readers). */
interface TargetsModule {
  fuzzTargets(): FuzzTarget[];
}

async function main(): Promise<void> {
  const data = workerData as FuzzWorkerData;
  const progress = new Int32Array(data.progress);
  const mod = (data.targetsModule ? await import(data.targetsModule) : { fuzzTargets }) as TargetsModule;
  const target = mod.fuzzTargets().find((t) => t.name === data.target);
  if (!target) throw new Error(`fuzz worker: unknown target ${data.target}`);
  const corpus = await target.corpus();
  const guard = installAllocationGuard();
  Atomics.store(progress, SLOT.started, 1);
  for (let i = data.from; i < data.to; i++) {
    Atomics.store(progress, SLOT.current, i);
    const r = await runCase({
      target,
      corpus,
      seed: data.seed,
      caseIndex: i,
      caseDir: data.caseDir,
      guard,
      bound: data.bound,
    });
    if (r.kind === 'ok') Atomics.add(progress, SLOT.ok, 1);
    else if (r.kind === 'user-error') Atomics.add(progress, SLOT.userErrors, 1);
    else {
      Atomics.add(progress, SLOT.failures, 1);
      parentPort?.postMessage({ type: 'failure', caseIndex: i, result: r });
    }
  }
  Atomics.store(progress, SLOT.finished, 1);
}

await main();
