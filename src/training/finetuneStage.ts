import type * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import type { Config } from '../config/schema.js';
import type { LoadedConfig } from '../config/load.js';
import type { RunDir } from '../results/runDir.js';
import type { WindowStore } from '../datasets/types.js';
import { UserError } from '../errors.js';
import { loadStores } from '../datasets/index.js';
import { applyTransformation, TRANSFORMATIONS } from '../augmentation/index.js';
import { initEngine } from '../engine/index.js';
import { saveVegaLite, transformationGallerySpec } from '../plots/index.js';
import { deriveRng } from '../random/index.js';
import { log } from '../util/log.js';
import { crossValidate, type ArmKind, type LabelFraction } from './crossValidate.js';
import { encoderDirFor, loadEncoder } from './pretrainStage.js';
import { writeStageResults, type RunSummary, type StageFolds } from './stageResults.js';
import { parseLabelFraction } from './labelFraction.js';

/** Stream key of the transformation gallery's draws. */
const GALLERY_STREAM = 2_300_000_000;

/** Result of a finetune or evaluate stage. */
export interface StageResult {
  runDir: string;
  stage: 'finetune' | 'evaluate';
  /** The stage's own summary (the run's merged one is in `<runDir>/summary.json`). */
  summary: RunSummary;
}

/**
 * The encoder folders a run's fine-tuning needs (scope `all`: one; scope `fold`: one per fold), or a UserError
 * naming the first missing one and saying to run `ecgssl pretrain` (or `ecgssl run`).
 */
export function requireEncoders(loaded: LoadedConfig, run: RunDir, stage: string): (fold: number) => string {
  const { config } = loaded;
  const scope = config.pretrain.scope;
  const dirs =
    scope === 'all'
      ? [encoderDirFor(run, 'all')]
      : Array.from({ length: config.evaluation.folds }, (_, k) => encoderDirFor(run, 'fold', k));
  const missing = dirs.find((d) => !existsSync(`${d}/model.json`));
  if (missing !== undefined) {
    const rel = loaded.path ? relative(process.cwd(), loaded.path) : '';
    const cfg = loaded.path ? ` --config ${rel && !rel.startsWith('..') ? rel : loaded.path}` : '';
    throw new UserError(
      `${stage}: no pretrained encoder in ${missing} (pretrain.scope ${scope}); run "ecgssl pretrain${cfg}" first, or "ecgssl run${cfg}"`,
    );
  }
  return (fold) => (scope === 'all' ? dirs[0]! : dirs[fold]!);
}

/** Loads encoders lazily: one for scope `all` (kept), one per fold for scope `fold` (the previous one disposed). */
function encoderLoader(dirOf: (fold: number) => string): {
  encoderFor: (fold: number) => Promise<tf.LayersModel>;
  dispose: () => void;
} {
  let current: { dir: string; model: tf.LayersModel } | undefined;
  return {
    async encoderFor(fold) {
      const dir = dirOf(fold);
      if (current?.dir === dir) return current.model;
      current?.model.dispose();
      const model = await loadEncoder(dir);
      current = { dir, model };
      return model;
    },
    dispose() {
      current?.model.dispose();
      current = undefined;
    },
  };
}

/**
 * Vega-lite gallery of one window and its transformations (METHOD §2), one panel per entry of the transformation
 * table under its `galleryLabel`, drawn with a seeded Rng.
 */
export async function saveTransformationGallery(
  config: Config,
  store: WindowStore,
  path: string,
): Promise<void> {
  if (store.entries.length === 0) return;
  const ws = store.windowSamples;
  const win = store.read([0]);
  const rng = deriveRng(config.seed, GALLERY_STREAM);
  const out = new Float32Array(ws);
  const rows: { transformation: string; seconds: number; value: number }[] = [];
  TRANSFORMATIONS.forEach(({ galleryLabel }, t) => {
    applyTransformation(t, win, config.transformations, rng, out);
    for (let i = 0; i < ws; i++)
      rows.push({ transformation: galleryLabel, seconds: i / store.samplingRateHz, value: out[i]! });
  });
  const e = store.entries[0]!;
  await saveVegaLite(
    transformationGallerySpec(
      rows,
      `window ${e.window} of ${e.subject}/${e.recording} and its ${TRANSFORMATIONS.length - 1} transformations`,
      TRANSFORMATIONS.map((t) => t.galleryLabel),
    ),
    path,
  );
}

async function runStage(
  loaded: LoadedConfig,
  run: RunDir,
  stage: 'finetune' | 'evaluate',
  fractions: LabelFraction[],
): Promise<StageResult> {
  const config = loaded.config;
  const dirOf = requireEncoders(loaded, run, stage);
  await initEngine(config.engine);
  const stores = await loadStores(config);
  const loader = encoderLoader(dirOf);
  try {
    const store = stores.labelled;
    const arms: ArmKind[] = ['ssl', 'baseline'];
    const folds = await crossValidate({
      store,
      dataset: config.data.kind,
      config,
      arms,
      fractions,
      encoderFor: loader.encoderFor,
      sslMode: config.finetune.mode,
      label: stage,
    });
    const data: StageFolds = {
      stage,
      dataset: config.data.kind,
      tasks: Object.keys(store.tasks).sort(),
      fractions,
      sslMode: config.finetune.mode,
      folds,
    };
    if (stage === 'finetune') {
      try {
        await saveTransformationGallery(config, store, run.path('figures', 'transformations'));
      } catch (err) {
        log.warn(`could not render the transformation gallery: ${(err as Error).message}`);
      }
    }
    const summary = await writeStageResults(run, data);
    return { runDir: run.dir, stage, summary };
  } finally {
    loader.dispose();
    for (const s of [stores.labelled, ...stores.extra]) s.close();
  }
}

/**
 * The finetune stage (`ecgssl finetune`, METHOD §4 + §6): 10-fold cross-validation of every task with the SSL arm
 * (finetune.mode frozen: dense head on the frozen encoder's embeddings; full: encoder + head trained) and the
 * baseline arm (same CNN from random initialisation, trained end to end), all labels. Writes `finetune/` and
 * updates the run's summary.
 */
export async function runFinetuneStage(loaded: LoadedConfig, run: RunDir): Promise<StageResult> {
  return runStage(loaded, run, 'finetune', [{ label: '100%', fraction: 1 }]);
}

/** Parses label fractions (`["1%", "10%"]`), dropping duplicates, largest first. */
export function parseFractions(labels: readonly string[]): LabelFraction[] {
  if (labels.length === 0) throw new UserError('evaluate: no label fraction given (e.g. --labels 1%,10%)');
  const seen = new Map<number, LabelFraction>();
  for (const l of labels) {
    const fraction = parseLabelFraction(l);
    if (!seen.has(fraction)) seen.set(fraction, { label: l.trim(), fraction });
  }
  return [...seen.values()].sort((a, b) => b.fraction - a.fraction);
}

/**
 * The evaluate stage (`ecgssl evaluate --labels 1%`, METHOD §6 label-scarce study): per fold and task, the given
 * stratified fraction of the labelled training windows (at least one per class, seeded, the same for both arms)
 * trains the SSL arm (frozen encoder + head; at 100 % finetune.mode applies) and the baseline; both are tested on the
 * whole test fold. Writes `evaluate/` and updates the run's summary (with the paired difference arm).
 */
export async function runEvaluateStage(
  loaded: LoadedConfig,
  run: RunDir,
  fractionLabels: readonly string[],
): Promise<StageResult> {
  return runStage(loaded, run, 'evaluate', parseFractions(fractionLabels));
}
