import type { Command } from 'commander';
import {
  addCommonOptions,
  loadRunConfig,
  parseCommonOptions,
  setupLogging,
  withRunDir,
  type LoadedConfig,
} from '../common.js';
import { cliOut, printResult } from '../output.js';
import { log } from '../../util/log.js';
import type { PipelineResult, StageOutcome } from '../../training/runPipeline.js';
import type { SweepPoint } from '../../plan/index.js';
import { formatAssignments } from '../../plan/formatAssignments.js';
import { formatRunTable } from './evaluate.js';

/** One sweep point's result of `ecgssl run --json` on a config with a `sweep:` block. */
interface SweepPointResult {
  /** The point: id (`p0`), grid index, the swept keys' values, run id. */
  point: { id: string; index: number; assignments: Record<string, unknown>; runId: string };
  runDir: string;
  stages: StageOutcome[];
  summary: PipelineResult['summary'];
}

/**
 * Runs prepare -> pretrain -> finetune -> evaluate for one resolved config (no sweep) in its run directory,
 * skipping stages whose outputs exist unless `force`.
 */
async function runPipeline(loaded: LoadedConfig, force: boolean, progress: boolean): Promise<PipelineResult> {
  const { config } = loaded;
  const training = await import('../../training/index.js');
  const { prepareData } = await import('../../datasets/index.js');
  const { openRunDir } = await import('../../results/runDir.js');
  const run = await openRunDir(loaded);
  const stages: StageOutcome[] = [];
  /** `, made on <engine>; --force redoes it` when run.json names the engine that produced a stage's outputs. */
  let engineOf: ((stage: StageOutcome['stage']) => string | null) | undefined;
  const madeBy = (stage: StageOutcome['stage']): string => {
    // run.json read once, at the first skipped stage (a stage that runs records only its own engine).
    engineOf ??= training.recordedStageEngines(run);
    const e = engineOf(stage);
    return e ? `, made on ${e}; --force redoes it` : '';
  };
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
    const out = await withRunDir(loaded, 'prepare', () => prepareData(config, { progress }));
    const cached = out.every((s) => s.cached);
    return `${out.reduce((a, s) => a + s.windows, 0)} windows${cached ? ' (cached store)' : ''}`;
  });
  await timed(
    'pretrain',
    !force && training.pretrainDone(loaded, run) ? `encoders exist${madeBy('pretrain')}` : false,
    async () => {
      const r = await withRunDir(loaded, 'pretrain', (rd) =>
        training.runPretrainStage(loaded, rd, { resume: !force }),
      );
      return `${r.units.length} encoder${r.units.length === 1 ? '' : 's'}`;
    },
  );
  await timed(
    'finetune',
    !force && training.resultStageDone(run, 'finetune')
      ? `finetune/summary.json exists${madeBy('finetune')}`
      : false,
    async () => {
      await withRunDir(loaded, 'finetune', (rd) => training.runFinetuneStage(loaded, rd));
      return 'finetune/summary.json';
    },
  );
  const fractions = config.evaluation.labelFractions;
  await timed(
    'evaluate',
    !force && training.resultStageDone(run, 'evaluate', fractions)
      ? `evaluate/summary.json exists for ${fractions.join(',')}${madeBy('evaluate')}`
      : false,
    async () => {
      await withRunDir(loaded, 'evaluate', (rd) => training.runEvaluateStage(loaded, rd, fractions));
      return `labels ${fractions.join(',')}`;
    },
  );
  const summary = await training.mergeRunResults(run);
  return { runDir: run.dir, stages, summary };
}

/** The terminal text of one pipeline result: stage lines, the summary table, the run directory. */
function formatPipeline(result: PipelineResult): string {
  const stageLines = result.stages.map(
    (s) =>
      `${s.stage.padEnd(9)} ${s.status === 'skipped' ? `skipped (${s.note})` : `done in ${s.seconds.toFixed(1)} s (${s.note})`}`,
  );
  return `${stageLines.join('\n')}\n\n${formatRunTable(result.summary)}\nrun directory ${result.runDir}`;
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
    if (loaded.config.sweep === undefined) {
      const result = await runPipeline(loaded, force, !opts.quiet);
      printResult(opts, result, formatPipeline(result));
      return;
    }
    const { expandSweep } = await import('../../plan/index.js');
    const points = expandSweep(loaded.config, loaded.path);
    const results: SweepPointResult[] = [];
    for (const point of points) {
      const heading = sweepPointHeading(point, points.length);
      log.info(`${heading}: running`);
      const r = await runPipeline(point.loaded, force, !opts.quiet);
      results.push({
        point: { id: point.id, index: point.index, assignments: point.assignments, runId: point.runId },
        runDir: r.runDir,
        stages: r.stages,
        summary: r.summary,
      });
      if (!opts.json) cliOut(`${point.index > 0 ? '\n' : ''}${heading}\n\n${formatPipeline(r)}\n`);
    }
    if (opts.json) printResult(opts, results, '');
  });
}
