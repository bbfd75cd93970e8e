import * as tf from '@tensorflow/tfjs';
import { performance } from 'node:perf_hooks';
import { UserError } from '../errors.js';
import { loadPaperNetworkBuilder, trainStep } from './paperNetwork.js';

/** Arguments of {@link engineBenchmark}. */
export interface EngineBenchmarkArgs {
  /** Rough time budget in seconds, split between training and inference (after one warm-up step each). */
  seconds: number;
  /** Windows per step (default 16: small, so that `ecgssl doctor` stays short). */
  batch?: number;
  /** Samples per window (METHOD.md: 2560). */
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
 * A short timed training step (forward + backward + Adam on the paper's pretraining network with its 7 BCE losses
 * and L2) and inference, on the engine selected by initBackend, for `ecgssl doctor`. Median over the steps that fit
 * in `seconds` (at least 2 each), after one warm-up step. Inputs are deterministic (no randomness needed).
 */
export async function engineBenchmark(args: EngineBenchmarkArgs): Promise<EngineBenchmarkResult> {
  if (!(args.seconds > 0)) throw new UserError(`engineBenchmark: seconds must be > 0, got ${args.seconds}`);
  const batch = args.batch ?? 16;
  const windowSamples = args.windowSamples ?? 2560;
  if (!Number.isInteger(batch) || batch < 1)
    throw new UserError(`engineBenchmark: batch must be >= 1, got ${batch}`);
  const { source, build } = await loadPaperNetworkBuilder();
  const model = build(windowSamples);
  const heads = model.outputs.length;
  const xs = tf.tidy(() =>
    tf.sin(tf.range(0, batch * windowSamples).mul(0.01)).reshape([batch, windowSamples, 1]),
  );
  const ys = Array.from({ length: heads }, (_, h) =>
    tf.tidy(() => tf.range(0, batch).add(h).mod(2).reshape([batch, 1]).cast('float32')),
  );
  const opt = tf.train.adam(1e-3);
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
    const train = timeSteps(() => trainStep(model, opt, xs, ys), (args.seconds * 1000 * 2) / 3);
    const infer = timeSteps(
      () => {
        const outs = tf.tidy(() => model.predict(xs, { batchSize: batch }) as tf.Tensor[]);
        for (const o of outs) {
          o.dataSync();
          o.dispose();
        }
      },
      (args.seconds * 1000) / 3,
    );
    return {
      backend: tf.getBackend(),
      batch,
      trainWindowsPerSecond: (batch * 1000) / median(train),
      inferWindowsPerSecond: (batch * 1000) / median(infer),
      trainSteps: train.length,
      inferSteps: infer.length,
      network: source,
    };
  } finally {
    opt.dispose();
    model.dispose();
    xs.dispose();
    tf.dispose(ys);
  }
}
