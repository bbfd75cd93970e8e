import { applyTransformation } from '../augmentation/index.js';
import type { TransformationsConfig } from '../config/schema.js';
import { deriveRng } from '../random/index.js';
import { STR_TASK_COUNT } from '../models/index.js';

/** Key offsets of the derived random streams of pretraining (kept apart from window indices). */
export const STREAM_KEYS = {
  shuffle: 1_500_000_000,
  dropout: 1_600_000_000,
  order: 1_700_000_000,
  split: 1_800_000_000,
} as const;

/** Arguments of {@link buildPretextBatch}. */
export interface PretextBatchArgs {
  /** The batch's windows, row-major [windows, windowSamples]. */
  windows: Float32Array;
  /** Global index of each window (keys its random stream). */
  windowIndices: readonly number[];
  windowSamples: number;
  transformations: TransformationsConfig;
  seed: number;
  /** Fold key of the stream (fold number, or the `all` key). */
  foldKey: number;
  epoch: number;
  /** Batch number in the epoch; keys the within-batch shuffle. Omit to keep samples unshuffled. */
  batchIndex?: number;
}

/** A batch of pretext samples: `x` [samples, windowSamples], `transform[k]` = transformation index of sample k. */
export interface PretextBatch {
  x: Float32Array;
  transform: Uint8Array;
  samples: number;
}

/**
 * Turns each window into 7 samples, original + the 6 transformations (METHOD §2), with fresh draws from
 * deriveRng(seed, foldKey, epoch, windowIndex), then shuffles the 7n samples within the batch (METHOD §3).
 */
export function buildPretextBatch(args: PretextBatchArgs): PretextBatch {
  const ws = args.windowSamples;
  const n = args.windowIndices.length;
  const samples = n * STR_TASK_COUNT;
  const order =
    args.batchIndex === undefined
      ? Array.from({ length: samples }, (_, i) => i)
      : deriveRng(args.seed, args.foldKey, args.epoch, STREAM_KEYS.shuffle + args.batchIndex).permutation(
          samples,
        );
  const x = new Float32Array(samples * ws);
  const transform = new Uint8Array(samples);
  // position of unshuffled sample k in the output
  const pos = new Int32Array(samples);
  order.forEach((src, dst) => {
    pos[src] = dst;
  });
  for (let w = 0; w < n; w++) {
    const rng = deriveRng(args.seed, args.foldKey, args.epoch, args.windowIndices[w] as number);
    const win = args.windows.subarray(w * ws, (w + 1) * ws);
    for (let t = 0; t < STR_TASK_COUNT; t++) {
      const dst = pos[w * STR_TASK_COUNT + t] as number;
      applyTransformation(t, win, args.transformations, rng, x.subarray(dst * ws, (dst + 1) * ws));
      transform[dst] = t;
    }
  }
  return { x, transform, samples };
}

/** Head labels of a batch, [samples, 7] with 1 where head i == the sample's transformation (the identity block). */
export function pretextLabels(transform: Uint8Array): Float32Array {
  const y = new Float32Array(transform.length * STR_TASK_COUNT);
  transform.forEach((t, k) => {
    y[k * STR_TASK_COUNT + t] = 1;
  });
  return y;
}
