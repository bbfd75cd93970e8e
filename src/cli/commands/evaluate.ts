// `ecgssl evaluate`: argument parsing and printing around the evaluate stage; the run table format.
import type { Command } from 'commander';
import { z } from 'zod';
import { UserError } from '../../errors.js';
import type { RunSummary } from '../../training/stageResults.js';
import { addCommonOptions, loadRunConfig, parseCommonOptions, setupLogging, withRunDir } from '../common.js';
import { printResult } from '../output.js';
import { writeRunReportOrWarn } from '../../report/index.js';
import { formatSummaryTable } from '../../training/summary.js';

const evaluateOptionsSchema = z.object({
  labels: z
    .string()
    .min(1)
    .transform((s) => s.split(',').map((x) => x.trim()))
    .pipe(z.array(z.string().regex(/^\d+(\.\d+)?%$/, 'a percentage like 1% or 12.5%')).min(1))
    .optional(),
});

/** The terminal table of a summary, plus one line per skipped fold group. */
export function formatRunTable(summary: RunSummary): string {
  const lines = [formatSummaryTable(summary.rows)];
  const skipped = new Map<string, string[]>();
  for (const s of summary.skipped) {
    const key = `${s.task} ${s.labelFraction}: fold ${s.fold} skipped (${s.reason})`;
    skipped.set(key, [...(skipped.get(key) ?? []), s.arm]);
  }
  for (const key of skipped.keys()) lines.push(key);
  return lines.join('\n');
}

/** Registers `ecgssl evaluate`: the label-scarce study with and without SSL (METHOD §6). */
export function register(program: Command): void {
  addCommonOptions(
    program
      .command('evaluate')
      .description(
        'label-scarce study: per training fold keep a stratified fraction of the labels, train with SSL (frozen ' +
          'encoder) and without, test on the whole test fold; needs `ecgssl pretrain` first',
      )
      .option(
        '--labels <fractions>',
        'label fractions, comma-separated (default: evaluation.labelFractions), e.g. 1%,5%,10%,100%',
      )
      .option('--force', 'redo every fit even when its result is persisted (by evaluate or finetune)', false),
  ).action(async (raw: Record<string, unknown>) => {
    const started = Date.now();
    const opts = parseCommonOptions(raw);
    setupLogging(opts);
    const parsed = evaluateOptionsSchema.safeParse({ labels: raw.labels });
    if (!parsed.success)
      throw new UserError(
        `--labels: expected percentages like 1%,5%,10%, got "${String(raw.labels)}" (${parsed.error.issues[0]?.message ?? 'invalid'})`,
      );
    const loaded = await loadRunConfig(opts);
    const fractions = parsed.data.labels ?? loaded.config.evaluation.labelFractions;
    const { runEvaluateStage } = await import('../../training/index.js');
    const redoBefore = opts.force === true ? started : undefined;
    const result = await withRunDir(loaded, 'evaluate', (run) =>
      runEvaluateStage(loaded, run, fractions, { redoBefore }),
    );
    const reportPath = await writeRunReportOrWarn(result.runDir);
    printResult(
      opts,
      { runDir: result.runDir, summary: result.summary, fits: result.fits, reportPath },
      `${formatRunTable(result.summary)}\nrun directory ${result.runDir}${reportPath ? `\nreport ${reportPath}` : ''}`,
    );
  });
}
