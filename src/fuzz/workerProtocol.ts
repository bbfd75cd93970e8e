// What the fuzzer's parent and worker threads exchange: the worker's data and the shared progress slots.
import type { AllocationBound } from './runCase.js';

/** What the parent passes to a fuzz worker thread. */
export interface FuzzWorkerData {
  target: string;
  seed: number;
  from: number;
  to: number;
  caseDir: string;
  bound: AllocationBound;
  /** URL of the module whose `fuzzTargets()` lists the targets (default: src/fuzz/targets). */
  targetsModule?: string;
  /** SharedArrayBuffer of 6 Int32 ({@link SLOT}). */
  progress: SharedArrayBuffer;
}

/** Slots of the shared progress array: current case, ok, user errors, failures, finished (1), started (1). */
export const SLOT = { current: 0, ok: 1, userErrors: 2, failures: 3, finished: 4, started: 5 } as const;
