// Pretraining checkpoints: save/load of model weights, Adam state and progress, crash-consistent on disk.
import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';

/** What a pretraining checkpoint stores besides tensors. */
export interface CheckpointState {
  /** Epochs completed. */
  epoch: number;
  /** Optimizer steps taken. */
  step: number;
  /** Per-epoch history rows so far. */
  history: Record<string, number>[];
  /** Named Rng states (the per-epoch streams are derived from (seed, fold, epoch), so these are informative). */
  rngStates: Record<string, number[]>;
  /** Adam's accumulated beta powers (restored exactly, not recomputed). */
  accBeta: [number, number];
  /** Anything else the caller wants back (e.g. the held-out split). */
  extra: Record<string, unknown>;
  /** A checkpoint written inside epoch `epoch + 1` (a stop request mid-epoch): where that epoch stands. */
  partial?: EpochPartial;
}

/** How far an unfinished epoch got: batches done, and its running sums for the history row. */
export interface EpochPartial {
  /** Batches of the epoch done (the next one to run). */
  batch: number;
  /** Sum of the batches' losses. */
  lossSum: number;
  /** Training counts so far ({@link PretextCounter.counts}). */
  counts: number[][];
  /** Seconds the epoch has run so far. */
  seconds: number;
}

const STATE = 'state.json';
/** Weights file of checkpoints written before state.json named its weights file. */
const WEIGHTS = 'weights.bin';

/**
 * Weights file of the checkpoint after `epoch` (and `batch` batches of the next, for a mid-epoch checkpoint): each
 * checkpoint writes a new file and state.json (renamed last) names it, so a process killed between the two writes
 * leaves the previous, consistent pair.
 */
function weightsFileOf(epoch: number, batch?: number): string {
  return batch === undefined ? `weights-${epoch}.bin` : `weights-${epoch}-${batch}.bin`;
}

/** The names weights files of this folder have (weights.bin, weights-<epoch>.bin, weights-<epoch>-<batch>.bin). */
const WEIGHTS_FILE = /^weights(-\d+){0,2}\.bin$/;

/** The weights file a state.json refers to (older checkpoints: weights.bin). */
function weightsFileIn(state: { weightsFile?: unknown }): string {
  return typeof state.weightsFile === 'string' && WEIGHTS_FILE.test(state.weightsFile)
    ? state.weightsFile
    : WEIGHTS;
}

function writeAtomic(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

interface AdamInternals {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  learningRate: number;
}

/** Adam's internal fields (tfjs keeps them protected). */
export function adamInternals(opt: tf.Optimizer): AdamInternals {
  return opt as unknown as AdamInternals;
}

/**
 * Saves model weights + optimizer state (optimizer.getWeights(), Adam's beta powers) + `state` in `dir`
 * (weights-<epoch>.bin via tf.io.encodeWeights, then state.json naming it, both atomic; older weights files are
 * removed after state.json is in place, so a SIGKILL at any point leaves a complete, consistent checkpoint).
 */
export async function saveCheckpoint(
  dir: string,
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  state: Omit<CheckpointState, 'accBeta'>,
): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const optWeights = await optimizer.getWeights();
  const named: { name: string; tensor: tf.Tensor }[] = [
    ...model.weights.map((w, i) => ({ name: `model/${i}/${w.originalName}`, tensor: w.read() })),
    ...optWeights.map((w, i) => ({ name: `optimizer/${i}/${w.name}`, tensor: w.tensor })),
  ];
  const { data, specs } = await tf.io.encodeWeights(named);
  const buf = data instanceof ArrayBuffer ? data : tf.io.CompositeArrayBuffer.join(data);
  const a = adamInternals(optimizer);
  const accBeta: [number, number] = a.accBeta1
    ? [(await a.accBeta1.data())[0] as number, (await a.accBeta2.data())[0] as number]
    : [NaN, NaN];
  const weightsFile = weightsFileOf(state.epoch, state.partial?.batch);
  writeAtomic(join(dir, weightsFile), new Uint8Array(buf));
  // state.json is the commit point: until it is renamed into place the previous state names the previous weights.
  writeAtomic(join(dir, STATE), JSON.stringify({ ...state, accBeta, specs, weightsFile }, null, 1));
  for (const f of readdirSync(dir))
    if (WEIGHTS_FILE.test(f) && f !== weightsFile) rmSync(join(dir, f), { force: true });
  optWeights.forEach((w) => w.tensor !== undefined && w.name === 'iter' && w.tensor.dispose());
}

/** Whether `dir` holds a complete checkpoint. */
export function hasCheckpoint(dir: string): boolean {
  if (!existsSync(join(dir, STATE))) return false;
  try {
    const state = JSON.parse(readFileSync(join(dir, STATE), 'utf8')) as { weightsFile?: unknown };
    return existsSync(join(dir, weightsFileIn(state)));
  } catch {
    return false;
  }
}

/**
 * Restores a checkpoint written by {@link saveCheckpoint} into `model` and `optimizer` (which must have the same
 * architecture) and returns its state.
 */
export async function loadCheckpoint(
  dir: string,
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
): Promise<CheckpointState> {
  if (!hasCheckpoint(dir)) throw new UserError(`loadCheckpoint: no checkpoint in ${dir}`);
  const raw = JSON.parse(readFileSync(join(dir, STATE), 'utf8')) as CheckpointState & {
    specs: tf.io.WeightsManifestEntry[];
    weightsFile?: string;
  };
  const bytes = readFileSync(join(dir, weightsFileIn(raw)));
  const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const decoded = tf.io.decodeWeights(ab, raw.specs);
  const modelNames = raw.specs.filter((s) => s.name.startsWith('model/')).map((s) => s.name);
  if (modelNames.length !== model.weights.length)
    throw new UserError(
      `loadCheckpoint: ${dir} holds ${modelNames.length} model weights, the model has ${model.weights.length}`,
    );
  model.setWeights(modelNames.map((n) => decoded[n] as tf.Tensor));
  const optNamed = raw.specs
    .filter((s) => s.name.startsWith('optimizer/'))
    .map((s) => ({ name: s.name.replace(/^optimizer\/\d+\//, ''), tensor: decoded[s.name] as tf.Tensor }));
  if (optNamed.length > 0) {
    // Adam creates its slots lazily: setWeights assigns them by name.
    await optimizer.setWeights(optNamed);
  }
  const a = adamInternals(optimizer);
  if (a.accBeta1 && Number.isFinite(raw.accBeta[0])) {
    a.accBeta1.assign(tf.scalar(raw.accBeta[0]));
    a.accBeta2.assign(tf.scalar(raw.accBeta[1]));
  }
  for (const n of modelNames) decoded[n]?.dispose();
  return {
    epoch: raw.epoch,
    step: raw.step,
    history: raw.history,
    rngStates: raw.rngStates,
    accBeta: raw.accBeta,
    extra: raw.extra,
    ...(raw.partial ? { partial: raw.partial } : {}),
  };
}
