// dropoutPoints(): the dropout layers of a model, nested models included (to check a training setup).
import * as tf from '@tensorflow/tfjs';
import type { DropoutPoint } from './forward.js';

/**
 * The dropout layers (`tf.layers.dropout`) of `model` and of the models nested in it, in `model.layers` order, with
 * their rates (for checks before training; {@link forward} asks for their masks in its own order).
 */
export function dropoutPoints(model: tf.LayersModel): DropoutPoint[] {
  const out: DropoutPoint[] = [];
  for (const layer of model.layers) {
    if (layer instanceof tf.LayersModel) out.push(...dropoutPoints(layer));
    else if (layer.getClassName() === 'Dropout')
      out.push({ name: layer.name, rate: (layer.getConfig() as { rate: number }).rate });
  }
  return out;
}
