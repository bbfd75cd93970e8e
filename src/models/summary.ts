// summarizeStrNetwork(): the STR network's layer table and parameter counts (`ecgssl inspect model`).
import { preprocessingSchema, type ModelConfig } from '../config/schema.js';
import { buildStrNetwork } from './strNetwork.js';

/** One layer of {@link summarizeStrNetwork}. */
export interface LayerSummary {
  name: string;
  type: string;
  outputShape: (number | null)[];
  params: number;
}

/**
 * Layer table and parameter counts of the STR network with `heads` heads (the caller passes its transformation
 * table's length; METHOD §3: 7 heads, 329,152 trunk, 561,223 total by default); `windowSamples` defaults to the
 * config's (`preprocessing.windowSamples`).
 */
export function summarizeStrNetwork(
  modelConfig: ModelConfig,
  windowSamples = preprocessingSchema.parse({}).windowSamples,
  heads?: number,
): { layers: LayerSummary[]; trunkParams: number; totalParams: number } {
  const model = buildStrNetwork({ ...modelConfig, windowSamples, seed: 0, heads });
  try {
    const layers: LayerSummary[] = model.layers.map((l) => {
      const shape = l.outputShape as (number | null)[];
      return { name: l.name, type: l.getClassName(), outputShape: shape, params: l.countParams() };
    });
    const trunkParams = layers
      .filter((l) => l.name.startsWith('conv_layer_'))
      .reduce((a, l) => a + l.params, 0);
    return { layers, trunkParams, totalParams: model.countParams() };
  } finally {
    model.dispose();
  }
}
