// Diagnostic: ecgssl and the PyTorch reference from the same initial weights, without dropout, on the same stream.
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspectNpy, writeNpy } from '../datasets/index.js';
import { TRANSFORMATIONS } from '../augmentation/index.js';
import { buildStrNetwork, forward, strLogits } from '../models/index.js';
import { createBatchStreamExport } from '../training/exportBatchStream.js';
import { pretrain, type PretrainBatchInfo } from '../training/pretrain.js';
import { openReferenceData } from './referenceData.js';
import { runPytorchScript } from './runPytorchScript.js';

/** Arguments of {@link sameInitCheck}. */
export interface SameInitCheckArgs {
  configPath: string;
  seed: number;
  epochs: number;
  windows?: number;
  sets?: readonly string[];
  /** Keep the config's head dropout (each implementation draws its own masks); default: dropout 0. */
  keepDropout?: boolean;
  /** With `keepDropout`: PyTorch applies ecgssl's own dropout masks (exported with the stream). */
  sameMasks?: boolean;
  /** Torch threads of the PyTorch run (`--threads`, which also sets ecgssl's engine.threads through `sets`). */
  threads?: number;
}

/** How far the two implementations' held-out logits are apart after training from the same start. */
export interface SameInitResult {
  steps: number;
  samples: number;
  maxAbsLogitDiff: number;
  maxAbsLogit: number;
  /** Fraction of (sample, head) pairs where both predict the same class at threshold 0.5. */
  predictionAgreement: number;
  finalLoss: { ecgssl: number; pytorch: number };
}

function writeInitialWeights(model: tf.LayersModel, dir: string): void {
  mkdirSync(dir, { recursive: true });
  const layers: { layer: string; kernel: string; bias: string }[] = [];
  for (const layer of model.layers) {
    // Layers without weights (input, activations, pooling, the heads' dropout layers) have nothing to copy.
    const w = layer.getWeights();
    if (w.length !== 2) continue;
    const [k, b] = w as [tf.Tensor, tf.Tensor];
    writeNpy(join(dir, `${layer.name}-kernel.npy`), k.dataSync() as Float32Array, k.shape);
    writeNpy(join(dir, `${layer.name}-bias.npy`), b.dataSync() as Float32Array, b.shape);
    layers.push({ layer: layer.name, kernel: `${layer.name}-kernel.npy`, bias: `${layer.name}-bias.npy` });
  }
  writeFileSync(join(dir, 'weights.json'), JSON.stringify(layers));
}

function readF32Npy(path: string): Float32Array {
  const h = inspectNpy(path);
  const bytes = readFileSync(path).subarray(h.dataOffset);
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
}

/** How far ecgssl's held-out logits (per batch) and PyTorch's (all batches, in the same order) are apart. */
function compareLogits(
  ours: readonly Float32Array[],
  theirs: Float32Array,
): Pick<SameInitResult, 'maxAbsLogitDiff' | 'maxAbsLogit' | 'predictionAgreement'> {
  let maxDiff = 0;
  let maxAbs = 0;
  let agree = 0;
  let k = 0;
  for (const batch of ours) {
    for (const v of batch) {
      const w = theirs[k++] as number;
      maxDiff = Math.max(maxDiff, Math.abs(v - w));
      maxAbs = Math.max(maxAbs, Math.abs(v));
      if (v > 0 === w > 0) agree++;
    }
  }
  return {
    maxAbsLogitDiff: maxDiff,
    maxAbsLogit: maxAbs,
    predictionAgreement: k > 0 && k === theirs.length ? agree / k : NaN,
  };
}

/**
 * Trains ecgssl and the PyTorch reference on the same exported stream starting from ecgssl's initial weights
 * with head dropout 0: what remains are float rounding and the optimiser/loss code, so their held-out logits after
 * the last epoch should nearly coincide. A large gap points at a real difference (loss, padding, lr schedule...).
 */
export async function sameInitCheck(args: SameInitCheckArgs): Promise<SameInitResult> {
  const sets = [
    ...(args.sets ?? []),
    `pretrain.epochs=${args.epochs}`,
    ...(args.keepDropout ? [] : ['model.headDropout=0']),
  ];
  const data = await openReferenceData(args.configPath, sets, args.windows);
  const { config, source, windows } = data;
  const dir = mkdtempSync(join(tmpdir(), 'ecgssl-same-init-'));
  try {
    const init = buildStrNetwork({
      ...config.model,
      windowSamples: source.windowSamples,
      heads: TRANSFORMATIONS.length,
      seed: args.seed,
    });
    writeInitialWeights(init, join(dir, 'init'));
    init.dispose();
    const stream = join(dir, 'stream');
    const exporter = createBatchStreamExport({
      dir: stream,
      windowSamples: source.windowSamples,
      modelConfig: config.model,
      pretrainConfig: config.pretrain,
      seed: args.seed,
      exportMasks: args.sameMasks === true,
    });
    const held: PretrainBatchInfo[] = [];
    const res = await pretrain({
      source,
      windows,
      modelConfig: config.model,
      pretrainConfig: config.pretrain,
      transformations: config.transformations,
      seed: args.seed,
      fold: -1,
      label: `ecgssl same-init seed ${args.seed}`,
      onBatch: (info) => {
        exporter.onBatch(info);
        if (info.phase === 'heldout' && info.epoch === args.epochs - 1)
          held.push({ ...info, x: info.x.slice() });
      },
    });
    const meta = exporter.finish();
    const ours = held.map((b) =>
      tf.tidy(() => {
        const x = tf.tensor3d(b.x, [b.samples, source.windowSamples, 1]);
        return tf
          .concat(forward(res.model, x, { fetch: strLogits(res.model) }), 1)
          .dataSync() as Float32Array;
      }),
    );
    res.model.dispose();
    const py = (await runPytorchScript([
      'train',
      stream,
      '--seed',
      String(args.seed),
      '--init-weights',
      join(dir, 'init'),
      '--dump-logits',
      join(dir, 'logits.npy'),
      ...(args.sameMasks ? ['--masks'] : []),
      '--threads',
      String(args.threads ?? 2),
    ])) as { history: { loss: number }[] };
    return {
      steps: meta.steps,
      samples: held.reduce((a, b) => a + b.samples, 0),
      ...compareLogits(ours, readF32Npy(join(dir, 'logits.npy'))),
      finalLoss: { ecgssl: res.history.at(-1)?.loss ?? NaN, pytorch: py.history.at(-1)?.loss ?? NaN },
    };
  } finally {
    data.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
