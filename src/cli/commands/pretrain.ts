// `ecgssl pretrain`: the self-supervised pretraining stage (every unit, or one with --fold); resumable.
import type { Command } from 'commander';
import { UserError } from '../../errors.js';
import { addCommonOptions, loadRunConfig, parseCommonOptions, setupLogging, withRunDir } from '../common.js';
import { formatTable, printResult } from '../output.js';
import { writeRunReportOrWarn } from '../../report/index.js';
import { logEstimateLine } from '../estimateLine.js';

/** Registers `ecgssl pretrain`: self-supervised pretraining of the STR network (METHOD §3). */
export function register(program: Command): void {
  addCommonOptions(
    program
      .command('pretrain')
      .description(
        'self-supervised pretraining (signal transformation recognition); resumes from checkpoints',
      )
      .option('--resume', 'continue from the last checkpoint (the default when one exists)', false)
      .option('--no-checkpoint-resume', 'ignore existing checkpoints and start again')
      .option('--fold <k>', 'only this fold (pretrain.scope "fold")', (v) => {
        const n = Number(v);
        if (!/^\d+$/.test(v.trim()))
          throw new UserError(`--fold: expected a non-negative integer, got "${v}"`);
        return n;
      }),
  ).action(async (raw: Record<string, unknown>) => {
    const opts = parseCommonOptions(raw);
    setupLogging(opts);
    const loaded = await loadRunConfig(opts);
    const { runPretrainStage } = await import('../../training/index.js');
    const fold = typeof raw.fold === 'number' ? raw.fold : undefined;
    const resume = raw.checkpointResume !== false;
    await logEstimateLine(loaded, ['pretrain']);
    const result = await withRunDir(loaded, 'pretrain', (run) =>
      runPretrainStage(loaded, run, { fold, resume }),
    );
    const human: string[] = [`run directory ${result.runDir}`];
    for (const u of result.units) {
      human.push(`${u.unit}: ${u.epochs} epochs, encoder ${u.encoderDir}`);
      human.push(
        formatTable(
          ['task', 'accuracy', 'f1'],
          u.metrics.map((m) => [m.task, m.accuracy.toFixed(4), m.f1.toFixed(4)]),
        ),
      );
    }
    const reportPath = await writeRunReportOrWarn(result.runDir);
    if (reportPath) human.push(`report ${reportPath}`);
    printResult(opts, { ...result, reportPath }, human.join('\n'));
  });
}
