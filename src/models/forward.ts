// forward(): the one forward pass of every ecgssl model (training with given dropout masks, or testing).
import * as tf from '@tensorflow/tfjs';
import { invariant } from '../errors.js';

/** A dropout layer of a model as {@link forward} hands it to {@link ForwardTraining.maskFor}. */
export interface DropoutPoint {
  /** The layer's name (e.g. `task_0_dropout_1`, `emotion_dropout_2`). */
  name: string;
  /** Its rate, in (0, 1). */
  rate: number;
}

/** Training mode of {@link forward}: where the dropout masks come from. */
export interface ForwardTraining {
  /**
   * The inverted-dropout mask (values 0 or 1/(1-rate)) of one dropout layer for an input of `shape`; called once per
   * dropout layer of rate > 0, in the order forward applies them (see {@link forward}).
   */
  maskFor(point: DropoutPoint, shape: readonly number[]): tf.Tensor;
}

/** Options of {@link forward}. */
export interface ForwardArgs {
  /** Training mode (dropout masks from `maskFor`); omit for testing (dropout is the identity, as `model.predict`). */
  training?: ForwardTraining;
  /** Tensors of the model's graph to compute instead of its outputs (e.g. the STR heads' logits, `strLogits`). */
  fetch?: readonly tf.SymbolicTensor[];
}

/** Layers whose training mode draws tfjs' own (unseeded) random numbers: refused in training mode. */
const UNSEEDED_RANDOM_LAYERS = new Set([
  'GaussianNoise',
  'GaussianDropout',
  'AlphaDropout',
  'SpatialDropout1D',
]);

/**
 * Forward pass of any model ecgssl builds (STR network, emotion head, emotion network = trunk + head): every node of
 * the model's graph from its inputs to `fetch` (default: its outputs) runs once, depth-first from the first requested
 * tensor to the last, inputs in order, nested models recursively; for the STR network head 0's layers run before
 * head 1's, and so on. A dropout layer is the identity when testing, and when training multiplies its input by
 * `training.maskFor(layer, shape)` (the masks come from the project Rng, never tfjs' dropout); every other layer runs
 * with its own `apply` and the `training` flag. Returns the requested tensors in order; call it inside `tf.tidy`.
 */
export function forward(
  model: tf.LayersModel,
  x: tf.Tensor | readonly tf.Tensor[],
  args: ForwardArgs = {},
): tf.Tensor[] {
  const xs = Array.isArray(x) ? (x as readonly tf.Tensor[]) : [x as tf.Tensor];
  invariant(
    xs.length === model.inputs.length,
    'forward',
    `model "${model.name}" takes ${model.inputs.length} inputs, got ${xs.length}`,
  );
  const values = new Map<number, tf.Tensor>();
  model.inputs.forEach((s, i) => values.set(s.id, xs[i] as tf.Tensor));
  const evaluate = (s: tf.SymbolicTensor): tf.Tensor => {
    const known = values.get(s.id);
    if (known) return known;
    const layer = s.sourceLayer;
    const node = layer.inboundNodes[s.nodeIndex];
    invariant(
      node !== undefined && node.inputTensors.length > 0,
      'forward',
      `tensor "${s.name}" of model "${model.name}" is not computed from the model's inputs`,
    );
    const inputs = node.inputTensors.map(evaluate);
    const outs = runLayer(layer, inputs, node.callArgs ?? {}, args.training);
    node.outputTensors.forEach((o, i) => values.set(o.id, outs[i] as tf.Tensor));
    return values.get(s.id) as tf.Tensor;
  };
  return (args.fetch ?? model.outputs).map(evaluate);
}

/** One layer of {@link forward} on concrete inputs: nested model, dropout, or the layer's own `apply`. */
function runLayer(
  layer: tf.layers.Layer,
  inputs: tf.Tensor[],
  callArgs: Record<string, unknown>,
  training: ForwardTraining | undefined,
): tf.Tensor[] {
  if (layer instanceof tf.LayersModel) return forward(layer, inputs, { training });
  const kind = layer.getClassName();
  if (kind === 'Dropout') {
    const x = inputs[0] as tf.Tensor;
    const { rate, noiseShape } = layer.getConfig() as { rate: number; noiseShape?: number[] | null };
    if (!training || rate <= 0) return [x];
    invariant(rate < 1, 'forward', `dropout layer "${layer.name}" has rate ${rate}, must be < 1`);
    invariant(
      noiseShape == null,
      'forward',
      `dropout layer "${layer.name}" has a noiseShape (not supported)`,
    );
    const mask = training.maskFor({ name: layer.name, rate }, x.shape);
    invariant(
      mask.shape.join() === x.shape.join(),
      'forward',
      `mask of "${layer.name}" has shape [${mask.shape.join(', ')}], its input [${x.shape.join(', ')}]`,
    );
    return [tf.mul(x, mask)];
  }
  invariant(
    !(training && UNSEEDED_RANDOM_LAYERS.has(kind)),
    'forward',
    `layer "${layer.name}" (${kind}) draws unseeded random numbers when training; use tf.layers.dropout`,
  );
  const out = layer.apply(inputs.length === 1 ? (inputs[0] as tf.Tensor) : inputs, {
    ...callArgs,
    training: training !== undefined,
  }) as tf.Tensor | tf.Tensor[];
  return Array.isArray(out) ? out : [out];
}
