// `ecgssl doctor`: which engine loads (and why better ones did not), versions, and a short benchmark.
import type { Command } from 'commander';
import { availableParallelism } from 'node:os';
import { engineSchema } from '../../config/schema.js';
import { UserError } from '../../errors.js';
import { softwareVersions } from '../../results/provenance.js';
import { addCommonOptions, parseCommonOptions, setupLogging } from '../common.js';
import { printResult } from '../output.js';

/** Registers `ecgssl doctor`: which engine loads (and why better ones did not), versions, and a short benchmark. */
export function register(program: Command): void {
  addCommonOptions(
    program
      .command('doctor')
      .description(
        'show which engine runs (and why faster ones did not load), versions, threads, and its speed',
      )
      .option('--seconds <s>', 'benchmark time budget in seconds', (v) => Number(v), 4)
      .option(
        '--threads <n>',
        'threads for the portable engine (default: config engine.threads or all cores)',
        (v) => Number.parseInt(v, 10),
      )
      .option(
        '--precision <p>',
        'engine.precision to try: fp32, bf16 or auto (default: config engine.precision or fp32)',
      )
      .option('--no-benchmark', 'skip the benchmark'),
  ).action(async (raw: Record<string, unknown>) => {
    const opts = parseCommonOptions(raw);
    setupLogging(opts);
    // Without a config, the config's defaults (the schema's).
    const defaults = engineSchema.parse({});
    let preference = opts.backend ?? defaults.backend;
    let { dnnl, fftConv, precision } = defaults;
    let threads = typeof raw.threads === 'number' && Number.isFinite(raw.threads) ? raw.threads : undefined;
    if (opts.config !== undefined || opts.set.length > 0) {
      const { loadRunConfig } = await import('../common.js');
      const { config } = await loadRunConfig(opts);
      preference = config.engine.backend;
      threads ??= config.engine.threads;
      dnnl = config.engine.dnnl;
      fftConv = config.engine.fftConv;
      precision = config.engine.precision;
    }
    if (raw.precision !== undefined) {
      const p = engineSchema.shape.precision.safeParse(raw.precision);
      if (!p.success)
        throw new UserError(`doctor: --precision must be fp32, bf16 or auto, got '${String(raw.precision)}'`);
      precision = p.data;
    }
    const engine = await import('../../engine/index.js');
    const report = await engine.initBackend({ preference, threads, dnnl, fftConv, precision });
    const seconds = typeof raw.seconds === 'number' && raw.seconds > 0 ? raw.seconds : 4;
    // The real pretraining step on the paper's network (src/training, built by src/models).
    const bench =
      raw.benchmark === false
        ? null
        : await (await import('../../training/engineBenchmark.js')).engineBenchmark({ seconds });
    const versions = softwareVersions();
    const cpus = availableParallelism();
    const result = { backend: report, cpus, versions, benchmark: bench };
    const plural = report.threads === 1 ? '' : 's';
    const lines = [
      `engine      ${report.engine} (tfjs backend "${report.backend}", ${report.threads} thread${plural}; ${cpus} CPUs)`,
      ...(report.features && report.features.length > 0 ? [`kernels     ${report.features.join(', ')}`] : []),
      `precision   ${report.precision ?? 'fp32'} (engine.precision ${precision})`,
      ...(report.skipped.length > 0
        ? ['skipped', ...report.skipped.map((s) => `  ${s.engine}: ${s.reason}`)]
        : ['skipped     none']),
      `libraries   ${Object.entries(report.versions)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
      'versions',
      ...Object.entries(versions).map(([k, v]) => `  ${k} ${v}`),
    ];
    if (bench) {
      lines.push(
        `benchmark   ${bench.network}, batch ${bench.batch}: ` +
          `train ${bench.trainWindowsPerSecond.toFixed(1)} windows/s, inference ${bench.inferWindowsPerSecond.toFixed(1)} windows/s`,
      );
    }
    printResult(opts, result, lines.join('\n'));
  });
}
