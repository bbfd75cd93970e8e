// Multi-threaded tfjs wasm under Node: starts, un-refs and terminates the backend's pthread workers.
import { createRequire } from 'node:module';
import { mkdtempSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import * as wt from 'node:worker_threads';
import type * as tfNs from '@tensorflow/tfjs';

const require = createRequire(import.meta.url);

/** pthread workers started for the wasm backend (unref'd so they never keep Node alive). */
const pthreadWorkers = new Set<wt.Worker>();
let patched = false;
let restoreCpus: (() => void) | null = null;

/**
 * Makes tfjs-backend-wasm 4.22's threaded SIMD build start its pthreads under Node (tfjs only supports wasm
 * threads in browsers: it hands emscripten a Blob URL that `node:worker_threads` cannot load, and
 * `setThreadsCount` has no effect there). Workaround measured in /work/shared/prototypes/engine
 * (wasm_threads_node.js): the pthread worker script is written to a file, `URL.createObjectURL` returns that path
 * for it, the worker's `load` message gets the main script path instead of a Blob, and `os.cpus()` is inflated
 * during start-up because tfjs-wasm caps its pool at half the logical cores. The pthread workers are `unref()`'d, so
 * they do not keep the process alive (see {@link finishWasmThreads}); {@link terminateWasmThreads} ends them explicitly.
 *
 * Must be called BEFORE `tf.setBackend('wasm')`. Call {@link finishWasmThreads} after the backend is ready.
 * Throws (with the reason) when the files it needs are missing; the caller falls back to 1 thread.
 */
export function enableWasmThreads(t: typeof tfNs, threads: number): void {
  const wasmPkg = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
  const mainJs = require.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js');
  const dir = dirname(mainJs);
  const wasmBin = join(dir, 'tfjs-backend-wasm-threaded-simd.wasm');
  if (!existsSync(wasmBin)) throw new Error(`threaded wasm binary missing: ${wasmBin}`);
  if (typeof SharedArrayBuffer === 'undefined') throw new Error('SharedArrayBuffer is not available');
  const workerMod = require(join(dir, 'tfjs-backend-wasm-threaded-simd.worker.js')) as {
    wasmWorkerContents?: string;
  };
  if (typeof workerMod.wasmWorkerContents !== 'string')
    throw new Error('pthread worker script not found in tfjs-backend-wasm');
  // Atomic write into a private temp dir (several processes may start at once).
  const tmpDir = mkdtempSync(join(os.tmpdir(), 'ecgssl-wasm-'));
  const workerFile = join(tmpDir, 'pthread-worker.js');
  writeFileSync(workerFile + '.tmp', workerMod.wasmWorkerContents.replace(/\n/g, '\\n'));
  renameSync(workerFile + '.tmp', workerFile);

  if (!patched) {
    patched = true;
    const proto = wt.Worker.prototype as unknown as {
      postMessage: (msg: unknown, ...rest: unknown[]) => void;
    };
    const origPost = proto.postMessage;
    proto.postMessage = function (this: wt.Worker, msg: unknown, ...rest: unknown[]) {
      const m = msg as { cmd?: string; urlOrBlob?: unknown } | null;
      if (m && m.cmd === 'load' && 'wasmMemory' in m) {
        if (typeof m.urlOrBlob !== 'string') msg = { ...m, urlOrBlob: mainJs };
        pthreadWorkers.add(this);
      }
      origPost.call(this, msg, ...rest);
    };
    const origCreate = URL.createObjectURL.bind(URL);
    URL.createObjectURL = function (blob: Blob): string {
      if (blob && blob.type === 'application/javascript') return currentWorkerFile;
      return origCreate(blob);
    };
  }
  currentWorkerFile = workerFile;
  // tfjs-wasm caps the pool at emscripten_num_logical_cores()/2 (it assumes SMT); report 2x so the cap is `threads`.
  const origCpus = os.cpus;
  os.cpus = function () {
    const c = origCpus.call(os);
    const want = Math.max(c.length, threads) * 2;
    const r: os.CpuInfo[] = [];
    while (r.length < want) r.push(...c);
    return r.slice(0, want);
  };
  restoreCpus = () => {
    os.cpus = origCpus;
  };
  t.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  wasmPkg.setThreadsCount(threads);
}
let currentWorkerFile = '';

/**
 * Call once the wasm backend is initialised (or failed): undoes the `os.cpus()` inflation and `unref()`s the pthread
 * workers. Emscripten `ref()`s a worker while it runs a pthread, and XNNPACK's pool threads run for the whole life
 * of the backend, so without this Node would never exit on its own.
 */
export function finishWasmThreads(): void {
  restoreCpus?.();
  restoreCpus = null;
  for (const w of pthreadWorkers) w.unref();
}

/** Number of live wasm pthread workers started by this process. */
export function wasmThreadWorkerCount(): number {
  return pthreadWorkers.size;
}

/**
 * Terminates the wasm pthread workers (they are unref'd, so Node exits without this; call it when the backend is
 * no longer used, e.g. at the end of a CLI command). The wasm backend must not be used afterwards.
 */
export async function terminateWasmThreads(): Promise<void> {
  const ws = [...pthreadWorkers];
  pthreadWorkers.clear();
  await Promise.all(ws.map((w) => w.terminate().catch(() => 0)));
}
