// The `ecgssl merge` command: aggregates existing unit results into the summaries, lists missing units.
import type { Command } from 'commander';
import { UserError } from '../../errors.js';
import { formatAssignments } from '../../plan/formatAssignments.js';
import { parseCommonOptions, setupLogging } from '../common.js';
import { printResult } from '../output.js';
import { formatRunTable } from './evaluate.js';

/** Registers `ecgssl merge`: aggregates whatever unit results exist into the summaries; lists the missing units. */
export function register(program: Command): void {
  program
    .command('merge')
    .description(
      'aggregate the per-fold results of `ecgssl task` units under a results folder (output root, experiment ' +
        'folder or run dir) into summary.csv/json and figures, and list the missing task ids (exit 1 unless --allow-partial)',
    )
    .argument('<results-dir>', 'results folder, e.g. results/<experiment>')
    .option('--allow-partial', 'exit 0 even when some units have no result', false)
    .option('--json', 'print the result as JSON on stdout', false)
    .option('-q, --quiet', 'no info logs on stderr', false)
    .option('-v, --verbose', 'debug logs and stack traces', false)
    .action(async (dir: string, raw: Record<string, unknown>) => {
      const opts = parseCommonOptions({ json: raw.json, quiet: raw.quiet, verbose: raw.verbose });
      setupLogging(opts);
      const { mergeResults } = await import('../../plan/mergeResults.js');
      const r = await mergeResults(dir);
      const lines: string[] = [];
      for (const p of r.points) {
        const settings = formatAssignments(p.assignments, ' ');
        lines.push(
          `${p.point} ${p.runId}${settings ? ` (${settings})` : ''}: ${p.unitsFound}/${p.unitsPlanned} fold results, ${p.runDir}`,
        );
        if (p.summary) lines.push(formatRunTable(p.summary));
        if (p.reportPath) lines.push(`report ${p.reportPath}`);
        if (p.summary) lines.push('');
      }
      const total = r.done.length + r.missing.length;
      lines.push(`${r.done.length}/${total} tasks done`);
      if (r.missing.length > 0) lines.push(`missing: ${r.missing.join(' ')}`);
      printResult(opts, r, lines.join('\n'));
      if (r.missing.length > 0 && raw.allowPartial !== true)
        throw new UserError(
          `merge: ${r.missing.length} of ${total} tasks have no result (${r.missing.slice(0, 5).join(', ')}${r.missing.length > 5 ? ', ...' : ''}); pass --allow-partial to accept a partial merge`,
        );
    });
}
