// The pretrain stage of a run: pretraining units (scope all / per fold), their files, the per-head pretext figure.
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { TRANSFORMATIONS, type TransformationTable } from '../augmentation/index.js';
import type { Config } from '../config/schema.js';
import type { LoadedConfig } from '../config/load.js';
import type { RunDir } from '../results/runDir.js';
import type { WindowStore } from '../datasets/types.js';
import { InternalError, UserError } from '../errors.js';
import { loadStores } from '../datasets/index.js';
import { initEngine, fileSystemIOHandler } from '../engine/index.js';
import { pretextCurvesSpec, saveVegaLite } from '../plots/index.js';
import { buildEncoder } from '../models/index.js';
import { log } from '../util/log.js';
import { evaluationFolds } from './folds.js';
import { checkpointDirOf, pretrain, type HistoryRow, type WindowSource } from './pretrain.js';
import { describePretrainSources, formatPretrainSources } from './pretrainSources.js';

/** Options of {@link runPretrainStage}. */
export interface PretrainStageOptions {
  /** Only this fold (scope `fold`); default: every fold. */
  fold?: number;
  /** Continue from checkpoints (default true: an existing checkpoint is always resumed). */
  resume?: boolean;
}

/** Final metrics of one pretraining unit (scope `all` or one fold). */
export interface PretrainUnitResult {
  unit: string;
  dir: string;
  encoderDir: string;
  epochs: number;
  metrics: { task: string; accuracy: number; f1: number }[];
  /** Tasks whose final F1 is under 0.2 (see {@link PretrainResult.headsAtChance}). */
  headsAtChance: string[];
}

/** Relative folder of a pretraining unit: `pretrain/all` or `pretrain/fold-<k>`. */
export function pretrainUnitDir(scope: 'all' | 'fold', fold?: number): string {
  if (scope === 'all') return 'pretrain/all';
  if (fold === undefined) throw new InternalError('encoderDirFor: scope "fold" needs a fold number');
  return `pretrain/fold-${fold}`;
}

/** Folder of the saved encoder (model.json + weights.bin) of a pretraining unit. */
export function encoderDirFor(run: RunDir, scope: 'all' | 'fold', fold?: number): string {
  return run.path(pretrainUnitDir(scope, fold), 'encoder');
}

/** Loads a saved encoder (input window -> 128-d embedding) from its folder. */
export async function loadEncoder(dir: string): Promise<tf.LayersModel> {
  if (!existsSync(`${dir}/model.json`))
    throw new UserError(`loadEncoder: no model.json in ${dir} (run ecgssl pretrain first)`);
  return tf.loadLayersModel(fileSystemIOHandler(dir));
}

/** All stores as one window source: index i of the concatenation of `stores`' entries. */
export function concatSource(stores: readonly WindowStore[]): WindowSource {
  const ws = stores[0]?.windowSamples ?? 0;
  for (const s of stores) {
    if (s.windowSamples !== ws)
      throw new UserError(
        `pretrain: all stores need the same windowSamples, got ${ws} and ${s.windowSamples}`,
      );
  }
  const offsets: number[] = [];
  let total = 0;
  for (const s of stores) {
    offsets.push(total);
    total += s.entries.length;
  }
  return {
    windowSamples: ws,
    read(indices) {
      const out = new Float32Array(indices.length * ws);
      indices.forEach((g, k) => {
        let s = stores.length - 1;
        while (s > 0 && g < (offsets[s] as number)) s--;
        const store = stores[s] as WindowStore;
        out.set(store.read([g - (offsets[s] as number)]), k * ws);
      });
      return out;
    },
  };
}

/**
 * The pretext figure of a history: per-head accuracy and F1 over epochs (held-out when present) in two panels, with
 * the chance levels drawn ({@link pretextCurvesSpec}), one line per transformation of `table` (default: the
 * built-in one). A missing history column is an error.
 */
export function pretextSpec(
  history: readonly HistoryRow[],
  title: string,
  table: TransformationTable = TRANSFORMATIONS,
): object {
  const heldOut = history.some((r) => r.heldout_acc_mean !== undefined);
  const prefix = heldOut ? 'heldout' : 'train';
  const names = table.map((t) => t.name);
  const column = (r: HistoryRow, name: string): number => {
    const v = r[name];
    if (v === undefined)
      throw new UserError(`pretextSpec: the history has no column ${name} (epoch ${r.epoch})`);
    return v;
  };
  const values = history.flatMap((r) =>
    names.flatMap((head) => [
      {
        epoch: r.epoch as number,
        head,
        metric: 'accuracy' as const,
        value: column(r, `${prefix}_acc_${head}`),
      },
      { epoch: r.epoch as number, head, metric: 'F1' as const, value: column(r, `${prefix}_f1_${head}`) },
    ]),
  );
  return pretextCurvesSpec(
    values,
    `${title}: per-head ${heldOut ? 'held-out' : 'training'} accuracy and F1`,
    names,
  );
}

async function runUnit(
  config: Config,
  run: RunDir,
  source: WindowSource,
  windows: readonly number[],
  fold: number,
  unit: string,
  resume: boolean,
  windowsBySource: Record<string, number>,
): Promise<PretrainUnitResult> {
  const rel = `pretrain/${unit}`;
  const res = await pretrain({
    source,
    windows,
    modelConfig: config.model,
    pretrainConfig: config.pretrain,
    transformations: config.transformations,
    seed: config.seed,
    fold,
    checkpointDir: checkpointDirOf(run.path(rel)),
    resume,
    label: `pretrain ${unit}`,
  });
  await run.writeCsv(`${rel}/history.csv`, res.history);
  await res.model.save(fileSystemIOHandler(run.path(rel, 'model')));
  const encoder = buildEncoder(res.model);
  await encoder.save(fileSystemIOHandler(run.path(rel, 'encoder')));
  await run.writeJson(`${rel}/metrics.json`, {
    unit,
    epochs: res.epochsDone,
    steps: res.step,
    trainWindows: res.train.length,
    heldOutWindows: res.heldOut.length,
    windowsBySource,
    metrics: res.final,
    headsAtChance: res.headsAtChance,
  });
  try {
    await saveVegaLite(pretextSpec(res.history, `pretrain ${unit}`), run.path(rel, 'accuracy'));
  } catch (err) {
    log.warn(
      `pretrain: could not render the pretext plot: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  res.model.dispose();
  return {
    unit,
    dir: run.path(rel),
    encoderDir: run.path(rel, 'encoder'),
    epochs: res.epochsDone,
    metrics: res.final,
    headsAtChance: res.headsAtChance,
  };
}

/**
 * The pretrain stage of a run (what `ecgssl pretrain` and `ecgssl run` call): loads the stores, then pretrains once
 * on every window (scope `all`) or per fold on the fold's training windows (scope `fold`), in both cases plus every
 * window of each `pretrain.extraData` source (the authors' union pretraining), writing under
 * `pretrain/<all|fold-k>/`: history.csv, metrics.json (with `windowsBySource`), model/, encoder/, checkpoint/,
 * accuracy.{svg,png,vl.json} (per-head accuracy and F1); run.json gets `pretrainSources` (each source with its
 * window count).
 */
export async function runPretrainStage(
  loaded: LoadedConfig,
  run: RunDir,
  opts: PretrainStageOptions = {},
): Promise<{ runDir: string; units: PretrainUnitResult[] }> {
  const config = loaded.config;
  await initEngine(config.engine);
  const stores = await loadStores(config);
  const all = [stores.labelled, ...stores.extra];
  try {
    const source = concatSource(all);
    const units: PretrainUnitResult[] = [];
    const resume = opts.resume !== false;
    const sources = describePretrainSources(
      config,
      all.map((s) => s.entries.length),
    );
    await run.updateRunJson({ pretrainSources: sources });
    log.info(`pretrain: windows of ${formatPretrainSources(sources)}`);
    const labelledCount = stores.labelled.entries.length;
    const extraCount = all.reduce((a, s) => a + s.entries.length, 0) - labelledCount;
    const extra = Array.from({ length: extraCount }, (_, i) => labelledCount + i);
    const bySource = (dataWindows: number): Record<string, number> =>
      Object.fromEntries(sources.map((s, i) => [s.source, i === 0 ? dataWindows : (s.windows as number)]));
    if (config.pretrain.scope === 'all') {
      if (opts.fold !== undefined) throw new UserError('pretrain: --fold needs pretrain.scope "fold"');
      const windows = Array.from({ length: labelledCount + extraCount }, (_, i) => i);
      units.push(await runUnit(config, run, source, windows, -1, 'all', resume, bySource(labelledCount)));
    } else {
      const folds = evaluationFolds(stores.labelled.entries, stores.labelled.tasks, config.evaluation);
      const which = opts.fold === undefined ? folds.map((_, k) => k) : [opts.fold];
      for (const k of which) {
        const f = folds[k];
        if (!f) throw new UserError(`pretrain: --fold ${k} is out of range (0..${folds.length - 1})`);
        const windows = [...f.train, ...extra];
        units.push(
          await runUnit(config, run, source, windows, k, `fold-${k}`, resume, bySource(f.train.length)),
        );
      }
    }
    return { runDir: run.dir, units };
  } finally {
    for (const s of all) s.close();
  }
}
