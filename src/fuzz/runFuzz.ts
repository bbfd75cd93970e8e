// The fuzz driver: runs each reader target's cases in worker threads with a watchdog and collects the report.
import { accessSync, constants, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { UserError } from '../errors.js';
import { DEFAULT_ALLOCATION_BOUND, runCase, type AllocationBound } from './runCase.js';
import { findTarget, fuzzTargets } from './targets.js';
import type { CaseResult, FuzzFailure, FuzzTarget, FuzzTargetReport } from './types.js';
import { SLOT, type FuzzWorkerData } from './workerProtocol.js';

/** Options of {@link runFuzz}. */
export interface RunFuzzArgs {
  /** Master seed; case i of target t is derived from (seed, t, i). */
  seed: number;
  /** Cases per target (the first few are the unmutated seed inputs). */
  cases: number;
  /** Target names (default: all). */
  targets?: readonly string[];
  /** A case running longer than this is a `hang` failure (the worker is terminated). Default 10 000 ms. */
  caseTimeoutMs?: number;
  /** Heap limit of the worker thread (MiB); running out is a `memory` failure. Default 512. */
  maxOldGenerationMb?: number;
  /** Bound on one allocation per input byte. */
  bound?: AllocationBound;
  /** Folder for the case files (default: /dev/shm when it is a writable memory filesystem, else the OS temp folder). */
  workDir?: string;
  /**
   * URL of a module exporting `fuzzTargets(): FuzzTarget[]` to take the targets from instead of the readers'
   * table (the harness's own tests use deliberately broken readers).
   */
  targetsModule?: string;
  /** Called after each target. */
  onTarget?: (report: FuzzTargetReport) => void;
}

/** Where case files go: a memory filesystem when there is one (tens of thousands of small writes), else tmpdir. */
function defaultWorkDir(): string {
  try {
    accessSync('/dev/shm', constants.W_OK);
    if (statSync('/dev/shm').isDirectory()) return '/dev/shm';
  } catch {
    // no /dev/shm (macOS, Windows): the OS temp folder
  }
  return tmpdir();
}

/** How long a worker may take to load its modules and build its corpus. */
const STARTUP_TIMEOUT_MS = 120_000;

const WORKER_EXT = import.meta.url.endsWith('.ts') ? '.ts' : '.js';

function failureOf(target: string, seed: number, caseIndex: number, r: CaseResult): FuzzFailure {
  return {
    target,
    seed,
    caseIndex,
    reason: r.reason ?? 'exception',
    message: r.message ?? '',
    mutations: r.mutations,
    seedLabel: r.seedLabel,
    ...(r.stack ? { stack: r.stack } : {}),
  };
}

function workerOptions(
  data: Omit<FuzzWorkerData, 'progress'>,
  sab: SharedArrayBuffer,
  maxOldGenerationMb: number,
): WorkerOptions {
  return {
    workerData: { ...data, progress: sab } satisfies FuzzWorkerData,
    resourceLimits: { maxOldGenerationSizeMb: maxOldGenerationMb, maxYoungGenerationSizeMb: 32 },
    stderr: true,
    stdout: true,
  };
}

/** What a failing case reports: its index, the worker's result (none for hangs and crashes), why, the message. */
type OnFailure = (
  caseIndex: number,
  r: CaseResult | undefined,
  reason: FuzzFailure['reason'],
  msg: string,
) => void;

/** A worker's outcome: the next case to run, and its counts of ok cases, user errors and failures. */
type WorkerOutcome = { next: number; ok: number; userErrors: number; failures: number };

/** The counts a worker publishes in its shared progress slots. */
function workerCounts(progress: Int32Array): { ok: number; userErrors: number; failures: number } {
  return {
    ok: Atomics.load(progress, SLOT.ok),
    userErrors: Atomics.load(progress, SLOT.userErrors),
    failures: Atomics.load(progress, SLOT.failures),
  };
}

/** Starts the fuzz worker for `data` with the shared progress slots `sab`; its output is drained and dropped. */
function spawnFuzzWorker(
  data: Omit<FuzzWorkerData, 'progress'>,
  sab: SharedArrayBuffer,
  maxOldGenerationMb: number,
): Worker {
  const workerUrl = new URL(`./worker${WORKER_EXT}`, import.meta.url);
  // Under tsx (tests), the worker registers tsx's loader before importing the TypeScript worker module.
  const worker =
    WORKER_EXT === '.ts'
      ? new Worker(
          `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((m) => { m.register(); return import(${JSON.stringify(workerUrl.href)}); });`,
          { eval: true, ...workerOptions(data, sab, maxOldGenerationMb) },
        )
      : new Worker(workerUrl, workerOptions(data, sab, maxOldGenerationMb));
  // Reader warnings are not part of the report: drain and drop the worker's output.
  worker.stdout.resume();
  worker.stderr.resume();
  return worker;
}

/**
 * Watches a running fuzz worker through its progress slots: a case that makes no progress for `timeoutMs` is a
 * hang (the worker is terminated), an error or early exit a crash (or memory failure); resolves with where to
 * go on, rejects when the worker never gets to its first case.
 */
function superviseWorker(
  worker: Worker,
  progress: Int32Array,
  data: { target: string; to: number },
  timeoutMs: number,
  onFailure: OnFailure,
): Promise<WorkerOutcome> {
  return new Promise((resolve, reject) => {
    let last = -1;
    let lastChange = performance.now();
    let settled = false;
    const finish = (next: number, extraFailure: boolean): void => {
      if (settled) return;
      settled = true;
      clearInterval(timer);
      const c = workerCounts(progress);
      resolve({ next, ...c, failures: c.failures + (extraFailure ? 1 : 0) });
    };
    // A harness problem, not a reader failure: the worker did not get to its first case.
    const abort = (message: string, terminate: boolean): void => {
      settled = true;
      clearInterval(timer);
      if (terminate) void worker.terminate();
      reject(new Error(message));
    };
    const born = performance.now();
    const timer = setInterval(
      () => {
        const cur = Atomics.load(progress, SLOT.current);
        const now = performance.now();
        if (Atomics.load(progress, SLOT.started) === 0) {
          // Still loading its modules and corpus: not a case's time. Give up only if it never gets going.
          lastChange = now;
          if (now - born > STARTUP_TIMEOUT_MS && !settled)
            abort(
              `runFuzz: the fuzz worker for ${data.target} did not start within ${STARTUP_TIMEOUT_MS} ms`,
              true,
            );
          return;
        }
        if (cur !== last) {
          last = cur;
          lastChange = now;
        } else if (now - lastChange > timeoutMs && Atomics.load(progress, SLOT.finished) === 0) {
          onFailure(cur, undefined, 'hang', `case ran longer than ${timeoutMs} ms`);
          void worker.terminate();
          finish(cur + 1, true);
        }
      },
      Math.max(20, Math.min(250, timeoutMs / 4)),
    );
    worker.on('message', (m: { type: string; caseIndex: number; result: CaseResult }) => {
      if (m.type === 'failure')
        onFailure(m.caseIndex, m.result, m.result.reason ?? 'exception', m.result.message ?? '');
    });
    worker.on('error', (err: Error & { code?: string }) => {
      if (settled) return; // already reported (the watchdog stopped it)
      const cur = Atomics.load(progress, SLOT.current);
      const memory = err.code === 'ERR_WORKER_OUT_OF_MEMORY';
      if (!memory && Atomics.load(progress, SLOT.started) === 0) {
        // The worker never got to its first case: a harness problem, not a reader failure.
        if (!settled)
          abort(`runFuzz: the fuzz worker for ${data.target} failed to start: ${err.message}`, false);
        return;
      }
      onFailure(cur, undefined, memory ? 'memory' : 'crash', `${err.name}: ${err.message}`);
      finish(cur + 1, true);
    });
    worker.on('exit', () => {
      if (Atomics.load(progress, SLOT.finished) === 1) finish(data.to, false);
      else {
        const cur = Atomics.load(progress, SLOT.current);
        if (!settled) onFailure(cur, undefined, 'crash', 'worker exited before finishing');
        finish(cur + 1, !settled);
      }
    });
  });
}

/** Runs cases from..to-1 of one target in a fresh worker; resolves when it finishes or is stopped by the watchdog. */
function runWorker(
  data: Omit<FuzzWorkerData, 'progress' | 'from'> & { from: number },
  timeoutMs: number,
  maxOldGenerationMb: number,
  onFailure: OnFailure,
): Promise<WorkerOutcome> {
  const sab = new SharedArrayBuffer(6 * 4);
  const progress = new Int32Array(sab);
  Atomics.store(progress, SLOT.current, data.from);
  const worker = spawnFuzzWorker(data, sab, maxOldGenerationMb);
  return superviseWorker(worker, progress, data, timeoutMs, onFailure);
}

/**
 * Fuzzes the readers: for each target, `cases` cases (unmutated seeds first, then mutated ones) run in a worker
 * thread with a heap limit and an allocation guard, watched by a per-case timeout. A hang, an out-of-memory or a
 * crash ends that worker; a fresh one continues with the next case. Returns one report per target.
 */
export async function runFuzz(args: RunFuzzArgs): Promise<FuzzTargetReport[]> {
  const all = args.targetsModule
    ? ((await import(args.targetsModule)) as { fuzzTargets(): FuzzTarget[] }).fuzzTargets()
    : fuzzTargets();
  const names = args.targets ?? all.map((t) => t.name);
  for (const n of names)
    if (!all.some((t) => t.name === n))
      throw new UserError(`runFuzz: unknown reader "${n}" (readers: ${all.map((t) => t.name).join(', ')})`);
  const timeoutMs = args.caseTimeoutMs ?? 10_000;
  const heapMb = args.maxOldGenerationMb ?? 512;
  const bound = args.bound ?? DEFAULT_ALLOCATION_BOUND;
  const reports: FuzzTargetReport[] = [];
  const root = mkdtempSync(join(args.workDir ?? defaultWorkDir(), 'ecgssl-fuzz-'));
  try {
    for (const name of names) {
      const t0 = performance.now();
      const failures: FuzzFailure[] = [];
      let ok = 0;
      let userErrors = 0;
      let from = 0;
      while (from < args.cases) {
        const r = await runWorker(
          {
            target: name,
            seed: args.seed,
            from,
            to: args.cases,
            caseDir: join(root, name),
            bound,
            ...(args.targetsModule ? { targetsModule: args.targetsModule } : {}),
          },
          timeoutMs,
          heapMb,
          (caseIndex, result, reason, msg) =>
            failures.push(
              result
                ? failureOf(name, args.seed, caseIndex, result)
                : {
                    target: name,
                    seed: args.seed,
                    caseIndex,
                    reason,
                    message: msg,
                    mutations: [],
                    seedLabel: '',
                  },
            ),
        );
        ok += r.ok;
        userErrors += r.userErrors;
        from = r.next;
      }
      failures.sort((a, b) => a.caseIndex - b.caseIndex);
      const report: FuzzTargetReport = {
        target: name,
        cases: args.cases,
        ok,
        userErrors,
        failures,
        seconds: (performance.now() - t0) / 1000,
      };
      reports.push(report);
      args.onTarget?.(report);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return reports;
}

/**
 * Replays one case in this thread (no worker, no allocation guard) and returns its result with the full stack
 * of an unexpected exception: how a failure reported by {@link runFuzz} is debugged.
 */
export async function replayCase(target: string, seed: number, caseIndex: number): Promise<CaseResult> {
  const t = findTarget(target);
  if (!t) throw new UserError(`replayCase: unknown reader "${target}"`);
  const dir = mkdtempSync(join(defaultWorkDir(), 'ecgssl-fuzz-replay-'));
  try {
    return await runCase({
      target: t,
      corpus: await t.corpus(),
      seed,
      caseIndex,
      caseDir: join(dir, t.name),
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
