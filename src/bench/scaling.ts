// Core-scaling benchmark (`npm run bench -- --only scaling`): training windows/s per engine tier and thread count.
/*
 * The paper's network (src/training/paperBench.ts), training and inference at batch 32 and 128, on the portable tier
 * (`wasm`, FFT convolutions), the native tier (`wasm+dnnl`) and the native tier in bf16, each at 1, 2, 4, ... up to
 * the machine's cores (or the list in ECGSSL_BENCH_THREADS, e.g. `1,2,4,8,16`), and PyTorch (ECGSSL_REFERENCE_PYTHON
 * or /usr/bin/python3, skipped with the reason when it has no torch) at the same thread counts. Each (tier, threads,
 * batch) runs in its own child process (engine.ts's child). Reports per tier the speed-up over 1 thread and, per
 * thread count, each tier's speed over PyTorch's.
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { BF16_ROW, runChild, runTorch, type ChildConfig, type EngineRow } from './engine.js';

export interface ScalingRow extends EngineRow {
  tier: string;
  /** The thread count asked for (`threads` is what the engine got: tfjs' wasm pool stops at 8). */
  threadsAsked: number;
}

/** The thread counts to measure: ECGSSL_BENCH_THREADS, else 1, 2, 4, ... and the core count. */
export function threadCounts(
  cores: number,
  env: string | undefined = process.env.ECGSSL_BENCH_THREADS,
): number[] {
  if (env !== undefined && env.trim() !== '') {
    const list = env.split(',').map((s) => Number(s.trim()));
    if (list.some((n) => !Number.isInteger(n) || n < 1))
      throw new Error(`bench scaling: ECGSSL_BENCH_THREADS must list positive integers, got '${env}'`);
    return list;
  }
  const out: number[] = [];
  for (let t = 1; t < cores; t *= 2) out.push(t);
  out.push(cores);
  return out;
}

const TIERS: {
  tier: string;
  cfg: Omit<ChildConfig, 'name' | 'threads' | 'batch' | 'trainSteps' | 'inferSteps'>;
}[] = [
  { tier: 'wasm', cfg: { preference: 'wasm', dnnl: false } },
  { tier: 'wasm+dnnl', cfg: { preference: 'wasm', dnnl: true } },
  { tier: BF16_ROW, cfg: { preference: 'wasm', dnnl: true, precision: 'bf16' } },
];

/** `tier b<batch> t<threads asked>` -> training windows/s, from the measured rows. */
function speedTable(rows: ScalingRow[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of rows)
    if (r.trainWindowsPerSecond) m.set(`${r.tier} b${r.batch} t${r.threadsAsked}`, r.trainWindowsPerSecond);
  return m;
}

/** Per tier and batch: speed at n threads / speed at 1 thread; per thread count: each tier's speed / PyTorch's. */
export function scalingRatios(
  rows: ScalingRow[],
  torch: { threads: number; rows?: { batch: number; train: number }[] }[],
  threads: number[],
  batches: number[],
): Record<string, number> {
  const speed = speedTable(rows);
  for (const t of torch)
    for (const r of t.rows ?? []) speed.set(`pytorch b${r.batch} t${t.threads}`, r.train);
  const out: Record<string, number> = {};
  for (const tier of [...TIERS.map((x) => x.tier), 'pytorch'])
    for (const b of batches)
      for (const n of threads) {
        const [one, at, py] = [
          speed.get(`${tier} b${b} t1`),
          speed.get(`${tier} b${b} t${n}`),
          speed.get(`pytorch b${b} t${n}`),
        ];
        if (one && at && n !== 1) out[`train b${b} ${tier} ${n}/1 threads`] = at / one;
        if (tier !== 'pytorch' && at && py) out[`train b${b} t${n} ${tier}/pytorch`] = at / py;
      }
  return out;
}

/** Bench entry point (see scripts/bench.mjs). */
export async function run({ quick }: { json: boolean; quick: boolean }): Promise<object> {
  const cores = os.cpus().length;
  const threads = quick ? [1, cores] : threadCounts(cores);
  const batches = quick ? [32] : [32, 128];
  const t0 = performance.now();
  const rows: ScalingRow[] = [];
  for (const n of threads)
    for (const { tier, cfg } of TIERS)
      for (const batch of batches) {
        const steps = quick
          ? { trainSteps: 2, inferSteps: 2 }
          : { trainSteps: batch > 32 ? 3 : 5, inferSteps: 4 };
        const row = {
          ...runChild({ ...cfg, name: `${tier} ${n} threads`, threads: n, batch, ...steps }),
          tier,
          threadsAsked: n,
        };
        rows.push(row);
        process.stderr.write(`bench scaling: ${JSON.stringify(row)}\n`);
        if (row.skipped) break;
      }
  const torch: { threads: number; rows?: { batch: number; train: number }[]; skipped?: string }[] = [];
  for (const n of threads) {
    const r = (await runTorch(batches, n, quick ? 2 : 3)) as (typeof torch)[number];
    torch.push({ ...r, threads: n });
    process.stderr.write(`bench scaling: pytorch ${JSON.stringify(r)}\n`);
    if (r.skipped) break;
  }
  return {
    scaling: {
      threads,
      batches,
      rows,
      pytorch: torch,
      ratios: scalingRatios(rows, torch, threads, batches),
      machine: { cores, cpu: os.cpus()[0]?.model ?? 'unknown' },
      seconds: Math.round((performance.now() - t0) / 1000),
    },
  };
}
