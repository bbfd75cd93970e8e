// `ecgssl prepare`: reads, preprocesses and windows the data into cached stores; prints what it prepared.
import type { Command } from 'commander';
import type { PrepareSummary } from '../../datasets/types.js';
import { addCommonOptions, loadRunConfig, parseCommonOptions, setupLogging } from '../common.js';
import { formatTable, printResult } from '../output.js';

/** Human summary of prepared window stores (one row per data source). */
export function formatPrepareSummaries(summaries: readonly PrepareSummary[]): string {
  const rows = summaries.map((s, i) => [
    i === 0 ? 'data' : `pretrain.extraData.${i - 1}`,
    s.windows,
    s.subjects,
    s.recordings,
    Object.entries(s.labelCounts)
      .map(
        ([task, counts]) =>
          `${task} ${Object.entries(counts)
            .map(([v, n]) => `${v}:${n}`)
            .join('/')}`,
      )
      .join(', ') || '-',
    s.cached ? 'cached' : 'prepared',
    s.storeDir,
  ]);
  return formatTable(
    ['source', 'windows', 'subjects', 'recordings', 'labels (value:windows)', 'status', 'store'],
    rows,
  );
}

/** Registers `ecgssl prepare`: reads, preprocesses and windows the data into the cached window stores. */
export function register(program: Command): void {
  addCommonOptions(
    program
      .command('prepare')
      .description(
        'read, preprocess and window the data (data + pretrain.extraData) into cached window stores',
      ),
  ).action(async (raw: unknown) => {
    const opts = parseCommonOptions(raw);
    setupLogging(opts);
    const { config } = await loadRunConfig(opts);
    const { prepareData } = await import('../../datasets/index.js');
    const out: PrepareSummary | PrepareSummary[] = await prepareData(config, { progress: !opts.quiet });
    const summaries = Array.isArray(out) ? out : [out];
    printResult(opts, { sources: summaries }, formatPrepareSummaries(summaries));
  });
}
