// measureSpeeds(): the engine's speed on a config's own network and batches, the rates of the time estimate.
import * as tf from '@tensorflow/tfjs';
import { performance } from 'node:perf_hooks';
import { TRANSFORMATIONS } from '../augmentation/index.js';
import type { Config } from '../config/schema.js';
import { buildEmotionHead } from '../models/index.js';
import { deriveRng } from '../random/index.js';
import { resolveHeadArgs, trainClassifier } from './finetune.js';
import { paperBench } from './paperBench.js';

/** The rates measured by {@link measureSpeeds} (samples: windows of `preprocessing.windowSamples`). */
export interface EngineSpeeds {
  /** Pretraining steps (the real step: forward, pretext loss, Adam) at the pretraining batch. */
  pretrainSamplesPerSecond: number;
  /** Training steps of the whole network at the fine-tuning batch (the baseline and full ssl arms). */
  trainSamplesPerSecond: number;
  /** Inference (embeddings, held-out and test windows) in passes of 64 windows. */
  inferSamplesPerSecond: number;
  /** One optimizer step of the dense head on embeddings at the fine-tuning batch (the frozen ssl arm). */
  headStepSeconds: number;
  /** The same on 2 rows (about a step's fixed cost; the estimate interpolates between the two). */
  headRowStepSeconds: number;
}

/** Arguments of {@link measureSpeeds}. */
export interface MeasureSpeedsArgs {
  config: Config;
  /** Time budget per measurement in seconds (each has one warm-up and at least 3 timed repetitions). Default 1.5. */
  seconds?: number;
}

/** Largest batch measured: per-sample speed hardly changes above it (README "Engines": 143 vs 146 windows/s). */
const MAX_BENCH_BATCH = 256;

/** Median seconds of `fn` over the repetitions that fit in `seconds` (at least 3, at most 20), after a warm-up. */
function medianSeconds(fn: () => void, seconds: number): number {
  fn();
  const times: number[] = [];
  const t0 = performance.now();
  while (times.length < 3 || (performance.now() - t0 < seconds * 1000 && times.length < 20)) {
    const ts = performance.now();
    fn();
    times.push((performance.now() - ts) / 1000);
  }
  times.sort((a, b) => a - b);
  const n = times.length;
  return n % 2 ? times[(n - 1) / 2]! : (times[n / 2 - 1]! + times[n / 2]!) / 2;
}

/** Samples per second of training steps (and, with `infer`, of inference) of the config's network at `batch`. */
function networkRates(config: Config, batch: number, seconds: number, infer: boolean): [number, number] {
  const b = Math.min(batch, MAX_BENCH_BATCH);
  const bench = paperBench({
    batch: b,
    windowSamples: config.preprocessing.windowSamples,
    model: config.model,
  });
  try {
    const train = b / medianSeconds(() => void bench.train(), seconds);
    const inferRate = infer ? b / medianSeconds(() => bench.infer(64), seconds / 2) : 0;
    return [train, inferRate];
  } finally {
    bench.dispose();
  }
}

/** Seconds per step of the config's dense head (2 classes) on `rows` embeddings (the fine-tuning batch at most). */
function headStepSeconds(config: Config, rows: number, seconds: number): number {
  const ft = config.finetune;
  const dims = config.model.filters[2] as number;
  const head = buildEmotionHead({ ...resolveHeadArgs(ft, config.data.kind, 2, 1), inputUnits: dims });
  const x = tf.tidy(() => tf.sin(tf.range(0, rows * dims).mul(0.01)).reshape([rows, dims]));
  const labels = Array.from({ length: rows }, (_, i) => i % 2); // rows >= 2: both classes
  const epochs = 5;
  try {
    const perCall = medianSeconds(
      () =>
        void trainClassifier(head, x, labels, {
          epochs,
          batchSize: ft.batchSize,
          learningRate: ft.learningRate,
          rng: deriveRng(1, 1),
          dropoutRng: (e, b) => deriveRng(1, 2, e, b),
        }),
      seconds,
    );
    return perCall / epochs;
  } finally {
    x.dispose();
    head.dispose();
  }
}

/**
 * Times, on the engine in use, the config's own network (`model`, `preprocessing.windowSamples`; the real pretraining
 * step of {@link paperBench}) at the pretraining batch (`batchWindows` x transformations, at most 256) and at the fine-tuning
 * batch, inference in passes of 64, and a step of the config's dense head: the rates of the time estimate.
 */
export function measureSpeeds(args: MeasureSpeedsArgs): EngineSpeeds {
  const { config } = args;
  const seconds = args.seconds ?? 1.5;
  const pretrainBatch = config.pretrain.batchWindows * TRANSFORMATIONS.length;
  const [pretrain, infer] = networkRates(config, pretrainBatch, seconds, true);
  const ftBatch = Math.min(config.finetune.batchSize, MAX_BENCH_BATCH);
  const same = ftBatch === Math.min(pretrainBatch, MAX_BENCH_BATCH);
  const train = same ? pretrain : networkRates(config, ftBatch, seconds, false)[0];
  return {
    pretrainSamplesPerSecond: pretrain,
    trainSamplesPerSecond: train,
    inferSamplesPerSecond: infer,
    headStepSeconds: headStepSeconds(config, config.finetune.batchSize, seconds / 2),
    headRowStepSeconds: headStepSeconds(config, 2, seconds / 2),
  };
}
