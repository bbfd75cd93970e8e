// The `ecgssl report` command: rebuilds a run directory's report.html from its files and prints its path.
import type { Command } from 'commander';
import { dirname } from 'node:path';
import { z } from 'zod';
import { UserError } from '../../errors.js';
import { parseCommonOptions, setupLogging } from '../common.js';
import { printResult } from '../output.js';

const reportArgsSchema = z.object({ runDir: z.string().trim().min(1, 'an empty path') });

/**
 * Registers `ecgssl report <run dir>`: writes `<run dir>/report.html` (one self-contained page: summary table with
 * the paired tests, figures, engine and timings, resolved config) from the files there and prints its path
 * (`--json`: `{ runDir, report }`).
 */
export function register(program: Command): void {
  program
    .command('report')
    .description(
      'rebuild report.html of a run directory (summary, paired tests, figures, engine and timings, resolved ' +
        'config; one self-contained page) from the files there and print its path',
    )
    .argument('<run-dir>', 'a run directory, e.g. results/quickstart/<run id>')
    .option('--json', 'print the result as JSON on stdout', false)
    .option('-q, --quiet', 'no info logs on stderr', false)
    .option('-v, --verbose', 'debug logs and stack traces', false)
    .action(async (dir: string, raw: Record<string, unknown>) => {
      const opts = parseCommonOptions({ json: raw.json, quiet: raw.quiet, verbose: raw.verbose });
      setupLogging(opts);
      const args = reportArgsSchema.safeParse({ runDir: dir });
      if (!args.success)
        throw new UserError(`report: <run-dir>: ${args.error.issues[0]?.message ?? 'invalid'}`);
      const { writeRunReport } = await import('../../report/index.js');
      const path = await writeRunReport(args.data.runDir);
      printResult(opts, { runDir: dirname(path), report: path }, path);
    });
}
