// `ecgssl inspect config|model|schema`: the resolved config and hash, the network, the config schema.
import type { Command } from 'commander';
import { configJsonSchema, configJsonSchemaText } from '../../config/jsonSchema.js';
import { modelSchema, preprocessingSchema } from '../../config/schema.js';
import {
  addCommonOptions,
  loadRunConfig,
  parseCommonOptions,
  setupLogging,
  type CommonOptions,
} from '../common.js';
import { formatTable, printResult } from '../output.js';
import type { LayerSummary } from '../../models/index.js';
import { TRANSFORMATIONS } from '../../augmentation/index.js';
import { describePretrainSources, formatPretrainSources } from '../../training/pretrainSources.js';

function shapeText(s: readonly (number | null)[]): string {
  return `[${s.map((d) => (d === null ? 'batch' : String(d))).join(', ')}]`;
}

/** Model and window length: from the config when one is given, else the METHOD.md defaults. */
async function modelSettings(opts: CommonOptions) {
  if (opts.config !== undefined || opts.set.length > 0) {
    const { config } = await loadRunConfig(opts);
    return { model: config.model, windowSamples: config.preprocessing.windowSamples };
  }
  return { model: modelSchema.parse({}), windowSamples: preprocessingSchema.parse({}).windowSamples };
}

/** Registers `ecgssl inspect config | model | schema`. */
export function register(program: Command): void {
  const inspect = program
    .command('inspect')
    .description('show the resolved config, the network, or the config schema');

  addCommonOptions(
    inspect
      .command('config')
      .description(
        'print the resolved config (defaults < file < --set < flags), its hash and what pretraining reads',
      ),
  ).action(async (raw: unknown) => {
    const opts = parseCommonOptions(raw);
    setupLogging(opts);
    const loaded = await loadRunConfig(opts);
    const runId = loaded.hash.slice(0, 12);
    const pretrainSources = describePretrainSources(loaded.config);
    printResult(
      opts,
      { config: loaded.config, hash: loaded.hash, runId, path: loaded.path, pretrainSources },
      `# hash ${loaded.hash} (run id ${runId})\n# pretraining on ${formatPretrainSources(pretrainSources)}\n` +
        loaded.yamlText,
    );
  });

  addCommonOptions(
    inspect
      .command('model')
      .description('print the signal transformation recognition network: layers, output shapes, parameters'),
  ).action(async (raw: unknown) => {
    const opts = parseCommonOptions(raw);
    setupLogging(opts);
    const { model, windowSamples } = await modelSettings(opts);
    const { summarizeStrNetwork } = await import('../../models/index.js');
    const summary = summarizeStrNetwork(model, windowSamples, TRANSFORMATIONS.length);
    const rows = summary.layers.map((l: LayerSummary) => [
      l.name,
      l.type,
      shapeText(l.outputShape),
      l.params,
    ]);
    const human = [
      formatTable(['layer', 'type', 'output shape', 'params'], rows),
      '',
      `trunk (convolutions) parameters: ${summary.trunkParams.toLocaleString('en-US')}`,
      `total trainable parameters:      ${summary.totalParams.toLocaleString('en-US')}`,
    ].join('\n');
    printResult(opts, { windowSamples, ...summary }, human);
  });

  addCommonOptions(
    inspect
      .command('schema')
      .description('print the JSON Schema of the YAML config (configs/ecgssl.schema.json)'),
  ).action((raw: unknown) => {
    const opts = parseCommonOptions(raw);
    printResult(opts, configJsonSchema(), configJsonSchemaText());
  });
}
