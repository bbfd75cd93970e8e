// precisionPairs(): fp32 and bf16 training steps of the native tier interleaved in one process (a fair ratio under load).
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs';

/** Medians of the interleaved steps and their ratio (> 1: bf16 is faster). */
export interface PrecisionPairs {
  batch: number;
  pairs: number;
  fp32MsMedian: number;
  bf16MsMedian: number;
  /** Median over the pairs of fp32 ms / bf16 ms (each pair measured back to back). */
  trainRatioMedian: number;
}

const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? (s[(n - 1) / 2] as number) : ((s[n / 2 - 1] as number) + (s[n / 2] as number)) / 2;
};

/**
 * On an initialised wasm+dnnl engine: `pairs` pairs of training steps of the real pretraining step (paperBench) at
 * `batch`, one with the oneDNN kernels registered in fp32 and one in bf16, back to back (order alternating), after
 * one warm-up step of each. On a machine shared with other jobs both halves of a pair see about the same load, so
 * the ratio is steadier than that of two separate runs. Throws when bf16 is unavailable.
 */
export async function precisionPairs(batch: number, pairs: number, threads: number): Promise<PrecisionPairs> {
  const { tryRegisterDnnlKernels } = await import('../engine/dnnl.js');
  const { paperBench } = await import('../training/paperBench.js');
  const bench = paperBench({ batch });
  const step = (precision: 'fp32' | 'bf16'): number => {
    const r = tryRegisterDnnlKernels(tf, { threads, precision });
    if (!r.ok || r.precision !== precision)
      throw new Error(`precisionPairs: ${precision} unavailable (${r.ok ? r.bf16Unavailable : r.reason})`);
    const t0 = performance.now();
    bench.train(128);
    return performance.now() - t0;
  };
  step('fp32');
  step('bf16');
  const fp32: number[] = [];
  const bf16: number[] = [];
  for (let i = 0; i < pairs; i++) {
    const order: ('fp32' | 'bf16')[] = i % 2 ? ['bf16', 'fp32'] : ['fp32', 'bf16'];
    for (const p of order) (p === 'fp32' ? fp32 : bf16).push(step(p));
    process.stderr.write(
      `  [precision pairs b${batch}] fp32 ${fp32.at(-1)?.toFixed(0)} ms, bf16 ${bf16.at(-1)?.toFixed(0)} ms\n`,
    );
  }
  bench.dispose();
  return {
    batch,
    pairs,
    fp32MsMedian: Math.round(median(fp32)),
    bf16MsMedian: Math.round(median(bf16)),
    trainRatioMedian: median(fp32.map((f, i) => f / (bf16[i] as number))),
  };
}
