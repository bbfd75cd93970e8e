import type { Command } from 'commander';
import { addCommonOptions, loadRunConfig, parseCommonOptions, setupLogging, withRunDir } from '../common.js';
import { printResult } from '../output.js';
import { log } from '../../util/log.js';
import type { PipelineResult, StageOutcome } from '../../training/runPipeline.js';
import { formatRunTable } from './evaluate.js';

/**
 * Registers `ecgssl run`: prepare -> pretrain -> finetune -> evaluate (evaluation.labelFractions) in one command.
 * A stage whose outputs for the same resolved config (the run directory is keyed by its hash) already exist is
 * skipped; `--force` redoes every stage (pretraining from scratch, ignoring checkpoints).
 */
export function register(program: Command): void {
  addCommonOptions(
    program
      .command('run')
      .description(
        'prepare, pretrain, finetune and evaluate in one go; stages whose outputs exist are skipped unless --force',
      )
      .option('--force', 'redo every stage even when its outputs exist', false),
  ).action(async (raw: Record<string, unknown>) => {
    const opts = parseCommonOptions(raw);
    setupLogging(opts);
    const force = opts.force === true;
    const loaded = await loadRunConfig(opts);
    const { config } = loaded;
    const training = await import('../../training/index.js');
    const { prepareData } = await import('../../datasets/index.js');
    const { openRunDir } = await import('../../results/runDir.js');
    const run = await openRunDir(loaded);
    const stages: StageOutcome[] = [];
    const timed = async (
      stage: StageOutcome['stage'],
      skip: string | false,
      fn: () => Promise<string>,
    ): Promise<void> => {
      const t0 = Date.now();
      if (skip !== false) {
        log.info(`${stage}: skipped (${skip})`);
        stages.push({ stage, status: 'skipped', note: skip, seconds: 0 });
        return;
      }
      log.info(`${stage}: running`);
      const note = await fn();
      stages.push({ stage, status: 'done', note, seconds: (Date.now() - t0) / 1000 });
    };

    await timed('prepare', false, async () => {
      const out = await withRunDir(loaded, 'prepare', () => prepareData(config, { progress: !opts.quiet }));
      const cached = out.every((s) => s.cached);
      return `${out.reduce((a, s) => a + s.windows, 0)} windows${cached ? ' (cached store)' : ''}`;
    });
    await timed(
      'pretrain',
      !force && training.pretrainDone(loaded, run) ? 'encoders exist' : false,
      async () => {
        const r = await withRunDir(loaded, 'pretrain', (rd) =>
          training.runPretrainStage(loaded, rd, { resume: !force }),
        );
        return `${r.units.length} encoder${r.units.length === 1 ? '' : 's'}`;
      },
    );
    await timed(
      'finetune',
      !force && training.resultStageDone(run, 'finetune') ? 'finetune/summary.json exists' : false,
      async () => {
        await withRunDir(loaded, 'finetune', (rd) => training.runFinetuneStage(loaded, rd));
        return 'finetune/summary.json';
      },
    );
    const fractions = config.evaluation.labelFractions;
    await timed(
      'evaluate',
      !force && training.resultStageDone(run, 'evaluate', fractions)
        ? `evaluate/summary.json exists for ${fractions.join(',')}`
        : false,
      async () => {
        await withRunDir(loaded, 'evaluate', (rd) => training.runEvaluateStage(loaded, rd, fractions));
        return `labels ${fractions.join(',')}`;
      },
    );
    const summary = await training.mergeRunResults(run);
    const result: PipelineResult = { runDir: run.dir, stages, summary };
    const stageLines = stages.map(
      (s) =>
        `${s.stage.padEnd(9)} ${s.status === 'skipped' ? `skipped (${s.note})` : `done in ${s.seconds.toFixed(1)} s (${s.note})`}`,
    );
    printResult(
      opts,
      result,
      `${stageLines.join('\n')}\n\n${formatRunTable(summary)}\nrun directory ${run.dir}`,
    );
  });
}
