// One finetune or evaluate unit of a plan: the fold runner restricted to one fold and one label fraction.
import type { LoadedConfig } from '../config/load.js';
import type { RunDir } from '../results/runDir.js';
import { runFolds, type FoldRunResult } from '../training/foldRunner.js';
import { ALL_LABELS, labelFraction } from '../training/labelFraction.js';

/** Arguments of {@link runFoldUnit}. */
export interface RunFoldUnitArgs {
  loaded: LoadedConfig;
  run: RunDir;
  stage: 'finetune' | 'evaluate';
  fold: number;
  /** evaluate: the label fraction (e.g. `1%`); finetune: all labels (100 %). */
  labelFraction?: string;
  /** Recompute the unit's fits even when they are persisted. */
  force?: boolean;
}

/**
 * One fold of the finetune stage (all labels) or one fold x label fraction of the evaluate stage: {@link runFolds}
 * (the runner of `ecgssl finetune` / `evaluate` / `run`) restricted to fold `fold`, so its fits go to the same fold
 * unit file (`units/f<k>-<fraction>.json`) and equal those of the all-folds run (every random stream of a fit is
 * keyed by fold, task, arm and fraction). Fits persisted before (a killed task, the other stage at 100 %) are reused
 * unless `force`.
 */
export async function runFoldUnit(args: RunFoldUnitArgs): Promise<FoldRunResult> {
  const started = Date.now();
  const fraction = args.stage === 'finetune' ? ALL_LABELS : labelFraction(args.labelFraction ?? '');
  return runFolds({
    loaded: args.loaded,
    run: args.run,
    stage: args.stage,
    label: `${args.stage} fold ${args.fold}`,
    fractions: [fraction],
    onlyFolds: [args.fold],
    redoBefore: args.force === true ? started : undefined,
    progress: false,
  });
}
