// `ecgssl finetune`: argument parsing and printing around the finetune stage.
import type { Command } from 'commander';
import { addCommonOptions, loadRunConfig, parseCommonOptions, setupLogging, withRunDir } from '../common.js';
import { logEstimateLine } from '../estimateLine.js';
import { printResult } from '../output.js';
import { writeRunReportOrWarn } from '../../report/index.js';
import { formatRunTable } from './evaluate.js';

/** Registers `ecgssl finetune`: the emotion classifier on the pretrained encoder, per fold and task (METHOD §4). */
export function register(program: Command): void {
  addCommonOptions(
    program
      .command('finetune')
      .description(
        'cross-validated emotion classifier on the pretrained encoder (finetune.mode frozen|full) and the ' +
          'no-SSL baseline, every task; needs `ecgssl pretrain` first; fits persisted by an earlier run are reused',
      )
      .option('--force', 'redo every fit even when its result is persisted', false),
  ).action(async (raw: Record<string, unknown>) => {
    const started = Date.now();
    const opts = parseCommonOptions(raw);
    setupLogging(opts);
    const loaded = await loadRunConfig(opts);
    const { runFinetuneStage } = await import('../../training/index.js');
    const redoBefore = opts.force === true ? started : undefined;
    await logEstimateLine(loaded, ['finetune']);
    const result = await withRunDir(loaded, 'finetune', (run) =>
      runFinetuneStage(loaded, run, { redoBefore }),
    );
    const reportPath = await writeRunReportOrWarn(result.runDir);
    printResult(
      opts,
      { runDir: result.runDir, summary: result.summary, fits: result.fits, reportPath },
      `${formatRunTable(result.summary)}\nrun directory ${result.runDir}${reportPath ? `\nreport ${reportPath}` : ''}`,
    );
  });
}
