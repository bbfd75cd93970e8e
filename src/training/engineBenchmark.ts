// engineBenchmark(): `ecgssl doctor`'s short timing of the real pretraining step and inference on the engine in use.
import * as tf from '@tensorflow/tfjs';
import { performance } from 'node:perf_hooks';
import { UserError } from '../errors.js';
import { paperBench } from './paperBench.js';

/** Arguments of {@link engineBenchmark}. */
export interface EngineBenchmarkArgs {
  /** Rough time budget in seconds, split between training and inference (after one warm-up step each). */
  seconds: number;
  /** Windows per step (default 16: small, so that `ecgssl doctor` stays short). */
  batch?: number;
  /** Samples per window; default the config's (`preprocessing.windowSamples`, METHOD §1). */
  windowSamples?: number;
}

/** What {@link engineBenchmark} measured on the engine in use. */
export interface EngineBenchmarkResult {
  backend: string;
  batch: number;
  trainWindowsPerSecond: number;
  inferWindowsPerSecond: number;
  trainSteps: number;
  inferSteps: number;
  network: string;
}

const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? (s[(n - 1) / 2] as number) : ((s[n / 2 - 1] as number) + (s[n / 2] as number)) / 2;
};

/**
 * A short timed training step (the real pretraining step on the paper's network, {@link paperBench}: forward with
 * the Rng's head dropout masks, the pretext loss, Adam) and inference, on the engine selected by initBackend, for
 * `ecgssl doctor`. Median over the steps that fit in `seconds` (at least 2 each), after one warm-up step.
 */
export async function engineBenchmark(args: EngineBenchmarkArgs): Promise<EngineBenchmarkResult> {
  if (!(args.seconds > 0)) throw new UserError(`engineBenchmark: seconds must be > 0, got ${args.seconds}`);
  const batch = args.batch ?? 16;
  if (!Number.isInteger(batch) || batch < 1)
    throw new UserError(`engineBenchmark: batch must be >= 1, got ${batch}`);
  const bench = paperBench({ batch, windowSamples: args.windowSamples });
  const timeSteps = (fn: () => void, budgetMs: number): number[] => {
    fn(); // warm-up
    const times: number[] = [];
    const t0 = performance.now();
    while (times.length < 2 || (performance.now() - t0 < budgetMs && times.length < 50)) {
      const ts = performance.now();
      fn();
      times.push(performance.now() - ts);
    }
    return times;
  };
  try {
    const train = timeSteps(() => void bench.train(), (args.seconds * 1000 * 2) / 3);
    const infer = timeSteps(() => bench.infer(batch), (args.seconds * 1000) / 3);
    return {
      backend: tf.getBackend(),
      batch,
      trainWindowsPerSecond: (batch * 1000) / median(train),
      inferWindowsPerSecond: (batch * 1000) / median(infer),
      trainSteps: train.length,
      inferSteps: infer.length,
      network: bench.network,
    };
  } finally {
    bench.dispose();
  }
}
