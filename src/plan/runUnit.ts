// Runs one unit of a plan (prepare, pretrain, or a finetune / evaluate fold unit), assuming its dependencies are done.
import { prepareData } from '../datasets/index.js';
import { openRunDir } from '../results/runDir.js';
import { log } from '../util/log.js';
import type { Plan, PlanTask } from './types.js';
import { pretrainRel, unitResultRel } from './unitFiles.js';

/** Options of {@link runUnit}. */
export interface RunUnitOptions {
  /** Recompute even if an output exists (pretraining restarts, ignoring its checkpoint). */
  force?: boolean;
  /** Progress bars on stderr (default false). */
  progress?: boolean;
}

/**
 * Runs one unit of work of a plan, assuming its dependencies are done: prepare — the point's window stores
 * (prepareData; content-addressed, so `force` does not rebuild a complete store); pretrain — the pretrain stage for
 * the unit's fold (scope fold) or the whole run (scope all), resuming from its checkpoint unless `force`; finetune /
 * evaluate — {@link runFoldUnit} for the unit's fold (and label fraction), redoing its persisted fits only if `force`. Returns a one-line note.
 */
export async function runUnit(plan: Plan, task: PlanTask, opts: RunUnitOptions = {}): Promise<string> {
  const point = plan.points[task.point]!;
  const loaded = point.loaded;
  switch (task.stage) {
    case 'prepare': {
      const out = await prepareData(loaded.config, { progress: opts.progress === true });
      return `${out.reduce((a, s) => a + s.windows, 0)} windows in ${out.length} store${out.length === 1 ? '' : 's'}`;
    }
    case 'pretrain': {
      const { runPretrainStage } = await import('../training/pretrainStage.js');
      const run = await openRunDir(loaded);
      const r = await runPretrainStage(loaded, run, {
        fold: task.fold ?? undefined,
        resume: opts.force !== true,
      });
      const u = r.units[0];
      log.debug(`${task.id}: encoder in ${pretrainRel(task)}`);
      return u ? `${u.epochs} epochs, encoder ${u.encoderDir}` : 'no unit';
    }
    case 'finetune':
    case 'evaluate': {
      const { runFoldUnit } = await import('./runFoldUnit.js');
      const run = await openRunDir(loaded);
      const res = await runFoldUnit({
        loaded,
        run,
        stage: task.stage,
        fold: task.fold ?? 0,
        labelFraction: task.labelFraction ?? undefined,
        force: opts.force,
      });
      const { computed, reused } = res.fits;
      return `${computed} fit${computed === 1 ? '' : 's'} computed, ${reused} reused -> ${unitResultRel(task)}`;
    }
  }
}
