// Self-supervised pretraining of the STR network (METHOD §3) over a transformation table: the epoch loop, held-out split and evaluation.
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { check, invariant } from '../errors.js';
import {
  checkTransformationTable,
  TRANSFORMATIONS,
  type TransformationParams,
  type TransformationTable,
} from '../augmentation/index.js';
import type { ModelConfig, PretrainConfig } from '../config/schema.js';
import { deriveRng } from '../random/index.js';
import { createAdam } from '../engine/index.js';
import { buildStrNetwork, forward, strLogits } from '../models/index.js';
import { createProgress, type Progress } from '../util/progress.js';
import { log } from '../util/log.js';
import { timePhase, timePhaseAsync } from '../util/phaseTimer.js';
import { buildPretextBatch, pretextLabels, STREAM_KEYS, type PretextBatch } from './batches.js';
import {
  adamInternals,
  hasCheckpoint,
  loadCheckpoint,
  saveCheckpoint,
  type EpochPartial,
} from './checkpoint.js';
import { InterruptedError, watchStopSignals, type StopWatcher } from '../util/stopSignal.js';
import { staircaseLearningRate } from './losses.js';
import { pretrainStep } from './pretrainStep.js';
import { CHANCE_F1, headsAtChance, PretextCounter, type TaskMetrics } from './pretrainMetrics.js';

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
  /** Parameters of the transformations (the config's `transformations` section). */
  transformations: TransformationParams;
  /**
   * The pretext transformations, one head each, in head order (default: the built-in {@link TRANSFORMATIONS}).
   * `pretrainConfig.taskWeights` needs one weight per entry.
   */
  transformationTable?: TransformationTable;
  seed: number;
  /** Fold key of the random streams: the fold number, or -1 for scope `all`. */
  fold: number;
  /** Checkpoint folder: written every epoch; resumed from when it holds one (unless `resume` is false). */
  checkpointDir?: string;
  /** Continue from the checkpoint in `checkpointDir` if there is one (default true). */
  resume?: boolean;
  /** Stop after this many epochs in this call (for tests of resume); default: all. */
  maxEpochsThisCall?: number;
  /**
   * Stop after this many optimizer steps in this call, mid-epoch if need be, with a checkpoint as a stop signal
   * writes (for tests of resume); default: no limit.
   */
  maxStepsThisCall?: number;
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
  /** The masks the step applied, one pair per head (training batches with dropout only); disposed when the hook returns. */
  masks?: readonly (readonly [tf.Tensor2D, tf.Tensor2D])[];
}

/** One row of the per-epoch history. */
export type HistoryRow = Record<string, number>;

/** Result of {@link pretrain}. */
export interface PretrainResult {
  model: tf.LayersModel;
  history: HistoryRow[];
  /** Final per-task metrics (held-out windows when there are any, else training), in head order. */
  final: { task: string; accuracy: number; f1: number }[];
  /** Tasks whose final F1 is under {@link CHANCE_F1} (empty when no epoch has run). */
  headsAtChance: string[];
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

/** Per-head metrics of `model` on `windows` with the epoch's transformation draws (inference, no dropout). */
export function evaluatePretext(
  model: tf.LayersModel,
  args: Pick<
    PretrainArgs,
    'source' | 'transformations' | 'transformationTable' | 'seed' | 'fold' | 'onBatch'
  > & {
    windows: readonly number[];
    epoch: number;
    batchWindows: number;
  },
): TaskMetrics[] {
  const table = args.transformationTable ?? TRANSFORMATIONS;
  const counter = new PretextCounter(table.length);
  const ws = args.source.windowSamples;
  for (let s = 0; s < args.windows.length; s += args.batchWindows) {
    const idx = args.windows.slice(s, s + args.batchWindows);
    const b = timePhase('batches', () =>
      buildPretextBatch({
        windows: args.source.read(idx),
        windowIndices: idx,
        windowSamples: ws,
        transformations: args.transformations,
        transformationTable: table,
        seed: args.seed,
        foldKey: foldKeyOf(args.fold),
        epoch: args.epoch,
      }),
    );
    args.onBatch?.({
      phase: 'heldout',
      epoch: args.epoch,
      batchIndex: s / args.batchWindows,
      x: b.x,
      labels: pretextLabels(b.transform, table.length),
      samples: b.samples,
    });
    const logits = timePhase('engine.heldout', () => {
      const t = tf.tidy(() =>
        tf.concat(forward(model, tf.tensor3d(b.x, [b.samples, ws, 1]), { fetch: strLogits(model) }), 1),
      );
      const v = t.dataSync() as Float32Array;
      t.dispose();
      return v;
    });
    counter.add(logits, b.transform, true);
  }
  return counter.result();
}

/** History columns `<prefix>_acc_<name>`, `<prefix>_f1_<name>` per head, then `<prefix>_acc_mean`. */
function metricsColumns(prefix: string, m: TaskMetrics[], table: TransformationTable): HistoryRow {
  invariant(
    m.length === table.length,
    'pretrain',
    `${m.length} head metrics for ${table.length} transformations`,
  );
  const row: HistoryRow = {};
  m.forEach((t, i) => {
    const name = table[i]!.name;
    row[`${prefix}_acc_${name}`] = t.accuracy;
    row[`${prefix}_f1_${name}`] = t.f1;
  });
  row[`${prefix}_acc_mean`] = m.reduce((a, t) => a + t.accuracy, 0) / m.length;
  return row;
}

/** Final per-task metrics: the last history row's held-out columns (training ones without held-out windows). */
function finalMetrics(
  history: readonly HistoryRow[],
  table: TransformationTable,
  prefix: 'heldout' | 'train',
): PretrainResult['final'] {
  const last = history[history.length - 1];
  return table.map(({ name }) => ({
    task: name,
    accuracy: last?.[`${prefix}_acc_${name}`] ?? NaN,
    f1: last?.[`${prefix}_f1_${name}`] ?? NaN,
  }));
}

/** One stderr warning line naming the heads at chance with their F1 (nothing when there are none). */
function warnHeadsAtChance(
  label: string,
  epochs: number,
  prefix: 'heldout' | 'train',
  final: PretrainResult['final'],
  atChance: readonly string[],
): void {
  if (atChance.length === 0) return;
  const f1 = new Map(final.map((m) => [m.task, m.f1]));
  const which = prefix === 'heldout' ? 'held-out' : 'training';
  const list = atChance.map((t) => `${t} ${(f1.get(t) ?? NaN).toFixed(2)}`).join(', ');
  log.warn(
    `${label}: heads still at chance after ${epochs} epoch${epochs === 1 ? '' : 's'} (${which} F1 < ${CHANCE_F1}): ${list}`,
  );
}

/** Checks the table and that `taskWeights` has one weight per transformation. */
function checkTable(table: TransformationTable, taskWeights: readonly number[]): void {
  checkTransformationTable(table, 'pretrain');
  check(
    taskWeights.length === table.length,
    'pretrain',
    `pretrain.taskWeights has ${taskWeights.length} weights, the transformation table ${table.length} transformations (${table.map((t) => t.name).join(', ')})`,
  );
}

/** What one pretraining run fixes before its first epoch, shared by all its epochs. */
interface PretrainRun {
  args: PretrainArgs;
  cfg: PretrainConfig;
  table: TransformationTable;
  heads: number;
  windowSamples: number;
  foldKey: number;
  train: number[];
  heldOut: number[];
  model: tf.LayersModel;
  optimizer: tf.Optimizer;
  nBatches: number;
  label: string;
}

/** Where a run stands: epochs done, optimizer steps done, the history rows so far, how far the next epoch got. */
interface PretrainState {
  epoch: number;
  step: number;
  history: HistoryRow[];
  partial?: EpochPartial;
}

/** Checks the arguments, splits off the held-out windows and builds the network and its Adam optimizer. */
function setUpRun(args: PretrainArgs): PretrainRun {
  const cfg = args.pretrainConfig;
  const table = args.transformationTable ?? TRANSFORMATIONS;
  const heads = table.length;
  checkTable(table, cfg.taskWeights);
  const ws = args.source.windowSamples;
  const foldKey = foldKeyOf(args.fold);
  check(args.windows.length > 0, 'pretrain', 'no windows to pretrain on');
  const { train, heldOut } = splitHeldOut(args.windows, cfg.heldOutFraction, args.seed, args.fold);
  check(train.length > 0, 'pretrain', `heldOutFraction ${cfg.heldOutFraction} leaves no training windows`);
  const model = buildStrNetwork({ ...args.modelConfig, windowSamples: ws, heads, seed: args.seed });
  const optimizer = createAdam(cfg.learningRate, cfg.adam.beta1, cfg.adam.beta2, cfg.adam.epsilon);
  return {
    args,
    cfg,
    table,
    heads,
    windowSamples: ws,
    foldKey,
    train,
    heldOut,
    model,
    optimizer,
    nBatches: Math.ceil(train.length / cfg.batchWindows),
    label: args.label ?? 'pretrain',
  };
}

/** The state to start from: the checkpoint's (weights and Adam slots loaded into the run) or a fresh one. */
async function resumeState(run: PretrainRun): Promise<PretrainState> {
  const { args } = run;
  if (args.checkpointDir && args.resume !== false && hasCheckpoint(args.checkpointDir)) {
    // Adam's slots exist only after a first step: create them with a zero-gradient-free dummy via setWeights.
    const st = await loadCheckpoint(args.checkpointDir, run.model, run.optimizer);
    const within = st.partial
      ? ` and batch ${st.partial.batch}/${run.nBatches} of epoch ${st.epoch + 1}`
      : '';
    log.info(
      `pretrain: resuming from ${args.checkpointDir} after epoch ${st.epoch}${within} (step ${st.step})`,
    );
    return {
      epoch: st.epoch,
      step: st.step,
      history: st.history,
      ...(st.partial ? { partial: st.partial } : {}),
    };
  }
  return { epoch: 0, step: 0, history: [] };
}

/** A step's masks in draw order (head by head, first then second) -> one pair per head; undefined without dropout. */
function maskPairs(masks: readonly tf.Tensor2D[]): PretrainBatchInfo['masks'] {
  if (masks.length === 0) return undefined;
  return Array.from({ length: masks.length / 2 }, (_, t) => [masks[2 * t]!, masks[2 * t + 1]!] as const);
}

/** The pretext batch `b` of an epoch whose training windows come in `order`. */
function epochBatch(run: PretrainRun, order: readonly number[], epoch: number, b: number): PretextBatch {
  const { args, cfg } = run;
  const idx = order.slice(b * cfg.batchWindows, (b + 1) * cfg.batchWindows);
  return timePhase('batches', () =>
    buildPretextBatch({
      windows: args.source.read(idx),
      windowIndices: idx,
      windowSamples: run.windowSamples,
      transformations: args.transformations,
      transformationTable: run.table,
      seed: args.seed,
      foldKey: run.foldKey,
      epoch,
      batchIndex: b,
    }),
  );
}

/** What {@link trainEpoch} did: the epoch's sums so far and, when it stopped early, after which batch. */
interface EpochSteps {
  trainMetrics: TaskMetrics[];
  counts: number[][];
  lossSum: number;
  lr: number;
  step: number;
  /** Set when `shouldStop` ended the epoch early: the batches done. */
  stoppedAfter?: number;
}

/**
 * One optimizer step on batch `b` of epoch `epoch` (`cur`), then `between()` (the next batch is built there, before
 * this step's results are read back): the step's loss and logits [samples, heads].
 */
async function trainStep(
  run: PretrainRun,
  cur: PretextBatch,
  at: { epoch: number; b: number; step: number },
  between: () => void,
): Promise<{ loss: number; logits: Float32Array | null }> {
  const { cfg, heads } = run;
  adamInternals(run.optimizer).learningRate = staircaseLearningRate(
    cfg.learningRate,
    cfg.decayRate,
    cfg.decaySteps,
    at.step,
  );
  const xs = tf.tensor3d(cur.x, [cur.samples, run.windowSamples, 1]);
  const labels = pretextLabels(cur.transform, heads);
  const ys = tf.tensor2d(labels, [cur.samples, heads]);
  const masks: tf.Tensor2D[] = [];
  // The step's engine time: the kernels run here (synchronous backends) or by the reads below (asynchronous ones).
  const { loss, logits: logitsOut } = timePhase('engine.pretrain', () =>
    pretrainStep({
      model: run.model,
      optimizer: run.optimizer,
      x: xs,
      labels: ys,
      taskWeights: cfg.taskWeights,
      l2: cfg.l2,
      // The head dropout masks of this step: deriveRng(seed, fold, epoch, dropout key + batch), head by head.
      dropoutRng: deriveRng(run.args.seed, run.foldKey, at.epoch, STREAM_KEYS.dropout + at.b),
      keepLogits: true,
      // With onBatch, a copy of each mask drawn (the same draws), for the hook below.
      ...(run.args.onBatch
        ? { onMask: (m: tf.Tensor) => void masks.push(tf.keep(m.clone()) as tf.Tensor2D) }
        : {}),
    }),
  );
  run.args.onBatch?.({
    phase: 'train',
    epoch: at.epoch,
    batchIndex: at.b,
    x: cur.x,
    labels,
    samples: cur.samples,
    masks: maskPairs(masks),
  });
  tf.dispose(masks);
  between();
  const lo = logitsOut as tf.Tensor | null;
  const out = await timePhaseAsync('engine.pretrain', async () => ({
    loss: (await loss.data())[0] as number,
    logits: lo ? ((await lo.data()) as Float32Array) : null,
  }));
  tf.dispose([loss, xs, ys, ...(lo ? [lo] : [])]);
  return out;
}

/**
 * The optimizer steps of epoch `epoch` over the training windows in `order`, starting at step `step` and, for an
 * epoch resumed from a mid-epoch checkpoint, at `from`'s batch with its sums, with its progress bar (left running
 * for the caller to stop). After each batch but the last it lets the event loop turn (signals) and asks
 * `shouldStop(step)`; on true it returns early with `stoppedAfter`.
 */
async function trainEpoch(
  run: PretrainRun,
  order: readonly number[],
  at: { epoch: number; step: number; from?: EpochPartial },
  progress: Progress,
  shouldStop: (step: number) => boolean,
): Promise<EpochSteps> {
  const { cfg, heads, nBatches } = run;
  const { epoch, from } = at;
  const counter = new PretextCounter(heads);
  if (from) counter.restore(from.counts);
  let [lossSum, lr, step] = [from?.lossSum ?? 0, cfg.learningRate, at.step];
  const b0 = from?.batch ?? 0;
  let next = epochBatch(run, order, epoch, b0);
  for (let b = b0; b < nBatches; b++) {
    const cur = next;
    lr = staircaseLearningRate(cfg.learningRate, cfg.decayRate, cfg.decaySteps, step);
    // Prepare the next batch on the JS side before reading this step's results back.
    const r = await trainStep(run, cur, { epoch, b, step }, () => {
      if (b + 1 < nBatches) next = epochBatch(run, order, epoch, b + 1);
    });
    step++;
    if (r.logits) counter.add(r.logits, cur.transform, true);
    lossSum += r.loss;
    const m = counter.result();
    progress.update(b + 1, {
      loss: lossSum / (b + 1),
      acc: m.reduce((a, t) => a + t.accuracy, 0) / m.length,
    });
    if (b + 1 < nBatches) {
      await new Promise((res) => setImmediate(res));
      if (shouldStop(step))
        return {
          trainMetrics: counter.result(),
          counts: counter.counts(),
          lossSum,
          lr,
          step,
          stoppedAfter: b + 1,
        };
    }
  }
  return { trainMetrics: counter.result(), counts: counter.counts(), lossSum, lr, step };
}

/** Writes the run's checkpoint (weights, Adam, history; `state.partial` for a mid-epoch one), if it has a folder. */
async function saveRunCheckpoint(run: PretrainRun, state: PretrainState): Promise<void> {
  const dir = run.args.checkpointDir;
  if (!dir) return;
  await timePhaseAsync('io', () =>
    saveCheckpoint(dir, run.model, run.optimizer, {
      epoch: state.epoch,
      step: state.step,
      history: state.history,
      rngStates: {},
      extra: { heldOut: run.heldOut, trainWindows: run.train.length },
      ...(state.partial ? { partial: state.partial } : {}),
    }),
  );
}

/**
 * One epoch (or the rest of one resumed mid-epoch): its steps, the held-out evaluation, its history row and its
 * checkpoint; advances `state`. When `shouldStop` ends it early, it writes a mid-epoch checkpoint
 * (`state.partial`) instead and returns false. `started`: when this call's first epoch began and which it was (the
 * progress lines' elapsed and remaining time).
 */
async function runEpoch(
  run: PretrainRun,
  state: PretrainState,
  started: { ms: number; epoch: number },
  shouldStop: (step: number) => boolean,
): Promise<boolean> {
  const { args, cfg, table, heldOut } = run;
  const t0 = Date.now();
  const { epoch, partial: from } = state;
  const order = deriveRng(args.seed, run.foldKey, epoch, STREAM_KEYS.order)
    .permutation(run.train.length)
    .map((i) => run.train[i] as number);
  const progress = createProgress({
    label: `${run.label} epoch ${epoch + 1}/${cfg.epochs}`,
    total: run.nBatches,
    unit: 'batches',
    stage: {
      startedMs: started.ms,
      before: epoch * run.nBatches,
      total: cfg.epochs * run.nBatches,
      // Batches done before this call (a mid-epoch checkpoint's too): not counted in the speed.
      resumed: started.epoch * run.nBatches + (from?.batch ?? 0),
    },
  });
  const r = await trainEpoch(
    run,
    order,
    { epoch, step: state.step, ...(from ? { from } : {}) },
    progress,
    shouldStop,
  );
  state.step = r.step;
  // The epoch's seconds so far, a mid-epoch checkpoint's part included.
  const seconds = (): number => (from?.seconds ?? 0) + (Date.now() - t0) / 1000;
  if (r.stoppedAfter !== undefined) {
    progress.stop({ loss: r.lossSum / r.stoppedAfter }, r.stoppedAfter);
    state.partial = { batch: r.stoppedAfter, lossSum: r.lossSum, counts: r.counts, seconds: seconds() };
    await saveRunCheckpoint(run, state);
    return false;
  }
  delete state.partial;
  const heldMetrics =
    heldOut.length > 0
      ? evaluatePretext(run.model, {
          ...args,
          transformationTable: table,
          windows: heldOut,
          epoch,
          batchWindows: cfg.batchWindows,
        })
      : null;
  state.epoch = epoch + 1;
  const row: HistoryRow = {
    epoch: state.epoch,
    step: r.step,
    loss: r.lossSum / run.nBatches,
    lr: r.lr,
    ...metricsColumns('train', r.trainMetrics, table),
    ...(heldMetrics ? metricsColumns('heldout', heldMetrics, table) : {}),
    seconds: seconds(),
  };
  state.history.push(row);
  progress.stop({
    loss: row.loss as number,
    acc: (heldMetrics ? row.heldout_acc_mean : row.train_acc_mean) as number,
  });
  await saveRunCheckpoint(run, state);
  return true;
}

/** Frees the run and throws the {@link InterruptedError} of a stop by `signal` at `where`, saying what was saved. */
function interrupted(run: PretrainRun, stop: StopWatcher, signal: NodeJS.Signals, where: string): never {
  const { args, label } = run;
  stop.dispose();
  run.optimizer.dispose();
  run.model.dispose();
  throw new InterruptedError(
    signal,
    args.checkpointDir
      ? `${label}: stopped by ${signal} ${where}; checkpoint in ${args.checkpointDir} (run the same command again to resume)`
      : `${label}: stopped by ${signal} ${where} (no checkpoint folder: nothing saved)`,
  );
}

/**
 * Lets the event loop deliver pending signals, then honours a stop request made before the last epoch
 * (`stopAt`): frees the run and throws an {@link InterruptedError} saying where the checkpoint is.
 */
async function stopIfRequested(
  run: PretrainRun,
  stop: StopWatcher,
  epoch: number,
  stopAt: number,
): Promise<void> {
  await new Promise((r) => setImmediate(r));
  const signal = stop.requested();
  if (signal !== undefined && epoch < stopAt)
    interrupted(run, stop, signal, `after epoch ${epoch}/${run.cfg.epochs}`);
}

/** The result once the epochs of this call are done: final metrics, the heads-at-chance warning, Adam freed. */
function finishRun(run: PretrainRun, state: PretrainState, resumedFromEpoch: number): PretrainResult {
  const { heldOut, table } = run;
  const { epoch, history } = state;
  const prefix = heldOut.length > 0 ? 'heldout' : 'train';
  const final = finalMetrics(history, table, prefix);
  const atChance = history.length > 0 ? headsAtChance(final) : [];
  if (epoch >= run.cfg.epochs) warnHeadsAtChance(run.label, epoch, prefix, final, atChance);
  run.optimizer.dispose();
  return {
    model: run.model,
    history,
    final,
    headsAtChance: atChance,
    heldOut,
    train: run.train,
    epochsDone: epoch,
    step: state.step,
    resumedFromEpoch,
  };
}

/**
 * Self-supervised pretraining of the STR network (METHOD §3) with one head per entry of the transformation table:
 * per batch of `batchWindows` windows, one sample per transformation each (7 by default), shuffled; weighted sigmoid
 * cross-entropy of the heads + L2/2 on the kernels; Adam with a staircase learning rate; dropout masks from the
 * project Rng. Checkpoints every epoch (and mid-epoch on SIGINT/SIGTERM) and resumes from a checkpoint so that a
 * resumed run ends with the same weights as an uninterrupted one. At the end, warns on stderr of the heads still at chance (F1 < 0.2).
 */
export async function pretrain(args: PretrainArgs): Promise<PretrainResult> {
  const run = setUpRun(args);
  const state = await resumeState(run);
  const resumedFromEpoch = state.epoch;
  const cfg = run.cfg;
  const stopAt = Math.min(
    cfg.epochs,
    args.maxEpochsThisCall === undefined ? cfg.epochs : state.epoch + args.maxEpochsThisCall,
  );
  // SIGINT/SIGTERM: finish the current batch, write a (mid-epoch) checkpoint, then stop (a rerun resumes from it,
  // ending with the same weights as an uninterrupted run).
  const stop = watchStopSignals(run.label);
  const started = { ms: Date.now(), epoch: state.epoch };
  const maxStep = state.step + (args.maxStepsThisCall ?? Infinity);
  const shouldStop = (step: number): boolean => stop.requested() !== undefined || step >= maxStep;
  while (state.epoch < stopAt && state.step < maxStep) {
    if (!(await runEpoch(run, state, started, shouldStop))) {
      const signal = stop.requested();
      const at = `in epoch ${state.epoch + 1}/${cfg.epochs} after batch ${state.partial?.batch}/${run.nBatches}`;
      if (signal !== undefined) interrupted(run, stop, signal, at);
      break; // maxStepsThisCall
    }
    await stopIfRequested(run, stop, state.epoch, stopAt);
  }
  stop.dispose();
  return finishRun(run, state, resumedFromEpoch);
}

/** Checkpoint folder of a pretraining output folder. */
export function checkpointDirOf(outDir: string): string {
  return join(outDir, 'checkpoint');
}
