// `ecgssl run`: argument parsing and printing around training/runPipeline (every sweep point in turn).
import type { Command } from 'commander';
import { addCommonOptions, loadRunConfig, parseCommonOptions, setupLogging } from '../common.js';
import { cliOut, printResult } from '../output.js';
import { log } from '../../util/log.js';
import type { PipelineResult, StageOutcome } from '../../training/runPipeline.js';
import type { SweepPoint } from '../../plan/index.js';
import { formatAssignments } from '../../plan/formatAssignments.js';
import { formatRunTable } from './evaluate.js';
import { logEstimateLine } from '../estimateLine.js';

/** One sweep point's result of `ecgssl run --json` on a config with a `sweep:` block. */
interface SweepPointResult {
  /** The point: id (`p0`), grid index, the swept keys' values, run id. */
  point: { id: string; index: number; assignments: Record<string, unknown>; runId: string };
  runDir: string;
  stages: StageOutcome[];
  summary: PipelineResult['summary'];
  reportPath?: string;
}

/** The terminal text of one pipeline result: stage lines, the summary table, the run directory, the report. */
function formatPipeline(result: PipelineResult): string {
  const stageLines = result.stages.map(
    (s) =>
      `${s.stage.padEnd(9)} ${s.status === 'skipped' ? `skipped (${s.note})` : `done in ${s.seconds.toFixed(1)} s (${s.note})`}`,
  );
  const report = result.reportPath === undefined ? '' : `\nreport ${result.reportPath}`;
  return `${stageLines.join('\n')}\n\n${formatRunTable(result.summary)}\nrun directory ${result.runDir}${report}`;
}

/** A sweep point's heading: `sweep point p1 (2/4): seed=2 finetune.mode="full"`. */
function sweepPointHeading(point: SweepPoint, total: number): string {
  return `sweep point ${point.id} (${point.index + 1}/${total}): ${formatAssignments(point.assignments, ' ')}`;
}

/**
 * Registers `ecgssl run`: prepare -> pretrain -> finetune -> evaluate (evaluation.labelFractions) in one command.
 * A stage whose outputs for the same resolved config (the run directory is keyed by its hash) already exist is
 * skipped; `--force` redoes every stage (pretraining from scratch, ignoring checkpoints). A config with a `sweep:`
 * block runs every sweep point in turn (grid order, src/plan expandSweep), each in its own run directory, printing
 * each point's table under a heading with the point's settings as it finishes (`--json`: an array of
 * {point, runDir, stages, summary}).
 */
export function register(program: Command): void {
  addCommonOptions(
    program
      .command('run')
      .description(
        'prepare, pretrain, finetune and evaluate in one go (every point of a sweep: block in turn); stages whose outputs exist are skipped unless --force',
      )
      .option('--force', 'redo every stage even when its outputs exist', false),
  ).action(async (raw: Record<string, unknown>) => {
    const opts = parseCommonOptions(raw);
    setupLogging(opts);
    const force = opts.force === true;
    const loaded = await loadRunConfig(opts);
    const { runPipeline } = await import('../../training/runPipeline.js');
    const pipelineOpts = { force, progress: !opts.quiet };
    const stages = ['pretrain', 'finetune', 'evaluate'] as const;
    if (loaded.config.sweep === undefined) {
      const onPrepared = () => logEstimateLine(loaded, stages);
      const result = await runPipeline(loaded, { ...pipelineOpts, onPrepared });
      printResult(opts, result, formatPipeline(result));
      return;
    }
    const { expandSweep } = await import('../../plan/index.js');
    const points = expandSweep(loaded.config, loaded.path);
    const results: SweepPointResult[] = [];
    for (const point of points) {
      const heading = sweepPointHeading(point, points.length);
      log.info(`${heading}: running`);
      const onPrepared = () => logEstimateLine(point.loaded, stages);
      const r = await runPipeline(point.loaded, { ...pipelineOpts, onPrepared });
      results.push({
        point: { id: point.id, index: point.index, assignments: point.assignments, runId: point.runId },
        runDir: r.runDir,
        stages: r.stages,
        summary: r.summary,
        reportPath: r.reportPath,
      });
      if (!opts.json) cliOut(`${point.index > 0 ? '\n' : ''}${heading}\n\n${formatPipeline(r)}\n`);
    }
    if (opts.json) printResult(opts, results, '');
  });
}
