import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
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
}

const STATE = 'state.json';
const WEIGHTS = 'weights.bin';

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
 * (weights.bin via tf.io.encodeWeights, then state.json, both atomic).
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
  writeAtomic(join(dir, WEIGHTS), new Uint8Array(buf));
  writeAtomic(join(dir, STATE), JSON.stringify({ ...state, accBeta, specs }, null, 1));
  optWeights.forEach((w) => w.tensor !== undefined && w.name === 'iter' && w.tensor.dispose());
}

/** Whether `dir` holds a complete checkpoint. */
export function hasCheckpoint(dir: string): boolean {
  return existsSync(join(dir, STATE)) && existsSync(join(dir, WEIGHTS));
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
  };
  const bytes = readFileSync(join(dir, WEIGHTS));
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
  };
}
