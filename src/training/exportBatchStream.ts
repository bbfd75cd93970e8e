// Exports pretraining's batch stream (windows after transformation, labels, order, held-out samples) to .npy files.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelConfig, PretrainConfig } from '../config/schema.js';
import { writeNpy } from '../datasets/index.js';
import { check } from '../errors.js';
import { TRANSFORMATION_NAMES } from '../augmentation/index.js';
import type { PretrainBatchInfo } from './pretrain.js';

/** Arguments of {@link createBatchStreamExport}. */
export interface BatchStreamExportArgs {
  /** Folder to write (created). */
  dir: string;
  windowSamples: number;
  modelConfig: ModelConfig;
  pretrainConfig: PretrainConfig;
  seed: number;
  /** Also write each training step's head dropout masks, `epoch-<e>-train-masks.npy` [samples, heads, 2, headUnits]. */
  exportMasks?: boolean;
}

/** What `meta.json` of an exported stream holds (read by scripts/reference/str_reference.py). */
export interface BatchStreamMeta {
  windowSamples: number;
  heads: string[];
  taskWeights: number[];
  model: Pick<
    ModelConfig,
    'filters' | 'kernelSizes' | 'poolSize' | 'poolStride' | 'leakyAlpha' | 'headUnits' | 'headDropout'
  >;
  optimizer: {
    learningRate: number;
    decayRate: number;
    decaySteps: number;
    beta1: number;
    beta2: number;
    epsilon: number;
  };
  l2: number;
  epochs: number;
  seed: number;
  batchesPerEpoch: number[];
  /** Per epoch, the sample offsets of the training batches in `epoch-<e>-train-x.npy` (batches + 1 entries). */
  trainBatchBounds: number[][];
  heldOutBatchBounds: number[][];
  trainSamples: number[];
  heldOutSamples: number[];
  steps: number;
}

/** The batches of one (epoch, phase) part, kept until the part is complete. */
interface Part {
  xs: Float32Array[];
  labels: Float32Array[];
  masks: Float32Array[];
  bounds: number[];
}

/**
 * A stream exporter: pass `onBatch` as {@link PretrainArgs.onBatch}, then call `finish()`. It writes to `dir`, per
 * epoch e: `epoch-<e>-train-x.npy` [samples, windowSamples] float32 and `epoch-<e>-train-labels.npy`
 * [samples, heads] float32 in the order training consumed them, the same for `heldout` (what evaluatePretext
 * scored after epoch e), and `meta.json` ({@link BatchStreamMeta}).
 */
export function createBatchStreamExport(args: BatchStreamExportArgs): {
  onBatch: (info: PretrainBatchInfo) => void;
  finish: () => BatchStreamMeta;
} {
  mkdirSync(args.dir, { recursive: true });
  const heads = TRANSFORMATION_NAMES.length;
  const parts = new Map<string, Part>();
  const written = { train: [] as number[][], heldout: [] as number[][] };
  const flush = (key: string): void => {
    const part = parts.get(key) as Part;
    const [epoch, phase] = key.split('/') as [string, 'train' | 'heldout'];
    const n = part.bounds[part.bounds.length - 1] as number;
    writeNpy(join(args.dir, `epoch-${epoch}-${phase}-x.npy`), concat(part.xs, n * args.windowSamples), [
      n,
      args.windowSamples,
    ]);
    writeNpy(join(args.dir, `epoch-${epoch}-${phase}-labels.npy`), concat(part.labels, n * heads), [
      n,
      heads,
    ]);
    if (part.masks.length > 0) {
      const units = args.modelConfig.headUnits;
      const masks = concat(part.masks, n * heads * 2 * units);
      writeNpy(join(args.dir, `epoch-${epoch}-${phase}-masks.npy`), masks, [n, heads, 2, units]);
    }
    written[phase][Number(epoch)] = part.bounds;
    parts.delete(key);
  };
  const onBatch = (info: PretrainBatchInfo): void => {
    const key = `${info.epoch}/${info.phase}`;
    for (const k of [...parts.keys()]) if (k !== key) flush(k);
    const part = parts.get(key) ?? { xs: [], labels: [], masks: [], bounds: [0] };
    parts.set(key, part);
    check(
      info.batchIndex === part.bounds.length - 1,
      'createBatchStreamExport',
      `batch ${info.batchIndex} of ${key} arrived out of order`,
    );
    check(info.x.length === info.samples * args.windowSamples, 'createBatchStreamExport', `x of ${key}`);
    part.xs.push(info.x.slice());
    part.labels.push(info.labels.slice());
    if (args.exportMasks && info.masks) part.masks.push(maskBlock(info.masks, info.samples));
    part.bounds.push((part.bounds[part.bounds.length - 1] as number) + info.samples);
  };
  const finish = (): BatchStreamMeta => {
    for (const k of [...parts.keys()]) flush(k);
    const meta = streamMeta(args, written.train, written.heldout);
    writeFileSync(join(args.dir, 'meta.json'), JSON.stringify(meta, null, 1));
    return meta;
  };
  return { onBatch, finish };
}

/** Per-head mask pairs [samples, units] -> one row-major [samples, heads, 2, units] block. */
function maskBlock(masks: NonNullable<PretrainBatchInfo['masks']>, samples: number): Float32Array {
  const units = (masks[0]?.[0].shape[1] ?? 0) as number;
  const out = new Float32Array(samples * masks.length * 2 * units);
  masks.forEach((pair, t) =>
    pair.forEach((m, k) => {
      const v = m.dataSync();
      for (let r = 0; r < samples; r++)
        out.set(v.subarray(r * units, (r + 1) * units), ((r * masks.length + t) * 2 + k) * units);
    }),
  );
  return out;
}

function concat(chunks: readonly Float32Array[], length: number): Float32Array {
  const out = new Float32Array(length);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function streamMeta(args: BatchStreamExportArgs, train: number[][], heldOut: number[][]): BatchStreamMeta {
  const m = args.modelConfig;
  const p = args.pretrainConfig;
  const epochs = train.length;
  check(epochs > 0, 'createBatchStreamExport', 'finish() before any training batch');
  check(
    m.globalPool === 'max',
    'createBatchStreamExport',
    `the PyTorch reference implements METHOD §3's global max pool only, got model.globalPool "${m.globalPool}"`,
  );
  const last = (b: number[] | undefined): number => (b ? (b[b.length - 1] as number) : 0);
  return {
    windowSamples: args.windowSamples,
    heads: [...TRANSFORMATION_NAMES],
    taskWeights: [...p.taskWeights],
    model: {
      filters: m.filters,
      kernelSizes: m.kernelSizes,
      poolSize: m.poolSize,
      poolStride: m.poolStride,
      leakyAlpha: m.leakyAlpha,
      headUnits: m.headUnits,
      headDropout: m.headDropout,
    },
    optimizer: {
      learningRate: p.learningRate,
      decayRate: p.decayRate,
      decaySteps: p.decaySteps,
      beta1: p.adam.beta1,
      beta2: p.adam.beta2,
      epsilon: p.adam.epsilon,
    },
    l2: p.l2,
    epochs,
    seed: args.seed,
    batchesPerEpoch: train.map((b) => b.length - 1),
    trainBatchBounds: train,
    heldOutBatchBounds: Array.from({ length: epochs }, (_, e) => heldOut[e] ?? [0]),
    trainSamples: train.map(last),
    heldOutSamples: Array.from({ length: epochs }, (_, e) => last(heldOut[e])),
    steps: train.reduce((a, b) => a + b.length - 1, 0),
  };
}
