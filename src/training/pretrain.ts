import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { check } from '../errors.js';
import type { ModelConfig, PretrainConfig, TransformationsConfig } from '../config/schema.js';
import { deriveRng } from '../random/index.js';
import { buildStrNetwork, strForward, STR_TASK_COUNT } from '../models/index.js';
import { createProgress } from '../util/progress.js';
import { log } from '../util/log.js';
import { invertedDropoutMask } from './dropoutMask.js';
import { buildPretextBatch, pretextLabels, STREAM_KEYS, type PretextBatch } from './batches.js';
import { adamInternals, hasCheckpoint, loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import { InterruptedError, watchStopSignals } from '../util/stopSignal.js';
import { pretextLoss, staircaseLearningRate } from './losses.js';
import { PretextCounter, type TaskMetrics } from './pretrainMetrics.js';

/** Names of the 7 pretext tasks in head order (METHOD §2). */
export const PRETEXT_TASKS = ['original', 'noise', 'scale', 'negate', 'flip', 'permute', 'warp'] as const;

/** Where pretraining reads windows from: `read(indices)` -> row-major [indices.length, windowSamples]. */
export interface WindowSource {
  windowSamples: number;
  read(indices: readonly number[]): Float32Array;
}

/** Arguments of {@link pretrain}. */
export interface PretrainArgs {
  source: WindowSource;
  /** Indices (into `source`) of the pretraining windows; a `heldOutFraction` of them is held out. */
  windows: readonly number[];
  modelConfig: ModelConfig;
  pretrainConfig: PretrainConfig;
  transformations: TransformationsConfig;
  seed: number;
  /** Fold key of the random streams: the fold number, or -1 for scope `all`. */
  fold: number;
  /** Checkpoint folder: written every epoch; resumed from when it holds one (unless `resume` is false). */
  checkpointDir?: string;
  /** Continue from the checkpoint in `checkpointDir` if there is one (default true). */
  resume?: boolean;
  /** Stop after this many epochs in this call (for tests of resume); default: all. */
  maxEpochsThisCall?: number;
  /** Label for the progress bars. */
  label?: string;
  /** Sees every batch as it is consumed: each training step's, and each held-out evaluation batch (the reference export). */
  onBatch?: (info: PretrainBatchInfo) => void;
}

/** A batch as {@link PretrainArgs.onBatch} sees it: `x` [samples, windowSamples], `labels` [samples, heads]. */
export interface PretrainBatchInfo {
  phase: 'train' | 'heldout';
  epoch: number;
  batchIndex: number;
  x: Float32Array;
  labels: Float32Array;
  samples: number;
  /** The step's head dropout masks (training batches with dropout only). */
  masks?: readonly (readonly [tf.Tensor2D, tf.Tensor2D])[];
}

/** One row of the per-epoch history. */
export type HistoryRow = Record<string, number>;

/** Result of {@link pretrain}. */
export interface PretrainResult {
  model: tf.LayersModel;
  history: HistoryRow[];
  /** Final per-task metrics (held-out windows when there are any, else training). */
  final: { task: string; accuracy: number; f1: number }[];
  heldOut: number[];
  train: number[];
  epochsDone: number;
  step: number;
  resumedFromEpoch: number;
}

/** Maps the fold (-1 for scope `all`) to a non-negative stream key. */
function foldKeyOf(fold: number): number {
  return fold < 0 ? 1_000_000 : fold;
}

/** Splits `windows` into training and held-out by a seeded shuffle (deriveRng(seed, fold, split key)). */
export function splitHeldOut(
  windows: readonly number[],
  fraction: number,
  seed: number,
  fold: number,
): { train: number[]; heldOut: number[] } {
  const nHeld = Math.floor(windows.length * fraction);
  const perm = deriveRng(seed, foldKeyOf(fold), STREAM_KEYS.split).permutation(windows.length);
  const heldOut = perm
    .slice(0, nHeld)
    .map((i) => windows[i] as number)
    .sort((a, b) => a - b);
  const train = perm
    .slice(nHeld)
    .map((i) => windows[i] as number)
    .sort((a, b) => a - b);
  return { train, heldOut };
}

/** Inverted-dropout masks per head (two per head), from the project Rng. */
function dropoutMasks(
  rate: number,
  rows: number,
  units: number,
  seed: number,
  foldKey: number,
  epoch: number,
  batch: number,
): [tf.Tensor2D, tf.Tensor2D][] {
  const rng = deriveRng(seed, foldKey, epoch, STREAM_KEYS.dropout + batch);
  const out: [tf.Tensor2D, tf.Tensor2D][] = [];
  // Draw order: head by head, the pair's first mask, then its second (array elements evaluate left to right).
  for (let t = 0; t < STR_TASK_COUNT; t++)
    out.push([invertedDropoutMask(rows, units, rate, rng), invertedDropoutMask(rows, units, rate, rng)]);
  return out;
}

/** Per-head metrics of `model` on `windows` with the epoch's transformation draws (inference, no dropout). */
export function evaluatePretext(
  model: tf.LayersModel,
  args: Pick<PretrainArgs, 'source' | 'transformations' | 'seed' | 'fold' | 'onBatch'> & {
    windows: readonly number[];
    epoch: number;
    batchWindows: number;
  },
): TaskMetrics[] {
  const counter = new PretextCounter();
  const ws = args.source.windowSamples;
  for (let s = 0; s < args.windows.length; s += args.batchWindows) {
    const idx = args.windows.slice(s, s + args.batchWindows);
    const b = buildPretextBatch({
      windows: args.source.read(idx),
      windowIndices: idx,
      windowSamples: ws,
      transformations: args.transformations,
      seed: args.seed,
      foldKey: foldKeyOf(args.fold),
      epoch: args.epoch,
    });
    args.onBatch?.({
      phase: 'heldout',
      epoch: args.epoch,
      batchIndex: s / args.batchWindows,
      x: b.x,
      labels: pretextLabels(b.transform),
      samples: b.samples,
    });
    const logits = tf.tidy(() => tf.concat(strForward(model, tf.tensor3d(b.x, [b.samples, ws, 1])), 1));
    counter.add(logits.dataSync() as Float32Array, b.transform, true);
    logits.dispose();
  }
  return counter.result();
}

function metricsColumns(prefix: string, m: TaskMetrics[]): HistoryRow {
  const row: HistoryRow = {};
  m.forEach((t, i) => {
    row[`${prefix}_acc_${PRETEXT_TASKS[i]}`] = t.accuracy;
    row[`${prefix}_f1_${PRETEXT_TASKS[i]}`] = t.f1;
  });
  row[`${prefix}_acc_mean`] = m.reduce((a, t) => a + t.accuracy, 0) / m.length;
  return row;
}

/**
 * Self-supervised pretraining of the STR network (METHOD §3): per batch of `batchWindows` windows, 7 samples each,
 * shuffled; weighted sigmoid cross-entropy of the 7 heads + L2/2 on the kernels; Adam with a staircase learning
 * rate; dropout masks from the project Rng. Checkpoints every epoch and resumes from a checkpoint so that a
 * resumed run ends with the same weights as an uninterrupted one.
 */
export async function pretrain(args: PretrainArgs): Promise<PretrainResult> {
  const cfg = args.pretrainConfig;
  const ws = args.source.windowSamples;
  const foldKey = foldKeyOf(args.fold);
  check(args.windows.length > 0, 'pretrain', 'no windows to pretrain on');
  const { train, heldOut } = splitHeldOut(args.windows, cfg.heldOutFraction, args.seed, args.fold);
  check(train.length > 0, 'pretrain', `heldOutFraction ${cfg.heldOutFraction} leaves no training windows`);
  const model = buildStrNetwork({ ...args.modelConfig, windowSamples: ws, seed: args.seed });
  const optimizer = tf.train.adam(cfg.learningRate, cfg.adam.beta1, cfg.adam.beta2, cfg.adam.epsilon);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const kernels = model.trainableWeights.filter((w) => w.name.includes('kernel')).map((w) => w.read());

  let epoch = 0;
  let step = 0;
  let history: HistoryRow[] = [];
  if (args.checkpointDir && args.resume !== false && hasCheckpoint(args.checkpointDir)) {
    // Adam's slots exist only after a first step: create them with a zero-gradient-free dummy via setWeights.
    const st = await loadCheckpoint(args.checkpointDir, model, optimizer);
    epoch = st.epoch;
    step = st.step;
    history = st.history;
    log.info(`pretrain: resuming from ${args.checkpointDir} after epoch ${epoch} (step ${step})`);
  }
  const resumedFromEpoch = epoch;
  const nBatches = Math.ceil(train.length / cfg.batchWindows);
  const stopAt = Math.min(
    cfg.epochs,
    args.maxEpochsThisCall === undefined ? cfg.epochs : epoch + args.maxEpochsThisCall,
  );
  const label = args.label ?? 'pretrain';
  const headUnits = args.modelConfig.headUnits;

  // SIGINT/SIGTERM: finish the current epoch, write its checkpoint, then stop (a rerun resumes from it).
  const stop = watchStopSignals(label);
  while (epoch < stopAt) {
    const t0 = Date.now();
    const order = deriveRng(args.seed, foldKey, epoch, STREAM_KEYS.order)
      .permutation(train.length)
      .map((i) => train[i] as number);
    const makeBatch = (b: number): PretextBatch => {
      const idx = order.slice(b * cfg.batchWindows, (b + 1) * cfg.batchWindows);
      return buildPretextBatch({
        windows: args.source.read(idx),
        windowIndices: idx,
        windowSamples: ws,
        transformations: args.transformations,
        seed: args.seed,
        foldKey,
        epoch,
        batchIndex: b,
      });
    };
    const counter = new PretextCounter();
    const progress = createProgress({
      label: `${label} epoch ${epoch + 1}/${cfg.epochs}`,
      total: nBatches,
      unit: 'batches',
    });
    let lossSum = 0;
    let lr = cfg.learningRate;
    let next = makeBatch(0);
    for (let b = 0; b < nBatches; b++) {
      const cur = next;
      lr = staircaseLearningRate(cfg.learningRate, cfg.decayRate, cfg.decaySteps, step);
      adamInternals(optimizer).learningRate = lr;
      const masks =
        args.modelConfig.headDropout > 0
          ? dropoutMasks(args.modelConfig.headDropout, cur.samples, headUnits, args.seed, foldKey, epoch, b)
          : undefined;
      const xs = tf.tensor3d(cur.x, [cur.samples, ws, 1]);
      const labels = pretextLabels(cur.transform);
      args.onBatch?.({ phase: 'train', epoch, batchIndex: b, x: cur.x, labels, samples: cur.samples, masks });
      const ys = tf.tensor2d(labels, [cur.samples, STR_TASK_COUNT]);
      let logitsOut: tf.Tensor | null = null;
      const loss = optimizer.minimize(
        () => {
          const logits = strForward(model, xs, masks ? { masks } : {});
          logitsOut = tf.keep(tf.concat(logits, 1));
          return pretextLoss(logits, ys, cfg.taskWeights, cfg.l2, kernels);
        },
        true,
        vars,
      );
      step++;
      // Prepare the next batch on the JS side before reading this step's results back.
      if (b + 1 < nBatches) next = makeBatch(b + 1);
      const lossValue = (await loss!.data())[0] as number;
      const lo = logitsOut as tf.Tensor | null;
      if (lo) {
        counter.add((await lo.data()) as Float32Array, cur.transform, true);
        lo.dispose();
      }
      tf.dispose([loss!, xs, ys]);
      if (masks) tf.dispose(masks.flat());
      lossSum += lossValue;
      const m = counter.result();
      progress.update(b + 1, {
        loss: lossSum / (b + 1),
        acc: m.reduce((a, t) => a + t.accuracy, 0) / m.length,
      });
    }
    const trainMetrics = counter.result();
    const heldMetrics =
      heldOut.length > 0
        ? evaluatePretext(model, { ...args, windows: heldOut, epoch, batchWindows: cfg.batchWindows })
        : null;
    epoch++;
    const row: HistoryRow = {
      epoch,
      step,
      loss: lossSum / nBatches,
      lr,
      ...metricsColumns('train', trainMetrics),
      ...(heldMetrics ? metricsColumns('heldout', heldMetrics) : {}),
      seconds: (Date.now() - t0) / 1000,
    };
    history.push(row);
    progress.stop({
      loss: row.loss as number,
      acc: (heldMetrics ? row.heldout_acc_mean : row.train_acc_mean) as number,
    });
    if (args.checkpointDir) {
      await saveCheckpoint(args.checkpointDir, model, optimizer, {
        epoch,
        step,
        history,
        rngStates: {},
        extra: { heldOut, trainWindows: train.length },
      });
    }
    // Let the event loop deliver pending signals, then honour a stop request.
    await new Promise((r) => setImmediate(r));
    const signal = stop.requested();
    if (signal !== undefined && epoch < stopAt) {
      stop.dispose();
      optimizer.dispose();
      model.dispose();
      throw new InterruptedError(
        signal,
        args.checkpointDir
          ? `${label}: stopped by ${signal} after epoch ${epoch}/${cfg.epochs}; checkpoint in ${args.checkpointDir} (run the same command again to resume)`
          : `${label}: stopped by ${signal} after epoch ${epoch}/${cfg.epochs} (no checkpoint folder: nothing saved)`,
      );
    }
  }
  stop.dispose();
  const last = history[history.length - 1];
  const prefix = heldOut.length > 0 ? 'heldout' : 'train';
  const final = PRETEXT_TASKS.map((task) => ({
    task,
    accuracy: last?.[`${prefix}_acc_${task}`] ?? NaN,
    f1: last?.[`${prefix}_f1_${task}`] ?? NaN,
  }));
  optimizer.dispose();
  return { model, history, final, heldOut, train, epochsDone: epoch, step, resumedFromEpoch };
}

/** Checkpoint folder of a pretraining output folder. */
export function checkpointDirOf(outDir: string): string {
  return join(outDir, 'checkpoint');
}
