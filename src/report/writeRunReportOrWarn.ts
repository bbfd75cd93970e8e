// report.html after a stage or a merge: written when possible, a warning otherwise (the results stand).
import { log } from '../util/log.js';
import { REPORT_HTML, writeRunReport } from './writeRunReport.js';

/** {@link writeRunReport} after a stage: a failure is a warning (the stage's results stand); undefined then. */
export async function writeRunReportOrWarn(runDir: string): Promise<string | undefined> {
  try {
    return await writeRunReport(runDir);
  } catch (err) {
    log.warn(
      `could not write ${REPORT_HTML} in ${runDir}: ${err instanceof Error ? err.message : String(err)}`,
    );
    return undefined;
  }
}
