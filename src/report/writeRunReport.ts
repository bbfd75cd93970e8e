// Writes report.html into a run directory from the files there (atomically) and returns its path.
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UserError } from '../errors.js';
import { writeFileAtomic } from '../results/atomic.js';
import { RESOLVED_CONFIG, RUN_JSON } from '../results/runDir.js';
import { log } from '../util/log.js';
import { readRunFiles } from './readRunFiles.js';
import { renderReport } from './renderReport.js';

/** The report's file name in a run directory. */
export const REPORT_HTML = 'report.html';

/**
 * Rebuilds `<runDir>/report.html` from the files in the run directory (config.resolved.yaml, run.json,
 * summary.json, figures/, pretrain/) and returns its absolute path. Parts a partial run lacks become one-line notes.
 * Throws a UserError when `runDir` is not a run directory (no run.json nor config.resolved.yaml in it).
 */
export async function writeRunReport(runDir: string): Promise<string> {
  const dir = resolve(runDir);
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new UserError(`writeRunReport: run directory ${runDir} does not exist`);
  if (!existsSync(join(dir, RUN_JSON)) && !existsSync(join(dir, RESOLVED_CONFIG)))
    throw new UserError(
      `writeRunReport: ${runDir} is not a run directory (no ${RUN_JSON} nor ${RESOLVED_CONFIG}); pass <output.root>/<experiment>/<run id>`,
    );
  const path = join(dir, REPORT_HTML);
  await writeFileAtomic(path, renderReport(readRunFiles(dir), new Date()));
  log.debug(`report: wrote ${path}`);
  return path;
}
