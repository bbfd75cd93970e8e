import { existsSync } from 'node:fs';
import type { LoadedConfig } from '../config/load.js';
import { loadStores } from '../datasets/index.js';
import { initEngine } from '../engine/index.js';
import { UserError } from '../errors.js';
import type { RunDir } from '../results/runDir.js';
import { crossValidate, type LabelFraction } from '../training/crossValidate.js';
import { parseFractions } from '../training/finetuneStage.js';
import { encoderDirFor, loadEncoder } from '../training/pretrainStage.js';
import type { UnitResultFile } from './unitFiles.js';

/** Arguments of {@link runFoldUnit}. */
export interface RunFoldUnitArgs {
  loaded: LoadedConfig;
  run: RunDir;
  stage: 'finetune' | 'evaluate';
  fold: number;
  /** evaluate: the label fraction (e.g. `1%`); finetune: all labels (100 %). */
  labelFraction?: string;
  /** The unit name (task id without its point prefix), recorded in the file. */
  unit: string;
  /** Where in the run dir the result file goes. */
  resultRel: string;
}

/**
 * One fold of the finetune stage (all labels) or one fold x label fraction of the evaluate stage: the same
 * cross-validation as `ecgssl finetune` / `ecgssl evaluate` (crossValidate, both arms, every task) restricted to fold
 * `fold`, with that fold's pretrained encoder (scope fold) or the run's (scope all). Every random stream of a fit is
 * keyed by fold, task, arm and fraction, so the fold's results equal those of the all-folds run. Writes the unit's
 * result file atomically (the unit is done once it exists).
 */
export async function runFoldUnit(args: RunFoldUnitArgs): Promise<UnitResultFile> {
  const { loaded, run, stage, fold } = args;
  const config = loaded.config;
  const scope = config.pretrain.scope;
  const encoderDir = encoderDirFor(run, scope, scope === 'fold' ? fold : undefined);
  if (!existsSync(`${encoderDir}/model.json`))
    throw new UserError(
      `runFoldUnit: ${args.unit} needs the pretrained encoder ${encoderDir}, which does not exist`,
    );
  const fractions: LabelFraction[] =
    stage === 'finetune' ? [{ label: '100%', fraction: 1 }] : parseFractions([args.labelFraction ?? '']);
  const started = Date.now();
  await initEngine(config.engine);
  const stores = await loadStores(config, { progress: false });
  const encoder = await loadEncoder(encoderDir);
  try {
    const store = stores.labelled;
    const folds = await crossValidate({
      store,
      dataset: config.data.kind,
      config,
      arms: ['ssl', 'baseline'],
      fractions,
      encoderFor: () => Promise.resolve(encoder),
      sslMode: config.finetune.mode,
      label: `${stage} fold ${fold}`,
      onlyFolds: [fold],
    });
    const file: UnitResultFile = {
      unit: args.unit,
      stage,
      configHash: loaded.hash,
      fold,
      fractions,
      dataset: config.data.kind,
      tasks: Object.keys(store.tasks).sort(),
      sslMode: config.finetune.mode,
      folds,
      finishedAt: new Date().toISOString(),
      seconds: (Date.now() - started) / 1000,
    };
    await run.writeJson(args.resultRel, file);
    return file;
  } finally {
    encoder.dispose();
    for (const s of [stores.labelled, ...stores.extra]) s.close();
  }
}
