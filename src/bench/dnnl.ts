/**
 * oneDNN tier benchmark (`npm run build && node scripts/bench.mjs --only dnnl`): training (the real pretraining
 * step: forward + backward + Adam) and inference windows/s of the paper's network as src/models builds it
 * (src/training/paperBench.ts) on single-threaded wasm + the ecgssl-dnnl kernels, at batch 32, 64, 128 (quick: 32).
 * Median step after one warm-up. Batches run in one process, so peakRssMiB is cumulative (the wasm heap never
 * shrinks).
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';

const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? (s[(n - 1) / 2] as number) : ((s[n / 2 - 1] as number) + (s[n / 2] as number)) / 2;
};
const loadavg = (): string => readFileSync('/proc/loadavg', 'utf8').trim().split(' ').slice(0, 3).join(' ');

/** Bench entry point (see scripts/bench.mjs). */
export async function run({ quick }: { json: boolean; quick: boolean }): Promise<object> {
  const tf = await import('@tensorflow/tfjs');
  await import('@tensorflow/tfjs-backend-wasm');
  const { registerWasmKernels } = await import('../engine/wasmKernels.js');
  const { tryRegisterDnnlKernels, dnnlStats } = await import('../engine/dnnl.js');
  const { paperBench } = await import('../training/paperBench.js');
  const loadBefore = loadavg();
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false); // oneDNN takes the cores; wasm stays single-threaded
  if (!(await tf.setBackend('wasm'))) throw new Error('bench dnnl: wasm backend failed to initialise');
  registerWasmKernels(tf);
  // ECGSSL_DNNL_THREADS overrides oneDNN's OpenMP threads (default: all cores).
  const reg = tryRegisterDnnlKernels(tf, {
    threads: Number(process.env.ECGSSL_DNNL_THREADS) || os.cpus().length,
  });
  if (!reg.ok) return { engines: [], skipped: reg.reason, loadavgBefore: loadBefore };
  const engines: object[] = [];
  let network = '';
  for (const B of quick ? [32] : [32, 64, 128]) {
    const bench = paperBench({ batch: B });
    network = bench.network;
    const time = (fn: () => void, n: number, label: string): number[] => {
      fn(); // warm-up (primitive creation)
      const t: number[] = [];
      for (let i = 0; i < n; i++) {
        const t0 = performance.now();
        fn();
        t.push(performance.now() - t0);
        process.stderr.write(
          `  [wasm+dnnl b${B}] ${label} step ${i}: ${(t.at(-1) as number).toFixed(0)} ms\n`,
        );
      }
      return t;
    };
    const train = time(() => void bench.train(), quick ? 2 : 4, 'train');
    // Passes of 32 samples, as model.predict (and ecgssl's own inference, predictRows) splits a batch.
    const infer = time(() => bench.infer(32), quick ? 2 : 5, 'infer');
    bench.dispose();
    engines.push({
      name: 'wasm+dnnl',
      batch: B,
      trainWindowsPerSecond: (B * 1000) / median(train),
      inferWindowsPerSecond: (B * 1000) / median(infer),
      peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
      trainMsMedian: Math.round(median(train)),
    });
  }
  return {
    engines,
    oneDNN: reg.version,
    threads: reg.threads,
    network,
    kernelCalls: dnnlStats,
    loadavgBefore: loadBefore,
    loadavgAfter: loadavg(),
  };
}
