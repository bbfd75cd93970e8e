// The `ecgssl task` command: runs one unit of a plan (--index or job-array environment) and its dependencies.
import type { Command } from 'commander';
import { UserError } from '../../errors.js';
import { planTasks } from '../../plan/planTasks.js';
import { parseTaskIndex, taskIndexFromEnv } from '../../plan/taskIndexFromEnv.js';
import { addCommonOptions, loadRunConfig, parseCommonOptions, setupLogging } from '../common.js';
import { formatTable, printResult } from '../output.js';

/** Registers `ecgssl task`: runs exactly one unit of `ecgssl plan` (and whichever of its dependencies are missing). */
export function register(program: Command): void {
  addCommonOptions(
    program
      .command('task')
      .description(
        'run one unit of work of `ecgssl plan` (by --index, --id, or the job-array index in the environment), ' +
          'first doing its missing dependencies under file locks; skipped when its output exists unless --force',
      )
      .option('--index <i>', 'the unit index (0-based, as `ecgssl plan` lists it)')
      .option('--id <id>', 'the unit id, e.g. p0-finetune-f3')
      .option(
        '--task-index-from-env',
        'take the index from SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX or ECGSSL_TASK_INDEX',
        false,
      )
      .option('--force', 'redo the unit even when its output exists', false),
  ).action(async (raw: Record<string, unknown>) => {
    const opts = parseCommonOptions(raw);
    setupLogging(opts);
    const given = [raw.index !== undefined, raw.id !== undefined, raw.taskIndexFromEnv === true].filter(
      Boolean,
    );
    if (given.length !== 1)
      throw new UserError('task: give exactly one of --index <i>, --id <id>, --task-index-from-env');
    const loaded = await loadRunConfig(opts);
    const plan = planTasks(loaded.config, { configPath: loaded.path });
    const n = plan.tasks.length;
    let index: number;
    let source: string;
    if (raw.index !== undefined) {
      index = parseTaskIndex(String(raw.index), n, '--index');
      source = '--index';
    } else if (raw.id !== undefined) {
      const t = plan.tasks.find((x) => x.id === raw.id);
      if (!t)
        throw new UserError(
          `task: --id ${String(raw.id)} is not in the plan (ids like ${plan.tasks
            .slice(0, 3)
            .map((x) => x.id)
            .join(', ')}; see ecgssl plan)`,
        );
      index = t.index;
      source = '--id';
    } else {
      const r = taskIndexFromEnv(process.env, n);
      index = r.index;
      source = r.variable;
    }
    const task = plan.tasks[index]!;
    const { runTask } = await import('../../plan/runTask.js');
    const units = await runTask(plan, index, {
      force: opts.force === true,
      progress: !opts.quiet && !opts.json,
    });
    const point = plan.points[task.point]!;
    const runDir = `${point.loaded.config.output.root}/${point.loaded.config.experiment}/${point.runId}`;
    printResult(
      opts,
      { index, id: task.id, source, runDir, units },
      [
        `task ${index} (${task.id}, from ${source}) of ${n}`,
        formatTable(
          ['unit', 'role', 'status', 'seconds', 'note'],
          units.map((u) => [u.id, u.role, u.status, Number(u.seconds.toFixed(1)), u.note]),
        ),
      ].join('\n'),
    );
  });
}
