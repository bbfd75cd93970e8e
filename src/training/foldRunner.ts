// The one fold runner of finetune, evaluate, run and task: engine, stores, then every fit not yet persisted.
import type * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import type { LoadedConfig } from '../config/load.js';
import { loadStores } from '../datasets/index.js';
import type { WindowStore } from '../datasets/types.js';
import { initEngine } from '../engine/index.js';
import { UserError } from '../errors.js';
import type { RunDir } from '../results/runDir.js';
import { log } from '../util/log.js';
import { timePhaseAsync } from '../util/phaseTimer.js';
import { crossValidate } from './crossValidate.js';
import { armKindOf, type ArmKind, type CrossValidationData, type Fit, type FoldResult } from './fitFold.js';
import {
  encoderFingerprint,
  foldUnitName,
  foldUnitRel,
  readFoldUnit,
  type FoldUnitFile,
} from './foldUnits.js';
import type { LabelFraction } from './labelFraction.js';
import { encoderDirFor, loadEncoder } from './pretrainStage.js';

/**
 * The arms a stage trains (`evaluation.arms`, in this order): the SSL arm (frozen or full, finetune.mode), the no-SSL
 * baseline and the heart-rate reference.
 */
export function stageArms(config: LoadedConfig['config']): readonly ArmKind[] {
  return (['ssl', 'baseline', 'hrv'] as const).filter((a) => config.evaluation.arms.includes(a));
}

/**
 * The encoder folder of each fold (scope `all`: the run's one; scope `fold`: the fold's), or a UserError naming the
 * first missing one of `folds` (default: every fold) and saying to run `ecgssl pretrain` (or `ecgssl run`).
 */
export function requireEncoders(
  loaded: LoadedConfig,
  run: RunDir,
  stage: string,
  folds?: readonly number[],
): (fold: number) => string {
  const { config } = loaded;
  const scope = config.pretrain.scope;
  const dirOf = (fold: number): string =>
    scope === 'all' ? encoderDirFor(run, 'all') : encoderDirFor(run, 'fold', fold);
  const wanted = folds ?? Array.from({ length: config.evaluation.folds }, (_, k) => k);
  const missing = wanted.map(dirOf).find((d) => !existsSync(`${d}/model.json`));
  if (missing !== undefined) {
    const rel = loaded.path ? relative(process.cwd(), loaded.path) : '';
    const cfg = loaded.path ? ` --config ${rel && !rel.startsWith('..') ? rel : loaded.path}` : '';
    throw new UserError(
      `${stage}: no pretrained encoder in ${missing} (pretrain.scope ${scope}); run "ecgssl pretrain${cfg}" first, or "ecgssl run${cfg}"`,
    );
  }
  return dirOf;
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
      const model = await timePhaseAsync('io', () => loadEncoder(dir));
      current = { dir, model };
      return model;
    },
    dispose() {
      current?.model.dispose();
      current = undefined;
    },
  };
}

/** Arguments of {@link runFolds}. */
export interface RunFoldsArgs {
  loaded: LoadedConfig;
  run: RunDir;
  /** The stage named in errors and logs (`finetune`, `evaluate`). */
  stage: string;
  /** Progress label (default: `stage`). */
  label?: string;
  fractions: readonly LabelFraction[];
  /** Only these folds (one job-array task); default: every fold. */
  onlyFolds?: readonly number[];
  /** Fold units last written before this time (ms since the epoch) are recomputed (`--force`); default: none. */
  redoBefore?: number;
  /** Progress bars of store preparation (default: loadStores' default). */
  progress?: boolean;
  /** Called with the labelled store while it is open, after the fits (the finetune stage's gallery). */
  withStore?: (store: WindowStore) => Promise<void>;
}

/** What {@link runFolds} returns. */
export interface FoldRunResult {
  /** The complete fold units of the requested folds x fractions, read back from their files (fold, then fraction). */
  units: FoldUnitFile[];
  /** Fits trained by this call, and taken from units persisted before. */
  fits: { computed: number; reused: number };
}

/** One fold unit in memory: its file and the results it holds, by task and arm. */
interface UnitState {
  fold: number;
  fraction: LabelFraction;
  results: Map<string, FoldResult>;
  complete: boolean;
}

const fitKey = (task: string, arm: ArmKind): string => JSON.stringify([task, arm]);

/** The fold units a run touches: existing valid files loaded on first use, each new fit persisted atomically. */
function unitBook(args: RunFoldsArgs, fingerprintOf: (fold: number) => string) {
  const { run, loaded } = args;
  const states = new Map<string, UnitState>();
  const stateOf = (fold: number, fraction: LabelFraction): UnitState => {
    const name = foldUnitName(fold, fraction.label);
    let s = states.get(name);
    if (!s) {
      const prior = readFoldUnit(
        run.path(foldUnitRel(fold, fraction.label)),
        loaded.hash,
        fingerprintOf(fold),
      );
      const fresh = prior !== undefined && !(Date.parse(prior.updatedAt) < (args.redoBefore ?? -Infinity));
      const results = new Map((fresh ? prior.folds : []).map((r) => [fitKey(r.task, armKindOf(r.arm)), r]));
      s = { fold, fraction, results, complete: fresh && prior.complete };
      states.set(name, s);
    }
    return s;
  };
  const arms = stageArms(loaded.config);
  const write = async (s: UnitState, data: CrossValidationData): Promise<void> => {
    const folds = data.tasks
      .flatMap((t) => arms.map((a) => s.results.get(fitKey(t, a))))
      .filter((r): r is FoldResult => r !== undefined);
    s.complete = folds.length === data.tasks.length * arms.length;
    const file: FoldUnitFile = {
      unit: foldUnitName(s.fold, s.fraction.label),
      configHash: loaded.hash,
      encoder: fingerprintOf(s.fold),
      fold: s.fold,
      fraction: s.fraction,
      dataset: data.dataset,
      tasks: data.tasks,
      arms: [...arms],
      sslMode: loaded.config.finetune.mode,
      complete: s.complete,
      folds,
      updatedAt: new Date().toISOString(),
    };
    await run.writeJson(foldUnitRel(s.fold, s.fraction.label), file);
  };
  return {
    states,
    reuse: (fit: Fit): FoldResult | undefined =>
      stateOf(fit.fold, fit.fraction).results.get(fitKey(fit.task, fit.arm)),
    save: async (fit: Fit, result: FoldResult, data: CrossValidationData): Promise<void> => {
      const s = stateOf(fit.fold, fit.fraction);
      s.results.set(fitKey(fit.task, fit.arm), result);
      await write(s, data);
    },
    write,
  };
}

/**
 * The fold runner of every path that fine-tunes (`ecgssl run`, `finetune`, `evaluate`, `task`): initEngine ->
 * loadStores -> crossValidate over the requested folds x label fractions (every arm and task), where a fit whose
 * result is in its fold unit file (`units/f<k>-<fraction>.json`, same config hash and encoder) is taken from it and
 * every other fit is persisted into that file as soon as it ends. A killed run therefore redoes only the fits that had
 * not ended, and the evaluate stage at 100 % reuses the finetune stage's fits (the same fold unit: every random
 * stream of a fit is keyed by fold, task, arm and fraction). Returns the complete units, read back from their files.
 */
export async function runFolds(args: RunFoldsArgs): Promise<FoldRunResult> {
  const { loaded, run } = args;
  const config = loaded.config;
  const folds = args.onlyFolds ?? Array.from({ length: config.evaluation.folds }, (_, k) => k);
  const arms = stageArms(config);
  // Without the ssl arm no encoder is read (its fingerprint is then empty).
  const dirOf = arms.includes('ssl') ? requireEncoders(loaded, run, args.stage, folds) : () => '';
  const prints = new Map<string, string>();
  const fingerprintOf = (fold: number): string => {
    const dir = dirOf(fold);
    if (dir === '') return '';
    if (!prints.has(dir)) prints.set(dir, encoderFingerprint(dir));
    return prints.get(dir)!;
  };
  await initEngine(config.engine);
  const stores = await timePhaseAsync('io', () =>
    loadStores(config, args.progress === undefined ? {} : { progress: args.progress }),
  );
  const loader = encoderLoader(dirOf);
  const book = unitBook(args, fingerprintOf);
  const fits = { computed: 0, reused: 0 };
  try {
    const store = stores.labelled;
    let data: CrossValidationData | undefined;
    await crossValidate({
      store,
      dataset: config.data.kind,
      config,
      arms,
      fractions: args.fractions,
      encoderFor: loader.encoderFor,
      sslMode: config.finetune.mode,
      label: args.label ?? args.stage,
      onlyFolds: args.onlyFolds,
      reuse: (fit, d) => {
        data = d;
        const r = book.reuse(fit);
        if (r) fits.reused++;
        return r;
      },
      onResult: async (fit, result, d) => {
        fits.computed++;
        await timePhaseAsync('io', () => book.save(fit, result, d));
      },
    });
    // A unit whose fits were all persisted but not yet marked complete.
    for (const s of book.states.values()) if (!s.complete && data) await book.write(s, data);
    await args.withStore?.(store);
  } finally {
    loader.dispose();
    for (const s of [stores.labelled, ...stores.extra]) s.close();
  }
  log.info(
    `${args.label ?? args.stage}: ${fits.computed} fits computed, ${fits.reused} reused from ${run.path('units')}`,
  );
  return { units: readUnits(args, folds, fingerprintOf), fits };
}

/** The complete fold units of `folds` x the fractions, read back from their files. */
function readUnits(
  args: RunFoldsArgs,
  folds: readonly number[],
  fingerprintOf: (fold: number) => string,
): FoldUnitFile[] {
  return folds.flatMap((fold) =>
    args.fractions.map((f) => {
      const u = readFoldUnit(
        args.run.path(foldUnitRel(fold, f.label)),
        args.loaded.hash,
        fingerprintOf(fold),
      );
      if (!u?.complete)
        throw new Error(`runFolds: fold unit ${foldUnitName(fold, f.label)} is incomplete after its fits`);
      return u;
    }),
  );
}
