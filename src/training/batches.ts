// Pretext batches (METHOD §2-3): every window once per transformation of the table, shuffled; their head labels.
import {
  applyTransformation,
  MAX_TRANSFORMATIONS,
  TRANSFORMATIONS,
  type TransformationParams,
  type TransformationTable,
} from '../augmentation/index.js';
import { InternalError } from '../errors.js';
import { deriveRng } from '../random/index.js';

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
  /** Parameters of the transformations (the config's `transformations` section). */
  transformations: TransformationParams;
  /** The transformations, in head order (default: the built-in {@link TRANSFORMATIONS}). */
  transformationTable?: TransformationTable;
  seed: number;
  /** Fold key of the stream (fold number, or the `all` key). */
  foldKey: number;
  epoch: number;
  /** Batch number in the epoch; keys the within-batch shuffle. Omit to keep samples unshuffled. */
  batchIndex?: number;
}

/**
 * A batch of pretext samples: `x` [samples, windowSamples], `transform[k]` = transformation index (head) of
 * sample k, `heads` = the table's length.
 */
export interface PretextBatch {
  x: Float32Array;
  transform: Uint8Array;
  samples: number;
  heads: number;
}

/**
 * Turns each window into one sample per transformation of the table, in table order (7: original + the 6 of
 * METHOD §2), with fresh draws from deriveRng(seed, foldKey, epoch, windowIndex), then shuffles the samples within
 * the batch (METHOD §3).
 */
export function buildPretextBatch(args: PretextBatchArgs): PretextBatch {
  const table = args.transformationTable ?? TRANSFORMATIONS;
  const heads = table.length;
  if (heads < 1 || heads > MAX_TRANSFORMATIONS)
    throw new InternalError(
      `buildPretextBatch: the table needs 1..${MAX_TRANSFORMATIONS} transformations, got ${heads}`,
    );
  const ws = args.windowSamples;
  const n = args.windowIndices.length;
  const samples = n * heads;
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
    for (let t = 0; t < heads; t++) {
      const dst = pos[w * heads + t] as number;
      applyTransformation(t, win, args.transformations, rng, x.subarray(dst * ws, (dst + 1) * ws), table);
      transform[dst] = t;
    }
  }
  return { x, transform, samples, heads };
}

/**
 * Head labels of a batch, [samples, heads] with 1 where head i == the sample's transformation (the identity
 * block).
 */
export function pretextLabels(transform: Uint8Array, heads: number): Float32Array {
  const y = new Float32Array(transform.length * heads);
  transform.forEach((t, k) => {
    if (t >= heads)
      throw new InternalError(`pretextLabels: sample ${k} has transformation ${t}, beyond ${heads} heads`);
    y[k * heads + t] = 1;
  });
  return y;
}
