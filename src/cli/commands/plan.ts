// The `ecgssl plan` command: prints a config's units of work and emits Slurm/Kubernetes job arrays.
import type { Command } from 'commander';
import { Option } from 'commander';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UserError } from '../../errors.js';
import { emitK8s } from '../../plan/emitK8s.js';
import { emitSlurm } from '../../plan/emitSlurm.js';
import { formatAssignments } from '../../plan/formatAssignments.js';
import { experimentDir, writePlanFile } from '../../plan/planFile.js';
import { planTasks } from '../../plan/planTasks.js';
import type { TimeEstimate } from '../../plan/estimateTime.js';
import { formatDuration } from '../../util/progress.js';
import type { Plan } from '../../plan/types.js';
import { packageRoot } from '../../results/provenance.js';
import {
  addCommonOptions,
  loadRunConfig,
  parseCommonOptions,
  setupLogging,
  type CommonOptions,
} from '../common.js';
import { cliOut, formatTable, printResult } from '../output.js';

function positiveInt(name: string) {
  return (v: string): number => {
    if (!/^\d+$/.test(v.trim()) || Number(v) < 1)
      throw new UserError(`${name}: expected a positive integer, got "${v}"`);
    return Number(v);
  };
}

/** The config overrides of the command line, as words to repeat in every task of a job array. */
export function overrideArgs(opts: CommonOptions): string[] {
  const out: string[] = [];
  for (const s of opts.set) out.push('--set', s);
  if (opts.seed !== undefined) out.push('--seed', String(opts.seed));
  if (opts.backend !== undefined) out.push('--backend', opts.backend);
  return out;
}

/** How a job starts this ecgssl: node + the absolute path of bin/ecgssl.js (works without ecgssl on PATH). */
export function ecgsslInvocation(): string[] {
  return [process.execPath, join(packageRoot(), 'bin', 'ecgssl.js')];
}

/** The plan as the JSON of `ecgssl plan --json`. */
export function planJson(plan: Plan): object {
  return {
    count: plan.tasks.length,
    points: plan.points.map((p) => ({
      id: p.id,
      runId: p.runId,
      hash: p.loaded.hash,
      assignments: p.assignments,
    })),
    tasks: plan.tasks,
  };
}

/** The plan as text: sweep points, then one line per task (index, id, dependencies). */
export function formatPlan(plan: Plan): string {
  const n = plan.tasks.length;
  const lines = [
    `${n} task${n === 1 ? '' : 's'} (${plan.points.length} sweep point${plan.points.length === 1 ? '' : 's'})`,
    '',
    formatTable(
      ['point', 'run id', 'settings'],
      plan.points.map((p) => [p.id, p.runId, formatAssignments(p.assignments, ' ') || '-']),
    ),
    '',
    formatTable(
      ['index', 'id', 'depends on'],
      plan.tasks.map((t) => [t.index, t.id, t.dependsOn.join(' ') || '-']),
    ),
  ];
  return lines.join('\n');
}

/** The estimate as text: the engine and speed's age, then one row per stage and the total. */
export function formatEstimate(e: TimeEstimate): string {
  const when = `${e.measuredAt.slice(0, 16).replace('T', ' ')} UTC${e.cached ? ', cached' : ''}`;
  return [
    `expected wall time on ${e.engine} (speed measured ${when}; --remeasure measures it again)`,
    formatTable(
      ['stage', 'time', 'work'],
      [
        ...e.stages.map((s) => [
          s.stage,
          `${s.stage === 'prepare' ? '' : '~'}${formatDuration(s.seconds)}`,
          s.note,
        ]),
        ['total', `~${formatDuration(e.totalSeconds)}`, ''],
      ],
    ),
  ].join('\n');
}

/** `plan --estimate`: the time estimate of every sweep point (one for a config without sweep). */
async function printEstimates(opts: CommonOptions, plan: Plan, remeasure: boolean): Promise<void> {
  const { estimateTime } = await import('../../plan/estimateTime.js');
  const out: { point: string; runId: string; estimate: TimeEstimate }[] = [];
  for (const p of plan.points)
    out.push({ point: p.id, runId: p.runId, estimate: await estimateTime(p.loaded.config, { remeasure }) });
  const text = out
    .map((o) => `${out.length > 1 ? `sweep point ${o.point}\n` : ''}${formatEstimate(o.estimate)}`)
    .join('\n\n');
  printResult(opts, out.length === 1 ? out[0]!.estimate : out, text);
}

/** Registers `ecgssl plan`: the units of work of a config (sweep point x stage x fold), and job-array scripts. */
export function register(program: Command): void {
  addCommonOptions(
    program
      .command('plan')
      .description(
        'list the units of work of a config (sweep point x stage x fold) in a fixed order; --emit prints a Slurm ' +
          'job-array script or a Kubernetes Indexed Job whose elements run `ecgssl task --task-index-from-env`',
      )
      .addOption(
        new Option('--emit <kind>', 'print a job script instead of the list').choices(['slurm', 'k8s']),
      )
      .option('--parallel <n>', 'array elements / pods running at once', positiveInt('--parallel'), 4)
      .option('--job-name <name>', 'job name (default: ecgssl-<experiment>)')
      .option('--image <image>', 'container image (k8s)', 'ecgssl:latest')
      .option('--pvc <claim>', 'PersistentVolumeClaim mounted as the working directory (k8s)')
      .option('--workdir <dir>', 'working directory of the jobs (default: the current one; k8s: /work)')
      .option(
        '--estimate',
        "the expected wall time per stage on this machine (prepares the data if needed; measures the engine's speed once, cached)",
      )
      .option(
        '--remeasure',
        'with --estimate: measure the engine speed again instead of using the cached one',
      ),
  ).action(async (raw: Record<string, unknown>) => {
    const opts = parseCommonOptions(raw);
    setupLogging(opts);
    const loaded = await loadRunConfig(opts);
    const plan = planTasks(loaded.config, { configPath: loaded.path });
    if (raw.estimate === true) {
      await printEstimates(opts, plan, raw.remeasure === true);
      return;
    }
    const planFile = await writePlanFile(plan);
    const emit = raw.emit as 'slurm' | 'k8s' | undefined;
    if (emit === undefined) {
      printResult(opts, { ...planJson(plan), planFile }, formatPlan(plan));
      return;
    }
    if (!loaded.path) throw new UserError('plan --emit: needs --config <file> (the jobs read the same file)');
    const config = loaded.config;
    const common = {
      ecgssl: ecgsslInvocation(),
      configPath: resolve(loaded.path),
      extraArgs: overrideArgs(opts),
      count: plan.tasks.length,
      parallel: raw.parallel as number,
      jobName: typeof raw.jobName === 'string' ? raw.jobName : `ecgssl-${config.experiment}`,
      setThreads: config.engine.threads === undefined,
    };
    if (emit === 'slurm') {
      const logDir = join(experimentDir(plan), 'slurm-logs');
      // Slurm does not create the folder of --output; a job whose log folder is missing fails without a trace.
      mkdirSync(logDir, { recursive: true });
      cliOut(
        emitSlurm({
          ...common,
          logDir,
          workDir: typeof raw.workdir === 'string' ? resolve(raw.workdir) : process.cwd(),
          ids: plan.tasks.map((t) => t.id),
        }),
      );
    } else {
      cliOut(
        emitK8s({
          ...common,
          ecgssl: ['ecgssl'],
          configPath: loaded.path,
          image: raw.image as string,
          pvc: typeof raw.pvc === 'string' ? raw.pvc : undefined,
          workDir: typeof raw.workdir === 'string' ? raw.workdir : '/work',
        }),
      );
    }
  });
}
